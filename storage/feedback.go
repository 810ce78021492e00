package storage

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/convene/convene"
)

var _ convene.FeedbackService = (*FeedbackService)(nil)

// FeedbackService implements convene.FeedbackService.
//
// Who answered is kept in feedback_responders (meeting, person, time); the
// answers in feedback. In an anonymous meeting an answer row has no person
// id: a random answer_key, shared only with the responder row, lets a
// resubmission replace the earlier answer, and is wiped when feedback closes.
// Anonymous answer rows also get a random id and only the day of
// submission, so neither their order nor their time points back to the
// responder rows.
type FeedbackService struct{ db *DB }

// NewFeedbackService returns a FeedbackService on db.
func NewFeedbackService(db *DB) *FeedbackService { return &FeedbackService{db: db} }

// SubmitFeedback stores f, replacing the person's earlier feedback for the
// meeting, and sets its id and time. Returns EINVALID without a person or
// with a bad rating, ENOTFOUND for an unknown meeting and EEXPIRED once the
// meeting's feedback has closed (storage time).
func (s *FeedbackService) SubmitFeedback(ctx context.Context, f *convene.Feedback) error {
	if err := f.Validate(); err != nil {
		return err
	}
	if f.PersonID == 0 {
		return convene.Errorf(convene.EINVALID, "feedback: person required")
	}
	err := s.db.inTx(ctx, func(tx *Tx) error { return submitFeedback(ctx, tx, f) })
	return wrapf(err, "submit feedback of person %d", f.PersonID)
}

