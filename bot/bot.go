// Package bot is the channel-neutral conversation core: it routes updates
// from any Channel to handlers, keeps multi-step flows in the database,
// renders every text from the catalog, and dispatches the outbox.
package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/convene/convene"
)

// Services are the domain services the core uses.
type Services struct {
	Meetings      convene.MeetingService
	People        convene.PersonService
	Invitations   convene.InvitationService
	Outbox        convene.OutboxService
	Conversations convene.ConversationService
	Feedback      convene.FeedbackService
	Audit         convene.AuditService
	State         convene.StateService
	Plans         convene.PlanService
	Reminders     convene.ReminderService
}

// Reporter renders a meeting's report; cmd wires it to package report.
type Reporter interface {
	// Report returns the report in format ("md", "csv", …) and lang, with a file name.
	Report(ctx context.Context, meetingCode, format, lang string) (data []byte, name string, err error)
}

// Config holds the core's settings.
type Config struct {
	// Admins are "channel:userID" entries, e.g. "telegram:12345".
	Admins []string
	// Lang is the default language, "vi" unless set.
	Lang string
	// PageSize is how many rows a paged list shows; default 10.
	PageSize int
	// LateAfter is how long after the start a check-in counts as late; default 15m.
	LateAfter time.Duration
	// CheckinOpens is how long before the start the check-in link works; default 60m.
	CheckinOpens time.Duration
	// NormalizePhone turns a shared phone number into E.164; cmd sets it to the
	// roster's normaliser so both agree.
	NormalizePhone func(string) (string, error)
}

// Bot is the conversation core shared by every channel.
type Bot struct {
	Services
	Config
	Texts    *Catalog
	Reporter Reporter
	Logger   *slog.Logger
	// Now is the clock; tests set it.
	Now func() time.Time

	mu       sync.RWMutex
	channels map[string]Channel
	admins   map[string]bool
	// wake nudges the dispatcher when something was enqueued.
	wake chan struct{}
}

// New returns a core using svc. Add channels with AddChannel.
func New(svc Services, cfg Config, texts *Catalog) *Bot {
	if cfg.Lang == "" {
		cfg.Lang = "vi"
	}
	if cfg.PageSize <= 0 {
		cfg.PageSize = 10
	}
	if cfg.LateAfter <= 0 {
		cfg.LateAfter = 15 * time.Minute
	}
	if cfg.CheckinOpens <= 0 {
		cfg.CheckinOpens = 60 * time.Minute
	}
	b := &Bot{
		Services: svc, Config: cfg, Texts: texts,
		Logger: slog.Default(), Now: time.Now,
		channels: map[string]Channel{}, admins: map[string]bool{},
		wake: make(chan struct{}, 1),
	}
	for _, a := range cfg.Admins {
		a = strings.TrimSpace(a)
		if a == "" {
			continue
		}
		if !strings.Contains(a, ":") {
			a = "telegram:" + a
		}
		b.admins[a] = true
	}
	return b
}

// AddChannel registers ch so the core can send through it.
func (b *Bot) AddChannel(ch Channel) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.channels[ch.Name()] = ch
}

// Channel returns the registered channel of that name, or nil.
func (b *Bot) Channel(name string) Channel {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.channels[name]
}

func (b *Bot) channelNames() []string {
	b.mu.RLock()
	defer b.mu.RUnlock()
	names := make([]string, 0, len(b.channels))
	for n := range b.channels {
		names = append(names, n)
	}
	return names
}

// Request is one incoming update with who sent it.
type Request struct {
	*Incoming
	Account   *convene.Account
	Person    *convene.Person // nil until linked
	Lang      string
	Admin     bool
	Organizer bool // admins are organizers too
	channel   Channel
	// flowData is the data of the flow being continued, if any.
	flowData map[string]string
}

// Actor names the sender for the audit log.
func (r *Request) Actor() string { return r.Account.Channel + ":" + r.Account.UserID }

// Handle processes one update: it records the account, works out the
// sender's role and language, routes the update, and replies with a clear
// text to any error. It recovers from panics. Repeated update ids are
// ignored.
func (b *Bot) Handle(ctx context.Context, in *Incoming) (err error) {
	ch := b.Channel(in.Channel)
	if ch == nil {
		return fmt.Errorf("handle: unknown channel %q", in.Channel)
	}
	if in.UpdateID != "" {
		seen, err := b.State.SeenUpdate(ctx, in.Channel, in.UpdateID)
		if err != nil {
			return fmt.Errorf("handle: %w", err)
		}
		if seen {
			b.Logger.Debug("repeated update ignored", "channel", in.Channel, "update", in.UpdateID)
			return nil
		}
	}
	// Proactive messages go to the private chat: on Telegram and Zalo its id
	// is the user's; a group or someone else's message must not replace it.
	chat := in.UserID
	if in.Private {
		chat = in.ChatID
	}
	acc, err := b.People.TouchAccount(ctx, &convene.Account{
		Channel: in.Channel, UserID: in.UserID, ChatID: chat, Name: in.Name, Reachable: true,
	})
	if err != nil {
		return fmt.Errorf("handle: touch account: %w", err)
	}
	r := &Request{Incoming: in, Account: acc, channel: ch}
	if acc.PersonID != 0 {
		if r.Person, err = b.People.FindPersonByID(ctx, acc.PersonID); err != nil {
			return fmt.Errorf("handle: %w", err)
		}
	}
	b.identify(r)
	defer func() {
		if p := recover(); p != nil {
			b.Logger.Error("panic in handler", "panic", p, "stack", string(debug.Stack()))
			err = fmt.Errorf("panic: %v", p)
			b.replyError(ctx, r, err)
		}
	}()
	if err := b.route(ctx, r); err != nil && !errors.Is(err, errAnswered) {
		b.replyError(ctx, r, err)
		if convene.ErrorCode(err) == convene.EINTERNAL {
			return err
		}
	}
	return nil
}

