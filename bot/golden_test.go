package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/convene/convene"
	"github.com/convene/convene/bot/telegramtest"
	"github.com/convene/convene/bot/zalo"
)

// TestGolden drives each flow end to end through the real path (the
// Telegram client against telegramtest with its strict limits, or Zalo
// against zalotest; SQLite; the example plan and roster) in Vietnamese and
// in English, and compares the transcript of everything each person saw
// with testdata/golden/<flow>.<lang>.txt. A change of wording, of buttons
// or of what is sent to whom shows as a diff; -update rewrites the files
// after the change was read and found right.
//
// The flows wait mostly on Telegram's per-chat limit, not on the CPU: they
// run as parallel subtests, so -parallel decides the wall time (about 18 s
// with 16 or more, which TestMain sets unless -parallel is given; about
// 100 s with 2).
func TestGolden(t *testing.T) {
	flows := []struct {
		name string
		zalo bool
		run  func(tr *transcript)
	}{
		{"linking", false, goldenLinking},
		{"invitation", false, goldenInvitation},
		{"rsvp", false, goldenRSVP},
		{"reminders", false, goldenReminders},
		{"checkin", false, goldenCheckin},
		{"rollcall", false, goldenRollcall},
		{"feedback", false, goldenFeedback},
		{"nominate", false, goldenNominate},
		{"commands", false, goldenCommands},
		{"zalo", true, goldenZalo},
	}
	for _, f := range flows {
		for _, lang := range []string{"vi", "en"} {
			t.Run(f.name+"."+lang, func(t *testing.T) {
				t.Parallel()
				var tr *transcript
				if f.zalo {
					h, srv := newZalo(t)
					tr = newTranscript(t, h, lang)
					tr.zsrv = srv
				} else {
					tr = newTranscript(t, newHarness(t), lang)
				}
				f.run(tr)
				tr.check(f.name)
			})
		}
	}
}

// linked adds a Telegram user and links them by their personal deep link.
func (tr *transcript) linked(id int64, first, label, name string) *telegramtest.User {
	u := tr.tgUser(id, first, label)
	tr.send(u, "/start "+tr.tokenOf(name))
	return u
}

// organizer adds the example organizer, linked.
func (tr *transcript) organizer() *telegramtest.User {
	return tr.linked(organizerID, "Trâm", "Trâm (organizer)", "Ngọc Trâm")
}

func (tr *transcript) issue() {
	tr.t.Helper()
	tr.system("the office issues the invitations (convene invite)", tr.h.issue)
}

// atTime sets the clock to t, written in local time.
func (tr *transcript) atTime(t time.Time) {
	tr.t.Helper()
	tr.at(t.In(time.FixedZone("ICT", 7*3600)).Format("2006-01-02 15:04"))
}

func goldenLinking(tr *transcript) {
	ha := tr.tgUser(101, "Hà", "Hà")
	tr.note("Hà opens her personal link (the QR code of her letter)")
	tr.send(ha, "/start "+tr.tokenOf("Thu Hà"))
	tr.send(ha, "/start")

	bao := tr.tgUser(102, "Bảo", "Bảo")
	tr.note("Bảo writes /start without a code and shares his phone number")
	tr.send(bao, "/start")
	tr.contact(bao, "0918345678", 999)
	tr.contact(bao, "84918345678", bao.ID)

	khoa := tr.tgUser(103, "Khoa", "Khoa")
	tr.note("Khoa types the code printed under the QR code, in lower case with spaces")
	tr.send(khoa, typed(tr.tokenOf("Minh Khoa"), " "))

	x := tr.tgUser(104, "X", "stranger")
	tr.note("a stranger: a malformed link, a code that was never issued, a phone not on the roster, text")
	tr.send(x, "/start abc!")
	tr.send(x, "/start "+strings.Repeat("2", convene.CodeLen))
	tr.contact(x, "+84900000001", x.ID)
	tr.send(x, "chào bot")
	tr.note("someone else opens Hà's link")
	tr.send(x, "/start "+tr.tokenOf("Thu Hà"))
}

func goldenInvitation(tr *transcript) {
	org := tr.organizer()
	ha := tr.linked(101, "Hà", "Hà", "Thu Hà")
	tr.send(org, "/invite chi-bo-01")
	tr.press(org, `^inv:ok:`)
	tr.note("Hà asks for the calendar file")
	tr.press(ha, `^ics:`)
	tr.send(ha, "/my")
	tr.note("Yến links after the invitations went out")
	tr.linked(104, "Yến", "Yến", "Hoàng Yến")
}

