package bot

import (
	"context"

	"github.com/convene/convene"
)

// CloseFeedback closes the meeting's feedback now, as the scheduler does
// when the feedback period ends: no answers are taken after it, nudges are
// skipped and the meeting is closed. The update and its audit entry commit
// in one transaction. Returns EINVALID if feedback was never opened and
// ECONFLICT if it is already closed.
func (b *Bot) CloseFeedback(ctx context.Context, code, actor string) error {
	return b.feedback.CloseFeedback(ctx, code, actor)
}

// CloseFeedback does the work of Bot.CloseFeedback.
func (h *feedbackHandlers) CloseFeedback(ctx context.Context, code, actor string) error {
	_, err := inTx(ctx, h.core, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, h.closeFeedback(ctx, code, actor)
	})
	return err
}

func (h *feedbackHandlers) closeFeedback(ctx context.Context, code, actor string) error {
	m, err := h.Meetings.FindMeetingByCode(ctx, code)
	if err != nil {
		return err
	}
	now := h.Now()
	switch {
	case m.FeedbackOpenedAt.IsZero():
		return convene.Errorf(convene.EINVALID, "feedback for %s was never opened", m.Code)
	case !m.FeedbackClosedAt.IsZero() && !now.Before(m.FeedbackClosedAt):
		return convene.Errorf(convene.ECONFLICT, "feedback for %s is already closed", m.Code)
	}
	st := convene.StatusClosed
	if _, err := h.Meetings.UpdateMeeting(ctx, m.ID, convene.MeetingUpdate{Status: &st, FeedbackClosedAt: &now}); err != nil {
		return err
	}
	return h.Audit.RecordAudit(ctx, &convene.AuditEntry{Actor: actor, Action: "feedback-close", MeetingID: m.ID,
		Subject: "meeting:" + itoa(m.ID)})
}
