-- Templates (canned replies) of an account. The body is sanitized HTML with
-- minijinja placeholders; the subject is used when a template starts a
-- message (the autoresponder).
CREATE TABLE templates (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    subject TEXT NOT NULL DEFAULT '',
    body_html TEXT NOT NULL,
    -- Kept when its author leaves: the template belongs to the account.
    created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX templates_account_name ON templates(account_id, name);
