package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/convene/convene"
)

// questionText returns a question's text: the plan's, or the catalog's for the defaults.
func (h *feedbackHandlers) questionText(lang string, q convene.Question) string {
	if q.Text != "" {
		return q.Text
	}
	return h.Texts.T(lang, "fbq."+q.ID, nil)
}

// attendeeFilter selects who is asked for feedback: every invitee if the
// plan says feedback.from: invitees; else those checked in, or, if nobody
// was checked in (no roll call), those who said they would attend.
func (h *feedbackHandlers) attendeeFilter(ctx context.Context, m *convene.Meeting) (convene.InvitationFilter, error) {
	f, _, err := h.feedbackAudience(ctx, m)
	return f, err
}

// feedbackAudience is attendeeFilter with the audience it chose: all,
// checked-in or attending.
func (h *feedbackHandlers) feedbackAudience(ctx context.Context, m *convene.Meeting) (convene.InvitationFilter, convene.Audience, error) {
	if m.Feedback.From == convene.FeedbackFromInvitees {
		return convene.InvitationFilter{MeetingID: m.ID}, convene.AudienceAll, nil
	}
	st, err := h.Invitations.MeetingStats(ctx, m.ID)
	if err != nil {
		return convene.InvitationFilter{}, "", err
	}
	if st.Total.Present+st.Total.Late > 0 {
		return AudienceFilter(m.ID, convene.AudienceCheckedIn), convene.AudienceCheckedIn, nil
	}
	return AudienceFilter(m.ID, convene.AudienceAttending), convene.AudienceAttending, nil
}

// feedbackOpened tells the organizer who was asked for feedback on m and
// who not: those checked in (or who said they would attend, before any
// roll call; or every invitee if the plan says so), with the count of each.
func (h *feedbackHandlers) feedbackOpened(ctx context.Context, r *Request, m *convene.Meeting, d *Delivery) error {
	f, aud, err := h.feedbackAudience(ctx, m)
	if err != nil {
		return err
	}
	_, asked, err := h.Invitations.FindInvitees(ctx, f)
	if err != nil {
		return err
	}
	st, err := h.Invitations.MeetingStats(ctx, m.ID)
	if err != nil {
		return err
	}
	h.say(ctx, r, "fb.opened_"+strings.ReplaceAll(string(aud), "-", "_"), "Title", m.Title, "Asked", asked,
		"Count", d.Queued, "Unlinked", d.Unlinked, "Others", st.Total.Invited-asked)
	return nil
}

// mayGiveFeedback reports whether the sender may give feedback on m: the
// same people attendeeFilter asks. If not, it has told them why.
func (h *feedbackHandlers) mayGiveFeedback(ctx context.Context, r *Request, m *convene.Meeting) (bool, error) {
	r.about(m)
	f, err := h.attendeeFilter(ctx, m)
	if err != nil {
		return false, err
	}
	f.PersonID = r.Person.ID
	if invs, _, err := h.Invitations.FindInvitees(ctx, f); err != nil {
		return false, err
	} else if len(invs) > 0 && invs[0].Category.Guests {
		h.say(ctx, r, "fb.guest", "Title", m.Title) // guests are not asked for feedback
		return false, nil
	} else if len(invs) > 0 {
		return true, nil
	}
	invs, _, err := h.Invitations.FindInvitees(ctx, convene.InvitationFilter{MeetingID: m.ID, PersonID: r.Person.ID})
	if err != nil {
		return false, err
	}
	switch {
	case len(invs) == 0:
		h.say(ctx, r, "fb.not_invited", "Title", m.Title)
	case invs[0].RSVP == convene.RSVPDeclined || invs[0].RSVP == convene.RSVPSubstitute:
		h.say(ctx, r, "fb.not_attended_declined", "Title", m.Title)
	default:
		h.say(ctx, r, "fb.not_attended", "Title", m.Title)
	}
	h.Logger.Info("feedback refused: not an attendee", "actor", r.Actor(), "meeting", m.Code)
	return false, nil
}

