package bot_test

import (
	"context"
	"strings"
	"testing"

	"github.com/convene/convene"
	"github.com/convene/convene/examples"
	"github.com/convene/convene/plan"
)

// TestZaloNominate: a representative on Zalo links by typing the unit's
// code and nominates by numbered choices.
func TestZaloNominate(t *testing.T) {
	h, srv := newZalo(t)
	c := &zaloChat{h: h, srv: srv, u: srv.NewUser("zu-rep", "Nguyễn Thị Thanh Hương")}
	c.say(h.unit("Nguyễn Du").Token, "Đã liên kết thành công")
	before := len(srv.Messages(c.u.ID))
	h.issue()
	inv := c.wait(before, "ĐỀ NGHỊ CỬ ĐẠI BIỂU")
	if !strings.Contains(inv, "1. ➕ Cử: Cấp ủy đảng bộ, chi bộ cơ sở") || !strings.Contains(inv, "trả lời bằng số") {
		t.Fatalf("unit invitation on Zalo:\n%s", inv)
	}
	c.say("1", "nhập họ và tên")
	c.say("Phan Văn An", "nhập chức vụ")
	c.say("Phó Bí thư", "nhập số điện thoại")
	sum := c.say("0909 111 001", "kiểm tra lại")
	if !strings.Contains(sum, "1. ✅ Xác nhận cử") {
		t.Fatalf("summary on Zalo:\n%s", sum)
	}
	done := c.say("1", "Đã cử đồng chí Phan Văn An")
	if !strings.Contains(done, "Mã cá nhân: ") {
		t.Fatalf("no code to forward:\n%s", done)
	}
	if got := h.invitee("Phan Văn An"); got.IssuedAt.IsZero() {
		t.Fatal("the nominee's invitation is not issued")
	}
}

// TestGuestsNotAskedForFeedback: a guest who attended gets no feedback request.
func TestGuestsNotAskedForFeedback(t *testing.T) {
	h, _ := newCore(t)
	ctx := context.Background()
	guest, delegate := h.invitee("Thu Hà"), h.invitee("Quốc Bảo")
	cats, _ := h.svc.Meetings.FindCategories(ctx, h.m.ID)
	var press *convene.Category
	for _, c := range cats {
		if c.Guests {
			press = c
		}
	}
	if press == nil {
		t.Fatal("the example plan has no guests category")
	}
	// Make Thu Hà the press: re-import the roster with her row in the guests category.
	entries, err := plan.ReadRoster(examples.Roster(), "csv")
	if err != nil {
		t.Fatal(err)
	}
	for i := range entries {
		if strings.Contains(entries[i].FullName, "Thu Hà") {
			entries[i].Category = press.Code
		}
	}
	if _, err := h.svc.Plans.ImportRoster(ctx, "chi-bo-01", entries); err != nil {
		t.Fatal(err)
	}
	for i, inv := range []*convene.Invitee{guest, delegate} {
		a, err := h.svc.People.TouchAccount(ctx, &convene.Account{Channel: "telegram", UserID: itoa(int64(300 + i)), ChatID: itoa(int64(300 + i)), Reachable: true})
		if err != nil {
			t.Fatal(err)
		}
		if err := h.svc.People.LinkAccount(ctx, a.ID, inv.PersonID); err != nil {
			t.Fatal(err)
		}
		if _, err := h.svc.Invitations.SetRSVP(ctx, inv.ID, convene.RSVPChange{RSVP: convene.RSVPAttending, Actor: "test"}); err != nil {
			t.Fatal(err)
		}
	}
	msgs, err := h.bot.FeedbackRequestMessages(ctx, h.m, "fb-test")
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 || !strings.HasSuffix(msgs[0].Key, ":"+itoa(delegate.ID)) {
		t.Fatalf("feedback requests %+v, want the delegate's only", msgs)
	}
}
