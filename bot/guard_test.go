package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/convene/convene"
	"github.com/convene/convene/bot/telegramtest"
)

// The tests in this file guard behaviour that only the bot checks (storage
// would refuse later or not at all), so that moving handlers around cannot
// lose it unnoticed.

// TestDeclineOrSubstituteAfterDeadline: after the RSVP deadline, Decline and
// Substitute say to contact the organizers and open no flow: text sent
// afterwards is not taken as a reason or a name.
func TestDeclineOrSubstituteAfterDeadline(t *testing.T) {
	for _, tc := range []struct{ name, button string }{{"Decline", "d"}, {"Substitute", "s"}} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			u := h.user(101, "Hà")
			h.link(u, "Thu Hà")
			h.issue()
			inv := h.invitation(u)
			h.settle()
			h.clock.Set(h.m.RSVPDeadline.Add(time.Minute))
			before := len(h.srv.Messages(u.ID))
			h.press(u, inv.ID, "rsvp:"+itoa(h.invitee("Thu Hà").ID)+":"+tc.button)
			h.newContaining(u.ID, before, h.text("rsvp.closed", "Title", h.m.Title))
			acc := h.invitee("Thu Hà").Accounts[0].ID
			if c, err := h.svc.Conversations.FindConversation(context.Background(), acc); convene.ErrorCode(err) != convene.ENOTFOUND {
				t.Fatalf("a flow was opened after the deadline: %+v %v", c, err)
			}
			for _, ask := range []string{h.text("rsvp.ask_reason"), h.text("sub.ask_name")} {
				if h.count(u.ID, ask) != 0 {
					t.Fatalf("asked %q after the deadline", ask)
				}
			}
			if got := h.invitee("Thu Hà"); got.RSVP != convene.RSVPPending {
				t.Fatalf("answer %q after the deadline", got.RSVP)
			}
		})
	}
}

// TestForgedOrganizerButtons: a delegate or a stranger pressing organizer
// callback data (built by hand, as any client can) is refused and changes
// nothing: no invitation issued, no broadcast sent, no check-in toggled, no
// substitute decided, no list shown.
func TestForgedOrganizerButtons(t *testing.T) {
	h := newHarness(t)
	org := h.organizer()
	delegate := h.user(101, "Hà")
	h.link(delegate, "Thu Hà")
	stranger := h.user(555, "Người lạ")
	h.send(stranger, "/start", 1)
	khoa := h.user(105, "Khoa")
	h.link(khoa, "Minh Khoa")
	mid := itoa(h.m.ID)
	target := h.invitee("Minh Khoa")

	// A substitute awaiting a decision, to forge a decision on.
	h.issue()
	kinv := h.invitation(khoa)
	h.settle()
	h.press(khoa, kinv.ID, "rsvp:"+itoa(target.ID)+":s")
	h.send(khoa, "Huỳnh Văn Sang", 1)
	h.send(khoa, "Chuyên viên", 1)
	h.send(khoa, "0909 111 222", 1)
	h.settle()
	if got := h.invitee("Minh Khoa"); got.SubstituteStatus != "proposed" {
		t.Fatalf("setup: substitute %q", got.SubstituteStatus)
	}
	// An organizer's own broadcast awaiting confirmation: a forged press
	// by someone else must not send it.
	h.send(org, "/broadcast chi-bo-01", 1)
	h.sendFor(org, "Tin giả mạo không được gửi", "Tin giả mạo không được gửi")

	forbidden := h.text("err.forbidden")
	for _, who := range []struct {
		name string
		u    *telegramtest.User
	}{{"Delegate", delegate}, {"Stranger", stranger}} {
		for _, tc := range []struct{ name, data string }{
			{"InviteConfirm", "inv:ok:" + mid},
			{"BroadcastConfirm", "bc:ok:" + mid},
			{"RollcallToggle", "rc:" + mid + ":" + itoa(target.ID) + ":0"},
			{"SubstituteApprove", "sub:" + itoa(target.ID) + ":ok"},
			{"SubstituteReject", "sub:" + itoa(target.ID) + ":no"},
			{"PendingPage", "pg:pending:" + mid + ":0"},
			{"RollcallPage", "pg:rollcall:" + mid + ":0"},
		} {
			data := tc.data
			t.Run(who.name+tc.name, func(t *testing.T) {
				h.settle()
				before := len(h.srv.Messages(who.u.ID))
				audit, _ := h.svc.Audit.FindAudit(context.Background(), h.m.ID, 1000)
				_, cb := who.u.Press(h.srv.Last(who.u.ID).ID, data)
				if !h.srv.WaitFor(wait, func() bool { return h.srv.Answered(cb) }) {
					t.Fatalf("press %s not answered", data)
				}
				h.newContaining(who.u.ID, before, forbidden)
				h.settle()
				if n := len(h.srv.Messages(who.u.ID)) - before; n != 1 {
					t.Fatalf("%d messages for a forged press, want only the refusal", n)
				}
				if after, _ := h.svc.Audit.FindAudit(context.Background(), h.m.ID, 1000); len(after) != len(audit) {
					t.Fatalf("a forged press was recorded: %+v", after[0])
				}
			})
		}
	}
	st, _ := h.svc.Invitations.MeetingStats(context.Background(), h.m.ID)
	if st.Total.Present+st.Total.Late != 0 {
		t.Fatal("a forged roll-call press checked someone in")
	}
	if got := h.invitee("Minh Khoa"); got.SubstituteStatus != "proposed" || got.RSVP != convene.RSVPSubstitute {
		t.Fatalf("a forged press decided the substitute: %+v", got.Invitation)
	}
	if n := h.count(delegate.ID, "Tin giả mạo không được gửi") + h.count(khoa.ID, "Tin giả mạo không được gửi"); n != 0 {
		t.Fatalf("a forged press sent the broadcast %d times", n)
	}
}

