package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/convene/convene"
)

// TestCloseFeedback: an organizer closing feedback ends it at once, as the
// scheduler does after the feedback period: the meeting is closed, a
// delegate's /feedback finds nothing to answer, and closing again or
// before opening is refused.
func TestCloseFeedback(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	u := h.user(101, "Hà")
	h.link(u, "Thu Hà")
	h.attend(u, "Thu Hà")
	h.clock.Set(h.m.End().Add(time.Minute))
	if err := h.bot.CloseFeedback(ctx, "chi-bo-01", "test"); convene.ErrorCode(err) != convene.EINVALID {
		t.Fatalf("closing before opening: %v", err)
	}
	if _, err := h.bot.OpenFeedback(ctx, "chi-bo-01", "test"); err != nil {
		t.Fatal(err)
	}
	h.contains(u.ID, "đề nghị đồng chí cho ý kiến góp ý")
	if err := h.bot.CloseFeedback(ctx, "chi-bo-01", "telegram:6123456789"); err != nil {
		t.Fatal(err)
	}
	m, err := h.svc.Meetings.FindMeetingByCode(ctx, "chi-bo-01")
	if err != nil {
		t.Fatal(err)
	}
	if m.Status != convene.StatusClosed || m.FeedbackClosedAt.IsZero() {
		t.Fatalf("meeting after closing: %s, closed at %v", m.Status, m.FeedbackClosedAt)
	}
	h.clock.Set(h.clock.Now().Add(time.Second))
	if ms := h.send(u, "/feedback", 1); !strings.Contains(ms[0].Text, "không có hội nghị nào đang lấy ý kiến") {
		t.Fatalf("after closing: %q", ms[0].Text)
	}
	if err := h.bot.CloseFeedback(ctx, "chi-bo-01", "test"); convene.ErrorCode(err) != convene.ECONFLICT {
		t.Fatalf("closing twice: %v", err)
	}
}
