// Package bot is the channel-neutral conversation core: it routes updates
// from any Channel to handlers, keeps multi-step flows in the database,
// renders every text from the catalog, and dispatches the outbox.
package bot

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strconv"
	"strings"
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
	Inbox         convene.InboxService
	// Units are the units invited to send delegates and their nominations.
	Units convene.UnitService
	// Materials are the meetings' files, sent on request (material.go).
	Materials convene.MaterialService
	// Tx runs a handler, its replies and its inbox mark in one transaction.
	Tx convene.Transactor
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

// Bot is the conversation core shared by every channel: it wires the
// channels, the feature handlers and the routing table, and does the
// cross-cutting work around them (identify, recover, throttle, error → reply).
type Bot struct {
	*core

	// inboxWake nudges the inbox workers when an update was stored.
	inboxWake chan struct{}
	// throttle limits what one account may ask (see abuse.go).
	throttle throttle
	// acceptor commits concurrent Accept calls together.
	acceptor acceptor

	handlers
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
		core: &core{
			Services: svc, Config: cfg, Texts: texts,
			Logger: slog.Default(), Now: time.Now,
			channels: map[string]Channel{}, admins: map[string]bool{},
			wake: make(chan struct{}, 1),
		},
		inboxWake: make(chan struct{}, 1),
	}
	b.core.menu = b.Menu
	b.core.staffCommands = b.StaffMenu
	b.handlers = newHandlers(b.core, b.commands)
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
func (b *core) Channel(name string) Channel {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.channels[name]
}

func (b *core) channelNames() []string {
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
	Staff     bool // serves the meeting: roll call and the venue QR only
	channel   Channel
	// keyBase makes the outbox keys of this handling's replies; replies counts them.
	keyBase string
	replies int
	// answered and answerText: the one answer to a button press, given once
	// the handler's transaction committed.
	answered   bool
	answerText string
	// after runs once the handler's writes committed: network calls that
	// are not messages (answering a press, command menus).
	after []func(ctx context.Context)
	// issuer names the office and board in the request's texts (see about).
	issuer convene.Issuer
}

// afterCommit runs fn once the request's transaction committed.
func (r *Request) afterCommit(fn func(ctx context.Context)) { r.after = append(r.after, fn) }

// Actor names the sender for the audit log.
func (r *Request) Actor() string { return r.Account.Channel + ":" + r.Account.UserID }

// Handle handles one update at once, in one transaction, outside the
// inbox: the replies it causes are queued, button presses are answered
// once the transaction committed. Channels hand their updates to Accept
// instead, which stores them first; Handle is for callers that already
// hold the update safely.
func (b *Bot) Handle(ctx context.Context, in *Incoming) error {
	var r *Request
	err := b.Tx.InTx(ctx, func(ctx context.Context) (err error) {
		r, err = b.handle(ctx, in)
		return err
	})
	if err != nil {
		return err
	}
	b.finish(ctx, r)
	return nil
}

// handle does the work of one update in the caller's transaction: it
// identifies the sender (account, person, role, language), then runs the
// routing table inside the middleware (see pipeline). It returns an error,
// to roll everything back, only for a fault (EINTERNAL) or a panic.
func (b *Bot) handle(ctx context.Context, in *Incoming) (*Request, error) {
	r, err := b.identifySender(ctx, in)
	if err != nil {
		return nil, err
	}
	return r, b.pipeline()(ctx, r)
}

// pipeline is the routing table wrapped in the cross-cutting work, outermost
// first: recover a panic as a fault, drop a flooding account's updates, and
// turn a refusal into the reply that explains it.
func (b *Bot) pipeline() handlerFunc {
	return b.recoverPanic(b.throttleAccount(b.replyRefusal(b.route)))
}

