package bot

import (
	"context"
	"strings"

	"github.com/convene/convene"
)

// cmdMy lists the sender's meetings with their answers and buttons to change them.
func (b *Bot) cmdMy(ctx context.Context, r *Request) error {
	if r.Person == nil {
		b.say(ctx, r, "hint.not_linked")
		return nil
	}
	invs, _, err := b.Invitations.FindInvitees(ctx, convene.InvitationFilter{PersonID: r.Person.ID})
	if err != nil {
		return err
	}
	shown := 0
	for _, inv := range invs {
		m, err := b.Meetings.FindMeetingByID(ctx, inv.MeetingID)
		if err != nil {
			return err
		}
		if m.Status == convene.StatusClosed {
			continue
		}
		shown++
		out := Outgoing{Text: b.invitationText(r.Lang, m, inv)}
		if b.Now().Before(m.Deadline()) {
			out.Buttons = b.rsvpButtons(r.Lang, inv.ID)
		}
		b.reply(ctx, r, out)
	}
	if shown == 0 {
		b.say(ctx, r, "my.none")
	}
	return nil
}

// cmdLang switches the language: /lang vi, /lang en, or buttons.
func (b *Bot) cmdLang(ctx context.Context, r *Request) error {
	lang := strings.ToLower(strings.TrimSpace(r.Args))
	if lang == "" {
		b.reply(ctx, r, Outgoing{Text: b.t(r, "lang.choose"), Buttons: [][]convene.Button{{
			{Text: "Tiếng Việt", Data: langData{Lang: "vi"}.encode()}, {Text: "English", Data: langData{Lang: "en"}.encode()},
		}}})
		return nil
	}
	return b.setLang(ctx, r, lang)
}

func (b *Bot) onLang(ctx context.Context, r *Request) error {
	b.answer(ctx, r, "")
	d, err := parseLangData(r.CallbackData)
	if err != nil {
		return nil
	}
	return b.setLang(ctx, r, d.Lang)
}

func (b *Bot) setLang(ctx context.Context, r *Request, lang string) error {
	if lang != "vi" && lang != "en" {
		b.say(ctx, r, "lang.unknown")
		return nil
	}
	if err := b.People.SetAccountLang(ctx, r.Account.ID, lang); err != nil {
		return err
	}
	r.Account.Lang, r.Lang = lang, lang
	b.say(ctx, r, "lang.set")
	return nil
}

// cmdCancel leaves the current flow.
func (b *Bot) cmdCancel(ctx context.Context, r *Request) error {
	_, err := b.Conversations.FindConversation(ctx, r.Account.ID)
	if convene.ErrorCode(err) == convene.ENOTFOUND {
		b.reply(ctx, r, Outgoing{Text: b.t(r, "cancel.nothing"), RemoveKeyboard: true})
		return nil
	} else if err != nil {
		return err
	}
	if err := b.Conversations.DeleteConversation(ctx, r.Account.ID); err != nil {
		return err
	}
	b.reply(ctx, r, Outgoing{Text: b.t(r, "cancel.done"), RemoveKeyboard: true})
	return nil
}

// cmdHelp lists the commands the sender may use.
func (b *Bot) cmdHelp(ctx context.Context, r *Request) error {
	var sb strings.Builder
	sb.WriteString(b.t(r, "help.intro"))
	sb.WriteString("\n")
	for _, c := range b.Menu(r.Lang, false) {
		sb.WriteString("\n/" + c.Name + " — " + c.Description)
	}
	if r.Organizer {
		sb.WriteString("\n\n" + b.t(r, "help.organizer"))
		for _, c := range b.commands() {
			if c.organizer || (c.admin && r.Admin) {
				sb.WriteString("\n/" + c.name + " — " + b.t(r, "menu."+c.name))
			}
		}
	}
	b.reply(ctx, r, Outgoing{Text: sb.String()})
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
