package storage

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"strings"

	"github.com/convene/convene"
)

// ImportRoster invites the entries to the meeting in one transaction, or
// imports nothing and returns a *convene.RosterError naming every bad row.
//
// Every row is checked before anything is written: a valid person, a known
// category (code or name, ignoring case and accents), no person twice in the
// file (same phone, Telegram id, or name and unit; or two rows matching the
// same stored person), no Telegram id belonging to someone else, and unit
// quotas: a unit of the plan's units list (its name matched to the row's
// unit ignoring case and accents) may have no more invitations in a
// category than it is asked for (its own quota, else the category's), its
// standing nominees counted; any other unit, no more than the category's
// quota. A category quota of 0 limits only the plan's units that set their
// own; a substitute's invitation takes the seat of the invitation it
// substitutes and is not counted again. People are matched to stored ones by phone, then Telegram id, then
// name and unit, and their title, unit, phone, email, role and Telegram id
// are updated when the row gives them. Re-importing a file creates nothing.
//
// It is built for large rosters: existing people are loaded into maps once
// and rows are written with prepared many-row INSERTs.
func (s *PlanService) ImportRoster(ctx context.Context, code string, entries []convene.RosterEntry) (*convene.ImportResult, error) {
	if len(entries) == 0 {
		return nil, convene.Errorf(convene.EINVALID, "roster has no rows")
	}
	res := &convene.ImportResult{People: len(entries)}
	err := s.db.inTx(ctx, func(tx *Tx) error {
		m, err := findMeetingByCode(ctx, tx, code)
		if err != nil {
			return err
		}
		cats, err := findCategories(ctx, tx, m.ID)
		if err != nil {
			return err
		}
		idx, err := loadPeopleIndex(ctx, tx, m.ID)
		if err != nil {
			return err
		}
		units, err := findUnitsWhere(ctx, tx, `u.meeting_id = ?`, m.ID)
		if err != nil {
			return err
		}
		rows, err := checkRoster(m, cats, units, idx, entries)
		if err != nil {
			return err
		}
		return writeRoster(ctx, tx, m, entries, rows, idx, res)
	})
	if err != nil {
		return nil, wrapf(err, "import roster into %s", code)
	}
	return res, nil
}

// rosterRow is what checking found out about a roster entry.
type rosterRow struct {
	cat *convene.Category
	key string // folded name and unit
	pid int64  // matched stored person, 0 for a new one
}