// errAnswered stops a handler whose helper already told the user why.
var errAnswered = errors.New("answered")

// identify sets the request's language and roles.
func (b *Bot) identify(r *Request) {
	r.Admin = b.admins[r.Account.Channel+":"+r.Account.UserID]
	r.Organizer = r.Admin || (r.Person != nil && r.Person.Role == convene.RoleOrganizer)
	r.Lang = b.Lang
	switch {
	case r.Account.Lang != "":
		r.Lang = r.Account.Lang
	case r.Person != nil && r.Person.Lang != "":
		r.Lang = r.Person.Lang
	}
}

// IsAdmin reports whether the account is a configured admin.
func (b *Bot) IsAdmin(channel, userID string) bool { return b.admins[channel+":"+userID] }

// replyError maps an error's code to the reply a person sees; the one place this happens.
func (b *Bot) replyError(ctx context.Context, r *Request, err error) {
	ids := map[string]string{
		convene.ENOTFOUND: "err.not_found", convene.EFORBIDDEN: "err.forbidden", convene.EINVALID: "err.invalid",
		convene.ECONFLICT: "err.conflict", convene.EEXPIRED: "err.expired",
	}
	code := convene.ErrorCode(err)
	id, ok := ids[code]
	if ok {
		b.Logger.Info("request refused", "code", code, "detail", convene.ErrorMessage(err), "actor", r.Actor())
	} else {
		b.Logger.Error("handler failed", "channel", r.Channel, "user", r.UserID, "err", err)
		id = "err.internal"
	}
	if r.CallbackID != "" {
		_ = r.channel.Answer(ctx, r.CallbackID, "")
	}
	b.reply(ctx, r, Outgoing{Text: b.Texts.T(r.Lang, id, nil)})
}

// t renders a text in the request's language.
func (b *Bot) t(r *Request, id string, kv ...any) string {
	return b.Texts.T(r.Lang, id, kvMap(kv))
}

func kvMap(kv []any) map[string]any {
	if len(kv) == 0 {
		return nil
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return m
}

// reply sends m to the requester's chat directly (not through the outbox:
// it answers what they just did). Choices become a numbered list on
// channels without buttons.
func (b *Bot) reply(ctx context.Context, r *Request, m Outgoing) string {
	id, err := r.channel.Send(ctx, r.ChatID, b.fit(ctx, r.Account.ID, r.channel.Caps(), r.Lang, m))
	if err != nil {
		b.Logger.Warn("reply failed", "channel", r.Channel, "chat", r.ChatID, "err", err)
	}
	return id
}

// say replies with one catalog text.
func (b *Bot) say(ctx context.Context, r *Request, id string, kv ...any) {
	b.reply(ctx, r, Outgoing{Text: b.t(r, id, kv...)})
}

// answer acknowledges a button press with an optional notice.
func (b *Bot) answer(ctx context.Context, r *Request, text string) {
	if r.CallbackID == "" {
		return
	}
	if err := r.channel.Answer(ctx, r.CallbackID, text); err != nil {
		b.Logger.Warn("answer callback failed", "err", err)
	}
}

// edit replaces the pressed message, or sends m anew where editing is impossible.
func (b *Bot) edit(ctx context.Context, r *Request, m Outgoing) {
	caps := r.channel.Caps()
	if r.MessageID != "" && caps.Edit {
		if err := r.channel.Edit(ctx, r.ChatID, r.MessageID, m); err == nil {
			return
		}
	}
	b.reply(ctx, r, m)
}

// fit adapts m to what a channel can do: without buttons, choices become a
// numbered list appended to the text.
func (b *Bot) fit(ctx context.Context, accountID int64, caps Caps, lang string, m Outgoing) Outgoing {
	if caps.Buttons || len(m.Buttons) == 0 {
		return m
	}
	var data []string
	var sb strings.Builder
	sb.WriteString(m.Text)
	sb.WriteString("\n")
	n := 0
	for _, row := range m.Buttons {
		for _, btn := range row {
			n++
			data = append(data, btn.Data)
			if btn.URL != "" {
				fmt.Fprintf(&sb, "\n%d. %s: %s", n, btn.Text, btn.URL)
				continue
			}
			fmt.Fprintf(&sb, "\n%d. %s", n, btn.Text)
		}
	}
	sb.WriteString("\n\n")
	sb.WriteString(b.Texts.T(lang, "choice.reply_number", nil))
	m.Text, m.Buttons = sb.String(), nil
	if err := b.State.SetState(ctx, choicesKey(accountID), strings.Join(data, "\n")); err != nil {
		b.Logger.Warn("remember choices", "err", err)
	}
	return m
}

// Wake tells the dispatcher that messages were enqueued.
func (b *Bot) Wake() {
	select {
	case b.wake <- struct{}{}:
	default:
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
