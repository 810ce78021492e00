package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/convene/convene"
)

// ReminderMessages builds a reminder for each reachable invitee of the
// meeting in the audience: how long until the meeting, where, their own
// answer, and buttons to answer if they haven't. key makes each message's
// idempotency key (key:invitation id).
func (b *Bot) ReminderMessages(ctx context.Context, m *convene.Meeting, f convene.InvitationFilter, key string) ([]*convene.OutboxMessage, error) {
	return b.remind.ReminderMessages(ctx, m, f, key)
}

// ReminderMessages does the work of Bot.ReminderMessages.
func (h *remindHandlers) ReminderMessages(ctx context.Context, m *convene.Meeting, f convene.InvitationFilter, key string) ([]*convene.OutboxMessage, error) {
	issued := true // a reminder is of an invitation the person has (see ReminderAudience)
	f.Issued = &issued
	invs, _, err := h.Invitations.FindInvitees(ctx, f)
	if err != nil {
		return nil, err
	}
	reach, _ := recipients(invs)
	now := h.Now()
	msgs := make([]*convene.OutboxMessage, 0, len(reach))
	for _, inv := range reach {
		a := inv.Account()
		lang := h.langOf(&inv.Person, a)
		c := convene.Content{Text: h.Texts.T(lang, "remind.body", map[string]any{
			"Title": m.Title, "In": h.until(lang, now, m.StartsAt), "When": h.when(lang, m, m.StartsAt),
			"Venue": m.Venue, "Address": m.Address, "Answer": h.invitations.answerLine(lang, &inv.Invitation),
		})}
		if (inv.RSVP == convene.RSVPPending || inv.Reconfirm) && now.Before(m.Deadline()) {
			c.Buttons = h.invitations.rsvpButtons(lang, inv.ID)
			c.Text += "\n\n" + h.Texts.T(lang, "remind.please_answer", map[string]any{"Deadline": h.when(lang, m, m.Deadline())})
		}
		msgs = append(msgs, &convene.OutboxMessage{AccountID: a.ID, Channel: a.Channel, ChatID: a.ChatID,
			Key: fmt.Sprintf("%s:%d", key, inv.ID), Batch: key, Content: c})
	}
	return msgs, nil
}

// RemindNow queues a reminder to the meeting's audience at once, recorded as
// a firing of the "remind-now" job so it is in the log. The messages and
// the audit entry commit in one transaction.
func (b *Bot) RemindNow(ctx context.Context, code string, audience string, actor string, notify int64) (*Delivery, error) {
	return b.remind.RemindNow(ctx, code, audience, actor, notify)
}

// RemindNow does the work of Bot.RemindNow.
func (h *remindHandlers) RemindNow(ctx context.Context, code string, audience string, actor string, notify int64) (*Delivery, error) {
	return inTx(ctx, h.core, func(ctx context.Context) (*Delivery, error) {
		return h.remindNow(ctx, code, audience, "", actor, notify)
	})
}

// RemindBatch is RemindNow with the caller's batch key (a form's, say): a
// second call with the same meeting and batch queues nothing again, so a
// double submit reminds once. Returns EINVALID for an empty batch.
func (b *Bot) RemindBatch(ctx context.Context, code, audience, batch, actor string, notify int64) (*Delivery, error) {
	return b.remind.RemindBatch(ctx, code, audience, batch, actor, notify)
}

// RemindBatch does the work of Bot.RemindBatch.
func (h *remindHandlers) RemindBatch(ctx context.Context, code, audience, batch, actor string, notify int64) (*Delivery, error) {
	if batch == "" {
		return nil, convene.Errorf(convene.EINVALID, "reminder without batch")
	}
	return inTx(ctx, h.core, func(ctx context.Context) (*Delivery, error) {
		return h.remindNow(ctx, code, audience, batch, actor, notify)
	})
}

func (h *remindHandlers) remindNow(ctx context.Context, code, audience, batch, actor string, notify int64) (*Delivery, error) {
	m, err := h.Meetings.FindMeetingByCode(ctx, code)
	if err != nil {
		return nil, err
	}
	f, err := ReminderAudience(m.ID, audience)
	if err != nil {
		return nil, err
	}
	key := fmt.Sprintf("remind-now:%d:%d", m.ID, h.Now().UnixNano())
	if batch != "" {
		key = fmt.Sprintf("remind-batch:%d:%s", m.ID, batch)
	}
	msgs, err := h.ReminderMessages(ctx, m, f, key)
	if err != nil {
		return nil, err
	}
	for _, msg := range msgs {
		msg.NotifyAccount = notify
	}
	n, err := h.Outbox.Enqueue(ctx, msgs)
	if err != nil {
		return nil, err
	}
	if err := h.Audit.RecordAudit(ctx, &convene.AuditEntry{Actor: actor, Action: "remind", MeetingID: m.ID,
		Detail: fmt.Sprintf("audience %q: %d queued", audience, n)}); err != nil {
		return nil, err
	}
	invs, _, err := h.Invitations.FindInvitees(ctx, f)
	if err != nil {
		return nil, err
	}
	return &Delivery{Queued: n, Unlinked: len(invs) - len(msgs)}, nil
}

