package bot_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/convene/convene"
)

// choiceNumber returns the number of the numbered choice whose label
// starts with label in a text-only message, or fails.
func choiceNumber(t *testing.T, text, label string) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^(\d+)\. ` + regexp.QuoteMeta(label)).FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("no choice %q in:\n%s", label, text)
	}
	return m[1]
}

// TestZaloPendingSubstituteRequests: three substitute requests made before
// any organizer linked are re-offered by /pending on Zalo as one numbered
// list naming each request; the organizer approves the second by number,
// then (from the list offered again) rejects the third, and the first stays
// waiting. The proposers are told, the approved substitute gets an
// invitation of their own and the rejected one none.
func TestZaloPendingSubstituteRequests(t *testing.T) {
	h, srv := newZalo(t)
	ctx := context.Background()
	type req struct {
		name, sub, phone string
		c                *zaloChat
	}
	reqs := []*req{
		{name: "Thu Hà", sub: "Huỳnh Văn Sang", phone: "+84909111201"},
		{name: "Quốc Bảo", sub: "Trịnh Thị Lụa", phone: "+84909111202"},
		{name: "Văn Hùng", sub: "Mạc Văn Khải", phone: "+84909111203"},
	}
	for i, r := range reqs {
		r.c = &zaloChat{h: h, srv: srv, u: srv.NewUser("zu-d"+itoa(int64(i)), r.name)}
		r.c.say(h.invitee(r.name).Token, "Đã liên kết thành công")
	}
	h.issue()
	for _, r := range reqs {
		r.c.wait(0, "GIẤY MỜI")
		if _, err := h.svc.Invitations.SetRSVP(ctx, h.invitee(r.name).ID, convene.RSVPChange{RSVP: convene.RSVPSubstitute,
			SubstituteName: r.sub, SubstituteTitle: "Chuyên viên", SubstitutePhone: r.phone, Actor: "test"}); err != nil {
			t.Fatal(err)
		}
	}
	org := &zaloChat{h: h, srv: srv, u: srv.NewUser("zu-org", "Ngọc Trâm")}
	org.say(h.invitee("Ngọc Trâm").Token, "Đã liên kết thành công")
	org.wait(0, "GIẤY MỜI") // her own invitation, a numbered list too: /pending's must come last

	list := org.say("/pending chi-bo-01", "Đề nghị cử người dự thay chờ")
	for _, r := range reqs {
		for _, label := range []string{"Chấp thuận đồng chí " + r.sub + " dự thay", "Không chấp thuận đồng chí " + r.sub + " dự thay"} {
			choiceNumber(t, list, label)
		}
	}
	if strings.Contains(list, "bấm") || !strings.Contains(list, "trả lời bằng số") {
		t.Fatalf("list on Zalo:\n%s", list)
	}

	// Approve the second request by its number.
	n := choiceNumber(t, list, "Chấp thuận đồng chí Trịnh Thị Lụa")
	before := len(srv.Messages(org.u.ID))
	org.say(n, "Đã chấp thuận đồng chí Trịnh Thị Lụa dự thay đồng chí Phạm Quốc Bảo")
	again := org.wait(before, "Đề nghị cử người dự thay chờ")
	if strings.Contains(again, "Trịnh Thị Lụa") || !strings.Contains(again, "Huỳnh Văn Sang") || !strings.Contains(again, "Mạc Văn Khải") {
		t.Fatalf("the requests offered again:\n%s", again)
	}

	// Reject the third from the list offered again.
	n = choiceNumber(t, again, "Không chấp thuận đồng chí Mạc Văn Khải")
	before = len(srv.Messages(org.u.ID))
	org.say(n, "Không chấp thuận đồng chí Mạc Văn Khải dự thay đồng chí Nguyễn Văn Hùng")
	last := org.wait(before, "Đề nghị cử người dự thay chờ")
	if !strings.Contains(last, "Huỳnh Văn Sang") || strings.Contains(last, "Mạc Văn Khải") || strings.Contains(last, "\n3. ") {
		t.Fatalf("the last request offered again:\n%s", last)
	}

	// The proposers are told; the approved one gets the substitute's code to forward.
	bao, lua := h.invitee("Quốc Bảo"), h.invitee("Trịnh Thị Lụa")
	if bao.SubstituteStatus != "approved" || lua.SubstituteFor != bao.ID || lua.IssuedAt.IsZero() || lua.Category.ID != bao.Category.ID {
		t.Fatalf("approved: %+v → substitute %+v", bao.Invitation, lua.Invitation)
	}
	reqs[1].c.wait(0, "chấp thuận đồng chí Trịnh Thị Lụa dự thay")
	if got := reqs[1].c.wait(0, lua.Token); !strings.Contains(got, "Trịnh Thị Lụa") {
		t.Fatalf("approval without the substitute's code: %s", got)
	}
	reqs[2].c.wait(0, "chưa chấp thuận người dự thay (Mạc Văn Khải)")
	if got := h.invitee("Văn Hùng"); got.SubstituteStatus != "rejected" || got.RSVP != convene.RSVPPending {
		t.Fatalf("rejected: %+v", got.Invitation)
	}
	if invs, _, _ := h.svc.Invitations.FindInvitees(ctx, convene.InvitationFilter{MeetingID: h.m.ID, Name: "Mạc Văn Khải"}); len(invs) != 0 {
		t.Fatalf("the rejected substitute is invited: %+v", invs[0].Invitation)
	}
	if got := h.invitee("Thu Hà"); got.SubstituteStatus != "proposed" {
		t.Fatalf("the first request was decided: %+v", got.Invitation)
	}
	for _, m := range srv.Messages(reqs[0].c.u.ID) {
		if strings.Contains(m, "Huỳnh Văn Sang") {
			t.Fatalf("the undecided proposer was told something: %s", m)
		}
	}

	// The last one too is answerable by number.
	n = choiceNumber(t, last, "Chấp thuận đồng chí Huỳnh Văn Sang")
	org.say(n, "Đã chấp thuận đồng chí Huỳnh Văn Sang")
	if got := h.invitee("Thu Hà"); got.SubstituteStatus != "approved" {
		t.Fatalf("the first request: %+v", got.Invitation)
	}
}
