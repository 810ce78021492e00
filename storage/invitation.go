package storage

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/convene/convene"
)

var _ convene.InvitationService = (*InvitationService)(nil)

// InvitationService implements convene.InvitationService.
type InvitationService struct{ db *DB }

// NewInvitationService returns an InvitationService on db.
func NewInvitationService(db *DB) *InvitationService { return &InvitationService{db: db} }

const inviteeColumns = `i.id, i.meeting_id, i.person_id, i.category_id, i.token, i.rsvp, i.reason, i.substitute_name, i.substitute_title,
	i.substitute_phone, i.substitute_status, i.substitute_for, i.responded_at, i.attendance, i.checked_in_at, i.checkin_method,
	i.issued_at, i.reconfirm, i.created_at,
	p.id, p.full_name, p.title, p.unit, p.phone, p.email, p.lang, p.role, p.telegram_id, p.created_at,
	c.id, c.meeting_id, c.code, c.name, c.quota, c.position, c.guests`

const inviteeFrom = ` FROM invitations i JOIN people p ON p.id = i.person_id JOIN categories c ON c.id = i.category_id`

// scanInvitee reads a row of inviteeColumns.
func scanInvitee(row interface{ Scan(...any) error }) (*convene.Invitee, error) {
	var v convene.Invitee
	i, p, c := &v.Invitation, &v.Person, &v.Category
	var responded, checked, issued, created, pcreated int64
	if err := row.Scan(&i.ID, &i.MeetingID, &i.PersonID, &i.CategoryID, &i.Token, &i.RSVP, &i.Reason, &i.SubstituteName, &i.SubstituteTitle,
		&i.SubstitutePhone, &i.SubstituteStatus, &i.SubstituteFor, &responded, &i.Attendance, &checked, &i.CheckinMethod,
		&issued, &i.Reconfirm, &created,
		&p.ID, &p.FullName, &p.Title, &p.Unit, &p.Phone, &p.Email, &p.Lang, &p.Role, &p.TelegramID, &pcreated,
		&c.ID, &c.MeetingID, &c.Code, &c.Name, &c.Quota, &c.Position, &c.Guests); err != nil {
		return nil, err
	}
	i.RespondedAt, i.CheckedInAt, i.IssuedAt, i.CreatedAt, p.CreatedAt = tm(responded), tm(checked), tm(issued), tm(created), tm(pcreated)
	return &v, nil
}

// attachAccounts loads the accounts of the invitees' people in one query:
// by id for a page of invitees, all linked accounts for a long list.
func attachAccounts(ctx context.Context, tx *Tx, invs []*convene.Invitee) error {
	if len(invs) == 0 {
		return nil
	}
	byPerson := map[int64][]*convene.Invitee{}
	for _, v := range invs {
		byPerson[v.PersonID] = append(byPerson[v.PersonID], v)
	}
	// The ids go as one JSON parameter, so the statement's text is the same
	// every time (prepared once, cached) whatever the number of people.
	where, args := `person_id IS NOT NULL`, []any(nil)
	if len(byPerson) <= 500 {
		ids := make([]string, 0, len(byPerson))
		for id := range byPerson {
			ids = append(ids, strconv.FormatInt(id, 10))
		}
		where, args = `person_id IN (SELECT value FROM json_each(?))`, []any{"[" + strings.Join(ids, ",") + "]"}
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+accountColumns+` FROM accounts WHERE `+where+` ORDER BY last_seen_at DESC, id`, args...)
	if err != nil {
		return err
	}
	accs, err := scanAccounts(rows)
	if err != nil {
		return err
	}
	for _, a := range accs {
		for _, v := range byPerson[a.PersonID] {
			v.Accounts = append(v.Accounts, a)
		}
	}
	return nil
}

// findInviteeWhere returns the one invitee matching where, or ENOTFOUND.
func findInviteeWhere(ctx context.Context, tx *Tx, where string, args ...any) (*convene.Invitee, error) {
	v, err := scanInvitee(tx.QueryRowContext(ctx, `SELECT `+inviteeColumns+inviteeFrom+` WHERE `+where, args...))
	if err != nil {
		return nil, notFound(err, "no such invitation")
	}
	return v, attachAccounts(ctx, tx, []*convene.Invitee{v})
}

