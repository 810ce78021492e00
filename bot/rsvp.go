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
		if err := r.channel.Edit(ctx, r.ChatID, msgID, content); err != nil {
			b.Logger.Debug("edit invitation", "err", err)
		}
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
	if err := b.Conversations.DeleteConversation(ctx, r.Account.ID); err != nil {
		return err
	}
	ch := convene.RSVPChange{RSVP: convene.RSVPSubstitute, SubstituteName: c.Data["name"], SubstituteTitle: c.Data["title"], SubstitutePhone: phone}
	key := fmt.Sprintf("sub-proposed:%d:%s", inv.ID, r.UpdateID)
	msgs, err := b.organizerMessages(ctx, key, func(lang string) convene.Content {
		return convene.Content{
			Text: b.Texts.T(lang, "org.sub_proposed", map[string]any{
				"Name": inv.Person.FullName, "Unit": inv.Person.Unit, "Meeting": m.Title,
				"SubName": ch.SubstituteName, "SubTitle": ch.SubstituteTitle, "SubPhone": phone,
			}),
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

// onSubstituteDecision lets an organizer approve or reject a substitute.
// Approval gives the substitute an invitation, whose link the delegate gets to forward.
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
	var msgs []*convene.OutboxMessage
	var link string
	if approve {
		// The substitute's token is only known after approval; the delegate's
		// message is queued below.
	} else {
		for _, a := range orig.Accounts {
			lang := b.langOf(&orig.Person, a)
			msgs = append(msgs, &convene.OutboxMessage{AccountID: a.ID, Channel: a.Channel, ChatID: a.ChatID,
				Key: fmt.Sprintf("sub-rejected:%d:%d", orig.ID, a.ID),
				Content: convene.Content{Text: b.Texts.T(lang, "sub.rejected", map[string]any{"SubName": orig.SubstituteName, "Title": m.Title}),
					Buttons: b.rsvpButtons(lang, orig.ID)}})
			break
		}
	}
	sub, err := b.Invitations.DecideSubstitute(ctx, id, approve, r.Actor(), msgs...)
	if convene.ErrorCode(err) == convene.ECONFLICT {
		b.answer(ctx, r, b.t(r, "sub.already_decided"))
		return nil
	} else if err != nil {
		return err
	}
	if approve {
		link = b.Link(ctx, sub.Token)
		if a := orig.Account(); a != nil {
			lang := b.langOf(&orig.Person, a)
			if _, err := b.Outbox.Enqueue(ctx, []*convene.OutboxMessage{{AccountID: a.ID, Channel: a.Channel, ChatID: a.ChatID,
				Key:     fmt.Sprintf("sub-approved:%d:%d", orig.ID, a.ID),
				Content: convene.Content{Text: b.Texts.T(lang, "sub.approved", map[string]any{"SubName": sub.Person.FullName, "Title": m.Title, "Link": link})},
			}}); err != nil {
				return err
			}
		}
	}
	b.Wake()
	b.answer(ctx, r, b.t(r, "rsvp.saved"))
	key := "org.sub_rejected_done"
	if approve {
		key = "org.sub_approved_done"
	}
	b.edit(ctx, r, Outgoing{Text: b.t(r, key, "SubName", orig.SubstituteName, "Name", orig.Person.FullName, "Link", link)})
	return nil
}

// Link returns the personal link of a token: a deep link on Telegram when the
// bot's username is known, else the bare code to send to the bot.
func (b *Bot) Link(ctx context.Context, token string) string {
	name, err := b.State.GetState(ctx, "telegram.username")
	if err != nil || name == "" {
		return token
	}
	return "https://t.me/" + name + "?start=" + token
}
