-- Outgoing mail waiting to be sent. The message row and its outbox row are
-- written in one transaction; a worker claims a row by lease (several nodes,
-- one send), sends the stored bytes unchanged and marks it sent. A crash
-- after the server accepted but before `sent` is written re-sends the same
-- bytes, so the same Message-ID: the recipient sees a duplicate at worst.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    mailbox_id INTEGER NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    -- The message exactly as it goes on the wire (no Bcc header, ever).
    raw BLOB NOT NULL,
    envelope_from TEXT NOT NULL,
    -- Every RCPT TO, one per line: To, Cc and the Auto-BCC addresses.
    envelope_to TEXT NOT NULL,
    -- queued, sending, sent, failed
    state TEXT NOT NULL DEFAULT 'queued',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL DEFAULT 0,
    lease_owner TEXT,
    lease_until INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    sent_at INTEGER
);
CREATE INDEX outbox_due ON outbox(state, next_attempt_at);
CREATE INDEX outbox_conversation ON outbox(conversation_id);
CREATE INDEX outbox_message ON outbox(message_id);