func goldenRSVP(tr *transcript) {
	org := tr.organizer()
	ha := tr.linked(101, "Hà", "Hà", "Thu Hà")
	bao := tr.linked(102, "Bảo", "Bảo", "Quốc Bảo")
	khoa := tr.linked(103, "Khoa", "Khoa", "Minh Khoa")
	tr.issue()

	tr.note("Hà attends; pressing again changes nothing")
	tr.press(ha, `^rsvp:\d+:a$`)
	tr.press(ha, `^rsvp:\d+:a$`)

	tr.note("Bảo declines with a reason")
	tr.press(bao, `^rsvp:\d+:d$`)
	tr.send(bao, "Đi công tác Hà Nội")

	tr.note("Khoa proposes a substitute")
	tr.press(khoa, `^rsvp:\d+:s$`)
	tr.send(khoa, "Huỳnh Văn Sang")
	tr.send(khoa, "Chuyên viên")
	tr.send(khoa, "12")
	tr.send(khoa, "0909 111 222")

	tr.send(org, "/pending chi-bo-01")
	tr.press(org, `^sub:\d+:ok$`)

	tr.note("the substitute opens the link Khoa forwarded")
	var token string
	for _, m := range tr.h.srv.Messages(khoa.ID) {
		if l := startPayload.FindStringSubmatch(m.Text); l != nil {
			token = l[1]
		}
	}
	if token == "" {
		tr.t.Fatal("no link for the substitute")
	}
	sang := tr.tgUser(107, "Sang", "Sang (substitute)")
	tr.send(sang, "/start "+token)
	tr.press(sang, `^rsvp:\d+:a$`)

	tr.note("after the answer deadline")
	tr.atTime(tr.h.m.RSVPDeadline.Add(time.Minute))
	tr.press(ha, `^rsvp:\d+:d$`)
}

func goldenReminders(tr *transcript) {
	org := tr.organizer()
	ha := tr.linked(101, "Hà", "Hà", "Thu Hà")
	bao := tr.linked(102, "Bảo", "Bảo", "Quốc Bảo")
	khoa := tr.linked(103, "Khoa", "Khoa", "Minh Khoa")
	tr.issue()
	tr.press(bao, `^rsvp:\d+:a$`)
	tr.press(khoa, `^rsvp:\d+:d$`)
	tr.send(khoa, "Họp Thường vụ")
	_ = ha
	tr.atTime(tr.h.m.StartsAt.Add(-74 * time.Hour))
	tr.system("the office sends a reminder to everyone (convene remind)", func() {
		if _, err := tr.h.bot.RemindNow(context.Background(), "chi-bo-01", "all", "test", 0); err != nil {
			tr.t.Fatal(err)
		}
	})
	tr.send(org, "/remind chi-bo-01")
	tr.press(org, `^rm:ok:`)
}

func goldenCheckin(tr *transcript) {
	org := tr.organizer()
	ha := tr.linked(101, "Hà", "Hà", "Thu Hà")
	yen := tr.linked(104, "Yến", "Yến", "Hoàng Yến")
	x := tr.tgUser(555, "Lạ", "stranger")
	tr.issue()
	tr.press(ha, `^rsvp:\d+:a$`)
	code := tr.checkinPayload()
	tr.send(org, "/checkin chi-bo-01")

	tr.atTime(tr.h.m.StartsAt.Add(-61 * time.Minute))
	tr.note("Hà scans the venue QR code too early")
	tr.send(ha, "/start "+code)
	tr.atTime(tr.h.m.StartsAt.Add(-10 * time.Minute))
	tr.note("Hà scans the venue QR code, then again")
	tr.send(ha, "/start "+code)
	tr.send(ha, "/start "+code)
	tr.atTime(tr.h.m.StartsAt.Add(20 * time.Minute))
	tr.note("Yến types the venue code printed on the poster, late")
	tr.send(yen, code)
	tr.note("a stranger scans the venue QR code")
	tr.send(x, "/start "+code)
	tr.atTime(tr.h.m.End().Add(time.Minute))
	tr.note("after the meeting")
	tr.send(ha, "/start "+code)
}

func goldenRollcall(tr *transcript) {
	org := tr.organizer()
	ha := tr.linked(101, "Hà", "Hà", "Thu Hà")
	code := tr.checkinPayload()
	tr.atTime(tr.h.m.StartsAt.Add(-10 * time.Minute))
	tr.send(ha, "/start "+code)
	tr.atTime(tr.h.m.StartsAt.Add(10 * time.Minute))
	tr.send(org, "/rollcall chi-bo-01")
	tr.press(org, `^pg:rollcall:\d+:1`)
	tr.send(org, "/rollcall chi-bo-01 thu ha")
	tr.note("the office undoes Hà's check-in, then checks her in by hand")
	tr.press(org, `^rc:`)
	tr.press(org, `^rc:`)
	tr.send(org, "/rollcall chi-bo-01 không có ai")
}

func goldenFeedback(tr *transcript) {
	org := tr.organizer()
	ha := tr.linked(101, "Hà", "Hà", "Thu Hà")
	tr.h.attend(nil, "Thu Hà")
	tr.atTime(tr.h.m.End().Add(time.Minute))
	tr.send(ha, "/feedback")
	tr.send(org, "/feedback chi-bo-01")
	tr.press(ha, `^fb:start:`)
	tr.send(ha, "Chuẩn bị tài liệu chu đáo")
	tr.press(ha, `^fb:skip$`)
	tr.press(ha, `^fb:back$`)
	tr.send(ha, "Thời gian thảo luận còn ngắn")
	tr.send(ha, "Gửi tài liệu trước 3 ngày")
	tr.send(ha, "tuyệt")
	tr.press(ha, `^fb:rate:4$`)
	tr.press(ha, `^fb:edit$`)
	tr.press(ha, `^fb:q:0$`)
	tr.send(ha, "Điều hành chặt chẽ, đúng quy trình")
	tr.atTime(tr.h.m.End().Add(10 * time.Minute)) // the time the answers were sent is shown below
	tr.press(ha, `^fb:submit$`)
	tr.note("Hà opens /feedback again: she is told she sent it, views it and starts sending again")
	tr.send(ha, "/feedback")
	tr.press(ha, `^fb:view:`)
	tr.press(ha, `^fb:again:`)
}