// OpenFeedback asks the meeting's attendees for feedback, once: the
// messages' keys make a second call send nothing again. The messages, the
// meeting's opening time and the audit entry commit in one transaction.
func (b *Bot) OpenFeedback(ctx context.Context, code, actor string) (*Delivery, error) {
	return b.feedback.OpenFeedback(ctx, code, actor)
}

// OpenFeedback does the work of Bot.OpenFeedback.
func (h *feedbackHandlers) OpenFeedback(ctx context.Context, code, actor string) (*Delivery, error) {
	return inTx(ctx, h.core, func(ctx context.Context) (*Delivery, error) { return h.openFeedback(ctx, code, actor) })
}

func (h *feedbackHandlers) openFeedback(ctx context.Context, code, actor string) (*Delivery, error) {
	m, err := h.Meetings.FindMeetingByCode(ctx, code)
	if err != nil {
		return nil, err
	}
	msgs, err := h.FeedbackRequestMessages(ctx, m, "feedback-open:"+itoa(m.ID))
	if err != nil {
		return nil, err
	}
	f, err := h.attendeeFilter(ctx, m)
	if err != nil {
		return nil, err
	}
	_, total, err := h.Invitations.FindInvitees(ctx, f)
	if err != nil {
		return nil, err
	}
	n, err := h.Outbox.Enqueue(ctx, msgs)
	if err != nil {
		return nil, err
	}
	if m.FeedbackOpenedAt.IsZero() {
		now := h.Now()
		if _, err := h.Meetings.UpdateMeeting(ctx, m.ID, convene.MeetingUpdate{FeedbackOpenedAt: &now}); err != nil {
			return nil, err
		}
	}
	if err := h.Audit.RecordAudit(ctx, &convene.AuditEntry{Actor: actor, Action: "feedback-open", MeetingID: m.ID,
		Detail: fmt.Sprintf("%d queued", n)}); err != nil {
		return nil, err
	}
	return &Delivery{Queued: n, Unlinked: total - len(msgs)}, nil
}

// cmdFeedback resumes or starts the sender's feedback; an organizer's
// "/feedback CODE" opens feedback for the meeting now.
func (h *feedbackHandlers) cmdFeedback(ctx context.Context, r *Request) error {
	arg := strings.TrimSpace(r.Args)
	if arg != "" && r.Organizer {
		d, err := h.OpenFeedback(ctx, strings.ToLower(arg), r.Actor())
		if err != nil {
			return err
		}
		m, err := h.Meetings.FindMeetingByCode(ctx, strings.ToLower(arg))
		if err != nil {
			return err
		}
		r.about(m)
		return h.feedbackOpened(ctx, r, m, d)
	}
	if r.Person == nil {
		h.say(ctx, r, "hint.not_linked")
		return nil
	}
	if c, err := h.Conversations.FindConversation(ctx, r.Account.ID); err == nil && c.Flow == flowFeedback {
		s, err := parseFeedbackState(c)
		if err != nil {
			return err
		}
		return h.askFeedback(ctx, r, s, false)
	}
	invs, _, err := h.Invitations.FindInvitees(ctx, convene.InvitationFilter{PersonID: r.Person.ID})
	if err != nil {
		return err
	}
	for _, inv := range invs {
		m, err := h.Meetings.FindMeetingByID(ctx, inv.MeetingID)
		if err != nil {
			return err
		}
		if h.feedbackOpen(m) && (arg == "" || arg == m.Code) {
			return h.startFeedback(ctx, r, m)
		}
	}
	h.say(ctx, r, "fb.none_open")
	return nil
}

// feedbackOpen reports whether feedback for m is being taken now.
func (h *feedbackHandlers) feedbackOpen(m *convene.Meeting) bool {
	if m.FeedbackOpenedAt.IsZero() {
		return false
	}
	return m.FeedbackClosedAt.IsZero() || h.Now().Before(m.FeedbackClosedAt)
}

