package storage

import (
	"context"
	"fmt"
	"strings"
	"time"

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
	c.id, c.meeting_id, c.code, c.name, c.quota, c.position`

const inviteeFrom = ` FROM invitations i JOIN people p ON p.id = i.person_id JOIN categories c ON c.id = i.category_id`

func scanInvitee(row interface{ Scan(...any) error }) (*convene.Invitee, error) {
	var v convene.Invitee
	i, p, c := &v.Invitation, &v.Person, &v.Category
	var responded, checked, issued, created, pcreated int64
	if err := row.Scan(&i.ID, &i.MeetingID, &i.PersonID, &i.CategoryID, &i.Token, &i.RSVP, &i.Reason, &i.SubstituteName, &i.SubstituteTitle,
		&i.SubstitutePhone, &i.SubstituteStatus, &i.SubstituteFor, &responded, &i.Attendance, &checked, &i.CheckinMethod,
		&issued, &i.Reconfirm, &created,
		&p.ID, &p.FullName, &p.Title, &p.Unit, &p.Phone, &p.Email, &p.Lang, &p.Role, &p.TelegramID, &pcreated,
		&c.ID, &c.MeetingID, &c.Code, &c.Name, &c.Quota, &c.Position); err != nil {
		return nil, err
	}
	i.RespondedAt, i.CheckedInAt, i.IssuedAt, i.CreatedAt, p.CreatedAt = tm(responded), tm(checked), tm(issued), tm(created), tm(pcreated)
	return &v, nil
}

// attachAccounts loads the accounts of the invitees' people in one query.
func attachAccounts(ctx context.Context, tx *Tx, invs []*convene.Invitee) error {
	if len(invs) == 0 {
		return nil
	}
	byPerson := map[int64][]*convene.Invitee{}
	ids := make([]string, 0, len(invs))
	for _, v := range invs {
		if _, ok := byPerson[v.PersonID]; !ok {
			ids = append(ids, fmt.Sprint(v.PersonID))
		}
		byPerson[v.PersonID] = append(byPerson[v.PersonID], v)
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+accountColumns+` FROM accounts WHERE person_id IN (`+strings.Join(ids, ",")+`) ORDER BY last_seen_at DESC, id`)
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

func findInviteeWhere(ctx context.Context, tx *Tx, where string, args ...any) (*convene.Invitee, error) {
	v, err := scanInvitee(tx.QueryRowContext(ctx, `SELECT `+inviteeColumns+inviteeFrom+` WHERE `+where, args...))
	if err != nil {
		return nil, notFound(err, "no such invitation")
	}
	return v, attachAccounts(ctx, tx, []*convene.Invitee{v})
}

// FindInvitationByToken returns ENOTFOUND for an unknown token.
func (s *InvitationService) FindInvitationByToken(ctx context.Context, token string) (*convene.Invitee, error) {
	var v *convene.Invitee
	err := s.db.view(ctx, func(tx *Tx) (err error) {
		v, err = findInviteeWhere(ctx, tx, `i.token = ?`, token)
		return err
	})
	return v, err
}

// FindInvitationByID returns ENOTFOUND if there is no such invitation.
func (s *InvitationService) FindInvitationByID(ctx context.Context, id int64) (*convene.Invitee, error) {
	var v *convene.Invitee
	err := s.db.view(ctx, func(tx *Tx) (err error) {
		v, err = findInviteeWhere(ctx, tx, `i.id = ?`, id)
		return err
	})
	return v, err
}

// FindInvitees returns invitees ordered by unit, then name, and the total before paging.
func (s *InvitationService) FindInvitees(ctx context.Context, f convene.InvitationFilter) ([]*convene.Invitee, int, error) {
	var out []*convene.Invitee
	var total int
	err := s.db.view(ctx, func(tx *Tx) (err error) {
		out, total, err = findInvitees(ctx, tx, f)
		return err
	})
	return out, total, err
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
		add("(c.code = ? OR lower(c.name) = lower(?))", f.Category, f.Category)
	}
	if f.Unit != "" {
		add("lower(p.unit) = lower(?)", f.Unit)
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
	q := `SELECT ` + inviteeColumns + inviteeFrom + ` WHERE ` + cond + ` ORDER BY p.unit, p.name_fold, i.id`
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

func audit(ctx context.Context, tx *Tx, e *convene.AuditEntry) error {
	if err := e.Validate(); err != nil {
		return err
	}
	e.At = tx.now
	r, err := tx.ExecContext(ctx, `INSERT INTO audit (at, actor, action, meeting_id, subject, detail) VALUES (?, ?, ?, ?, ?, ?)`,
		ts(e.At), e.Actor, e.Action, e.MeetingID, e.Subject, e.Detail)
	if err != nil {
		return err
	}
	e.ID, err = r.LastInsertId()
	return err
}

// SetRSVP records an answer, an audit entry and msgs in one transaction.
func (s *InvitationService) SetRSVP(ctx context.Context, id int64, ch convene.RSVPChange, msgs ...*convene.OutboxMessage) (*convene.Invitation, error) {
	var out *convene.Invitation
	err := s.db.inTx(ctx, func(tx *Tx) error {
		v, err := findInviteeWhere(ctx, tx, `i.id = ?`, id)
		if err != nil {
			return err
		}
		m, err := findMeetingByID(ctx, tx, v.MeetingID)
		if err != nil {
			return err
		}
		if tx.now.After(m.Deadline()) {
			return convene.Errorf(convene.EEXPIRED, "answers for %s closed at %s", m.Code, m.Deadline().Format(time.RFC3339))
		}
		inv := v.Invitation
		switch ch.RSVP {
		case convene.RSVPAttending, convene.RSVPPending:
			ch.Reason, ch.SubstituteName, ch.SubstituteTitle, ch.SubstitutePhone = "", "", "", ""
		case convene.RSVPDeclined:
			ch.SubstituteName, ch.SubstituteTitle, ch.SubstitutePhone = "", "", ""
		case convene.RSVPSubstitute:
			ch.Reason = ""
		default:
			return convene.Errorf(convene.EINVALID, "unknown answer %q", ch.RSVP)
		}
		if inv.RSVP == ch.RSVP && inv.Reason == ch.Reason && inv.SubstituteName == ch.SubstituteName &&
			inv.SubstituteTitle == ch.SubstituteTitle && inv.SubstitutePhone == ch.SubstitutePhone && !inv.Reconfirm {
			return convene.Errorf(convene.ECONFLICT, "answer unchanged")
		}
		subStatus := inv.SubstituteStatus
		if ch.RSVP == convene.RSVPSubstitute {
			subStatus = "proposed"
		} else if subStatus == "proposed" {
			subStatus = ""
		}
		att := inv.Attendance
		switch {
		case ch.RSVP == convene.RSVPDeclined && inv.CheckedInAt.IsZero():
			att = convene.AttendanceExcused
		case att == convene.AttendanceExcused:
			att = convene.AttendanceNone
		}
		if _, err := tx.ExecContext(ctx, `UPDATE invitations SET rsvp = ?, reason = ?, substitute_name = ?, substitute_title = ?, substitute_phone = ?,
			substitute_status = ?, attendance = ?, responded_at = ?, reconfirm = 0 WHERE id = ?`,
			ch.RSVP, ch.Reason, ch.SubstituteName, ch.SubstituteTitle, ch.SubstitutePhone, subStatus, att, ts(tx.now), id); err != nil {
			return err
		}
		actor := ch.Actor
		if actor == "" {
			actor = "unknown"
		}
		detail := string(inv.RSVP) + " → " + string(ch.RSVP)
		if ch.Reason != "" {
			detail += ": " + ch.Reason
		}
		if ch.SubstituteName != "" {
			detail += ": " + ch.SubstituteName
		}
		if err := audit(ctx, tx, &convene.AuditEntry{Actor: actor, Action: "rsvp", MeetingID: m.ID, Subject: fmt.Sprintf("invitation:%d", id), Detail: detail}); err != nil {
			return err
		}
		if _, err := enqueue(ctx, tx, msgs); err != nil {
			return err
		}
		nv, err := findInviteeWhere(ctx, tx, `i.id = ?`, id)
		if err != nil {
			return err
		}
		out = &nv.Invitation
		return nil
	})
	return out, err
}

// IssueInvitations marks the invitations issued and enqueues msgs in one transaction.
func (s *InvitationService) IssueInvitations(ctx context.Context, meetingID int64, ids []int64, msgs []*convene.OutboxMessage) error {
	return s.db.inTx(ctx, func(tx *Tx) error {
		stmt, err := tx.PrepareContext(ctx, `UPDATE invitations SET issued_at = ? WHERE id = ? AND meeting_id = ? AND issued_at = 0`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, id := range ids {
			if _, err := stmt.ExecContext(ctx, ts(tx.now), id, meetingID); err != nil {
				return err
			}
		}
		_, err = enqueue(ctx, tx, msgs)
		return err
	})
}

// DecideSubstitute approves or rejects a proposed substitute.
func (s *InvitationService) DecideSubstitute(ctx context.Context, id int64, approve bool, actor string, msgs ...*convene.OutboxMessage) (*convene.Invitee, error) {
	var out *convene.Invitee
	err := s.db.inTx(ctx, func(tx *Tx) error {
		v, err := findInviteeWhere(ctx, tx, `i.id = ?`, id)
		if err != nil {
			return err
		}
		if v.SubstituteStatus != "proposed" || v.RSVP != convene.RSVPSubstitute {
			return convene.Errorf(convene.ECONFLICT, "no substitute awaiting a decision")
		}
		if !approve {
			if _, err := tx.ExecContext(ctx, `UPDATE invitations SET substitute_status = 'rejected', rsvp = 'pending' WHERE id = ?`, id); err != nil {
				return err
			}
			if err := audit(ctx, tx, &convene.AuditEntry{Actor: actor, Action: "substitute-reject", MeetingID: v.MeetingID,
				Subject: fmt.Sprintf("invitation:%d", id), Detail: v.SubstituteName}); err != nil {
				return err
			}
			_, err = enqueue(ctx, tx, msgs)
			out = v
			return err
		}
		p := &convene.Person{FullName: v.SubstituteName, Title: v.SubstituteTitle, Unit: v.Person.Unit, Phone: v.SubstitutePhone, Role: convene.RoleDelegate}
		if err := p.Validate(); err != nil {
			return err
		}
		var pid int64
		err = tx.QueryRowContext(ctx, `SELECT id FROM people WHERE phone = ? AND phone <> '' ORDER BY id LIMIT 1`, p.Phone).Scan(&pid)
		if err != nil {
			r, err := tx.ExecContext(ctx, `INSERT INTO people (full_name, name_fold, title, unit, phone, role, created_at) VALUES (?, ?, ?, ?, ?, 'delegate', ?)`,
				p.FullName, fold(p.FullName), p.Title, p.Unit, p.Phone, ts(tx.now))
			if err != nil {
				return err
			}
			if pid, err = r.LastInsertId(); err != nil {
				return err
			}
		}
		tok, err := newToken()
		if err != nil {
			return err
		}
		r, err := tx.ExecContext(ctx, `INSERT INTO invitations (meeting_id, person_id, category_id, token, substitute_for, issued_at, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (meeting_id, person_id) DO NOTHING`, v.MeetingID, pid, v.CategoryID, tok, id, ts(tx.now), ts(tx.now))
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n == 0 {
			return convene.Errorf(convene.ECONFLICT, "the substitute is already invited")
		}
		newID, err := r.LastInsertId()
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE invitations SET substitute_status = 'approved' WHERE id = ?`, id); err != nil {
			return err
		}
		if err := audit(ctx, tx, &convene.AuditEntry{Actor: actor, Action: "substitute-approve", MeetingID: v.MeetingID,
			Subject: fmt.Sprintf("invitation:%d", id), Detail: fmt.Sprintf("%s → invitation:%d", v.SubstituteName, newID)}); err != nil {
			return err
		}
		if _, err := enqueue(ctx, tx, msgs); err != nil {
			return err
		}
		out, err = findInviteeWhere(ctx, tx, `i.id = ?`, newID)
		return err
	})
	return out, err
}

