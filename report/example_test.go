package report_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/convene/convene"
	"github.com/convene/convene/examples"
	"github.com/convene/convene/plan"
	"github.com/convene/convene/report"
)

// exampleData is meeting chi-bo-01 of the example plan as it might stand
// a day after it was held: the example roster, the delegates the plan's
// units sent, more party members of Chi bộ 01 and the press; most came,
// some declined with reasons, some came late, a few did not come, one sent
// an approved substitute and one proposed another; a third of those who
// came answered the feedback questions.
func exampleData(t testing.TB) *report.Data {
	t.Helper()
	p, err := plan.ParseFS(examples.FS, examples.PlanFile)
	if err != nil {
		t.Fatal(err)
	}
	pm := p.Meetings[0]
	m := pm.Meeting
	m.ID, m.Status = 1, convene.StatusHeld
	d := &report.Data{Meeting: &m, Generated: m.StartsAt.Add(26 * time.Hour), Lang: "vi"}
	cats := map[string]*convene.Category{}
	for i := range pm.Categories {
		c := pm.Categories[i]
		c.ID, c.MeetingID = int64(i+1), m.ID
		d.Categories = append(d.Categories, &c)
		cats[c.Code] = &c
	}
	entries, err := plan.ReadRoster(examples.Roster(), "csv")
	if err != nil {
		t.Fatal(err)
	}
	type person struct{ name, title, unit, cat string }
	var people []person
	for _, e := range entries {
		people = append(people, person{e.FullName, e.Title, e.Unit, e.Category})
	}
	family := []string{"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"}
	middle := []string{"Văn", "Thị", "Minh", "Thanh", "Quốc", "Ngọc", "Hữu", "Thu", "Đức", "Hoàng"}
	given := []string{"An", "Bình", "Châu", "Dũng", "Giang", "Hải", "Khánh", "Linh", "Nam", "Phương", "Quân", "Sương", "Thắng", "Uyên", "Việt", "Xuân", "Yến", "Đạt", "Hạnh", "Tùng"}
	n := 0
	name := func() string {
		n++
		return family[(n*7)%len(family)] + " " + middle[(n*3)%len(middle)] + " " + given[(n*11)%len(given)]
	}
	for _, u := range pm.Units {
		for _, cat := range []string{"cap-uy-co-so", "cap-uy-chi-bo"} {
			for k := 0; k < 2; k++ {
				title := "Ủy viên Ban Chấp hành"
				if cat == "cap-uy-chi-bo" {
					title = "Bí thư Chi bộ " + strconv.Itoa(k+2)
				}
				people = append(people, person{name(), title, u.Name, cat})
			}
		}
	}
	for k := 0; k < 20; k++ {
		people = append(people, person{name(), "Giảng viên", "Chi bộ 01 – Đảng bộ Trường Cao đẳng Lý Tự Trọng TP.HCM", "dang-vien"})
	}
	people = append(people, person{"Trịnh Hoài Nam", "Phóng viên", "Báo Sài Gòn Giải Phóng", "bao-chi-tp"},
		person{"Lưu Thị Mỹ Duyên", "Phóng viên", "Báo Người Lao Động", "bao-chi-tp"})

	reasons := []string{"Đi công tác tại Hà Nội theo kế hoạch của Sở", "Dự lớp bồi dưỡng lý luận chính trị", "Ốm, có giấy của cơ sở y tế",
		"Trùng lịch tiếp đoàn kiểm tra của Thành ủy", "Việc gia đình đột xuất"}
	answers := []struct{ s, w, sug string }{
		{"Chi bộ chuẩn bị chu đáo, tài liệu gửi trước đầy đủ; đồng chí Bí thư điều hành chặt chẽ, đúng quy trình.", "Một số ý kiến phát biểu còn chung chung, chưa gắn với nhiệm vụ chuyên môn của nhà trường.", "Đề nghị gửi dự thảo nghị quyết cho đảng viên trước ít nhất 3 ngày."},
		{"Nội dung sinh hoạt thiết thực, có liên hệ với việc thực hiện nhiệm vụ năm học.", "Thời gian thảo luận còn ngắn so với nội dung.", ""},
		{"Không khí dân chủ, đảng viên mạnh dạn phát biểu.", "", "Nên mời đại diện Ban Tổ chức Đảng ủy Sở nhận xét ngay tại hội nghị."},
		{"Đúng quy trình, đủ các bước theo Hướng dẫn 12-HD/BTCTW.", "Âm thanh hội trường chưa tốt, phía cuối khó nghe.", "Bổ sung phần hỏi đáp sau báo cáo."},
	}
	var subOf *convene.Invitee
	for i, pp := range people {
		c := cats[pp.cat]
		if c == nil {
			t.Fatalf("no category %q", pp.cat)
		}
		inv := &convene.Invitee{
			Invitation: convene.Invitation{ID: int64(i + 1), MeetingID: m.ID, PersonID: int64(i + 1), CategoryID: c.ID,
				Token: fmt.Sprintf("tok%019d", i), RSVP: convene.RSVPAttending, Attendance: convene.AttendancePresent},
			Person:   convene.Person{ID: int64(i + 1), FullName: pp.name, Title: pp.title, Unit: pp.unit, Phone: fmt.Sprintf("+849031%05d", i)},
			Category: *c,
		}
		switch {
		case i%13 == 3:
			inv.RSVP, inv.Reason, inv.Attendance = convene.RSVPDeclined, reasons[i%len(reasons)], convene.AttendanceExcused
		case i%17 == 5:
			inv.Attendance = convene.AttendanceAbsent
		case i%23 == 2:
			inv.RSVP, inv.Attendance = convene.RSVPPending, convene.AttendanceAbsent
		case i%11 == 7:
			inv.Attendance = convene.AttendanceLate
			inv.CheckedInAt = m.StartsAt.Add(time.Duration(6+i%20) * time.Minute)
		case i == 9 || i == 30:
			inv.RSVP, inv.Attendance = convene.RSVPSubstitute, convene.AttendanceExcused
			inv.SubstituteName, inv.SubstituteTitle, inv.SubstituteStatus = name(), "Phó Bí thư Chi bộ", "proposed"
			if i == 9 {
				inv.SubstituteStatus = "approved"
				subOf = inv
			}
		default:
			inv.CheckedInAt = m.StartsAt.Add(-time.Duration(5+i%25) * time.Minute)
		}
		if i%9 != 4 {
			inv.Accounts = []*convene.Account{{ID: int64(i + 1), PersonID: int64(i + 1), Channel: "telegram", Reachable: true}}
		}
		d.Invitees = append(d.Invitees, inv)
	}
	// The approved substitute is invited in their own right and came.
	sub := *subOf
	id := int64(len(d.Invitees) + 1)
	sub.ID, sub.PersonID, sub.Token, sub.SubstituteFor = id, id, fmt.Sprintf("tok%019d", id), subOf.ID
	sub.RSVP, sub.Attendance, sub.CheckedInAt, sub.SubstituteName, sub.SubstituteStatus = convene.RSVPAttending, convene.AttendancePresent, m.StartsAt.Add(-10*time.Minute), "", ""
	sub.Person = convene.Person{ID: id, FullName: subOf.SubstituteName, Title: subOf.SubstituteTitle, Unit: subOf.Person.Unit}
	d.Invitees = append(d.Invitees, &sub)

	k := 0
	for _, inv := range d.Invitees {
		if inv.Category.Guests || (inv.Attendance != convene.AttendancePresent && inv.Attendance != convene.AttendanceLate) || inv.ID%3 != 0 {
			continue
		}
		a := answers[k%len(answers)]
		r := 3 + k%3
		k++
		f := &convene.Feedback{ID: int64(k), MeetingID: m.ID, PersonID: inv.PersonID, Rating: r, SubmittedAt: m.EndsAt.Add(time.Duration(k) * time.Hour),
			Answers: map[string]string{"rating": strconv.Itoa(r)}}
		for id, text := range map[string]string{"strengths": a.s, "weaknesses": a.w, "suggestions": a.sug} {
			if text != "" {
				f.Answers[id] = text
			}
		}
		d.Feedback = append(d.Feedback, f)
		d.Responders = append(d.Responders, inv.PersonID)
	}
	// What the units were asked for and sent.
	for _, u := range pm.Units {
		for _, code := range []string{"cap-uy-co-so", "cap-uy-chi-bo"} {
			asked := cats[code].Quota
			if q, ok := u.Quotas[code]; ok {
				asked = q
			}
			if asked == 0 {
				continue
			}
			row := convene.UnitCount{Unit: u.Name, Category: code, CategoryName: cats[code].Name, Asked: asked}
			for _, inv := range d.Invitees {
				if inv.Person.Unit == u.Name && inv.Category.Code == code {
					row.Nominated++
					if inv.Linked() {
						row.Linked++
					}
					if inv.RSVP == convene.RSVPAttending {
						row.Attending++
					}
				}
			}
			d.Units = append(d.Units, row)
		}
	}
	return d
}

// TestWriteExampleFiles writes the report of exampleData in every format,
// and a letter, to $CONVENE_SAMPLES, for a person to open and look at
// (LibreOffice, a PDF viewer); without it, it checks that each renders.
func TestWriteExampleFiles(t *testing.T) {
	d := exampleData(t)
	dir := os.Getenv("CONVENE_SAMPLES")
	for _, f := range report.Formats {
		b := render(t, d, f)
		if dir != "" {
			if err := os.WriteFile(filepath.Join(dir, "report."+f), b, 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	if dir == "" {
		return
	}
	lf, err := os.Create(filepath.Join(dir, "letters.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	defer lf.Close()
	d.Invitees = d.Invitees[:2]
	if err := report.Letters(lf, d, func(inv *convene.Invitee) string { return "https://t.me/hop_bot?start=" + inv.Token }); err != nil {
		t.Fatal(err)
	}
	pf, err := os.Create(filepath.Join(dir, "poster.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	defer pf.Close()
	if err := report.Poster(pf, d, "https://t.me/hop_bot?start=ci-1-7KXPQ2RM"); err != nil {
		t.Fatal(err)
	}
}
