package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/convene/convene"
)

// ownInvitation loads the invitation of a button press and checks it is the sender's.
func (b *Bot) ownInvitation(ctx context.Context, r *Request, idText string) (*convene.Invitee, *convene.Meeting, error) {
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil {
		return nil, nil, convene.Errorf(convene.EINVALID, "bad invitation id")
	}
	inv, err := b.Invitations.FindInvitationByID(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if r.Person == nil || inv.PersonID != r.Person.ID {
		return nil, nil, convene.Errorf(convene.EFORBIDDEN, "not your invitation")
	}
	m, err := b.Meetings.FindMeetingByID(ctx, inv.MeetingID)
	if err != nil {
		return nil, nil, err
	}
	return inv, m, nil
}

// onRSVPButton handles Attend (a), Decline (d) and Substitute (s) presses.
func (b *Bot) onRSVPButton(ctx context.Context, r *Request, parts []string) error {
	if len(parts) != 3 {
		b.answer(ctx, r, b.t(r, "hint.stale_button"))
		return nil
	}
	inv, m, err := b.ownInvitation(ctx, r, parts[1])
	if convene.ErrorCode(err) == convene.EFORBIDDEN {
		b.answer(ctx, r, b.t(r, "rsvp.not_yours"))
		return nil
	} else if err != nil {
		return err
	}
	if b.Now().After(m.Deadline()) {
		b.answer(ctx, r, "")
		b.say(ctx, r, "rsvp.closed", "Title", m.Title)
		return nil
	}
	data := map[string]string{"inv": itoa(inv.ID), "msg": r.MessageID}
	switch parts[2] {
	case "a":
		return b.setRSVP(ctx, r, inv, m, convene.RSVPChange{RSVP: convene.RSVPAttending})
	case "d":
		b.answer(ctx, r, "")
		if err := b.startFlow(ctx, r, "decline", "reason", data); err != nil {
			return err
		}
		b.say(ctx, r, "rsvp.ask_reason")
		return nil
	case "s":
		b.answer(ctx, r, "")
		if err := b.startFlow(ctx, r, "substitute", "name", data); err != nil {
			return err
		}
		b.say(ctx, r, "sub.ask_name")
		return nil
	}
	b.answer(ctx, r, b.t(r, "hint.stale_button"))
	return nil
}

// setRSVP records an answer and shows it on the invitation message. An
// answer equal to the stored one changes nothing.
func (b *Bot) setRSVP(ctx context.Context, r *Request, inv *convene.Invitee, m *convene.Meeting, ch convene.RSVPChange, msgs ...*convene.OutboxMessage) error {
	ch.Actor = r.Actor()
	updated, err := b.Invitations.SetRSVP(ctx, inv.ID, ch, msgs...)
	switch convene.ErrorCode(err) {
	case "":
	case convene.ECONFLICT:
		b.answer(ctx, r, b.t(r, "rsvp.unchanged"))
		return nil
	case convene.EEXPIRED:
		b.answer(ctx, r, "")
		b.say(ctx, r, "rsvp.closed", "Title", m.Title)
		return nil
	default:
		return err
	}
	if len(msgs) > 0 {
		b.Wake()
	}
	inv.Invitation = *updated
	b.answer(ctx, r, b.t(r, "rsvp.saved"))
	content := b.invitationContent(r.Lang, m, inv, calendarButton(r.channel.Caps()))
	if r.CallbackID != "" {
		b.edit(ctx, r, content)
	} else if msgID := r.flowData["msg"]; msgID != "" && r.channel.Caps().Edit {
		b.editMessage(ctx, r, msgID, content)
	}
	b.say(ctx, r, "rsvp.thanks_"+string(updated.RSVP), "Title", m.Title, "When", b.when(r.Lang, m, m.StartsAt))
	return nil
}

// startFlow puts the account into a multi-step flow.
func (b *Bot) startFlow(ctx context.Context, r *Request, flow, step string, data map[string]string) error {
	return b.Conversations.SaveConversation(ctx, &convene.Conversation{AccountID: r.Account.ID, Flow: flow, Step: step, Data: data})
}

// continueFlow hands a text message to the flow the account is in.
func (b *Bot) continueFlow(ctx context.Context, r *Request, c *convene.Conversation) error {
	r.flowData = c.Data
	switch c.Flow {
	case "decline":
		return b.flowDecline(ctx, r, c)
	case "substitute":
		return b.flowSubstitute(ctx, r, c)
	case "broadcast":
		return b.flowBroadcast(ctx, r, c)
	case "feedback":
		return b.flowFeedback(ctx, r, c)
	case linkConfirmFlow:
		return b.flowLinkConfirm(ctx, r, c)
	}
	return b.Conversations.DeleteConversation(ctx, r.Account.ID)
}

// flowDecline takes the reason for declining.
func (b *Bot) flowDecline(ctx context.Context, r *Request, c *convene.Conversation) error {
	reason := strings.TrimSpace(r.Text)
	if reason == "" {
		b.say(ctx, r, "rsvp.ask_reason")
		return nil
	}
	if len([]rune(reason)) > 500 {
		b.say(ctx, r, "input.too_long", "Max", 500)
		return nil
	}
	inv, m, err := b.ownInvitation(ctx, r, c.Data["inv"])
	if err != nil {
		_ = b.Conversations.DeleteConversation(ctx, r.Account.ID)
		return err
	}
	if err := b.Conversations.DeleteConversation(ctx, r.Account.ID); err != nil {
		return err
	}
	return b.setRSVP(ctx, r, inv, m, convene.RSVPChange{RSVP: convene.RSVPDeclined, Reason: reason})
}

// flowSubstitute asks the substitute's name, title and phone, then records the
// proposal and asks the organizers to approve it.
func (b *Bot) flowSubstitute(ctx context.Context, r *Request, c *convene.Conversation) error {
	text := strings.TrimSpace(r.Text)
	if text == "" || len([]rune(text)) > 200 {
		b.say(ctx, r, "sub.ask_"+c.Step)
		return nil
	}
	switch c.Step {
	case "name":
		c.Data["name"], c.Step = text, "title"
		if err := b.Conversations.SaveConversation(ctx, c); err != nil {
			return err
		}
		b.say(ctx, r, "sub.ask_title")
		return nil
	case "title":
		c.Data["title"], c.Step = text, "phone"
		if err := b.Conversations.SaveConversation(ctx, c); err != nil {
			return err
		}
		b.say(ctx, r, "sub.ask_phone")
		return nil
	}
	phone, err := b.normalizePhone(text)
	if err != nil {
		b.say(ctx, r, "sub.bad_phone")
		return nil
	}
	inv, m, err := b.ownInvitation(ctx, r, c.Data["inv"])
	if err != nil {
		_ = b.Conversations.DeleteConversation(ctx, r.Account.ID)
		return err
	}
	match, refused, err := b.substituteMatch(ctx, phone)
	if err != nil {
		return err
	}
	if refused || (match != nil && match.ID == inv.PersonID) {
		// The proposer learns only that this phone can't be proposed: not
		// whose it is. The organizers learn who tried whom.
		b.Logger.Warn("substitute refused: protected person's phone", "actor", r.Actor(), "invitation", inv.ID)
		b.say(ctx, r, "sub.refused")
		if match == nil || match.ID == inv.PersonID {
			return nil
		}
		return b.tellOrganizers(ctx, fmt.Sprintf("sub-refused:%d:%s", inv.ID, r.UpdateID), "org.sub_attempt_refused",
			"Name", inv.Person.FullName, "Unit", inv.Person.Unit, "Meeting", m.Title, "SubName", c.Data["name"], "SubPhone", phone,
			"MatchName", match.FullName, "MatchRole", string(match.Role))
	}
	if err := b.Conversations.DeleteConversation(ctx, r.Account.ID); err != nil {
		return err
	}
	ch := convene.RSVPChange{RSVP: convene.RSVPSubstitute, SubstituteName: c.Data["name"], SubstituteTitle: c.Data["title"], SubstitutePhone: phone}
	key := fmt.Sprintf("sub-proposed:%d:%s", inv.ID, r.UpdateID)
	msgs, err := b.organizerMessages(ctx, key, func(lang string) convene.Content {
		text := b.Texts.T(lang, "org.sub_proposed", map[string]any{
			"Name": inv.Person.FullName, "Unit": inv.Person.Unit, "Meeting": m.Title,
			"SubName": ch.SubstituteName, "SubTitle": ch.SubstituteTitle, "SubPhone": phone,
		})
		if match != nil {
			text += "\n\n" + b.Texts.T(lang, "org.sub_match", map[string]any{
				"MatchName": match.FullName, "MatchUnit": orDash(match.Unit), "MatchRole": b.Texts.T(lang, "role."+roleName(match.Role), nil),
			})
		}
		return convene.Content{
			Text: text,
			Buttons: [][]convene.Button{{
				{Text: b.Texts.T(lang, "btn.approve", nil), Data: "sub:" + itoa(inv.ID) + ":ok"},
				{Text: b.Texts.T(lang, "btn.reject", nil), Data: "sub:" + itoa(inv.ID) + ":no"},
			}},
		}
	})
	if err != nil {
		return err
	}
	return b.setRSVP(ctx, r, inv, m, ch, msgs...)
}

func roleName(r convene.Role) string {
	if r == "" {
		return string(convene.RoleDelegate)
	}
	return string(r)
}

// substituteMatch returns the stored person with phone, if any, and whether
// they may not be substituted in: a role other than delegate or unit
// representative (see convene.Role.Substitutable), or a configured admin.
func (b *Bot) substituteMatch(ctx context.Context, phone string) (*convene.Person, bool, error) {
	p, err := b.People.FindPersonByPhone(ctx, phone)
	if convene.ErrorCode(err) == convene.ENOTFOUND {
		return nil, false, nil
	} else if err != nil {
		return nil, false, err
	}
	if !p.Role.Substitutable() {
		return p, true, nil
	}
	accs, err := b.People.FindAccountsByPerson(ctx, p.ID)
	if err != nil {
		return nil, false, err
	}
	for _, a := range accs {
		if b.IsAdmin(a.Channel, a.UserID) {
			return p, true, nil
		}
	}
	return p, false, nil
}

// onSubstituteDecision lets an organizer approve or reject a substitute.
// A new person's link goes to the delegate to forward. A person already
// stored with the substitute's phone gets the invitation on their own
// accounts only; the delegate is told it was sent, never the link or a name
// they did not type.
func (b *Bot) onSubstituteDecision(ctx context.Context, r *Request, parts []string) error {
	if !r.Organizer {
		return convene.Errorf(convene.EFORBIDDEN, "substitute decision")
	}
	if len(parts) != 3 {
		b.answer(ctx, r, b.t(r, "hint.stale_button"))
		return nil
	}
	id, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil {
		return convene.Errorf(convene.EINVALID, "bad invitation id")
	}
	orig, err := b.Invitations.FindInvitationByID(ctx, id)
	if err != nil {
		return err
	}
	m, err := b.Meetings.FindMeetingByID(ctx, orig.MeetingID)
	if err != nil {
		return err
	}
	approve := parts[2] == "ok"
	if approve && orig.SubstitutePhone != "" {
		if _, refused, err := b.substituteMatch(ctx, orig.SubstitutePhone); err != nil {
			return err
		} else if refused {
			b.answer(ctx, r, b.t(r, "sub.cannot_approve"))
			return nil
		}
	}
	base := b.linkBase(ctx)
	d := convene.SubstituteDecision{Approve: approve, Actor: r.Actor()}
	var existingSub bool
	d.Messages = func(sub *convene.Invitee, existing bool) []*convene.OutboxMessage {
		existingSub = existing
		a := orig.Account()
		if !approve {
			if a == nil {
				return nil
			}
			lang := b.langOf(&orig.Person, a)
			return []*convene.OutboxMessage{{AccountID: a.ID, Channel: a.Channel, ChatID: a.ChatID,
				Key: fmt.Sprintf("sub-rejected:%d:%d", orig.ID, a.ID),
				Content: convene.Content{Text: b.Texts.T(lang, "sub.rejected", map[string]any{"SubName": orig.SubstituteName, "Title": m.Title}),
					Buttons: b.rsvpButtons(lang, orig.ID)}}}
		}
		var msgs []*convene.OutboxMessage
		if existing {
			// Only the person's own accounts get their invitation.
			for _, sa := range sub.Accounts {
				if sa.Reachable {
					msgs = append(msgs, b.invitationMessages(m, sub, sa, "invite")...)
				}
			}
		}
		if a != nil {
			lang := b.langOf(&orig.Person, a)
			// The name is the one the delegate typed, never the stored one.
			text := b.Texts.T(lang, "sub.approved", map[string]any{"SubName": orig.SubstituteName, "Title": m.Title, "Link": base + sub.Token})
			if existing {
				text = b.Texts.T(lang, "sub.approved_direct", map[string]any{"SubName": orig.SubstituteName, "Title": m.Title})
			}
			msgs = append(msgs, &convene.OutboxMessage{AccountID: a.ID, Channel: a.Channel, ChatID: a.ChatID,
				Key: fmt.Sprintf("sub-approved:%d:%d", orig.ID, a.ID), Content: convene.Content{Text: text}})
		}
		return msgs
	}
	sub, err := b.Invitations.DecideSubstitute(ctx, id, d)
	switch convene.ErrorCode(err) {
	case "":
	case convene.ECONFLICT:
		if orig.SubstituteStatus == "proposed" && approve {
			b.answer(ctx, r, b.t(r, "sub.already_invited"))
			return nil
		}
		b.answer(ctx, r, b.t(r, "sub.already_decided"))
		return nil
	case convene.EFORBIDDEN:
		b.answer(ctx, r, b.t(r, "sub.cannot_approve"))
		return nil
	default:
		return err
	}
	b.Wake()
	b.answer(ctx, r, b.t(r, "rsvp.saved"))
	if !approve {
		b.edit(ctx, r, Outgoing{Text: b.t(r, "org.sub_rejected_done", "SubName", orig.SubstituteName, "Name", orig.Person.FullName)})
		return nil
	}
	key := "org.sub_approved_done"
	switch {
	case existingSub && sub.Account() != nil:
		key = "org.sub_approved_sent"
	case existingSub:
		key = "org.sub_approved_unlinked"
	}
	b.edit(ctx, r, Outgoing{Text: b.t(r, key, "SubName", orig.SubstituteName, "Real", sub.Person.FullName, "Name", orig.Person.FullName, "Link", base+sub.Token)})
	return nil
}

// linkBase returns what a token is appended to for a personal link: a
// Telegram deep link when the bot's username is known, else nothing (the
// bare code is sent to the bot).
func (b *Bot) linkBase(ctx context.Context) string {
	name, err := b.State.GetState(ctx, "telegram.username")
	if err != nil || name == "" {
		return ""
	}
	return "https://t.me/" + name + "?start="
}

// Link returns the personal link of a token: a deep link on Telegram when the
// bot's username is known, else the bare code to send to the bot.
func (b *Bot) Link(ctx context.Context, token string) string {
	return b.linkBase(ctx) + token
}
