package storage_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/convene/convene"
	"github.com/convene/convene/storage"
)

func TestAuditService(t *testing.T) {
	t.Run("RecordSetsTimeAndID", func(t *testing.T) {
		db, c := MustOpenDB(t)
		e := &convene.AuditEntry{Actor: "cli", Action: "invite", MeetingID: 1, Subject: "meeting:1", Detail: "4 invitations", At: time.Unix(1, 0)}
		if err := storage.NewAuditService(db).RecordAudit(ctx(), e); err != nil {
			t.Fatal(err)
		}
		if e.ID == 0 || !e.At.Equal(c.Now()) {
			t.Fatalf("entry %+v", e)
		}
		got, _ := storage.NewAuditService(db).FindAudit(ctx(), 1, 1)
		if len(got) != 1 || *got[0] != *e {
			t.Fatalf("stored %+v, want %+v", got, e)
		}
	})

	t.Run("FindNewestFirstByMeetingWithLimit", func(t *testing.T) {
		db, c := MustOpenDB(t)
		as := storage.NewAuditService(db)
		for i, a := range []string{"invite", "grant", "broadcast", "remind"} {
			c.Add(time.Second)
			if err := as.RecordAudit(ctx(), &convene.AuditEntry{Actor: "telegram:1", Action: a, MeetingID: int64(i % 2)}); err != nil {
				t.Fatal(err)
			}
		}
		actions := func(es []*convene.AuditEntry) string {
			var s []string
			for _, e := range es {
				s = append(s, e.Action)
			}
			return fmt.Sprint(s)
		}
		if all, _ := as.FindAudit(ctx(), 0, 10); actions(all) != "[remind broadcast grant invite]" {
			t.Fatalf("all: %s", actions(all))
		}
		if one, _ := as.FindAudit(ctx(), 1, 10); actions(one) != "[remind grant]" {
			t.Fatalf("meeting 1: %s", actions(one))
		}
		if two, _ := as.FindAudit(ctx(), 0, 2); actions(two) != "[remind broadcast]" {
			t.Fatalf("limit 2: %s", actions(two))
		}
		if def, _ := as.FindAudit(ctx(), 0, 0); len(def) != 4 {
			t.Fatalf("no limit given: %d", len(def))
		}
	})

	t.Run("InvalidRefused", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		if err := storage.NewAuditService(db).RecordAudit(ctx(), &convene.AuditEntry{Action: "x"}); convene.ErrorCode(err) != convene.EINVALID {
			t.Fatal("entry without actor accepted")
		}
	})
}
