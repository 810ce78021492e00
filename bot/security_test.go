package bot_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/convene/convene"
	"github.com/convene/convene/bot/telegram"
	"github.com/convene/convene/bot/telegramtest"
	"github.com/convene/convene/bot/zalo"
	"github.com/convene/convene/bot/zalotest"
	"github.com/convene/convene/examples"
	"github.com/convene/convene/plan"
	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
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
	h.contains(u.ID, "họ và tên người dự thay")
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
		refused := h.contains(org.ID, "Đề nghị dự thay không được chấp nhận")
		if !strings.Contains(refused.Text, "vai trò: "+h.text("role.organizer")) || strings.Contains(refused.Text, "organizer") {
			t.Fatalf("the role is not in words: %q", refused.Text)
		}
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

// sendInGroup makes u write a command in group chat.
func (h *harness) sendInGroup(u *telegramtest.User, group int64, text string) {
	word, _, _ := strings.Cut(text, " ")
	h.srv.Inject(tgbotapi.Update{Message: &tgbotapi.Message{
		MessageID: int(time.Now().UnixNano() % 1e6), Date: int(time.Now().Unix()), Text: text,
		From:     &tgbotapi.User{ID: u.ID, FirstName: u.FirstName, LanguageCode: u.LanguageCode},
		Chat:     &tgbotapi.Chat{ID: group, Type: "group", Title: "Chi bộ"},
		Entities: []tgbotapi.MessageEntity{{Type: "bot_command", Offset: 0, Length: len([]rune(word))}},
	}})
}

func TestOrganizerCommandsInGroup(t *testing.T) {
	h := newHarness(t)
	org := h.organizer()
	const group = -100777
	h.srv.NewGroup(group)
	for i, cmd := range []string{"/report chi-bo-01", "/pending chi-bo-01", "/status chi-bo-01", "/checkin chi-bo-01"} {
		t.Run(strings.TrimPrefix(strings.Fields(cmd)[0], "/"), func(t *testing.T) {
			h.sendInGroup(org, group, cmd)
			ms := h.srv.WaitMessages(wait, group, i+1)
			if len(ms) != i+1 || !strings.Contains(ms[i].Text, "trò chuyện riêng") {
				t.Fatalf("%s in a group: %d messages, last %q", cmd, len(ms), lastText(ms))
			}
		})
	}
	// Whatever else may still arrive, nothing private lands in the group.
	before := len(h.srv.Messages(org.ID))
	h.send(org, "/pending chi-bo-01", 1)
	if ms := h.srv.Messages(org.ID); len(ms) <= before {
		t.Fatal("/pending in the private chat got no answer")
	}
	for _, m := range h.srv.Messages(group) {
		if m.Document != nil || m.Photo != nil || strings.Contains(m.Text, "+84") || strings.Contains(m.Text, "t.me/") ||
			strings.Contains(m.Text, "Thu Hà") {
			t.Fatalf("organizer output in the group: %+v", m)
		}
	}
}

// setFeedbackFrom re-applies the example plan with feedback.from set on chi-bo-01.
func (h *harness) setFeedbackFrom(from convene.FeedbackFrom) {
	h.t.Helper()
	p, err := plan.ParseFS(examples.FS, examples.PlanFile)
	if err != nil {
		h.t.Fatal(err)
	}
	for i := range p.Meetings {
		if p.Meetings[i].Meeting.Code == "chi-bo-01" {
			p.Meetings[i].Meeting.Feedback.From = from
		}
	}
	if _, err := h.svc.Plans.ApplyPlan(context.Background(), p); err != nil {
		h.t.Fatal(err)
	}
}

