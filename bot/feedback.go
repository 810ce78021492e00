package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/convene/convene"
)

// questionText returns a question's text: the plan's, or the catalog's for the defaults.
func (b *Bot) questionText(lang string, q convene.Question) string {
	if q.Text != "" {
		return q.Text
	}
	return b.Texts.T(lang, "fbq."+q.ID, nil)
}

// attendeeFilter selects who is asked for feedback: every invitee if the
// plan says feedback.from: invitees; else those checked in, or, if nobody
// was checked in (no roll call), those who said they would attend.
func (b *Bot) attendeeFilter(ctx context.Context, m *convene.Meeting) (convene.InvitationFilter, error) {
	if m.Feedback.From == convene.FeedbackFromInvitees {
		return convene.InvitationFilter{MeetingID: m.ID}, nil
	}
	st, err := b.Invitations.MeetingStats(ctx, m.ID)
	if err != nil {
		return convene.InvitationFilter{}, err
	}
	if st.Total.Present+st.Total.Late > 0 {
		return AudienceFilter(m.ID, convene.AudienceCheckedIn), nil
	}
	return AudienceFilter(m.ID, convene.AudienceAttending), nil
}

// mayGiveFeedback reports whether the sender may give feedback on m: the
// same people attendeeFilter asks. If not, it has told them why.
func (b *Bot) mayGiveFeedback(ctx context.Context, r *Request, m *convene.Meeting) (bool, error) {
	f, err := b.attendeeFilter(ctx, m)
	if err != nil {
		return false, err
	}
	f.PersonID = r.Person.ID
	if invs, _, err := b.Invitations.FindInvitees(ctx, f); err != nil {
		return false, err
	} else if len(invs) > 0 {
		return true, nil
	}
	invs, _, err := b.Invitations.FindInvitees(ctx, convene.InvitationFilter{MeetingID: m.ID, PersonID: r.Person.ID})
	if err != nil {
		return false, err
	}
	switch {
	case len(invs) == 0:
		b.say(ctx, r, "fb.not_invited", "Title", m.Title)
	case invs[0].RSVP == convene.RSVPDeclined || invs[0].RSVP == convene.RSVPSubstitute:
		b.say(ctx, r, "fb.not_attended_declined", "Title", m.Title)
	default:
		b.say(ctx, r, "fb.not_attended", "Title", m.Title)
	}
	b.Logger.Info("feedback refused: not an attendee", "actor", r.Actor(), "meeting", m.Code)
	return false, nil
}

// OpenFeedback asks the meeting's attendees for feedback, once: the
// messages' keys make a second call send nothing again.
func (b *Bot) OpenFeedback(ctx context.Context, code, actor string) (*Delivery, error) {
	m, err := b.Meetings.FindMeetingByCode(ctx, code)
	if err != nil {
		return nil, err
	}
	msgs, err := b.FeedbackRequestMessages(ctx, m, "feedback-open:"+itoa(m.ID))
	if err != nil {
		return nil, err
	}
	f, err := b.attendeeFilter(ctx, m)
	if err != nil {
		return nil, err
	}
	_, total, err := b.Invitations.FindInvitees(ctx, f)
	if err != nil {
		return nil, err
	}
	n, err := b.Outbox.Enqueue(ctx, msgs)
	if err != nil {
		return nil, err
	}
	if m.FeedbackOpenedAt.IsZero() {
		now := b.Now()
		if _, err := b.Meetings.UpdateMeeting(ctx, m.ID, convene.MeetingUpdate{FeedbackOpenedAt: &now}); err != nil {
			return nil, err
		}
	}
	if err := b.Audit.RecordAudit(ctx, &convene.AuditEntry{Actor: actor, Action: "feedback-open", MeetingID: m.ID,
		Detail: fmt.Sprintf("%d queued", n)}); err != nil {
		return nil, err
	}
	b.Wake()
	return &Delivery{Queued: n, Unlinked: total - len(msgs)}, nil
}

