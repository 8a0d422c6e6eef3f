-- DKIM keys per account and sending domain (the domain of a mailbox's
-- send-as address). Outgoing mail is signed with the domain's active key
-- when it is queued. Rotating keeps the previous key as inactive, so its
-- selector can stay published until mail signed with it has arrived.
CREATE TABLE dkim_keys (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    -- Lowercase, without a trailing dot.
    domain TEXT NOT NULL,
    selector TEXT NOT NULL,
    -- ed25519 or rsa-sha256
    algorithm TEXT NOT NULL,
    -- PKCS#8 (Ed25519) or PKCS#1 (RSA) DER, sealed with the server's secret
    -- key (XChaCha20-Poly1305); the key is not in the database.
    private_key_enc TEXT NOT NULL,
    -- Base64, as published in DNS (p=).
    public_key TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    active INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX dkim_keys_one_active ON dkim_keys(account_id, domain) WHERE active = 1;
CREATE UNIQUE INDEX dkim_keys_selector ON dkim_keys(account_id, domain, selector);
