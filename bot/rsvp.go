package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/convene/convene"
	"github.com/convene/convene/texts"
)

// ownInvitation loads the invitation id and checks it is the sender's.
func (h *rsvpHandlers) ownInvitation(ctx context.Context, r *Request, id int64) (*convene.Invitee, *convene.Meeting, error) {
	inv, err := h.Invitations.FindInvitationByID(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if r.Person == nil || inv.PersonID != r.Person.ID {
		return nil, nil, convene.Errorf(convene.EFORBIDDEN, "not your invitation")
	}
	m, err := h.Meetings.FindMeetingByID(ctx, inv.MeetingID)
	if err != nil {
		return nil, nil, err
	}
	r.about(m)
	return inv, m, nil
}

// onRSVPButton handles Attend (a), Decline (d) and Substitute (s) presses.
func (h *rsvpHandlers) onRSVPButton(ctx context.Context, r *Request) error {
	d, err := parseRSVPData(r.CallbackData)
	if err != nil {
		return err
	}
	inv, m, err := h.ownInvitation(ctx, r, d.Inv)
	if convene.ErrorCode(err) == convene.EFORBIDDEN {
		h.answer(ctx, r, h.t(r, "rsvp.not_yours"))
		return nil
	} else if err != nil {
		return err
	}
	if inv.IssuedAt.IsZero() {
		// The office has not issued this invitation yet (a draft meeting):
		// there is nothing to answer.
		h.answer(ctx, r, "")
		h.say(ctx, r, "rsvp.not_issued", "Title", m.Title)
		return nil
	}
	if h.Now().After(m.Deadline()) {
		h.answer(ctx, r, "")
		h.say(ctx, r, "rsvp.closed", "Title", m.Title)
		return nil
	}
	if h.substituteSent(ctx, r, inv, m) {
		return nil
	}
	switch d.Choice {
	case choiceAttend:
		return h.setRSVP(ctx, r, inv, m, "", convene.RSVPChange{RSVP: convene.RSVPAttending})
	case choiceDecline:
		h.answer(ctx, r, "")
		if err := h.Conversations.SaveConversation(ctx, declineState{Inv: inv.ID, Msg: r.MessageID}.conversation(r.Account.ID)); err != nil {
			return err
		}
		h.say(ctx, r, "rsvp.ask_reason")
		return nil
	}
	h.answer(ctx, r, "")
	s := substituteState{Step: subAskName, Inv: inv.ID, Msg: r.MessageID}
	if err := h.Conversations.SaveConversation(ctx, s.conversation(r.Account.ID)); err != nil {
		return err
	}
	h.say(ctx, r, "sub.ask_name")
	return nil
}

// setRSVP records an answer and shows it on the invitation message: the
// pressed one, or msgID when the answer ends a flow. An answer equal to the
// stored one changes nothing.
func (h *rsvpHandlers) setRSVP(ctx context.Context, r *Request, inv *convene.Invitee, m *convene.Meeting, msgID string, ch convene.RSVPChange, msgs ...*convene.OutboxMessage) error {
	if h.substituteSent(ctx, r, inv, m) {
		return nil
	}
	ch.Actor = r.Actor()
	updated, err := h.Invitations.SetRSVP(ctx, inv.ID, ch, msgs...)
	switch convene.ErrorCode(err) {
	case "":
	case convene.ECONFLICT:
		h.answer(ctx, r, h.t(r, "rsvp.unchanged"))
		return nil
	case convene.EEXPIRED:
		h.answer(ctx, r, "")
		h.say(ctx, r, "rsvp.closed", "Title", m.Title)
		return nil
	default:
		return err
	}
	if len(msgs) > 0 {
		h.Wake()
	}
	inv.Invitation = *updated
	h.answer(ctx, r, h.t(r, "rsvp.saved"))
	content := h.invitations.invitationContent(r.Lang, m, inv, calendarButton(r.channel.Caps()))
	if r.CallbackID != "" {
		h.edit(ctx, r, content)
	} else if msgID != "" && r.channel.Caps().Edit {
		h.editMessage(ctx, r, msgID, content)
	}
	h.say(ctx, r, "rsvp.thanks_"+string(updated.RSVP), "Title", m.Title, "When", h.when(r.Lang, m, m.StartsAt))
	return nil
}

// substituteSent refuses, with the reason, any answer of an invitee whose
// substitute the office approved: the substitute holds the seat, and two
// people would be invited for one. Only the office can change it.
func (h *rsvpHandlers) substituteSent(ctx context.Context, r *Request, inv *convene.Invitee, m *convene.Meeting) bool {
	if inv.RSVP != convene.RSVPSubstitute || inv.SubstituteStatus != "approved" {
		return false
	}
	h.answer(ctx, r, "")
	h.say(ctx, r, "rsvp.substitute_approved", "SubName", inv.SubstituteName, "Title", m.Title)
	return true
}

// flowDecline takes the reason for declining.
func (h *rsvpHandlers) flowDecline(ctx context.Context, r *Request, c *convene.Conversation) error {
	reason := strings.TrimSpace(r.Text)
	if reason == "" {
		h.say(ctx, r, "rsvp.ask_reason")
		return nil
	}
	if len([]rune(reason)) > 500 {
		h.say(ctx, r, "input.too_long", "Max", 500)
		return nil
	}
	st, err := parseDeclineState(c)
	if err != nil {
		_ = h.Conversations.DeleteConversation(ctx, r.Account.ID)
		return err
	}
	inv, m, err := h.ownInvitation(ctx, r, st.Inv)
	if err != nil {
		_ = h.Conversations.DeleteConversation(ctx, r.Account.ID)
		return err
	}
	if err := h.Conversations.DeleteConversation(ctx, r.Account.ID); err != nil {
		return err
	}
	return h.setRSVP(ctx, r, inv, m, st.Msg, convene.RSVPChange{RSVP: convene.RSVPDeclined, Reason: reason})
}

// flowSubstitute asks the substitute's name, title and phone, then records the
// proposal and asks the organizers to approve it.
func (h *rsvpHandlers) flowSubstitute(ctx context.Context, r *Request, c *convene.Conversation) error {
	st, err := parseSubstituteState(c)
	if err != nil {
		_ = h.Conversations.DeleteConversation(ctx, r.Account.ID)
		return err
	}
	text := strings.TrimSpace(r.Text)
	if text == "" || len([]rune(text)) > 200 {
		h.say(ctx, r, "sub.ask_"+string(st.Step))
		return nil
	}
	if st.Step == subAskName || st.Step == subAskTitle {
		st = st.next(text)
		if err := h.Conversations.SaveConversation(ctx, st.conversation(r.Account.ID)); err != nil {
			return err
		}
		h.say(ctx, r, "sub.ask_"+string(st.Step))
		return nil
	}
	phone, err := h.normalizePhone(text)
	if err != nil {
		h.say(ctx, r, "sub.bad_phone")
		return nil
	}
	inv, m, err := h.ownInvitation(ctx, r, st.Inv)
	if err != nil {
		_ = h.Conversations.DeleteConversation(ctx, r.Account.ID)
		return err
	}
	match, refused, err := h.substituteMatch(ctx, phone)
	if err != nil {
		return err
	}
	if refused || (match != nil && match.ID == inv.PersonID) {
		// The proposer learns only that this phone can't be proposed: not
		// whose it is. The organizers learn who tried whom.
		h.Logger.Warn("substitute refused: protected person's phone", "actor", r.Actor(), "invitation", inv.ID)
		h.say(ctx, r, "sub.refused")
		if match == nil || match.ID == inv.PersonID {
			return nil
		}
		return h.tellOrganizers(ctx, fmt.Sprintf("sub-refused:%d:%s", inv.ID, r.UpdateID), "org.sub_attempt_refused",
			"Name", inv.Person.FullName, "Unit", inv.Person.Unit, "Meeting", m.Title, "SubName", st.Name, "SubPhone", phone,
			"MatchName", match.FullName, "MatchRole", textRef("role."+roleName(match.Role)))
	}
	if err := h.Conversations.DeleteConversation(ctx, r.Account.ID); err != nil {
		return err
	}
	ch := convene.RSVPChange{RSVP: convene.RSVPSubstitute, SubstituteName: st.Name, SubstituteTitle: st.Title, SubstitutePhone: phone}
	key := fmt.Sprintf("sub-proposed:%d:%s", inv.ID, r.UpdateID)
	msgs, err := h.organizerMessages(ctx, key, func(lang string) convene.Content {
		return h.subProposal(lang, inv, m, ch.SubstituteName, ch.SubstituteTitle, phone, match)
	})
	if err != nil {
		return err
	}
	return h.setRSVP(ctx, r, inv, m, st.Msg, ch, msgs...)
}

// subProposal is the request to the office to approve or reject a
// substitute for inv: who proposes whom, the stored person the phone
// matches (if any), and the two buttons.
func (h *rsvpHandlers) subProposal(lang string, inv *convene.Invitee, m *convene.Meeting, name, title, phone string, match *convene.Person) convene.Content {
	text := h.Texts.T(lang, "org.sub_proposed", map[string]any{
		"Name": inv.Person.FullName, "Unit": inv.Person.Unit, "Meeting": m.Title,
		"SubName": name, "SubTitle": title, "SubPhone": texts.Phone(phone),
	})
	if match != nil {
		text += "\n\n" + h.Texts.T(lang, "org.sub_match", map[string]any{
			"MatchName": match.FullName, "MatchUnit": orDash(match.Unit), "MatchRole": h.Texts.T(lang, "role."+roleName(match.Role), nil),
		})
	}
	return convene.Content{
		Text: text,
		Buttons: [][]convene.Button{{
			{Text: h.Texts.T(lang, "btn.approve", nil), Data: subData{Inv: inv.ID, Approve: true}.encode()},
			{Text: h.Texts.T(lang, "btn.reject", nil), Data: subData{Inv: inv.ID}.encode()},
		}},
	}
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
func (h *rsvpHandlers) substituteMatch(ctx context.Context, phone string) (*convene.Person, bool, error) {
	p, err := h.People.FindPersonByPhone(ctx, phone)
	if convene.ErrorCode(err) == convene.ENOTFOUND {
		return nil, false, nil
	} else if err != nil {
		return nil, false, err
	}
	if !p.Role.Substitutable() {
		return p, true, nil
	}
	accs, err := h.People.FindAccountsByPerson(ctx, p.ID)
	if err != nil {
		return nil, false, err
	}
	for _, a := range accs {
		if h.IsAdmin(a.Channel, a.UserID) {
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
func (h *rsvpHandlers) onSubstituteDecision(ctx context.Context, r *Request) error {
	if !r.Organizer {
		return convene.Errorf(convene.EFORBIDDEN, "substitute decision")
	}
	data, err := parseSubData(r.CallbackData)
	if err != nil {
		return err
	}
	id := data.Inv
	orig, err := h.Invitations.FindInvitationByID(ctx, id)
	if err != nil {
		return err
	}
	m, err := h.Meetings.FindMeetingByID(ctx, orig.MeetingID)
	if err != nil {
		return err
	}
	r.about(m)
	approve := data.Approve
	if approve && orig.SubstitutePhone != "" {
		if _, refused, err := h.substituteMatch(ctx, orig.SubstitutePhone); err != nil {
			return err
		} else if refused {
			h.answer(ctx, r, h.t(r, "sub.cannot_approve"))
			return nil
		}
	}
	base := h.linkBase(ctx)
	d := convene.SubstituteDecision{Approve: approve, Actor: r.Actor()}
	var existingSub bool
	d.Messages = func(sub *convene.Invitee, existing bool) []*convene.OutboxMessage {
		existingSub = existing
		a := orig.Account()
		if !approve {
			if a == nil {
				return nil
			}
			lang := h.langOf(&orig.Person, a)
			return []*convene.OutboxMessage{{AccountID: a.ID, Channel: a.Channel, ChatID: a.ChatID,
				Key: fmt.Sprintf("sub-rejected:%d:%d", orig.ID, a.ID),
				Content: convene.Content{Text: h.Texts.T(lang, "sub.rejected", issuerData(m.Issuer, map[string]any{"SubName": orig.SubstituteName, "Title": m.Title})),
					Buttons: h.invitations.rsvpButtons(lang, orig.ID)}}}
		}
		var msgs []*convene.OutboxMessage
		if existing {
			// Only the person's own accounts get their invitation.
			for _, sa := range sub.Accounts {
				if sa.Reachable {
					msgs = append(msgs, h.invitations.invitationMessages(m, sub, sa, "invite")...)
				}
			}
		}
		if a != nil {
			lang := h.langOf(&orig.Person, a)
			// The name is the one the delegate typed, never the stored one.
			text := h.Texts.T(lang, "sub.approved", issuerData(m.Issuer, map[string]any{"SubName": orig.SubstituteName, "Title": m.Title, "Link": base + sub.Token}))
			if existing {
				text = h.Texts.T(lang, "sub.approved_direct", issuerData(m.Issuer, map[string]any{"SubName": orig.SubstituteName, "Title": m.Title}))
			}
			msgs = append(msgs, &convene.OutboxMessage{AccountID: a.ID, Channel: a.Channel, ChatID: a.ChatID,
				Key: fmt.Sprintf("sub-approved:%d:%d", orig.ID, a.ID), Content: convene.Content{Text: text}})
		}
		return msgs
	}
	sub, err := h.Invitations.DecideSubstitute(ctx, id, d)
	switch convene.ErrorCode(err) {
	case "":
	case convene.ECONFLICT:
		if orig.SubstituteStatus == "proposed" && approve {
			h.answer(ctx, r, h.t(r, "sub.already_invited"))
			return nil
		}
		h.answer(ctx, r, h.t(r, "sub.already_decided"))
		return nil
	case convene.EFORBIDDEN:
		h.answer(ctx, r, h.t(r, "sub.cannot_approve"))
		return nil
	default:
		return err
	}
	h.Wake()
	h.answer(ctx, r, h.t(r, "rsvp.saved"))
	if !approve {
		h.edit(ctx, r, Outgoing{Text: h.t(r, "org.sub_rejected_done", "SubName", orig.SubstituteName, "Name", orig.Person.FullName)})
		return h.offerRemaining(ctx, r, m)
	}
	key := "org.sub_approved_done"
	switch {
	case existingSub && sub.Account() != nil:
		key = "org.sub_approved_sent"
	case existingSub:
		key = "org.sub_approved_unlinked"
	}
	h.edit(ctx, r, Outgoing{Text: h.t(r, key, "SubName", orig.SubstituteName, "Real", sub.Person.FullName, "Name", orig.Person.FullName, "Link", base+sub.Token)})
	return h.offerRemaining(ctx, r, m)
}

// linkBase returns what a token is appended to for a personal link: a
// Telegram deep link when the bot's username is known, else nothing (the
// bare code is sent to the bot).
func (b *core) linkBase(ctx context.Context) string {
	name, err := b.State.GetState(ctx, "telegram.username")
	if err != nil || name == "" {
		return ""
	}
	return "https://t.me/" + name + "?start="
}

// Link returns the personal link of a token: a deep link on Telegram when the
// bot's username is known, else the bare code to send to the bot.
func (b *core) Link(ctx context.Context, token string) string {
	return b.linkBase(ctx) + token
}

// rsvpData is the callback data of an invitation's buttons:
// "rsvp:<invitation id>:<a|d|s>".
type rsvpData struct {
	Inv    int64
	Choice rsvpChoice
}

// rsvpChoice is the button pressed under an invitation.
type rsvpChoice string

const (
	choiceAttend     rsvpChoice = "a"
	choiceDecline    rsvpChoice = "d"
	choiceSubstitute rsvpChoice = "s"
)

func (d rsvpData) encode() string { return "rsvp:" + itoa(d.Inv) + ":" + string(d.Choice) }

// parseRSVPData reads rsvpData: errStale for another shape or choice,
// EINVALID for a bad id.
func parseRSVPData(s string) (rsvpData, error) {
	p := strings.Split(s, ":")
	if len(p) != 3 || p[0] != "rsvp" {
		return rsvpData{}, errStale
	}
	id, err := strconv.ParseInt(p[1], 10, 64)
	if err != nil {
		return rsvpData{}, convene.Errorf(convene.EINVALID, "bad invitation id")
	}
	switch c := rsvpChoice(p[2]); c {
	case choiceAttend, choiceDecline, choiceSubstitute:
		return rsvpData{Inv: id, Choice: c}, nil
	}
	return rsvpData{}, errStale
}

// subData is the callback data of an organizer's decision on a proposed
// substitute: "sub:<invitation id>:<ok|no>".
type subData struct {
	Inv     int64
	Approve bool
}

func (d subData) encode() string {
	if d.Approve {
		return "sub:" + itoa(d.Inv) + ":ok"
	}
	return "sub:" + itoa(d.Inv) + ":no"
}

// parseSubData reads subData; anything but "ok" rejects.
func parseSubData(s string) (subData, error) {
	p := strings.Split(s, ":")
	if len(p) != 3 || p[0] != "sub" {
		return subData{}, errStale
	}
	id, err := strconv.ParseInt(p[1], 10, 64)
	if err != nil {
		return subData{}, convene.Errorf(convene.EINVALID, "bad invitation id")
	}
	return subData{Inv: id, Approve: p[2] == "ok"}, nil
}

const (
	flowDecline    = "decline"
	flowSubstitute = "substitute"
)

// declineState is the decline flow's: the invitation declined and the
// invitation message to edit with the answer.
type declineState struct {
	Inv int64
	Msg string
}

func (s declineState) conversation(accountID int64) *convene.Conversation {
	return &convene.Conversation{AccountID: accountID, Flow: flowDecline, Step: "reason",
		Data: map[string]string{"inv": itoa(s.Inv), "msg": s.Msg}}
}

func parseDeclineState(c *convene.Conversation) (declineState, error) {
	id, err := strconv.ParseInt(c.Data["inv"], 10, 64)
	if err != nil {
		return declineState{}, convene.Errorf(convene.EINVALID, "bad invitation id")
	}
	return declineState{Inv: id, Msg: c.Data["msg"]}, nil
}

// subStep is the question the substitute flow asks next.
type subStep string

const (
	subAskName  subStep = "name"
	subAskTitle subStep = "title"
	subAskPhone subStep = "phone"
)

// substituteState is the substitute flow's: the invitation, the message to
// edit, and the substitute's name and title as typed so far.
type substituteState struct {
	Step        subStep
	Inv         int64
	Msg         string
	Name, Title string
}

// next records text as the answer to the name or title step and moves on.
func (s substituteState) next(text string) substituteState {
	switch s.Step {
	case subAskName:
		s.Name, s.Step = text, subAskTitle
	case subAskTitle:
		s.Title, s.Step = text, subAskPhone
	}
	return s
}

func (s substituteState) conversation(accountID int64) *convene.Conversation {
	data := map[string]string{"inv": itoa(s.Inv), "msg": s.Msg}
	if s.Name != "" {
		data["name"] = s.Name
	}
	if s.Title != "" {
		data["title"] = s.Title
	}
	return &convene.Conversation{AccountID: accountID, Flow: flowSubstitute, Step: string(s.Step), Data: data}
}

func parseSubstituteState(c *convene.Conversation) (substituteState, error) {
	id, err := strconv.ParseInt(c.Data["inv"], 10, 64)
	if err != nil {
		return substituteState{}, convene.Errorf(convene.EINVALID, "bad invitation id")
	}
	return substituteState{Step: subStep(c.Step), Inv: id, Msg: c.Data["msg"], Name: c.Data["name"], Title: c.Data["title"]}, nil
}

// rsvpHandlers answer an invitation (attend, decline, send a substitute) and
// take the organizer's decision on a proposed substitute.
type rsvpHandlers struct {
	*core
	invitations *invitations
}
