package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/convene/convene"
	"github.com/convene/convene/bot/telegramtest"
	"github.com/convene/convene/scheduler"
)

// unit returns the example meeting's unit whose name contains name.
func (h *harness) unit(name string) *convene.Unit {
	h.t.Helper()
	us, err := h.svc.Units.FindUnits(context.Background(), h.m.ID)
	if err != nil {
		h.t.Fatal(err)
	}
	for _, u := range us {
		if strings.Contains(u.Name, name) {
			return u
		}
	}
	h.t.Fatalf("no unit %q", name)
	return nil
}

// buttonData returns the data of m's button whose text contains text.
func buttonData(t *testing.T, m telegramtest.Message, text string) string {
	t.Helper()
	for _, row := range m.Buttons {
		for _, b := range row {
			if strings.Contains(b.Text, text) {
				return b.Data
			}
		}
	}
	t.Fatalf("no button %q in %+v", text, m.Buttons)
	return ""
}

// nominate walks the nomination flow from pressing pick on msg to the summary, as text.
func (h *harness) nominate(u *telegramtest.User, msg telegramtest.Message, category, name, title, phone string) telegramtest.Message {
	h.t.Helper()
	h.press(u, msg.ID, buttonData(h.t, msg, category))
	h.contains(u.ID, "nhập họ và tên của đồng chí được cử")
	h.sendFor(u, name, "nhập chức vụ")
	h.sendFor(u, title, "nhập số điện thoại")
	return h.sendFor(u, phone, "kiểm tra lại")
}

