package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/convene/convene"
)

// This file holds the InvitationService methods that change answers:
// SetRSVP, IssueInvitations, DecideSubstitute and SetReconfirm.

// Substitute proposal states.
const (
	subProposed = "proposed"
	subApproved = "approved"
	subRejected = "rejected"
)

// SetRSVP records an answer, an audit entry and msgs in one transaction.
// Returns EEXPIRED after the meeting's deadline (storage time), EINVALID for
// an unknown answer or a substitute without a name or with a phone not in
// E.164, and ECONFLICT if the answer (with its reason or substitute) is what
// is stored and no reconfirmation is pending. Declining sets attendance
// excused unless checked in; another answer clears excused; proposing a
// substitute marks the proposal "proposed".
func (s *InvitationService) SetRSVP(ctx context.Context, id int64, ch convene.RSVPChange, msgs ...*convene.OutboxMessage) (*convene.Invitation, error) {
	var out *convene.Invitation
	err := s.db.inTx(ctx, func(tx *Tx) (err error) {
		out, err = setRSVP(ctx, tx, id, ch, msgs)
		return err
	})
	return out, wrapf(err, "set rsvp of invitation %d", id)
}

func setRSVP(ctx context.Context, tx *Tx, id int64, ch convene.RSVPChange, msgs []*convene.OutboxMessage) (*convene.Invitation, error) {
	switch ch.RSVP {
	case convene.RSVPAttending, convene.RSVPPending:
		ch.Reason, ch.SubstituteName, ch.SubstituteTitle, ch.SubstitutePhone = "", "", "", ""
	case convene.RSVPDeclined:
		ch.SubstituteName, ch.SubstituteTitle, ch.SubstitutePhone = "", "", ""
	case convene.RSVPSubstitute:
		ch.Reason = ""
		sub := convene.Person{FullName: ch.SubstituteName, Phone: ch.SubstitutePhone}
		if err := sub.Validate(); err != nil {
			return nil, convene.Errorf(convene.EINVALID, "substitute: %s", convene.ErrorMessage(err))
		}
	default:
		return nil, convene.Errorf(convene.EINVALID, "unknown answer %q", ch.RSVP)
	}
	v, err := findInviteeWhere(ctx, tx, `i.id = ?`, id)
	if err != nil {
		return nil, err
	}
	m, err := findMeetingByID(ctx, tx, v.MeetingID)
	if err != nil {
		return nil, err
	}
	if tx.now.After(m.Deadline()) {
		return nil, convene.Errorf(convene.EEXPIRED, "answers for %s closed at %s", m.Code, m.Deadline().Format(time.RFC3339))
	}
	if ch.RSVP == convene.RSVPSubstitute {
		if err := checkSubstitutePhone(ctx, tx, v, ch.SubstitutePhone); err != nil {
			return nil, err
		}
	}
	inv := v.Invitation
	if inv.RSVP == ch.RSVP && inv.Reason == ch.Reason && inv.SubstituteName == ch.SubstituteName &&
		inv.SubstituteTitle == ch.SubstituteTitle && inv.SubstitutePhone == ch.SubstitutePhone && !inv.Reconfirm {
		return nil, convene.Errorf(convene.ECONFLICT, "answer unchanged")
	}
	subStatus := inv.SubstituteStatus
	if ch.RSVP == convene.RSVPSubstitute {
		subStatus = subProposed
	} else if subStatus == subProposed {
		subStatus = ""
	}
	att := inv.Attendance
	switch {
	case ch.RSVP == convene.RSVPDeclined && inv.CheckedInAt.IsZero():
		att = convene.AttendanceExcused
	case ch.RSVP != convene.RSVPDeclined && att == convene.AttendanceExcused:
		att = convene.AttendanceNone
	}
	if _, err := tx.ExecContext(ctx, `UPDATE invitations SET rsvp = ?, reason = ?, substitute_name = ?, substitute_title = ?, substitute_phone = ?,
		substitute_status = ?, attendance = ?, responded_at = ?, reconfirm = 0 WHERE id = ?`,
		ch.RSVP, ch.Reason, ch.SubstituteName, ch.SubstituteTitle, ch.SubstitutePhone, subStatus, att, ts(tx.now), id); err != nil {
		return nil, err
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
	if err := audit(ctx, tx, &convene.AuditEntry{Actor: actor, Action: "rsvp", MeetingID: m.ID, Subject: invitationSubject(id), Detail: detail}); err != nil {
		return nil, err
	}
	if _, err := enqueue(ctx, tx, msgs); err != nil {
		return nil, err
	}
	nv, err := findInviteeWhere(ctx, tx, `i.id = ?`, id)
	if err != nil {
		return nil, err
	}
	return &nv.Invitation, nil
}

func invitationSubject(id int64) string { return fmt.Sprintf("invitation:%d", id) }

// IssueInvitations marks the meeting's invitations ids issued (keeping an
// earlier issue time) and enqueues msgs in one transaction.
func (s *InvitationService) IssueInvitations(ctx context.Context, meetingID int64, ids []int64, msgs []*convene.OutboxMessage) error {
	err := s.db.inTx(ctx, func(tx *Tx) error {
		return issueInvitations(ctx, tx, meetingID, ids, msgs)
	})
	return wrapf(err, "issue invitations of meeting %d", meetingID)
}

func issueInvitations(ctx context.Context, tx *Tx, meetingID int64, ids []int64, msgs []*convene.OutboxMessage) error {
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
}

// DecideSubstitute approves or rejects a proposed substitute, with an audit
// entry and the messages of d, in one transaction. Approval creates an
// invitation issued now, in the same category, with its own token and
// SubstituteFor set, for the person stored with the substitute's phone or
// else a new delegate of the invitee's unit, and returns it. Rejection puts
// the invitee's answer back to pending and returns the invitee. Returns
// ECONFLICT if no proposal awaits a decision or the substitute is already
// invited, and EFORBIDDEN if the phone is that of a person whose role can't
// be substituted in (an organizer).
func (s *InvitationService) DecideSubstitute(ctx context.Context, id int64, d convene.SubstituteDecision) (*convene.Invitee, error) {
	var out *convene.Invitee
	err := s.db.inTx(ctx, func(tx *Tx) (err error) {
		out, err = decideSubstitute(ctx, tx, id, d)
		return err
	})
	return out, wrapf(err, "decide substitute of invitation %d", id)
}

func decideSubstitute(ctx context.Context, tx *Tx, id int64, d convene.SubstituteDecision) (*convene.Invitee, error) {
	v, err := findInviteeWhere(ctx, tx, `i.id = ?`, id)
	if err != nil {
		return nil, err
	}
	if v.SubstituteStatus != subProposed || v.RSVP != convene.RSVPSubstitute {
		return nil, convene.Errorf(convene.ECONFLICT, "no substitute awaiting a decision")
	}
	messages := func(inv *convene.Invitee, existing bool) error {
		if d.Messages == nil {
			return nil
		}
		_, err := enqueue(ctx, tx, d.Messages(inv, existing))
		return err
	}
	if !d.Approve {
		if _, err := tx.ExecContext(ctx, `UPDATE invitations SET substitute_status = ?, rsvp = ? WHERE id = ?`, subRejected, convene.RSVPPending, id); err != nil {
			return nil, err
		}
		if err := audit(ctx, tx, &convene.AuditEntry{Actor: d.Actor, Action: "substitute-reject", MeetingID: v.MeetingID,
			Subject: invitationSubject(id), Detail: v.SubstituteName}); err != nil {
			return nil, err
		}
		out, err := findInviteeWhere(ctx, tx, `i.id = ?`, id)
		if err != nil {
			return nil, err
		}
		return out, messages(out, false)
	}
	if err := checkSubstitutePhone(ctx, tx, v, v.SubstitutePhone); err != nil {
		return nil, err
	}
	pid, existing, err := substitutePerson(ctx, tx, v)
	if err != nil {
		return nil, err
	}
	tok, err := newToken()
	if err != nil {
		return nil, err
	}
	r, err := tx.ExecContext(ctx, `INSERT INTO invitations (meeting_id, person_id, category_id, token, substitute_for, issued_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (meeting_id, person_id) DO NOTHING`, v.MeetingID, pid, v.CategoryID, tok, id, ts(tx.now), ts(tx.now))
	if err != nil {
		return nil, err
	}
	if n, _ := r.RowsAffected(); n == 0 {
		return nil, convene.Errorf(convene.ECONFLICT, "the substitute is already invited")
	}
	newID, err := r.LastInsertId()
	if err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE invitations SET substitute_status = ? WHERE id = ?`, subApproved, id); err != nil {
		return nil, err
	}
	detail := fmt.Sprintf("%s → %s", v.SubstituteName, invitationSubject(newID))
	if existing {
		detail += fmt.Sprintf(" (existing person:%d)", pid)
	}
	if err := audit(ctx, tx, &convene.AuditEntry{Actor: d.Actor, Action: "substitute-approve", MeetingID: v.MeetingID,
		Subject: invitationSubject(id), Detail: detail}); err != nil {
		return nil, err
	}
	out, err := findInviteeWhere(ctx, tx, `i.id = ?`, newID)
	if err != nil {
		return nil, err
	}
	return out, messages(out, existing)
}

// checkSubstitutePhone returns EFORBIDDEN if phone is that of a stored
// person whose role can't be substituted in, and EINVALID if it is the
// invitee's own.
func checkSubstitutePhone(ctx context.Context, tx *Tx, v *convene.Invitee, phone string) error {
	if phone == "" {
		return nil
	}
	if phone == v.Person.Phone {
		return convene.Errorf(convene.EINVALID, "substitute: the invitee's own phone")
	}
	var role convene.Role
	err := tx.QueryRowContext(ctx, `SELECT role FROM people WHERE phone = ? ORDER BY id LIMIT 1`, phone).Scan(&role)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	} else if err != nil {
		return err
	}
	if !role.Substitutable() {
		return convene.Errorf(convene.EFORBIDDEN, "substitute: a person with role %s can't be substituted in", role)
	}
	return nil
}

// substitutePerson returns the id of the person v proposed: the one stored
// with that phone (existing), or a new delegate of v's unit.
func substitutePerson(ctx context.Context, tx *Tx, v *convene.Invitee) (id int64, existing bool, err error) {
	p := &convene.Person{FullName: v.SubstituteName, Title: v.SubstituteTitle, Unit: v.Person.Unit, Phone: v.SubstitutePhone, Role: convene.RoleDelegate}
	if err := p.Validate(); err != nil {
		return 0, false, err
	}
	if p.Phone != "" {
		var pid int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM people WHERE phone = ? ORDER BY id LIMIT 1`, p.Phone).Scan(&pid)
		if err == nil {
			return pid, true, nil
		} else if !errors.Is(err, sql.ErrNoRows) {
			return 0, false, err
		}
	}
	if err := createPerson(ctx, tx, p); err != nil {
		return 0, false, err
	}
	return p.ID, false, nil
}

// SetReconfirm flags all of a meeting's invitations to confirm again and
// enqueues msgs, in one transaction. Returns ENOTFOUND for an unknown meeting.
func (s *InvitationService) SetReconfirm(ctx context.Context, meetingID int64, msgs []*convene.OutboxMessage) error {
	err := s.db.inTx(ctx, func(tx *Tx) error {
		if _, err := findMeetingByID(ctx, tx, meetingID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE invitations SET reconfirm = 1 WHERE meeting_id = ?`, meetingID); err != nil {
			return err
		}
		_, err := enqueue(ctx, tx, msgs)
		return err
	})
	return wrapf(err, "set reconfirm of meeting %d", meetingID)
}
