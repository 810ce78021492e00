package storage

import (
	"context"
	"sort"
	"time"

	"github.com/convene/convene"
)

// This file holds the InvitationService methods of the roll call and the
// counts: CheckIn, UndoCheckIn, MarkAbsentees and MeetingStats.

// CheckIn records attendance (present or late) at the time at (storage time
// if zero) with method, and an audit entry. Checking in again keeps the
// first check-in and returns it with ECONFLICT. Returns EINVALID for another
// attendance or an unknown method.
func (s *InvitationService) CheckIn(ctx context.Context, id int64, att convene.Attendance, at time.Time, method convene.CheckinMethod, actor string) (*convene.Invitation, error) {
	if att != convene.AttendancePresent && att != convene.AttendanceLate {
		return nil, convene.Errorf(convene.EINVALID, "check-in must be present or late")
	}
	if method != convene.CheckinQR && method != convene.CheckinManual {
		return nil, convene.Errorf(convene.EINVALID, "check-in method must be qr or manual")
	}
	var out *convene.Invitation
	var again bool
	err := s.db.inTx(ctx, func(tx *Tx) (err error) {
		out, again, err = checkIn(ctx, tx, id, att, at, method, actor)
		return err
	})
	if err == nil && again {
		return out, convene.Errorf(convene.ECONFLICT, "already checked in at %s", out.CheckedInAt.Format(time.RFC3339))
	}
	return out, wrapf(err, "check in invitation %d", id)
}

// checkIn reports again, writing nothing, if the invitee was already checked in.
func checkIn(ctx context.Context, tx *Tx, id int64, att convene.Attendance, at time.Time, method convene.CheckinMethod, actor string) (_ *convene.Invitation, again bool, _ error) {
	v, err := findInviteeWhere(ctx, tx, `i.id = ?`, id)
	if err != nil {
		return nil, false, err
	}
	if !v.CheckedInAt.IsZero() {
		return &v.Invitation, true, nil
	}
	if at.IsZero() {
		at = tx.now
	}
	if _, err := tx.ExecContext(ctx, `UPDATE invitations SET attendance = ?, checked_in_at = ?, checkin_method = ? WHERE id = ?`,
		att, ts(at), method, id); err != nil {
		return nil, false, err
	}
	if err := audit(ctx, tx, &convene.AuditEntry{Actor: actor, Action: "checkin", MeetingID: v.MeetingID,
		Subject: invitationSubject(id), Detail: string(att) + " " + string(method)}); err != nil {
		return nil, false, err
	}
	v.Attendance, v.CheckedInAt, v.CheckinMethod = att, tm(ts(at)), method
	return &v.Invitation, false, nil
}

// UndoCheckIn clears a check-in, whichever its method (the roll call
// toggles), with an audit entry; a decliner is excused again. Returns the
// invitation with ECONFLICT if it was not checked in.
func (s *InvitationService) UndoCheckIn(ctx context.Context, id int64, actor string) (*convene.Invitation, error) {
	var out *convene.Invitation
	var notIn bool
	err := s.db.inTx(ctx, func(tx *Tx) (err error) {
		out, notIn, err = undoCheckIn(ctx, tx, id, actor)
		return err
	})
	if err == nil && notIn {
		return out, convene.Errorf(convene.ECONFLICT, "not checked in")
	}
	return out, wrapf(err, "undo check-in of invitation %d", id)
}

func undoCheckIn(ctx context.Context, tx *Tx, id int64, actor string) (_ *convene.Invitation, notIn bool, _ error) {
	v, err := findInviteeWhere(ctx, tx, `i.id = ?`, id)
	if err != nil {
		return nil, false, err
	}
	if v.CheckedInAt.IsZero() {
		return &v.Invitation, true, nil
	}
	att := convene.AttendanceNone
	if v.RSVP == convene.RSVPDeclined {
		att = convene.AttendanceExcused
	}
	if _, err := tx.ExecContext(ctx, `UPDATE invitations SET attendance = ?, checked_in_at = 0, checkin_method = '' WHERE id = ?`, att, id); err != nil {
		return nil, false, err
	}
	if err := audit(ctx, tx, &convene.AuditEntry{Actor: actor, Action: "checkin-undo", MeetingID: v.MeetingID, Subject: invitationSubject(id)}); err != nil {
		return nil, false, err
	}
	v.Attendance, v.CheckedInAt, v.CheckinMethod = att, time.Time{}, ""
	return &v.Invitation, false, nil
}

