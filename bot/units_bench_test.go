package bot_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/convene/convene"
	"github.com/convene/convene/bot"
	"github.com/convene/convene/bot/telegram"
	"github.com/convene/convene/bot/telegramtest"
	"github.com/convene/convene/outbox"
	"github.com/convene/convene/storage"
)

// stampOutbox records when the replies to each chat were enqueued.
type stampOutbox struct {
	convene.OutboxService
	mu     sync.Mutex
	queued map[string]time.Time // chat → first interactive message enqueued
}

func (o *stampOutbox) Enqueue(ctx context.Context, msgs []*convene.OutboxMessage) (int, error) {
	n, err := o.OutboxService.Enqueue(ctx, msgs)
	o.mu.Lock()
	for _, m := range msgs {
		if _, ok := o.queued[m.ChatID]; !ok && m.Interactive {
			o.queued[m.ChatID] = time.Now()
		}
	}
	o.mu.Unlock()
	return n, err
}

// unitsEnv is a meeting of 300 units × 4 categories with about 1,000
// nominations (every other nominee linked), served by the real Telegram
// adapter against the fake Telegram with Telegram's limits, the inbox and
// the dispatcher with its production limits.
type unitsEnv struct {
	srv  *telegramtest.Server
	db   *storage.DB
	svc  bot.Services
	bot  *bot.Bot
	ch   *telegram.Channel
	out  *stampOutbox
	mu   sync.Mutex
	acc  map[string]time.Time // chat → /units accepted
	orgs []*telegramtest.User
}

func newUnitsEnv(b *testing.B, organizers int) *unitsEnv {
	b.Helper()
	ctx := context.Background()
	e := &unitsEnv{srv: telegramtest.NewServer(telegramtest.Options{}), acc: map[string]time.Time{}}
	e.db = storage.NewDB(filepath.Join(b.TempDir(), "units.db"))
	if err := e.db.Open(); err != nil {
		b.Fatal(err)
	}
	db := e.db
	e.out = &stampOutbox{OutboxService: storage.NewOutboxService(db), queued: map[string]time.Time{}}
	e.svc = bot.Services{
		Meetings: storage.NewMeetingService(db), People: storage.NewPersonService(db), Invitations: storage.NewInvitationService(db),
		Outbox: e.out, Conversations: storage.NewConversationService(db), Feedback: storage.NewFeedbackService(db),
		Audit: storage.NewAuditService(db), State: storage.NewStateService(db), Plans: storage.NewPlanService(db),
		Reminders: storage.NewReminderService(db), Inbox: storage.NewInboxService(db), Units: storage.NewUnitService(db), Tx: db,
	}
	svc := e.svc
	pm := convene.PlanMeeting{
		Meeting: convene.Meeting{Code: "dh-300", Title: "Hội nghị 300 đơn vị", Timezone: "Asia/Ho_Chi_Minh",
			StartsAt: time.Now().Add(72 * time.Hour).Truncate(time.Hour)},
		Categories: []convene.Category{
			{Code: "cap-uy-co-so", Name: "Cấp ủy đảng bộ, chi bộ cơ sở", Quota: 2},
			{Code: "cap-uy-chi-bo", Name: "Cấp ủy các chi bộ trực thuộc", Quota: 2},
			{Code: "dang-vien", Name: "Đảng viên", Quota: 1},
			{Code: "bao-chi-tp", Name: "Cơ quan báo chí Thành phố", Quota: 1, Guests: true},
		},
	}
	for i := 0; i < 300; i++ {
		u := convene.Unit{Name: fmt.Sprintf("Đảng bộ Trường số %03d", i),
			Rep: convene.Representative{FullName: fmt.Sprintf("Nguyễn Văn Đại Diện %d", i), Title: "Bí thư", Phone: fmt.Sprintf("+8491%07d", i)}}
		if i%10 == 0 {
			u.Quotas = map[string]int{"dang-vien": 3, "bao-chi-tp": 0}
		}
		pm.Units = append(pm.Units, u)
	}
	if _, err := svc.Plans.ApplyPlan(ctx, &convene.Plan{Meetings: []convene.PlanMeeting{pm}}); err != nil {
		b.Fatal(err)
	}
	m, _ := svc.Meetings.FindMeetingByCode(ctx, "dh-300")
	cats, _ := svc.Meetings.FindCategories(ctx, m.ID)
	units, _ := svc.Units.FindUnits(ctx, m.ID)
	n := 0
	for _, u := range units {
		for _, c := range cats {
			if u.Quota(c) == 0 {
				continue
			}
			nom, err := svc.Units.Nominate(ctx, u.ID, c.ID, convene.Nominee{FullName: fmt.Sprintf("Đại biểu %d", n), Phone: fmt.Sprintf("+8493%07d", n)}, "bench")
			if err != nil {
				b.Fatal(err)
			}
			if n%2 == 0 {
				a, err := svc.People.TouchAccount(ctx, &convene.Account{Channel: "telegram", UserID: fmt.Sprint(n + 1_000_000), ChatID: fmt.Sprint(n + 1_000_000)})
				if err != nil {
					b.Fatal(err)
				}
				if err := svc.People.LinkAccount(ctx, a.ID, nom.PersonID); err != nil {
					b.Fatal(err)
				}
			}
			n++
		}
	}
	for k := 0; k < organizers; k++ {
		uid := int64(5000 + k)
		p := &convene.Person{FullName: fmt.Sprintf("Văn phòng %d", k), Phone: fmt.Sprintf("+8497%07d", k), Role: convene.RoleOrganizer}
		if err := svc.People.CreatePerson(ctx, p); err != nil {
			b.Fatal(err)
		}
		a, err := svc.People.TouchAccount(ctx, &convene.Account{Channel: "telegram", UserID: fmt.Sprint(uid), ChatID: fmt.Sprint(uid)})
		if err != nil {
			b.Fatal(err)
		}
		if err := svc.People.LinkAccount(ctx, a.ID, p.ID); err != nil {
			b.Fatal(err)
		}
		e.orgs = append(e.orgs, e.srv.NewUser(uid, "Văn phòng", "", "", "vi"))
	}
	texts, _ := bot.NewCatalog()
	e.bot = bot.New(svc, bot.Config{}, texts)
	e.bot.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	var err error
	if e.ch, err = telegram.New(ctx, telegram.Config{Token: e.srv.Token(), APIURL: e.srv.URL, PollTimeout: time.Second, Logger: e.bot.Logger}); err != nil {
		b.Fatal(err)
	}
	e.bot.AddChannel(e.ch)
	return e
}