// startFeedback begins the questions for m, for those who may answer.
// Who sent feedback already is told when, and offered to view it or to
// send it again (which replaces it), instead of an empty questionnaire.
func (h *feedbackHandlers) startFeedback(ctx context.Context, r *Request, m *convene.Meeting) error {
	if ok, err := h.mayGiveFeedback(ctx, r, m); err != nil || !ok {
		return err
	}
	prev, err := h.Feedback.FindPersonFeedback(ctx, m.ID, r.Person.ID)
	if err == nil {
		h.reply(ctx, r, Outgoing{Text: h.t(r, "fb.already", "Title", m.Title, "When", h.when(r.Lang, m, prev.SubmittedAt)),
			Buttons: h.sentButtons(r, m.ID, true)})
		return nil
	} else if convene.ErrorCode(err) != convene.ENOTFOUND {
		return err
	}
	s := &feedbackState{Meeting: m.ID, Answers: map[string]string{}}
	if err := h.Conversations.SaveConversation(ctx, s.conversation(r.Account.ID)); err != nil {
		return err
	}
	h.say(ctx, r, "fb.intro", "Title", m.Title)
	return h.askFeedback(ctx, r, s, false)
}

// sentButtons offer, about feedback already sent on meeting id, to send it
// again and (with view) to see it.
func (h *feedbackHandlers) sentButtons(r *Request, id int64, view bool) [][]convene.Button {
	var rows [][]convene.Button
	if view {
		rows = append(rows, []convene.Button{{Text: h.t(r, "btn.fb_view"), Data: feedbackData{Action: fbView, N: id, HasN: true}.encode()}})
	}
	return append(rows, []convene.Button{{Text: h.t(r, "btn.fb_again"), Data: feedbackData{Action: fbAgain, N: id, HasN: true}.encode()}})
}

// onFeedbackSent shows the feedback the sender sent on meeting id (view),
// or starts sending it again (again) from those answers: the summary with
// them, to edit and submit, which replaces what was sent.
func (h *feedbackHandlers) onFeedbackSent(ctx context.Context, r *Request, d feedbackData) error {
	m, err := h.openFeedbackMeeting(ctx, r, d.N)
	if err != nil || m == nil {
		return err
	}
	if ok, err := h.mayGiveFeedback(ctx, r, m); err != nil || !ok {
		return err
	}
	prev, err := h.Feedback.FindPersonFeedback(ctx, m.ID, r.Person.ID)
	if convene.ErrorCode(err) == convene.ENOTFOUND {
		return h.startFeedback(ctx, r, m)
	} else if err != nil {
		return err
	}
	qs := m.Feedback.QuestionList()
	when := h.when(r.Lang, m, prev.SubmittedAt)
	if d.Action == fbView {
		h.reply(ctx, r, Outgoing{Text: h.summaryText(r, h.t(r, "fb.sent_summary", "Title", m.Title, "When", when), m, qs, prev.Answers),
			Buttons: h.sentButtons(r, m.ID, false)})
		return nil
	}
	s := &feedbackState{Meeting: m.ID, Step: fbSummary, Answers: map[string]string{}, Again: prev.SubmittedAt.Unix()}
	for _, q := range qs {
		if a := prev.Answers[q.ID]; a != "" {
			s.Answers[q.ID] = a
		}
	}
	if err := h.Conversations.SaveConversation(ctx, s.conversation(r.Account.ID)); err != nil {
		return err
	}
	return h.askFeedback(ctx, r, s, false)
}

// feedbackQuestions loads the meeting and questions of a feedback conversation.
func (h *feedbackHandlers) feedbackQuestions(ctx context.Context, s *feedbackState) (*convene.Meeting, []convene.Question, error) {
	m, err := h.Meetings.FindMeetingByID(ctx, s.Meeting)
	if err != nil {
		return nil, nil, err
	}
	return m, m.Feedback.QuestionList(), nil
}

