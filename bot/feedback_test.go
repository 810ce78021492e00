package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/convene/convene"
	"github.com/convene/convene/bot"
	"github.com/convene/convene/bot/telegram"
)

// attend makes the invitee linked as u attend and check in.
func (h *harness) attend(u interface{ Send(string) int }, name string) {
	h.t.Helper()
	inv := h.invitee(name)
	if _, err := h.svc.Invitations.CheckIn(context.Background(), inv.ID, convene.AttendancePresent, h.m.StartsAt, convene.CheckinQR, "test"); err != nil {
		h.t.Fatal(err)
	}
}

func TestFeedbackConversation(t *testing.T) {
	h := newHarness(t)
	org := h.organizer()
	u := h.user(101, "Hà")
	h.link(u, "Thu Hà")
	h.attend(u, "Thu Hà")
	h.clock.Set(h.m.End().Add(time.Minute))

	if ms := h.send(u, "/feedback", 1); !strings.Contains(ms[0].Text, "không có hội nghị nào đang lấy ý kiến") {
		t.Fatalf("before opening: %q", ms[0].Text)
	}
	ms := h.send(org, "/feedback chi-bo-01", 1)
	if !strings.Contains(ms[0].Text, "đã gửi tới 1 đồng chí") {
		t.Fatalf("open: %q", ms[0].Text)
	}
	invite := h.contains(u.ID, "đề nghị đồng chí cho ý kiến góp ý")
	t.Run("OnlyInviteesMayAnswer", func(t *testing.T) {
		outsider := h.user(777, "Ngoài")
		h.link(outsider, "Minh Khoa") // invited to chi-bo-01 only; chi-bo-04 has no invitees
		m4, _ := h.svc.Meetings.FindMeetingByCode(context.Background(), "chi-bo-04")
		now := h.clock.Now()
		if _, err := h.svc.Meetings.UpdateMeeting(context.Background(), m4.ID, convene.MeetingUpdate{FeedbackOpenedAt: &now}); err != nil {
			t.Fatal(err)
		}
		before := len(h.srv.Messages(outsider.ID))
		_, cb := outsider.Press(1, "fb:start:"+itoa(m4.ID))
		h.srv.WaitFor(wait, func() bool { return h.srv.Answered(cb) })
		ms := h.waitNew(outsider.ID, before, 1)
		if !strings.Contains(ms[0].Text, "không có trong danh sách đại biểu") {
			t.Fatalf("an outsider started feedback: %q", ms[0].Text)
		}
	})
	before := len(h.srv.Messages(u.ID))
	h.press(u, invite.ID, "fb:start:"+itoa(h.m.ID))
	q1 := h.waitNew(u.ID, before, 2)[1]
	if !strings.Contains(q1.Text, "Câu 1/4: Những mặt làm được cần tiếp tục phát huy?") || !q1.HasButton("fb:skip") || q1.HasButton("fb:back") {
		t.Fatalf("q1 %q %+v", q1.Text, q1.Buttons)
	}
	q2 := h.send(u, "Chuẩn bị tài liệu chu đáo", 1)[0]
	if !strings.Contains(q2.Text, "Câu 2/4: Những mặt hạn chế") || !q2.HasButton("fb:back") {
		t.Fatalf("q2 %q", q2.Text)
	}
	// Skip question 2.
	h.press(u, q2.ID, "fb:skip")
	h.srv.WaitFor(wait, func() bool { return strings.Contains(h.srv.Message(u.ID, q2.ID).Text, "Câu 3/4") })

	t.Run("RestartResumesAtSameQuestion", func(t *testing.T) {
		// A new core on the same database, as after a restart.
		texts, _ := bot.NewCatalog()
		b2 := bot.New(h.svc, bot.Config{}, texts)
		b2.Now = h.clock.Now
		ch, err := telegram.New(context.Background(), telegram.Config{Token: h.srv.Token(), APIURL: h.srv.URL})
		if err != nil {
			t.Fatal(err)
		}
		b2.AddChannel(ch)
		before := len(h.srv.Messages(u.ID))
		if err := b2.Handle(context.Background(), &bot.Incoming{Channel: "telegram", UpdateID: "restart-1", UserID: "101", ChatID: "101", Private: true, Command: "feedback", Text: "/feedback"}); err != nil {
			t.Fatal(err)
		}
		ms := h.waitNew(u.ID, before, 1)
		if !strings.Contains(ms[0].Text, "Câu 3/4") {
			t.Fatalf("after restart: %q", ms[0].Text)
		}
	})

	q3 := h.srv.Last(u.ID)
	h.press(u, q3.ID, "fb:back")
	h.srv.WaitFor(wait, func() bool { return strings.Contains(h.srv.Message(u.ID, q3.ID).Text, "Câu 2/4") })
	q := h.send(u, "Thời gian thảo luận còn ngắn", 1)[0]
	if !strings.Contains(q.Text, "Câu 3/4") {
		t.Fatalf("after back and answer: %q", q.Text)
	}
	q4 := h.send(u, "Gửi tài liệu trước 3 ngày", 1)[0]
	if !strings.Contains(q4.Text, "Câu 4/4") || !q4.HasButton("fb:rate:5") {
		t.Fatalf("rating question %q %+v", q4.Text, q4.Buttons)
	}
	if ms := h.send(u, "tuyệt", 1); !strings.Contains(ms[0].Text, "từ 1 đến 5") {
		t.Fatalf("bad rating: %q", ms[0].Text)
	}
	h.press(u, q4.ID, "fb:rate:4")
	h.srv.WaitFor(wait, func() bool { return strings.Contains(h.srv.Message(u.ID, q4.ID).Text, "Tóm tắt") })
	summary := h.srv.Message(u.ID, q4.ID)
	for _, want := range []string{"Chuẩn bị tài liệu chu đáo", "Thời gian thảo luận còn ngắn", "Gửi tài liệu trước 3 ngày", "→ 4"} {
		if !strings.Contains(summary.Text, want) {
			t.Fatalf("summary lacks %q: %q", want, summary.Text)
		}
	}
	t.Run("EditFromSummary", func(t *testing.T) {
		h.press(u, summary.ID, "fb:edit")
		h.srv.WaitFor(wait, func() bool { return h.srv.Message(u.ID, summary.ID).HasButton("fb:q:0") })
		h.press(u, summary.ID, "fb:q:0")
		h.srv.WaitFor(wait, func() bool { return strings.Contains(h.srv.Message(u.ID, summary.ID).Text, "Câu 1/4") })
		ms := h.send(u, "Điều hành chặt chẽ, đúng quy trình", 1)
		if !strings.Contains(ms[0].Text, "Tóm tắt") || !strings.Contains(ms[0].Text, "Điều hành chặt chẽ") {
			t.Fatalf("back to summary after an edit: %q", ms[0].Text)
		}
		summary = &ms[0]
	})
	h.press(u, summary.ID, "fb:submit")
	h.srv.WaitFor(wait, func() bool { return strings.Contains(h.srv.Message(u.ID, summary.ID).Text, "Cảm ơn") })
	fb, _ := h.svc.Feedback.FindFeedback(context.Background(), h.m.ID)
	if len(fb) != 1 || fb[0].Answers["strengths"] != "Điều hành chặt chẽ, đúng quy trình" || fb[0].Rating != 4 || fb[0].PersonID != h.invitee("Thu Hà").PersonID {
		t.Fatalf("stored %+v", fb)
	}

	// Sending again: /feedback says when it was sent and offers to view it
	// or send it again; sending again starts from the answers sent, to
	// edit, and replaces them. The summary shows a rating with its label.
	t.Run("ResubmissionReplaces", func(t *testing.T) {
		mid := itoa(h.m.ID)
		already := h.send(u, "/feedback", 1)[0]
		if !strings.Contains(already.Text, "Đồng chí đã gửi ý kiến góp ý") || !strings.Contains(already.Text, "thay thế") ||
			!already.HasButton("fb:view:"+mid) || !already.HasButton("fb:again:"+mid) || strings.Contains(already.Text, "Câu 1/4") {
			t.Fatalf("/feedback after submitting: %q %+v", already.Text, already.Buttons)
		}
		before := len(h.srv.Messages(u.ID))
		h.press(u, already.ID, "fb:view:"+mid)
		view := h.newContaining(u.ID, before, "đồng chí đã gửi về")
		for _, want := range []string{"Điều hành chặt chẽ, đúng quy trình", "→ 4 – Khá"} {
			if !strings.Contains(view.Text, want) {
				t.Fatalf("view lacks %q:\n%s", want, view.Text)
			}
		}
		before = len(h.srv.Messages(u.ID))
		h.press(u, view.ID, "fb:again:"+mid)
		sum := h.newContaining(u.ID, before, "Tóm tắt")
		for _, want := range []string{"Điều hành chặt chẽ, đúng quy trình", "→ 4 – Khá", "thay thế ý kiến đã gửi"} {
			if !strings.Contains(sum.Text, want) {
				t.Fatalf("summary to send again lacks %q:\n%s", want, sum.Text)
			}
		}
		h.press(u, sum.ID, "fb:edit")
		h.press(u, sum.ID, "fb:q:1")
		sum2 := h.send(u, "Âm thanh chưa tốt", 1)[0]
		h.press(u, sum2.ID, "fb:edit")
		h.press(u, sum2.ID, "fb:q:3")
		h.press(u, sum2.ID, "fb:rate:2")
		h.srv.WaitFor(wait, func() bool { return strings.Contains(h.srv.Message(u.ID, sum2.ID).Text, "→ 2 – Yếu") })
		h.press(u, sum2.ID, "fb:submit")
		h.srv.WaitFor(wait, func() bool { return strings.Contains(h.srv.Message(u.ID, sum2.ID).Text, "Cảm ơn") })
		fb, _ := h.svc.Feedback.FindFeedback(context.Background(), h.m.ID)
		if len(fb) != 1 || fb[0].Rating != 2 || fb[0].Answers["weaknesses"] != "Âm thanh chưa tốt" || fb[0].Answers["strengths"] != "Điều hành chặt chẽ, đúng quy trình" {
			t.Fatalf("after resubmission %+v", fb)
		}
	})
}

// TestFeedbackOpenedBeforeRollCall: with nobody checked in, /feedback CODE
// says it goes to those who said they would attend, and how many are left out.
func TestFeedbackOpenedBeforeRollCall(t *testing.T) {
	h := newHarness(t)
	org := h.organizer()
	u := h.user(101, "Hà")
	h.link(u, "Thu Hà")
	h.issue()
	h.press(u, h.invitation(u).ID, "rsvp:"+itoa(h.invitee("Thu Hà").ID)+":a")
	h.clock.Set(h.m.End().Add(time.Minute))
	st, err := h.svc.Invitations.MeetingStats(context.Background(), h.m.ID)
	if err != nil {
		t.Fatal(err)
	}
	got := h.sendFor(org, "/feedback chi-bo-01", "Chưa có đại biểu nào điểm danh")
	want := h.text("fb.opened_attending", "Title", h.m.Title, "Asked", 1, "Count", 1, "Unlinked", 0, "Others", st.Total.Invited-1)
	if got.Text != want {
		t.Fatalf("open: %q\nwant %q", got.Text, want)
	}
}
