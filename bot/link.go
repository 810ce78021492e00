package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/convene/convene"
)

// cmdStart greets, links a personal deep link, or checks in from the venue QR code.
func (h *linkHandlers) cmdStart(ctx context.Context, r *Request) error {
	arg := strings.TrimSpace(r.Args)
	switch {
	case strings.HasPrefix(arg, checkinPrefix):
		return h.checkin.checkinToken(ctx, r, arg)
	case arg != "":
		return h.linkToken(ctx, r, arg)
	case r.Person != nil:
		h.say(ctx, r, "start.welcome_back", "Name", r.Person.FullName)
		return h.delegate.cmdMy(ctx, r)
	}
	m := Outgoing{Text: h.t(r, "start.greet")}
	if r.channel.Caps().RequestContact {
		m.Text += "\n\n" + h.t(r, "start.share_phone")
		m.RequestContact = h.t(r, "btn.share_phone")
	} else {
		m.Text += "\n\n" + h.t(r, "start.send_code")
	}
	h.reply(ctx, r, m)
	return nil
}

// personalCodes returns the tokens text may be, in the order to try them:
// the exact text first (older base64url tokens are case-sensitive), then
// the code as typed on Zalo or the console — in lower case, with spaces or
// dashes between groups — when it normalises to a code of the look-alike
// free alphabet. Nil: text is no personal code.
func personalCodes(text string) []string {
	text = strings.TrimSpace(text)
	var codes []string
	if looksLikeToken(text) {
		codes = append(codes, text)
	}
	if code, ok := convene.NormalizeCode(text); ok && code != text {
		codes = append(codes, code)
	}
	return codes
}

// linkToken binds the sender's account to the person whose invitation token
// (or unit representative's token) text is, as sent or typed. The first
// account wins: another account using the token is refused and the
// organizers are told.
func (h *linkHandlers) linkToken(ctx context.Context, r *Request, text string) error {
	codes := personalCodes(text)
	if len(codes) == 0 {
		h.say(ctx, r, "link.malformed")
		return nil
	}
	for _, token := range codes {
		inv, err := h.Invitations.FindInvitationByToken(ctx, token)
		if convene.ErrorCode(err) == convene.ENOTFOUND {
			continue
		} else if err != nil {
			return err
		}
		if m, err := h.Meetings.FindMeetingByID(ctx, inv.MeetingID); err == nil {
			r.about(m)
		}
		return h.linkPerson(ctx, r, &inv.Person, "token")
	}
	return h.units.linkUnitToken(ctx, r, codes) // a unit representative's token (units.go)
}

// handleContact links by a shared phone number: only the sender's own
// contact, and only a phone on the roster.
func (h *linkHandlers) handleContact(ctx context.Context, r *Request) error {
	if ok, err := h.nominate.nominateContact(ctx, r); ok || err != nil { // a nominee's card (nominate.go)
		return err
	}
	if r.Contact.UserID != r.UserID {
		h.Logger.Warn("forged contact refused", "actor", r.Actor(), "contact_user", r.Contact.UserID)
		h.reply(ctx, r, Outgoing{Text: h.t(r, "link.contact_not_own"), RemoveKeyboard: true})
		return nil
	}
	phone, err := h.normalizePhone(r.Contact.Phone)
	if err != nil {
		h.reply(ctx, r, Outgoing{Text: h.t(r, "link.phone_unknown"), RemoveKeyboard: true})
		return nil
	}
	p, err := h.People.FindPersonByPhone(ctx, phone)
	if convene.ErrorCode(err) == convene.ENOTFOUND {
		h.reply(ctx, r, Outgoing{Text: h.t(r, "link.phone_unknown"), RemoveKeyboard: true})
		return nil
	} else if err != nil {
		return err
	}
	return h.linkPerson(ctx, r, p, "contact")
}

// linkPerson binds the account to p, then sends p's issued invitations.
func (h *linkHandlers) linkPerson(ctx context.Context, r *Request, p *convene.Person, how string) error {
	if r.Person != nil && r.Person.ID == p.ID {
		h.reply(ctx, r, Outgoing{Text: h.t(r, "link.already", "Name", p.FullName), RemoveKeyboard: true})
		return h.sendIssued(ctx, r, p)
	}
	if r.Person != nil {
		h.reply(ctx, r, Outgoing{Text: h.t(r, "link.other_person", "Name", r.Person.FullName), RemoveKeyboard: true})
		return nil
	}
	if confirm, err := h.linkConfirm.needsSecondChannelProof(ctx, r, p); err != nil || confirm {
		if err == nil {
			err = h.linkConfirm.askLinkCode(ctx, r, p, how)
		}
		return err
	}
	err := h.People.LinkAccount(ctx, r.Account.ID, p.ID)
	if convene.ErrorCode(err) == convene.ECONFLICT {
		h.reply(ctx, r, Outgoing{Text: h.t(r, "link.taken"), RemoveKeyboard: true})
		h.Logger.Warn("link refused: person already linked", "actor", r.Actor(), "person", p.ID)
		return h.tellOrganizers(ctx, fmt.Sprintf("link-refused:%d:%s", p.ID, r.Actor()), "org.link_refused",
			"Name", p.FullName, "Unit", p.Unit, "Account", r.Name, "Actor", r.Actor())
	} else if err != nil {
		return err
	}
	return h.linked(ctx, r, p, how)
}

