-- Meeting materials (issue 14): files the plan names, sent on request. The
-- bytes live here once; outbox rows name a material by id and never copy it.
CREATE TABLE materials (
	id INTEGER PRIMARY KEY,
	meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
	position INTEGER NOT NULL,
	title TEXT NOT NULL,
	file_name TEXT NOT NULL,
	mime TEXT NOT NULL,
	sha256 TEXT NOT NULL,
	size INTEGER NOT NULL,
	data BLOB NOT NULL,
	created_at INTEGER NOT NULL,
	UNIQUE (meeting_id, title)
);
CREATE INDEX materials_meeting ON materials(meeting_id, position);

-- The id a chat provider gave a content once a bot uploaded it, so the next
-- send of the same bytes by the same bot goes by id.
CREATE TABLE uploaded_files (
	channel TEXT NOT NULL,
	bot_id TEXT NOT NULL,
	sha256 TEXT NOT NULL,
	file_id TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (channel, bot_id, sha256)
) WITHOUT ROWID;
