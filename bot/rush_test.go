package bot_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/convene/convene"
	"github.com/convene/convene/bot/telegramtest"
	"github.com/convene/convene/plan"
)

// rushRoster imports n more delegates into the example meeting and returns
// them with a Telegram user each (who wrote to the bot once, unlinked).
func rushRoster(t *testing.T, h *harness, n int) ([]*convene.Invitee, []*telegramtest.User) {
	t.Helper()
	var csv strings.Builder
	csv.WriteString("full_name,category,phone\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&csv, "Đại biểu Số %d,dang-vien,09%08d\n", i, 20000000+i)
	}
	entries, err := plan.ReadRoster(strings.NewReader(csv.String()), "csv")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.svc.Plans.ImportRoster(context.Background(), "chi-bo-01", entries); err != nil {
		t.Fatal(err)
	}
	all, _, err := h.svc.Invitations.FindInvitees(context.Background(), convene.InvitationFilter{MeetingID: h.m.ID})
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]*convene.Invitee{}
	for _, inv := range all {
		byName[inv.Person.FullName] = inv
	}
	invs := make([]*convene.Invitee, n)
	users := make([]*telegramtest.User, n)
	for i := range invs {
		invs[i] = byName[fmt.Sprintf("Đại biểu Số %d", i)]
		users[i] = h.user(int64(30000+i), fmt.Sprint("Số ", i))
	}
	return invs, users
}

// TestRushAtTelegramLimits has hundreds of people act at once against a
// fake Telegram enforcing Telegram's limits (30/s bot-wide, burst 5; 1/s
// per chat): every one of them gets the answer to what they did; nothing
// is dropped on a 429.
func TestRushAtTelegramLimits(t *testing.T) {
	if testing.Short() {
		t.Skip("hundreds of messages at Telegram's pace")
	}
	const n = 300
	h := newHarness(t)
	invs, users := rushRoster(t, h, n)

	t.Run("LinkAtOnce", func(t *testing.T) {
		for i, u := range users {
			u.Send("/start " + invs[i].Token)
		}
		answered := func() int { return h.usersWith(users, "Đại biểu Số") }
		if !h.srv.WaitFor(90*time.Second, func() bool { return answered() == n }) {
			t.Fatalf("%d of %d linking delegates got their answer (429s from the fake: %d)", answered(), n, h.srv.Stats().TooMany)
		}
		t.Logf("%d linked and answered; 429s from the fake: %d", n, h.srv.Stats().TooMany)
	})

	t.Run("CheckInAtOnce", func(t *testing.T) {
		h.settle()
		h.clock.Set(h.m.StartsAt.Add(-5 * time.Minute))
		link, err := h.bot.CheckinLink(context.Background(), h.m)
		if err != nil {
			t.Fatal(err)
		}
		payload := link[strings.Index(link, "start=")+6:]
		for _, u := range users {
			u.Send("/start " + payload)
		}
		confirmed := func() int { return h.usersWith(users, "Đã điểm danh") }
		if !h.srv.WaitFor(90*time.Second, func() bool { return confirmed() == n }) {
			t.Fatalf("%d of %d checking in got the confirmation", confirmed(), n)
		}
		st, err := h.svc.Invitations.MeetingStats(context.Background(), h.m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if st.Total.Present < n {
			t.Fatalf("%d present, want at least %d", st.Total.Present, n)
		}
	})

	t.Run("RepliesDuringBroadcast", func(t *testing.T) {
		h.settle()
		delivery, err := h.bot.Broadcast(context.Background(), convene.InvitationFilter{MeetingID: h.m.ID}, "Thông báo: hội nghị bắt đầu đúng giờ.", "rush-bc", "test", 0)
		if err != nil {
			t.Fatal(err)
		}
		if delivery.Queued < n {
			t.Fatalf("broadcast queued %d, want at least %d", delivery.Queued, n)
		}
		time.Sleep(500 * time.Millisecond) // the broadcast is under way
		asking := users[n-20:]
		for _, u := range asking {
			u.Send("/help")
		}
		helped := func() int { return h.usersWith(asking, "/my") }
		if !h.srv.WaitFor(90*time.Second, func() bool { return helped() == len(asking) }) {
			t.Fatalf("%d of %d got their reply during the broadcast", helped(), len(asking))
		}
		st, _ := h.svc.Outbox.BatchStats(context.Background(), "rush-bc")
		t.Logf("all %d replies delivered while the broadcast had %d of %d still to send", len(asking), st.Queued+st.Sending, delivery.Queued)
		if st.Queued+st.Sending == 0 {
			t.Error("the broadcast finished before the replies: replies did not go first")
		}
		h.settle()
		st, _ = h.svc.Outbox.BatchStats(context.Background(), "rush-bc")
		if st.Sent != delivery.Queued {
			t.Fatalf("broadcast: %+v, want all %d sent", st, delivery.Queued)
		}
	})
}

// usersWith counts the users who received a message containing s.
func (h *harness) usersWith(users []*telegramtest.User, s string) int {
	k := 0
	for _, u := range users {
		for _, m := range h.srv.Messages(u.ID) {
			if strings.Contains(m.Text, s) {
				k++
				break
			}
		}
	}
	return k
}