// askFeedback shows the current question, or the summary.
func (h *feedbackHandlers) askFeedback(ctx context.Context, r *Request, s *feedbackState, edit bool) error {
	m, qs, err := h.feedbackQuestions(ctx, s)
	if err != nil {
		return err
	}
	if s.Step == fbSummary {
		return h.showFeedbackSummary(ctx, r, s, m, qs, edit)
	}
	i := int(s.Step)
	if i >= len(qs) {
		s.Step = fbSummary
		if err := h.Conversations.SaveConversation(ctx, s.conversation(r.Account.ID)); err != nil {
			return err
		}
		return h.showFeedbackSummary(ctx, r, s, m, qs, edit)
	}
	q := qs[i]
	text := h.t(r, "fb.question", "N", i+1, "Total", len(qs), "Text", h.questionText(r.Lang, q))
	if prev := s.Answers[q.ID]; prev != "" {
		text += "\n\n" + h.t(r, "fb.current", "Answer", h.answerText(r, q, prev))
	}
	var rows [][]convene.Button
	if q.Kind == convene.QuestionRating {
		var row []convene.Button
		for n := 1; n <= 5; n++ {
			row = append(row, convene.Button{Text: strconv.Itoa(n) + "★", Data: feedbackData{Action: fbRate, N: int64(n), HasN: true}.encode()})
		}
		rows = append(rows, row)
	} else {
		text += "\n\n" + h.t(r, "fb.type_answer")
	}
	nav := []convene.Button{{Text: h.t(r, "btn.skip"), Data: feedbackData{Action: fbSkip}.encode()}}
	if i > 0 {
		nav = append([]convene.Button{{Text: h.t(r, "btn.back"), Data: feedbackData{Action: fbBack}.encode()}}, nav...)
	}
	rows = append(rows, nav)
	h.show(ctx, r, Outgoing{Text: text, Buttons: rows}, edit)
	return nil
}

// show edits the pressed message to m, or replies with it.
func (h *feedbackHandlers) show(ctx context.Context, r *Request, m Outgoing, edit bool) {
	if edit {
		h.edit(ctx, r, m)
	} else {
		h.reply(ctx, r, m)
	}
}

// answerText is an answer as the summary shows it: a rating with its
// label ("4 – Khá"), text as written.
func (h *feedbackHandlers) answerText(r *Request, q convene.Question, a string) string {
	if q.Kind == convene.QuestionRating {
		if n, err := strconv.Atoi(a); err == nil && n >= 1 && n <= 5 {
			return h.t(r, "report.score."+a)
		}
	}
	return a
}

// summaryText is head followed by each question and its answer.
func (h *feedbackHandlers) summaryText(r *Request, head string, m *convene.Meeting, qs []convene.Question, answers map[string]string) string {
	var sb strings.Builder
	sb.WriteString(head)
	for i, q := range qs {
		a := answers[q.ID]
		if a == "" {
			a = h.t(r, "fb.skipped")
		} else {
			a = h.answerText(r, q, a)
		}
		fmt.Fprintf(&sb, "\n\n%d. %s\n→ %s", i+1, h.questionText(r.Lang, q), a)
	}
	if m.Feedback.Anonymous {
		sb.WriteString("\n\n" + h.t(r, "fb.anonymous_note"))
	}
	return sb.String()
}

// showFeedbackSummary lists the answers with Submit, Edit and Cancel; when
// sending again, it says the new answers replace those sent before.
func (h *feedbackHandlers) showFeedbackSummary(ctx context.Context, r *Request, s *feedbackState, m *convene.Meeting, qs []convene.Question, edit bool) error {
	text := h.summaryText(r, h.t(r, "fb.summary", "Title", m.Title), m, qs, s.Answers)
	if s.Again != 0 {
		text += "\n\n" + h.t(r, "fb.again_note", "When", h.when(r.Lang, m, time.Unix(s.Again, 0)))
	}
	h.show(ctx, r, Outgoing{Text: text, Buttons: [][]convene.Button{
		{{Text: h.t(r, "btn.submit"), Data: feedbackData{Action: fbSubmit}.encode()}},
		{{Text: h.t(r, "btn.edit"), Data: feedbackData{Action: fbEdit}.encode()}, {Text: h.t(r, "btn.cancel"), Data: feedbackData{Action: fbCancel}.encode()}},
	}}, edit)
	return nil
}

