package report_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/convene/convene"
	"github.com/convene/convene/report"
)

func letterData() *report.Data {
	d := testData(false)
	d.Meeting.Title = "Hội nghị “sinh hoạt chi bộ thường kỳ” mẫu"
	d.Meeting.Agenda = "Dự sinh hoạt chi bộ thường kỳ mẫu; thảo luận, góp ý."
	d.Meeting.Issuer = convene.Issuer{Office: "Văn phòng Đảng ủy", Board: "Ban Tổ chức Đảng ủy", LetterNumber: "45-GM/ĐU",
		Place: "TP. Hồ Chí Minh", ContactName: "đồng chí Trần Thị Mai, Văn phòng Đảng ủy", ContactPhone: "+84912888777",
		SignerAuthority: "T/L Ban Thường vụ", SignerTitle: "Chánh Văn phòng", SignerName: "Trần Văn Bình",
		Recipients: []string{"Như trên", "Lưu Văn phòng Đảng ủy"}}
	d.Invitees[0].Person.Title = "Phó Bí thư Chi bộ"
	return d
}

func link(inv *convene.Invitee) string { return "https://t.me/hop_bot?start=" + inv.Token }

func TestLetterLayout(t *testing.T) {
	d := letterData()
	lt := report.NewLetter(d, d.Invitees[0], link(d.Invitees[0]))
	for _, tc := range []struct{ part, got, want string }{
		{"issuer", lt.Issuer, "ĐẢNG ỦY SỞ GIÁO DỤC VÀ ĐÀO TẠO"},
		{"number", lt.Number, "Số 45-GM/ĐU"},
		{"party", lt.Party, "ĐẢNG CỘNG SẢN VIỆT NAM"},
		{"place and date", lt.PlaceDate, "TP. Hồ Chí Minh, ngày 28 tháng 3 năm 2024"},
		{"addressee", lt.Addressee, "Kính gửi: Đồng chí Nguyễn Văn An – Phó Bí thư Chi bộ, Chi bộ 01"},
		{"opening", lt.Opening, "Đảng ủy Sở Giáo dục và Đào tạo trân trọng kính mời đồng chí đến dự Hội nghị “sinh hoạt chi bộ thường kỳ” mẫu."},
		{"time", lt.Details[0], "Thời gian: lúc 08 giờ 00, thứ Năm, ngày 28 tháng 3 năm 2024 (dự kiến kết thúc lúc 11 giờ 30)."},
		{"agenda", lt.Details[len(lt.Details)-1], "Nội dung: Dự sinh hoạt chi bộ thường kỳ mẫu; thảo luận, góp ý."},
		{"contact", lt.Closing[1], "Mọi chi tiết xin liên hệ đồng chí Trần Thị Mai, Văn phòng Đảng ủy, điện thoại 0912 888 777."},
		{"signature", strings.Join(lt.Signature, " / "), "T/L BAN THƯỜNG VỤ / CHÁNH VĂN PHÒNG"},
		{"signer", lt.SignerName, "Trần Văn Bình"},
		{"recipients", lt.RecipientsLabel + " " + strings.Join(lt.Recipients, "; "), "Nơi nhận: Như trên; Lưu Văn phòng Đảng ủy"},
		{"code", lt.Code, "Mã cá nhân: " + d.Invitees[0].Token},
	} {
		if tc.got != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.part, tc.got, tc.want)
		}
	}
	t.Run("DefaultsWithoutIssuer", func(t *testing.T) {
		d := testData(false)
		lt := report.NewLetter(d, d.Invitees[0], link(d.Invitees[0]))
		if lt.Number != "" || lt.PlaceDate != "Ngày 28 tháng 3 năm 2024" || strings.Join(lt.Recipients, ";") != "Như trên;Lưu Văn phòng Đảng ủy" {
			t.Errorf("defaults: %q %q %q", lt.Number, lt.PlaceDate, lt.Recipients)
		}
		if !strings.Contains(lt.Closing[1], "liên hệ Văn phòng Đảng ủy.") {
			t.Errorf("contact default: %q", lt.Closing[1])
		}
	})
	t.Run("English", func(t *testing.T) {
		d := letterData()
		d.Lang = "en"
		lt := report.NewLetter(d, d.Invitees[0], link(d.Invitees[0]))
		if lt.Party != "COMMUNIST PARTY OF VIETNAM" || lt.Title != "INVITATION" || lt.PlaceDate != "TP. Hồ Chí Minh, 28 March 2024" ||
			!strings.HasPrefix(lt.Details[0], "Time: 08:00, Thursday, 28 March 2024 (expected to end at 11:30)") {
			t.Errorf("en letter: %+v", lt)
		}
	})
}

// TestLettersReadBack reads the PDF back with pdftotext (poppler-utils; on
// Debian: apt-get install poppler-utils): every part of the letter is on its
// page, none cut.
func TestLettersReadBack(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext not installed (apt-get install poppler-utils); TestLetterLayout checks the layout without it")
	}
	d := letterData()
	var buf bytes.Buffer
	if err := report.Letters(&buf, d, link); err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(t.TempDir(), "letters.pdf")
	if err := os.WriteFile(f, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-f", "1", "-l", "1", f, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	page := strings.Join(strings.Fields(string(out)), " ")
	for _, want := range []string{"ĐẢNG CỘNG SẢN VIỆT NAM", "ĐẢNG ỦY SỞ GIÁO DỤC VÀ ĐÀO TẠO", "Số 45-GM/ĐU",
		"TP. Hồ Chí Minh, ngày 28 tháng 3 năm 2024", "GIẤY MỜI", "Kính gửi: Đồng chí Nguyễn Văn An – Phó Bí thư Chi bộ",
		"lúc 08 giờ 00, thứ Năm, ngày 28 tháng 3 năm 2024", "0912 888 777", "T/L BAN THƯỜNG VỤ", "CHÁNH VĂN PHÒNG",
		"Trần Văn Bình", "Nơi nhận:", "- Lưu Văn phòng Đảng ủy.", "Mã cá nhân: " + d.Invitees[0].Token} {
		if !strings.Contains(page, want) {
			t.Errorf("page 1 lacks %q:\n%s", want, page)
		}
	}
	if strings.Contains(page, "…") {
		t.Errorf("a cut text on the letter:\n%s", page)
	}
}

// TestReportPDFReadBack: the report's summary shows every column (late apart
// from present, so the PDF gives the figures the XLSX and Markdown give), no
// cut cell, and "Trang 1/N" at the foot.
func TestReportPDFReadBack(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext not installed (apt-get install poppler-utils)")
	}
	f := filepath.Join(t.TempDir(), "report.pdf")
	if err := os.WriteFile(f, render(t, testData(false), "pdf"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", f, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	text := string(out)
	// Tổng hợp: invited 12 = attending 8 + declined 2 + substitute 1 + pending 1;
	// present 6 + late 1 + excused 3 + absent 2 = 12.
	if !strings.Contains(strings.Join(strings.Fields(text), " "), "Tổng hợp 12 8 2 1 1 6 1 3 2") {
		t.Errorf("summary row missing or not adding up:\n%s", text)
	}
	if !regexp.MustCompile(`Trang 1/[2-9]`).MatchString(text) {
		t.Errorf("no page count at the foot")
	}
	for _, want := range []string{"Đảng viên chi bộ thực hiện", "Vắng", "Đến"} {
		if !strings.Contains(text, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if strings.Contains(text, "…") {
		t.Errorf("a cut cell in the report:\n%s", text)
	}
}
