package bot_test

import (
	"context"
	"strings"
	"testing"

	"github.com/convene/convene"
	"github.com/convene/convene/bot"
)

// TestCheckinCodeAsText: the venue code works typed as a plain message on
// Zalo (no deep links there), and the check-in link pasted on Telegram.
func TestCheckinCodeAsText(t *testing.T) {
	t.Run("ZaloCode", func(t *testing.T) {
		h, srv := newZalo(t)
		c := &zaloChat{h: h, srv: srv, u: srv.NewUser("zu-1", "Lê Thị Thu Hà")}
		c.say(h.invitee("Thu Hà").Token, "Đã liên kết thành công")
		code, err := h.bot.CheckinLink(context.Background(), h.m)
		if err != nil || !strings.HasPrefix(code, "ci-") {
			t.Fatalf("code %q %v", code, err)
		}
		h.clock.Set(h.m.StartsAt)
		c.say(" "+code+" ", "Đã điểm danh")
		if got := h.invitee("Thu Hà"); got.Attendance != convene.AttendancePresent {
			t.Fatalf("attendance %q", got.Attendance)
		}
	})
	t.Run("TelegramLinkPasted", func(t *testing.T) {
		h := newHarness(t)
		u := h.user(101, "Hà")
		h.link(u, "Thu Hà")
		link, err := h.bot.CheckinLink(context.Background(), h.m)
		if err != nil || !strings.Contains(link, "start=ci-") {
			t.Fatalf("link %q %v", link, err)
		}
		h.clock.Set(h.m.StartsAt)
		h.sendFor(u, link, "Đã điểm danh")
	})
}

// TestVietnameseAudiences: /remind and /broadcast take the audience in
// Vietnamese words as well as in English.
func TestVietnameseAudiences(t *testing.T) {
	for _, tc := range []struct{ vi, en string }{
		{"tất cả", "all"}, {"Tham dự", "attending"}, {"chưa trả lời", "pending"}, {"chua tra loi", "pending"},
		{"báo vắng", "declined"}, {"đã điểm danh", "checked-in"}, {"tham dự unit=Chi bộ tham dự", "attending unit=Chi bộ tham dự"},
	} {
		got, err1 := bot.ParseAudience(1, tc.vi)
		want, err2 := bot.ParseAudience(1, tc.en)
		if err1 != nil || err2 != nil || !sameFilter(got, want) {
			t.Errorf("%q: %+v %v, want %+v %v", tc.vi, got, err1, want, err2)
		}
	}
	h := newHarness(t)
	org := h.organizer()
	h.issue() // a reminder is of an invitation the person has
	st, err := h.svc.Invitations.MeetingStats(context.Background(), h.m.ID)
	if err != nil {
		t.Fatal(err)
	}
	// Only the organizer is linked among those who have not answered.
	c := h.sendFor(org, "/remind chi-bo-01 chưa trả lời", h.text("remind.confirm", "Title", h.m.Title, "Count", 1, "Unlinked", st.Total.Pending-1, "Excused", 0))
	h.press(org, c.ID, "rm:ok:"+itoa(h.m.ID))
	h.contains(org.ID, h.text("remind.queued", "Count", 1, "Unlinked", st.Total.Pending-1))
	h.sendFor(org, "/broadcast chi-bo-01 đã điểm danh", "nhập nội dung thông báo")
}

func sameFilter(a, b convene.InvitationFilter) bool {
	if (a.CheckedIn == nil) != (b.CheckedIn == nil) {
		return false
	}
	a.CheckedIn, b.CheckedIn = nil, nil
	return strings.Join(rsvpStrings(a.RSVP), ",") == strings.Join(rsvpStrings(b.RSVP), ",") &&
		a.Unit == b.Unit && a.Category == b.Category && a.MeetingID == b.MeetingID
}

func rsvpStrings(rs []convene.RSVP) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = string(r)
	}
	return out
}

// TestZaloPagedListHasNoCounterChoice: on a text-only channel a paged list
// offers next/previous as numbered choices, never its page counter.
func TestZaloPagedListHasNoCounterChoice(t *testing.T) {
	h, srv := newZalo(t)
	c := &zaloChat{h: h, srv: srv, u: srv.NewUser("zu-org", "Đặng Thị Ngọc Trâm")}
	c.say(h.invitee("Ngọc Trâm").Token, "Đã liên kết thành công")
	page := c.say("/pending chi-bo-01", "Chưa trả lời")
	if !strings.Contains(page, "1. "+h.text("btn.next")) || strings.Contains(page, "1/3") {
		t.Fatalf("page 1 on Zalo:\n%s", page)
	}
	page = c.say("1", "\n11. ")
	if !strings.Contains(page, "1. "+h.text("btn.prev")) || !strings.Contains(page, "2. "+h.text("btn.next")) || strings.Contains(page, "2/3") {
		t.Fatalf("page 2 on Zalo:\n%s", page)
	}
}
