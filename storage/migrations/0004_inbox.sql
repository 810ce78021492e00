-- Every update is stored here before the channel is told it arrived; "done"
-- commits with the handler's writes. Replaces seen_updates: the unique key
-- deduplicates, done rows are pruned after 48 h.
CREATE TABLE inbox (
	id INTEGER PRIMARY KEY,
	channel TEXT NOT NULL,
	bot_id TEXT NOT NULL DEFAULT '',
	update_id TEXT NOT NULL,
	chat_key TEXT NOT NULL,
	payload BLOB,
	state TEXT NOT NULL DEFAULT 'new',
	tries INTEGER NOT NULL DEFAULT 0,
	next_attempt_at INTEGER NOT NULL DEFAULT 0,
	error TEXT NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL,
	done_at INTEGER NOT NULL DEFAULT 0,
	UNIQUE (channel, bot_id, update_id)
);
CREATE INDEX inbox_waiting ON inbox(chat_key, id) WHERE state = 'new';
CREATE INDEX inbox_finished ON inbox(done_at) WHERE state <> 'new';

DROP TABLE IF EXISTS seen_updates;

-- One serve per database: the holder renews its lease while it runs.
CREATE TABLE leases (
	name TEXT PRIMARY KEY,
	holder TEXT NOT NULL,
	expires_at INTEGER NOT NULL
);