// identifySender records the sender's account and works out who they are.
func (b *Bot) identifySender(ctx context.Context, in *Incoming) (*Request, error) {
	ch := b.Channel(in.Channel)
	if ch == nil {
		return nil, fmt.Errorf("handle: unknown channel %q", in.Channel)
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
		return nil, fmt.Errorf("handle: touch account: %w", err)
	}
	r := &Request{Incoming: in, Account: acc, channel: ch, keyBase: "r:" + randomKey(), issuer: b.orgIssuer(ctx)}
	if acc.PersonID != 0 {
		if r.Person, err = b.People.FindPersonByID(ctx, acc.PersonID); err != nil {
			return nil, fmt.Errorf("handle: %w", err)
		}
	}
	b.identify(r)
	return r, nil
}

// recoverPanic turns a panic in next into a fault that rolls the update back.
func (b *Bot) recoverPanic(next handlerFunc) handlerFunc {
	return func(ctx context.Context, r *Request) (err error) {
		defer func() {
			if p := recover(); p != nil {
				b.Logger.Error("panic in handler", "panic", p, "stack", string(debug.Stack()))
				err = fmt.Errorf("panic: %v", p)
			}
		}()
		return next(ctx, r)
	}
}

// throttleAccount drops the update of an account over its limit (see
// abuse.go) without work; the account hears why once a minute. Admins are
// not limited.
func (b *Bot) throttleAccount(next handlerFunc) handlerFunc {
	return func(ctx context.Context, r *Request) error {
		if ok, tell := b.throttle.allow("u:"+r.Actor(), updateRate, updateBurst, time.Now()); !ok && !r.Admin {
			b.Logger.Info("account over its message limit", "actor", r.Actor())
			b.answer(ctx, r, "")
			if tell {
				b.say(ctx, r, "limit.slow_down")
			}
			return nil
		}
		return next(ctx, r)
	}
}

// replyRefusal answers an error of next with the text for its code (see
// replyError); only a fault (EINTERNAL) is returned, to roll back.
func (b *Bot) replyRefusal(next handlerFunc) handlerFunc {
	return func(ctx context.Context, r *Request) error {
		err := next(ctx, r)
		if err == nil || errors.Is(err, errAnswered) {
			return nil
		}
		if convene.ErrorCode(err) == convene.EINTERNAL {
			return err
		}
		b.replyError(ctx, r, err)
		return nil
	}
}

// finish does what waited for the commit: answers the button press (with
// "" if the handler gave no answer, to stop the client's spinner) and the
// other network calls, then nudges the dispatcher for the replies.
func (b *Bot) finish(ctx context.Context, r *Request) {
	if r == nil {
		return
	}
	b.Wake()
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if r.CallbackID != "" && r.channel != nil {
		if err := r.channel.Answer(ctx, r.CallbackID, r.answerText); err != nil {
			b.Logger.Warn("answer button press", "channel", r.Channel, "err", err)
		}
	}
	for _, fn := range r.after {
		fn(ctx)
	}
}

// errAnswered stops a handler whose helper already told the user why.
var errAnswered = errors.New("answered")

// identify sets the request's language and roles.
func (b *core) identify(r *Request) {
	r.Admin = b.admins[r.Account.Channel+":"+r.Account.UserID]
	r.Organizer = r.Admin || (r.Person != nil && r.Person.Role == convene.RoleOrganizer)
	r.Staff = !r.Organizer && r.Person != nil && r.Person.Role == convene.RoleStaff
	r.Lang = b.Lang
	switch {
	case r.Account.Lang != "":
		r.Lang = r.Account.Lang
	case r.Person != nil && r.Person.Lang != "":
		r.Lang = r.Person.Lang
	}
}

// IsAdmin reports whether the account is a configured admin.
func (b *core) IsAdmin(channel, userID string) bool { return b.admins[channel+":"+userID] }

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
	b.answer(ctx, r, "")
	b.reply(ctx, r, Outgoing{Text: b.t(r, id)})
}

// t renders a text in the request's language, naming the office and board
// of the meeting the request is about (see Request.about).
func (b *core) t(r *Request, id string, kv ...any) string {
	return b.Texts.T(r.Lang, id, issuerData(r.issuer, kvMap(kv)))
}

// kvMap turns name, value pairs into a text's data; a name that is not a
// string is formatted, so a slip renders visibly instead of panicking.
func kvMap(kv []any) map[string]any {
	if len(kv) == 0 {
		return nil
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		m[fmt.Sprint(kv[i])] = kv[i+1]
	}
	return m
}

