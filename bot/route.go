package bot

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/convene/convene"
	"golang.org/x/text/unicode/norm"
)

// handlerFunc handles one routed request.
type handlerFunc func(ctx context.Context, r *Request) error

// command is a chat command with who may use it.
type command struct {
	name      string
	organizer bool // organizers and admins only
	staff     bool // staff too, for an organizer command
	admin     bool // admins only
	handle    handlerFunc
	menu      bool // shown in the command menu
	costly    bool // expensive (reports, exports): limited per account
}

func (b *Bot) commands() []command {
	return []command{
		{name: "start", handle: b.link.cmdStart, menu: true},
		{name: "my", handle: b.delegate.cmdMy, menu: true},
		{name: "feedback", handle: b.feedback.cmdFeedback, menu: true},
		{name: "lang", handle: b.delegate.cmdLang, menu: true},
		{name: "cancel", handle: b.delegate.cmdCancel, menu: true},
		{name: "help", handle: b.delegate.cmdHelp, menu: true},
		{name: "materials", handle: b.materials.cmdMaterials, menu: true}, // invitees, representatives, staff, organizers (material.go)
		{name: "agenda", handle: b.agenda.cmdAgenda, menu: true},          // invitees, representatives, staff, organizers (agenda.go)
		{name: "units", handle: b.agenda.cmdUnits},                        // organizers, and representatives for their units (agenda.go)
		{name: "meetings", organizer: true, handle: b.organizer.cmdMeetings},
		{name: "status", organizer: true, handle: b.organizer.cmdStatus},
		{name: "pending", organizer: true, handle: b.organizer.cmdPending},
		{name: "invite", organizer: true, handle: b.organizer.cmdInvite},
		{name: "remind", organizer: true, handle: b.remind.cmdRemind},
		{name: "broadcast", organizer: true, handle: b.broadcast.cmdBroadcast},
		{name: "checkin", organizer: true, staff: true, handle: b.checkin.cmdCheckin},
		{name: "rollcall", organizer: true, staff: true, handle: b.checkin.cmdRollcall},
		{name: "report", organizer: true, handle: b.organizer.cmdReport, costly: true},
		{name: "grant", admin: true, handle: b.organizer.cmdGrant},
		{name: "web", handle: b.web.cmdWeb}, // organizers, admins and staff: checked in cmdWeb
	}
}

// MenuCommand is an entry of a channel's command menu.
type MenuCommand struct {
	Name        string
	Description string
}

// ChatMenus is implemented by channels that can give one chat its own
// command menu; organizers then see their commands in it.
type ChatMenus interface {
	SetChatCommands(ctx context.Context, chatID string, cmds []MenuCommand) error
}

// organizerMenu gives an organizer's or admin's chat the organizer menu.
func (b *core) organizerMenu(ctx context.Context, a *convene.Account, lang string, admin bool) {
	cm, ok := b.Channel(a.Channel).(ChatMenus)
	if !ok {
		return
	}
	menu := b.menu(lang, true)
	if admin {
		menu = append(menu, MenuCommand{Name: "grant", Description: b.Texts.T(lang, "menu.grant", nil)})
	}
	if err := cm.SetChatCommands(ctx, a.ChatID, menu); err != nil {
		b.Logger.Warn("set organizer menu", "account", a.ID, "err", err)
	}
}

// RefreshMenus gives every organizer's and admin's chat the organizer menu,
// and unit representatives' and staff's chats theirs; serve calls it at
// start, so people linked before a menu changed get the new one.
func (b *Bot) RefreshMenus(ctx context.Context) error {
	accs, err := b.organizerAccounts(ctx)
	if err != nil {
		return err
	}
	for _, a := range accs {
		b.organizerMenu(ctx, a, b.accountLang(a), b.IsAdmin(a.Channel, a.UserID))
	}
	for _, role := range []convene.Role{convene.RoleUnitRep, convene.RoleStaff} {
		accs, err := b.People.FindAccountsByRole(ctx, role)
		if err != nil {
			return err
		}
		for _, a := range accs {
			if a.Reachable && !b.IsAdmin(a.Channel, a.UserID) {
				b.chatMenu(ctx, a, role, b.accountLang(a), false)
			}
		}
	}
	return nil
}

