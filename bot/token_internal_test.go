package bot

import (
	"reflect"
	"testing"
)

func TestPersonalCodesToken(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		// An issued code, sent as is (a deep link, a paste): tried once.
		{"23456789ABCDEFGHJKMNPQRSTVW", []string{"23456789ABCDEFGHJKMNPQRSTVW"}},
		// Typed in lower case: the exact text first, then the code.
		{"23456789abcdefghjkmnpqrstvw", []string{"23456789abcdefghjkmnpqrstvw", "23456789ABCDEFGHJKMNPQRSTVW"}},
		// Typed in groups with spaces or dashes.
		{" 2345 6789 abcd efgh jkmn pqrs tvw ", []string{"23456789ABCDEFGHJKMNPQRSTVW"}},
		{"2345-6789-ABCD-EFGH-JKMN-PQRS-TVW", []string{"2345-6789-ABCD-EFGH-JKMN-PQRS-TVW", "23456789ABCDEFGHJKMNPQRSTVW"}},
		// An older base64url token: case-sensitive, only as sent.
		{"AbCd-fGh_IjKlMnOpQrStUv", []string{"AbCd-fGh_IjKlMnOpQrStUv"}},
		// Text, and a code with a look-alike in it.
		{"xin chào đồng chí", nil},
		{"2345 6789 abcd efgh jkmn pqrs tvo", nil},
	} {
		if got := personalCodes(tc.in); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("personalCodes(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