// linked records the new link of the requester's account to p, greets them
// and sends p's issued invitations.
func (h *linkHandlers) linked(ctx context.Context, r *Request, p *convene.Person, how string) error {
	if err := h.Audit.RecordAudit(ctx, &convene.AuditEntry{Actor: r.Actor(), Action: "link",
		Subject: "person:" + itoa(p.ID), Detail: how}); err != nil {
		return err
	}
	r.Account.PersonID, r.Person = p.ID, p
	h.identify(r)
	acc, role, lang, admin := r.Account, p.Role, r.Lang, r.Admin
	r.afterCommit(func(ctx context.Context) { h.chatMenu(ctx, acc, role, lang, admin) })
	h.reply(ctx, r, Outgoing{Text: h.t(r, "link.done", "Name", p.FullName), RemoveKeyboard: true})
	return h.sendIssued(ctx, r, p)
}

// sendIssued queues the invitations already issued to p for the requester's account.
func (h *linkHandlers) sendIssued(ctx context.Context, r *Request, p *convene.Person) error {
	issued := true
	invs, _, err := h.Invitations.FindInvitees(ctx, convene.InvitationFilter{PersonID: p.ID, Issued: &issued})
	if err != nil {
		return err
	}
	var msgs []*convene.OutboxMessage
	for _, inv := range invs {
		m, err := h.Meetings.FindMeetingByID(ctx, inv.MeetingID)
		if err != nil {
			return err
		}
		if m.Status == convene.StatusClosed || h.Now().After(m.End()) {
			continue
		}
		msgs = append(msgs, h.invitations.invitationMessages(m, inv, r.Account, "invite")...)
	}
	units, err := h.units.issuedUnitMessages(ctx, p, r.Account) // units.go
	if err != nil {
		return err
	}
	msgs = append(msgs, units...)
	if len(msgs) == 0 {
		return nil
	}
	if _, err := h.Outbox.Enqueue(ctx, msgs); err != nil {
		return err
	}
	h.Wake()
	return nil
}

// organizerAccounts returns the reachable accounts of organizers and configured admins.
func (b *core) organizerAccounts(ctx context.Context) ([]*convene.Account, error) {
	accs, err := b.People.FindOrganizerAccounts(ctx)
	if err != nil {
		return nil, err
	}
	seen := map[int64]bool{}
	var out []*convene.Account
	for _, a := range accs {
		if !seen[a.ID] && a.Reachable {
			seen[a.ID] = true
			out = append(out, a)
		}
	}
	for key := range b.admins {
		ch, uid, _ := strings.Cut(key, ":")
		a, err := b.People.FindAccount(ctx, ch, uid)
		if convene.ErrorCode(err) == convene.ENOTFOUND {
			continue
		} else if err != nil {
			return nil, err
		}
		if !seen[a.ID] && a.Reachable {
			seen[a.ID] = true
			out = append(out, a)
		}
	}
	return out, nil
}

// organizerMessages builds one outbox message per organizer account, each in its language.
func (b *core) organizerMessages(ctx context.Context, key string, content func(lang string) convene.Content) ([]*convene.OutboxMessage, error) {
	accs, err := b.organizerAccounts(ctx)
	if err != nil {
		return nil, err
	}
	msgs := make([]*convene.OutboxMessage, 0, len(accs))
	for _, a := range accs {
		lang := a.Lang
		if lang == "" {
			lang = b.Lang
			if a.PersonID != 0 {
				if p, err := b.People.FindPersonByID(ctx, a.PersonID); err == nil && p.Lang != "" {
					lang = p.Lang
				}
			}
		}
		msgs = append(msgs, &convene.OutboxMessage{AccountID: a.ID, Channel: a.Channel, ChatID: a.ChatID,
			Key: key + ":" + itoa(a.ID), Content: content(lang)})
	}
	return msgs, nil
}

// textRef is a value of a text that is itself a catalog text: it is
// rendered in each recipient's language.
type textRef string

// tellOrganizers queues a catalog text to every organizer; values of type
// textRef are rendered in the organizer's language.
func (b *core) tellOrganizers(ctx context.Context, key, id string, kv ...any) error {
	msgs, err := b.organizerMessages(ctx, key, func(lang string) convene.Content {
		data := kvMap(kv)
		for k, v := range data {
			if ref, ok := v.(textRef); ok {
				data[k] = b.Texts.T(lang, string(ref), nil)
			}
		}
		return convene.Content{Text: b.Texts.T(lang, id, data)}
	})
	if err != nil || len(msgs) == 0 {
		return err
	}
	if _, err := b.Outbox.Enqueue(ctx, msgs); err != nil {
		return err
	}
	b.Wake()
	return nil
}

// normalizePhone uses the configured normaliser, or a Vietnamese default.
func (b *core) normalizePhone(s string) (string, error) {
	if b.NormalizePhone != nil {
		return b.NormalizePhone(s)
	}
	var digits strings.Builder
	for _, c := range s {
		if c >= '0' && c <= '9' {
			digits.WriteRune(c)
		}
	}
	d := digits.String()
	switch {
	case strings.HasPrefix(d, "84"):
		d = "+" + d
	case strings.HasPrefix(d, "0"):
		d = "+84" + d[1:]
	case strings.HasPrefix(s, "+"):
		d = "+" + d
	default:
		return "", errors.New("phone not recognised")
	}
	if len(d) < 10 || len(d) > 16 {
		return "", errors.New("phone has a wrong length")
	}
	return d, nil
}

// linkHandlers link an account to its person: the personal code, a shared phone number, /start.
type linkHandlers struct {
	*core
	invitations *invitations
	units       *unitHandlers
	checkin     *checkinHandlers
	delegate    *delegateHandlers
	nominate    *nominateHandlers
	linkConfirm *linkConfirmHandlers
}