// cmdRemind offers to send a reminder now: /remind CODE [audience]. Like
// /invite and /broadcast it first says how many it reaches (and, for
// "all", how many are left out as excused) and asks to confirm; the
// audience waits in the organizer's state until then.
func (h *remindHandlers) cmdRemind(ctx context.Context, r *Request) error {
	m, rest, err := h.meetingArg(ctx, r, r.Args)
	if err != nil {
		return err
	}
	f, err := ReminderAudience(m.ID, rest)
	if err != nil {
		h.say(ctx, r, "audience.invalid")
		return nil
	}
	invs, _, err := h.Invitations.FindInvitees(ctx, f)
	if err != nil {
		return err
	}
	reach, unlinked := recipients(invs)
	excused := 0
	if f.Expected {
		_, total, err := h.Invitations.FindInvitees(ctx, convene.InvitationFilter{MeetingID: m.ID, Limit: 1})
		if err != nil {
			return err
		}
		excused = total - len(invs)
	}
	if err := h.State.SetState(ctx, remindKey(r.Account.ID), itoa(m.ID)+"\n"+rest); err != nil {
		return err
	}
	h.reply(ctx, r, Outgoing{
		Text: h.t(r, "remind.confirm", "Title", m.Title, "Count", len(reach), "Unlinked", unlinked, "Excused", excused),
		Buttons: [][]convene.Button{{
			{Text: h.t(r, "btn.confirm_send"), Data: remindData{Meeting: m.ID, OK: true}.encode()},
			{Text: h.t(r, "btn.cancel"), Data: remindData{Meeting: m.ID}.encode()},
		}},
	})
	return nil
}

// onRemindConfirm queues the reminder /remind offered, once confirmed.
// The audience comes from the organizer's state, not from the data; a
// second press finds it gone and is told the button no longer works.
func (h *remindHandlers) onRemindConfirm(ctx context.Context, r *Request) error {
	if !r.Organizer {
		return convene.Errorf(convene.EFORBIDDEN, "remind")
	}
	d, err := parseRemindData(r.CallbackData)
	if err != nil {
		return err
	}
	saved, err := h.State.GetState(ctx, remindKey(r.Account.ID))
	if err != nil {
		return err
	}
	id, audience, _ := strings.Cut(saved, "\n")
	if saved == "" || id != itoa(d.Meeting) {
		h.answer(ctx, r, h.t(r, "hint.stale_button"))
		return nil
	}
	if err := h.State.SetState(ctx, remindKey(r.Account.ID), ""); err != nil {
		return err
	}
	h.answer(ctx, r, "")
	if !d.OK {
		h.edit(ctx, r, Outgoing{Text: h.t(r, "org.cancelled")})
		return nil
	}
	m, err := h.Meetings.FindMeetingByID(ctx, d.Meeting)
	if err != nil {
		return err
	}
	r.about(m)
	dl, err := h.remindNow(ctx, m.Code, audience, "chat:"+r.UpdateID, r.Actor(), r.Account.ID)
	if err != nil {
		return err
	}
	h.edit(ctx, r, Outgoing{Text: h.t(r, "remind.queued", "Count", dl.Queued, "Unlinked", dl.Unlinked)})
	return nil
}

func remindKey(accountID int64) string { return "remind:" + itoa(accountID) }

// remindData is the callback data of the reminder confirmation:
// "rm:<ok|no>:<meeting id>".
type remindData struct {
	Meeting int64
	OK      bool
}

func (d remindData) encode() string { return "rm:" + okNo(d.OK) + ":" + itoa(d.Meeting) }

// parseRemindData reads remindData; anything but "ok" cancels.
func parseRemindData(s string) (remindData, error) {
	p := strings.Split(s, ":")
	if len(p) != 3 || p[0] != "rm" {
		return remindData{}, errStale
	}
	id, err := strconv.ParseInt(p[2], 10, 64)
	if err != nil {
		return remindData{}, errStale
	}
	return remindData{Meeting: id, OK: p[1] == "ok"}, nil
}

// remindHandlers queue reminders to a meeting's audience, on command or at once.
type remindHandlers struct {
	*core
	invitations *invitations
}
