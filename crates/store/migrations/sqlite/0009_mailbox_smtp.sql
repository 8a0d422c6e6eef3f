-- A mailbox's own SMTP server for outgoing mail; without a row (or with
-- enabled = 0) its mail goes through the main relay (ECP_SMTP_RELAY).
CREATE TABLE mailbox_smtp (
    mailbox_id INTEGER PRIMARY KEY REFERENCES mailboxes(id) ON DELETE CASCADE,
    enabled INTEGER NOT NULL DEFAULT 1,
    host TEXT NOT NULL,
    port INTEGER NOT NULL,
    -- none, starttls, tls
    tls TEXT NOT NULL,
    -- Empty: no AUTH.
    username TEXT NOT NULL DEFAULT '',
    -- XChaCha20-Poly1305 sealed, base64; the key is not in the database.
    password_enc TEXT,
    updated_at INTEGER NOT NULL
);
