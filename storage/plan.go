package storage

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/convene/convene"
)

var _ convene.PlanService = (*PlanService)(nil)

// PlanService implements convene.PlanService.
type PlanService struct{ db *DB }

// NewPlanService returns a PlanService on db.
func NewPlanService(db *DB) *PlanService { return &PlanService{db: db} }

// ApplyPlan creates or updates the plan's meetings by code in one transaction.
func (s *PlanService) ApplyPlan(ctx context.Context, p *convene.Plan) (*convene.ApplyResult, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	res := &convene.ApplyResult{}
	err := s.db.inTx(ctx, func(tx *Tx) error {
		for i := range p.Meetings {
			if err := applyMeeting(ctx, tx, &p.Meetings[i], res); err != nil {
				return fmt.Errorf("meeting %s: %w", p.Meetings[i].Meeting.Code, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

func applyMeeting(ctx context.Context, tx *Tx, pm *convene.PlanMeeting, res *convene.ApplyResult) error {
	m := pm.Meeting
	if m.Kind == "" {
		m.Kind = convene.KindOther
	}
	fb := encodeFeedback(m.Feedback)
	old, err := findMeetingByCode(ctx, tx, m.Code)
	changed, moved := false, false
	switch convene.ErrorCode(err) {
	case convene.ENOTFOUND:
		r, err := tx.ExecContext(ctx, `INSERT INTO meetings (code, title, kind, host, organization, plan, starts_at, ends_at, timezone,
			venue, address, agenda, rsvp_deadline, status, feedback, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?)`,
			m.Code, m.Title, m.Kind, m.Host, m.Organization, m.Plan, ts(m.StartsAt), ts(m.EndsAt), m.Timezone,
			m.Venue, m.Address, m.Agenda, ts(m.RSVPDeadline), fb, ts(tx.now), ts(tx.now))
		if err != nil {
			return err
		}
		if m.ID, err = r.LastInsertId(); err != nil {
			return err
		}
		res.Created = append(res.Created, m.Code)
	case "":
		m.ID = old.ID
		moved = !old.StartsAt.Equal(m.StartsAt) || !old.EndsAt.Equal(m.EndsAt) || old.Venue != m.Venue || old.Address != m.Address
		changed = moved || old.Title != m.Title || old.Kind != m.Kind || old.Host != m.Host || old.Organization != m.Organization ||
			old.Plan != m.Plan || old.Timezone != m.Timezone || old.Agenda != m.Agenda || !old.RSVPDeadline.Equal(m.RSVPDeadline) ||
			encodeFeedback(old.Feedback) != fb
		if changed {
			if _, err := tx.ExecContext(ctx, `UPDATE meetings SET title = ?, kind = ?, host = ?, organization = ?, plan = ?, starts_at = ?,
				ends_at = ?, timezone = ?, venue = ?, address = ?, agenda = ?, rsvp_deadline = ?, feedback = ?, updated_at = ? WHERE id = ?`,
				m.Title, m.Kind, m.Host, m.Organization, m.Plan, ts(m.StartsAt), ts(m.EndsAt), m.Timezone, m.Venue, m.Address,
				m.Agenda, ts(m.RSVPDeadline), fb, ts(tx.now), m.ID); err != nil {
				return err
			}
		}
	default:
		return err
	}
	catChanged, err := applyCategories(ctx, tx, m.ID, pm.Categories)
	if err != nil {
		return err
	}
	ruleChanged, err := applyRules(ctx, tx, m.ID, pm.Reminders)
	if err != nil {
		return err
	}
	if old == nil {
		return nil
	}
	switch {
	case changed || catChanged || ruleChanged:
		if !changed {
			if _, err := tx.ExecContext(ctx, `UPDATE meetings SET updated_at = ? WHERE id = ?`, ts(tx.now), m.ID); err != nil {
				return err
			}
		}
		res.Updated = append(res.Updated, m.Code)
	default:
		res.Unchanged = append(res.Unchanged, m.Code)
	}
	if moved {
		res.Moved = append(res.Moved, m.Code)
	}
	return nil
}

// applyCategories makes the meeting's categories those given, reporting whether anything changed.
func applyCategories(ctx context.Context, tx *Tx, meetingID int64, cats []convene.Category) (bool, error) {
	old, err := findCategories(ctx, tx, meetingID)
	if err != nil {
		return false, err
	}
	byCode := map[string]*convene.Category{}
	for _, c := range old {
		byCode[c.Code] = c
	}
	changed := false
	keep := map[string]bool{}
	for i, c := range cats {
		keep[c.Code] = true
		o, ok := byCode[c.Code]
		switch {
		case !ok:
			changed = true
			if _, err := tx.ExecContext(ctx, `INSERT INTO categories (meeting_id, code, name, quota, position) VALUES (?, ?, ?, ?, ?)`,
				meetingID, c.Code, c.Name, c.Quota, i); err != nil {
				return false, err
			}
		case o.Name != c.Name || o.Quota != c.Quota || o.Position != i:
			changed = true
			if _, err := tx.ExecContext(ctx, `UPDATE categories SET name = ?, quota = ?, position = ? WHERE id = ?`, c.Name, c.Quota, i, o.ID); err != nil {
				return false, err
			}
		}
	}
	for _, o := range old {
		if keep[o.Code] {
			continue
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM invitations WHERE category_id = ?`, o.ID).Scan(&n); err != nil {
			return false, err
		}
		if n > 0 {
			return false, convene.Errorf(convene.EINVALID, "category %q is missing from the plan but %d invitation(s) use it", o.Code, n)
		}
		changed = true
		if _, err := tx.ExecContext(ctx, `DELETE FROM categories WHERE id = ?`, o.ID); err != nil {
			return false, err
		}
	}
	return changed, nil
}

// applyRules makes the meeting's reminder rules those given, by key.
func applyRules(ctx context.Context, tx *Tx, meetingID int64, rules []convene.ReminderRule) (bool, error) {
	old, err := findReminderRules(ctx, tx, meetingID)
	if err != nil {
		return false, err
	}
	byKey := map[string]*convene.ReminderRule{}
	for _, r := range old {
		byKey[r.Key] = r
	}
	changed := false
	keep := map[string]bool{}
	for _, r := range rules {
		keep[r.Key] = true
		o, ok := byKey[r.Key]
		if ok && o.Kind == r.Kind && o.Before == r.Before && o.Cron == r.Cron && o.At.Equal(r.At) && o.Audience == r.Audience &&
			o.From.Equal(r.From) && o.Until.Equal(r.Until) {
			continue
		}
		changed = true
		if _, err := tx.ExecContext(ctx, `INSERT INTO reminder_rules (meeting_id, key, kind, before_ns, cron, at, audience, from_at, until_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (meeting_id, key) DO UPDATE SET kind = excluded.kind, before_ns = excluded.before_ns, cron = excluded.cron,
			at = excluded.at, audience = excluded.audience, from_at = excluded.from_at, until_at = excluded.until_at`,
			meetingID, r.Key, r.Kind, int64(r.Before), r.Cron, ts(r.At), r.Audience, ts(r.From), ts(r.Until)); err != nil {
			return false, err
		}
	}
	for _, o := range old {
		if !keep[o.Key] {
			changed = true
			if _, err := tx.ExecContext(ctx, `DELETE FROM reminder_rules WHERE id = ?`, o.ID); err != nil {
				return false, err
			}
		}
	}
	return changed, nil
}

// newToken returns a personal link token: 128 random bits, base64url.
func newToken() (string, error) {
	buf := make([]byte, 16)
	if _, err := rand.Read(buf); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(buf), nil
}

// personKey identifies a person by folded name and unit.
func personKey(name, unit string) string { return fold(name) + "\x00" + fold(unit) }

// ImportRoster invites the entries to the meeting in one transaction, or
// imports nothing and returns a *convene.RosterError naming every bad row.
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
		catBy := map[string]*convene.Category{}
		for _, c := range cats {
			catBy[strings.ToLower(c.Code)] = c
			catBy[fold(c.Name)] = c
		}
		idx, err := loadPeopleIndex(ctx, tx, m.ID)
		if err != nil {
			return err
		}
		// Check every row before writing anything.
		var bad []convene.RowError
		seenPhone, seenTG, seenName := map[string]int{}, map[int64]int{}, map[string]int{}
		rowCat := make([]*convene.Category, len(entries))
		keys := make([]string, len(entries))
		quota := map[string]int{}
		for i := range entries {
			e := &entries[i]
			var reasons []string
			p := convene.Person{FullName: strings.TrimSpace(e.FullName), Phone: e.Phone, Role: e.Role}
			if err := p.Validate(); err != nil {
				reasons = append(reasons, convene.ErrorMessage(err))
			}
			c := catBy[strings.ToLower(strings.TrimSpace(e.Category))]
			if c == nil {
				c = catBy[fold(e.Category)]
			}
			if c == nil {
				reasons = append(reasons, fmt.Sprintf("unknown category %q (meeting %s has: %s)", e.Category, m.Code, categoryCodes(cats)))
			}
			rowCat[i] = c
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
			keys[i] = k
			if r, ok := seenName[k]; ok {
				reasons = append(reasons, fmt.Sprintf("duplicate person: %s (%s) is also on row %d", e.FullName, e.Unit, r))
			}
			seenName[k] = e.Row
			if c != nil && c.Quota > 0 {
				qk := fmt.Sprintf("%d\x00%s", c.ID, fold(e.Unit))
				if _, invited := idx.invited[idx.match(e, k)]; !invited {
					quota[qk]++
					if quota[qk]+idx.quotaUsed[qk] > c.Quota {
						reasons = append(reasons, fmt.Sprintf("unit %q exceeds the quota of %d for category %s", e.Unit, c.Quota, c.Code))
					}
				}
			}
			if len(reasons) > 0 {
				bad = append(bad, convene.RowError{Row: e.Row, Reason: strings.Join(reasons, "; ")})
			}
		}
		if len(bad) > 0 {
			return &convene.RosterError{Rows: bad}
		}
		return importRows(ctx, tx, m, entries, keys, rowCat, idx, res)
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

func categoryCodes(cats []*convene.Category) string {
	codes := make([]string, len(cats))
	for i, c := range cats {
		codes[i] = c.Code
	}
	return strings.Join(codes, ", ")
}

// peopleIndex finds existing people by phone, Telegram id, or name and unit.
type peopleIndex struct {
	byPhone   map[string]int64
	byTG      map[int64]int64
	byName    map[string]int64
	people    map[int64]*convene.Person
	invited   map[int64]int64 // person id → category id, for this meeting
	quotaUsed map[string]int  // category id + unit → invitations already there
}

// match finds the person of e, whose name-and-unit key is key.
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

func loadPeopleIndex(ctx context.Context, tx *Tx, meetingID int64) (*peopleIndex, error) {
	x := &peopleIndex{byPhone: map[string]int64{}, byTG: map[int64]int64{}, byName: map[string]int64{},
		people: map[int64]*convene.Person{}, invited: map[int64]int64{}, quotaUsed: map[string]int{}}
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
		if p.Phone != "" {
			x.byPhone[p.Phone] = p.ID
		}
		if p.TelegramID != 0 {
			x.byTG[p.TelegramID] = p.ID
		}
		x.byName[personKey(p.FullName, p.Unit)] = p.ID
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = tx.QueryContext(ctx, `SELECT i.person_id, i.category_id, p.unit FROM invitations i JOIN people p ON p.id = i.person_id WHERE i.meeting_id = ?`, meetingID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var pid, cid int64
		var unit string
		if err := rows.Scan(&pid, &cid, &unit); err != nil {
			return nil, err
		}
		x.invited[pid] = cid
		x.quotaUsed[fmt.Sprintf("%d\x00%s", cid, fold(unit))]++
	}
	return x, rows.Err()
}

// importRows writes the checked rows with statements prepared once.
func importRows(ctx context.Context, tx *Tx, m *convene.Meeting, entries []convene.RosterEntry, keys []string, cats []*convene.Category, idx *peopleIndex, res *convene.ImportResult) error {
	insPerson, err := tx.PrepareContext(ctx, `INSERT INTO people (full_name, name_fold, title, unit, phone, email, role, telegram_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer insPerson.Close()
	updPerson, err := tx.PrepareContext(ctx, `UPDATE people SET title = ?, unit = ?, phone = ?, email = ?, role = ?, telegram_id = ? WHERE id = ?`)
	if err != nil {
		return err
	}
	defer updPerson.Close()
	insInv, err := tx.PrepareContext(ctx, `INSERT INTO invitations (meeting_id, person_id, category_id, token, created_at) VALUES (?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer insInv.Close()
	updInv, err := tx.PrepareContext(ctx, `UPDATE invitations SET category_id = ? WHERE meeting_id = ? AND person_id = ?`)
	if err != nil {
		return err
	}
	defer updInv.Close()
	now := ts(tx.now)
	for i := range entries {
		e := &entries[i]
		pid := idx.match(e, keys[i])
		if pid == 0 {
			role := e.Role
			if role == "" {
				role = convene.RoleDelegate
			}
			nameFold, _, _ := strings.Cut(keys[i], "\x00")
			r, err := insPerson.ExecContext(ctx, strings.TrimSpace(e.FullName), nameFold, e.Title, e.Unit, e.Phone, e.Email, role, e.TelegramID, now)
			if err != nil {
				return fmt.Errorf("row %d: %w", e.Row, err)
			}
			if pid, err = r.LastInsertId(); err != nil {
				return err
			}
			res.NewPeople++
		} else if p := idx.people[pid]; p != nil {
			q := *p
			if e.Title != "" {
				q.Title = e.Title
			}
			if e.Unit != "" {
				q.Unit = e.Unit
			}
			if e.Phone != "" {
				q.Phone = e.Phone
			}
			if e.Email != "" {
				q.Email = e.Email
			}
			if e.Role != "" {
				q.Role = e.Role
			}
			if e.TelegramID != 0 {
				q.TelegramID = e.TelegramID
			}
			if q != *p {
				if _, err := updPerson.ExecContext(ctx, q.Title, q.Unit, q.Phone, q.Email, q.Role, q.TelegramID, pid); err != nil {
					return fmt.Errorf("row %d: %w", e.Row, err)
				}
			}
		}
		if cid, ok := idx.invited[pid]; ok {
			if cid != cats[i].ID {
				if _, err := updInv.ExecContext(ctx, cats[i].ID, m.ID, pid); err != nil {
					return err
				}
			}
			res.Unchanged++
			continue
		}
		tok, err := newToken()
		if err != nil {
			return err
		}
		if _, err := insInv.ExecContext(ctx, m.ID, pid, cats[i].ID, tok, now); err != nil {
			return fmt.Errorf("row %d: %w", e.Row, err)
		}
		idx.invited[pid] = cats[i].ID
		res.Invitations++
	}
	return nil
}
