package web

import (
	"net/http"

	"github.com/convene/convene"
)

// answerList is one question with its non-empty answers.
type answerList struct {
	Text    string
	Answers []string
}

// bar is one rating's bar of the server-drawn chart.
type bar struct {
	Rating, Count, Width, Y int
}

// feedback shows the answers by question, the rating distribution as an
// SVG bar chart and the response rate.
func (s *Server) feedback(w http.ResponseWriter, r *http.Request, u *user) {
	ctx := r.Context()
	m, err := s.meetingOf(r)
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	fbs, err := s.Feedback.FindFeedback(ctx, m.ID)
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	st, err := s.Invitations.MeetingStats(ctx, m.ID)
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	lang := s.lang(w, r, u)
	var lists []answerList
	for _, q := range m.Feedback.QuestionList() {
		if q.Kind == convene.QuestionRating {
			continue
		}
		text := q.Text
		if text == "" {
			text = s.Texts.T(lang, "fbq."+q.ID, nil)
		}
		l := answerList{Text: text}
		for _, f := range fbs {
			if a := f.Answers[q.ID]; a != "" {
				l.Answers = append(l.Answers, a)
			}
		}
		lists = append(lists, l)
	}
	var counts [6]int
	most := 0
	for _, f := range fbs {
		if f.Rating >= 1 && f.Rating <= 5 {
			counts[f.Rating]++
			most = max(most, counts[f.Rating])
		}
	}
	var bars []bar
	for i := 5; i >= 1; i-- {
		b := bar{Rating: i, Count: counts[i], Y: (5 - i) * 28}
		if most > 0 {
			b.Width = counts[i] * 300 / most
		}
		bars = append(bars, b)
	}
	s.renderPage(w, r, http.StatusOK, "feedback", &page{Lang: lang, User: u, Meeting: m, Data: map[string]any{
		"Lists": lists, "Bars": bars, "Responders": len(fbs), "Stats": st,
	}})
}
