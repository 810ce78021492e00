package storage

import (
	"testing"

	"golang.org/x/text/unicode/norm"
)

func TestFold(t *testing.T) {
	for in, want := range map[string]string{
		"Nguyễn Văn An":           "nguyen van an",
		"  ĐẶNG   Thị Ngọc Trâm ": "dang thi ngoc tram",
		"Lê Đức Cường":            "le duc cuong",
		"Hồ Thị Kim Oanh":         "ho thi kim oanh",
		"abc":                     "abc",
	} {
		if got := fold(in); got != want {
			t.Errorf("fold(%q) = %q, want %q", in, got, want)
		}
		if got := fold(norm.NFD.String(in)); got != want {
			t.Errorf("fold(NFD %q) = %q, want %q", in, got, want)
		}
	}
}