// CheckIn records attendance; a second check-in keeps the first and returns ECONFLICT with it.
func (s *InvitationService) CheckIn(ctx context.Context, id int64, att convene.Attendance, at time.Time, method convene.CheckinMethod, actor string) (*convene.Invitation, error) {
	if att != convene.AttendancePresent && att != convene.AttendanceLate {
		return nil, convene.Errorf(convene.EINVALID, "check-in must be present or late")
	}
	var out *convene.Invitation
	var conflict bool
	err := s.db.inTx(ctx, func(tx *Tx) error {
		v, err := findInviteeWhere(ctx, tx, `i.id = ?`, id)
		if err != nil {
			return err
		}
		if !v.CheckedInAt.IsZero() {
			out, conflict = &v.Invitation, true
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE invitations SET attendance = ?, checked_in_at = ?, checkin_method = ? WHERE id = ?`,
			att, ts(at), method, id); err != nil {
			return err
		}
		if err := audit(ctx, tx, &convene.AuditEntry{Actor: actor, Action: "checkin", MeetingID: v.MeetingID,
			Subject: fmt.Sprintf("invitation:%d", id), Detail: string(att) + " " + string(method)}); err != nil {
			return err
		}
		v.Attendance, v.CheckedInAt, v.CheckinMethod = att, at.UTC(), method
		out = &v.Invitation
		return nil
	})
	if err == nil && conflict {
		return out, convene.Errorf(convene.ECONFLICT, "already checked in")
	}
	return out, err
}

// UndoCheckIn clears a check-in.
func (s *InvitationService) UndoCheckIn(ctx context.Context, id int64, actor string) (*convene.Invitation, error) {
	var out *convene.Invitation
	err := s.db.inTx(ctx, func(tx *Tx) error {
		v, err := findInviteeWhere(ctx, tx, `i.id = ?`, id)
		if err != nil {
			return err
		}
		att := convene.AttendanceNone
		if v.RSVP == convene.RSVPDeclined {
			att = convene.AttendanceExcused
		}
		if _, err := tx.ExecContext(ctx, `UPDATE invitations SET attendance = ?, checked_in_at = 0, checkin_method = '' WHERE id = ?`, att, id); err != nil {
			return err
		}
		if err := audit(ctx, tx, &convene.AuditEntry{Actor: actor, Action: "checkin-undo", MeetingID: v.MeetingID, Subject: fmt.Sprintf("invitation:%d", id)}); err != nil {
			return err
		}
		v.Attendance, v.CheckedInAt, v.CheckinMethod = att, time.Time{}, ""
		out = &v.Invitation
		return nil
	})
	return out, err
}

// MarkAbsentees marks attending invitees never checked in absent and decliners excused.
func (s *InvitationService) MarkAbsentees(ctx context.Context, meetingID int64) (int, error) {
	var n int64
	err := s.db.inTx(ctx, func(tx *Tx) error {
		r, err := tx.ExecContext(ctx, `UPDATE invitations SET attendance = 'absent'
			WHERE meeting_id = ? AND checked_in_at = 0 AND rsvp IN ('attending', 'pending') AND attendance = ''`, meetingID)
		if err != nil {
			return err
		}
		a, _ := r.RowsAffected()
		r, err = tx.ExecContext(ctx, `UPDATE invitations SET attendance = 'excused'
			WHERE meeting_id = ? AND checked_in_at = 0 AND rsvp IN ('declined', 'substitute') AND attendance = ''`, meetingID)
		if err != nil {
			return err
		}
		b, _ := r.RowsAffected()
		n = a + b
		return nil
	})
	return int(n), err
}

// SetReconfirm flags all of a meeting's invitations to confirm again and enqueues msgs.
func (s *InvitationService) SetReconfirm(ctx context.Context, meetingID int64, msgs []*convene.OutboxMessage) error {
	return s.db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE invitations SET reconfirm = 1 WHERE meeting_id = ?`, meetingID); err != nil {
			return err
		}
		_, err := enqueue(ctx, tx, msgs)
		return err
	})
}