func TestUnitsNominate(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	org := h.organizer()
	nguyenDu := h.unit("Nguyễn Du")
	rep := h.user(7001, "Hương")
	var invMsg telegramtest.Message

	t.Run("RepresentativeLinksByUnitToken", func(t *testing.T) {
		ms := h.send(rep, "/start "+nguyenDu.Token, 1)
		if !strings.Contains(ms[0].Text, "Đã liên kết") || !strings.Contains(ms[0].Text, "Nguyễn Thị Thanh Hương") {
			t.Fatalf("link: %q", ms[0].Text)
		}
	})
	t.Run("UnitInvitationOnIssue", func(t *testing.T) {
		h.issue()
		invMsg = h.contains(rep.ID, "ĐỀ NGHỊ CỬ ĐẠI BIỂU")
		for _, want := range []string{"02 đồng chí thuộc thành phần Cấp ủy đảng bộ, chi bộ cơ sở", "02 đồng chí thuộc thành phần Cấp ủy các chi bộ trực thuộc",
			"Thời hạn cử đại biểu: 17:00, thứ Hai, 25/03/2024"} {
			if !strings.Contains(invMsg.Text, want) {
				t.Fatalf("unit invitation lacks %q:\n%s", want, invMsg.Text)
			}
		}
		// A button per open category, then the meeting's materials.
		if len(invMsg.Buttons) != 3 || !strings.HasPrefix(invMsg.Buttons[2][0].Data, "mat:") {
			t.Fatalf("want a button per open category and the materials, got %+v", invMsg.Buttons)
		}
		u, _ := h.svc.Units.FindUnitByID(ctx, nguyenDu.ID)
		if u.IssuedAt.IsZero() {
			t.Fatal("unit invitation not marked issued")
		}
		h.issue() // again: nothing twice
		h.settle()
		if n := h.count(rep.ID, "ĐỀ NGHỊ CỬ ĐẠI BIỂU"); n != 1 {
			t.Fatalf("%d unit invitations, want 1", n)
		}
	})
	t.Run("LateRepresentativeGetsItAtOnce", func(t *testing.T) {
		rep2 := h.user(7002, "Việt")
		h.send(rep2, "/start "+h.unit("Gia Định").Token, 1)
		m := h.contains(rep2.ID, "ĐỀ NGHỊ CỬ ĐẠI BIỂU")
		if !strings.Contains(m.Text, "03 đồng chí thuộc thành phần Cấp ủy các chi bộ trực thuộc") {
			t.Fatalf("per-unit quota missing:\n%s", m.Text)
		}
	})
	var link string
	t.Run("NominateTwoAndAnother", func(t *testing.T) {
		sum := h.nominate(rep, invMsg, "Cấp ủy đảng bộ", "Phan Văn An", "Phó Bí thư", "0909 111 001")
		if !strings.Contains(sum.Text, "0909 111 001") || !strings.Contains(sum.Text, "Phan Văn An") {
			t.Fatalf("summary: %q", sum.Text)
		}
		h.press(rep, sum.ID, buttonData(t, sum, "Xác nhận"))
		done := h.contains(rep.ID, "Đã cử đồng chí Phan Văn An")
		if !strings.Contains(done.Text, "(1/2)") || !strings.Contains(done.Text, "https://t.me/hop_bot?start=") {
			t.Fatalf("done: %q", done.Text)
		}
		link = done.Text[strings.Index(done.Text, "https://t.me/hop_bot?start="):]
		link, _, _ = strings.Cut(link, "\n")

		// The second by a shared contact card after the name.
		h.press(rep, invMsg.ID, buttonData(t, invMsg, "Cấp ủy đảng bộ"))
		h.contains(rep.ID, "danh thiếp")
		h.sendFor(rep, "Lý Thị Bình", "nhập chức vụ")
		h.settle()
		before := len(h.srv.Messages(rep.ID))
		rep.ShareContact("+84909111002", 8888)
		ack := h.newContaining(rep.ID, before, "nhập chức vụ") // the card gave the phone; the title is still asked
		if !strings.HasPrefix(ack.Text, "Đã nhận số điện thoại 0909 111 002 từ danh bạ.") {
			t.Fatalf("the card's phone is not acknowledged: %q", ack.Text)
		}
		sum = h.sendFor(rep, "Ủy viên", "kiểm tra lại")
		if !strings.Contains(sum.Text, "0909 111 002") || !strings.Contains(sum.Text, "Lý Thị Bình") {
			t.Fatalf("summary after a contact card: %q", sum.Text)
		}
		h.press(rep, sum.ID, buttonData(t, sum, "Xác nhận"))
		h.contains(rep.ID, "Đã cử đồng chí Lý Thị Bình")

		sum = h.nominate(rep, invMsg, "chi bộ trực thuộc", "Đỗ Minh Châu", "Bí thư chi bộ", "0909111003")
		h.press(rep, sum.ID, buttonData(t, sum, "Xác nhận"))
		h.contains(rep.ID, "Đã cử đồng chí Đỗ Minh Châu")
	})
	t.Run("RefusedOverQuotaAndSamePhone", func(t *testing.T) {
		before := len(h.srv.Messages(rep.ID))
		h.press(rep, invMsg.ID, buttonData(t, invMsg, "Cấp ủy đảng bộ"))
		h.newContaining(rep.ID, before, "đã cử đủ số lượng")
		sum := h.nominate(rep, invMsg, "chi bộ trực thuộc", "Người Trùng", "Ủy viên", "0909111001")
		h.press(rep, sum.ID, buttonData(t, sum, "Xác nhận"))
		h.contains(rep.ID, "Số điện thoại 0909 111 001 đã được đơn vị cử")
		noms, _ := h.svc.Units.FindNominations(ctx, convene.NominationFilter{UnitID: nguyenDu.ID, State: convene.NominationNominated})
		if len(noms) != 3 {
			t.Fatalf("%d nominations stand, want 3", len(noms))
		}
	})
	t.Run("RefusedPhoneInvitedOtherwise", func(t *testing.T) {
		sum := h.nominate(rep, invMsg, "chi bộ trực thuộc", "Người Khác", "Ủy viên", h.invitee("Thu Hà").Person.Phone)
		h.press(rep, sum.ID, buttonData(t, sum, "Xác nhận"))
		h.contains(rep.ID, "đã được mời dự hội nghị này")
	})
	t.Run("WithdrawAndReplace", func(t *testing.T) {
		list := h.sendFor(rep, "/units", "2/2 đồng chí")
		h.press(rep, list.ID, buttonData(t, list, "Danh sách đã cử"))
		l := h.contains(rep.ID, "Danh sách đại biểu")
		h.press(rep, l.ID, buttonData(t, l, "Rút số 2"))
		h.contains(rep.ID, "Đã rút đồng chí Lý Thị Bình")
		h.press(rep, l.ID, buttonData(t, l, "Thay số 3"))
		h.contains(rep.ID, "thay đồng chí Đỗ Minh Châu")
		h.sendFor(rep, "Hồ Văn Dũng", "nhập chức vụ")
		h.sendFor(rep, "Ủy viên", "nhập số điện thoại")
		sum := h.sendFor(rep, "0909111004", "Thay đồng chí Đỗ Minh Châu")
		h.press(rep, sum.ID, buttonData(t, sum, "Xác nhận"))
		h.contains(rep.ID, "Đã cử đồng chí Hồ Văn Dũng")
		noms, _ := h.svc.Units.FindNominations(ctx, convene.NominationFilter{UnitID: nguyenDu.ID, State: convene.NominationNominated})
		var names []string
		for _, n := range noms {
			names = append(names, n.Person.FullName)
		}
		if strings.Join(names, ",") != "Phan Văn An,Hồ Văn Dũng" {
			t.Fatalf("standing: %v", names)
		}
	})
	t.Run("NomineeLinksAndAnswers", func(t *testing.T) {
		an := h.user(7101, "An")
		token := link[strings.Index(link, "=")+1:]
		h.sendFor(an, "/start "+token, "Đã liên kết")
		inv := h.invitation(an)
		h.press(an, inv.ID, buttonData(t, inv, "Tham dự"))
		if got := h.invitee("Phan Văn An"); got.RSVP != convene.RSVPAttending {
			t.Fatalf("rsvp %s", got.RSVP)
		}
	})
	t.Run("OrganizerUnits", func(t *testing.T) {
		m := h.sendFor(org, "/units chi-bo-01", "ĐƠN VỊ CỬ ĐẠI BIỂU")
		for _, want := range []string{"Đảng bộ Trường THPT Nguyễn Du ⚠️", "Cấp ủy đảng bộ, chi bộ cơ sở: đã cử 1/2 · đã kết nối Trợ lý hội nghị: 1 · xác nhận dự: 1",
			"Cấp ủy các chi bộ trực thuộc: đã cử 1/2"} {
			if !strings.Contains(m.Text, want) {
				t.Fatalf("/units lacks %q:\n%s", want, m.Text)
			}
		}
	})
	t.Run("AgendaForInvitee", func(t *testing.T) {
		m := h.sendFor(rep, "/agenda", "CHƯƠNG TRÌNH")
		for _, want := range []string{"07:30 – Đón tiếp đại biểu, điểm danh (Văn phòng Đảng ủy)", "Dẫn chương trình: đồng chí Nguyễn Thị Thanh Thủy"} {
			if !strings.Contains(m.Text, want) {
				t.Fatalf("/agenda lacks %q:\n%s", want, m.Text)
			}
		}
	})
	t.Run("RefusedAfterDeadline", func(t *testing.T) {
		h.clock.Set(mustTime("2024-03-25T11:00:00Z")) // 18:00 local, after 17:00
		before := len(h.srv.Messages(rep.ID))
		h.press(rep, invMsg.ID, buttonData(t, invMsg, "chi bộ trực thuộc"))
		h.newContaining(rep.ID, before, "Đã hết hạn cử đại biểu")
	})
	t.Run("StrangerRefused", func(t *testing.T) {
		x := h.user(7200, "X")
		h.sendFor(x, "/units", "không có quyền")
	})
}

