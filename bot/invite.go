package bot

import (
	"context"
	"fmt"
	"strings"

	"github.com/convene/convene"

	ics "github.com/arran4/golang-ical"
)

// langOf returns the language to write to an invitee in.
func (b *core) langOf(p *convene.Person, a *convene.Account) string {
	switch {
	case a != nil && a.Lang != "":
		return a.Lang
	case p != nil && p.Lang != "":
		return p.Lang
	}
	return b.Lang
}

// invitationText renders the invitation details and the invitee's current answer.
func (h *invitations) invitationText(lang string, m *convene.Meeting, inv *convene.Invitee) string {
	data := map[string]any{
		"Name":     inv.Person.FullName,
		"Title":    m.Title,
		"When":     h.when(lang, m, m.StartsAt),
		"Venue":    m.Venue,
		"Address":  m.Address,
		"Host":     m.Host,
		"Category": inv.Category.Name,
		"Deadline": h.when(lang, m, m.Deadline()),
		"Org":      m.Organization,
	}
	if end := h.endClock(m); end != "" {
		data["End"] = end
	}
	var sb strings.Builder
	sb.WriteString(h.Texts.T(lang, "invite.body", data))
	if !m.Program.Empty() {
		sb.WriteString("\n\n")
		sb.WriteString(h.Texts.T(lang, "invite.program", nil))
		sb.WriteString("\n")
		sb.WriteString(h.programText(lang, m))
	}
	if inv.Reconfirm {
		sb.WriteString("\n\n")
		sb.WriteString(h.Texts.T(lang, "invite.reconfirm", nil))
	}
	sb.WriteString("\n\n")
	sb.WriteString(h.answerLine(lang, &inv.Invitation))
	return sb.String()
}

// answerLine says the invitee's current answer.
func (h *invitations) answerLine(lang string, inv *convene.Invitation) string {
	data := map[string]any{"Answer": h.rsvpText(lang, inv.RSVP), "Reason": inv.Reason, "Substitute": inv.SubstituteName}
	switch {
	case inv.RSVP == convene.RSVPPending || inv.RSVP == "":
		return h.Texts.T(lang, "invite.answer_none", data)
	case inv.RSVP == convene.RSVPDeclined && inv.Reason != "":
		return h.Texts.T(lang, "invite.answer_reason", data)
	case inv.RSVP == convene.RSVPSubstitute:
		return h.Texts.T(lang, "invite.answer_substitute", data)
	}
	return h.Texts.T(lang, "invite.answer", data)
}

// rsvpButtons are the invitation's choices, in the order Attend · Decline · Substitute.
func (h *invitations) rsvpButtons(lang string, invID int64) [][]convene.Button {
	return [][]convene.Button{
		{{Text: h.Texts.T(lang, "btn.attend", nil), Data: rsvpData{Inv: invID, Choice: choiceAttend}.encode()}},
		{{Text: h.Texts.T(lang, "btn.decline", nil), Data: rsvpData{Inv: invID, Choice: choiceDecline}.encode()}},
		{{Text: h.Texts.T(lang, "btn.substitute", nil), Data: rsvpData{Inv: invID, Choice: choiceSubstitute}.encode()}},
	}
}

// invitationContent is the invitation message with its buttons; calendar
// adds "📅 Add to calendar", which sends the .ics file on demand (see
// calendarButtonOn). It is the one rendering of an invitation: the issued
// message, its edits after an answer and /my all use it.
func (h *invitations) invitationContent(lang string, m *convene.Meeting, inv *convene.Invitee, calendar bool) convene.Content {
	return h.invitationContentAt(lang, m, inv, calendar, true)
}

// invitationContentAt is invitationContent; without answerable (the answer
// deadline passed) it has no answer buttons, only the calendar and the
// materials.
func (h *invitations) invitationContentAt(lang string, m *convene.Meeting, inv *convene.Invitee, calendar, answerable bool) convene.Content {
	c := convene.Content{Text: h.invitationText(lang, m, inv)}
	if answerable {
		c.Buttons = h.rsvpButtons(lang, inv.ID)
	}
	if calendar {
		c.Buttons = append(c.Buttons, []convene.Button{{Text: h.Texts.T(lang, "btn.calendar", nil), Data: calendarData{Inv: inv.ID}.encode()}})
	}
	if row := h.materialsButton(lang, m); row != nil { // material.go
		c.Buttons = append(c.Buttons, row)
	}
	return c
}

