package report_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/convene/convene/report"
)

// TestPosterReadBack: the venue poster is one page with the office, the
// meeting, its time and venue, the heading and the code under the QR code.
func TestPosterReadBack(t *testing.T) {
	d := letterData()
	var buf bytes.Buffer
	if err := report.Poster(&buf, d, "https://t.me/hop_bot?start=ci-7-abcDEF123"); err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, buf.Bytes(), false)
	for _, want := range []string{"VĂN PHÒNG ĐẢNG ỦY", "Hội nghị “sinh hoạt chi bộ thường kỳ” mẫu", "Thời gian: lúc ",
		"QUÉT MÃ ĐỂ ĐIỂM DANH", "Mã điểm danh: ci-7-abcDEF123"} {
		if !strings.Contains(text, want) {
			t.Errorf("poster lacks %q:\n%s", want, text)
		}
	}
	if n := strings.Count(text, "\f"); n != 1 {
		t.Errorf("poster has %d pages, want 1", n)
	}
	if i, j := strings.Index(text, "QUÉT MÃ"), strings.Index(text, "Mã điểm danh"); i < 0 || j < i {
		t.Error("the code is not under the heading")
	}
}
