-- Accounts, people, mailboxes, sign-in. Times are epoch milliseconds;
-- booleans are 0/1 integers (the Any driver decodes nothing richer).
CREATE TABLE accounts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    plan TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    ssl_required INTEGER NOT NULL DEFAULT 0,
    maintain_assignments INTEGER NOT NULL DEFAULT 0,
    admin_only_dashboards INTEGER NOT NULL DEFAULT 0,
    rss_enabled INTEGER NOT NULL DEFAULT 0,
    api_enabled INTEGER NOT NULL DEFAULT 0,
    spam_threshold INTEGER NOT NULL DEFAULT 5,
    created_at INTEGER NOT NULL
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT,
    role TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    signature_html TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX users_one_owner ON users(account_id) WHERE role = 'owner';
CREATE INDEX users_account ON users(account_id);

CREATE TABLE mailboxes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    direct_address TEXT NOT NULL UNIQUE,
    send_as_name TEXT NOT NULL,
    send_as_address TEXT NOT NULL,
    signature_html TEXT NOT NULL DEFAULT '',
    auto_bcc TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);
CREATE INDEX mailboxes_account ON mailboxes(account_id);

CREATE TABLE mailbox_permissions (
    mailbox_id INTEGER NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (mailbox_id, user_id)
);
CREATE INDEX mailbox_permissions_user ON mailbox_permissions(user_id);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    prefix TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at INTEGER
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);

CREATE TABLE invites (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER
);

CREATE TABLE login_failures (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    throttle_key TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX login_failures_key ON login_failures(throttle_key, at);
