package bot_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/convene/convene"
)

func TestAuthorizationMatrix(t *testing.T) {
	h := newHarness(t)
	delegate := h.user(101, "Hà")
	h.link(delegate, "Thu Hà")
	stranger := h.user(555, "Người lạ")
	stranger.Send("hi")
	commands := []string{"/meetings", "/status chi-bo-01", "/pending chi-bo-01", "/invite chi-bo-01", "/remind chi-bo-01",
		"/broadcast chi-bo-01", "/checkin chi-bo-01", "/rollcall chi-bo-01", "/report chi-bo-01", "/grant 0909234567", "/feedback chi-bo-01"}
	for _, who := range []struct {
		name string
		u    interface{ Send(string) int }
		id   int64
	}{{"Delegate", delegate, 101}, {"Stranger", stranger, 555}} {
		for _, cmd := range commands {
			t.Run(who.name+strings.Fields(cmd)[0], func(t *testing.T) {
				before := len(h.srv.Messages(who.id))
				who.u.Send(cmd)
				ms := h.waitNew(who.id, before, 1)
				if cmd == "/feedback chi-bo-01" {
					// For delegates /feedback is their own feedback: it must not open it for everyone.
					if m, _ := h.svc.Meetings.FindMeetingByCode(context.Background(), "chi-bo-01"); !m.FeedbackOpenedAt.IsZero() {
						t.Fatal("a delegate opened feedback")
					}
					return
				}
				if !strings.Contains(ms[0].Text, "không có quyền") {
					t.Fatalf("%s got %q", cmd, ms[0].Text)
				}
			})
		}
	}
	// Nothing happened: no invitation issued, no conversation started, no role granted.
	st, _ := h.svc.Invitations.MeetingStats(context.Background(), h.m.ID)
	if st.Total.Issued != 0 {
		t.Fatalf("%d invitations issued by unauthorized users", st.Total.Issued)
	}
	if p := h.invitee("Thu Hà").Person; p.Role != convene.RoleDelegate {
		t.Fatalf("role %q", p.Role)
	}
	if _, err := h.svc.Conversations.FindConversation(context.Background(), h.invitee("Thu Hà").Accounts[0].ID); convene.ErrorCode(err) != convene.ENOTFOUND {
		t.Fatal("a refused /broadcast left a conversation")
	}
}