// accountLang is a's language, the bot's default if a chose none.
func (b *core) accountLang(a *convene.Account) string {
	if a.Lang != "" {
		return a.Lang
	}
	return b.Lang
}

// StaffMenu returns the delegate commands in lang, then those staff may use
// (roll call, the venue QR, the web desk).
func (b *Bot) StaffMenu(lang string) []MenuCommand {
	out := b.Menu(lang, false)
	for _, c := range b.commands() {
		if c.staff || c.name == "web" {
			out = append(out, MenuCommand{Name: c.name, Description: b.Texts.T(lang, "menu."+c.name, nil)})
		}
	}
	return out
}

// Menu returns the delegate commands with their descriptions in lang; organizer commands follow when organizer is set.
func (b *Bot) Menu(lang string, organizer bool) []MenuCommand {
	var out []MenuCommand
	for _, c := range b.commands() {
		if c.menu || (organizer && !c.admin) {
			out = append(out, MenuCommand{Name: c.name, Description: b.Texts.T(lang, "menu."+c.name, nil)})
		}
	}
	return out
}

// route sends a request to its handler: button presses by their data,
// commands by name, other text to the flow the account is in, else a hint.
func (b *Bot) route(ctx context.Context, r *Request) error {
	if r.CallbackData != "" {
		return b.routeCallback(ctx, r)
	}
	if r.Contact != nil {
		return b.link.handleContact(ctx, r)
	}
	if r.Command != "" {
		for _, c := range b.commands() {
			if c.name != strings.ToLower(r.Command) {
				continue
			}
			if (c.admin && !r.Admin) || (c.organizer && !r.Organizer && !(c.staff && r.Staff)) {
				b.Logger.Info("refused command", "command", c.name, "actor", r.Actor())
				return convene.Errorf(convene.EFORBIDDEN, "/%s", c.name)
			}
			if (c.organizer || c.admin) && !r.Private {
				// Organizer output (phones, links) never goes to a group.
				b.say(ctx, r, "org.private_only", "Command", c.name)
				return nil
			}
			if c.costly {
				if ok, tell := b.throttle.allow("c:"+r.Actor(), costlyRate, costlyBurst, time.Now()); !ok {
					if tell {
						b.say(ctx, r, "limit.costly")
					}
					return nil
				}
			}
			return c.handle(ctx, r)
		}
		b.say(ctx, r, "hint.unknown_command", "Command", r.Command)
		return nil
	}
	if !r.channel.Caps().Buttons {
		if data, ok := b.matchChoice(ctx, r); ok {
			r.CallbackData = data
			return b.routeCallback(ctx, r)
		}
	}
	if code, ok := findCheckinCode(r.Text); ok {
		// The venue code typed or pasted, on channels without deep links.
		return b.checkin.checkinToken(ctx, r, code)
	}
	conv, err := b.Conversations.FindConversation(ctx, r.Account.ID)
	if err == nil {
		return b.continueFlow(ctx, r, conv)
	} else if convene.ErrorCode(err) != convene.ENOTFOUND {
		return err
	}
	if personalCodes(r.Text) != nil {
		// Channels without deep links: the personal code sent or typed as a message.
		return b.link.linkToken(ctx, r, r.Text)
	}
	if r.Person == nil {
		b.say(ctx, r, "hint.not_linked")
		return nil
	}
	b.say(ctx, r, "hint.text")
	return nil
}

