package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/convene/convene"
	"github.com/convene/convene/bot/telegramtest"
)

func TestLinking(t *testing.T) {
	t.Run("DeepLinkBindsAccount", func(t *testing.T) {
		h := newHarness(t)
		u := h.user(101, "Hà")
		h.link(u, "Thu Hà")
		inv := h.invitee("Thu Hà")
		if len(inv.Accounts) != 1 || inv.Accounts[0].UserID != "101" {
			t.Fatalf("accounts %+v", inv.Accounts)
		}
		ms := h.send(u, "/start", 2)
		if !strings.Contains(ms[0].Text, "Lê Thị Thu Hà") {
			t.Fatalf("welcome back %q", ms[0].Text)
		}
	})

	t.Run("TokenReuseBySecondAccountRefused", func(t *testing.T) {
		h := newHarness(t)
		org := h.organizer()
		h.link(h.user(101, "Hà"), "Thu Hà")
		thief := h.user(666, "Kẻ lạ")
		ms := h.send(thief, "/start "+h.invitee("Thu Hà").Token, 1)
		if !strings.Contains(ms[0].Text, "đã được liên kết với một tài khoản khác") {
			t.Fatalf("reply %q", ms[0].Text)
		}
		h.contains(org.ID, "telegram:666")
		if inv := h.invitee("Thu Hà"); len(inv.Accounts) != 1 || inv.Accounts[0].UserID != "101" {
			t.Fatal("the second account was linked")
		}
	})

	t.Run("PlainStartOffersContactButton", func(t *testing.T) {
		h := newHarness(t)
		u := h.user(102, "Bảo")
		ms := h.send(u, "/start", 1)
		if ms[0].ContactButton == "" || !strings.Contains(ms[0].Text, "Kính chào đồng chí") {
			t.Fatalf("greeting %+v", ms[0])
		}
		t.Run("ForgedContactRefused", func(t *testing.T) {
			before := len(h.srv.Messages(u.ID))
			u.ShareContact("0918345678", 999)
			ms := h.waitNew(u.ID, before, 1)
			if !strings.Contains(ms[0].Text, "của chính mình") || h.invitee("Quốc Bảo").Linked() {
				t.Fatalf("forged contact: %q", ms[0].Text)
			}
		})
		t.Run("UnknownPhoneRefused", func(t *testing.T) {
			before := len(h.srv.Messages(u.ID))
			u.ShareContact("+84900000001", u.ID)
			ms := h.waitNew(u.ID, before, 1)
			if !strings.Contains(ms[0].Text, "chưa có trong danh sách") {
				t.Fatalf("unknown phone: %q", ms[0].Text)
			}
		})
		t.Run("OwnContactLinks", func(t *testing.T) {
			before := len(h.srv.Messages(u.ID))
			u.ShareContact("84918345678", u.ID) // Telegram sends it without +
			ms := h.waitNew(u.ID, before, 1)
			if !strings.Contains(ms[0].Text, "Phạm Quốc Bảo") || !ms[0].RemoveKeyboard || !h.invitee("Quốc Bảo").Linked() {
				t.Fatalf("own contact: %+v", ms[0])
			}
		})
	})

	t.Run("BadPayloads", func(t *testing.T) {
		h := newHarness(t)
		u := h.user(103, "X")
		if ms := h.send(u, "/start abc!", 1); !strings.Contains(ms[0].Text, "mã cá nhân chưa đúng") {
			t.Fatalf("malformed: %q", ms[0].Text)
		}
		if ms := h.send(u, "/start AAAAAAAAAAAAAAAAAAAAAA", 1); !strings.Contains(ms[0].Text, "Không tìm thấy giấy mời") {
			t.Fatalf("unknown: %q", ms[0].Text)
		}
		if ms := h.send(u, "chào bot", 1); !strings.Contains(ms[0].Text, "chưa được liên kết") {
			t.Fatalf("stray text from a stranger: %q", ms[0].Text)
		}
	})
}