func TestOrganizerCommands(t *testing.T) {
	h := newHarness(t)
	org := h.organizer()
	u := h.user(101, "Hà")
	h.link(u, "Thu Hà")

	t.Run("Meetings", func(t *testing.T) {
		ms := h.send(org, "/meetings", 1)
		if !strings.Contains(ms[0].Text, "chi-bo-01") || !strings.Contains(ms[0].Text, "chi-bo-04") || !strings.Contains(ms[0].Text, "Mời 26") {
			t.Fatalf("%q", ms[0].Text)
		}
	})
	t.Run("StatusByCategoryAndUnit", func(t *testing.T) {
		ms := h.send(org, "/status chi-bo-01", 1)
		for _, want := range []string{"Tổng: mời 26 · đã kết nối 2", "Theo thành phần:", "Đại diện Thường trực Thành ủy: mời 1", "Theo đơn vị:", "Ban Tổ chức Thành ủy: mời 3 · đã kết nối 1"} {
			if !strings.Contains(ms[0].Text, want) {
				t.Errorf("status lacks %q:\n%s", want, ms[0].Text)
			}
		}
	})
	t.Run("MeetingCodeRequiredWhenSeveral", func(t *testing.T) {
		ms := h.send(org, "/status", 1)
		if !strings.Contains(ms[0].Text, "chi-bo-01, chi-bo-04") {
			t.Fatalf("%q", ms[0].Text)
		}
		ms = h.send(org, "/status khong-co", 1)
		if !strings.Contains(ms[0].Text, "Không tìm thấy mã hội nghị") {
			t.Fatalf("%q", ms[0].Text)
		}
		ms = h.send(org, "/remind chi-bo-01 everyone", 1)
		if !strings.Contains(ms[0].Text, "Đối tượng nhận chưa đúng") {
			t.Fatalf("%q", ms[0].Text)
		}
	})
	t.Run("PendingIsPaged", func(t *testing.T) {
		ms := h.send(org, "/pending chi-bo-01", 1)
		p := ms[0]
		if !strings.Contains(p.Text, "26 đồng chí") || !p.HasButton("pg:pending:"+itoa(h.m.ID)+":1") || strings.Contains(p.Text, "\n11. ") {
			t.Fatalf("page 1: %q %+v", p.Text, p.Buttons)
		}
		if !strings.Contains(p.Text, "(chưa kết nối Trợ lý hội nghị)") || strings.ContainsAny(p.Text, "✓✗") {
			t.Fatalf("linked marks, not words: %q", p.Text)
		}
		h.press(org, p.ID, "pg:pending:"+itoa(h.m.ID)+":2")
		h.srv.WaitFor(wait, func() bool { return strings.Contains(h.srv.Message(org.ID, p.ID).Text, "\n26. ") })
		if got := h.srv.Message(org.ID, p.ID); !strings.Contains(got.Text, "\n21. ") || got.HasButton("pg:pending:"+itoa(h.m.ID)+":3") {
			t.Fatalf("page 3: %q", got.Text)
		}
	})
	t.Run("ReportIsThePDF", func(t *testing.T) {
		ms := h.send(org, "/report chi-bo-01", 1)
		d := ms[0].Document
		if d == nil || !strings.HasSuffix(d.Name, ".pdf") || !bytes.HasPrefix(d.Data, []byte("%PDF")) || !strings.Contains(ms[0].Text, "/report chi-bo-01 xlsx") {
			t.Fatalf("report %q, file %+v", ms[0].Text, d)
		}
	})
	t.Run("ReportXLSXOnRequest", func(t *testing.T) {
		ms := h.send(org, "/report chi-bo-01 xlsx", 1)
		d := ms[0].Document
		if d == nil || !strings.HasSuffix(d.Name, ".xlsx") || !bytes.HasPrefix(d.Data, []byte("PK")) {
			t.Fatalf("report %q, file %+v", ms[0].Text, d)
		}
	})
	t.Run("BroadcastWithConfirmAndReport", func(t *testing.T) {
		h.issue()
		h.invitation(u)
		h.invitation(org)
		// Invitations arrive meanwhile: wait for each answer by what it says.
		h.sendFor(org, "/broadcast chi-bo-01 category=ban-to-chuc", "nhập nội dung thông báo")
		confirm := h.sendFor(org, "Đổi phòng họp sang Hội trường B.", "Đổi phòng họp sang Hội trường B.")
		if !strings.Contains(confirm.Text, "tới 1 đại biểu (2 đại biểu chưa kết nối Trợ lý hội nghị") {
			t.Fatalf("confirm %q", confirm.Text)
		}
		before := len(h.srv.Messages(u.ID))
		h.press(org, confirm.ID, confirm.Buttons[0][0].Data)
		h.newContaining(u.ID, before, "Đổi phòng họp sang Hội trường B.")
		h.contains(org.ID, "Kết quả gửi: thành công 1, không liên lạc được 0, lỗi 0")
	})
	t.Run("OrganizerMenu", func(t *testing.T) {
		cmds := h.srv.ChatCommands(org.ID)
		var names []string
		for _, c := range cmds {
			names = append(names, c.Command)
		}
		if got := strings.Join(names, " "); !strings.Contains(got, "broadcast") || !strings.Contains(got, "rollcall") || strings.Contains(got, "grant") {
			t.Fatalf("organizer menu %q", got)
		}
		if len(h.srv.ChatCommands(u.ID)) != 0 {
			t.Fatal("a delegate got the organizer menu")
		}
	})
	t.Run("GrantByAdmin", func(t *testing.T) {
		admin := h.user(adminID, "Admin")
		if ms := h.send(admin, "/grant 0909 234 567", 1); !strings.Contains(ms[0].Text, "Lê Thị Thu Hà") {
			t.Fatalf("%q", ms[0].Text)
		}
		if ms := h.send(u, "/status chi-bo-01", 1); !strings.Contains(ms[0].Text, "Tổng: mời 26") {
			t.Fatalf("granted organizer refused: %q", ms[0].Text)
		}
		if len(h.srv.ChatCommands(u.ID)) == 0 {
			t.Fatal("the new organizer did not get the organizer menu")
		}
		if ms := h.send(org, "/grant 0903112233", 1); !strings.Contains(ms[0].Text, "không có quyền") {
			t.Fatalf("an organizer granted: %q", ms[0].Text)
		}
	})
}