// TestLateness: a check-in, by QR or by the roll call, within LateAfter
// (15 minutes) of the start is present; after it, late.
func TestLateness(t *testing.T) {
	for _, tc := range []struct {
		name  string
		after time.Duration
		want  convene.Attendance
	}{
		{"BeforeStartPresent", -10 * time.Minute, convene.AttendancePresent},
		{"WithinGracePresent", 10 * time.Minute, convene.AttendancePresent},
		{"AfterGraceLate", 17 * time.Minute, convene.AttendanceLate},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			org := h.organizer()
			u := h.user(101, "Hà")
			h.link(u, "Thu Hà")
			link, err := h.bot.CheckinLink(context.Background(), h.m)
			if err != nil {
				t.Fatal(err)
			}
			h.clock.Set(h.m.StartsAt.Add(tc.after))
			h.send(u, "/start "+link[strings.Index(link, "start=")+6:], 1)
			if got := h.invitee("Thu Hà"); got.Attendance != tc.want || got.CheckinMethod != convene.CheckinQR {
				t.Fatalf("QR check-in %s after the start: %q, want %q", tc.after, got.Attendance, tc.want)
			}
			rc := h.send(org, "/rollcall chi-bo-01 Hoàng Yến", 1)[0]
			if len(rc.Buttons) == 0 {
				t.Fatalf("roll call %q", rc.Text)
			}
			h.press(org, rc.ID, rc.Buttons[0][0].Data)
			if got := h.invitee("Hoàng Yến"); got.Attendance != tc.want || got.CheckinMethod != convene.CheckinManual {
				t.Fatalf("roll call %s after the start: %q, want %q", tc.after, got.Attendance, tc.want)
			}
		})
	}
}

// TestSubstituteRejected: an organizer rejecting a proposed substitute sets
// the invitation back to pending, tells the proposer (with the buttons to
// answer again) and shows the decision on the organizer's message; no
// substitute invitation is made.
func TestSubstituteRejected(t *testing.T) {
	h := newHarness(t)
	org := h.organizer()
	u := h.user(101, "Hà")
	h.link(u, "Thu Hà")
	h.issue()
	inv := h.invitation(u)
	h.settle()
	id := itoa(h.invitee("Thu Hà").ID)
	h.press(u, inv.ID, "rsvp:"+id+":s")
	h.send(u, "Huỳnh Văn Sang", 1)
	h.send(u, "Chuyên viên", 1)
	h.send(u, "0909 111 222", 1)
	req := h.contains(org.ID, "Huỳnh Văn Sang")
	before := len(h.srv.Messages(u.ID))
	_, cb := org.Press(req.ID, "sub:"+id+":no")
	if !h.srv.WaitFor(wait, func() bool { return h.srv.Answered(cb) }) {
		t.Fatal("rejection not answered")
	}
	if a := answerOf(h.srv, cb); a != h.text("rsvp.saved") {
		t.Fatalf("press answered %q", a)
	}
	rejected := h.text("sub.rejected", "SubName", "Huỳnh Văn Sang", "Title", h.m.Title)
	told := h.newContaining(u.ID, before, rejected)
	if !told.HasButton("rsvp:"+id+":a") || !told.HasButton("rsvp:"+id+":s") {
		t.Fatalf("the proposer cannot answer again: %+v", told.Buttons)
	}
	got := h.invitee("Thu Hà")
	if got.RSVP != convene.RSVPPending || got.SubstituteStatus != "rejected" {
		t.Fatalf("after rejection %+v", got.Invitation)
	}
	want := h.text("org.sub_rejected_done", "SubName", "Huỳnh Văn Sang", "Name", got.Person.FullName)
	if !h.srv.WaitFor(wait, func() bool { return h.srv.Message(org.ID, req.ID).Text == want }) {
		t.Fatalf("organizer's message %q, want %q", h.srv.Message(org.ID, req.ID).Text, want)
	}
	if invs, _, _ := h.svc.Invitations.FindInvitees(context.Background(), convene.InvitationFilter{MeetingID: h.m.ID, Name: "Văn Sang"}); len(invs) != 0 {
		t.Fatal("a rejected substitute was invited")
	}
	// Deciding again changes nothing.
	h.press(org, req.ID, "sub:"+id+":ok")
	if got := h.invitee("Thu Hà"); got.SubstituteStatus != "rejected" {
		t.Fatalf("a second decision changed it to %q", got.SubstituteStatus)
	}
	h.settle()
	if n := h.count(u.ID, rejected); n != 1 {
		t.Fatalf("the proposer was told %d times", n)
	}
}