// cmdFeedback resumes or starts the sender's feedback; an organizer's
// "/feedback CODE" opens feedback for the meeting now.
func (b *Bot) cmdFeedback(ctx context.Context, r *Request) error {
	arg := strings.TrimSpace(r.Args)
	if arg != "" && r.Organizer {
		d, err := b.OpenFeedback(ctx, strings.ToLower(arg), r.Actor())
		if err != nil {
			return err
		}
		b.say(ctx, r, "fb.opened", "Count", d.Queued, "Unlinked", d.Unlinked)
		return nil
	}
	if r.Person == nil {
		b.say(ctx, r, "hint.not_linked")
		return nil
	}
	if c, err := b.Conversations.FindConversation(ctx, r.Account.ID); err == nil && c.Flow == "feedback" {
		return b.askFeedback(ctx, r, c, false)
	}
	invs, _, err := b.Invitations.FindInvitees(ctx, convene.InvitationFilter{PersonID: r.Person.ID})
	if err != nil {
		return err
	}
	for _, inv := range invs {
		m, err := b.Meetings.FindMeetingByID(ctx, inv.MeetingID)
		if err != nil {
			return err
		}
		if b.feedbackOpen(m) && (arg == "" || arg == m.Code) {
			return b.startFeedback(ctx, r, m)
		}
	}
	b.say(ctx, r, "fb.none_open")
	return nil
}

// feedbackOpen reports whether feedback for m is being taken now.
func (b *Bot) feedbackOpen(m *convene.Meeting) bool {
	if m.FeedbackOpenedAt.IsZero() {
		return false
	}
	return m.FeedbackClosedAt.IsZero() || b.Now().Before(m.FeedbackClosedAt)
}

// startFeedback begins the questions for m, for those who may answer.
func (b *Bot) startFeedback(ctx context.Context, r *Request, m *convene.Meeting) error {
	if ok, err := b.mayGiveFeedback(ctx, r, m); err != nil || !ok {
		return err
	}
	c := &convene.Conversation{AccountID: r.Account.ID, Flow: "feedback", Step: "0", Data: map[string]string{"meeting": itoa(m.ID)}}
	if err := b.Conversations.SaveConversation(ctx, c); err != nil {
		return err
	}
	b.say(ctx, r, "fb.intro", "Title", m.Title)
	return b.askFeedback(ctx, r, c, false)
}

