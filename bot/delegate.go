package bot

import (
	"context"
	"strings"

	"github.com/convene/convene"
)

// cmdMy lists the sender's meetings with their answers and buttons to
// change them, rendered as the issued invitation is. Only issued
// invitations are shown: a draft meeting's invitation is not the
// delegate's to answer yet.
func (h *delegateHandlers) cmdMy(ctx context.Context, r *Request) error {
	if r.Person == nil {
		h.say(ctx, r, "hint.not_linked")
		return nil
	}
	issued := true
	invs, _, err := h.Invitations.FindInvitees(ctx, convene.InvitationFilter{PersonID: r.Person.ID, Issued: &issued})
	if err != nil {
		return err
	}
	shown := 0
	for _, inv := range invs {
		m, err := h.Meetings.FindMeetingByID(ctx, inv.MeetingID)
		if err != nil {
			return err
		}
		if m.Status == convene.StatusClosed {
			continue
		}
		shown++
		h.reply(ctx, r, h.invitations.invitationContentAt(r.Lang, m, inv, calendarButton(r.channel.Caps()), h.Now().Before(m.Deadline())))
	}
	if shown == 0 {
		h.say(ctx, r, "my.none")
	}
	return nil
}

// cmdLang switches the language: /lang vi, /lang en, or buttons.
func (h *delegateHandlers) cmdLang(ctx context.Context, r *Request) error {
	lang := strings.ToLower(strings.TrimSpace(r.Args))
	if lang == "" {
		h.reply(ctx, r, Outgoing{Text: h.t(r, "lang.choose"), Buttons: [][]convene.Button{{
			{Text: "Tiếng Việt", Data: langData{Lang: "vi"}.encode()}, {Text: "English", Data: langData{Lang: "en"}.encode()},
		}}})
		return nil
	}
	return h.setLang(ctx, r, lang)
}

func (h *delegateHandlers) onLang(ctx context.Context, r *Request) error {
	h.answer(ctx, r, "")
	d, err := parseLangData(r.CallbackData)
	if err != nil {
		return nil
	}
	return h.setLang(ctx, r, d.Lang)
}

func (h *delegateHandlers) setLang(ctx context.Context, r *Request, lang string) error {
	if lang != "vi" && lang != "en" {
		h.say(ctx, r, "lang.unknown")
		return nil
	}
	if err := h.People.SetAccountLang(ctx, r.Account.ID, lang); err != nil {
		return err
	}
	r.Account.Lang, r.Lang = lang, lang
	h.say(ctx, r, "lang.set")
	if r.Person != nil {
		// A chat with a menu of its own (organizers, representatives, staff)
		// gets it again in the new language.
		acc, role, admin := r.Account, r.Person.Role, r.Admin
		r.afterCommit(func(ctx context.Context) { h.chatMenu(ctx, acc, role, lang, admin) })
	}
	return nil
}

// cmdCancel leaves the current flow.
func (h *delegateHandlers) cmdCancel(ctx context.Context, r *Request) error {
	_, err := h.Conversations.FindConversation(ctx, r.Account.ID)
	if convene.ErrorCode(err) == convene.ENOTFOUND {
		h.reply(ctx, r, Outgoing{Text: h.t(r, "cancel.nothing"), RemoveKeyboard: true})
		return nil
	} else if err != nil {
		return err
	}
	if err := h.Conversations.DeleteConversation(ctx, r.Account.ID); err != nil {
		return err
	}
	h.reply(ctx, r, Outgoing{Text: h.t(r, "cancel.done"), RemoveKeyboard: true})
	return nil
}

// cmdHelp lists the commands the sender may use.
func (h *delegateHandlers) cmdHelp(ctx context.Context, r *Request) error {
	var sb strings.Builder
	sb.WriteString(h.t(r, "help.intro"))
	sb.WriteString("\n")
	for _, c := range h.menu(r.Lang, false) {
		sb.WriteString("\n/" + c.Name + " — " + c.Description)
	}
	if r.Organizer {
		sb.WriteString("\n\n" + h.t(r, "help.organizer"))
		for _, c := range h.commands() {
			if c.organizer || (c.admin && r.Admin) {
				sb.WriteString("\n/" + c.name + " — " + h.t(r, "menu."+c.name))
			}
		}
	}
	h.reply(ctx, r, Outgoing{Text: sb.String()})
	return nil
}

// langData is the callback data of a language button: "lang:<vi|en>".
type langData struct{ Lang string }

func (d langData) encode() string { return "lang:" + d.Lang }

// parseLangData reads langData; the language is checked when it is set.
func parseLangData(s string) (langData, error) {
	p := strings.Split(s, ":")
	if len(p) != 2 || p[0] != "lang" {
		return langData{}, errStale
	}
	return langData{Lang: p[1]}, nil
}

// delegateHandlers are an invitee's own commands: my invitations, language, cancel, help.
type delegateHandlers struct {
	*core
	invitations *invitations
	// commands is the routing table's command list, for /help.
	commands func() []command
}
