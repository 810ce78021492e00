package storage_test

import (
	"testing"

	"github.com/convene/convene/storage"
)

func TestStateService(t *testing.T) {
	t.Run("GetSetDelete", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		ss := storage.NewStateService(db)
		if v, err := ss.GetState(ctx(), "telegram.username"); err != nil || v != "" {
			t.Fatalf("empty: %q %v", v, err)
		}
		_ = ss.SetState(ctx(), "telegram.username", "convene_bot")
		_ = ss.SetState(ctx(), "telegram.username", "hop_bot")
		_ = ss.SetState(ctx(), "telegram.offset", "100")
		if v, _ := ss.GetState(ctx(), "telegram.username"); v != "hop_bot" {
			t.Fatalf("got %q", v)
		}
		if err := ss.SetState(ctx(), "telegram.username", ""); err != nil {
			t.Fatal(err)
		}
		if v, _ := ss.GetState(ctx(), "telegram.username"); v != "" {
			t.Fatalf("after delete %q", v)
		}
		if v, _ := ss.GetState(ctx(), "telegram.offset"); v != "100" {
			t.Fatalf("other key %q", v)
		}
	})
}
