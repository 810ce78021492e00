package bot

import "testing"

func TestKVMapNeverPanics(t *testing.T) {
	m := kvMap([]any{"Name", "An", 3, "x", "Odd"})
	if m["Name"] != "An" || m["3"] != "x" || len(m) != 2 {
		t.Fatalf("kvMap %v", m)
	}
}