// flowFeedback takes a typed answer to the current text question.
func (h *feedbackHandlers) flowFeedback(ctx context.Context, r *Request, c *convene.Conversation) error {
	s, err := parseFeedbackState(c)
	if err != nil {
		return err
	}
	_, qs, err := h.feedbackQuestions(ctx, s)
	if err != nil {
		return err
	}
	i := int(s.Step)
	if s.Step == fbSummary || i >= len(qs) {
		h.say(ctx, r, "fb.use_buttons")
		return h.askFeedback(ctx, r, s, false)
	}
	text := strings.TrimSpace(r.Text)
	q := qs[i]
	if q.Kind == convene.QuestionRating {
		n, err := strconv.Atoi(text)
		if err != nil || n < 1 || n > 5 {
			h.say(ctx, r, "fb.rating_hint")
			return nil
		}
		text = strconv.Itoa(n)
	}
	if text == "" {
		return h.askFeedback(ctx, r, s, false)
	}
	if len([]rune(text)) > 2000 {
		h.say(ctx, r, "input.too_long", "Max", 2000)
		return nil
	}
	s.answer(q.ID, text)
	if err := h.Conversations.SaveConversation(ctx, s.conversation(r.Account.ID)); err != nil {
		return err
	}
	return h.askFeedback(ctx, r, s, false)
}

// onFeedbackButton handles start, skip, back, rate, submit, edit, cancel.
func (h *feedbackHandlers) onFeedbackButton(ctx context.Context, r *Request) error {
	d, err := parseFeedbackData(r.CallbackData)
	if err != nil {
		return err
	}
	if d.Action == fbStart && d.HasN {
		h.answer(ctx, r, "")
		return h.onFeedbackStart(ctx, r, d.N)
	}
	if (d.Action == fbView || d.Action == fbAgain) && d.HasN {
		h.answer(ctx, r, "")
		return h.onFeedbackSent(ctx, r, d)
	}
	c, err := h.Conversations.FindConversation(ctx, r.Account.ID)
	if convene.ErrorCode(err) == convene.ENOTFOUND || (err == nil && c.Flow != flowFeedback) {
		h.answer(ctx, r, h.t(r, "hint.stale_button"))
		return nil
	} else if err != nil {
		return err
	}
	h.answer(ctx, r, "")
	s, err := parseFeedbackState(c)
	if err != nil {
		return err
	}
	m, qs, err := h.feedbackQuestions(ctx, s)
	if err != nil {
		return err
	}
	cur := qs[min(max(int(s.Step), 0), len(qs)-1)] // the question shown, if one is
	switch d.Action {
	case fbSkip:
		if s.Step != fbSummary {
			s.answer(cur.ID, "")
		}
	case fbBack:
		if s.Step != fbSummary && s.Step > 0 {
			s.Step--
		}
	case fbRate:
		if !d.HasN || d.N < 1 || d.N > 5 || s.Step == fbSummary || cur.Kind != convene.QuestionRating {
			return nil
		}
		s.answer(cur.ID, itoa(d.N))
	case fbEdit:
		var rows [][]convene.Button
		for j, q := range qs {
			rows = append(rows, []convene.Button{{Text: fmt.Sprintf("%d. %s", j+1, truncate(h.questionText(r.Lang, q), 40)),
				Data: feedbackData{Action: fbPick, N: int64(j), HasN: true}.encode()}})
		}
		h.edit(ctx, r, Outgoing{Text: h.t(r, "fb.edit_which"), Buttons: rows})
		return nil
	case fbPick:
		if !d.HasN || d.N < 0 || d.N >= int64(len(qs)) {
			return nil
		}
		s.Step, s.Editing = fbStep(d.N), true
	case fbCancel:
		if err := h.Conversations.DeleteConversation(ctx, r.Account.ID); err != nil {
			return err
		}
		h.edit(ctx, r, Outgoing{Text: h.t(r, "fb.cancelled")})
		return nil
	case fbSubmit:
		return h.submitFeedback(ctx, r, s, m, qs)
	}
	if err := h.Conversations.SaveConversation(ctx, s.conversation(r.Account.ID)); err != nil {
		return err
	}
	return h.askFeedback(ctx, r, s, true)
}

