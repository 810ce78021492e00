package bot_test

import (
	"strings"
	"testing"
	"time"

	"github.com/convene/convene"
)

// TestMyShowsOnlyIssuedInvitations: before the office issues the
// invitations, /my (and /start of a linked delegate) shows no invitation
// and an RSVP press on the draft meeting is refused with nothing stored;
// once issued, /my shows the invitation as it was sent, with the answer
// buttons, the calendar and the materials buttons and the new answer line.
func TestMyShowsOnlyIssuedInvitations(t *testing.T) {
	h := newHarness(t)
	u := h.user(101, "Hà")
	h.link(u, "Thu Hà")
	id := itoa(h.invitee("Thu Hà").ID)

	t.Run("DraftNotShown", func(t *testing.T) {
		for cmd, n := range map[string]int{"/my": 1, "/start": 2} {
			before := len(h.srv.Messages(u.ID))
			ms := h.send(u, cmd, n)
			h.settle()
			for _, m := range h.srv.Messages(u.ID)[before:] {
				if strings.Contains(m.Text, "GIẤY MỜI") || m.HasButton("rsvp:"+id+":a") {
					t.Fatalf("%s shows a draft invitation: %q %+v", cmd, m.Text, m.Buttons)
				}
			}
			if !strings.Contains(ms[n-1].Text, h.text("my.none")) {
				t.Fatalf("%s: %q, want %q", cmd, ms[n-1].Text, h.text("my.none"))
			}
		}
	})
	t.Run("DraftRSVPRefused", func(t *testing.T) {
		last := h.srv.Messages(u.ID)[len(h.srv.Messages(u.ID))-1]
		before := len(h.srv.Messages(u.ID))
		h.press(u, last.ID, "rsvp:"+id+":a")
		h.newContaining(u.ID, before, "chưa được phát hành")
		if got := h.invitee("Thu Hà").RSVP; got != convene.RSVPPending {
			t.Fatalf("an answer to a draft invitation was stored: %q", got)
		}
	})
	h.issue()
	h.invitation(u)
	t.Run("IssuedShownLikeSent", func(t *testing.T) {
		m := h.sendFor(u, "/my", "GIẤY MỜI")
		for _, data := range []string{"rsvp:" + id + ":a", "rsvp:" + id + ":d", "ics:" + id, matData(h.m.ID)} {
			if !m.HasButton(data) {
				t.Fatalf("/my lacks button %s: %+v", data, m.Buttons)
			}
		}
		if !strings.Contains(m.Text, "Đồng chí chưa xác nhận tham dự.") || strings.Contains(m.Text, "Chưa trả lời") {
			t.Fatalf("answer line:\n%s", m.Text)
		}
		if sent := h.invitation(u); sent.Text != m.Text || len(sent.Buttons) != len(m.Buttons) {
			t.Fatalf("/my differs from the sent invitation:\n%s\n%+v\n---\n%s\n%+v", m.Text, m.Buttons, sent.Text, sent.Buttons)
		}
	})
	t.Run("AfterDeadlineNoAnswerButtons", func(t *testing.T) {
		h.clock.Set(h.m.RSVPDeadline.Add(time.Minute))
		m := h.sendFor(u, "/my", "GIẤY MỜI")
		if m.HasButton("rsvp:"+id+":a") || !m.HasButton("ics:"+id) {
			t.Fatalf("after the deadline: %+v", m.Buttons)
		}
	})
}
