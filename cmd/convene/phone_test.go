package main

import (
	"testing"

	"github.com/convene/convene/plan"
	"github.com/convene/convene/report"
)

// TestPhoneCellRoundTrip proves a phone as the CSVs write it imports back as the same number.
func TestPhoneCellRoundTrip(t *testing.T) {
	for _, p := range []string{"+84912345678", "+842838234567", "+84888990011", "+12025550123"} {
		cell := report.PhoneCell(p)
		if got, err := plan.NormalizePhone(cell); got != p {
			t.Errorf("%s written as %q reads back as %q (%v)", p, cell, got, err)
		}
	}
}