// openFeedbackMeeting returns meeting id for a press about its feedback,
// or nil after telling the sender why not: not linked, or feedback closed.
func (h *feedbackHandlers) openFeedbackMeeting(ctx context.Context, r *Request, id int64) (*convene.Meeting, error) {
	m, err := h.Meetings.FindMeetingByID(ctx, id)
	if err != nil {
		return nil, err
	}
	r.about(m)
	if r.Person == nil {
		h.say(ctx, r, "hint.not_linked")
		return nil, nil
	}
	if !h.feedbackOpen(m) {
		h.say(ctx, r, "fb.closed", "Title", m.Title)
		return nil, nil
	}
	return m, nil
}

// onFeedbackStart handles "Give feedback" under the request for meeting id:
// it resumes the sender's conversation about it or starts one.
func (h *feedbackHandlers) onFeedbackStart(ctx context.Context, r *Request, id int64) error {
	m, err := h.openFeedbackMeeting(ctx, r, id)
	if err != nil || m == nil {
		return err
	}
	if invs, _, err := h.Invitations.FindInvitees(ctx, convene.InvitationFilter{MeetingID: m.ID, PersonID: r.Person.ID}); err != nil {
		return err
	} else if len(invs) == 0 {
		h.say(ctx, r, "fb.not_invited", "Title", m.Title)
		return nil
	}
	if c, err := h.Conversations.FindConversation(ctx, r.Account.ID); err == nil && c.Flow == flowFeedback {
		if s, err := parseFeedbackState(c); err == nil && s.Meeting == m.ID {
			return h.askFeedback(ctx, r, s, false)
		}
	}
	return h.startFeedback(ctx, r, m)
}

// submitFeedback stores the answers, replacing an earlier submission.
func (h *feedbackHandlers) submitFeedback(ctx context.Context, r *Request, s *feedbackState, m *convene.Meeting, qs []convene.Question) error {
	if ok, err := h.mayGiveFeedback(ctx, r, m); err != nil || !ok {
		if err == nil {
			err = h.Conversations.DeleteConversation(ctx, r.Account.ID)
		}
		return err
	}
	f := &convene.Feedback{MeetingID: m.ID, PersonID: r.Person.ID, Answers: map[string]string{}}
	for _, q := range qs {
		a := s.Answers[q.ID]
		if a == "" {
			continue
		}
		f.Answers[q.ID] = a
		if q.Kind == convene.QuestionRating && f.Rating == 0 {
			f.Rating, _ = strconv.Atoi(a)
		}
	}
	err := h.Feedback.SubmitFeedback(ctx, f)
	if convene.ErrorCode(err) == convene.EEXPIRED {
		_ = h.Conversations.DeleteConversation(ctx, r.Account.ID)
		h.say(ctx, r, "fb.closed", "Title", m.Title)
		return nil
	} else if err != nil {
		return err
	}
	if err := h.Conversations.DeleteConversation(ctx, r.Account.ID); err != nil {
		return err
	}
	h.edit(ctx, r, Outgoing{Text: h.t(r, "fb.thanks", "Title", m.Title)})
	return nil
}

func truncate(s string, n int) string {
	rs := []rune(s)
	if len(rs) <= n {
		return s
	}
	return string(rs[:n-1]) + "…"
}

// feedbackData is the callback data of the feedback buttons: "fb:start:<meeting
// id>" under the request, "fb:rate:<1-5>" and "fb:q:<question index>" with a
// number, and "fb:skip", "fb:back", "fb:edit", "fb:submit", "fb:cancel".
type feedbackData struct {
	Action fbAction
	// N is the number of start, rate and q; HasN is set when the data had one
	// (a number that doesn't parse is -1).
	N    int64
	HasN bool
}

// fbAction is what a feedback button does.
type fbAction string

const (
	fbStart  fbAction = "start"
	fbSkip   fbAction = "skip"
	fbBack   fbAction = "back"
	fbRate   fbAction = "rate"
	fbEdit   fbAction = "edit"
	fbPick   fbAction = "q"
	fbSubmit fbAction = "submit"
	fbCancel fbAction = "cancel"
	fbView   fbAction = "view"  // "fb:view:<meeting id>": the feedback sent
	fbAgain  fbAction = "again" // "fb:again:<meeting id>": send it again
)