func TestFeedbackOnlyFromAttendees(t *testing.T) {
	h := newHarness(t)
	org := h.organizer()
	ha := h.user(101, "Hà")
	h.link(ha, "Thu Hà")
	bao := h.user(102, "Bảo")
	h.link(bao, "Quốc Bảo")
	yen := h.user(103, "Yến")
	h.link(yen, "Hoàng Yến")
	h.issue()
	invMsg := h.invitation(ha)
	h.press(ha, invMsg.ID, "rsvp:"+itoa(h.invitee("Thu Hà").ID)+":d")
	h.contains(ha.ID, "lý do")
	h.send(ha, "Bận công tác", 1)
	if got := h.invitee("Thu Hà"); got.RSVP != convene.RSVPDeclined {
		t.Fatalf("Hà did not decline: %+v", got.Invitation)
	}
	h.attend(bao, "Quốc Bảo")
	// Yến said she would attend but was not checked in.
	h.press(yen, h.invitation(yen).ID, "rsvp:"+itoa(h.invitee("Hoàng Yến").ID)+":a")
	h.clock.Set(h.m.End().Add(time.Minute))
	ms := h.send(org, "/feedback chi-bo-01", 1)
	st, err := h.svc.Invitations.MeetingStats(context.Background(), h.m.ID)
	if err != nil {
		t.Fatal(err)
	}
	// Only Bảo was checked in; the organizer is told so, and how many are not asked.
	want := h.text("fb.opened_checked_in", "Title", h.m.Title, "Asked", 1, "Count", 1, "Unlinked", 0, "Others", st.Total.Invited-1)
	if ms[0].Text != want {
		t.Fatalf("open: %q\nwant %q", ms[0].Text, want)
	}
	h.contains(bao.ID, "đề nghị đồng chí cho ý kiến góp ý")

	t.Run("DeclinedInviteeNotAsked", func(t *testing.T) {
		h.noMessageContains(ha.ID, "đề nghị đồng chí cho ý kiến góp ý")
		h.noMessageContains(yen.ID, "đề nghị đồng chí cho ý kiến góp ý")
	})
	t.Run("DeclinedInviteeRefusedByCommand", func(t *testing.T) {
		ms := h.send(ha, "/feedback", 1)
		if !strings.Contains(ms[0].Text, "đã báo vắng") {
			t.Fatalf("declined invitee: %q", ms[0].Text)
		}
	})
	t.Run("DeclinedInviteeRefusedByForgedButton", func(t *testing.T) {
		before := len(h.srv.Messages(ha.ID))
		_, cb := ha.Press(invMsg.ID, "fb:start:"+itoa(h.m.ID))
		h.srv.WaitFor(wait, func() bool { return h.srv.Answered(cb) })
		ms := h.waitNew(ha.ID, before, 1)
		if !strings.Contains(ms[0].Text, "đã báo vắng") {
			t.Fatalf("declined invitee pressed start: %q", ms[0].Text)
		}
		if c, err := h.svc.Conversations.FindConversation(context.Background(), mustAccountID(t, h, ha.ID)); err == nil && c.Flow == "feedback" {
			t.Fatal("a feedback conversation was started")
		}
	})
	t.Run("AbsentInviteeRefused", func(t *testing.T) {
		ms := h.send(yen, "/feedback", 1)
		if !strings.Contains(ms[0].Text, "không có mặt") {
			t.Fatalf("absent invitee: %q", ms[0].Text)
		}
	})
	t.Run("AttendeeMayAnswer", func(t *testing.T) {
		ms := h.send(bao, "/feedback", 2)
		if !strings.Contains(ms[1].Text, "Câu 1/4") {
			t.Fatalf("attendee: %q", ms[1].Text)
		}
	})
	t.Run("PlanMayOpenFeedbackToInvitees", func(t *testing.T) {
		h.setFeedbackFrom(convene.FeedbackFromInvitees)
		ms := h.send(ha, "/feedback", 2)
		if !strings.Contains(ms[1].Text, "Câu 1/4") {
			t.Fatalf("from: invitees, declined invitee: %q", ms[1].Text)
		}
	})
}

func mustAccountID(t *testing.T, h *harness, userID int64) int64 {
	t.Helper()
	a, err := h.svc.People.FindAccount(context.Background(), "telegram", itoa(userID))
	if err != nil {
		t.Fatal(err)
	}
	return a.ID
}

// newTwoChannels runs the bot on the fake Telegram and the fake Zalo at once, with one dispatcher.
func newTwoChannels(t *testing.T) (*harness, *zalotest.Server) {
	t.Helper()
	h, ctx := newCore(t)
	h.srv = telegramtest.NewServer(telegramtest.Options{Username: "hop_bot"})
	t.Cleanup(h.srv.Close)
	tg, err := telegram.New(ctx, telegram.Config{Token: h.srv.Token(), APIURL: h.srv.URL, PollTimeout: time.Second, Logger: h.bot.Logger})
	if err != nil {
		t.Fatal(err)
	}
	zsrv := zalotest.NewServer(zalotest.Options{MaxPollWait: 500 * time.Millisecond})
	t.Cleanup(zsrv.Close)
	zl, err := zalo.New(ctx, zalo.Config{Token: zsrv.Token(), APIURL: zsrv.URL, PollTimeout: time.Second, Logger: h.bot.Logger})
	if err != nil {
		t.Fatal(err)
	}
	h.run(ctx, tg, zl)
	return h, zsrv
}

