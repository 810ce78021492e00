package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/convene/convene"
	"github.com/convene/convene/storage"
)

// nominateOne nominates one delegate of cap-uy-co-so in the example's first unit of chi-bo-01.
func nominateOne(t *testing.T, env map[string]string) {
	t.Helper()
	db := storage.NewDB(env["CONVENE_DB"])
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	m, err := storage.NewMeetingService(db).FindMeetingByCode(ctx, "chi-bo-01")
	if err != nil {
		t.Fatal(err)
	}
	us := storage.NewUnitService(db)
	units, _ := us.FindUnits(ctx, m.ID)
	cats, _ := storage.NewMeetingService(db).FindCategories(ctx, m.ID)
	var cat int64
	for _, c := range cats {
		if c.Code == "cap-uy-co-so" {
			cat = c.ID
		}
	}
	db.Now = func() time.Time { return m.StartsAt.Add(-30 * 24 * time.Hour) }
	if _, err := us.Nominate(ctx, units[0].ID, cat, convene.Nominee{FullName: "Ngô Văn Bảy", Title: "Ủy viên", Phone: "+84904000001"}, "cli"); err != nil {
		t.Fatal(err)
	}
}

func TestUnitsCommand(t *testing.T) {
	env := seeded(t)
	nominateOne(t, env)
	t.Run("JSON", func(t *testing.T) {
		out, e, code := run(t, env, "units", "--meeting", "chi-bo-01", "--format", "json")
		if code != 0 {
			t.Fatal(e)
		}
		var rows []map[string]any
		if err := json.Unmarshal([]byte(out), &rows); err != nil {
			t.Fatal(err)
		}
		// Four units, two categories each but the third, asked for cap-uy-co-so only.
		if len(rows) != 7 || len(rows[0]) != 6 || rows[0]["unit"] != "Đảng bộ Trường THPT Nguyễn Du" || rows[0]["category"] != "cap-uy-co-so" ||
			rows[0]["asked"].(float64) != 2 || rows[0]["nominated"].(float64) != 1 {
			t.Fatalf("rows = %v", rows)
		}
	})
	t.Run("CSV", func(t *testing.T) {
		out, e, code := run(t, env, "units", "--meeting", "chi-bo-01", "--format", "csv")
		if code != 0 || !strings.HasPrefix(out, "unit,category,asked,nominated,linked,attending\n") ||
			!strings.Contains(out, "Đảng bộ Trường THPT Gia Định,cap-uy-chi-bo,3,0,0,0") {
			t.Fatalf("csv %q %s", out, e)
		}
	})
	t.Run("Markdown", func(t *testing.T) {
		out, _, code := run(t, env, "units", "--meeting", "chi-bo-01")
		if code != 0 || !strings.Contains(out, "Đơn vị chưa cử đồng chí nào** (3)") {
			t.Fatalf("md %q", out)
		}
	})
	t.Run("ReportJSONHasUnits", func(t *testing.T) {
		out, e, code := run(t, env, "report", "--meeting", "chi-bo-01", "--format", "json")
		if code != 0 {
			t.Fatal(e)
		}
		var r struct {
			Units []map[string]any `json:"units"`
		}
		if err := json.Unmarshal([]byte(out), &r); err != nil || len(r.Units) != 7 {
			t.Fatalf("report units = %v, %v", r.Units, err)
		}
	})
	t.Run("BadFormat", func(t *testing.T) {
		if _, e, code := run(t, env, "units", "--meeting", "chi-bo-01", "--format", "xlsx"); code != 2 || !strings.Contains(e, "--format must be") {
			t.Fatalf("code %d: %s", code, e)
		}
	})
}
