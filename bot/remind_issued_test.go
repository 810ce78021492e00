package bot_test

import (
	"context"
	"testing"

	"github.com/convene/convene"
)

// TestRemindersFollowIssuedInvitations: a reminder (typed, scheduled or
// "all") and the notice of a moved meeting reach only those whose invitation
// was issued: before the office issues them, a linked delegate has nothing
// to be reminded of and no answer buttons to press.
func TestRemindersFollowIssuedInvitations(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	u := h.user(101, "Hà")
	h.link(u, "Thu Hà")
	all, err := h.bot.AudienceMessages(ctx, h.m, convene.AudienceAll, "t1")
	if err != nil {
		t.Fatal(err)
	}
	pending, err := h.bot.AudienceMessages(ctx, h.m, convene.AudiencePending, "t2")
	if err != nil {
		t.Fatal(err)
	}
	moved, err := h.bot.MovedMessages(ctx, h.m, "t3")
	if err != nil {
		t.Fatal(err)
	}
	if len(all)+len(pending)+len(moved) != 0 {
		t.Fatalf("before issuing: %d reminders to all, %d to pending, %d moved notices", len(all), len(pending), len(moved))
	}
	h.issue()
	for _, tc := range []struct {
		name string
		make func() ([]*convene.OutboxMessage, error)
	}{
		{"All", func() ([]*convene.OutboxMessage, error) {
			return h.bot.AudienceMessages(ctx, h.m, convene.AudienceAll, "t4")
		}},
		{"Pending", func() ([]*convene.OutboxMessage, error) {
			return h.bot.AudienceMessages(ctx, h.m, convene.AudiencePending, "t5")
		}},
		{"Moved", func() ([]*convene.OutboxMessage, error) { return h.bot.MovedMessages(ctx, h.m, "t6") }},
	} {
		msgs, err := tc.make()
		if err != nil {
			t.Fatal(err)
		}
		if len(msgs) != 1 || msgs[0].ChatID != itoa(u.ID) {
			t.Fatalf("%s after issuing: %d messages %+v, want one to Hà", tc.name, len(msgs), msgs)
		}
	}
}
