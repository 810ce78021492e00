package storage

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/convene/convene"
)

var _ convene.MeetingService = (*MeetingService)(nil)

// MeetingService implements convene.MeetingService.
type MeetingService struct{ db *DB }

// NewMeetingService returns a MeetingService on db.
func NewMeetingService(db *DB) *MeetingService { return &MeetingService{db: db} }

// FindMeetingByCode returns the meeting with the code (case-insensitive), or ENOTFOUND.
func (s *MeetingService) FindMeetingByCode(ctx context.Context, code string) (*convene.Meeting, error) {
	var m *convene.Meeting
	err := s.db.view(ctx, func(tx *Tx) (err error) {
		m, err = findMeetingByCode(ctx, tx, code)
		return err
	})
	return m, wrapf(err, "find meeting %q", code)
}

// FindMeetingByID returns the meeting, or ENOTFOUND.
func (s *MeetingService) FindMeetingByID(ctx context.Context, id int64) (*convene.Meeting, error) {
	var m *convene.Meeting
	err := s.db.view(ctx, func(tx *Tx) (err error) {
		m, err = findMeetingByID(ctx, tx, id)
		return err
	})
	return m, wrapf(err, "find meeting %d", id)
}

// FindMeetings returns matching meetings ordered by start.
func (s *MeetingService) FindMeetings(ctx context.Context, f convene.MeetingFilter) ([]*convene.Meeting, error) {
	var ms []*convene.Meeting
	err := s.db.view(ctx, func(tx *Tx) (err error) {
		ms, err = findMeetings(ctx, tx, f)
		return err
	})
	return ms, wrapf(err, "find meetings")
}

// UpdateMeeting applies upd and returns the meeting as stored; updated_at
// changes only if something was given. Returns ENOTFOUND for an unknown
// meeting and EINVALID for an unknown status. Closing feedback (at or
// before storage time) wipes the keys that let an anonymous resubmission
// replace the earlier one, so nothing links answers to people any more.
func (s *MeetingService) UpdateMeeting(ctx context.Context, id int64, upd convene.MeetingUpdate) (*convene.Meeting, error) {
	var m *convene.Meeting
	err := s.db.inTx(ctx, func(tx *Tx) (err error) {
		m, err = updateMeeting(ctx, tx, id, upd)
		return err
	})
	return m, wrapf(err, "update meeting %d", id)
}

func updateMeeting(ctx context.Context, tx *Tx, id int64, upd convene.MeetingUpdate) (*convene.Meeting, error) {
	if _, err := findMeetingByID(ctx, tx, id); err != nil {
		return nil, err
	}
	set, args := []string{}, []any{}
	if upd.Status != nil {
		switch *upd.Status {
		case convene.StatusDraft, convene.StatusInvited, convene.StatusHeld, convene.StatusClosed:
		default:
			return nil, convene.Errorf(convene.EINVALID, "unknown meeting status %q", *upd.Status)
		}
		set, args = append(set, "status = ?"), append(args, *upd.Status)
	}
	if upd.FeedbackOpenedAt != nil {
		set, args = append(set, "feedback_opened_at = ?"), append(args, ts(*upd.FeedbackOpenedAt))
	}
	if upd.FeedbackClosedAt != nil {
		set, args = append(set, "feedback_closed_at = ?"), append(args, ts(*upd.FeedbackClosedAt))
		if c := *upd.FeedbackClosedAt; !c.IsZero() && !c.After(tx.now) {
			if err := forgetAnswerKeys(ctx, tx, id); err != nil {
				return nil, err
			}
		}
	}
	if len(set) > 0 {
		set, args = append(set, "updated_at = ?"), append(args, ts(tx.now), id)
		if _, err := tx.ExecContext(ctx, `UPDATE meetings SET `+strings.Join(set, ", ")+` WHERE id = ?`, args...); err != nil {
			return nil, err
		}
	}
	return findMeetingByID(ctx, tx, id)
}

// FindCategories returns a meeting's categories in plan order.
func (s *MeetingService) FindCategories(ctx context.Context, meetingID int64) ([]*convene.Category, error) {
	var cs []*convene.Category
	err := s.db.view(ctx, func(tx *Tx) (err error) {
		cs, err = findCategories(ctx, tx, meetingID)
		return err
	})
	return cs, wrapf(err, "find categories of meeting %d", meetingID)
}

