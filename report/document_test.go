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
// that compiles the opinions, with the plan's signature and "Nơi nhận".
func TestReportPDFHeadAndFoot(t *testing.T) {
	text := pdfText(t, render(t, letterData(), "pdf"), false)
	for _, want := range []string{"ĐẢNG ỦY SỞ GIÁO DỤC VÀ ĐÀO TẠO", "BAN TỔ CHỨC ĐẢNG ỦY", "ĐẢNG CỘNG SẢN VIỆT NAM",
		"TP. Hồ Chí Minh, ngày 28 tháng 3 năm 2024", "BÁO CÁO TỔNG HỢP Ý KIẾN ĐẠI BIỂU", "Thực hiện Kế hoạch số 82-KH/ĐU",
		"Nơi nhận:", "Thường trực Đảng ủy (để báo cáo),", "Lưu Ban Tổ chức Đảng ủy.",
		"T/L BAN THƯỜNG VỤ", "CHÁNH VĂN PHÒNG", "Trần Văn Bình"} {
		if !strings.Contains(text, want) {
			t.Errorf("report lacks %q:\n%s", want, text)
		}
	}
	if i, j := strings.Index(text, "ĐẢNG CỘNG SẢN"), strings.Index(text, "Tổng hợp"); i < 0 || j < i {
		t.Errorf("the head is not above the figures")
	}
}
