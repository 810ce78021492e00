package bot

import (
	"context"
	"time"

	"github.com/convene/convene"
)

// Check-in modes: how a meeting's venue shows its check-in code.
const (
	// CheckinStatic is one code for the whole meeting, as on the printed
	// poster; the default.
	CheckinStatic = "static"
	// CheckinRotating is a new code every CheckinWindow on the venue
	// screen, each accepted for CheckinWindows windows; the static code is
	// refused.
	CheckinRotating = "rotating"
)

// CheckinWindow is how long the venue screen shows one rotating code.
const CheckinWindow = 30 * time.Second

// CheckinWindows is how many windows a rotating code is accepted in: its
// own and the ones after it, so a code lives at most 90 s and a photo of it
// sent to someone outside stops working within two minutes.
const CheckinWindows = 3

func checkinWindowAt(t time.Time) int64 { return t.Unix() / int64(CheckinWindow/time.Second) }

// checkinWindowValid reports whether a code of window w is accepted at now.
func checkinWindowValid(w int64, now time.Time) bool {
	cur := checkinWindowAt(now)
	return w <= cur && w > cur-CheckinWindows
}

func checkinModeKey(meetingID int64) string { return "checkin.mode:" + itoa(meetingID) }

// CheckinMode returns how the meeting's venue shows its check-in code:
// CheckinStatic (the default) or CheckinRotating.
func (b *Bot) CheckinMode(ctx context.Context, m *convene.Meeting) (string, error) {
	return b.checkin.CheckinMode(ctx, m)
}

// CheckinMode does the work of Bot.CheckinMode.
func (h *checkinHandlers) CheckinMode(ctx context.Context, m *convene.Meeting) (string, error) {
	v, err := h.State.GetState(ctx, checkinModeKey(m.ID))
	if err != nil || v != CheckinRotating {
		return CheckinStatic, err
	}
	return v, nil
}

// SetCheckinMode sets how the meeting's venue shows its check-in code and
// records who did it. Returns EINVALID for a mode other than CheckinStatic
// or CheckinRotating.
func (b *Bot) SetCheckinMode(ctx context.Context, m *convene.Meeting, mode, actor string) error {
	return b.checkin.SetCheckinMode(ctx, m, mode, actor)
}

// SetCheckinMode does the work of Bot.SetCheckinMode.
func (h *checkinHandlers) SetCheckinMode(ctx context.Context, m *convene.Meeting, mode, actor string) error {
	if mode != CheckinStatic && mode != CheckinRotating {
		return convene.Errorf(convene.EINVALID, "check-in mode %q must be static or rotating", mode)
	}
	if err := h.State.SetState(ctx, checkinModeKey(m.ID), mode); err != nil {
		return err
	}
	return h.Audit.RecordAudit(ctx, &convene.AuditEntry{Actor: actor, Action: "checkin-mode", MeetingID: m.ID,
		Subject: "meeting:" + itoa(m.ID), Detail: mode})
}

// RotatingCheckinLink returns the meeting's check-in deep link of the
// current window and when the next window starts, for the venue screen.
func (b *Bot) RotatingCheckinLink(ctx context.Context, m *convene.Meeting) (link string, next time.Time, err error) {
	return b.checkin.RotatingCheckinLink(ctx, m)
}

// RotatingCheckinLink does the work of Bot.RotatingCheckinLink.
func (h *checkinHandlers) RotatingCheckinLink(ctx context.Context, m *convene.Meeting) (link string, next time.Time, err error) {
	secret, err := h.checkinSecret(ctx)
	if err != nil {
		return "", time.Time{}, err
	}
	w := checkinWindowAt(h.Now())
	next = time.Unix((w+1)*int64(CheckinWindow/time.Second), 0)
	return h.Link(ctx, checkinCode{Window: w}.signed(secret, m).encode()), next, nil
}
