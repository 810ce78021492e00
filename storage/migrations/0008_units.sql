-- Units send their delegates (issue 14). A unit is invited to one meeting;
-- its representative (a person with role unit_rep) links with the unit's
-- personal token, made like an invitation's. unit_quotas holds only the
-- quotas a unit overrides; the rest come from categories.quota.
CREATE TABLE units (
	id INTEGER PRIMARY KEY,
	meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
	name TEXT NOT NULL,
	name_fold TEXT NOT NULL,
	rep_person_id INTEGER NOT NULL REFERENCES people(id),
	token TEXT NOT NULL UNIQUE,
	nomination_deadline INTEGER NOT NULL DEFAULT 0,
	position INTEGER NOT NULL DEFAULT 0,
	issued_at INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL,
	UNIQUE (meeting_id, name_fold)
);
CREATE INDEX units_rep ON units(rep_person_id);

CREATE TABLE unit_quotas (
	unit_id INTEGER NOT NULL REFERENCES units(id) ON DELETE CASCADE,
	category_id INTEGER NOT NULL REFERENCES categories(id) ON DELETE CASCADE,
	quota INTEGER NOT NULL,
	PRIMARY KEY (unit_id, category_id)
) WITHOUT ROWID;

-- A nomination keeps its row when withdrawn (state 'withdrawn'); its
-- invitation is then removed and invitation_id set to 0.
CREATE TABLE nominations (
	id INTEGER PRIMARY KEY,
	meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
	unit_id INTEGER NOT NULL REFERENCES units(id) ON DELETE CASCADE,
	category_id INTEGER NOT NULL REFERENCES categories(id) ON DELETE CASCADE,
	person_id INTEGER NOT NULL REFERENCES people(id),
	invitation_id INTEGER NOT NULL DEFAULT 0,
	state TEXT NOT NULL DEFAULT 'nominated',
	actor TEXT NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL,
	withdrawn_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX nominations_unit ON nominations(unit_id, category_id, state);
CREATE INDEX nominations_meeting ON nominations(meeting_id, state);
CREATE UNIQUE INDEX nominations_invitation ON nominations(invitation_id) WHERE invitation_id <> 0;

-- The meeting's program and chair (convene.Program as JSON), and guest categories.
ALTER TABLE meetings ADD COLUMN program TEXT NOT NULL DEFAULT '{}';
ALTER TABLE categories ADD COLUMN guests INTEGER NOT NULL DEFAULT 0;
