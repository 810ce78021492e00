package bot_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/convene/convene"
	"github.com/convene/convene/bot"
	"github.com/convene/convene/bot/telegram"
	"github.com/convene/convene/bot/telegramtest"
	"github.com/convene/convene/examples"
	"github.com/convene/convene/outbox"
	"github.com/convene/convene/plan"
	"github.com/convene/convene/report"
	"github.com/convene/convene/storage"
)

const (
	adminID     = 9000
	organizerID = 6123456789 // Đặng Thị Ngọc Trâm, organizer in the example roster
	wait        = 5 * time.Second
	// settleWait is longer: with Telegram's limits on, a chat gets about one message a second.
	settleWait = 60 * time.Second
)

// clock is the test's time: set to a moment, it runs on from there with
// the wall clock, so delays the bot waits (rate limits, retries) pass.
type clock struct {
	mu    sync.Mutex
	t     time.Time
	setAt time.Time
}

func newClock(t time.Time) *clock { return &clock{t: t, setAt: time.Now()} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t.Add(time.Since(c.setAt))
}

func (c *clock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t, c.setAt = t, time.Now() }

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// harness runs the whole bot — real SQLite, the real Telegram client
// against telegramtest, the dispatcher — with the example plan and roster.
type harness struct {
	t     *testing.T
	srv   *telegramtest.Server
	db    *storage.DB
	bot   *bot.Bot
	clock *clock
	m     *convene.Meeting
	svc   bot.Services
	// inbox tunes the inbox workers run starts; a test may set it in the
	// hook of newHarnessWith.
	inbox bot.InboxConfig
}

type quietReporter struct{ svc bot.Services }

func (r quietReporter) Report(ctx context.Context, code, format, lang string) ([]byte, string, error) {
	m, err := r.svc.Meetings.FindMeetingByCode(ctx, code)
	if err != nil {
		return nil, "", err
	}
	cats, _ := r.svc.Meetings.FindCategories(ctx, m.ID)
	invs, _, _ := r.svc.Invitations.FindInvitees(ctx, convene.InvitationFilter{MeetingID: m.ID})
	fb, _ := r.svc.Feedback.FindFeedback(ctx, m.ID)
	resp, _ := r.svc.Feedback.FeedbackResponders(ctx, m.ID)
	var b bytes.Buffer
	err = report.Write(&b, &report.Data{Meeting: m, Categories: cats, Invitees: invs, Feedback: fb, Responders: resp, Lang: lang}, format)
	return b.Bytes(), code + "." + format, err
}