// run receives (stamping when each /units is accepted), handles and delivers.
func (e *unitsEnv) run(ctx context.Context) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	d := outbox.New(outbox.Config{Outbox: e.bot.Outbox, Tx: e.db, Channel: e.bot.Channel, Channels: e.bot.ChannelNames, Render: e.bot.Render,
		OnBatchDone: e.bot.ReportBatch, Wake: e.bot.Woken(), Now: e.bot.Now, Logger: e.bot.Logger})
	var wg sync.WaitGroup
	wg.Add(3)
	go func() {
		defer wg.Done()
		_ = e.ch.Receive(ctx, func(ctx context.Context, in *bot.Incoming) error {
			if in.Command == "units" {
				e.mu.Lock()
				e.acc[in.ChatID] = time.Now()
				e.mu.Unlock()
			}
			return e.bot.Accept(ctx, in)
		})
	}()
	go func() { defer wg.Done(); _ = e.bot.RunInbox(ctx, bot.InboxConfig{}) }()
	go func() { defer wg.Done(); _ = d.Run(ctx) }()
	return func() { cancel(); wg.Wait(); e.srv.Close(); e.db.Close() }
}

func pct(d []time.Duration, p int) float64 {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return float64(s[min(len(s)-1, len(s)*p/100)].Microseconds()) / 1000
}