// MeetingStats counts a meeting's invitees in total, by category and by unit.
func (s *InvitationService) MeetingStats(ctx context.Context, meetingID int64) (*convene.Stats, error) {
	st := &convene.Stats{}
	err := s.db.view(ctx, func(tx *Tx) error {
		cats, err := findCategories(ctx, tx, meetingID)
		if err != nil {
			return err
		}
		byCat := map[int64]*convene.GroupCounts{}
		for _, c := range cats {
			st.ByCategory = append(st.ByCategory, convene.GroupCounts{Key: c.Code, Name: c.Name})
		}
		for i, c := range cats {
			byCat[c.ID] = &st.ByCategory[i]
		}
		rows, err := tx.QueryContext(ctx, `SELECT i.category_id, p.unit, i.rsvp, i.attendance, i.issued_at <> 0,
			EXISTS (SELECT 1 FROM accounts a WHERE a.person_id = i.person_id),
			EXISTS (SELECT 1 FROM feedback_responders f WHERE f.meeting_id = i.meeting_id AND f.person_id = i.person_id)
			FROM invitations i JOIN people p ON p.id = i.person_id WHERE i.meeting_id = ? ORDER BY p.unit`, meetingID)
		if err != nil {
			return err
		}
		defer rows.Close()
		var unitIdx = map[string]int{}
		for rows.Next() {
			var cid int64
			var unit, rsvp, att string
			var issued, linked, fb bool
			if err := rows.Scan(&cid, &unit, &rsvp, &att, &issued, &linked, &fb); err != nil {
				return err
			}
			i, ok := unitIdx[unit]
			if !ok {
				i = len(st.ByUnit)
				unitIdx[unit] = i
				st.ByUnit = append(st.ByUnit, convene.GroupCounts{Key: unit, Name: unit})
			}
			for _, c := range []*convene.Counts{&st.Total, &st.ByUnit[i].Counts, countsOf(byCat[cid])} {
				if c == nil {
					continue
				}
				count(c, convene.RSVP(rsvp), convene.Attendance(att), issued, linked, fb)
			}
		}
		return rows.Err()
	})
	return st, err
}

func countsOf(g *convene.GroupCounts) *convene.Counts {
	if g == nil {
		return nil
	}
	return &g.Counts
}

func count(c *convene.Counts, rsvp convene.RSVP, att convene.Attendance, issued, linked, fb bool) {
	c.Invited++
	if issued {
		c.Issued++
	}
	if linked {
		c.Linked++
	}
	if fb {
		c.Feedback++
	}
	switch rsvp {
	case convene.RSVPAttending:
		c.Attending++
	case convene.RSVPDeclined:
		c.Declined++
	case convene.RSVPSubstitute:
		c.Substitute++
	default:
		c.Pending++
	}
	switch att {
	case convene.AttendancePresent:
		c.Present++
	case convene.AttendanceLate:
		c.Late++
	case convene.AttendanceExcused:
		c.Excused++
	case convene.AttendanceAbsent:
		c.Absent++
	}
}
