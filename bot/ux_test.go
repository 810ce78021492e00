package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/convene/convene"
	"github.com/convene/convene/bot/telegramtest"
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

// TestRemindAllSkipsExcused: a reminder to "all" (from /remind, the shell
// or the schedule) leaves out those who declined and those whose seat went
// to an approved substitute, and still reaches a proposer whose substitute
// is not decided yet; an explicit audience ("báo vắng") is kept as given.
// /remind first shows the count and asks to confirm; cancelling sends
// nothing and a second press of the spent button does nothing.
func TestRemindAllSkipsExcused(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	org := h.organizer()
	ha, bao, khoa, yen := h.user(101, "Hà"), h.user(102, "Bảo"), h.user(103, "Khoa"), h.user(104, "Yến")
	h.link(ha, "Thu Hà")
	h.link(bao, "Quốc Bảo")
	h.link(khoa, "Minh Khoa")
	h.link(yen, "Hoàng Yến")
	h.issue()
	set := func(name string, ch convene.RSVPChange) {
		t.Helper()
		if _, err := h.svc.Invitations.SetRSVP(ctx, h.invitee(name).ID, ch); err != nil {
			t.Fatal(err)
		}
	}
	set("Quốc Bảo", convene.RSVPChange{RSVP: convene.RSVPDeclined, Reason: "Đi công tác"})
	set("Minh Khoa", convene.RSVPChange{RSVP: convene.RSVPSubstitute, SubstituteName: "Huỳnh Văn Sang", SubstituteTitle: "Chuyên viên", SubstitutePhone: "+84909111222"})
	if _, err := h.svc.Invitations.DecideSubstitute(ctx, h.invitee("Minh Khoa").ID, convene.SubstituteDecision{Approve: true, Actor: "test"}); err != nil {
		t.Fatal(err)
	}
	set("Hoàng Yến", convene.RSVPChange{RSVP: convene.RSVPSubstitute, SubstituteName: "Trần Văn Tư", SubstituteTitle: "Chuyên viên", SubstitutePhone: "+84909111333"})
	h.settle()
	reminders := func(u *telegramtest.User) int { return h.count(u.ID, "Nhắc lịch") }

	st, err := h.svc.Invitations.MeetingStats(ctx, h.m.ID)
	if err != nil {
		t.Fatal(err)
	}
	// Linked and still expected: the organizer, Hà, Yến; the roster's others are not linked.
	wantCount, wantExcused := 3, 2
	wantUnlinked := st.Total.Invited - wantExcused - wantCount
	confirm := h.text("remind.confirm", "Title", h.m.Title, "Count", wantCount, "Unlinked", wantUnlinked, "Excused", wantExcused)

	t.Run("CancelSendsNothing", func(t *testing.T) {
		c := h.sendFor(org, "/remind chi-bo-01", confirm)
		h.press(org, c.ID, "rm:no:"+itoa(h.m.ID))
		if got := h.srv.Message(org.ID, c.ID).Text; got != h.text("org.cancelled") {
			t.Fatalf("after cancel: %q", got)
		}
		if n := reminders(ha); n != 0 {
			t.Fatalf("a cancelled reminder was sent (%d)", n)
		}
	})
	t.Run("ConfirmRemindsOnlyExpected", func(t *testing.T) {
		c := h.sendFor(org, "/remind chi-bo-01", confirm)
		if n := reminders(ha); n != 0 {
			t.Fatalf("/remind sent before it was confirmed (%d)", n)
		}
		h.press(org, c.ID, "rm:ok:"+itoa(h.m.ID))
		h.contains(org.ID, h.text("remind.queued", "Count", wantCount, "Unlinked", wantUnlinked))
		h.contains(ha.ID, "Nhắc lịch")
		h.contains(yen.ID, "Nhắc lịch")
		h.settle()
		if reminders(bao) != 0 || reminders(khoa) != 0 {
			t.Fatalf("reminded the excused: Bảo %d, Khoa %d", reminders(bao), reminders(khoa))
		}
		h.press(org, c.ID, "rm:ok:"+itoa(h.m.ID))
		if n := reminders(ha); n != 1 {
			t.Fatalf("a second press sent again: Hà has %d reminders", n)
		}
	})
	t.Run("ScheduledAllSkipsExcused", func(t *testing.T) {
		msgs, err := h.bot.AudienceMessages(ctx, h.m, convene.AudienceAll, "rule:test")
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			if m.ChatID == itoa(bao.ID) || m.ChatID == itoa(khoa.ID) {
				t.Fatalf("the scheduled reminder to all reaches the excused: %+v", m)
			}
		}
		if len(msgs) != wantCount {
			t.Fatalf("%d scheduled reminders, want %d", len(msgs), wantCount)
		}
	})
	t.Run("ExplicitAudienceKept", func(t *testing.T) {
		if _, err := h.bot.RemindNow(ctx, "chi-bo-01", "báo vắng", "test", 0); err != nil {
			t.Fatal(err)
		}
		h.contains(bao.ID, "Nhắc lịch")
	})
}

