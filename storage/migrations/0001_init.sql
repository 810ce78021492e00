-- Times are stored as integers: Unix nanoseconds, UTC. 0 means unset.
CREATE TABLE meetings (
	id INTEGER PRIMARY KEY,
	code TEXT NOT NULL UNIQUE,
	title TEXT NOT NULL,
	kind TEXT NOT NULL DEFAULT 'other',
	host TEXT NOT NULL DEFAULT '',
	organization TEXT NOT NULL DEFAULT '',
	plan TEXT NOT NULL DEFAULT '',
	starts_at INTEGER NOT NULL,
	ends_at INTEGER NOT NULL DEFAULT 0,
	timezone TEXT NOT NULL DEFAULT '',
	venue TEXT NOT NULL DEFAULT '',
	address TEXT NOT NULL DEFAULT '',
	agenda TEXT NOT NULL DEFAULT '',
	rsvp_deadline INTEGER NOT NULL DEFAULT 0,
	status TEXT NOT NULL DEFAULT 'draft',
	feedback TEXT NOT NULL DEFAULT '{}',
	feedback_opened_at INTEGER NOT NULL DEFAULT 0,
	feedback_closed_at INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);

CREATE TABLE categories (
	id INTEGER PRIMARY KEY,
	meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
	code TEXT NOT NULL,
	name TEXT NOT NULL,
	quota INTEGER NOT NULL DEFAULT 0,
	position INTEGER NOT NULL DEFAULT 0,
	UNIQUE (meeting_id, code)
);

CREATE TABLE people (
	id INTEGER PRIMARY KEY,
	full_name TEXT NOT NULL,
	name_fold TEXT NOT NULL,
	title TEXT NOT NULL DEFAULT '',
	unit TEXT NOT NULL DEFAULT '',
	phone TEXT NOT NULL DEFAULT '',
	email TEXT NOT NULL DEFAULT '',
	lang TEXT NOT NULL DEFAULT '',
	role TEXT NOT NULL DEFAULT 'delegate',
	telegram_id INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL
);
CREATE INDEX people_phone ON people(phone) WHERE phone <> '';
CREATE INDEX people_telegram ON people(telegram_id) WHERE telegram_id <> 0;
CREATE INDEX people_name_unit ON people(name_fold, unit);

CREATE TABLE accounts (
	id INTEGER PRIMARY KEY,
	person_id INTEGER REFERENCES people(id) ON DELETE SET NULL,
	channel TEXT NOT NULL,
	user_id TEXT NOT NULL,
	chat_id TEXT NOT NULL,
	name TEXT NOT NULL DEFAULT '',
	lang TEXT NOT NULL DEFAULT '',
	reachable INTEGER NOT NULL DEFAULT 1,
	last_seen_at INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL,
	UNIQUE (channel, user_id)
);
CREATE INDEX accounts_person ON accounts(person_id);

CREATE TABLE invitations (
	id INTEGER PRIMARY KEY,
	meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
	person_id INTEGER NOT NULL REFERENCES people(id),
	category_id INTEGER NOT NULL REFERENCES categories(id),
	token TEXT NOT NULL UNIQUE,
	rsvp TEXT NOT NULL DEFAULT 'pending',
	reason TEXT NOT NULL DEFAULT '',
	substitute_name TEXT NOT NULL DEFAULT '',
	substitute_title TEXT NOT NULL DEFAULT '',
	substitute_phone TEXT NOT NULL DEFAULT '',
	substitute_status TEXT NOT NULL DEFAULT '',
	substitute_for INTEGER NOT NULL DEFAULT 0,
	responded_at INTEGER NOT NULL DEFAULT 0,
	attendance TEXT NOT NULL DEFAULT '',
	checked_in_at INTEGER NOT NULL DEFAULT 0,
	checkin_method TEXT NOT NULL DEFAULT '',
	issued_at INTEGER NOT NULL DEFAULT 0,
	reconfirm INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL,
	UNIQUE (meeting_id, person_id)
);
CREATE INDEX invitations_person ON invitations(person_id);