// BenchmarkUnitsCommand300 measures `/units CODE` for a meeting of 300
// units × 4 categories (about 1,000 nominations) end to end: an organizer
// sends it to the fake Telegram (Telegram's limits on), the real adapter
// long-polls it, the inbox stores and handles it, the dispatcher (its
// production limits) sends the reply. Twenty organizers ask in turn, each
// from their own chat, the next once the previous one's first part
// arrived. Reported, from the update being accepted (bot.Accept called):
// queued-ms, until the reply was enqueued in the handler's transaction;
// first-part-ms, until the reply's first message was delivered to the fake
// Telegram; for the first organizer, parts (messages the reply took) and
// all-parts-ms until the last was delivered; and page-turn-ms, from pressing
// the next page to its edit delivered. Limit: first part < 200 ms.
func BenchmarkUnitsCommand300(b *testing.B) {
	const asks = 20
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		e := newUnitsEnv(b, asks)
		stop := e.run(context.Background())
		b.StartTimer()
		var queued, first []time.Duration
		for _, u := range e.orgs {
			u.Send("/units dh-300")
			chat := fmt.Sprint(u.ID)
			if !e.srv.WaitFor(30*time.Second, func() bool { return len(e.srv.Messages(u.ID)) > 0 }) {
				b.Fatalf("no reply to /units in chat %s", chat)
			}
			msg := e.srv.Messages(u.ID)[0]
			if !strings.Contains(msg.Text, "ĐƠN VỊ CỬ ĐẠI BIỂU") {
				b.Fatalf("first part: %.200s", msg.Text)
			}
			e.mu.Lock()
			acc := e.acc[chat]
			e.mu.Unlock()
			e.out.mu.Lock()
			q := e.out.queued[chat]
			e.out.mu.Unlock()
			queued, first = append(queued, q.Sub(acc)), append(first, msg.Date.Sub(acc))
		}
		b.StopTimer()
		// The whole reply to the first organizer: its last part carries the pager.
		u0 := e.orgs[0]
		if !e.srv.WaitFor(120*time.Second, func() bool {
			ms := e.srv.Messages(u0.ID)
			return len(ms) > 0 && len(ms[len(ms)-1].Buttons) > 0
		}) {
			b.Fatalf("the first reply never arrived whole: %d parts", len(e.srv.Messages(u0.ID)))
		}
		ms := e.srv.Messages(u0.ID)
		parts, all := len(ms), ms[len(ms)-1].Date.Sub(e.acc[fmt.Sprint(u0.ID)])
		// Turning to the last page: press → the edit delivered.
		last := ms[len(ms)-1]
		var data string
		for _, btn := range last.Buttons[0] {
			if strings.HasPrefix(btn.Data, "pg:units:") && strings.Contains(btn.Text, "sau") {
				data = btn.Data
			}
		}
		if data == "" {
			b.Fatalf("no next-page button: %+v", last.Buttons)
		}
		time.Sleep(1100 * time.Millisecond) // the chat's rate: one a second
		pressed := time.Now()
		u0.Press(last.ID, data)
		if !e.srv.WaitFor(10*time.Second, func() bool {
			for _, m := range e.srv.Messages(u0.ID) {
				if m.ID == last.ID && m.Edits > 0 {
					return true
				}
			}
			return false
		}) {
			b.Fatal("the next page never came")
		}
		turn := time.Since(pressed)
		if !strings.Contains(e.srv.Messages(u0.ID)[len(ms)-1].Text, "Đảng bộ Trường số 010") {
			b.Fatalf("page 2: %.300s", e.srv.Messages(u0.ID)[len(ms)-1].Text)
		}
		stop()
		b.ReportMetric(pct(queued, 50), "queued-p50-ms")
		b.ReportMetric(pct(queued, 99), "queued-max-ms")
		b.ReportMetric(pct(first, 50), "first-part-p50-ms")
		b.ReportMetric(pct(first, 99), "first-part-max-ms")
		b.ReportMetric(float64(parts), "parts")
		b.ReportMetric(float64(all.Microseconds())/1000, "all-parts-ms")
		b.ReportMetric(float64(turn.Microseconds())/1000, "page-turn-ms")
		if p := pct(first, 50); p > 200 {
			b.Errorf("/units first part after %.0f ms (p50), limit 200 ms", p)
		}
		b.StartTimer()
	}
}
