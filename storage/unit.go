package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/convene/convene"
)

var _ convene.UnitService = (*UnitService)(nil)

// UnitService implements convene.UnitService: units, their counts and
// nominations (nomination.go).
type UnitService struct{ db *DB }

// NewUnitService returns a UnitService on db.
func NewUnitService(db *DB) *UnitService { return &UnitService{db: db} }

const unitColumns = `u.id, u.meeting_id, u.name, u.rep_person_id, u.token, u.nomination_deadline, u.position, u.issued_at, u.created_at,
	p.full_name, p.title, p.phone`

const unitFrom = ` FROM units u JOIN people p ON p.id = u.rep_person_id`

func scanUnit(row interface{ Scan(...any) error }) (*convene.Unit, error) {
	var u convene.Unit
	var deadline, issued, created int64
	if err := row.Scan(&u.ID, &u.MeetingID, &u.Name, &u.RepPersonID, &u.Token, &deadline, &u.Position, &issued, &created,
		&u.Rep.FullName, &u.Rep.Title, &u.Rep.Phone); err != nil {
		return nil, err
	}
	u.NominationDeadline, u.IssuedAt, u.CreatedAt = tm(deadline), tm(issued), tm(created)
	u.Quotas = map[string]int{}
	return &u, nil
}

// findUnitsWhere returns the units matching where, in plan order, with their quotas.
func findUnitsWhere(ctx context.Context, tx *Tx, where string, args ...any) ([]*convene.Unit, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+unitColumns+unitFrom+` WHERE `+where+` ORDER BY u.meeting_id, u.position, u.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var us []*convene.Unit
	byID := map[int64]*convene.Unit{}
	for rows.Next() {
		u, err := scanUnit(rows)
		if err != nil {
			return nil, err
		}
		us = append(us, u)
		byID[u.ID] = u
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	if len(us) == 0 {
		return us, nil
	}
	qrows, err := tx.QueryContext(ctx, `SELECT q.unit_id, c.code, q.quota FROM unit_quotas q JOIN categories c ON c.id = q.category_id
		WHERE q.unit_id IN (SELECT u.id`+unitFrom+` WHERE `+where+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer qrows.Close()
	for qrows.Next() {
		var id int64
		var code string
		var n int
		if err := qrows.Scan(&id, &code, &n); err != nil {
			return nil, err
		}
		if u := byID[id]; u != nil {
			u.Quotas[code] = n
		}
	}
	return us, qrows.Err()
}

func findUnitWhere(ctx context.Context, tx *Tx, what string, where string, args ...any) (*convene.Unit, error) {
	us, err := findUnitsWhere(ctx, tx, where, args...)
	if err != nil {
		return nil, err
	}
	if len(us) == 0 {
		return nil, convene.Errorf(convene.ENOTFOUND, "no unit %s", what)
	}
	return us[0], nil
}

// FindUnits returns a meeting's units in plan order, with their quotas.
func (s *UnitService) FindUnits(ctx context.Context, meetingID int64) ([]*convene.Unit, error) {
	var us []*convene.Unit
	err := s.db.view(ctx, func(tx *Tx) (err error) {
		us, err = findUnitsWhere(ctx, tx, `u.meeting_id = ?`, meetingID)
		return err
	})
	return us, wrapf(err, "find units of meeting %d", meetingID)
}

// FindUnitByID returns ENOTFOUND if there is no such unit.
func (s *UnitService) FindUnitByID(ctx context.Context, id int64) (*convene.Unit, error) {
	var u *convene.Unit
	err := s.db.view(ctx, func(tx *Tx) (err error) {
		u, err = findUnitWhere(ctx, tx, fmt.Sprint(id), `u.id = ?`, id)
		return err
	})
	return u, wrapf(err, "find unit %d", id)
}

// FindUnitByToken returns the unit whose representative's personal token
// it is, or ENOTFOUND.
func (s *UnitService) FindUnitByToken(ctx context.Context, token string) (*convene.Unit, error) {
	var u *convene.Unit
	err := s.db.view(ctx, func(tx *Tx) (err error) {
		u, err = findUnitWhere(ctx, tx, "with this token", `u.token = ?`, token)
		return err
	})
	return u, wrapf(err, "find unit by token")
}

// FindUnitsByRep returns the units a person represents, in every meeting.
func (s *UnitService) FindUnitsByRep(ctx context.Context, personID int64) ([]*convene.Unit, error) {
	var us []*convene.Unit
	err := s.db.view(ctx, func(tx *Tx) (err error) {
		us, err = findUnitsWhere(ctx, tx, `u.rep_person_id = ?`, personID)
		return err
	})
	return us, wrapf(err, "find units of person %d", personID)
}

// UnitCounts returns, per unit (plan order) and category (plan order), what
// was asked and what came, in one query; a unit's categories with nothing
// asked and nothing nominated are left out. Returns ENOTFOUND for an
// unknown meeting.
func (s *UnitService) UnitCounts(ctx context.Context, meetingID int64) ([]convene.UnitCount, error) {
	var out []convene.UnitCount
	err := s.db.view(ctx, func(tx *Tx) (err error) {
		if _, err := findMeetingByID(ctx, tx, meetingID); err != nil {
			return err
		}
		out, err = unitCounts(ctx, tx, meetingID)
		return err
	})
	return out, wrapf(err, "count units of meeting %d", meetingID)
}

func unitCounts(ctx context.Context, tx *Tx, meetingID int64) ([]convene.UnitCount, error) {
	rows, err := tx.QueryContext(ctx, `SELECT u.id, u.name, c.id, c.code, c.name, COALESCE(q.quota, c.quota) AS asked,
		COUNT(n.id) AS nominated,
		COALESCE(SUM(EXISTS (SELECT 1 FROM accounts a WHERE a.person_id = n.person_id)), 0),
		COALESCE(SUM(i.rsvp = 'attending'), 0)
		FROM units u JOIN categories c ON c.meeting_id = u.meeting_id
		LEFT JOIN unit_quotas q ON q.unit_id = u.id AND q.category_id = c.id
		LEFT JOIN nominations n ON n.unit_id = u.id AND n.category_id = c.id AND n.state = 'nominated'
		LEFT JOIN invitations i ON i.id = n.invitation_id
		WHERE u.meeting_id = ?
		GROUP BY u.id, c.id
		HAVING asked > 0 OR nominated > 0
		ORDER BY u.position, u.id, c.position, c.id`, meetingID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []convene.UnitCount{}
	for rows.Next() {
		var c convene.UnitCount
		if err := rows.Scan(&c.UnitID, &c.Unit, &c.CategoryID, &c.Category, &c.CategoryName, &c.Asked, &c.Nominated, &c.Linked, &c.Attending); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// storedUnit is a unit as applyUnits finds it.
type storedUnit struct {
	unit     *convene.Unit
	standing int // nominations not withdrawn
}

// applyUnits makes the meeting's units those of the plan, matched by name
// (ignoring case and accents): representatives become people with role
// unit_rep (found by phone, else created), new units get a personal token,
// quotas and deadlines follow the plan. A unit removed from the plan is
// deleted, or EINVALID if it has nominations standing. Reports whether
// anything changed; the second apply of the same plan writes nothing.
func applyUnits(ctx context.Context, tx *Tx, m *convene.Meeting, units []convene.Unit) (bool, error) {
	old, err := findUnitsWhere(ctx, tx, `u.meeting_id = ?`, m.ID)
	if err != nil {
		return false, err
	}
	if len(old) == 0 && len(units) == 0 {
		return false, nil
	}
	cats, err := findCategories(ctx, tx, m.ID)
	if err != nil {
		return false, err
	}
	catID := map[string]int64{}
	for _, c := range cats {
		catID[c.Code] = c.ID
	}
	byFold := map[string]*storedUnit{}
	for _, u := range old {
		byFold[fold(u.Name)] = &storedUnit{unit: u}
	}
	changed := false
	keep := map[string]bool{}
	var tokens tokenSource
	for i := range units {
		u := units[i]
		k := fold(u.Name)
		if keep[k] {
			return false, convene.Errorf(convene.EINVALID, "unit %q listed twice", u.Name)
		}
		keep[k] = true
		repID, repChanged, err := applyRep(ctx, tx, &u)
		if err != nil {
			return false, wrapf(err, "unit %s", u.Name)
		}
		changed = changed || repChanged
		o := byFold[k]
		var id int64
		switch {
		case o == nil:
			tok, err := tokens.next()
			if err != nil {
				return false, err
			}
			r, err := tx.ExecContext(ctx, `INSERT INTO units (meeting_id, name, name_fold, rep_person_id, token, nomination_deadline, position, created_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, m.ID, u.Name, k, repID, tok, ts(u.NominationDeadline), i, ts(tx.now))
			if err != nil {
				return false, err
			}
			if id, err = r.LastInsertId(); err != nil {
				return false, err
			}
			changed = true
		default:
			id = o.unit.ID
			if o.unit.Name != u.Name || o.unit.RepPersonID != repID || !o.unit.NominationDeadline.Equal(u.NominationDeadline) || o.unit.Position != i {
				if _, err := tx.ExecContext(ctx, `UPDATE units SET name = ?, rep_person_id = ?, nomination_deadline = ?, position = ? WHERE id = ?`,
					u.Name, repID, ts(u.NominationDeadline), i, id); err != nil {
					return false, err
				}
				changed = true
			}
			if sameQuotas(o.unit.Quotas, u.Quotas) {
				continue
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM unit_quotas WHERE unit_id = ?`, id); err != nil {
				return false, err
			}
		}
		codes := make([]string, 0, len(u.Quotas))
		for code := range u.Quotas {
			codes = append(codes, code)
		}
		sort.Strings(codes)
		for _, code := range codes {
			cid, ok := catID[code]
			if !ok {
				return false, convene.Errorf(convene.EINVALID, "unit %s: unknown category %q", u.Name, code)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO unit_quotas (unit_id, category_id, quota) VALUES (?, ?, ?)`, id, cid, u.Quotas[code]); err != nil {
				return false, err
			}
		}
		changed = changed || o != nil || len(codes) > 0
	}
	for _, o := range old {
		if keep[fold(o.Name)] {
			continue
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM nominations WHERE unit_id = ? AND state = 'nominated'`, o.ID).Scan(&n); err != nil {
			return false, err
		}
		if n > 0 {
			return false, convene.Errorf(convene.EINVALID, "unit %q is missing from the plan but has %d nomination(s)", o.Name, n)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM units WHERE id = ?`, o.ID); err != nil {
			return false, err
		}
		changed = true
	}
	return changed, nil
}

