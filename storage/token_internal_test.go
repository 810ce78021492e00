package storage

import (
	"math"
	"strings"
	"testing"

	"github.com/convene/convene"
)

func TestNewToken(t *testing.T) {
	t.Run("EntropyAtLeast128Bits", func(t *testing.T) {
		bits := float64(convene.CodeLen) * math.Log2(float64(len(convene.CodeAlphabet)))
		if bits < 128 {
			t.Fatalf("%d symbols of %d carry %.1f bits", convene.CodeLen, len(convene.CodeAlphabet), bits)
		}
		if shorter := float64(convene.CodeLen-1) * math.Log2(float64(len(convene.CodeAlphabet))); shorter >= 128 {
			t.Fatalf("CodeLen %d is longer than needed", convene.CodeLen)
		}
		if tokenReject%len(convene.CodeAlphabet) != 0 || tokenReject > 256 || 256-tokenReject >= len(convene.CodeAlphabet) {
			t.Fatalf("tokenReject %d biases the draw", tokenReject)
		}
	})
	t.Run("AlphabetWithoutLookAlikes", func(t *testing.T) {
		if strings.ContainsAny(convene.CodeAlphabet, "01ILOUilou") {
			t.Fatalf("alphabet %q has look-alikes", convene.CodeAlphabet)
		}
	})
	t.Run("UniqueCodesInTheAlphabet", func(t *testing.T) {
		const n = 20000
		seen := make(map[string]bool, n)
		counts := map[rune]int{}
		var src tokenSource // the batched source, as imports use it
		for i := 0; i < n; i++ {
			tok, err := newToken()
			if i%2 == 1 {
				tok, err = src.next()
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(tok) != convene.CodeLen || !convene.IsCode(tok) {
				t.Fatalf("token %q is not %d symbols of %s", tok, convene.CodeLen, convene.CodeAlphabet)
			}
			if seen[tok] {
				t.Fatalf("token %q drawn twice", tok)
			}
			seen[tok] = true
			for _, c := range tok {
				counts[c]++
			}
		}
		// Every symbol is used, about equally: 20000×27/30 = 18000 each.
		if len(counts) != len(convene.CodeAlphabet) {
			t.Fatalf("symbols used: %d of %d", len(counts), len(convene.CodeAlphabet))
		}
		want := float64(n*convene.CodeLen) / float64(len(convene.CodeAlphabet))
		for c, got := range counts {
			if math.Abs(float64(got)-want) > 0.05*want {
				t.Errorf("symbol %q drawn %d times, want about %.0f", c, got, want)
			}
		}
	})
}
