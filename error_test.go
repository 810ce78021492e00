package convene_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/convene/convene"
)

// TestErrorCause: a cause set with Because is found by errors.Is through
// wrapping, the code and message stay, and an error without a cause
// matches none.
func TestErrorCause(t *testing.T) {
	err := fmt.Errorf("nominate in unit 3: %w", convene.Errorf(convene.ECONFLICT, "unit X has nominated all 2").Because(convene.ErrOverQuota))
	if !errors.Is(err, convene.ErrOverQuota) || errors.Is(err, convene.ErrSamePhone) {
		t.Fatalf("errors.Is on %v", err)
	}
	if convene.ErrorCode(err) != convene.ECONFLICT || convene.ErrorMessage(err) != "unit X has nominated all 2" {
		t.Fatalf("code %q message %q", convene.ErrorCode(err), convene.ErrorMessage(err))
	}
	if plain := convene.Errorf(convene.ECONFLICT, "x"); errors.Is(plain, convene.ErrOverQuota) || plain.Unwrap() != nil {
		t.Fatal("an error without a cause matches one")
	}
}
