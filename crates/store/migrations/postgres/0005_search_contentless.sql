-- SQLite's search table became contentless in this migration. PostgreSQL's
-- message_search has held only the tsvector from the start (the text is in
-- messages), so there is nothing to change here; the file exists because
-- both folders carry the same migrations.
SELECT 1;
