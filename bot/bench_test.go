package bot_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sort"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/convene/convene"
	"github.com/convene/convene/bot"
	"github.com/convene/convene/bot/telegram"
	"github.com/convene/convene/bot/telegramtest"
	"github.com/convene/convene/storage"
)

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkAttendRush queues 2,000 delegates pressing Attend at once in the
// fake and reports RSVPs recorded and answered per second end to end, and
// the p99 time from a press to its answerCallbackQuery.
func BenchmarkAttendRush(b *testing.B) {
	const n = 2000
	for i := 0; i < b.N; i++ {
		srv := telegramtest.NewServer(telegramtest.Options{AllowUnknownChats: true})
		db := storage.NewDB(filepath.Join(b.TempDir(), "rush.db"))
		if err := db.Open(); err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		svc := bot.Services{
			Meetings: storage.NewMeetingService(db), People: storage.NewPersonService(db), Invitations: storage.NewInvitationService(db),
			Outbox: storage.NewOutboxService(db), Conversations: storage.NewConversationService(db), Feedback: storage.NewFeedbackService(db),
			Audit: storage.NewAuditService(db), State: storage.NewStateService(db), Plans: storage.NewPlanService(db),
			Inbox: storage.NewInboxService(db), Tx: db,
		}
		p := &convene.Plan{Meetings: []convene.PlanMeeting{{Meeting: convene.Meeting{Code: "rush", Title: "Hội nghị",
			StartsAt: time.Now().Add(72 * time.Hour)}, Categories: []convene.Category{{Code: "dv", Name: "Đảng viên"}}}}}
		if _, err := svc.Plans.ApplyPlan(ctx, p); err != nil {
			b.Fatal(err)
		}
		var entries []convene.RosterEntry
		for k := 0; k < n; k++ {
			entries = append(entries, convene.RosterEntry{Row: k + 2, FullName: fmt.Sprint("Đại biểu ", k), Category: "dv"})
		}
		if _, err := svc.Plans.ImportRoster(ctx, "rush", entries); err != nil {
			b.Fatal(err)
		}
		m, _ := svc.Meetings.FindMeetingByCode(ctx, "rush")
		invs, _, _ := svc.Invitations.FindInvitees(ctx, convene.InvitationFilter{MeetingID: m.ID})
		users := make([]*telegramtest.User, n)
		for k, inv := range invs {
			uid := int64(10000 + k)
			users[k] = srv.NewUser(uid, "U", "", "", "")
			a, _ := svc.People.TouchAccount(ctx, &convene.Account{Channel: "telegram", UserID: fmt.Sprint(uid), ChatID: fmt.Sprint(uid)})
			if err := svc.People.LinkAccount(ctx, a.ID, inv.PersonID); err != nil {
				b.Fatal(err)
			}
		}
		texts, _ := bot.NewCatalog()
		bt := bot.New(svc, bot.Config{}, texts)
		bt.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
		ch, err := telegram.New(ctx, telegram.Config{Token: srv.Token(), APIURL: srv.URL, Logger: bt.Logger})
		if err != nil {
			b.Fatal(err)
		}
		bt.AddChannel(ch)
		// Each delegate has the invitation message the press edits.
		msgIDs := make([]int, n)
		for k, inv := range invs {
			id, err := ch.Send(ctx, fmt.Sprint(10000+k), bot.Outgoing{Text: "Giấy mời", Buttons: [][]convene.Button{{{Text: "Tham dự", Data: fmt.Sprintf("rsvp:%d:a", inv.ID)}}}})
			if err != nil {
				b.Fatal(err)
			}
			fmt.Sscan(id, &msgIDs[k])
		}
		for k, inv := range invs {
			users[k].Press(msgIDs[k], fmt.Sprintf("rsvp:%d:a", inv.ID))
		}
		start := time.Now()
		var wg sync.WaitGroup
		wg.Add(1)
		wg.Add(1)
		go func() { defer wg.Done(); _ = ch.Receive(ctx, bt.Accept) }()
		go func() { defer wg.Done(); _ = bt.RunInbox(ctx, bot.InboxConfig{}) }()
		if !srv.WaitFor(120*time.Second, func() bool { return len(srv.Answers()) >= n }) {
			b.Fatalf("%d of %d answered", len(srv.Answers()), n)
		}
		elapsed := time.Since(start)
		st, _ := svc.Invitations.MeetingStats(ctx, m.ID)
		if st.Total.Attending != n {
			b.Fatalf("%d attending, want %d", st.Total.Attending, n)
		}
		var lat []time.Duration
		for _, a := range srv.Answers() {
			lat = append(lat, a.At.Sub(start))
		}
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		b.ReportMetric(float64(n)/elapsed.Seconds(), "rsvp/s")
		b.ReportMetric(float64(lat[len(lat)*99/100].Milliseconds()), "p99-answer-ms")
		cancel()
		wg.Wait()
		srv.Close()
		db.Close()
	}
}