CREATE TABLE reminder_rules (
	id INTEGER PRIMARY KEY,
	meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
	key TEXT NOT NULL,
	kind TEXT NOT NULL,
	before_ns INTEGER NOT NULL DEFAULT 0,
	cron TEXT NOT NULL DEFAULT '',
	at INTEGER NOT NULL DEFAULT 0,
	audience TEXT NOT NULL DEFAULT 'all',
	from_at INTEGER NOT NULL DEFAULT 0,
	until_at INTEGER NOT NULL DEFAULT 0,
	UNIQUE (meeting_id, key)
);

CREATE TABLE firings (
	id INTEGER PRIMARY KEY,
	job TEXT NOT NULL,
	meeting_id INTEGER NOT NULL,
	rule_id INTEGER NOT NULL DEFAULT 0,
	scheduled_for INTEGER NOT NULL,
	fired_at INTEGER NOT NULL,
	status TEXT NOT NULL,
	note TEXT NOT NULL DEFAULT '',
	count INTEGER NOT NULL DEFAULT 0,
	UNIQUE (job, meeting_id, rule_id, scheduled_for)
);

CREATE TABLE outbox (
	id INTEGER PRIMARY KEY,
	account_id INTEGER NOT NULL,
	channel TEXT NOT NULL,
	chat_id TEXT NOT NULL,
	content TEXT NOT NULL,
	key TEXT NOT NULL UNIQUE,
	batch TEXT NOT NULL DEFAULT '',
	notify_account INTEGER NOT NULL DEFAULT 0,
	ref TEXT NOT NULL DEFAULT '',
	state TEXT NOT NULL DEFAULT 'queued',
	attempts INTEGER NOT NULL DEFAULT 0,
	next_attempt_at INTEGER NOT NULL DEFAULT 0,
	error TEXT NOT NULL DEFAULT '',
	provider_message_id TEXT NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL,
	sent_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX outbox_due ON outbox(state, next_attempt_at, id);
CREATE INDEX outbox_batch ON outbox(batch) WHERE batch <> '';

CREATE TABLE batches (
	batch TEXT PRIMARY KEY,
	finished_at INTEGER NOT NULL
);

CREATE TABLE conversations (
	account_id INTEGER PRIMARY KEY,
	flow TEXT NOT NULL,
	step TEXT NOT NULL DEFAULT '',
	data TEXT NOT NULL DEFAULT '{}',
	updated_at INTEGER NOT NULL
);

-- Who answered feedback. Answers live apart: in anonymous meetings they
-- carry no person id, only a random answer_key shared with the responder
-- row so a resubmission replaces the earlier one; the keys are wiped when
-- feedback closes, and nothing joins them before that.
CREATE TABLE feedback_responders (
	meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
	person_id INTEGER NOT NULL,
	answer_key TEXT NOT NULL DEFAULT '',
	submitted_at INTEGER NOT NULL,
	PRIMARY KEY (meeting_id, person_id)
);

CREATE TABLE feedback (
	id INTEGER PRIMARY KEY,
	meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
	person_id INTEGER NOT NULL DEFAULT 0, -- 0 in anonymous meetings
	answer_key TEXT NOT NULL DEFAULT '',
	answers TEXT NOT NULL,
	rating INTEGER NOT NULL DEFAULT 0,
	submitted_at INTEGER NOT NULL
);
CREATE INDEX feedback_meeting ON feedback(meeting_id);

CREATE TABLE audit (
	id INTEGER PRIMARY KEY,
	at INTEGER NOT NULL,
	actor TEXT NOT NULL,
	action TEXT NOT NULL,
	meeting_id INTEGER NOT NULL DEFAULT 0,
	subject TEXT NOT NULL DEFAULT '',
	detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_meeting ON audit(meeting_id, id);

CREATE TABLE state (
	key TEXT PRIMARY KEY,
	value TEXT NOT NULL
);

CREATE TABLE seen_updates (
	channel TEXT NOT NULL,
	update_id TEXT NOT NULL,
	seen_at INTEGER NOT NULL,
	PRIMARY KEY (channel, update_id)
);