func submitFeedback(ctx context.Context, tx *Tx, f *convene.Feedback) error {
	m, err := findMeetingByID(ctx, tx, f.MeetingID)
	if err != nil {
		return err
	}
	if !m.FeedbackClosedAt.IsZero() && !tx.now.Before(m.FeedbackClosedAt) {
		return convene.Errorf(convene.EEXPIRED, "feedback for %s closed at %s", m.Code, m.FeedbackClosedAt.Format(time.RFC3339))
	}
	answers, err := json.Marshal(f.Answers)
	if err != nil {
		return err
	}
	// The earlier answer: by person, or by the key of an anonymous one.
	if _, err := tx.ExecContext(ctx, `DELETE FROM feedback WHERE meeting_id = ? AND (person_id = ? OR answer_key IN
		(SELECT answer_key FROM feedback_responders WHERE meeting_id = ? AND person_id = ? AND answer_key <> ''))`,
		m.ID, f.PersonID, m.ID, f.PersonID); err != nil {
		return err
	}
	f.SubmittedAt = tx.now
	key := ""
	if m.Feedback.Anonymous {
		if key, err = newToken(); err != nil {
			return err
		}
		if f.ID, err = insertAnonymousAnswer(ctx, tx, m.ID, key, string(answers), f.Rating); err != nil {
			return err
		}
	} else {
		r, err := tx.ExecContext(ctx, `INSERT INTO feedback (meeting_id, person_id, answers, rating, submitted_at) VALUES (?, ?, ?, ?, ?)`,
			m.ID, f.PersonID, string(answers), f.Rating, ts(tx.now))
		if err != nil {
			return err
		}
		if f.ID, err = r.LastInsertId(); err != nil {
			return err
		}
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO feedback_responders (meeting_id, person_id, answer_key, submitted_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (meeting_id, person_id) DO UPDATE SET answer_key = excluded.answer_key, submitted_at = excluded.submitted_at`,
		m.ID, f.PersonID, key, ts(tx.now))
	return err
}

// insertAnonymousAnswer stores an answer without person, under a random id
// and with the day only, and returns the id.
func insertAnonymousAnswer(ctx context.Context, tx *Tx, meetingID int64, key, answers string, rating int) (int64, error) {
	day := tx.now.Truncate(24 * time.Hour)
	for try := 0; ; try++ {
		var b [8]byte
		if _, err := rand.Read(b[:]); err != nil {
			return 0, err
		}
		id := int64(binary.BigEndian.Uint64(b[:])>>2) + 1 // positive, below 2^62
		r, err := tx.ExecContext(ctx, `INSERT INTO feedback (id, meeting_id, person_id, answer_key, answers, rating, submitted_at)
			VALUES (?, ?, 0, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`, id, meetingID, key, answers, rating, ts(day))
		if err != nil {
			return 0, err
		}
		if n, _ := r.RowsAffected(); n == 1 {
			return id, nil
		} else if try == 3 {
			return 0, fmt.Errorf("no free random id")
		}
	}
}

// forgetAnswerKeys unlinks a meeting's anonymous answers from their responders for good.
func forgetAnswerKeys(ctx context.Context, tx *Tx, meetingID int64) error {
	if _, err := tx.ExecContext(ctx, `UPDATE feedback_responders SET answer_key = '' WHERE meeting_id = ? AND answer_key <> ''`, meetingID); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `UPDATE feedback SET answer_key = '' WHERE meeting_id = ? AND answer_key <> ''`, meetingID)
	return err
}

// FindFeedback returns a meeting's feedback: in submission order with
// person ids, or, in an anonymous meeting, in random order with PersonID 0
// (also for answers stored before the meeting turned anonymous). Returns
// ENOTFOUND for an unknown meeting.
func (s *FeedbackService) FindFeedback(ctx context.Context, meetingID int64) ([]*convene.Feedback, error) {
	var out []*convene.Feedback
	err := s.db.view(ctx, func(tx *Tx) (err error) {
		out, err = findFeedback(ctx, tx, meetingID)
		return err
	})
	return out, wrapf(err, "find feedback of meeting %d", meetingID)
}

func findFeedback(ctx context.Context, tx *Tx, meetingID int64) ([]*convene.Feedback, error) {
	m, err := findMeetingByID(ctx, tx, meetingID)
	if err != nil {
		return nil, err
	}
	order := `submitted_at, id`
	if m.Feedback.Anonymous {
		order = `id`
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, meeting_id, person_id, answers, rating, submitted_at FROM feedback WHERE meeting_id = ? ORDER BY `+order, meetingID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*convene.Feedback
	for rows.Next() {
		var f convene.Feedback
		var answers string
		var at int64
		if err := rows.Scan(&f.ID, &f.MeetingID, &f.PersonID, &answers, &f.Rating, &at); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(answers), &f.Answers); err != nil {
			return nil, fmt.Errorf("feedback %d: %w", f.ID, err)
		}
		if m.Feedback.Anonymous {
			f.PersonID = 0
		}
		f.SubmittedAt = tm(at)
		out = append(out, &f)
	}
	return out, rows.Err()
}

// FeedbackResponders returns the ids of people who submitted feedback, ascending.
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
	return ids, wrapf(err, "find feedback responders of meeting %d", meetingID)
}

// FindPersonFeedback returns the feedback personID submitted about the
// meeting, found by person or, in an anonymous meeting, by the answer's
// key while it is kept (until feedback closes); SubmittedAt is when they
// sent it. ENOTFOUND if there is none.
func (s *FeedbackService) FindPersonFeedback(ctx context.Context, meetingID, personID int64) (*convene.Feedback, error) {
	var f *convene.Feedback
	err := s.db.view(ctx, func(tx *Tx) error {
		var answers string
		var at int64
		v := convene.Feedback{MeetingID: meetingID, PersonID: personID}
		err := tx.QueryRowContext(ctx, `SELECT f.id, f.answers, f.rating, r.submitted_at
			FROM feedback_responders r JOIN feedback f ON f.meeting_id = r.meeting_id
				AND (f.person_id = r.person_id OR (r.answer_key <> '' AND f.answer_key = r.answer_key))
			WHERE r.meeting_id = ? AND r.person_id = ?`, meetingID, personID).Scan(&v.ID, &answers, &v.Rating, &at)
		if errors.Is(err, sql.ErrNoRows) {
			return convene.Errorf(convene.ENOTFOUND, "no feedback of person %d", personID)
		} else if err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(answers), &v.Answers); err != nil {
			return fmt.Errorf("feedback %d: %w", v.ID, err)
		}
		v.SubmittedAt = tm(at)
		f = &v
		return nil
	})
	return f, wrapf(err, "find feedback of person %d in meeting %d", personID, meetingID)
}