// TestAnswerAfterSubstituteApproved: once the office approved a substitute,
// the delegate's own Attend (or any other answer) is refused with the reason:
// one seat, one person invited.
func TestAnswerAfterSubstituteApproved(t *testing.T) {
	h := newHarness(t)
	org := h.organizer()
	u := h.user(101, "Hà")
	h.link(u, "Thu Hà")
	h.issue()
	inv := h.invitation(u)
	id := h.invitee("Thu Hà").ID
	h.proposeSubstitute(u, inv, id, "Huỳnh Văn Sang", "0909 111 222")
	req := h.contains(org.ID, "Huỳnh Văn Sang")
	h.press(org, req.ID, "sub:"+itoa(id)+":ok")
	h.contains(u.ID, "đã chấp thuận đồng chí Huỳnh Văn Sang")
	before := len(h.srv.Messages(u.ID))
	h.press(u, inv.ID, "rsvp:"+itoa(id)+":a")
	h.newContaining(u.ID, before, h.text("rsvp.substitute_approved", "SubName", "Huỳnh Văn Sang", "Title", h.m.Title))
	if got := h.invitee("Thu Hà"); got.RSVP != convene.RSVPSubstitute || got.SubstituteStatus != "approved" {
		t.Fatalf("the answer changed: %+v", got.Invitation)
	}
	if st, err := h.svc.Invitations.MeetingStats(context.Background(), h.m.ID); err != nil || st.Total.Attending != 0 {
		t.Fatalf("attending %d after the refused press (%v)", st.Total.Attending, err)
	}
}

// TestSubstituteRequestBeforeAnyOrganizer: a substitute proposed while no
// organizer was linked is not lost: the organizer who links later finds it
// in /pending, with the buttons, and approves it.
func TestSubstituteRequestBeforeAnyOrganizer(t *testing.T) {
	h := newHarness(t)
	u := h.user(101, "Hà")
	h.link(u, "Thu Hà")
	h.issue()
	inv := h.invitation(u)
	id := h.invitee("Thu Hà").ID
	h.proposeSubstitute(u, inv, id, "Huỳnh Văn Sang", "0909 111 222")
	org := h.organizer()
	h.sendFor(org, "/pending chi-bo-01", "Đề nghị cử người dự thay chờ")
	req := h.contains(org.ID, "Huỳnh Văn Sang")
	if !req.HasButton("sub:" + itoa(id) + ":ok") {
		t.Fatalf("request without buttons: %q %+v", req.Text, req.Buttons)
	}
	h.press(org, req.ID, "sub:"+itoa(id)+":ok")
	h.contains(u.ID, "đã chấp thuận đồng chí Huỳnh Văn Sang")
	if got := h.invitee("Thu Hà"); got.SubstituteStatus != "approved" {
		t.Fatalf("not approved: %+v", got.Invitation)
	}
	t.Run("DecidedRequestNotOfferedAgain", func(t *testing.T) {
		ms := h.send(org, "/pending chi-bo-01", 1)
		h.settle()
		if n := len(h.srv.Messages(org.ID)); h.count(org.ID, "Đề nghị cử người dự thay chờ") != 1 {
			t.Fatalf("offered again (%d messages); last %q", n, ms[0].Text)
		}
	})
}