func TestInvitations(t *testing.T) {
	h := newHarness(t)
	org := h.organizer()
	u := h.user(101, "Hà")
	h.link(u, "Thu Hà")
	if n := len(h.srv.Messages(u.ID)); n != 1 {
		t.Fatalf("an invitation came before issue: %d messages", n)
	}

	t.Run("InviteConfirmShowsCounts", func(t *testing.T) {
		ms := h.send(org, "/invite chi-bo-01", 1)
		if !strings.Contains(ms[0].Text, "Tổng số đại biểu: 26") || !strings.Contains(ms[0].Text, "Đã kết nối Trợ lý hội nghị (nhận ngay): 2") {
			t.Fatalf("confirm: %q", ms[0].Text)
		}
		h.press(org, ms[0].ID, "inv:ok:"+itoa(h.m.ID))
		h.contains(org.ID, "Đã phát hành 2 giấy mời")
	})

	t.Run("InvitationDetailsButtonsAndCalendar", func(t *testing.T) {
		inv := h.invitation(u)
		for _, want := range []string{"08:00, thứ Năm, 28/03/2024", "Hội trường Trường Cao đẳng Lý Tự Trọng", "390 Hoàng Văn Thụ, Phường 4, Quận Tân Bình",
			"Chi bộ 01 – Đảng bộ Trường Cao đẳng Lý Tự Trọng TP.HCM", "Lãnh đạo, chuyên viên Ban Tổ chức Thành ủy", "17:00, thứ Ba, 26/03/2024"} {
			if !strings.Contains(inv.Text, want) {
				t.Errorf("invitation lacks %q:\n%s", want, inv.Text)
			}
		}
		id := itoa(h.invitee("Thu Hà").ID)
		var order []string
		for _, row := range inv.Buttons {
			for _, b := range row {
				order = append(order, b.Data)
			}
		}
		// The example meeting has materials: their button comes last (material.go).
		if want := []string{"rsvp:" + id + ":a", "rsvp:" + id + ":d", "rsvp:" + id + ":s", "ics:" + id, "mat:" + itoa(h.m.ID)}; strings.Join(order, " ") != strings.Join(want, " ") {
			t.Fatalf("buttons %v, want Attend, Decline, Substitute, Add to calendar, Documents %v", order, want)
		}
		if b := inv.Button("ics:" + id); b.Text != "📅 Thêm vào lịch" {
			t.Fatalf("calendar button %q", b.Text)
		}
		time.Sleep(200 * time.Millisecond)
		for _, m := range h.srv.Messages(u.ID) {
			if m.Document != nil {
				t.Fatalf("a file sent with the invitation: %s", m.Document.Name)
			}
		}

		before := len(h.srv.Messages(u.ID))
		h.press(u, inv.ID, "ics:"+id)
		doc := h.waitNew(u.ID, before, 1)[0]
		if doc.Document == nil || doc.Document.Name != "chi-bo-01.ics" || !strings.Contains(doc.Text, "Tệp lịch") {
			t.Fatalf("calendar press answered with %+v", doc)
		}
		ics := string(doc.Document.Data)
		if !strings.HasPrefix(ics, "BEGIN:VCALENDAR\r\n") || !strings.Contains(ics, "\r\nDTSTART:20240328T010000Z\r\n") ||
			!strings.Contains(ics, "BEGIN:VALARM") || strings.Contains(strings.ReplaceAll(ics, "\r\n", ""), "\n") {
			t.Fatalf("calendar file not valid (CRLF lines, DTSTART, alarm):\n%q", ics)
		}
		if unfolded := strings.ReplaceAll(strings.ReplaceAll(ics, "\r\n ", ""), "\\,", ","); !strings.Contains(unfolded, "390 Hoàng Văn Thụ") {
			t.Fatal("calendar file lacks the address")
		}
	})

	t.Run("CalendarButtonForgedOrForeign", func(t *testing.T) {
		other := itoa(h.invitee("Ngọc Trâm").ID) // the organizer's own invitation
		stranger := h.user(109, "Bảo")
		h.link(stranger, "Quốc Bảo")
		h.invitation(stranger)
		time.Sleep(100 * time.Millisecond)
		for _, tc := range []struct {
			who  *telegramtest.User
			data string
		}{{u, "ics:999999"}, {u, "ics:abc"}, {u, "ics:" + other}, {stranger, "ics:" + itoa(h.invitee("Thu Hà").ID)}} {
			before := len(h.srv.Messages(tc.who.ID))
			_, cb := tc.who.Press(h.srv.Last(tc.who.ID).ID, tc.data)
			if !h.srv.WaitFor(wait, func() bool { return h.srv.Answered(cb) }) {
				t.Fatalf("press %s not answered", tc.data)
			}
			if a := answerOf(h.srv, cb); a != "Lựa chọn này không còn hiệu lực." {
				t.Fatalf("%s answered %q", tc.data, a)
			}
			time.Sleep(100 * time.Millisecond)
			if n := len(h.srv.Messages(tc.who.ID)); n != before {
				t.Fatalf("%s sent %d messages", tc.data, n-before)
			}
		}
		// An organizer may fetch any invitee's calendar file.
		before := len(h.srv.Messages(org.ID))
		_, cb := org.Press(h.srv.Last(org.ID).ID, "ics:"+itoa(h.invitee("Thu Hà").ID))
		h.srv.WaitFor(wait, func() bool { return h.srv.Answered(cb) })
		if ms := h.waitNew(org.ID, before, 1); ms[0].Document == nil {
			t.Fatalf("organizer got %+v", ms[0])
		}
	})

	t.Run("IssuingAgainSendsNothingTwice", func(t *testing.T) {
		before := len(h.srv.Messages(u.ID))
		h.issue()
		time.Sleep(200 * time.Millisecond)
		if got := len(h.srv.Messages(u.ID)); got != before {
			t.Fatalf("second issue sent %d more", got-before)
		}
	})

	t.Run("LateLinkGetsInvitationAtOnce", func(t *testing.T) {
		late := h.user(104, "Yến")
		h.link(late, "Hoàng Yến")
		h.invitation(late)
	})
}

