package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/convene/convene"
)

const nominationColumns = `n.id, n.meeting_id, n.unit_id, n.category_id, n.person_id, n.invitation_id, COALESCE(i.token, ''), n.state, n.actor,
	n.created_at, n.withdrawn_at, p.id, p.full_name, p.title, p.unit, p.phone, p.email, p.lang, p.role, p.telegram_id, p.created_at`

const nominationFrom = ` FROM nominations n JOIN people p ON p.id = n.person_id LEFT JOIN invitations i ON i.id = n.invitation_id`

func scanNomination(row interface{ Scan(...any) error }) (*convene.Nomination, error) {
	var n convene.Nomination
	p := &n.Person
	var created, withdrawn, pcreated int64
	if err := row.Scan(&n.ID, &n.MeetingID, &n.UnitID, &n.CategoryID, &n.PersonID, &n.InvitationID, &n.Token, &n.State, &n.Actor,
		&created, &withdrawn, &p.ID, &p.FullName, &p.Title, &p.Unit, &p.Phone, &p.Email, &p.Lang, &p.Role, &p.TelegramID, &pcreated); err != nil {
		return nil, err
	}
	n.CreatedAt, n.WithdrawnAt, p.CreatedAt = tm(created), tm(withdrawn), tm(pcreated)
	return &n, nil
}

func findNominationByID(ctx context.Context, tx *Tx, id int64) (*convene.Nomination, error) {
	n, err := scanNomination(tx.QueryRowContext(ctx, `SELECT `+nominationColumns+nominationFrom+` WHERE n.id = ?`, id))
	return n, notFound(err, "no nomination %d", id)
}

// FindNominations returns nominations matching f, oldest first.
func (s *UnitService) FindNominations(ctx context.Context, f convene.NominationFilter) ([]*convene.Nomination, error) {
	where, args := []string{"1 = 1"}, []any{}
	for _, c := range []struct {
		col string
		v   int64
	}{{"n.meeting_id", f.MeetingID}, {"n.unit_id", f.UnitID}, {"n.category_id", f.CategoryID}} {
		if c.v != 0 {
			where, args = append(where, c.col+" = ?"), append(args, c.v)
		}
	}
	if f.State != "" {
		where, args = append(where, "n.state = ?"), append(args, f.State)
	}
	var out []*convene.Nomination
	err := s.db.view(ctx, func(tx *Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+nominationColumns+nominationFrom+` WHERE `+strings.Join(where, " AND ")+` ORDER BY n.id`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			n, err := scanNomination(rows)
			if err != nil {
				return err
			}
			out = append(out, n)
		}
		return rows.Err()
	})
	return out, wrapf(err, "find nominations")
}

// Nominate names a delegate of the unit in the category, in one
// transaction: the person (found by phone, or created in the unit), an
// invitation with a fresh personal token, the nomination and an audit
// entry. Returns EINVALID for a bad nominee or a category of another
// meeting, ENOTFOUND for an unknown unit or category, EEXPIRED after the
// unit's deadline, ECONFLICT when the unit is not asked for the category,
// its quota is filled, the phone is already nominated in the unit, or its
// person is already invited to the meeting (through another unit or
// directly), and EFORBIDDEN for the phone of an organizer (any role that
// Role.Substitutable refuses). Admins are accounts, not people: the bot
// must refuse them before calling. Nothing is stored when it fails.
func (s *UnitService) Nominate(ctx context.Context, unitID, categoryID int64, n convene.Nominee, actor string) (*convene.Nomination, error) {
	var out *convene.Nomination
	err := s.db.inTx(ctx, func(tx *Tx) (err error) {
		out, err = nominate(ctx, tx, unitID, categoryID, n, actor)
		return err
	})
	return out, wrapf(err, "nominate in unit %d", unitID)
}

// Withdraw withdraws a standing nomination before the unit's deadline: the
// nominee's invitation is removed, with those of the substitutes approved
// for the nominee (returned in Substitutes, each audited), the nomination
// marked withdrawn and an audit entry written, in one transaction. Returns ENOTFOUND for an unknown
// nomination, ECONFLICT if it is withdrawn already and EEXPIRED after the
// deadline.
func (s *UnitService) Withdraw(ctx context.Context, id int64, actor string) (*convene.Nomination, error) {
	var out *convene.Nomination
	err := s.db.inTx(ctx, func(tx *Tx) (err error) {
		out, err = withdraw(ctx, tx, id, actor)
		return err
	})
	return out, wrapf(err, "withdraw nomination %d", id)
}

// Replace withdraws the nomination and nominates n in its unit and category
// in one transaction, returning the new nomination, whose Substitutes are
// those withdrawn with the old one. It fails as Withdraw
// or Nominate would, and then nothing changes.
func (s *UnitService) Replace(ctx context.Context, id int64, n convene.Nominee, actor string) (*convene.Nomination, error) {
	var out *convene.Nomination
	err := s.db.inTx(ctx, func(tx *Tx) error {
		old, err := withdraw(ctx, tx, id, actor)
		if err != nil {
			return err
		}
		if out, err = nominate(ctx, tx, old.UnitID, old.CategoryID, n, actor); err != nil {
			return err
		}
		out.Substitutes = old.Substitutes
		return nil
	})
	return out, wrapf(err, "replace nomination %d", id)
}

