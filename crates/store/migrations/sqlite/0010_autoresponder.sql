-- The autoresponder: per-mailbox settings, a per-sender ledger (at most one
-- auto-reply per sender per period) and the loop breaker's state. Inbound
-- filing marks a conversation `autoreply_pending`; the autoresponder pass
-- clears that flag in the transaction that queues the answer, so clearing it
-- is the claim: two nodes or a retry after a crash never answer twice.
CREATE TABLE mailbox_autoresponders (
    mailbox_id INTEGER PRIMARY KEY REFERENCES mailboxes(id) ON DELETE CASCADE,
    enabled INTEGER NOT NULL DEFAULT 0,
    template_id INTEGER REFERENCES templates(id) ON DELETE SET NULL,
    period_hours INTEGER NOT NULL DEFAULT 24,
    -- Set by the loop breaker when the mailbox sent too many auto-replies
    -- too fast; nothing is sent until an administrator turns it on again.
    tripped_at INTEGER,
    updated_at INTEGER NOT NULL
);

-- When each sender last got an auto-reply from the mailbox. Senders are
-- stored lower case.
CREATE TABLE autoreply_ledger (
    mailbox_id INTEGER NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
    sender TEXT NOT NULL,
    last_sent_at INTEGER NOT NULL,
    PRIMARY KEY (mailbox_id, sender)
);

-- Every auto-reply sent, for the loop breaker's rate (rows older than its
-- window are deleted as the pass goes).
CREATE TABLE autoreply_sent (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    mailbox_id INTEGER NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
    sent_at INTEGER NOT NULL
);
CREATE INDEX autoreply_sent_mailbox ON autoreply_sent(mailbox_id, sent_at);

-- The pass looks only at flagged conversations.
CREATE INDEX conversations_autoreply_pending ON conversations(id) WHERE autoreply_pending = 1;