// callbacks maps the prefix of a button's data (before the first ":") to
// its handler; each feature's codec builds and reads the rest.
func (b *Bot) callbacks() map[string]handlerFunc {
	return map[string]handlerFunc{
		"rsvp": b.rsvp.onRSVPButton,            // rsvpData (rsvp.go)
		"sub":  b.rsvp.onSubstituteDecision,    // subData (rsvp.go)
		"inv":  b.organizer.onInviteConfirm,    // inviteData (organizer.go)
		"bc":   b.broadcast.onBroadcastConfirm, // broadcastData (broadcast.go)
		"rm":   b.remind.onRemindConfirm,       // remindData (remind.go)
		"rc":   b.checkin.onRollcall,           // rollcallData (checkin.go)
		"fb":   b.feedback.onFeedbackButton,    // feedbackData (feedback.go)
		"pg":   b.organizer.onPage,             // pageData (organizer.go)
		"lang": b.delegate.onLang,              // langData (delegate.go)
		"ics":  b.calendar.onCalendarButton,    // calendarData (calendar.go)
		"nom":  b.nominate.onNominateButton,    // nomData (nominate.go)
		"mat":  b.materials.onMaterialButton,   // materialData (material.go)
	}
}

// flowFunc takes a text message for the flow the account is in.
type flowFunc func(ctx context.Context, r *Request, c *convene.Conversation) error

// flows maps a conversation's flow name to the handler of its next message.
func (b *Bot) flows() map[string]flowFunc {
	return map[string]flowFunc{
		flowDecline:     b.rsvp.flowDecline,            // declineState (rsvp.go)
		flowSubstitute:  b.rsvp.flowSubstitute,         // substituteState (rsvp.go)
		flowBroadcast:   b.broadcast.flowBroadcast,     // broadcastState (broadcast.go)
		flowFeedback:    b.feedback.flowFeedback,       // feedbackState (feedback.go)
		linkConfirmFlow: b.linkConfirm.flowLinkConfirm, // (linkconfirm.go)
		flowNominate:    b.nominate.flowNominate,       // nominateState (nominate.go)
	}
}

// errStale is returned by a codec for data no current button carries; the
// press is answered "this button no longer works".
var errStale = errors.New("stale button")

// routeCallback handles a button press by the prefix of its data.
func (b *Bot) routeCallback(ctx context.Context, r *Request) error {
	prefix, _, _ := strings.Cut(r.CallbackData, ":")
	if h, ok := b.callbacks()[prefix]; ok {
		err := h(ctx, r)
		if !errors.Is(err, errStale) {
			return err
		}
	}
	b.answer(ctx, r, b.t(r, "hint.stale_button"))
	return nil
}

// continueFlow hands a text message to the flow the account is in; a
// conversation of a flow that no longer exists is dropped.
func (b *Bot) continueFlow(ctx context.Context, r *Request, c *convene.Conversation) error {
	if h, ok := b.flows()[c.Flow]; ok {
		return h(ctx, r, c)
	}
	return b.Conversations.DeleteConversation(ctx, r.Account.ID)
}

func choicesKey(accountID int64) string { return "choices:" + itoa(accountID) }

var choiceWords = map[string]int{
	"co": 1, "có": 1, "yes": 1, "y": 1, "dong y": 1, "đồng ý": 1, "tham du": 1, "tham dự": 1,
	"khong": 2, "không": 2, "no": 2, "n": 2, "tu choi": 2, "từ chối": 2,
}

// matchChoice turns a typed answer ("1", "có", "yes") into the data of the
// choice offered to the account under that number (choices.go).
func (b *Bot) matchChoice(ctx context.Context, r *Request) (string, bool) {
	text := strings.ToLower(strings.TrimSpace(norm.NFC.String(r.Text)))
	if text == "" {
		return "", false
	}
	n, err := strconv.Atoi(strings.TrimSuffix(text, "."))
	word := false
	if err != nil {
		w, ok := choiceWords[text]
		if !ok {
			return "", false
		}
		n, word = w, true
	}
	// A list answers once: a later number of it is text again (choices.go).
	return b.pickChoice(ctx, r.Account.ID, n, word)
}

// looksLikeToken reports whether s could be a personal link token.
func looksLikeToken(s string) bool {
	if len(s) < 22 || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
