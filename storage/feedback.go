package storage

import (
	"context"
	"database/sql"
	"encoding/json"

	"github.com/convene/convene"
)

var _ convene.FeedbackService = (*FeedbackService)(nil)

// FeedbackService implements convene.FeedbackService.
type FeedbackService struct{ db *DB }

// NewFeedbackService returns a FeedbackService on db.
func NewFeedbackService(db *DB) *FeedbackService { return &FeedbackService{db: db} }

// SubmitFeedback stores f, replacing the person's earlier feedback for the
// meeting. In anonymous meetings the answers carry no person id.
func (s *FeedbackService) SubmitFeedback(ctx context.Context, f *convene.Feedback) error {
	if err := f.Validate(); err != nil {
		return err
	}
	if f.PersonID == 0 {
		return convene.Errorf(convene.EINVALID, "feedback: person required")
	}
	answers, err := json.Marshal(f.Answers)
	if err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx *Tx) error {
		m, err := findMeetingByID(ctx, tx, f.MeetingID)
		if err != nil {
			return err
		}
		if !m.FeedbackClosedAt.IsZero() && !tx.now.Before(m.FeedbackClosedAt) {
			return convene.Errorf(convene.EEXPIRED, "feedback for %s is closed", m.Code)
		}
		var oldKey string
		err = tx.QueryRowContext(ctx, `SELECT answer_key FROM feedback_responders WHERE meeting_id = ? AND person_id = ?`, m.ID, f.PersonID).Scan(&oldKey)
		switch {
		case err == sql.ErrNoRows:
		case err != nil:
			return err
		case m.Feedback.Anonymous:
			if oldKey != "" {
				if _, err := tx.ExecContext(ctx, `DELETE FROM feedback WHERE meeting_id = ? AND answer_key = ?`, m.ID, oldKey); err != nil {
					return err
				}
			}
		default:
			if _, err := tx.ExecContext(ctx, `DELETE FROM feedback WHERE meeting_id = ? AND person_id = ?`, m.ID, f.PersonID); err != nil {
				return err
			}
		}
		pid, key := f.PersonID, ""
		if m.Feedback.Anonymous {
			pid = 0
			if key, err = newToken(); err != nil {
				return err
			}
		}
		f.SubmittedAt = tx.now
		r, err := tx.ExecContext(ctx, `INSERT INTO feedback (meeting_id, person_id, answer_key, answers, rating, submitted_at) VALUES (?, ?, ?, ?, ?, ?)`,
			m.ID, pid, key, string(answers), f.Rating, ts(tx.now))
		if err != nil {
			return err
		}
		if f.ID, err = r.LastInsertId(); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO feedback_responders (meeting_id, person_id, answer_key, submitted_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (meeting_id, person_id) DO UPDATE SET answer_key = excluded.answer_key, submitted_at = excluded.submitted_at`,
			m.ID, f.PersonID, key, ts(tx.now))
		return err
	})
}

// FindFeedback returns a meeting's feedback in submission order, without person ids if anonymous.
func (s *FeedbackService) FindFeedback(ctx context.Context, meetingID int64) ([]*convene.Feedback, error) {
	var out []*convene.Feedback
	err := s.db.view(ctx, func(tx *Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, meeting_id, person_id, answers, rating, submitted_at FROM feedback WHERE meeting_id = ? ORDER BY submitted_at, id`, meetingID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var f convene.Feedback
			var answers string
			var at int64
			if err := rows.Scan(&f.ID, &f.MeetingID, &f.PersonID, &answers, &f.Rating, &at); err != nil {
				return err
			}
			if err := json.Unmarshal([]byte(answers), &f.Answers); err != nil {
				return err
			}
			f.SubmittedAt = tm(at)
			out = append(out, &f)
		}
		return rows.Err()
	})
	return out, err
}

// FeedbackResponders returns the ids of people who submitted feedback.
func (s *FeedbackService) FeedbackResponders(ctx context.Context, meetingID int64) ([]int64, error) {
	var ids []int64
	err := s.db.view(ctx, func(tx *Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT person_id FROM feedback_responders WHERE meeting_id = ? ORDER BY person_id`, meetingID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return rows.Err()
	})
	return ids, err
}