const meetingColumns = `id, code, title, kind, host, organization, plan, starts_at, ends_at, timezone, venue, address, agenda,
	rsvp_deadline, status, feedback, feedback_opened_at, feedback_closed_at, created_at, updated_at, issuer, program,
	(SELECT COUNT(*) FROM materials WHERE materials.meeting_id = meetings.id)`

// feedbackJSON is how FeedbackSettings are stored.
type feedbackJSON struct {
	Anonymous bool                 `json:"anonymous,omitempty"`
	From      convene.FeedbackFrom `json:"from,omitempty"`
	Questions []convene.Question   `json:"questions,omitempty"`
	OpenDelay time.Duration        `json:"open_delay,omitempty"`
	Period    time.Duration        `json:"period,omitempty"`
}

func encodeFeedback(f convene.FeedbackSettings) string {
	buf, _ := json.Marshal(feedbackJSON(f))
	return string(buf)
}

func encodeProgram(p convene.Program) string {
	buf, _ := json.Marshal(p)
	return string(buf)
}

func encodeIssuer(i convene.Issuer) string {
	buf, _ := json.Marshal(i)
	return string(buf)
}

func scanMeeting(row interface{ Scan(...any) error }) (*convene.Meeting, error) {
	var m convene.Meeting
	var starts, ends, deadline, opened, closed, created, updated int64
	var fb, iss, prog string
	if err := row.Scan(&m.ID, &m.Code, &m.Title, &m.Kind, &m.Host, &m.Organization, &m.Plan, &starts, &ends, &m.Timezone,
		&m.Venue, &m.Address, &m.Agenda, &deadline, &m.Status, &fb, &opened, &closed, &created, &updated, &iss, &prog, &m.Materials); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(prog), &m.Program); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(iss), &m.Issuer); err != nil {
		return nil, err
	}
	m.StartsAt, m.EndsAt, m.RSVPDeadline = tm(starts), tm(ends), tm(deadline)
	m.FeedbackOpenedAt, m.FeedbackClosedAt, m.CreatedAt, m.UpdatedAt = tm(opened), tm(closed), tm(created), tm(updated)
	var fj feedbackJSON
	if err := json.Unmarshal([]byte(fb), &fj); err != nil {
		return nil, err
	}
	m.Feedback = convene.FeedbackSettings(fj)
	return &m, nil
}

func findMeetingByCode(ctx context.Context, tx *Tx, code string) (*convene.Meeting, error) {
	m, err := scanMeeting(tx.QueryRowContext(ctx, `SELECT `+meetingColumns+` FROM meetings WHERE code = ?`, strings.ToLower(code)))
	return m, notFound(err, "no meeting with code %q", code)
}

func findMeetingByID(ctx context.Context, tx *Tx, id int64) (*convene.Meeting, error) {
	m, err := scanMeeting(tx.QueryRowContext(ctx, `SELECT `+meetingColumns+` FROM meetings WHERE id = ?`, id))
	return m, notFound(err, "no meeting %d", id)
}

func findMeetings(ctx context.Context, tx *Tx, f convene.MeetingFilter) ([]*convene.Meeting, error) {
	where, args := []string{"1 = 1"}, []any{}
	if f.ID != nil {
		where, args = append(where, "id = ?"), append(args, *f.ID)
	}
	if f.Code != nil {
		where, args = append(where, "code = ?"), append(args, *f.Code)
	}
	if f.Status != nil {
		where, args = append(where, "status = ?"), append(args, *f.Status)
	}
	if !f.EndsAfter.IsZero() {
		where = append(where, "(CASE WHEN ends_at = 0 THEN starts_at + 3 * 3600 * 1000000000 ELSE ends_at END) > ?")
		args = append(args, ts(f.EndsAfter))
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+meetingColumns+` FROM meetings WHERE `+strings.Join(where, " AND ")+` ORDER BY starts_at, id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ms []*convene.Meeting
	for rows.Next() {
		m, err := scanMeeting(rows)
		if err != nil {
			return nil, err
		}
		ms = append(ms, m)
	}
	return ms, rows.Err()
}

func findCategories(ctx context.Context, tx *Tx, meetingID int64) ([]*convene.Category, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, meeting_id, code, name, quota, position, guests FROM categories WHERE meeting_id = ? ORDER BY position, id`, meetingID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var cs []*convene.Category
	for rows.Next() {
		var c convene.Category
		if err := rows.Scan(&c.ID, &c.MeetingID, &c.Code, &c.Name, &c.Quota, &c.Position, &c.Guests); err != nil {
			return nil, err
		}
		cs = append(cs, &c)
	}
	return cs, rows.Err()
}
