package report_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// pdfText renders d as a PDF and reads it back with pdftotext.
func pdfText(t *testing.T, b []byte, layout bool) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext not installed (apt-get install poppler-utils)")
	}
	f := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(f, b, 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{f, "-"}
	if layout {
		args = append([]string{"-layout"}, args...)
	}
	out, err := exec.Command("pdftotext", args...).Output()
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// TestReportPDFHeadAndFoot: the report is a party document of the board
// that compiles the opinions: the organization and the board at the head
// with the report's own number, and the board's signer and "Nơi nhận" from
// the plan's report block — never the office's signer of the letters.
func TestReportPDFHeadAndFoot(t *testing.T) {
	d := letterData()
	iss := &d.Meeting.Issuer
	iss.ReportNumber, iss.ReportSignerAuthority, iss.ReportSignerTitle, iss.ReportSignerName = "15-BC/BTCĐU", "K/T Trưởng Ban", "Phó Trưởng Ban", "Nguyễn Thị Thanh Thủy"
	iss.ReportRecipients = []string{"Thường trực Đảng ủy Sở (để báo cáo)", "Các chi bộ trực thuộc", "Lưu Ban Tổ chức Đảng ủy"}
	text := pdfText(t, render(t, d, "pdf"), false)
	for _, want := range []string{"ĐẢNG ỦY SỞ GIÁO DỤC VÀ ĐÀO TẠO\nBAN TỔ CHỨC ĐẢNG ỦY", "Số 15-BC/BTCĐU", "ĐẢNG CỘNG SẢN VIỆT NAM",
		"TP. Hồ Chí Minh, ngày 28 tháng 3 năm 2024", "BÁO CÁO TỔNG HỢP Ý KIẾN ĐẠI BIỂU", "Thực hiện Kế hoạch số 82-KH/ĐU",
		"Nơi nhận:", "- Thường trực Đảng ủy Sở (để báo cáo),", "- Các chi bộ trực thuộc,", "- Lưu Ban Tổ chức Đảng ủy.",
		"K/T TRƯỞNG BAN", "PHÓ TRƯỞNG BAN", "Nguyễn Thị Thanh Thủy"} {
		if !strings.Contains(text, want) {
			t.Errorf("report lacks %q:\n%s", want, text)
		}
	}
	for _, office := range []string{"Trần Văn Bình", "CHÁNH VĂN PHÒNG", "T/L BAN THƯỜNG VỤ", "45-GM/ĐU", "Lưu Văn phòng Đảng ủy"} {
		if strings.Contains(text, office) {
			t.Errorf("the board's report carries the office's %q", office)
		}
	}
	if i, j := strings.Index(text, "ĐẢNG CỘNG SẢN"), strings.Index(text, "Tổng hợp"); i < 0 || j < i {
		t.Errorf("the head is not above the figures")
	}
	if i, j := strings.Index(text, "Nơi nhận"), strings.Index(text, "Tỷ lệ góp ý"); i < j {
		t.Errorf("the foot is not below the figures")
	}

	// A plan without a report block: no number, the board's head signs
	// (TRƯỞNG BAN, the name left to write by hand), the default recipients.
	text = pdfText(t, render(t, letterData(), "pdf"), false)
	for _, want := range []string{"BAN TỔ CHỨC ĐẢNG ỦY", "TRƯỞNG BAN", "- Thường trực Đảng ủy (để báo cáo),", "- Văn phòng Đảng ủy,", "- Lưu Ban Tổ chức Đảng ủy."} {
		if !strings.Contains(text, want) {
			t.Errorf("default report lacks %q:\n%s", want, text)
		}
	}
	for _, office := range []string{"Trần Văn Bình", "CHÁNH VĂN PHÒNG", "-BC/", "45-GM"} {
		if strings.Contains(text, office) {
			t.Errorf("default report carries %q", office)
		}
	}
}
