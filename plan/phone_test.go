package plan_test

import (
	"strings"
	"testing"

	"github.com/convene/convene"
	"github.com/convene/convene/plan"
)

func TestNormalizePhone(t *testing.T) {
	tests := []struct {
		in, want, err string
	}{
		{in: "0912 345 678", want: "+84912345678"},
		{in: "0912.345.678", want: "+84912345678"},
		{in: "0912-345-678", want: "+84912345678"},
		{in: "84912345678", want: "+84912345678"},
		{in: "+84 912 345 678", want: "+84912345678"},
		{in: "(+84) 912 345 678", want: "+84912345678"},
		{in: "+84 (0) 912 345 678", want: "+84912345678"},
		{in: "0084 912 345 678", want: "+84912345678"},
		{in: "912345678", want: "+84912345678"}, // a spreadsheet dropped the leading 0
		{in: " 0376 789 012 ", want: "+84376789012"},
		{in: "028 3829 1234", want: "+842838291234"},
		{in: "(028) 3829-1234", want: "+842838291234"},
		{in: "+1 650 253 0000", want: "+16502530000"},
		{in: "", err: "empty"},
		{in: "0912", err: "too few digits"},
		{in: "0912 345 678 999", err: "too many digits"},
		{in: "0168 912 3456", err: "not a valid Vietnamese number"},
		{in: "+99 123 456", err: "unknown country code"},
		{in: "không có", err: "not a phone number"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := plan.NormalizePhone(tt.in)
			if tt.err == "" {
				if err != nil || got != tt.want {
					t.Errorf("NormalizePhone(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
				}
				return
			}
			if err == nil || convene.ErrorCode(err) != convene.EINVALID || !strings.Contains(convene.ErrorMessage(err), tt.err) {
				t.Errorf("NormalizePhone(%q) = %q, %v; want EINVALID with %q", tt.in, got, err, tt.err)
			}
		})
	}
}

func BenchmarkNormalizePhone(b *testing.B) {
	in := []string{"0912 345 678", "+84 912 345 678", "84912345678", "028 3829 1234", "0912.345.678"}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := plan.NormalizePhone(in[i%len(in)]); err != nil {
			b.Fatal(err)
		}
	}
}