// checkRoster checks every entry and returns a *convene.RosterError listing
// every bad row, or what the rows resolve to.
func checkRoster(m *convene.Meeting, cats []*convene.Category, units []*convene.Unit, idx *peopleIndex, entries []convene.RosterEntry) ([]rosterRow, error) {
	unitBy := map[string]*convene.Unit{}
	for _, u := range units {
		unitBy[fold(u.Name)] = u
	}
	catBy := map[string]*convene.Category{}
	for _, c := range cats {
		catBy[fold(c.Name)] = c
	}
	for _, c := range cats { // codes win over names
		catBy[strings.ToLower(c.Code)] = c
	}
	var bad []convene.RowError
	seenPhone, seenTG, seenName, seenPerson := map[string]int{}, map[int64]int{}, map[string]int{}, map[int64]int{}
	quota := map[string]int{}
	rows := make([]rosterRow, len(entries))
	for i := range entries {
		e := &entries[i]
		var reasons []string
		if len(e.Problems) > 0 {
			// A row the reader found bad: add only what the meeting knows.
			reasons = append(reasons, e.Problems...)
			if e.Category != "" && findCategory(catBy, e.Category) == nil {
				reasons = append(reasons, fmt.Sprintf("unknown category %q (meeting %s has: %s)", e.Category, m.Code, categoryCodes(cats)))
			}
			bad = append(bad, convene.RowError{Row: e.Row, Reason: strings.Join(reasons, "; ")})
			continue
		}
		p := convene.Person{FullName: strings.TrimSpace(e.FullName), Phone: e.Phone, Role: e.Role}
		if err := p.Validate(); err != nil {
			reasons = append(reasons, convene.ErrorMessage(err))
		}
		c := findCategory(catBy, e.Category)
		if c == nil {
			reasons = append(reasons, fmt.Sprintf("unknown category %q (meeting %s has: %s)", e.Category, m.Code, categoryCodes(cats)))
		}
		dup := len(reasons)
		if e.Phone != "" {
			if r, ok := seenPhone[e.Phone]; ok {
				reasons = append(reasons, fmt.Sprintf("duplicate person: phone %s is also on row %d", e.Phone, r))
			}
			seenPhone[e.Phone] = e.Row
		}
		if e.TelegramID != 0 {
			if r, ok := seenTG[e.TelegramID]; ok {
				reasons = append(reasons, fmt.Sprintf("duplicate person: telegram id %d is also on row %d", e.TelegramID, r))
			}
			seenTG[e.TelegramID] = e.Row
		}
		k := personKey(e.FullName, e.Unit)
		if r, ok := seenName[k]; ok && p.FullName != "" {
			reasons = append(reasons, fmt.Sprintf("duplicate person: %s (%s) is also on row %d", p.FullName, e.Unit, r))
		}
		seenName[k] = e.Row
		pid := idx.match(e, k)
		if pid != 0 {
			if r, ok := seenPerson[pid]; ok && len(reasons) == dup {
				reasons = append(reasons, fmt.Sprintf("duplicate person: row %d is the same stored person", r))
			}
			seenPerson[pid] = e.Row
		}
		if owner, ok := idx.byTG[e.TelegramID]; ok && e.TelegramID != 0 && owner != pid {
			reasons = append(reasons, fmt.Sprintf("telegram id %d belongs to %s", e.TelegramID, idx.people[owner].FullName))
		}
		if limit, limited := rowQuota(unitBy, c, e.Unit); limited {
			if _, invited := idx.invited[pid]; !invited {
				qk := quotaKey(c.ID, e.Unit)
				quota[qk]++
				if quota[qk]+idx.quotaUsed[qk] > limit {
					reasons = append(reasons, fmt.Sprintf("unit %q exceeds its quota of %d for category %s: %d invited already (%d nominated by the unit), %d in this roster so far",
						e.Unit, limit, c.Code, idx.quotaUsed[qk], idx.nominated[qk], quota[qk]))
				}
			}
		}
		if len(reasons) > 0 {
			bad = append(bad, convene.RowError{Row: e.Row, Reason: strings.Join(reasons, "; ")})
		}
		rows[i] = rosterRow{cat: c, key: k, pid: pid}
	}
	if len(bad) > 0 {
		return nil, &convene.RosterError{Rows: bad}
	}
	return rows, nil
}

// rowQuota returns how many invitations of category c a roster row's unit
// may have, and false if it has no limit: the plan unit's own quota for c,
// else the category's (0: none).
func rowQuota(unitBy map[string]*convene.Unit, c *convene.Category, unit string) (int, bool) {
	if c == nil {
		return 0, false
	}
	if u := unitBy[fold(unit)]; u != nil {
		if n, ok := u.Quotas[c.Code]; ok {
			return n, true
		}
	}
	return c.Quota, c.Quota > 0
}

// findCategory finds a category by code, then by name ignoring case and accents.
func findCategory(catBy map[string]*convene.Category, s string) *convene.Category {
	if c := catBy[strings.ToLower(strings.TrimSpace(s))]; c != nil {
		return c
	}
	return catBy[fold(s)]
}

func categoryCodes(cats []*convene.Category) string {
	codes := make([]string, len(cats))
	for i, c := range cats {
		codes[i] = c.Code
	}
	return strings.Join(codes, ", ")
}

// personKey identifies a person by folded name and unit.
func personKey(name, unit string) string { return fold(name) + "\x00" + fold(unit) }

func quotaKey(categoryID int64, unit string) string {
	return fmt.Sprintf("%d\x00%s", categoryID, fold(unit))
}

// peopleIndex finds stored people by phone, Telegram id, or name and unit.
type peopleIndex struct {
	byPhone   map[string]int64
	byTG      map[int64]int64
	byName    map[string]int64
	people    map[int64]*convene.Person
	invited   map[int64]int64 // person id → category id, for this meeting
	quotaUsed map[string]int  // quotaKey → invitations already there
	nominated map[string]int  // quotaKey → of which standing nominations
}

// match finds the stored person of e, whose name-and-unit key is key; 0 if none.
func (x *peopleIndex) match(e *convene.RosterEntry, key string) int64 {
	if e.Phone != "" {
		if id, ok := x.byPhone[e.Phone]; ok {
			return id
		}
	}
	if e.TelegramID != 0 {
		if id, ok := x.byTG[e.TelegramID]; ok {
			return id
		}
	}
	return x.byName[key]
}