// feedbackState loads the meeting and questions of a feedback conversation.
func (b *Bot) feedbackState(ctx context.Context, c *convene.Conversation) (*convene.Meeting, []convene.Question, error) {
	id, err := strconv.ParseInt(c.Data["meeting"], 10, 64)
	if err != nil {
		return nil, nil, convene.Errorf(convene.EINVALID, "bad feedback state")
	}
	m, err := b.Meetings.FindMeetingByID(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	return m, m.Feedback.QuestionList(), nil
}

// askFeedback shows the current question, or the summary.
func (b *Bot) askFeedback(ctx context.Context, r *Request, c *convene.Conversation, edit bool) error {
	m, qs, err := b.feedbackState(ctx, c)
	if err != nil {
		return err
	}
	if c.Step == "summary" {
		return b.showFeedbackSummary(ctx, r, c, m, qs, edit)
	}
	i, _ := strconv.Atoi(c.Step)
	if i >= len(qs) {
		c.Step = "summary"
		if err := b.Conversations.SaveConversation(ctx, c); err != nil {
			return err
		}
		return b.showFeedbackSummary(ctx, r, c, m, qs, edit)
	}
	q := qs[i]
	text := b.t(r, "fb.question", "N", i+1, "Total", len(qs), "Text", b.questionText(r.Lang, q))
	if prev := c.Data["a."+q.ID]; prev != "" {
		text += "\n\n" + b.t(r, "fb.current", "Answer", prev)
	}
	var rows [][]convene.Button
	if q.Kind == convene.QuestionRating {
		var row []convene.Button
		for n := 1; n <= 5; n++ {
			row = append(row, convene.Button{Text: strconv.Itoa(n) + "★", Data: "fb:rate:" + strconv.Itoa(n)})
		}
		rows = append(rows, row)
	} else {
		text += "\n\n" + b.t(r, "fb.type_answer")
	}
	nav := []convene.Button{{Text: b.t(r, "btn.skip"), Data: "fb:skip"}}
	if i > 0 {
		nav = append([]convene.Button{{Text: b.t(r, "btn.back"), Data: "fb:back"}}, nav...)
	}
	rows = append(rows, nav)
	out := Outgoing{Text: text, Buttons: rows}
	if edit {
		b.edit(ctx, r, out)
	} else {
		b.reply(ctx, r, out)
	}
	return nil
}

// showFeedbackSummary lists the answers with Submit, Edit and Cancel.
func (b *Bot) showFeedbackSummary(ctx context.Context, r *Request, c *convene.Conversation, m *convene.Meeting, qs []convene.Question, edit bool) error {
	var sb strings.Builder
	sb.WriteString(b.t(r, "fb.summary", "Title", m.Title))
	for i, q := range qs {
		a := c.Data["a."+q.ID]
		if a == "" {
			a = b.t(r, "fb.skipped")
		}
		fmt.Fprintf(&sb, "\n\n%d. %s\n→ %s", i+1, b.questionText(r.Lang, q), a)
	}
	if m.Feedback.Anonymous {
		sb.WriteString("\n\n" + b.t(r, "fb.anonymous_note"))
	}
	out := Outgoing{Text: sb.String(), Buttons: [][]convene.Button{
		{{Text: b.t(r, "btn.submit"), Data: "fb:submit"}},
		{{Text: b.t(r, "btn.edit"), Data: "fb:edit"}, {Text: b.t(r, "btn.cancel"), Data: "fb:cancel"}},
	}}
	if edit {
		b.edit(ctx, r, out)
	} else {
		b.reply(ctx, r, out)
	}
	return nil
}

// flowFeedback takes a typed answer to the current text question.
func (b *Bot) flowFeedback(ctx context.Context, r *Request, c *convene.Conversation) error {
	_, qs, err := b.feedbackState(ctx, c)
	if err != nil {
		return err
	}
	i, err := strconv.Atoi(c.Step)
	if err != nil || i >= len(qs) {
		b.say(ctx, r, "fb.use_buttons")
		return b.askFeedback(ctx, r, c, false)
	}
	text := strings.TrimSpace(r.Text)
	q := qs[i]
	if q.Kind == convene.QuestionRating {
		n, err := strconv.Atoi(text)
		if err != nil || n < 1 || n > 5 {
			b.say(ctx, r, "fb.rating_hint")
			return nil
		}
		text = strconv.Itoa(n)
	}
	if text == "" {
		return b.askFeedback(ctx, r, c, false)
	}
	if len([]rune(text)) > 2000 {
		b.say(ctx, r, "input.too_long", "Max", 2000)
		return nil
	}
	c.Data["a."+q.ID] = text
	c.Step = strconv.Itoa(i + 1)
	if c.Data["editing"] == "1" {
		c.Step = "summary"
	}
	if err := b.Conversations.SaveConversation(ctx, c); err != nil {
		return err
	}
	return b.askFeedback(ctx, r, c, false)
}

// onFeedbackButton handles start, skip, back, rate, submit, edit, cancel.
func (b *Bot) onFeedbackButton(ctx context.Context, r *Request, parts []string) error {
	if len(parts) < 2 {
		b.answer(ctx, r, b.t(r, "hint.stale_button"))
		return nil
	}
	if parts[1] == "start" && len(parts) == 3 {
		b.answer(ctx, r, "")
		id, err := strconv.ParseInt(parts[2], 10, 64)
		if err != nil {
			return convene.Errorf(convene.EINVALID, "bad meeting")
		}
		m, err := b.Meetings.FindMeetingByID(ctx, id)
		if err != nil {
			return err
		}
		if r.Person == nil {
			b.say(ctx, r, "hint.not_linked")
			return nil
		}
		if !b.feedbackOpen(m) {
			b.say(ctx, r, "fb.closed", "Title", m.Title)
			return nil
		}
		if invs, _, err := b.Invitations.FindInvitees(ctx, convene.InvitationFilter{MeetingID: m.ID, PersonID: r.Person.ID}); err != nil {
			return err
		} else if len(invs) == 0 {
			b.say(ctx, r, "fb.not_invited", "Title", m.Title)
			return nil
		}
		if c, err := b.Conversations.FindConversation(ctx, r.Account.ID); err == nil && c.Flow == "feedback" && c.Data["meeting"] == itoa(m.ID) {
			return b.askFeedback(ctx, r, c, false)
		}
		return b.startFeedback(ctx, r, m)
	}
	c, err := b.Conversations.FindConversation(ctx, r.Account.ID)
	if convene.ErrorCode(err) == convene.ENOTFOUND || (err == nil && c.Flow != "feedback") {
		b.answer(ctx, r, b.t(r, "hint.stale_button"))
		return nil
	} else if err != nil {
		return err
	}
	b.answer(ctx, r, "")
	m, qs, err := b.feedbackState(ctx, c)
	if err != nil {
		return err
	}
	i, _ := strconv.Atoi(c.Step)
	switch parts[1] {
	case "skip":
		if c.Step == "summary" {
			break
		}
		delete(c.Data, "a."+qs[min(i, len(qs)-1)].ID)
		c.Step = strconv.Itoa(i + 1)
		if c.Data["editing"] == "1" {
			c.Step = "summary"
		}
	case "back":
		if c.Step != "summary" && i > 0 {
			c.Step = strconv.Itoa(i - 1)
		}
	case "rate":
		n, err := strconv.Atoi(parts[len(parts)-1])
		if err != nil || n < 1 || n > 5 || c.Step == "summary" || qs[min(i, len(qs)-1)].Kind != convene.QuestionRating {
			return nil
		}
		c.Data["a."+qs[i].ID] = strconv.Itoa(n)
		c.Step = strconv.Itoa(i + 1)
		if c.Data["editing"] == "1" {
			c.Step = "summary"
		}
	case "edit":
		var rows [][]convene.Button
		for j, q := range qs {
			rows = append(rows, []convene.Button{{Text: fmt.Sprintf("%d. %s", j+1, truncate(b.questionText(r.Lang, q), 40)), Data: "fb:q:" + strconv.Itoa(j)}})
		}
		b.edit(ctx, r, Outgoing{Text: b.t(r, "fb.edit_which"), Buttons: rows})
		return nil
	case "q":
		j, err := strconv.Atoi(parts[len(parts)-1])
		if err != nil || j < 0 || j >= len(qs) {
			return nil
		}
		c.Step, c.Data["editing"] = strconv.Itoa(j), "1"
	case "cancel":
		if err := b.Conversations.DeleteConversation(ctx, r.Account.ID); err != nil {
			return err
		}
		b.edit(ctx, r, Outgoing{Text: b.t(r, "fb.cancelled")})
		return nil
	case "submit":
		return b.submitFeedback(ctx, r, c, m, qs)
	}
	if err := b.Conversations.SaveConversation(ctx, c); err != nil {
		return err
	}
	return b.askFeedback(ctx, r, c, true)
}

// submitFeedback stores the answers, replacing an earlier submission.
func (b *Bot) submitFeedback(ctx context.Context, r *Request, c *convene.Conversation, m *convene.Meeting, qs []convene.Question) error {
	if ok, err := b.mayGiveFeedback(ctx, r, m); err != nil || !ok {
		if err == nil {
			err = b.Conversations.DeleteConversation(ctx, r.Account.ID)
		}
		return err
	}
	f := &convene.Feedback{MeetingID: m.ID, PersonID: r.Person.ID, Answers: map[string]string{}}
	for _, q := range qs {
		a := c.Data["a."+q.ID]
		if a == "" {
			continue
		}
		f.Answers[q.ID] = a
		if q.Kind == convene.QuestionRating && f.Rating == 0 {
			f.Rating, _ = strconv.Atoi(a)
		}
	}
	err := b.Feedback.SubmitFeedback(ctx, f)
	if convene.ErrorCode(err) == convene.EEXPIRED {
		_ = b.Conversations.DeleteConversation(ctx, r.Account.ID)
		b.say(ctx, r, "fb.closed", "Title", m.Title)
		return nil
	} else if err != nil {
		return err
	}
	if err := b.Conversations.DeleteConversation(ctx, r.Account.ID); err != nil {
		return err
	}
	b.edit(ctx, r, Outgoing{Text: b.t(r, "fb.thanks", "Title", m.Title)})
	return nil
}

func truncate(s string, n int) string {
	rs := []rune(s)
	if len(rs) <= n {
		return s
	}
	return string(rs[:n-1]) + "…"
}