func nominationSubject(id int64) string { return fmt.Sprintf("nomination:%d", id) }

// unitDeadline loads the unit and its meeting and returns EEXPIRED once the
// unit's deadline has passed.
func unitDeadline(ctx context.Context, tx *Tx, unitID int64) (*convene.Unit, *convene.Meeting, error) {
	u, err := findUnitWhere(ctx, tx, fmt.Sprint(unitID), `u.id = ?`, unitID)
	if err != nil {
		return nil, nil, err
	}
	m, err := findMeetingByID(ctx, tx, u.MeetingID)
	if err != nil {
		return nil, nil, err
	}
	if dl := u.Deadline(m); tx.now.After(dl) {
		return nil, nil, convene.Errorf(convene.EEXPIRED, "the nomination deadline of %s passed at %s", u.Name, dl.In(m.Location()).Format("15:04 02/01/2006")).Because(convene.ErrAfterDeadline)
	}
	return u, m, nil
}

func nominate(ctx context.Context, tx *Tx, unitID, categoryID int64, nm convene.Nominee, actor string) (*convene.Nomination, error) {
	nm.FullName, nm.Title = strings.Join(strings.Fields(nm.FullName), " "), strings.TrimSpace(nm.Title)
	if err := nm.Validate(); err != nil {
		return nil, err
	}
	u, m, err := unitDeadline(ctx, tx, unitID)
	if err != nil {
		return nil, err
	}
	var cat *convene.Category
	cats, err := findCategories(ctx, tx, m.ID)
	if err != nil {
		return nil, err
	}
	for _, c := range cats {
		if c.ID == categoryID {
			cat = c
		}
	}
	if cat == nil {
		return nil, convene.Errorf(convene.ENOTFOUND, "meeting %s has no category %d", m.Code, categoryID)
	}
	asked := u.Quota(cat)
	if asked == 0 {
		return nil, convene.Errorf(convene.ECONFLICT, "%s is not asked to send delegates of %s", u.Name, cat.Name).Because(convene.ErrCategoryNotAsked)
	}
	var standing int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM nominations WHERE unit_id = ? AND category_id = ? AND state = 'nominated'`,
		u.ID, cat.ID).Scan(&standing); err != nil {
		return nil, err
	}
	if standing >= asked {
		return nil, convene.Errorf(convene.ECONFLICT, "%s has nominated all %d delegate(s) of %s asked", u.Name, asked, cat.Name).Because(convene.ErrOverQuota)
	}
	pid, existing, err := nomineePerson(ctx, tx, u, m, nm)
	if err != nil {
		return nil, err
	}
	tok, err := newToken()
	if err != nil {
		return nil, err
	}
	// Once the meeting's invitations are out, a nominee's is issued at once:
	// they get it when they link; before, issuing the meeting's issues it.
	var issued int64
	if m.Status != convene.StatusDraft {
		issued = ts(tx.now)
	}
	r, err := tx.ExecContext(ctx, `INSERT INTO invitations (meeting_id, person_id, category_id, token, issued_at, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		m.ID, pid, cat.ID, tok, issued, ts(tx.now))
	if err != nil {
		return nil, err
	}
	invID, err := r.LastInsertId()
	if err != nil {
		return nil, err
	}
	r, err = tx.ExecContext(ctx, `INSERT INTO nominations (meeting_id, unit_id, category_id, person_id, invitation_id, state, actor, created_at)
		VALUES (?, ?, ?, ?, ?, 'nominated', ?, ?)`, m.ID, u.ID, cat.ID, pid, invID, actor, ts(tx.now))
	if err != nil {
		return nil, err
	}
	id, err := r.LastInsertId()
	if err != nil {
		return nil, err
	}
	detail := fmt.Sprintf("%s: %s, %s %s → %s", u.Name, cat.Code, nm.FullName, nm.Phone, invitationSubject(invID))
	if existing {
		detail += fmt.Sprintf(" (existing person:%d)", pid)
	}
	if err := audit(ctx, tx, &convene.AuditEntry{Actor: actor, Action: "nominate", MeetingID: m.ID, Subject: nominationSubject(id), Detail: detail}); err != nil {
		return nil, err
	}
	out, err := findNominationByID(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	out.ExistingPerson = existing
	return out, nil
}

// nomineePerson returns the person with the nominee's phone (existing) or a
// new delegate of the unit, refusing a phone whose person can't be
// nominated or is already invited to the meeting.
func nomineePerson(ctx context.Context, tx *Tx, u *convene.Unit, m *convene.Meeting, nm convene.Nominee) (int64, bool, error) {
	var pid int64
	var role convene.Role
	err := tx.QueryRowContext(ctx, `SELECT id, role FROM people WHERE phone = ? ORDER BY id LIMIT 1`, nm.Phone).Scan(&pid, &role)
	if errors.Is(err, sql.ErrNoRows) {
		p := &convene.Person{FullName: nm.FullName, Title: nm.Title, Unit: u.Name, Phone: nm.Phone, Role: convene.RoleDelegate}
		if err := createPerson(ctx, tx, p); err != nil {
			return 0, false, err
		}
		return p.ID, false, nil
	} else if err != nil {
		return 0, false, err
	}
	if !role.Substitutable() {
		return 0, false, convene.Errorf(convene.EFORBIDDEN, "the phone %s belongs to a person with role %s, who can't be nominated", nm.Phone, role).Because(convene.ErrOrganizerPhone)
	}
	var unitID int64
	var unitName sql.NullString
	err = tx.QueryRowContext(ctx, `SELECT COALESCE(n.unit_id, 0), u.name FROM invitations i
		LEFT JOIN nominations n ON n.invitation_id = i.id LEFT JOIN units u ON u.id = n.unit_id
		WHERE i.meeting_id = ? AND i.person_id = ?`, m.ID, pid).Scan(&unitID, &unitName)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return pid, true, nil
	case err != nil:
		return 0, false, err
	case unitID == u.ID:
		return 0, false, convene.Errorf(convene.ECONFLICT, "the phone %s is already nominated by %s", nm.Phone, u.Name).Because(convene.ErrSamePhone)
	case unitID != 0:
		return 0, false, convene.Errorf(convene.ECONFLICT, "the phone %s is already invited to this meeting through %s", nm.Phone, unitName.String).Because(convene.ErrInvitedElsewhere)
	default:
		return 0, false, convene.Errorf(convene.ECONFLICT, "the phone %s is already invited to this meeting", nm.Phone).Because(convene.ErrInvitedElsewhere)
	}
}

