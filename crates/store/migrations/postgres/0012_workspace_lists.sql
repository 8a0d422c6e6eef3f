-- Folder counts of the agent workspace: one index-only pass per account
-- (mailbox, status, assignee) over the conversations still in a folder.
CREATE INDEX conversations_folder_counts ON conversations(account_id, mailbox_id, status, assignee_id) WHERE merged_into_id IS NULL;
