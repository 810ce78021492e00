-- The dispatcher's governor: replies (interactive) go before bulk, an edit
-- names the message it replaces, a long text remembers how many of its
-- parts went, and a claim records when it was made so a send stuck past
-- its timeout can be requeued while running.
ALTER TABLE outbox ADD COLUMN interactive INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN edit_message_id TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN parts_sent INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN claimed_at INTEGER NOT NULL DEFAULT 0;

-- A chat's waiting messages in order: its head is the first of these.
CREATE INDEX outbox_chat_head ON outbox(channel, chat_id, id) WHERE state IN ('queued', 'sending');
-- The claim scan: queued messages, replies first, then oldest first.
CREATE INDEX outbox_claim ON outbox(interactive DESC, id) WHERE state = 'queued';
-- Stuck sends, by claim time.
CREATE INDEX outbox_sending ON outbox(claimed_at) WHERE state = 'sending';