func withdraw(ctx context.Context, tx *Tx, id int64, actor string) (*convene.Nomination, error) {
	n, err := findNominationByID(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if n.State != convene.NominationNominated {
		return nil, convene.Errorf(convene.ECONFLICT, "nomination %d is withdrawn already", id).Because(convene.ErrWithdrawnAlready)
	}
	u, m, err := unitDeadline(ctx, tx, n.UnitID)
	if err != nil {
		return nil, err
	}
	var subs []*convene.Invitee
	if n.InvitationID != 0 {
		if subs, err = withdrawSubstitutes(ctx, tx, m.ID, n, u, actor); err != nil {
			return nil, err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM invitations WHERE id = ?`, n.InvitationID); err != nil {
			return nil, err
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE nominations SET state = 'withdrawn', withdrawn_at = ?, invitation_id = 0 WHERE id = ?`, ts(tx.now), id); err != nil {
		return nil, err
	}
	detail := fmt.Sprintf("%s: %s %s, %s removed", u.Name, n.Person.FullName, n.Person.Phone, invitationSubject(n.InvitationID))
	if err := audit(ctx, tx, &convene.AuditEntry{Actor: actor, Action: "withdraw", MeetingID: m.ID, Subject: nominationSubject(id), Detail: detail}); err != nil {
		return nil, err
	}
	n.State, n.WithdrawnAt, n.InvitationID, n.Token, n.Substitutes = convene.NominationWithdrawn, tx.now, 0, "", subs
	return n, nil
}

// withdrawSubstitutes removes the invitations of the substitutes approved
// for the nominee's invitation, and of their own substitutes in turn, each
// with an audit entry, and returns them as they were (with accounts).
func withdrawSubstitutes(ctx context.Context, tx *Tx, meetingID int64, n *convene.Nomination, u *convene.Unit, actor string) ([]*convene.Invitee, error) {
	var out []*convene.Invitee
	for queue := []int64{n.InvitationID}; len(queue) > 0; queue = queue[1:] {
		ids, err := substituteIDs(ctx, tx, queue[0])
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			v, err := findInviteeWhere(ctx, tx, `i.id = ?`, id)
			if err != nil {
				return nil, err
			}
			out, queue = append(out, v), append(queue, id)
		}
	}
	for _, v := range out {
		if _, err := tx.ExecContext(ctx, `DELETE FROM invitations WHERE id = ?`, v.ID); err != nil {
			return nil, err
		}
		detail := fmt.Sprintf("%s: %s %s, substitute for %s (nominee %s), removed with the nomination",
			u.Name, v.Person.FullName, v.Person.Phone, invitationSubject(v.SubstituteFor), n.Person.FullName)
		if err := audit(ctx, tx, &convene.AuditEntry{Actor: actor, Action: "substitute-withdraw", MeetingID: meetingID,
			Subject: invitationSubject(v.ID), Detail: detail}); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// substituteIDs returns the invitations substituting invitation id.
func substituteIDs(ctx context.Context, tx *Tx, id int64) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id FROM invitations WHERE substitute_for = ? ORDER BY id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
