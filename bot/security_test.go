package bot_test

import (
	"context"
	"strings"
	"testing"

	"github.com/convene/convene"
	"github.com/convene/convene/bot/telegramtest"
)

// noMessageContains fails if any message in chat contains one of bad.
func (h *harness) noMessageContains(chat int64, bad ...string) {
	h.t.Helper()
	for _, m := range h.srv.Messages(chat) {
		for _, s := range bad {
			if s != "" && strings.Contains(m.Text, s) {
				h.t.Fatalf("chat %d got %q in %q", chat, s, m.Text)
			}
		}
	}
}

// outsider stores a delegate who is not invited to the example meeting and
// links Telegram user id to them by sharing their contact.
func (h *harness) outsider(id int64, name, phone string, role convene.Role) *telegramtest.User {
	h.t.Helper()
	p := &convene.Person{FullName: name, Unit: "Đơn vị khác", Phone: phone, Role: role}
	if err := h.svc.People.CreatePerson(context.Background(), p); err != nil {
		h.t.Fatal(err)
	}
	u := h.user(id, name)
	before := len(h.srv.Messages(id))
	u.ShareContact(phone, id)
	if ms := h.waitNew(id, before, 1); !strings.Contains(ms[0].Text, "Đã liên kết") {
		h.t.Fatalf("linking %s by contact: %q", name, ms[0].Text)
	}
	return u
}

// proposeSubstitute walks u through the substitute flow of their invitation
// up to the phone, and returns the reply to the phone.
func (h *harness) proposeSubstitute(u *telegramtest.User, invMsg telegramtest.Message, invID int64, name, phone string) telegramtest.Message {
	h.t.Helper()
	h.press(u, invMsg.ID, "rsvp:"+itoa(invID)+":s")
	h.contains(u.ID, "họ và tên người đi thay")
	h.send(u, name, 1)
	h.send(u, "Chuyên viên", 1)
	ms := h.send(u, phone, 1)
	return ms[0]
}

func TestSubstituteTakeover(t *testing.T) {
	h := newHarness(t)
	org := h.organizer() // Đặng Thị Ngọc Trâm, organizer, 0982 678 901
	u := h.user(101, "Hà")
	h.link(u, "Thu Hà")
	h.issue()
	invMsg := h.invitation(u)
	ha := h.invitee("Thu Hà")
	trâm := h.invitee("Ngọc Trâm")

	t.Run("OrganizerPhoneRefusedAtProposal", func(t *testing.T) {
		reply := h.proposeSubstitute(u, invMsg, ha.ID, "Nguyễn Văn Giả", "0982 678 901")
		if !strings.Contains(reply.Text, "Không thể đề nghị") {
			t.Fatalf("organizer's phone: %q", reply.Text)
		}
		h.contains(org.ID, "Đề nghị dự thay bị từ chối")
		if got := h.invitee("Thu Hà"); got.RSVP == convene.RSVPSubstitute {
			t.Fatalf("proposal recorded: %+v", got.Invitation)
		}
		h.noMessageContains(u.ID, trâm.Person.FullName, trâm.Token, "start=")
		// The flow still waits for a phone; leave it.
		h.send(u, "/cancel", 1)
	})

	t.Run("AdminPhoneRefusedAtProposal", func(t *testing.T) {
		h.outsider(adminID, "Quản Trị Viên", "+84971000001", convene.RoleDelegate)
		reply := h.proposeSubstitute(u, invMsg, ha.ID, "Ai Đó", "0971 000 001")
		if !strings.Contains(reply.Text, "Không thể đề nghị") {
			t.Fatalf("admin's phone: %q", reply.Text)
		}
		h.noMessageContains(u.ID, "Quản Trị Viên")
		h.send(u, "/cancel", 1)
	})

	t.Run("ExistingPersonGetsInvitationProposerGetsNoLinkNorName", func(t *testing.T) {
		real := h.outsider(130, "Hoàng Thị Thật", "+84971000002", convene.RoleDelegate)
		h.proposeSubstitute(u, invMsg, ha.ID, "Tên Người Đề Nghị Gõ", "0971 000 002")
		req := h.contains(org.ID, "Tên Người Đề Nghị Gõ")
		if !strings.Contains(req.Text, "trùng với") || !strings.Contains(req.Text, "Hoàng Thị Thật") || !strings.Contains(req.Text, "đại biểu") {
			t.Fatalf("the organizer is not shown the match: %q", req.Text)
		}
		h.press(org, req.ID, "sub:"+itoa(ha.ID)+":ok")
		h.invitation(real)
		h.contains(u.ID, "gửi trực tiếp")
		sub := h.invitee("Thị Thật")
		if sub.SubstituteFor != ha.ID {
			t.Fatalf("substitute invitation %+v", sub.Invitation)
		}
		h.noMessageContains(u.ID, "Hoàng Thị Thật", sub.Token, "start=")
		if got := h.srv.Last(u.ID); !strings.Contains(got.Text, "Tên Người Đề Nghị Gõ") {
			t.Fatalf("the proposer's notice lacks the name they typed: %q", got.Text)
		}
	})
}
