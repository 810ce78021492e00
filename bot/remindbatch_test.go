package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/convene/convene"
)

// TestRemindBatchOnce: a reminder sent twice with the same batch key (a
// form submitted twice) reaches each invitee once; another batch sends
// again.
func TestRemindBatchOnce(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	u := h.user(101, "Hà")
	h.link(u, "Thu Hà")
	h.issue()
	h.invitation(u)
	h.clock.Set(h.m.StartsAt.Add(-24 * time.Hour))
	if _, err := h.bot.RemindBatch(ctx, "chi-bo-01", "all", "", "test", 0); convene.ErrorCode(err) != convene.EINVALID {
		t.Fatalf("no batch: %v", err)
	}
	for i, want := range []int{1, 0} {
		d, err := h.bot.RemindBatch(ctx, "chi-bo-01", "all", "web:abc", "test", 0)
		if err != nil || d.Queued != want {
			t.Fatalf("submit %d: %+v %v, want %d queued", i+1, d, err, want)
		}
	}
	if d, err := h.bot.RemindBatch(ctx, "chi-bo-01", "all", "web:def", "test", 0); err != nil || d.Queued != 1 {
		t.Fatalf("another batch: %+v %v", d, err)
	}
	h.settle()
	n := 0
	for _, m := range h.srv.Messages(u.ID) {
		if strings.Contains(m.Text, "Nhắc lịch") {
			n++
		}
	}
	if n != 2 {
		t.Fatalf("%d reminders reached Hà, want 2 (one per batch)", n)
	}
}