var sixDigits = regexp.MustCompile(`\b[0-9]{6}\b`)

// linkCode waits for the n-th code message in a Telegram chat and returns its code.
func (h *harness) linkCode(chat int64, n int) string {
	h.t.Helper()
	var code string
	h.srv.WaitFor(wait, func() bool {
		seen := 0
		for _, m := range h.srv.Messages(chat) {
			if strings.Contains(m.Text, "🔐") {
				if seen++; seen == n {
					code = sixDigits.FindString(m.Text)
					return true
				}
			}
		}
		return false
	})
	if code == "" {
		h.t.Fatalf("chat %d: no code message %d; last %q", chat, n, lastText(h.srv.Messages(chat)))
	}
	return code
}

func (h *harness) zaloPerson(userID string) int64 {
	h.t.Helper()
	a, err := h.svc.People.FindAccount(context.Background(), "zalo", userID)
	if err != nil {
		h.t.Fatal(err)
	}
	return a.PersonID
}

func TestSecondChannelNeedsCode(t *testing.T) {
	h, zsrv := newTwoChannels(t)
	org := h.organizer()
	ha := h.user(101, "Hà")
	h.link(ha, "Thu Hà")
	token := h.invitee("Thu Hà").Token

	t.Run("StolenTokenOnZaloDoesNotLink", func(t *testing.T) {
		thief := &zaloChat{h: h, srv: zsrv, u: zsrv.NewUser("zu-thief", "Kẻ Lạ")}
		thief.say(token, "mã gồm 6 chữ số")
		code := h.linkCode(ha.ID, 1)
		if h.zaloPerson("zu-thief") != 0 {
			t.Fatal("linked before the code")
		}
		wrong := "000000"
		if code == wrong {
			wrong = "111111"
		}
		thief.say(wrong, "còn 4 lần")
		for i := 0; i < 3; i++ {
			thief.say(wrong, "Mã chưa đúng")
		}
		thief.say(wrong, "quá số lần")
		thief.say(code, "chưa được liên kết") // the right code after the tries ran out: no flow, not linked
		if h.zaloPerson("zu-thief") != 0 {
			t.Fatal("the thief was linked")
		}
		h.contains(org.ID, "Từ chối liên kết kênh thứ hai")
		for _, m := range zsrv.Messages("zu-thief") {
			if strings.Contains(m, "Thu Hà") {
				t.Fatalf("the thief learned the name: %q", m)
			}
		}
	})

	t.Run("ExpiredCodeDoesNotLink", func(t *testing.T) {
		late := &zaloChat{h: h, srv: zsrv, u: zsrv.NewUser("zu-late", "Chậm")}
		late.say(token, "mã gồm 6 chữ số")
		code := h.linkCode(ha.ID, 2)
		h.clock.Set(h.clock.Now().Add(11 * time.Minute))
		late.say(code, "hết hiệu lực")
		if h.zaloPerson("zu-late") != 0 {
			t.Fatal("an expired code linked")
		}
	})

	t.Run("CodesPerHourLimited", func(t *testing.T) {
		third := &zaloChat{h: h, srv: zsrv, u: zsrv.NewUser("zu-3", "Ba")}
		third.say(token, "mã gồm 6 chữ số")
		h.linkCode(ha.ID, 3)
		fourth := &zaloChat{h: h, srv: zsrv, u: zsrv.NewUser("zu-4", "Bốn")}
		fourth.say(token, "không thể gửi mã")
	})

	h.clock.Set(h.clock.Now().Add(time.Hour))
	t.Run("OwnerLinksZaloWithCode", func(t *testing.T) {
		own := &zaloChat{h: h, srv: zsrv, u: zsrv.NewUser("zu-ha", "Hà Zalo")}
		own.say(token, "mã gồm 6 chữ số")
		code := h.linkCode(ha.ID, 4)
		own.say(code, "Đã liên kết thành công")
		if h.zaloPerson("zu-ha") != h.invitee("Thu Hà").PersonID {
			t.Fatal("the owner's Zalo account was not linked")
		}
		h.contains(org.ID, "đã liên kết thêm tài khoản zalo")
	})

	t.Run("SameChannelFirstStillWins", func(t *testing.T) {
		other := &zaloChat{h: h, srv: zsrv, u: zsrv.NewUser("zu-other", "Khác")}
		other.say(token, "đã được liên kết với một tài khoản khác")
		if h.zaloPerson("zu-other") != 0 {
			t.Fatal("a second Zalo account was linked")
		}
	})
}
