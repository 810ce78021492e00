package storage

import (
	"errors"
	"testing"

	"github.com/convene/convene"
)

// TestWrapf: domain errors pass unchanged (a *RosterError keeps its rows for
// errors.As and reads as EINVALID); other errors get the context.
func TestWrapf(t *testing.T) {
	re := &convene.RosterError{Rows: []convene.RowError{{Row: 2, Reason: "x"}}}
	if got := wrapf(re, "import"); got != error(re) {
		t.Fatalf("roster error wrapped: %v", got)
	}
	ce := convene.Errorf(convene.ENOTFOUND, "no meeting")
	if got := wrapf(ce, "find"); got != ce {
		t.Fatalf("domain error wrapped: %v", got)
	}
	raw := errors.New("disk I/O error")
	if got := wrapf(raw, "find %d", 3); got.Error() != "find 3: disk I/O error" || !errors.Is(got, raw) {
		t.Fatalf("fault not wrapped with context: %v", got)
	}
	if wrapf(nil, "x") != nil {
		t.Fatal("nil wrapped")
	}
}
