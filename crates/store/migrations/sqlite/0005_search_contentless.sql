-- The search index without its own copy of the text. Subject and bodies are
-- in messages already; a contentless FTS5 table keeps only the index (14.7
-- of the 92 MB after importing the SpamAssassin corpus were that copy), and
-- contentless_delete lets forget_mailbox still delete its rows. Ranking
-- (bm25) needs only the index, so search answers as before. Rebuilt here
-- from the old table's copy.
CREATE VIRTUAL TABLE message_search_index USING fts5(
    subject, body, addresses, attachment_names,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO message_search_index (rowid, subject, body, addresses, attachment_names)
    SELECT rowid, subject, body, addresses, attachment_names FROM message_search;
DROP TABLE message_search;
ALTER TABLE message_search_index RENAME TO message_search;