func goldenNominate(tr *transcript) {
	org := tr.organizer()
	curie := tr.h.unit("Marie Curie") // asked for one delegate
	var coSo, chiBo int64
	cats, _ := tr.h.svc.Meetings.FindCategories(context.Background(), tr.h.m.ID)
	for _, c := range cats {
		switch c.Code {
		case "cap-uy-co-so":
			coSo = c.ID
		case "cap-uy-chi-bo":
			chiBo = c.ID
		}
	}
	rep := tr.tgUser(7003, "Thành", "representative")
	tr.note("the unit's representative opens the unit's link")
	tr.send(rep, "/start "+curie.Token)
	tr.issue()
	tr.press(rep, `^nom:p:\d+:`+itoa(coSo)+`$`)
	tr.send(rep, "Vũ Thị Hoa")
	tr.send(rep, "Phó Bí thư")
	tr.send(rep, "0909 222 001")
	tr.press(rep, `^nom:y:`)
	tr.note("the unit asks to send a second delegate in the same category (quota 1)")
	tr.press(rep, `^nom:p:\d+:`+itoa(coSo)+`$`)
	tr.send(rep, "/units")
	tr.press(rep, `^nom:l:`)

	rep2 := tr.tgUser(7001, "Hương", "representative 2")
	tr.send(rep2, "/start "+tr.h.unit("Nguyễn Du").Token)
	tr.note("the second unit nominates by a contact card, then cancels at the summary")
	tr.press(rep2, `^nom:p:\d+:`+itoa(chiBo)+`$`)
	tr.send(rep2, "Đỗ Minh Châu")
	tr.contact(rep2, "+84909111003", 8888)
	tr.send(rep2, "Bí thư chi bộ")
	tr.press(rep2, `^nom:n:`)

	tr.send(org, "/units chi-bo-01")
}

func goldenCommands(tr *transcript) {
	org := tr.organizer()
	ha := tr.linked(101, "Hà", "Hà", "Thu Hà")
	bao := tr.linked(102, "Bảo", "Bảo", "Quốc Bảo")
	tr.issue()
	tr.press(ha, `^rsvp:\d+:a$`)
	tr.press(bao, `^rsvp:\d+:d$`)
	tr.send(bao, "Đi công tác")
	tr.send(ha, "/help")
	tr.send(ha, "/agenda")
	tr.send(ha, "/my")
	tr.send(ha, "chào bot, hội nghị có phát tài liệu không?")
	tr.send(ha, "/foo")
	tr.send(ha, "/status chi-bo-01")
	tr.send(ha, "/units")
	tr.send(ha, "/cancel")
	tr.send(org, "/help")
	tr.send(org, "/meetings")
	tr.send(org, "/status chi-bo-01")
	tr.send(org, "/pending chi-bo-01")
	tr.send(org, "/status khong-co")
	tr.send(org, "/lang")
	tr.press(org, `^lang:`+tr.lang+`$`)
}

// goldenZalo: on Zalo (text only) the choices are numbered and answered by number.
func goldenZalo(tr *transcript) {
	ha := tr.zaloUser("zu-1", "Lê Thị Thu Hà", "Hà (Zalo)")
	tr.zsend(ha, "/start")
	tr.zsend(ha, typed(tr.tokenOf("Thu Hà"), " "))
	tr.issue()
	tr.zsend(ha, "1")
	tr.zsend(ha, "/my")
	tr.zsend(ha, "2")
	tr.zsend(ha, "Đi công tác")
	tr.zsend(ha, "/my")
	tr.zsend(ha, "1")
	tr.h.attend(nil, "Thu Hà")
	tr.atTime(tr.h.m.End().Add(time.Minute))
	tr.system("the office asks for feedback (convene feedback)", func() {
		if _, err := tr.h.bot.OpenFeedback(context.Background(), "chi-bo-01", "test"); err != nil {
			tr.t.Fatal(err)
		}
	})
	tr.zsend(ha, "1")
	tr.zsend(ha, "Chuẩn bị chu đáo")
	tr.zsend(ha, "Thời gian thảo luận ngắn")
	tr.zsend(ha, "Gửi tài liệu sớm")
	tr.zsend(ha, "9")
	tr.zsend(ha, "4")
	tr.zsend(ha, "1")
	tr.zsend(ha, "7")
	for _, m := range tr.zsrv.Messages(ha.ID) {
		if n := len([]rune(m)); n > zalo.MaxText {
			tr.t.Errorf("a Zalo message of %d characters (over %d)", n, zalo.MaxText)
		}
	}
}
