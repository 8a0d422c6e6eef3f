-- Inbound mail. Raw bytes land first (blobs + raw_messages, keyed by where
-- they came from); processing files them into conversations afterwards, so
-- a crash between the two loses nothing and repeats nothing.
CREATE TABLE blobs (
    sha256 TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    data BLOB NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE raw_messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    mailbox_id INTEGER NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
    source_kind TEXT NOT NULL,
    source_key TEXT NOT NULL,
    blob_sha256 TEXT NOT NULL REFERENCES blobs(sha256),
    size INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    -- pending, processed, duplicate, unparseable
    state TEXT NOT NULL DEFAULT 'pending',
    error TEXT,
    message_id INTEGER,
    claimed_until INTEGER NOT NULL DEFAULT 0,
    UNIQUE (mailbox_id, source_kind, source_key)
);
CREATE INDEX raw_messages_pending ON raw_messages(state, claimed_until);

CREATE TABLE contacts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    -- 1 once someone adds the sender to Contacts (never spam from then on);
    -- senders are recorded automatically with 0.
    saved INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    UNIQUE (account_id, email)
);

CREATE TABLE conversations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    mailbox_id INTEGER NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
    contact_id INTEGER REFERENCES contacts(id) ON DELETE SET NULL,
    subject TEXT NOT NULL,
    status TEXT NOT NULL,
    assignee_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    spam_score_milli INTEGER NOT NULL DEFAULT 0,
    spam_reasons TEXT NOT NULL DEFAULT '',
    unparseable INTEGER NOT NULL DEFAULT 0,
    autoreply_pending INTEGER NOT NULL DEFAULT 0,
    message_count INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    last_message_at INTEGER NOT NULL
);
CREATE INDEX conversations_mailbox ON conversations(mailbox_id, status, last_message_at DESC, id DESC);
CREATE INDEX conversations_assignee ON conversations(assignee_id, status);

CREATE TABLE messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    mailbox_id INTEGER NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
    raw_id INTEGER REFERENCES raw_messages(id) ON DELETE SET NULL,
    -- in (from a customer) or out (sent by the team)
    direction TEXT NOT NULL,
    author_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    message_id_header TEXT,
    in_reply_to TEXT NOT NULL DEFAULT '',
    references_header TEXT NOT NULL DEFAULT '',
    from_name TEXT NOT NULL DEFAULT '',
    from_address TEXT NOT NULL DEFAULT '',
    to_list TEXT NOT NULL DEFAULT '',
    cc_list TEXT NOT NULL DEFAULT '',
    subject TEXT NOT NULL DEFAULT '',
    text_body TEXT NOT NULL DEFAULT '',
    html_body TEXT,
    sent_at INTEGER,
    created_at INTEGER NOT NULL,
    spam_score_milli INTEGER NOT NULL DEFAULT 0,
    spam_reasons TEXT NOT NULL DEFAULT '',
    automated TEXT NOT NULL DEFAULT ''
);
CREATE INDEX messages_conversation ON messages(conversation_id, id);
CREATE UNIQUE INDEX messages_mailbox_message_id ON messages(mailbox_id, message_id_header) WHERE message_id_header IS NOT NULL;

CREATE TABLE message_attachments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    content_id TEXT,
    inline_part INTEGER NOT NULL DEFAULT 0,
    size INTEGER NOT NULL,
    blob_sha256 TEXT NOT NULL REFERENCES blobs(sha256)
);
CREATE INDEX message_attachments_message ON message_attachments(message_id);

-- Everyone who took part (from, to, cc) in a conversation, for the subject
-- token rule and for CC'd participants replying.
CREATE TABLE conversation_participants (
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    PRIMARY KEY (conversation_id, email)
);

-- Read state per user: a row means "read at"; a new customer message
-- deletes the conversation's rows, making it unread for everyone.
CREATE TABLE conversation_reads (
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    read_at INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, user_id)
);

-- Full-text search over subject, bodies, addresses and attachment names.
CREATE VIRTUAL TABLE message_search USING fts5(
    subject, body, addresses, attachment_names,
    tokenize = 'unicode61 remove_diacritics 2'
);