func TestDelegateCommands(t *testing.T) {
	h := newHarness(t)
	u := h.user(101, "Hà")
	h.link(u, "Thu Hà")
	t.Run("MyBeforeIssue", func(t *testing.T) {
		// Not issued yet: nothing to show or answer (see TestMyShowsOnlyIssuedInvitations).
		ms := h.send(u, "/my", 1)
		if ms[0].Text != h.text("my.none") || ms[0].HasButton("rsvp:"+itoa(h.invitee("Thu Hà").ID)+":a") {
			t.Fatalf("%q", ms[0].Text)
		}
	})
	t.Run("HelpListsOwnCommandsOnly", func(t *testing.T) {
		ms := h.send(u, "/help", 1)
		if !strings.Contains(ms[0].Text, "/feedback") || strings.Contains(ms[0].Text, "/broadcast") {
			t.Fatalf("%q", ms[0].Text)
		}
	})
	t.Run("UnknownCommandAndStrayText", func(t *testing.T) {
		if ms := h.send(u, "/xyz", 1); !strings.Contains(ms[0].Text, "Không có lệnh /xyz") {
			t.Fatalf("%q", ms[0].Text)
		}
		if ms := h.send(u, "alo alo", 1); !strings.Contains(ms[0].Text, "/my") {
			t.Fatalf("%q", ms[0].Text)
		}
	})
	t.Run("LangEnglish", func(t *testing.T) {
		if ms := h.send(u, "/lang en", 1); ms[0].Text != "Switched to English." {
			t.Fatalf("%q", ms[0].Text)
		}
		h.issue()
		h.invitation(u)
		ms := h.send(u, "/my", 1)
		if !strings.Contains(ms[0].Text, "INVITATION") || !strings.Contains(ms[0].Text, "08:00, Thursday, 28 March 2024") || ms[0].Buttons[0][0].Text != "✅ Attend" {
			t.Fatalf("%q", ms[0].Text)
		}
		if ms := h.send(u, "/lang fr", 1); !strings.Contains(ms[0].Text, "not supported") {
			t.Fatalf("%q", ms[0].Text)
		}
		h.send(u, "/lang vi", 1)
	})
	t.Run("LongInputRejected", func(t *testing.T) {
		h.issue()
		h.settle() // the invitation is sent: no later message is taken for the answer
		inv := h.invitation(u)
		h.press(u, inv.ID, "rsvp:"+itoa(h.invitee("Thu Hà").ID)+":d")
		h.sendFor(u, strings.Repeat("x", 600), "quá dài")
		if h.invitee("Thu Hà").RSVP != convene.RSVPPending {
			t.Fatal("an over-long reason was stored")
		}
	})
}

