package convene_test

import (
	"testing"

	"github.com/convene/convene"
)

func TestCodeToken(t *testing.T) {
	const code = "23456789ABCDEFGHJKMNPQRSTVW"
	for _, tc := range []struct {
		in   string
		want string
		ok   bool
	}{
		{code, code, true},
		{"2345 6789 abcd efgh jkmn pqrs tvw", code, true},
		{" 2345-6789-ABCD-efgh-JKMN-PQRS-TVW ", code, true},
		{"23456789ABCDEFGHJKMNPQRSTV", "", false},        // too short
		{"23456789ABCDEFGHJKMNPQRSTVO", "", false},       // O is no symbol
		{"AbCdEfGhIjKlMnOpQrStUv", "", false},            // an older base64url token
		{"xin chào đồng chí hôm nay", "", false},         // text
		{"2345_6789_ABCD_EFGH_JKMN_PQRS_TVW", "", false}, // underscores are kept
	} {
		got, ok := convene.NormalizeCode(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("NormalizeCode(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
	if got := convene.GroupCode(code); got != "2345 6789 ABCD EFGH JKMN PQRS TVW" {
		t.Errorf("GroupCode = %q", got)
	}
	if old := "AbCd-fGh_IjKlMnOpQrStUv"; convene.GroupCode(old) != old {
		t.Errorf("an older token is regrouped: %q", convene.GroupCode(old))
	}
}
