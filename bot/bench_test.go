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

// BenchmarkDispatchAtLimit sends 5,000 messages through telegramtest
// enforcing a bot-wide limit L = 300/s with --send-rate L and reports
// delivered/s ÷ L, the share of 429s, and CPU time per message (which
// includes the fake server's own work, so it overstates the dispatcher's).
func BenchmarkDispatchAtLimit(b *testing.B) {
	for _, limit := range []float64{300, 1000} {
		b.Run(fmt.Sprintf("L=%.0f", limit), func(b *testing.B) { benchDispatch(b, limit) })
	}
}

func benchDispatch(b *testing.B, limit float64) {
	const count = 5000
	for i := 0; i < b.N; i++ {
		e := newDispatchEnv(b, 500, telegramtest.Limits{PerSecond: limit, PerChat: 30, ChatBurst: 30}, bot.DispatchConfig{Rate: limit, PerChat: 30, InFlight: 32})
		cpu0, start := cpuTime(), time.Now()
		e.enqueue(b, count, fmt.Sprint("bench", i), 0)
		for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			if n, _ := e.outbox.QueueDepth(context.Background()); n == 0 {
				break
			}
			if time.Now().After(deadline) {
				b.Fatal("not all delivered")
			}
		}
		elapsed, cpu := time.Since(start), cpuTime()-cpu0
		if st, _ := e.outbox.BatchStats(context.Background(), fmt.Sprint("bench", i)); st.Sent != count {
			b.Fatalf("sent %d of %d", st.Sent, count)
		}
		st := e.srv.Stats()
		b.ReportMetric(float64(count)/elapsed.Seconds()/limit, "rate/limit")
		b.ReportMetric(float64(st.TooMany)/float64(count)*100, "429-%")
		b.ReportMetric(float64(cpu.Microseconds())/count, "cpu-µs/msg")
		e.stop()
	}
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