func TestCheckinAndRollcall(t *testing.T) {
	h := newHarness(t)
	org := h.organizer()
	u := h.user(101, "Hà")
	h.link(u, "Thu Hà")
	link, err := h.bot.CheckinLink(context.Background(), h.m)
	if err != nil {
		t.Fatal(err)
	}
	payload := link[strings.Index(link, "start=")+6:]
	if !strings.HasPrefix(link, "https://t.me/hop_bot?start=ci-") {
		t.Fatalf("link %q", link)
	}
	t.Run("QRImageForOrganizer", func(t *testing.T) {
		ms := h.send(org, "/checkin chi-bo-01", 1)
		if ms[0].Photo == nil || len(ms[0].Photo.Data) < 100 || !strings.Contains(ms[0].Text, payload) {
			t.Fatalf("qr %+v", ms[0])
		}
	})
	t.Run("TooEarly", func(t *testing.T) {
		h.clock.Set(h.m.StartsAt.Add(-61 * time.Minute))
		if ms := h.send(u, "/start "+payload, 1); !strings.Contains(ms[0].Text, "Chưa đến giờ điểm danh") {
			t.Fatalf("%q", ms[0].Text)
		}
	})
	t.Run("OnTimeThenTwice", func(t *testing.T) {
		h.clock.Set(h.m.StartsAt.Add(-10 * time.Minute))
		if ms := h.send(u, "/start "+payload, 1); !strings.Contains(ms[0].Text, "Đã điểm danh: đồng chí Lê Thị Thu Hà, lúc 07:50") {
			t.Fatalf("%q", ms[0].Text)
		}
		if got := h.invitee("Thu Hà"); got.Attendance != convene.AttendancePresent || got.CheckinMethod != convene.CheckinQR {
			t.Fatalf("%+v", got.Invitation)
		}
		if ms := h.send(u, "/start "+payload, 1); !strings.Contains(ms[0].Text, "đã điểm danh lúc 07:50") {
			t.Fatalf("%q", ms[0].Text)
		}
	})
	t.Run("Late", func(t *testing.T) {
		late := h.user(104, "Yến")
		h.link(late, "Hoàng Yến")
		h.clock.Set(h.m.StartsAt.Add(20 * time.Minute))
		if ms := h.send(late, "/start "+payload, 1); !strings.Contains(ms[0].Text, "đến muộn") {
			t.Fatalf("%q", ms[0].Text)
		}
		if got := h.invitee("Hoàng Yến"); got.Attendance != convene.AttendanceLate {
			t.Fatalf("%q", got.Attendance)
		}
	})
	t.Run("StrangerAndForgedLink", func(t *testing.T) {
		s := h.user(555, "Lạ")
		if ms := h.send(s, "/start "+payload, 1); !strings.Contains(ms[0].Text, "mở đường liên kết cá nhân") {
			t.Fatalf("%q", ms[0].Text)
		}
		forged := payload[:len(payload)-3] + "AAA"
		if ms := h.send(u, "/start "+forged, 1); !strings.Contains(ms[0].Text, "Không tìm thấy") {
			t.Fatalf("forged check-in link: %q", ms[0].Text)
		}
	})
	t.Run("RollcallToggleMatchesQR", func(t *testing.T) {
		ms := h.send(org, "/rollcall chi-bo-01 thu ha", 1)
		r := ms[0]
		if !strings.Contains(r.Text, "có mặt 2/26") || len(r.Buttons) != 1 || !strings.HasPrefix(r.Buttons[0][0].Text, "✅ Lê Thị Thu Hà") {
			t.Fatalf("rollcall %q %+v", r.Text, r.Buttons)
		}
		h.press(org, r.ID, r.Buttons[0][0].Data)
		if got := h.invitee("Thu Hà"); !got.CheckedInAt.IsZero() {
			t.Fatal("toggle did not undo the check-in")
		}
		h.press(org, r.ID, r.Buttons[0][0].Data)
		got := h.invitee("Thu Hà")
		if got.CheckedInAt.IsZero() || got.CheckinMethod != convene.CheckinManual || got.Attendance != convene.AttendanceLate {
			t.Fatalf("manual check-in %+v", got.Invitation)
		}
		all := h.send(org, "/rollcall chi-bo-01", 1)[0]
		if len(all.Buttons) != 11 || !all.HasButton("pg:rollcall:"+itoa(h.m.ID)+":1") {
			t.Fatalf("paged roll call: %d rows", len(all.Buttons))
		}
	})
	t.Run("ClosedAfterEnd", func(t *testing.T) {
		h.clock.Set(h.m.End().Add(time.Minute))
		if ms := h.send(u, "/start "+payload, 1); !strings.Contains(ms[0].Text, "đã kết thúc") {
			t.Fatalf("%q", ms[0].Text)
		}
	})
}
