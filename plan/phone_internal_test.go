package plan

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/nyaruka/phonenumbers"
)

// TestFastVNAgreesWithParser checks the fast path against the general parser
// on random numbers in the forms it takes.
func TestFastVNAgreesWithParser(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	forms := []string{"0%s", "+84 %s", "0084%s", "(+84) %s", "0%s ", "84%s", "84 %s", "%s"}
	fast := 0
	for i := 0; i < 40000; i++ {
		digits := fmt.Sprint(r.Uint64N(1e10))
		if r.IntN(2) == 0 {
			digits = digits[:len(digits)-1]
		}
		in := fmt.Sprintf(forms[i%len(forms)], digits)
		got, ok := fastVN(in)
		if !ok {
			continue
		}
		fast++
		num, err := phonenumbers.Parse(in, PhoneRegion)
		if err != nil || !phonenumbers.IsValidNumber(num) {
			t.Fatalf("fastVN(%q) = %q, but the parser finds it invalid (%v)", in, got, err)
		}
		if want := phonenumbers.Format(num, phonenumbers.E164); got != want {
			t.Fatalf("fastVN(%q) = %q, parser %q", in, got, want)
		}
	}
	if fast < 1000 {
		t.Errorf("the fast path took only %d of 40000 numbers", fast)
	}
}
