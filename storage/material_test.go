package storage_test

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/convene/convene"
	"github.com/convene/convene/storage"
)

func TestMaterials_ApplyPlan(t *testing.T) {
	db, _ := MustOpenDB(t)
	plans, mats, meetings := storage.NewPlanService(db), storage.NewMaterialService(db), storage.NewMeetingService(db)
	pdfA, pdfB := []byte("%PDF-1.4 agenda"), []byte("%PDF-1.4 draft")
	apply := func(ms ...convene.Material) *convene.ApplyResult {
		t.Helper()
		p := seedPlan()
		p.Meetings[0].Materials = ms
		res, err := plans.ApplyPlan(ctx(), p)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	list := func() []*convene.Material {
		t.Helper()
		m, err := meetings.FindMeetingByCode(ctx(), "chi-bo-01")
		if err != nil {
			t.Fatal(err)
		}
		got, err := mats.FindMaterials(ctx(), m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if m.Materials != len(got) {
			t.Fatalf("meeting counts %d materials, %d stored", m.Materials, len(got))
		}
		return got
	}
	agenda := convene.Material{Title: "Chương trình hội nghị", Name: "ct.pdf", Data: pdfA, Size: int64(len(pdfA))}
	draft := convene.Material{Title: "Dự thảo báo cáo", Name: "dt.pdf", Data: pdfB, Size: int64(len(pdfB))}
	apply(agenda, draft)
	got := list()
	if len(got) != 2 || got[0].Title != agenda.Title || got[0].MIME != "application/pdf" || got[0].Size != int64(len(pdfA)) || len(got[0].SHA256) != 64 {
		t.Fatalf("stored %+v", got)
	}
	if data, err := mats.MaterialData(ctx(), got[1].ID); err != nil || !bytes.Equal(data, pdfB) {
		t.Fatalf("data %q %v", data, err)
	}
	t.Run("UnchangedWritesNothing", func(t *testing.T) {
		if res := apply(agenda, draft); fmt.Sprint(res.Unchanged) != "[chi-bo-01]" || len(res.Updated) != 0 {
			t.Fatalf("re-apply: %+v", res)
		}
	})
	t.Run("ChangedFileReplacesKeepingID", func(t *testing.T) {
		before := list()
		d2 := draft
		d2.Data = []byte("%PDF-1.4 draft, second version")
		d2.Size = int64(len(d2.Data))
		if res := apply(agenda, d2); fmt.Sprint(res.Updated) != "[chi-bo-01]" {
			t.Fatalf("changed file: %+v", res)
		}
		after := list()
		if after[1].ID != before[1].ID || after[1].SHA256 == before[1].SHA256 || after[0].SHA256 != before[0].SHA256 {
			t.Fatalf("before %+v after %+v", before[1], after[1])
		}
		if data, _ := mats.MaterialData(ctx(), after[1].ID); !bytes.Equal(data, d2.Data) {
			t.Fatalf("data not replaced: %q", data)
		}
	})
	t.Run("RemovedItemRemoved", func(t *testing.T) {
		if res := apply(draft); fmt.Sprint(res.Updated) != "[chi-bo-01]" {
			t.Fatalf("removed: %+v", res)
		}
		if got := list(); len(got) != 1 || got[0].Title != draft.Title || got[0].Position != 0 {
			t.Fatalf("after removal %+v", got)
		}
		apply()
		if got := list(); len(got) != 0 {
			t.Fatalf("all removed: %+v", got)
		}
	})
	t.Run("BadMaterialStoresNothing", func(t *testing.T) {
		p := seedPlan()
		p.Meetings[0].Meeting.Title = "changed"
		for _, bad := range [][]convene.Material{
			{{Title: "X", Name: "x.exe", Data: pdfA, Size: 3}},
			{agenda, agenda},
			{{Title: "Empty", Name: "e.pdf"}},
		} {
			p.Meetings[0].Materials = bad
			if _, err := plans.ApplyPlan(ctx(), p); convene.ErrorCode(err) != convene.EINVALID {
				t.Fatalf("bad material %v: %v", bad[0].Title, err)
			}
		}
		if m, _ := meetings.FindMeetingByCode(ctx(), "chi-bo-01"); m.Title == "changed" {
			t.Fatal("the meeting changed with a bad material")
		}
	})
	t.Run("FileIDs", func(t *testing.T) {
		if id, err := mats.FileID(ctx(), "telegram", "1", "abc"); err != nil || id != "" {
			t.Fatalf("none yet: %q %v", id, err)
		}
		mats.SaveFileID(ctx(), "telegram", "1", "abc", "F1")
		mats.SaveFileID(ctx(), "telegram", "2", "abc", "G1") // another bot
		if id, _ := mats.FileID(ctx(), "telegram", "1", "abc"); id != "F1" {
			t.Fatalf("saved %q", id)
		}
		mats.DropFileID(ctx(), "telegram", "1", "abc", "stale") // not the stored one: kept
		if id, _ := mats.FileID(ctx(), "telegram", "1", "abc"); id != "F1" {
			t.Fatalf("dropped the wrong id: %q", id)
		}
		mats.DropFileID(ctx(), "telegram", "1", "abc", "F1")
		if id, _ := mats.FileID(ctx(), "telegram", "1", "abc"); id != "" {
			t.Fatalf("not dropped: %q", id)
		}
		if id, _ := mats.FileID(ctx(), "telegram", "2", "abc"); id != "G1" {
			t.Fatalf("the other bot's id: %q", id)
		}
	})
}
