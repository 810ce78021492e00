package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestLinksIncludeRepresentatives: `convene links --units` also lists each unit's
// representative with the unit's link, role unit_rep.
func TestLinksIncludeRepresentatives(t *testing.T) {
	env := seeded(t)
	out, e, code := run(t, env, "links", "--meeting", "chi-bo-01", "--format", "json", "--units")
	if code != 0 {
		t.Fatal(e)
	}
	var rows []linkRow
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatal(err)
	}
	reps := 0
	for _, r := range rows {
		if r.Role == "unit_rep" && r.Category == "" { // a unit's row, not a roster unit_rep invitee
			reps++
			if r.Token == "" || r.Unit == "" || r.Phone == "" {
				t.Fatalf("representative row %+v", r)
			}
		}
	}
	if reps != 4 {
		t.Fatalf("%d representatives in links, want the example's 4", reps)
	}
	csv, _, _ := run(t, env, "links", "--meeting", "chi-bo-01", "--units")
	if !strings.Contains(csv, "Nguyễn Thị Thanh Hương,Đảng bộ Trường THPT Nguyễn Du,") || !strings.Contains(csv, ",unit_rep") {
		t.Fatalf("csv lacks the representative:\n%.600s", csv)
	}
	if plain, _, _ := run(t, env, "links", "--meeting", "chi-bo-01"); strings.Contains(plain, "Nguyễn Thị Thanh Hương") {
		t.Fatal("representatives listed without --units")
	}
}
