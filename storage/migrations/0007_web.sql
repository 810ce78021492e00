-- The web desk: one-time login links and sessions. Only SHA-256 hashes of
-- their secrets are stored; the secrets live in the chat message and the
-- browser's cookie.
CREATE TABLE web_login_links (
	token_hash TEXT PRIMARY KEY,
	account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	expires_at INTEGER NOT NULL,
	used_at INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL
);

CREATE TABLE web_sessions (
	id_hash TEXT PRIMARY KEY,
	account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	lang TEXT NOT NULL DEFAULT '',
	expires_at INTEGER NOT NULL,
	created_at INTEGER NOT NULL
);
CREATE INDEX web_sessions_expires ON web_sessions(expires_at);

-- The desk's person page lists the messages sent to a person's accounts.
CREATE INDEX outbox_account ON outbox(account_id, id);
