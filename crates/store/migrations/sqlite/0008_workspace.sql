-- The agent workspace: who did what (Recent Actions), tags, internal notes,
-- saved searches, presence (collision detection, Users Online), per-user
-- notification choices and the merge redirect.

-- Every change to a conversation or the account, newest first per account
-- and per conversation. `user_id` NULL means the system did it (a rule, a
-- worker). `detail` is a short JSON object that the UI renders.
CREATE TABLE activity (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    mailbox_id INTEGER REFERENCES mailboxes(id) ON DELETE CASCADE,
    conversation_id INTEGER REFERENCES conversations(id) ON DELETE CASCADE,
    user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '{}',
    at INTEGER NOT NULL
);
CREATE INDEX activity_account ON activity(account_id, id DESC);
CREATE INDEX activity_conversation ON activity(conversation_id, id);

CREATE TABLE tags (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (account_id, name)
);

CREATE TABLE conversation_tags (
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
    PRIMARY KEY (conversation_id, tag_id)
);
CREATE INDEX conversation_tags_tag ON conversation_tags(tag_id, conversation_id);

-- Internal notes: seen by the team only, never sent, shown in the thread.
CREATE TABLE notes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    author_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    body_html TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX notes_conversation ON notes(conversation_id, id);

-- `user_id` NULL: shared with the whole account; else personal.
-- `query` is the search form as JSON (text and filters).
CREATE TABLE saved_searches (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    query TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX saved_searches_account ON saved_searches(account_id, user_id);

-- Who is looking at or replying to a conversation right now. Rows are
-- refreshed by the page while it is open and count only while `seen_at` is
-- recent, so a closed tab or a dead node fades out on its own. In the
-- database, not in memory, so several nodes see each other's agents.
CREATE TABLE presence (
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    -- viewing or replying
    state TEXT NOT NULL,
    seen_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, conversation_id)
);
CREATE INDEX presence_conversation ON presence(conversation_id, seen_at);

-- Users Online: the last request a signed-in user made.
ALTER TABLE users ADD COLUMN last_seen_at INTEGER NOT NULL DEFAULT 0;
-- Email me when a conversation is assigned to me (through the outbox).
ALTER TABLE users ADD COLUMN notify_assigned INTEGER NOT NULL DEFAULT 1;
-- The secret of the personal RSS feed URL, hashed like API tokens.
ALTER TABLE users ADD COLUMN rss_token_hash TEXT;

-- A conversation merged into another keeps its row as a redirect, so links
-- and the subject token of the old number still lead somewhere.
ALTER TABLE conversations ADD COLUMN merged_into_id INTEGER REFERENCES conversations(id) ON DELETE SET NULL;
-- Folder counts and My Mail across mailboxes.
CREATE INDEX conversations_assignee_list ON conversations(assignee_id, status, last_message_at DESC, id DESC);