// reply queues m for the requester's chat as an interactive message, in
// the request's transaction: it goes out before bulk messages, through the
// channel's rate governor, and waits durably if it can't go at once.
// Choices become a numbered list on channels without buttons.
func (b *core) reply(ctx context.Context, r *Request, m Outgoing) {
	b.queueReply(ctx, r, "", m)
}

// queueReply queues m for the requester's chat, as an edit of editID if set.
func (b *core) queueReply(ctx context.Context, r *Request, editID string, m Outgoing) {
	r.replies++
	msg := &convene.OutboxMessage{AccountID: r.Account.ID, Channel: r.Channel, ChatID: r.ChatID,
		Key: fmt.Sprintf("%s:%d", r.keyBase, r.replies), Interactive: true, EditMessageID: editID,
		Content: b.fit(ctx, r.Account.ID, r.channel.Caps(), r.Lang, m, false)}
	if _, err := b.Outbox.Enqueue(ctx, []*convene.OutboxMessage{msg}); err != nil {
		// Only a database fault gets here; the handler's transaction fails with it.
		panic(fmt.Errorf("queue reply: %w", err))
	}
}

// say replies with one catalog text.
func (b *core) say(ctx context.Context, r *Request, id string, kv ...any) {
	b.reply(ctx, r, Outgoing{Text: b.t(r, id, kv...)})
}

// answer sets the answer to a button press, with an optional notice; the
// first answer counts, and it is given once the handler's writes committed.
func (b *core) answer(ctx context.Context, r *Request, text string) {
	if r.CallbackID == "" || r.answered {
		return
	}
	r.answered, r.answerText = true, text
}

// edit replaces the pressed message, or sends m anew where editing is impossible.
func (b *core) edit(ctx context.Context, r *Request, m Outgoing) {
	b.editMessage(ctx, r, r.MessageID, m)
}

// editMessage queues an edit of the requester's message msgID, or m as a
// new message where editing is impossible.
func (b *core) editMessage(ctx context.Context, r *Request, msgID string, m Outgoing) {
	if msgID == "" || !r.channel.Caps().Edit {
		b.reply(ctx, r, m)
		return
	}
	b.queueReply(ctx, r, msgID, m)
}

// fit adapts m to what a channel can do: without buttons, choices become a
// numbered list appended to the text, remembered so a typed number answers
// it; bulk says m is not a reply (choices.go: how lists are numbered).
func (b *core) fit(ctx context.Context, accountID int64, caps Caps, lang string, m Outgoing, bulk bool) Outgoing {
	if caps.Buttons || len(m.Buttons) == 0 {
		return m
	}
	m = b.materialChoices(ctx, lang, m) // material.go: each document its own choice
	var data []string
	for _, row := range m.Buttons {
		for _, btn := range row {
			data = append(data, btn.Data)
		}
	}
	n := b.offerChoices(ctx, accountID, data, bulk) - 1
	var sb strings.Builder
	sb.WriteString(m.Text)
	sb.WriteString("\n")
	for _, row := range m.Buttons {
		for _, btn := range row {
			n++
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
	return m
}

// Wake tells the dispatcher that messages were enqueued.
func (b *core) Wake() {
	select {
	case b.wake <- struct{}{}:
	default:
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// randomKey returns 96 random bits, base64url.
func randomKey() string {
	buf := make([]byte, 12)
	_, _ = rand.Read(buf)
	return base64.RawURLEncoding.EncodeToString(buf)
}

// inTx runs fn in one transaction (joining the caller's, inside a handler)
// and wakes the dispatcher once it committed: a business change and the
// messages it causes commit together.
func inTx[T any](ctx context.Context, b *core, fn func(ctx context.Context) (T, error)) (T, error) {
	var out T
	err := b.Tx.InTx(ctx, func(ctx context.Context) (err error) {
		out, err = fn(ctx)
		return err
	})
	if err != nil {
		var zero T
		return zero, err
	}
	b.Wake()
	return out, nil
}