// loadPeopleIndex reads every person once, and the meeting's invitations.
func loadPeopleIndex(ctx context.Context, tx *Tx, meetingID int64) (*peopleIndex, error) {
	x := &peopleIndex{byPhone: map[string]int64{}, byTG: map[int64]int64{}, byName: map[string]int64{},
		people: map[int64]*convene.Person{}, invited: map[int64]int64{}, quotaUsed: map[string]int{}, nominated: map[string]int{}}
	rows, err := tx.QueryContext(ctx, `SELECT id, full_name, title, unit, phone, email, role, telegram_id FROM people`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var p convene.Person
		if err := rows.Scan(&p.ID, &p.FullName, &p.Title, &p.Unit, &p.Phone, &p.Email, &p.Role, &p.TelegramID); err != nil {
			return nil, err
		}
		x.people[p.ID] = &p
		if _, ok := x.byPhone[p.Phone]; !ok && p.Phone != "" {
			x.byPhone[p.Phone] = p.ID
		}
		if _, ok := x.byTG[p.TelegramID]; !ok && p.TelegramID != 0 {
			x.byTG[p.TelegramID] = p.ID
		}
		if k := personKey(p.FullName, p.Unit); x.byName[k] == 0 {
			x.byName[k] = p.ID
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// A nominee counts in the unit that nominated them, whatever their
	// person's unit says; a substitute not at all (the seat is counted once).
	rows, err = tx.QueryContext(ctx, `SELECT i.person_id, i.category_id, p.unit, COALESCE(u.name, ''), i.substitute_for
		FROM invitations i JOIN people p ON p.id = i.person_id
		LEFT JOIN nominations n ON n.invitation_id = i.id AND n.state = 'nominated' LEFT JOIN units u ON u.id = n.unit_id
		WHERE i.meeting_id = ?`, meetingID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var pid, cid, subFor int64
		var unit, nominatedBy string
		if err := rows.Scan(&pid, &cid, &unit, &nominatedBy, &subFor); err != nil {
			return nil, err
		}
		x.invited[pid] = cid
		switch {
		case subFor != 0:
		case nominatedBy != "":
			x.quotaUsed[quotaKey(cid, nominatedBy)]++
			x.nominated[quotaKey(cid, nominatedBy)]++
		default:
			x.quotaUsed[quotaKey(cid, unit)]++
		}
	}
	return x, rows.Err()
}

// writeRoster writes checked rows: people first (new ones numbered here, as
// the transaction is the only writer), then invitations.
func writeRoster(ctx context.Context, tx *Tx, m *convene.Meeting, entries []convene.RosterEntry, rows []rosterRow, idx *peopleIndex, res *convene.ImportResult) error {
	var nextID int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) + 1 FROM people`).Scan(&nextID); err != nil {
		return err
	}
	now := ts(tx.now)
	insPerson := newBatchInsert(tx, `INSERT INTO people (id, full_name, name_fold, title, unit, phone, email, role, telegram_id, created_at)`, 10, 100)
	defer insPerson.close()
	updPerson, err := tx.PrepareContext(ctx, `UPDATE people SET title = ?, unit = ?, phone = ?, email = ?, role = ?, telegram_id = ? WHERE id = ?`)
	if err != nil {
		return err
	}
	defer updPerson.Close()
	for i := range entries {
		e, r := &entries[i], &rows[i]
		if r.pid == 0 {
			role := e.Role
			if role == "" {
				role = convene.RoleDelegate
			}
			r.pid, nextID = nextID, nextID+1
			nameFold, _, _ := strings.Cut(r.key, "\x00")
			if err := insPerson.add(ctx, r.pid, strings.TrimSpace(e.FullName), nameFold, e.Title, e.Unit, e.Phone, e.Email, role, e.TelegramID, now); err != nil {
				return fmt.Errorf("row %d: %w", e.Row, err)
			}
			res.NewPeople++
			continue
		}
		if q, changed := updatedPerson(idx.people[r.pid], e); changed {
			if _, err := updPerson.ExecContext(ctx, q.Title, q.Unit, q.Phone, q.Email, q.Role, q.TelegramID, r.pid); err != nil {
				return fmt.Errorf("row %d: %w", e.Row, err)
			}
		}
	}
	if err := insPerson.flush(ctx); err != nil {
		return err
	}

	insInv := newBatchInsert(tx, `INSERT INTO invitations (meeting_id, person_id, category_id, token, created_at)`, 5, 200)
	defer insInv.close()
	updInv, err := tx.PrepareContext(ctx, `UPDATE invitations SET category_id = ? WHERE meeting_id = ? AND person_id = ?`)
	if err != nil {
		return err
	}
	defer updInv.Close()
	var tokens tokenSource
	for i := range entries {
		e, r := &entries[i], &rows[i]
		if cid, ok := idx.invited[r.pid]; ok {
			if cid != r.cat.ID {
				if _, err := updInv.ExecContext(ctx, r.cat.ID, m.ID, r.pid); err != nil {
					return fmt.Errorf("row %d: %w", e.Row, err)
				}
			}
			res.Unchanged++
			continue
		}
		tok, err := tokens.next()
		if err != nil {
			return err
		}
		if err := insInv.add(ctx, m.ID, r.pid, r.cat.ID, tok, now); err != nil {
			return fmt.Errorf("row %d: %w", e.Row, err)
		}
		idx.invited[r.pid] = r.cat.ID
		res.Invitations++
	}
	return insInv.flush(ctx)
}

// updatedPerson returns p with the fields e gives, and whether any changed.
func updatedPerson(p *convene.Person, e *convene.RosterEntry) (convene.Person, bool) {
	q := *p
	set := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	set(&q.Title, e.Title)
	set(&q.Unit, e.Unit)
	set(&q.Phone, e.Phone)
	set(&q.Email, e.Email)
	if e.Role != "" {
		q.Role = e.Role
	}
	if e.TelegramID != 0 {
		q.TelegramID = e.TelegramID
	}
	return q, q != *p
}

// batchInsert inserts rows many to a statement: one prepared statement for
// full batches, one plain statement for the rest.
type batchInsert struct {
	tx        *Tx
	head      string // INSERT INTO t (columns)
	cols, per int
	full      *sql.Stmt
	args      []any
}

func newBatchInsert(tx *Tx, head string, cols, per int) *batchInsert {
	return &batchInsert{tx: tx, head: head, cols: cols, per: per, args: make([]any, 0, cols*per)}
}

func (b *batchInsert) query(rows int) string {
	row := "(?" + strings.Repeat(", ?", b.cols-1) + ")"
	return b.head + " VALUES " + row + strings.Repeat(", "+row, rows-1)
}

// add queues one row's values, inserting a full batch when there is one.
func (b *batchInsert) add(ctx context.Context, vals ...any) error {
	b.args = append(b.args, vals...)
	if len(b.args) < b.cols*b.per {
		return nil
	}
	if b.full == nil {
		var err error
		if b.full, err = b.tx.PrepareContext(ctx, b.query(b.per)); err != nil {
			return err
		}
	}
	_, err := b.full.ExecContext(ctx, b.args...)
	b.args = b.args[:0]
	return err
}

// flush inserts the rows still queued.
func (b *batchInsert) flush(ctx context.Context) error {
	if len(b.args) == 0 {
		return nil
	}
	_, err := b.tx.ExecContext(ctx, b.query(len(b.args)/b.cols), b.args...)
	b.args = b.args[:0]
	return err
}

func (b *batchInsert) close() {
	if b.full != nil {
		b.full.Close()
	}
}

// tokenReject is the first random byte a token symbol never comes from:
// the largest multiple of len(convene.CodeAlphabet) within a byte, so that
// byte % 30 is uniform (rejection sampling, no modulo bias).
const tokenReject = 256 / len(convene.CodeAlphabet) * len(convene.CodeAlphabet)

// newToken returns a personal token: convene.CodeLen symbols of
// convene.CodeAlphabet drawn uniformly with crypto/rand — at least 128
// random bits in an alphabet without look-alikes, for typing the code
// printed under a letter's QR code.
func newToken() (string, error) {
	var t tokenSource
	return t.next()
}

// tokenSource hands out tokens from random bytes read many at a time.
type tokenSource struct{ buf []byte }

func (t *tokenSource) next() (string, error) {
	tok := make([]byte, 0, convene.CodeLen)
	for len(tok) < convene.CodeLen {
		if len(t.buf) == 0 {
			t.buf = make([]byte, convene.CodeLen*64)
			if _, err := rand.Read(t.buf); err != nil {
				return "", fmt.Errorf("token: %w", err)
			}
		}
		b := t.buf[0]
		t.buf = t.buf[1:]
		if int(b) < tokenReject {
			tok = append(tok, convene.CodeAlphabet[int(b)%len(convene.CodeAlphabet)])
		}
	}
	return string(tok), nil
}