// TestInvitationOneCallEach: issuing invitations costs one sending call per
// invitee (the calendar file goes only on demand).
func TestInvitationOneCallEach(t *testing.T) {
	h := newHarness(t)
	users := []*telegramtest.User{h.user(101, "Hà"), h.user(102, "Khoa"), h.user(103, "Bảo")}
	for i, name := range []string{"Thu Hà", "Minh Khoa", "Quốc Bảo"} {
		h.link(users[i], name)
	}
	time.Sleep(100 * time.Millisecond)
	calls := func() int {
		st := h.srv.Stats()
		return st.Requests["sendMessage"] + st.Requests["sendDocument"] + st.Requests["sendPhoto"]
	}
	before := calls()
	h.issue()
	for _, u := range users {
		h.invitation(u)
	}
	time.Sleep(300 * time.Millisecond) // anything more would have come by now
	if got := calls() - before; got != len(users) {
		t.Fatalf("%d sending calls for %d invitations", got, len(users))
	}
}

func TestRSVP(t *testing.T) {
	h := newHarness(t)
	u := h.user(101, "Hà")
	h.link(u, "Thu Hà")
	h.issue()
	inv := h.invitation(u)
	id := itoa(h.invitee("Thu Hà").ID)

	t.Run("AttendEditsMessage", func(t *testing.T) {
		h.press(u, inv.ID, "rsvp:"+id+":a")
		if got := h.invitee("Thu Hà").RSVP; got != convene.RSVPAttending {
			t.Fatalf("rsvp %q", got)
		}
		h.srv.WaitFor(wait, func() bool {
			return strings.Contains(h.srv.Message(u.ID, inv.ID).Text, "Trả lời của đồng chí: Tham dự")
		})
		if m := h.srv.Message(u.ID, inv.ID); m.Edits == 0 || !m.HasButton("rsvp:"+id+":d") || !m.HasButton("ics:"+id) {
			t.Fatalf("invitation not edited to show the answer: %+v", m)
		}
	})

	t.Run("ReplayedButtonChangesNothingTwice", func(t *testing.T) {
		audit, _ := h.svc.Audit.FindAudit(context.Background(), h.m.ID, 100)
		h.press(u, inv.ID, "rsvp:"+id+":a")
		after, _ := h.svc.Audit.FindAudit(context.Background(), h.m.ID, 100)
		if len(after) != len(audit) {
			t.Fatal("a repeated press was recorded again")
		}
		answers := h.srv.Answers()
		if last := answers[len(answers)-1]; !strings.Contains(last.Text, "không có gì thay đổi") {
			t.Fatalf("answer %q", last.Text)
		}
	})

	t.Run("PressFromAnotherUserChangesNothing", func(t *testing.T) {
		other := h.user(105, "Khoa")
		h.link(other, "Minh Khoa")
		_, cb := other.PressOn(u.ID, inv.ID, "rsvp:"+id+":d")
		h.srv.WaitFor(wait, func() bool { return h.srv.Answered(cb) })
		if got := h.invitee("Thu Hà").RSVP; got != convene.RSVPAttending {
			t.Fatalf("another user's press changed the answer to %q", got)
		}
		if a := h.srv.Answers(); !strings.Contains(a[len(a)-1].Text, "không phải của đồng chí") {
			t.Fatalf("answer %q", a[len(a)-1].Text)
		}
	})

	t.Run("DeclineWithReason", func(t *testing.T) {
		before := len(h.srv.Messages(u.ID))
		h.press(u, inv.ID, "rsvp:"+id+":d")
		ms := h.waitNew(u.ID, before, 1)
		if !strings.Contains(ms[0].Text, "lý do") {
			t.Fatalf("prompt %q", ms[0].Text)
		}
		h.send(u, "Đi công tác Hà Nội", 1)
		got := h.invitee("Thu Hà")
		if got.RSVP != convene.RSVPDeclined || got.Reason != "Đi công tác Hà Nội" || got.Attendance != convene.AttendanceExcused {
			t.Fatalf("after decline %+v", got.Invitation)
		}
		if !h.srv.WaitFor(wait, func() bool {
			return strings.Contains(h.srv.Message(u.ID, inv.ID).Text, "lý do: Đi công tác Hà Nội")
		}) {
			t.Fatal("invitation not edited with the reason")
		}
	})

	t.Run("CancelBacksOut", func(t *testing.T) {
		h.press(u, inv.ID, "rsvp:"+id+":d")
		ms := h.send(u, "/cancel", 1)
		if !strings.Contains(ms[0].Text, "Đã hủy") {
			t.Fatalf("cancel %q", ms[0].Text)
		}
		h.send(u, "một câu bâng quơ", 1)
		if got := h.invitee("Thu Hà"); got.Reason != "Đi công tác Hà Nội" {
			t.Fatalf("text after cancel became the reason: %q", got.Reason)
		}
	})

	t.Run("AfterDeadlineContactOrganizers", func(t *testing.T) {
		h.clock.Set(h.m.RSVPDeadline.Add(time.Minute))
		before := len(h.srv.Messages(u.ID))
		h.press(u, inv.ID, "rsvp:"+id+":a")
		ms := h.waitNew(u.ID, before, 1)
		if !strings.Contains(ms[0].Text, "liên hệ trực tiếp Văn phòng Đảng ủy") {
			t.Fatalf("after deadline %q", ms[0].Text)
		}
		if got := h.invitee("Thu Hà").RSVP; got != convene.RSVPDeclined {
			t.Fatalf("answer changed after the deadline: %q", got)
		}
	})
}

