package report_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/convene/convene"
	"github.com/convene/convene/report"
)

// unitLetterData is listData (it has a program) with two units: one asked
// for the default quotas, one with its own.
func unitLetterData() *report.Data {
	d := listData()
	d.Categories[1].Quota = 2
	d.Categories[2].Quota = 1
	d.UnitList = []*convene.Unit{
		{ID: 1, MeetingID: 1, Name: "Đảng bộ Trường Cao đẳng Lý Tự Trọng", Token: "UNITtok00000000000000001",
			Rep:                convene.Representative{FullName: "Phan Văn Sơn", Title: "Phó Bí thư Đảng ủy", Phone: "+84913000111"},
			NominationDeadline: mustTime("2024-03-25T10:00:00Z")},
		{ID: 2, MeetingID: 1, Name: "Chi bộ Trường Trung cấp Quận 12", Token: "UNITtok00000000000000002",
			Rep:    convene.Representative{FullName: "Lâm Thị Tuyết", Title: "Bí thư Chi bộ", Phone: "+84913000222"},
			Quotas: map[string]int{"dang-vien": 0, "cap-uy-co-so": 3}},
	}
	return d
}

func TestUnitLetter(t *testing.T) {
	d := unitLetterData()
	u := d.UnitList[0]
	lt := report.NewUnitLetter(d, u, "https://t.me/hop_bot?start="+u.Token)
	for _, tc := range []struct{ part, got, want string }{
		{"addressee", lt.Addressee, "Kính gửi: Đảng bộ Trường Cao đẳng Lý Tự Trọng"},
		{"attention", lt.Attention, "(Đồng chí Phan Văn Sơn – Phó Bí thư Đảng ủy, người cử đại biểu của đơn vị)"},
		{"opening", lt.Opening, "Đảng ủy Sở Giáo dục và Đào tạo trân trọng đề nghị Đảng bộ Trường Cao đẳng Lý Tự Trọng cử cán bộ đến dự Hội nghị “sinh hoạt chi bộ thường kỳ” mẫu, theo đúng thành phần và số lượng như sau:"},
		{"quota 1", lt.Details[0], "Cấp ủy đảng bộ, chi bộ cơ sở: 02 đồng chí."},
		{"quota 2", lt.Details[1], "Đảng viên chi bộ thực hiện sinh hoạt mẫu: 01 đồng chí."},
		{"time", lt.Details[2], "Thời gian: lúc 08 giờ 00, thứ Năm, ngày 28 tháng 3 năm 2024 (dự kiến kết thúc lúc 11 giờ 30)."},
		{"deadline", lt.Closing[0], "Đề nghị đồng chí Phan Văn Sơn cử đại biểu (họ tên, chức vụ, số điện thoại) qua Trợ lý hội nghị trước 17:00, thứ Hai, 25/03/2024; mỗi đại biểu được cử nhận giấy mời và mã cá nhân riêng."},
		{"code", lt.Code, "Mã cá nhân: " + u.Token},
		{"number", lt.Number, "Số 45-GM/ĐU"},
		{"signer", lt.SignerName, "Trần Văn Bình"},
	} {
		if tc.got != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.part, tc.got, tc.want)
		}
	}
	if len(lt.Program) != 3 || !strings.HasPrefix(lt.Program[0], "Dẫn chương trình:") {
		t.Errorf("program %q", lt.Program)
	}
	// The second unit's own quotas: 3 of one category, none of another.
	lt2 := report.NewUnitLetter(d, d.UnitList[1], "x")
	if lt2.Details[0] != "Cấp ủy đảng bộ, chi bộ cơ sở: 03 đồng chí." || strings.Contains(strings.Join(lt2.Details, "\n"), "Đảng viên chi bộ") {
		t.Errorf("own quotas: %q", lt2.Details)
	}
}

// TestLettersWithUnits reads the PDF back: one page per invitee and per
// unit, the unit letters addressed to the units with their codes, the
// program in the delegates' letters.
func TestLettersWithUnits(t *testing.T) {
	d := unitLetterData()
	var b bytes.Buffer
	if err := report.LettersWithUnits(&b, d, link, func(u *convene.Unit) string { return "https://t.me/hop_bot?start=" + u.Token }); err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, b.Bytes(), false)
	pages := strings.Split(strings.TrimRight(text, "\f"), "\f")
	if want := len(d.Invitees) + len(d.UnitList); len(pages) != want {
		t.Fatalf("%d pages, want %d", len(pages), want)
	}
	first, unit := pages[0], pages[len(d.Invitees)]
	for _, want := range []string{"Chương trình hội nghị:", "+ 08:15 – Báo cáo kết quả sinh hoạt (đồng chí Nguyễn Văn An)"} {
		if !strings.Contains(first, want) {
			t.Errorf("delegate's letter lacks %q:\n%s", want, first)
		}
	}
	for _, want := range []string{"Kính gửi: Đảng bộ Trường Cao đẳng Lý Tự Trọng", "Phan Văn Sơn", "02 đồng chí",
		"Mã cá nhân: UNITtok00000000000000001", "ĐẢNG CỘNG SẢN VIỆT NAM", "Nơi nhận:"} {
		if !strings.Contains(unit, want) {
			t.Errorf("unit letter lacks %q:\n%s", want, unit)
		}
	}
	// Without a unit link, no unit letters.
	b.Reset()
	if err := report.Letters(&b, d, link); err != nil {
		t.Fatal(err)
	}
	if n := len(strings.Split(strings.TrimRight(pdfText(t, b.Bytes(), false), "\f"), "\f")); n != len(d.Invitees) {
		t.Errorf("Letters: %d pages", n)
	}
}
