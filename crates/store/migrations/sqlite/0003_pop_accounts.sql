-- Connected POP accounts and the ledger of what each has taken in. A message
-- is acknowledged to the POP server (DELE, or its UIDL remembered under Copy
-- mail) only after its raw copy and its ledger row are committed.
CREATE TABLE pop_accounts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    mailbox_id INTEGER NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
    active INTEGER NOT NULL DEFAULT 1,
    name TEXT NOT NULL,
    host TEXT NOT NULL,
    port INTEGER NOT NULL,
    username TEXT NOT NULL,
    -- XChaCha20-Poly1305 sealed, base64; the key is not in the database.
    password_enc TEXT NOT NULL,
    use_ssl INTEGER NOT NULL DEFAULT 0,
    copy_mail INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    last_success_at INTEGER,
    last_error TEXT,
    last_error_kind TEXT,
    last_error_at INTEGER,
    -- Errors in a row since the last success, for backing off.
    failures INTEGER NOT NULL DEFAULT 0,
    messages_fetched INTEGER NOT NULL DEFAULT 0,
    -- At the last completed check: messages left on the server, and how many
    -- of them were already taken in (Copy mail, or a DELE not yet applied).
    server_message_count INTEGER,
    server_taken_count INTEGER,
    last_checked_at INTEGER,
    lease_owner TEXT,
    lease_until INTEGER NOT NULL DEFAULT 0,
    next_poll_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX pop_accounts_mailbox ON pop_accounts(mailbox_id);
CREATE INDEX pop_accounts_due ON pop_accounts(active, next_poll_at);

CREATE TABLE pop_ledger (
    pop_account_id INTEGER NOT NULL REFERENCES pop_accounts(id) ON DELETE CASCADE,
    uidl TEXT NOT NULL,
    raw_id INTEGER REFERENCES raw_messages(id) ON DELETE SET NULL,
    fetched_at INTEGER NOT NULL,
    -- When the server confirmed the deletion (QUIT after DELE); NULL while
    -- the message is still on the server.
    deleted_at INTEGER,
    PRIMARY KEY (pop_account_id, uidl)
);
