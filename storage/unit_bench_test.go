package storage_test

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/convene/convene"
	"github.com/convene/convene/report"
	"github.com/convene/convene/storage"
)

// bigUnitPlan is the seed meeting with 4 categories and 300 units, every
// tenth with quotas of its own.
func bigUnitPlan() *convene.Plan {
	p := seedPlan()
	pm := &p.Meetings[0]
	pm.Categories = []convene.Category{
		{Code: "cap-uy-co-so", Name: "Cấp ủy đảng bộ, chi bộ cơ sở", Quota: 2},
		{Code: "cap-uy-chi-bo", Name: "Cấp ủy các chi bộ trực thuộc", Quota: 2},
		{Code: "dang-vien", Name: "Đảng viên", Quota: 1},
		{Code: "bao-chi-tp", Name: "Cơ quan báo chí Thành phố", Quota: 1, Guests: true},
	}
	for i := 0; i < 300; i++ {
		u := convene.Unit{Name: fmt.Sprintf("Đảng bộ Trường số %03d", i),
			Rep:                convene.Representative{FullName: fmt.Sprintf("Nguyễn Văn Đại Diện %d", i), Title: "Bí thư", Phone: fmt.Sprintf("+8491%07d", i)},
			NominationDeadline: mustTime("2024-03-25T10:00:00Z")}
		if i%10 == 0 {
			u.Quotas = map[string]int{"dang-vien": 3, "bao-chi-tp": 0}
		}
		pm.Units = append(pm.Units, u)
	}
	return p
}

// BenchmarkApplyPlanUnits300 applies a plan of 300 units × 4 categories to a
// fresh database: 300 representatives, tokens and quotas. Limit: 1 s.
func BenchmarkApplyPlanUnits300(b *testing.B) {
	p := bigUnitPlan()
	var total time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		db, _ := MustOpenDB(b)
		b.StartTimer()
		start := time.Now()
		if _, err := storage.NewPlanService(db).ApplyPlan(ctx(), p); err != nil {
			b.Fatal(err)
		}
		total += time.Since(start)
	}
	ms := float64(total.Microseconds()) / 1000 / float64(b.N)
	b.ReportMetric(ms, "ms/apply")
	if ms > 1000 {
		b.Errorf("plan apply of 300 units took %.0f ms, limit 1000 ms", ms)
	}
}

// BenchmarkReapplyPlanUnits300 applies the same 300-unit plan again: nothing to write.
func BenchmarkReapplyPlanUnits300(b *testing.B) {
	p := bigUnitPlan()
	db, _ := MustOpenDB(b)
	ps := storage.NewPlanService(db)
	if _, err := ps.ApplyPlan(ctx(), p); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		if res, err := ps.ApplyPlan(ctx(), p); err != nil || len(res.Unchanged) != 1 {
			b.Fatal(res, err)
		}
	}
	b.ReportMetric(float64(time.Since(start).Microseconds())/1000/float64(b.N), "ms/apply")
}

// nominatedUnits applies bigUnitPlan and nominates one delegate per unit
// and category asked (about 1,000 nominations), linking every other one.
func nominatedUnits(b *testing.B) (*storage.DB, *convene.Meeting) {
	b.Helper()
	db, _ := MustOpenDB(b)
	if _, err := storage.NewPlanService(db).ApplyPlan(ctx(), bigUnitPlan()); err != nil {
		b.Fatal(err)
	}
	m, _ := storage.NewMeetingService(db).FindMeetingByCode(ctx(), "chi-bo-01")
	cats, _ := storage.NewMeetingService(db).FindCategories(ctx(), m.ID)
	us := storage.NewUnitService(db)
	units, _ := us.FindUnits(ctx(), m.ID)
	ps := storage.NewPersonService(db)
	n := 0
	for _, u := range units {
		for _, c := range cats {
			if u.Quota(c) == 0 {
				continue
			}
			nom, err := us.Nominate(ctx(), u.ID, c.ID, convene.Nominee{FullName: fmt.Sprintf("Đại biểu %d", n), Phone: fmt.Sprintf("+8493%07d", n)}, "bench")
			if err != nil {
				b.Fatal(err)
			}
			if n%2 == 0 {
				a, err := ps.TouchAccount(ctx(), &convene.Account{Channel: "telegram", UserID: fmt.Sprint(n), ChatID: fmt.Sprint(n)})
				if err != nil {
					b.Fatal(err)
				}
				if err := ps.LinkAccount(ctx(), a.ID, nom.PersonID); err != nil {
					b.Fatal(err)
				}
			}
			n++
		}
	}
	return db, m
}

// BenchmarkUnitCounts300 is /units and `convene units` for 300 units × 4
// categories with about 1,000 nominations. Limit: 200 ms.
func BenchmarkUnitCounts300(b *testing.B) {
	db, m := nominatedUnits(b)
	us := storage.NewUnitService(db)
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		rows, err := us.UnitCounts(ctx(), m.ID)
		if err != nil || len(rows) != 1170 {
			b.Fatalf("%d rows, %v", len(rows), err)
		}
	}
	ms := float64(time.Since(start).Microseconds()) / 1000 / float64(b.N)
	b.ReportMetric(ms, "ms/query")
	if ms > 200 {
		b.Errorf("units query took %.0f ms, limit 200 ms", ms)
	}
}

// BenchmarkReportUnitsSection300 loads the units and renders the report's
// units section in every format (Markdown, CSV, JSON, XLSX, PDF) for 300
// units × 4 categories. Limit: 1 s for all five.
func BenchmarkReportUnitsSection300(b *testing.B) {
	db, m := nominatedUnits(b)
	us := storage.NewUnitService(db)
	cats, _ := storage.NewMeetingService(db).FindCategories(ctx(), m.ID)
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		rows, err := us.UnitCounts(ctx(), m.ID)
		if err != nil {
			b.Fatal(err)
		}
		d := &report.Data{Meeting: m, Categories: cats, Units: rows, Lang: "vi", Generated: m.StartsAt}
		for _, f := range report.Formats {
			var buf bytes.Buffer
			if err := report.Write(&buf, d, f); err != nil {
				b.Fatal(err)
			}
		}
	}
	ms := float64(time.Since(start).Microseconds()) / 1000 / float64(b.N)
	b.ReportMetric(ms, "ms/5formats")
	if ms > 1000 {
		b.Errorf("units section in five formats took %.0f ms, limit 1000 ms", ms)
	}
}
