-- Notifications to agents ("assigned to you") travel the same durable
-- outbox as replies, but belong to no message of the conversation: the
-- outbox's message_id becomes optional.
ALTER TABLE outbox ALTER COLUMN message_id DROP NOT NULL;

-- What the team knows about a contact, edited on the contact's page.
ALTER TABLE contacts ADD COLUMN notes TEXT NOT NULL DEFAULT '';
-- A contact's conversation history.
CREATE INDEX conversations_contact ON conversations(contact_id, last_message_at DESC, id DESC);
-- The RSS feed finds its user by the hash of the token in its URL.
CREATE INDEX users_rss_token ON users(rss_token_hash);
