package bot_test

import (
	"context"
	"strings"
	"testing"

	"github.com/convene/convene"
	"github.com/convene/convene/bot/telegramtest"
)

// TestWithdrawNomineeWithSubstitute: a nominee has an approved substitute
// who linked and got an invitation; the representative withdraws the
// nominee. The seat belongs to the unit: the substitute's invitation goes
// with the nominee's, the substitute is told, the representative is told
// that too, and the audit log records it.
func TestWithdrawNomineeWithSubstitute(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	org := h.organizer()
	rep := h.user(7001, "Hương")
	h.sendFor(rep, "/start "+h.unit("Nguyễn Du").Token, "Đã liên kết")
	h.issue()
	invMsg := h.contains(rep.ID, "ĐỀ NGHỊ CỬ ĐẠI BIỂU")
	// seat: the representative names a nominee, who links and has a
	// substitute approved by the office; the substitute links too.
	seat := func(nominee, phone string, nomineeUID int64, substitute, subPhone string, subUID int64) (nom, sub *telegramtest.User) {
		t.Helper()
		sum := h.nominate(rep, invMsg, "Cấp ủy đảng bộ", nominee, "Ủy viên", phone)
		h.press(rep, sum.ID, buttonData(t, sum, "Xác nhận"))
		h.contains(rep.ID, "Đã cử đồng chí "+nominee)
		nom = h.user(nomineeUID, nominee)
		h.sendFor(nom, "/start "+h.invitee(nominee).Token, "Đã liên kết")
		h.proposeSubstitute(nom, h.invitation(nom), h.invitee(nominee).ID, substitute, subPhone)
		req := h.contains(org.ID, substitute)
		h.press(org, req.ID, buttonData(t, req, "Chấp thuận"))
		h.contains(nom.ID, "đã chấp thuận đồng chí "+substitute)
		if inv := h.invitee(substitute); inv.SubstituteFor != h.invitee(nominee).ID {
			t.Fatalf("substitute %+v", inv.Invitation)
		}
		sub = h.user(subUID, substitute)
		h.sendFor(sub, "/start "+h.invitee(substitute).Token, "Đã liên kết")
		h.invitation(sub)
		return nom, sub
	}
	an, thay := seat("Phan Văn An", "0909 111 001", 7101, "Trần Thị Thay", "0909 111 009", 7102)
	sub := h.invitee("Trần Thị Thay")

	list := h.sendFor(rep, "/units", "1/2 đồng chí")
	h.press(rep, list.ID, buttonData(t, list, "Danh sách đã cử"))
	l := h.contains(rep.ID, "Danh sách đại biểu")
	h.press(rep, l.ID, buttonData(t, l, "Rút số 1"))
	done := h.contains(rep.ID, "Đã rút đồng chí Phan Văn An")
	if !strings.Contains(done.Text, "Giấy mời của người dự thay đồng chí Phan Văn An (Trần Thị Thay) cũng không còn hiệu lực") {
		t.Fatalf("the representative is not told of the substitute:\n%s", done.Text)
	}
	told := h.contains(thay.ID, "giấy mời dự thay đồng chí Phan Văn An gửi đồng chí không còn hiệu lực")
	for _, want := range []string{"Đảng bộ Trường THPT Nguyễn Du", "Văn phòng Đảng ủy"} {
		if !strings.Contains(told.Text, want) {
			t.Fatalf("the substitute's message lacks %q: %s", want, told.Text)
		}
	}
	h.contains(an.ID, "đồng chí không còn trong thành phần dự")

	if invs, _, _ := h.svc.Invitations.FindInvitees(ctx, convene.InvitationFilter{MeetingID: h.m.ID, Name: "Trần Thị Thay"}); len(invs) != 0 {
		t.Fatalf("the substitute is still invited: %+v", invs[0].Invitation)
	}
	entries, _ := h.svc.Audit.FindAudit(ctx, h.m.ID, 5)
	found := false
	for _, e := range entries {
		found = found || (e.Action == "substitute-withdraw" && e.Subject == "invitation:"+itoa(sub.ID) && e.Actor == "telegram:7001")
	}
	if !found {
		t.Fatalf("no audit entry for the substitute: %+v", entries)
	}

	// Replacing a nominee does the same, and tells the replaced nominee.
	t.Run("Replace", func(t *testing.T) {
		binh, the := seat("Lý Thị Bình", "0909 111 002", 7103, "Châu Văn Thế", "0909 111 019", 7104)

		list := h.sendFor(rep, "/units", "1/2 đồng chí")
		before := len(h.srv.Messages(rep.ID))
		h.press(rep, list.ID, buttonData(t, list, "Danh sách đã cử"))
		l := h.newContaining(rep.ID, before, "Danh sách đại biểu")
		h.press(rep, l.ID, buttonData(t, l, "Thay số 1"))
		h.contains(rep.ID, "thay đồng chí Lý Thị Bình")
		h.sendFor(rep, "Hồ Văn Dũng", "nhập chức vụ")
		h.sendFor(rep, "Ủy viên", "nhập số điện thoại")
		sum := h.sendFor(rep, "0909111004", "Thay đồng chí Lý Thị Bình")
		h.press(rep, sum.ID, buttonData(t, sum, "Xác nhận"))
		done := h.contains(rep.ID, "Đã cử đồng chí Hồ Văn Dũng")
		if !strings.Contains(done.Text, "người dự thay đồng chí Lý Thị Bình (Châu Văn Thế)") {
			t.Fatalf("the representative is not told of the substitute:\n%s", done.Text)
		}
		h.contains(the.ID, "giấy mời dự thay đồng chí Lý Thị Bình gửi đồng chí không còn hiệu lực")
		h.contains(binh.ID, "đồng chí không còn trong thành phần dự")
		if invs, _, _ := h.svc.Invitations.FindInvitees(ctx, convene.InvitationFilter{MeetingID: h.m.ID, Name: "Châu Văn Thế"}); len(invs) != 0 {
			t.Fatalf("the substitute is still invited: %+v", invs[0].Invitation)
		}
	})
}