// newCore sets up the database with the example plan and roster and the
// core, with no channel yet; ctx ends when the test does.
func newCore(t *testing.T) (*harness, context.Context) {
	t.Helper()
	h := &harness{t: t, clock: newClock(mustTime("2024-03-20T02:00:00Z"))}
	h.db = storage.NewDB(filepath.Join(t.TempDir(), "bot.db"))
	h.db.Now = h.clock.Now
	if err := h.db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.db.Close() })
	h.svc = bot.Services{
		Meetings: storage.NewMeetingService(h.db), People: storage.NewPersonService(h.db), Invitations: storage.NewInvitationService(h.db),
		Outbox: storage.NewOutboxService(h.db), Conversations: storage.NewConversationService(h.db), Feedback: storage.NewFeedbackService(h.db),
		Audit: storage.NewAuditService(h.db), State: storage.NewStateService(h.db), Plans: storage.NewPlanService(h.db),
		Reminders: storage.NewReminderService(h.db), Inbox: storage.NewInboxService(h.db), Units: storage.NewUnitService(h.db), Tx: h.db,
		Materials: storage.NewMaterialService(h.db),
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	p, err := plan.ParseFS(examples.FS, examples.PlanFile)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.svc.Plans.ApplyPlan(ctx, p); err != nil {
		t.Fatal(err)
	}
	entries, err := plan.ReadRoster(examples.Roster(), "csv")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.svc.Plans.ImportRoster(ctx, "chi-bo-01", entries); err != nil {
		t.Fatal(err)
	}
	h.m, _ = h.svc.Meetings.FindMeetingByCode(ctx, "chi-bo-01")
	texts, err := bot.NewCatalog()
	if err != nil {
		t.Fatal(err)
	}
	h.bot = bot.New(h.svc, bot.Config{Admins: []string{fmt.Sprint(adminID)}, NormalizePhone: plan.NormalizePhone}, texts)
	h.bot.Now = h.clock.Now
	h.bot.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	if os.Getenv("BOTLOG") != "" {
		h.bot.Logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	h.bot.Reporter = quietReporter{h.svc}
	return h, ctx
}

// run starts receiving on chs, the inbox workers and the dispatcher until the test ends.
func (h *harness) run(ctx context.Context, chs ...bot.Channel) {
	for _, ch := range chs {
		h.bot.AddChannel(ch)
	}
	d := outbox.New(outbox.Config{Outbox: h.bot.Outbox, Tx: h.db, Channel: h.bot.Channel, Channels: h.bot.ChannelNames, Render: h.bot.Render,
		OnBatchDone: h.bot.ReportBatch, Wake: h.bot.Woken(), Rate: 200, PerChat: 100, Poll: 20 * time.Millisecond, Backoff: 50 * time.Millisecond, Now: h.bot.Now,
		Logger: h.bot.Logger})
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for _, ch := range chs {
		wg.Add(1)
		go func() { defer wg.Done(); _ = ch.Receive(ctx, h.bot.Accept) }()
	}
	wg.Add(2)
	go func() {
		defer wg.Done()
		cfg := h.inbox
		cfg.Poll, cfg.Backoff = 20*time.Millisecond, 20*time.Millisecond
		_ = h.bot.RunInbox(ctx, cfg)
	}()
	go func() { defer wg.Done(); _ = d.Run(ctx) }()
	h.t.Cleanup(func() { cancel(); wg.Wait() })
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	return newHarnessWith(t, nil)
}

// newHarnessWith is newHarness with setup run on the core before anything
// starts: a test may replace a service (h.bot.Services) or tune h.inbox.
func newHarnessWith(t *testing.T, setup func(h *harness)) *harness {
	t.Helper()
	h, ctx := newCore(t)
	if setup != nil {
		setup(h)
	}
	h.srv = telegramtest.NewServer(telegramtest.Options{Username: "hop_bot"})
	t.Cleanup(h.srv.Close)
	ch, err := telegram.New(ctx, telegram.Config{Token: h.srv.Token(), APIURL: h.srv.URL, PollTimeout: time.Second, Logger: h.bot.Logger,
		Files: h.bot.Materials})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.svc.State.SetState(ctx, "telegram.username", ch.Username()); err != nil {
		t.Fatal(err)
	}
	h.run(ctx, ch)
	return h
}

// invitee returns the example invitee whose name contains name.
func (h *harness) invitee(name string) *convene.Invitee {
	h.t.Helper()
	invs, _, err := h.svc.Invitations.FindInvitees(context.Background(), convene.InvitationFilter{MeetingID: h.m.ID, Name: name})
	if err != nil || len(invs) != 1 {
		h.t.Fatalf("invitee %q: %v (%d found)", name, err, len(invs))
	}
	return invs[0]
}

// user adds a Telegram user.
func (h *harness) user(id int64, name string) *telegramtest.User {
	return h.srv.NewUser(id, name, "", "", "vi")
}

// settle waits until the bot has handled every stored update and sent
// every queued message, so what a test reads next is the answer to what it
// does next, not a late answer to something before.
func (h *harness) settle() {
	h.t.Helper()
	ctx := context.Background()
	ok := h.srv.WaitFor(settleWait, func() bool {
		waiting, _, err1 := h.svc.Inbox.InboxCounts(ctx)
		depth, err2 := h.svc.Outbox.QueueDepth(ctx)
		return err1 == nil && err2 == nil && waiting == 0 && depth == 0
	})
	if !ok {
		h.t.Fatal("the bot did not settle: updates or messages still waiting")
	}
}

// send makes u write text and waits until the bot has replied n more messages (edits don't count).
func (h *harness) send(u *telegramtest.User, text string, n int) []telegramtest.Message {
	h.t.Helper()
	h.settle()
	before := len(h.srv.Messages(u.ID))
	u.Send(text)
	return h.waitNew(u.ID, before, n)
}

func (h *harness) waitNew(chat int64, before, n int) []telegramtest.Message {
	h.t.Helper()
	ms := h.srv.WaitMessages(wait, chat, before+n)
	if len(ms) < before+n {
		h.t.Fatalf("chat %d: %d new messages, want %d; last: %q", chat, len(ms)-before, n, lastText(ms))
	}
	return ms[before:]
}

// press presses data on msg and waits until the press was answered.
func (h *harness) press(u *telegramtest.User, msgID int, data string) {
	h.t.Helper()
	_, cb := u.Press(msgID, data)
	if !h.srv.WaitFor(wait, func() bool { return h.srv.Answered(cb) }) {
		h.t.Fatalf("press %s not answered", data)
	}
	h.settle()
}

// link opens the personal link of the invitee named name as u.
func (h *harness) link(u *telegramtest.User, name string) {
	h.t.Helper()
	inv := h.invitee(name)
	ms := h.send(u, "/start "+inv.Token, 1)
	if !strings.Contains(ms[0].Text, "Đã liên kết") {
		h.t.Fatalf("linking %s: %q", name, ms[0].Text)
	}
}

// organizer links the example organizer's account and returns it.
func (h *harness) organizer() *telegramtest.User {
	u := h.user(organizerID, "Trâm")
	h.link(u, "Ngọc Trâm")
	return u
}

// issue issues the invitations as the admin from the shell.
func (h *harness) issue() {
	h.t.Helper()
	if _, err := h.bot.IssueInvitations(context.Background(), "chi-bo-01", "test", 0); err != nil {
		h.t.Fatal(err)
	}
}

// invitation waits for the invitation message in u's chat and returns it.
func (h *harness) invitation(u *telegramtest.User) telegramtest.Message {
	h.t.Helper()
	var got *telegramtest.Message
	h.srv.WaitFor(wait, func() bool {
		for _, m := range h.srv.Messages(u.ID) {
			if strings.Contains(m.Text, "GIẤY MỜI") || strings.Contains(m.Text, "INVITATION") {
				m := m
				got = &m
				return true
			}
		}
		return false
	})
	if got == nil {
		h.t.Fatalf("no invitation for %d; last %q", u.ID, lastText(h.srv.Messages(u.ID)))
	}
	return *got
}

func lastText(ms []telegramtest.Message) string {
	if len(ms) == 0 {
		return ""
	}
	return ms[len(ms)-1].Text
}

// contains waits until a message to chat contains s.
func (h *harness) contains(chat int64, s string) telegramtest.Message {
	h.t.Helper()
	var got telegramtest.Message
	ok := h.srv.WaitFor(wait, func() bool {
		for _, m := range h.srv.Messages(chat) {
			if strings.Contains(m.Text, s) {
				got = m
				return true
			}
		}
		return false
	})
	if !ok {
		h.t.Fatalf("chat %d never got %q; last %q", chat, s, lastText(h.srv.Messages(chat)))
	}
	return got
}

func (h *harness) rsvp(name string) *convene.Invitee {
	return h.invitee(name)
}

// text renders a catalog text in Vietnamese, so a test waits for what the
// bot says without copying the catalog's wording.
func (h *harness) text(id string, kv ...any) string {
	data := map[string]any{}
	for i := 0; i+1 < len(kv); i += 2 {
		data[kv[i].(string)] = kv[i+1]
	}
	return h.bot.Texts.T("vi", id, data)
}

// sendFor makes u write text and waits for a new message that contains want,
// however many others (invitations, reports) arrive meanwhile.
func (h *harness) sendFor(u *telegramtest.User, text, want string) telegramtest.Message {
	h.t.Helper()
	h.settle()
	before := len(h.srv.Messages(u.ID))
	u.Send(text)
	return h.newContaining(u.ID, before, want)
}

// newContaining waits for a message to chat after the first before that contains want.
func (h *harness) newContaining(chat int64, before int, want string) telegramtest.Message {
	h.t.Helper()
	var got telegramtest.Message
	ok := h.srv.WaitFor(wait, func() bool {
		ms := h.srv.Messages(chat)
		for _, m := range ms[min(before, len(ms)):] {
			if strings.Contains(m.Text, want) {
				got = m
				return true
			}
		}
		return false
	})
	if !ok {
		h.t.Fatalf("chat %d never got %q; last %q", chat, want, lastText(h.srv.Messages(chat)))
	}
	return got
}

// count returns how many messages to chat contain s.
func (h *harness) count(chat int64, s string) int {
	n := 0
	for _, m := range h.srv.Messages(chat) {
		if strings.Contains(m.Text, s) {
			n++
		}
	}
	return n
}