// ICS returns an iCalendar file for the meeting with an alarm an hour before.
func ICS(m *convene.Meeting, summary, description string) []byte {
	cal := ics.NewCalendar()
	cal.SetMethod(ics.MethodPublish)
	cal.SetProductId("-//convene//convene//VI")
	ev := cal.AddEvent(fmt.Sprintf("%s@convene", m.Code))
	stamp := m.UpdatedAt
	if stamp.IsZero() {
		stamp = m.StartsAt
	}
	ev.SetDtStampTime(stamp.UTC())
	ev.SetSequence(int(stamp.Unix() % 1_000_000_000))
	ev.SetStartAt(m.StartsAt.UTC())
	ev.SetEndAt(m.End().UTC())
	ev.SetSummary(summary)
	ev.SetDescription(description)
	loc := m.Venue
	if m.Address != "" {
		loc += ", " + m.Address
	}
	ev.SetLocation(loc)
	al := ev.AddAlarm()
	al.SetAction(ics.ActionDisplay)
	al.SetTrigger("-PT1H")
	al.SetProperty(ics.ComponentPropertyDescription, summary)
	return []byte(cal.Serialize(ics.WithNewLine("\r\n")))
}

// invitationMessages are the outbox messages inviting one linked invitee:
// one message, the details with buttons (and, where the channel has buttons
// and files, the calendar button that sends the .ics on demand), so issuing
// invitations costs one sending call each. Its key makes a second enqueue a
// no-op.
func (h *invitations) invitationMessages(m *convene.Meeting, inv *convene.Invitee, acc *convene.Account, keyPrefix string) []*convene.OutboxMessage {
	lang := h.langOf(&inv.Person, acc)
	return []*convene.OutboxMessage{{
		AccountID: acc.ID, Channel: acc.Channel, ChatID: acc.ChatID, Key: fmt.Sprintf("%s:%d:%d", keyPrefix, inv.ID, acc.ID),
		Ref: "invitation:" + itoa(inv.ID), Batch: keyPrefix + ":" + itoa(m.ID),
		Content: h.invitationContent(lang, m, inv, h.calendar.calendarButtonOn(acc.Channel)),
	}}
}

// InviteResult counts what issuing invitations did.
type InviteResult struct {
	Invitees int // all invitees of the meeting
	Queued   int // linked invitees whose invitation was queued now
	Unlinked int // invitees not linked yet: they get it when they link
	Units    int // unit invitations queued now to linked representatives
}

// IssueInvitations issues a meeting's invitations: it marks every invitation
// issued and queues the message for each linked, not yet issued invitee in
// one transaction; a running serve sends them. Issuing again sends nothing
// twice. notify is the account told how the batch went (0: nobody). The
// invitations, their messages, the meeting's status and the audit entry
// commit in one transaction.
func (b *Bot) IssueInvitations(ctx context.Context, code, actor string, notify int64) (*InviteResult, error) {
	return b.invitations.IssueInvitations(ctx, code, actor, notify)
}

// IssueInvitations does the work of Bot.IssueInvitations.
func (h *invitations) IssueInvitations(ctx context.Context, code, actor string, notify int64) (*InviteResult, error) {
	return inTx(ctx, h.core, func(ctx context.Context) (*InviteResult, error) { return h.issueInvitations(ctx, code, actor, notify) })
}

func (h *invitations) issueInvitations(ctx context.Context, code, actor string, notify int64) (*InviteResult, error) {
	m, err := h.Meetings.FindMeetingByCode(ctx, code)
	if err != nil {
		return nil, err
	}
	invitees, _, err := h.Invitations.FindInvitees(ctx, convene.InvitationFilter{MeetingID: m.ID})
	if err != nil {
		return nil, err
	}
	res := &InviteResult{Invitees: len(invitees)}
	var ids []int64
	var msgs []*convene.OutboxMessage
	for _, inv := range invitees {
		acc := inv.Account()
		if acc == nil {
			res.Unlinked++
		}
		if !inv.IssuedAt.IsZero() {
			continue
		}
		ids = append(ids, inv.ID)
		if acc != nil {
			res.Queued++
			for _, msg := range h.invitationMessages(m, inv, acc, "invite") {
				msg.NotifyAccount = notify
				msgs = append(msgs, msg)
			}
		}
	}
	if err := h.Invitations.IssueInvitations(ctx, m.ID, ids, msgs); err != nil {
		return nil, fmt.Errorf("issue invitations %s: %w", code, err)
	}
	if res.Units, err = h.units.issueUnitInvitations(ctx, m, notify); err != nil { // units.go
		return nil, fmt.Errorf("issue unit invitations %s: %w", code, err)
	}
	if m.Status == convene.StatusDraft {
		st := convene.StatusInvited
		if _, err := h.Meetings.UpdateMeeting(ctx, m.ID, convene.MeetingUpdate{Status: &st}); err != nil {
			return nil, err
		}
	}
	if err := h.Audit.RecordAudit(ctx, &convene.AuditEntry{Actor: actor, Action: "invite", MeetingID: m.ID,
		Detail: fmt.Sprintf("issued %d, queued %d", len(ids), res.Queued)}); err != nil {
		return nil, err
	}
	return res, nil
}

// invitations build a meeting's invitation messages and issue them.
type invitations struct {
	*core
	units    *unitHandlers
	calendar *calendarHandlers
}