// TestNominateContactAcknowledged: a contact card shared for the nominee's
// name fills the name and the phone, and the next question says what it
// took from the card.
func TestNominateContactAcknowledged(t *testing.T) {
	h := newHarness(t)
	rep := h.srv.NewUser(7001, "Minh", "Châu", "", "vi")
	h.send(rep, "/start "+h.unit("Nguyễn Du").Token, 1)
	h.issue()
	inv := h.contains(rep.ID, "ĐỀ NGHỊ CỬ ĐẠI BIỂU")
	h.press(rep, inv.ID, buttonData(t, inv, "Cấp ủy đảng bộ"))
	h.contains(rep.ID, "danh thiếp")
	h.settle()
	before := len(h.srv.Messages(rep.ID))
	rep.ShareContact("+84909111004", 8888)
	got := h.newContaining(rep.ID, before, "nhập chức vụ")
	want := "Đã nhận số điện thoại 0909 111 004 và họ tên Minh Châu từ danh bạ.\n\nĐề nghị đồng chí nhập chức vụ của đồng chí Minh Châu."
	if got.Text != want {
		t.Fatalf("after the card: %q\nwant %q", got.Text, want)
	}
	sum := h.sendFor(rep, "Ủy viên", "kiểm tra lại")
	if !strings.Contains(sum.Text, "0909 111 004") || !strings.Contains(sum.Text, "Minh Châu") {
		t.Fatalf("summary: %q", sum.Text)
	}
}

// TestZaloNumbersKeepTheirMeaning: on Zalo an organizer's /pending list is
// answered by number; an invitation delivered after it continues the
// numbering (it does not start at 1 again), so the /pending numbers still
// mean what the list said, and the invitation's numbers work too.
func TestZaloNumbersKeepTheirMeaning(t *testing.T) {
	h, srv := newZalo(t)
	ctx := context.Background()
	reqs := []struct{ name, sub, phone string }{
		{"Thu Hà", "Huỳnh Văn Sang", "+84909111201"},
		{"Quốc Bảo", "Trịnh Thị Lụa", "+84909111202"},
	}
	for _, r := range reqs {
		if _, err := h.svc.Invitations.SetRSVP(ctx, h.invitee(r.name).ID, convene.RSVPChange{RSVP: convene.RSVPSubstitute,
			SubstituteName: r.sub, SubstituteTitle: "Chuyên viên", SubstitutePhone: r.phone, Actor: "test"}); err != nil {
			t.Fatal(err)
		}
	}
	org := &zaloChat{h: h, srv: srv, u: srv.NewUser("zu-org", "Ngọc Trâm")}
	org.say(h.invitee("Ngọc Trâm").Token, "Đã liên kết thành công")
	list := org.say("/pending chi-bo-01", "Đề nghị cử người dự thay chờ")
	approve := choiceNumber(t, list, "Chấp thuận đồng chí Trịnh Thị Lụa")

	before := len(srv.Messages(org.u.ID))
	h.issue()
	inv := org.wait(before, "GIẤY MỜI")
	attend := choiceNumber(t, inv, "✅ Tham dự")
	if attend == "1" || choiceNumber(t, inv, "❌ Báo vắng") == approve {
		t.Fatalf("the invitation renumbered the open /pending list:\n%s\n---\n%s", list, inv)
	}

	org.say(approve, "Đã chấp thuận đồng chí Trịnh Thị Lụa dự thay đồng chí Phạm Quốc Bảo")
	if got := h.invitee("Quốc Bảo"); got.SubstituteStatus != "approved" {
		t.Fatalf("the /pending number did not act on /pending: %+v", got.Invitation)
	}
	if got := h.invitee("Ngọc Trâm").RSVP; got != convene.RSVPPending {
		t.Fatalf("the /pending number answered the invitation: %s", got)
	}
	org.say(attend, "Đã ghi nhận đồng chí tham dự")
	if got := h.invitee("Ngọc Trâm").RSVP; got != convene.RSVPAttending {
		t.Fatalf("the invitation's number did not answer it: %s", got)
	}
}