func sameQuotas(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// applyRep returns the person of u's representative: the one stored with
// that phone (their name and title set from the plan, a delegate made
// unit_rep) or a new unit_rep of the unit. Reports whether it wrote.
func applyRep(ctx context.Context, tx *Tx, u *convene.Unit) (int64, bool, error) {
	var p convene.Person
	err := tx.QueryRowContext(ctx, `SELECT id, full_name, title, role FROM people WHERE phone = ? ORDER BY id LIMIT 1`, u.Rep.Phone).
		Scan(&p.ID, &p.FullName, &p.Title, &p.Role)
	if errors.Is(err, sql.ErrNoRows) {
		np := &convene.Person{FullName: strings.TrimSpace(u.Rep.FullName), Title: u.Rep.Title, Unit: u.Name, Phone: u.Rep.Phone, Role: convene.RoleUnitRep}
		if err := createPerson(ctx, tx, np); err != nil {
			return 0, false, err
		}
		return np.ID, true, nil
	} else if err != nil {
		return 0, false, err
	}
	role := p.Role
	if role == convene.RoleDelegate || role == "" {
		role = convene.RoleUnitRep
	}
	name, title := strings.TrimSpace(u.Rep.FullName), u.Rep.Title
	if title == "" {
		title = p.Title
	}
	if name == p.FullName && title == p.Title && role == p.Role {
		return p.ID, false, nil
	}
	_, err = tx.ExecContext(ctx, `UPDATE people SET full_name = ?, name_fold = ?, title = ?, role = ? WHERE id = ?`, name, fold(name), title, role, p.ID)
	return p.ID, err == nil, err
}

// IssueUnits marks the unit invitations of the meeting's units ids issued
// now; units issued before keep their time. Returns how many it marked.
func (s *UnitService) IssueUnits(ctx context.Context, meetingID int64, ids []int64) (int, error) {
	n := 0
	err := s.db.inTx(ctx, func(tx *Tx) error {
		stmt, err := tx.PrepareContext(ctx, `UPDATE units SET issued_at = ? WHERE id = ? AND meeting_id = ? AND issued_at = 0`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, id := range ids {
			r, err := stmt.ExecContext(ctx, ts(tx.now), id, meetingID)
			if err != nil {
				return err
			}
			k, _ := r.RowsAffected()
			n += int(k)
		}
		return nil
	})
	return n, wrapf(err, "issue unit invitations of meeting %d", meetingID)
}