func TestSubstitute(t *testing.T) {
	h := newHarness(t)
	org := h.organizer()
	u := h.user(101, "Hà")
	h.link(u, "Thu Hà")
	h.issue()
	inv := h.invitation(u)
	id := itoa(h.invitee("Thu Hà").ID)
	h.press(u, inv.ID, "rsvp:"+id+":s")
	h.contains(u.ID, "họ và tên người dự thay")
	h.send(u, "Huỳnh Văn Sang", 1)
	h.send(u, "Chuyên viên", 1)
	if ms := h.send(u, "12", 1); !strings.Contains(ms[0].Text, "Số điện thoại chưa đúng") {
		t.Fatalf("bad phone accepted: %q", ms[0].Text)
	}
	h.send(u, "0909 111 222", 1)
	if got := h.invitee("Thu Hà"); got.RSVP != convene.RSVPSubstitute || got.SubstituteStatus != "proposed" || got.SubstitutePhone != "+84909111222" {
		t.Fatalf("proposal %+v", got.Invitation)
	}
	req := h.contains(org.ID, "Huỳnh Văn Sang")
	if !req.HasButton("sub:"+id+":ok") || !req.HasButton("sub:"+id+":no") {
		t.Fatalf("approval buttons %+v", req.Buttons)
	}
	t.Run("DelegateCannotApprove", func(t *testing.T) {
		_, cb := u.PressOn(org.ID, req.ID, "sub:"+id+":ok")
		if !h.srv.WaitFor(wait, func() bool { return h.srv.Answered(cb) }) {
			t.Fatal("press not answered")
		}
		time.Sleep(50 * time.Millisecond)
		if h.invitee("Thu Hà").SubstituteStatus != "proposed" {
			t.Fatal("a delegate approved a substitute")
		}
	})
	h.press(org, req.ID, "sub:"+id+":ok")
	linkMsg := h.contains(u.ID, "https://t.me/hop_bot?start=")
	token := linkMsg.Text[strings.Index(linkMsg.Text, "start=")+len("start="):]
	token = strings.Fields(token)[0]
	sub := h.user(107, "Sang")
	ms := h.send(sub, "/start "+token, 1)
	if !strings.Contains(ms[0].Text, "Huỳnh Văn Sang") {
		t.Fatalf("substitute link: %q", ms[0].Text)
	}
	subInv := h.invitation(sub)
	if !strings.Contains(subInv.Text, "Lãnh đạo, chuyên viên Ban Tổ chức Thành ủy") {
		t.Fatalf("substitute's invitation lacks the category: %q", subInv.Text)
	}
	if got := h.invitee("Văn Sang"); got.SubstituteFor != h.invitee("Thu Hà").ID {
		t.Fatalf("substitute invitation %+v", got.Invitation)
	}
}

// answerOf returns the text the bot answered the button press cb with.
func answerOf(srv *telegramtest.Server, cb string) string {
	for _, a := range srv.Answers() {
		if a.ID == cb {
			return a.Text
		}
	}
	return ""
}