func TestUnitNudgeOncePerShortUnit(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	org := h.organizer()
	short, full := h.user(7001, "Hương"), h.user(7003, "Thành")
	h.sendFor(short, "/start "+h.unit("Nguyễn Du").Token, "Đã liên kết")
	curie := h.unit("Marie Curie") // asked for one delegate only
	h.sendFor(full, "/start "+curie.Token, "Đã liên kết")
	h.issue()
	h.contains(full.ID, "ĐỀ NGHỊ CỬ ĐẠI BIỂU")
	cats, _ := h.svc.Meetings.FindCategories(ctx, h.m.ID)
	var coSo int64
	for _, c := range cats {
		if c.Code == "cap-uy-co-so" {
			coSo = c.ID
		}
	}
	if _, err := h.svc.Units.Nominate(ctx, curie.ID, coSo, convene.Nominee{FullName: "Vũ Thị Hoa", Phone: "+84909222001"}, "test"); err != nil {
		t.Fatal(err)
	}
	h.settle()

	tick := mustTime("2024-03-21T01:00:30Z") // 08:00:30 local: the digest's time
	h.clock.Set(tick)
	s := scheduler.New(scheduler.Config{Meetings: h.svc.Meetings, Reminders: h.svc.Reminders, Invitations: h.svc.Invitations,
		Messenger: h.bot, Logger: h.bot.Logger, Now: func() time.Time { return tick }})
	for range 2 {
		if err := s.Tick(ctx); err != nil {
			t.Fatal(err)
		}
	}
	n := h.contains(short.ID, "Nhắc cử đại biểu")
	if !strings.Contains(n.Text, "Đảng bộ Trường THPT Nguyễn Du") || len(n.Buttons) == 0 {
		t.Fatalf("nudge: %q %+v", n.Text, n.Buttons)
	}
	h.contains(org.ID, "3 đơn vị chưa cử đủ đại biểu")
	h.settle()
	if c := h.count(short.ID, "Nhắc cử đại biểu"); c != 1 {
		t.Fatalf("%d nudges to the short unit, want 1", c)
	}
	if c := h.count(full.ID, "Nhắc cử đại biểu"); c != 0 {
		t.Fatalf("a full unit was nudged %d times", c)
	}
}