func (d feedbackData) encode() string {
	if d.HasN {
		return "fb:" + string(d.Action) + ":" + itoa(d.N)
	}
	return "fb:" + string(d.Action)
}

// parseFeedbackData reads feedbackData: errStale without an action,
// EINVALID for a start without a meeting number. Only start with its
// meeting leaves the conversation; rate and q take the last field.
func parseFeedbackData(s string) (feedbackData, error) {
	p := strings.Split(s, ":")
	if len(p) < 2 || p[0] != "fb" {
		return feedbackData{}, errStale
	}
	d := feedbackData{Action: fbAction(p[1])}
	switch {
	case (d.Action == fbStart || d.Action == fbView || d.Action == fbAgain) && len(p) == 3:
		id, err := strconv.ParseInt(p[2], 10, 64)
		if err != nil {
			return feedbackData{}, convene.Errorf(convene.EINVALID, "bad meeting")
		}
		d.N, d.HasN = id, true
	case (d.Action == fbRate || d.Action == fbPick) && len(p) >= 3:
		n, err := strconv.ParseInt(p[len(p)-1], 10, 64)
		if err != nil || n < 0 {
			n = -1
		}
		d.N, d.HasN = n, true
	}
	return d, nil
}

const flowFeedback = "feedback"

// fbStep is the index of the question the feedback flow asks, or fbSummary.
type fbStep int

// fbSummary is the step showing every answer with Submit, Edit and Cancel.
const fbSummary fbStep = -1

// feedbackState is the feedback flow's: the meeting, where it stands, the
// answers so far by question id, and whether a question picked from the
// summary is being answered again.
type feedbackState struct {
	Meeting int64
	Step    fbStep
	Editing bool
	Answers map[string]string
	// Again is when (Unix seconds) the feedback this one replaces was
	// sent; 0 for a first submission.
	Again int64
}

// answer records (or, with "", clears) the answer to question id and moves
// on: to the next question, or back to the summary when editing. This is
// the one place the flow advances.
func (s *feedbackState) answer(id, text string) {
	if text == "" {
		delete(s.Answers, id)
	} else {
		s.Answers[id] = text
	}
	if s.Editing {
		s.Step = fbSummary
	} else {
		s.Step++
	}
}

// The conversation keeps the step as "0", "1"… or "summary", each answer
// under "a.<question id>" and "editing" as "1": conversations saved before
// a restart resume.
func (s *feedbackState) conversation(accountID int64) *convene.Conversation {
	data := map[string]string{"meeting": itoa(s.Meeting)}
	for id, a := range s.Answers {
		data["a."+id] = a
	}
	if s.Editing {
		data["editing"] = "1"
	}
	if s.Again != 0 {
		data["again"] = strconv.FormatInt(s.Again, 10)
	}
	step := "summary"
	if s.Step != fbSummary {
		step = strconv.Itoa(int(s.Step))
	}
	return &convene.Conversation{AccountID: accountID, Flow: flowFeedback, Step: step, Data: data}
}

func parseFeedbackState(c *convene.Conversation) (*feedbackState, error) {
	id, err := strconv.ParseInt(c.Data["meeting"], 10, 64)
	if err != nil {
		return nil, convene.Errorf(convene.EINVALID, "bad feedback state")
	}
	s := &feedbackState{Meeting: id, Editing: c.Data["editing"] == "1", Answers: map[string]string{}}
	s.Again, _ = strconv.ParseInt(c.Data["again"], 10, 64)
	if c.Step == "summary" {
		s.Step = fbSummary
	} else {
		n, _ := strconv.Atoi(c.Step)
		s.Step = fbStep(max(n, 0))
	}
	for k, v := range c.Data {
		if id, ok := strings.CutPrefix(k, "a."); ok {
			s.Answers[id] = v
		}
	}
	return s, nil
}

// feedbackHandlers open and close a meeting's feedback and walk an attendee through its questions.
type feedbackHandlers struct {
	*core
}