// MarkAbsentees settles the attendance of invitees never checked in whose
// attendance is still unknown: absent for those attending or who never
// answered, excused for decliners and those who sent a substitute. Returns
// how many changed; running it again changes nothing.
func (s *InvitationService) MarkAbsentees(ctx context.Context, meetingID int64) (int, error) {
	var n int
	err := s.db.inTx(ctx, func(tx *Tx) (err error) {
		n, err = markAbsentees(ctx, tx, meetingID)
		return err
	})
	return n, wrapf(err, "mark absentees of meeting %d", meetingID)
}

func markAbsentees(ctx context.Context, tx *Tx, meetingID int64) (int, error) {
	r, err := tx.ExecContext(ctx, `UPDATE invitations
		SET attendance = CASE WHEN rsvp IN ('declined', 'substitute') THEN 'excused' ELSE 'absent' END
		WHERE meeting_id = ? AND checked_in_at = 0 AND attendance = ''`, meetingID)
	if err != nil {
		return 0, err
	}
	n, err := r.RowsAffected()
	return int(n), err
}

// MeetingStats counts a meeting's invitees in total, by category (plan
// order, every category listed) and by unit (alphabetical, ignoring case and
// accents). Feedback counts invitees who submitted feedback. Returns
// ENOTFOUND for an unknown meeting.
func (s *InvitationService) MeetingStats(ctx context.Context, meetingID int64) (*convene.Stats, error) {
	var st *convene.Stats
	err := s.db.view(ctx, func(tx *Tx) (err error) {
		st, err = meetingStats(ctx, tx, meetingID)
		return err
	})
	return st, wrapf(err, "stats of meeting %d", meetingID)
}

func meetingStats(ctx context.Context, tx *Tx, meetingID int64) (*convene.Stats, error) {
	if _, err := findMeetingByID(ctx, tx, meetingID); err != nil {
		return nil, err
	}
	cats, err := findCategories(ctx, tx, meetingID)
	if err != nil {
		return nil, err
	}
	st := &convene.Stats{ByCategory: make([]convene.GroupCounts, len(cats))}
	byCat := map[int64]*convene.Counts{}
	for i, c := range cats {
		st.ByCategory[i] = convene.GroupCounts{Key: c.Code, Name: c.Name}
		byCat[c.ID] = &st.ByCategory[i].Counts
	}
	rows, err := tx.QueryContext(ctx, `SELECT i.category_id, p.unit, i.rsvp, i.attendance, i.issued_at <> 0,
		EXISTS (SELECT 1 FROM accounts a WHERE a.person_id = i.person_id),
		EXISTS (SELECT 1 FROM feedback_responders f WHERE f.meeting_id = i.meeting_id AND f.person_id = i.person_id)
		FROM invitations i JOIN people p ON p.id = i.person_id WHERE i.meeting_id = ?`, meetingID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	byUnit := map[string]*convene.Counts{}
	for rows.Next() {
		var cid int64
		var unit string
		var rsvp convene.RSVP
		var att convene.Attendance
		var issued, linked, fb bool
		if err := rows.Scan(&cid, &unit, &rsvp, &att, &issued, &linked, &fb); err != nil {
			return nil, err
		}
		u := byUnit[unit]
		if u == nil {
			u = &convene.Counts{}
			byUnit[unit] = u
		}
		for _, c := range []*convene.Counts{&st.Total, u, byCat[cid]} {
			if c != nil {
				count(c, rsvp, att, issued, linked, fb)
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for unit, c := range byUnit {
		st.ByUnit = append(st.ByUnit, convene.GroupCounts{Key: unit, Name: unit, Counts: *c})
	}
	sort.Slice(st.ByUnit, func(i, j int) bool {
		a, b := fold(st.ByUnit[i].Key), fold(st.ByUnit[j].Key)
		if a != b {
			return a < b
		}
		return st.ByUnit[i].Key < st.ByUnit[j].Key
	})
	return st, nil
}

// count adds one invitee to c.
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
