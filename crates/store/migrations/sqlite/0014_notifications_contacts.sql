-- Notifications to agents ("assigned to you") travel the same durable
-- outbox as replies, but belong to no message of the conversation: the
-- outbox's message_id becomes optional. SQLite can't drop NOT NULL in
-- place, so the table is rebuilt with the same rows and indexes.
CREATE TABLE outbox_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id INTEGER REFERENCES messages(id) ON DELETE CASCADE,
    mailbox_id INTEGER NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    raw BLOB NOT NULL,
    envelope_from TEXT NOT NULL,
    envelope_to TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'queued',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL DEFAULT 0,
    lease_owner TEXT,
    lease_until INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    sent_at INTEGER
);
INSERT INTO outbox_new SELECT id, message_id, mailbox_id, conversation_id, raw, envelope_from,
    envelope_to, state, attempts, next_attempt_at, lease_owner, lease_until, last_error,
    created_at, sent_at FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_due ON outbox(state, next_attempt_at);
CREATE INDEX outbox_conversation ON outbox(conversation_id);
CREATE INDEX outbox_message ON outbox(message_id);

-- What the team knows about a contact, edited on the contact's page.
ALTER TABLE contacts ADD COLUMN notes TEXT NOT NULL DEFAULT '';
-- A contact's conversation history.
CREATE INDEX conversations_contact ON conversations(contact_id, last_message_at DESC, id DESC);
-- The RSS feed finds its user by the hash of the token in its URL.
CREATE INDEX users_rss_token ON users(rss_token_hash);