// FindInvitationByToken returns the invitee of a personal token, or ENOTFOUND.
func (s *InvitationService) FindInvitationByToken(ctx context.Context, token string) (*convene.Invitee, error) {
	var v *convene.Invitee
	err := s.db.view(ctx, func(tx *Tx) (err error) {
		v, err = findInviteeWhere(ctx, tx, `i.token = ?`, token)
		return err
	})
	return v, wrapf(err, "find invitation by token")
}

// FindInvitationByID returns ENOTFOUND if there is no such invitation.
func (s *InvitationService) FindInvitationByID(ctx context.Context, id int64) (*convene.Invitee, error) {
	var v *convene.Invitee
	err := s.db.view(ctx, func(tx *Tx) (err error) {
		v, err = findInviteeWhere(ctx, tx, `i.id = ?`, id)
		return err
	})
	return v, wrapf(err, "find invitation %d", id)
}

// FindInvitees returns invitees with their person, category and accounts
// (most recently seen first), ordered by unit, then name (ignoring case and
// accents), and the total matching count before Offset and Limit. Unit and
// Category (code or name) match ignoring case and accents; Name matches the
// start of a word of the name, or several words in a row.
func (s *InvitationService) FindInvitees(ctx context.Context, f convene.InvitationFilter) ([]*convene.Invitee, int, error) {
	var out []*convene.Invitee
	var total int
	err := s.db.view(ctx, func(tx *Tx) (err error) {
		out, total, err = findInvitees(ctx, tx, f)
		return err
	})
	return out, total, wrapf(err, "find invitees")
}

func inList[T ~string](col string, vals []T) (string, []any) {
	args := make([]any, len(vals))
	for i, v := range vals {
		args[i] = string(v)
	}
	return col + " IN (?" + strings.Repeat(", ?", len(vals)-1) + ")", args
}

func findInvitees(ctx context.Context, tx *Tx, f convene.InvitationFilter) ([]*convene.Invitee, int, error) {
	where, args := []string{"1 = 1"}, []any{}
	add := func(w string, a ...any) { where, args = append(where, w), append(args, a...) }
	if f.MeetingID != 0 {
		add("i.meeting_id = ?", f.MeetingID)
	}
	if f.PersonID != 0 {
		add("i.person_id = ?", f.PersonID)
	}
	if len(f.RSVP) > 0 {
		w, a := inList("i.rsvp", f.RSVP)
		add(w, a...)
	}
	if len(f.Attendance) > 0 {
		w, a := inList("i.attendance", f.Attendance)
		add(w, a...)
	}
	if f.Category != "" {
		add("(c.code = ? OR convene_fold(c.name) = ?)", strings.ToLower(strings.TrimSpace(f.Category)), fold(f.Category))
	}
	if f.Unit != "" {
		add("convene_fold(p.unit) = ?", fold(f.Unit))
	}
	if f.Name != "" {
		add("instr(' ' || p.name_fold, ?) > 0", " "+fold(f.Name))
	}
	if f.Linked != nil {
		w := "EXISTS (SELECT 1 FROM accounts a WHERE a.person_id = i.person_id)"
		if !*f.Linked {
			w = "NOT " + w
		}
		add(w)
	}
	if f.Issued != nil {
		if *f.Issued {
			add("i.issued_at <> 0")
		} else {
			add("i.issued_at = 0")
		}
	}
	if f.Expected {
		add("(i.rsvp <> 'declined' AND NOT (i.rsvp = 'substitute' AND i.substitute_status = 'approved'))")
	}
	if f.CheckedIn != nil {
		if *f.CheckedIn {
			add("i.checked_in_at <> 0")
		} else {
			add("i.checked_in_at = 0")
		}
	}
	cond := strings.Join(where, " AND ")
	var total int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*)`+inviteeFrom+` WHERE `+cond, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	q := `SELECT ` + inviteeColumns + inviteeFrom + ` WHERE ` + cond + ` ORDER BY convene_fold(p.unit), p.unit, p.name_fold, i.id`
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d OFFSET %d", f.Limit, max(0, f.Offset))
	} else if f.Offset > 0 {
		q += fmt.Sprintf(" LIMIT -1 OFFSET %d", f.Offset)
	}
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []*convene.Invitee
	for rows.Next() {
		v, err := scanInvitee(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	return out, total, attachAccounts(ctx, tx, out)
}
