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

// rushEnv is a bot with n linked delegates, each holding the invitation
// message their press edits, against a fake Telegram with Telegram's limits.
type rushEnv struct {
	srv    *telegramtest.Server
	db     *storage.DB
	svc    bot.Services
	bot    *bot.Bot
	ch     *telegram.Channel
	m      *convene.Meeting
	users  []*telegramtest.User
	invs   []*convene.Invitee
	msgIDs []int
}

func newRushEnv(b *testing.B, n int) *rushEnv {
	b.Helper()
	e := &rushEnv{srv: telegramtest.NewServer(telegramtest.Options{AllowUnknownChats: true, NoLimits: true})}
	e.db = storage.NewDB(filepath.Join(b.TempDir(), "rush.db"))
	if err := e.db.Open(); err != nil {
		b.Fatal(err)
	}
	db := e.db
	ctx := context.Background()
	e.svc = bot.Services{
		Meetings: storage.NewMeetingService(db), People: storage.NewPersonService(db), Invitations: storage.NewInvitationService(db),
		Outbox: storage.NewOutboxService(db), Conversations: storage.NewConversationService(db), Feedback: storage.NewFeedbackService(db),
		Audit: storage.NewAuditService(db), State: storage.NewStateService(db), Plans: storage.NewPlanService(db),
		Inbox: storage.NewInboxService(db), Units: storage.NewUnitService(db), Tx: db,
	}
	svc := e.svc
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
	e.m, _ = svc.Meetings.FindMeetingByCode(ctx, "rush")
	e.invs, _, _ = svc.Invitations.FindInvitees(ctx, convene.InvitationFilter{MeetingID: e.m.ID})
	e.users = make([]*telegramtest.User, n)
	for k, inv := range e.invs {
		uid := int64(10000 + k)
		e.users[k] = e.srv.NewUser(uid, "U", "", "", "")
		a, _ := svc.People.TouchAccount(ctx, &convene.Account{Channel: "telegram", UserID: fmt.Sprint(uid), ChatID: fmt.Sprint(uid)})
		if err := svc.People.LinkAccount(ctx, a.ID, inv.PersonID); err != nil {
			b.Fatal(err)
		}
	}
	texts, _ := bot.NewCatalog()
	e.bot = bot.New(svc, bot.Config{}, texts)
	e.bot.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	var err error
	e.ch, err = telegram.New(ctx, telegram.Config{Token: e.srv.Token(), APIURL: e.srv.URL, Logger: e.bot.Logger})
	if err != nil {
		b.Fatal(err)
	}
	e.bot.AddChannel(e.ch)
	e.msgIDs = make([]int, n)
	for k, inv := range e.invs {
		id, err := e.ch.Send(ctx, fmt.Sprint(10000+k), bot.Outgoing{Text: "Giấy mời", Buttons: [][]convene.Button{{{Text: "Tham dự", Data: fmt.Sprintf("rsvp:%d:a", inv.ID)}}}})
		if err != nil {
			b.Fatal(err)
		}
		fmt.Sscan(id, &e.msgIDs[k])
	}
	e.srv.SetLimits(telegramtest.TelegramLimits)
	return e
}

// run receives and handles updates (no dispatcher: the answers to presses
// are what is measured; the edits and replies they queue wait in the outbox).
func (e *rushEnv) run(ctx context.Context) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); _ = e.ch.Receive(ctx, e.bot.Accept) }()
	go func() { defer wg.Done(); _ = e.bot.RunInbox(ctx, bot.InboxConfig{}) }()
	return func() { cancel(); wg.Wait(); e.srv.Close(); e.db.Close() }
}

func (e *rushEnv) press(k int) string {
	_, cb := e.users[k].Press(e.msgIDs[k], fmt.Sprintf("rsvp:%d:a", e.invs[k].ID))
	return cb
}

// BenchmarkAttendRush has 2,000 delegates press Attend at once and reports
// presses recorded and answered per second (the drain rate) and the p99
// time from the rush to a press's answerCallbackQuery. Each press is one
// write transaction: inbox done, RSVP, audit and the queued edit and reply.
func BenchmarkAttendRush(b *testing.B) {
	const n = 2000
	for i := 0; i < b.N; i++ {
		e := newRushEnv(b, n)
		for k := range e.users {
			e.press(k)
		}
		start := time.Now()
		stop := e.run(context.Background())
		if !e.srv.WaitFor(120*time.Second, func() bool { return len(e.srv.Answers()) >= n }) {
			b.Fatalf("%d of %d answered", len(e.srv.Answers()), n)
		}
		elapsed := time.Since(start)
		st, _ := e.svc.Invitations.MeetingStats(context.Background(), e.m.ID)
		if st.Total.Attending != n {
			b.Fatalf("%d attending, want %d", st.Total.Attending, n)
		}
		var lat []time.Duration
		for _, a := range e.srv.Answers() {
			lat = append(lat, a.At.Sub(start))
		}
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		b.ReportMetric(float64(n)/elapsed.Seconds(), "rsvp/s")
		b.ReportMetric(float64(lat[len(lat)*99/100].Milliseconds()), "p99-answer-ms")
		stop()
	}
}

// BenchmarkAttendSteady has delegates press Attend at a steady 500 a second
// for 10 s and reports the p99 and worst time from a press to its
// answerCallbackQuery.
func BenchmarkAttendSteady(b *testing.B) {
	const perSecond, seconds = 500, 10
	const n = perSecond * seconds
	for i := 0; i < b.N; i++ {
		e := newRushEnv(b, n)
		stop := e.run(context.Background())
		pressed := make(map[string]time.Time, n)
		tick := time.NewTicker(time.Second / perSecond)
		for k := 0; k < n; k++ {
			<-tick.C
			pressed[e.press(k)] = time.Now()
		}
		tick.Stop()
		if !e.srv.WaitFor(60*time.Second, func() bool { return len(e.srv.Answers()) >= n }) {
			b.Fatalf("%d of %d answered", len(e.srv.Answers()), n)
		}
		var lat []time.Duration
		for _, a := range e.srv.Answers() {
			lat = append(lat, a.At.Sub(pressed[a.ID]))
		}
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-answer-ms")
		b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "max-answer-ms")
		stop()
	}
}
