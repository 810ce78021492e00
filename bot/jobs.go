package bot

import (
	"context"
	"fmt"
	"strings"

	"github.com/convene/convene"
)

// The methods in this file build the messages of scheduled jobs; the
// scheduler decides when and records each firing with its messages in one
// transaction.

// AudienceMessages builds a reminder to the meeting's audience; see ReminderMessages.
func (b *Bot) AudienceMessages(ctx context.Context, m *convene.Meeting, a convene.Audience, key string) ([]*convene.OutboxMessage, error) {
	f := AudienceFilter(m.ID, a)
	if a == convene.AudienceAll || a == "" {
		f.Expected = true // see ReminderAudience
	}
	return b.ReminderMessages(ctx, m, f, key)
}

// DigestMessages builds the daily digest for organizers: counts and who is pending.
func (b *Bot) DigestMessages(ctx context.Context, m *convene.Meeting, key string) ([]*convene.OutboxMessage, error) {
	st, err := b.Invitations.MeetingStats(ctx, m.ID)
	if err != nil {
		return nil, err
	}
	pending, total, err := b.Invitations.FindInvitees(ctx, convene.InvitationFilter{MeetingID: m.ID, RSVP: []convene.RSVP{convene.RSVPPending}, Limit: 30})
	if err != nil {
		return nil, err
	}
	short, err := b.units.unitsShort(ctx, m) // units.go
	if err != nil {
		return nil, err
	}
	now := b.Now()
	return b.organizerMessages(ctx, key, func(lang string) convene.Content {
		c := st.Total
		var sb strings.Builder
		sb.WriteString(b.Texts.T(lang, "digest.body", map[string]any{
			"Title": m.Title, "In": b.until(lang, now, m.StartsAt), "Invited": c.Invited, "Linked": c.Linked,
			"Attending": c.Attending, "Declined": c.Declined, "Substitute": c.Substitute, "Pending": c.Pending,
		}))
		if short > 0 {
			sb.WriteString("\n" + b.Texts.T(lang, "digest.units_short", map[string]any{"Short": short}))
		}
		if total > 0 {
			sb.WriteString("\n\n" + b.Texts.T(lang, "digest.pending", nil))
			for _, inv := range pending {
				fmt.Fprintf(&sb, "\n• %s — %s", inv.Person.FullName, orDash(inv.Person.Unit))
			}
			if total > len(pending) {
				sb.WriteString("\n" + b.Texts.T(lang, "digest.more", map[string]any{"Count": total - len(pending), "Code": m.Code}))
			}
		}
		return convene.Content{Text: sb.String()}
	})
}

// FeedbackRequestMessages asks the meeting's attendees for feedback.
func (b *Bot) FeedbackRequestMessages(ctx context.Context, m *convene.Meeting, key string) ([]*convene.OutboxMessage, error) {
	return b.feedback.FeedbackRequestMessages(ctx, m, key)
}

// FeedbackRequestMessages does the work of Bot.FeedbackRequestMessages.
func (h *feedbackHandlers) FeedbackRequestMessages(ctx context.Context, m *convene.Meeting, key string) ([]*convene.OutboxMessage, error) {
	f, err := h.attendeeFilter(ctx, m)
	if err != nil {
		return nil, err
	}
	invs, _, err := h.Invitations.FindInvitees(ctx, f)
	if err != nil {
		return nil, err
	}
	reach, _ := recipients(invs)
	msgs := make([]*convene.OutboxMessage, 0, len(reach))
	for _, inv := range reach {
		if inv.Category.Guests {
			continue // guests are not asked for feedback
		}
		a := inv.Account()
		lang := h.langOf(&inv.Person, a)
		msgs = append(msgs, &convene.OutboxMessage{AccountID: a.ID, Channel: a.Channel, ChatID: a.ChatID,
			Key: fmt.Sprintf("%s:%d", key, inv.ID), Batch: key,
			Content: convene.Content{
				Text:    h.Texts.T(lang, "fb.invite", issuerData(m.Issuer, map[string]any{"Title": m.Title, "Count": len(m.Feedback.QuestionList())})),
				Buttons: [][]convene.Button{{{Text: h.Texts.T(lang, "btn.fb_start", nil), Data: "fb:start:" + itoa(m.ID)}}},
			}})
	}
	return msgs, nil
}

// FeedbackNudgeMessages reminds attendees who have not submitted feedback, once.
func (b *Bot) FeedbackNudgeMessages(ctx context.Context, m *convene.Meeting, key string) ([]*convene.OutboxMessage, error) {
	all, err := b.FeedbackRequestMessages(ctx, m, key)
	if err != nil {
		return nil, err
	}
	done, err := b.Feedback.FeedbackResponders(ctx, m.ID)
	if err != nil {
		return nil, err
	}
	answered := map[int64]bool{}
	for _, id := range done {
		answered[id] = true
	}
	var msgs []*convene.OutboxMessage
	for _, msg := range all {
		a, err := b.People.FindAccountByID(ctx, msg.AccountID)
		if err != nil {
			return nil, err
		}
		if answered[a.PersonID] {
			continue
		}
		lang := a.Lang
		if lang == "" {
			lang = b.Lang
		}
		msg.Content.Text = b.Texts.T(lang, "fb.nudge", issuerData(m.Issuer, map[string]any{"Title": m.Title}))
		msgs = append(msgs, msg)
	}
	return msgs, nil
}

// MovedMessages tells every linked invitee holding an issued invitation that the meeting's time or place
// changed and asks them to confirm again; key distinguishes each move.
func (b *Bot) MovedMessages(ctx context.Context, m *convene.Meeting, key string) ([]*convene.OutboxMessage, error) {
	issued := true // who has no invitation yet gets the new time with it
	invs, _, err := b.Invitations.FindInvitees(ctx, convene.InvitationFilter{MeetingID: m.ID, Issued: &issued})
	if err != nil {
		return nil, err
	}
	reach, _ := recipients(invs)
	msgs := make([]*convene.OutboxMessage, 0, len(reach))
	for _, inv := range reach {
		a := inv.Account()
		lang := b.langOf(&inv.Person, a)
		inv.Reconfirm = true
		msgs = append(msgs, &convene.OutboxMessage{AccountID: a.ID, Channel: a.Channel, ChatID: a.ChatID,
			Key: fmt.Sprintf("%s:%d", key, inv.ID), Batch: key, Ref: "invitation:" + itoa(inv.ID),
			Content: convene.Content{
				Text:    b.Texts.T(lang, "moved.body", nil) + "\n\n" + b.invitations.invitationText(lang, m, inv),
				Buttons: b.invitations.rsvpButtons(lang, inv.ID),
			}})
	}
	return msgs, nil
}

// NotifyMoved flags the meeting's invitations to be confirmed again (keeping
// the previous answers until then) and queues the news to every invitee,
// in one transaction.
func (b *Bot) NotifyMoved(ctx context.Context, code string) (int, error) {
	return inTx(ctx, b.core, func(ctx context.Context) (int, error) { return b.notifyMoved(ctx, code) })
}

func (b *Bot) notifyMoved(ctx context.Context, code string) (int, error) {
	m, err := b.Meetings.FindMeetingByCode(ctx, code)
	if err != nil {
		return 0, err
	}
	key := fmt.Sprintf("moved:%d:%d", m.ID, m.UpdatedAt.UnixNano())
	msgs, err := b.MovedMessages(ctx, m, key)
	if err != nil {
		return 0, err
	}
	if err := b.Invitations.SetReconfirm(ctx, m.ID, msgs); err != nil {
		return 0, err
	}
	return len(msgs), nil
}
