package convene

import (
	"context"
	"time"
)

// QuestionKind is how a feedback question is answered.
type QuestionKind string

// Question kinds.
const (
	QuestionText   QuestionKind = "text"
	QuestionRating QuestionKind = "rating" // 1–5 buttons
)

// Question is one feedback question of a meeting.
type Question struct {
	ID   string
	Kind QuestionKind
	Text string
}

// DefaultQuestions are the plan 82-KH/ĐU's three questions and an overall rating,
// asked when a plan names none. Their texts are shown from the catalog by id.
func DefaultQuestions() []Question {
	return []Question{
		{ID: "strengths", Kind: QuestionText},
		{ID: "weaknesses", Kind: QuestionText},
		{ID: "suggestions", Kind: QuestionText},
		{ID: "rating", Kind: QuestionRating},
	}
}

// FeedbackFrom says who may give feedback on a meeting.
type FeedbackFrom string

// Who may give feedback. The zero value means FeedbackFromAttendees.
const (
	// FeedbackFromAttendees: those who were there, checked in present or
	// late; if nobody was checked in at all (no roll call), those who said
	// they would attend.
	FeedbackFromAttendees FeedbackFrom = "attendees"
	// FeedbackFromInvitees: every invitee, whatever they answered.
	FeedbackFromInvitees FeedbackFrom = "invitees"
)

// FeedbackSettings are a meeting's feedback options.
type FeedbackSettings struct {
	Anonymous bool
	// From is who is asked and may answer; "" means attendees.
	From      FeedbackFrom
	Questions []Question // empty: DefaultQuestions
	// OpenDelay is how long after the end feedback opens; default 0.
	OpenDelay time.Duration
	// Period is how long feedback stays open after it opened; default 7 days.
	Period time.Duration
}

// QuestionList returns the questions to ask: the plan's or the defaults.
func (s FeedbackSettings) QuestionList() []Question {
	if len(s.Questions) == 0 {
		return DefaultQuestions()
	}
	return s.Questions
}

// ClosePeriod returns Period, or seven days if unset.
func (s FeedbackSettings) ClosePeriod() time.Duration {
	if s.Period <= 0 {
		return 7 * 24 * time.Hour
	}
	return s.Period
}

// Validate returns EINVALID for questions without a unique slug id, an
// unknown kind, an unknown From, or negative durations.
func (s FeedbackSettings) Validate() error {
	seen := map[string]bool{}
	for _, q := range s.Questions {
		if !ValidSlug(q.ID) {
			return Errorf(EINVALID, "feedback question id %q must be a slug", q.ID)
		}
		if seen[q.ID] {
			return Errorf(EINVALID, "feedback question id %q is used twice", q.ID)
		}
		seen[q.ID] = true
		switch q.Kind {
		case "", QuestionText, QuestionRating:
		default:
			return Errorf(EINVALID, "feedback question %s: kind %q must be text or rating", q.ID, q.Kind)
		}
		if q.Text == "" {
			return Errorf(EINVALID, "feedback question %s: text required", q.ID)
		}
	}
	switch s.From {
	case "", FeedbackFromAttendees, FeedbackFromInvitees:
	default:
		return Errorf(EINVALID, "feedback from %q must be attendees or invitees", s.From)
	}
	if s.OpenDelay < 0 || s.Period < 0 {
		return Errorf(EINVALID, "feedback durations must not be negative")
	}
	return nil
}

// Feedback is one person's answers about a meeting.
type Feedback struct {
	ID        int64
	MeetingID int64
	// PersonID is who answered; 0 when read back from an anonymous meeting.
	PersonID    int64
	Answers     map[string]string // by question id; a rating question holds "1".."5"
	Rating      int               // overall 1–5, 0: none
	SubmittedAt time.Time
}

// Validate returns EINVALID if the feedback has no meeting or a rating outside 1–5.
func (f *Feedback) Validate() error {
	if f.MeetingID == 0 {
		return Errorf(EINVALID, "feedback: meeting required")
	}
	if f.Rating < 0 || f.Rating > 5 {
		return Errorf(EINVALID, "feedback: rating must be 1 to 5")
	}
	return nil
}

// FeedbackService stores feedback.
type FeedbackService interface {
	// SubmitFeedback stores f, replacing the person's earlier feedback for the
	// meeting. In an anonymous meeting the answers are stored apart from the
	// person, who is only counted as having answered. Returns EEXPIRED after
	// feedback closed.
	SubmitFeedback(ctx context.Context, f *Feedback) error
	// FindFeedback returns a meeting's feedback, without person ids if anonymous.
	FindFeedback(ctx context.Context, meetingID int64) ([]*Feedback, error)
	// FeedbackResponders returns the ids of people who submitted feedback.
	FeedbackResponders(ctx context.Context, meetingID int64) ([]int64, error)
	// FindPersonFeedback returns what personID submitted about the meeting,
	// for them to see or send again, with the time they sent it; in an
	// anonymous meeting, while its answers can still be told apart (until
	// feedback closes). ENOTFOUND if they sent nothing (or it can no longer
	// be found).
	FindPersonFeedback(ctx context.Context, meetingID, personID int64) (*Feedback, error)
}
