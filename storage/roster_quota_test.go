package storage_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/convene/convene"
	"github.com/convene/convene/storage"
)

// quotaPlan is unitPlan with the units' quotas for cap-uy-co-so (default 2):
// Lý Tự Trọng may send 3, Phường 4 only 1, Văn phòng Sở the default.
func quotaPlan() *convene.Plan {
	p := unitPlan()
	pm := &p.Meetings[0]
	pm.Units[0].Quotas["cap-uy-co-so"] = 3
	pm.Units = append(pm.Units, convene.Unit{Name: "Đảng bộ Phường 4", Rep: convene.Representative{FullName: "Mai Văn Bốn", Title: "Bí thư", Phone: "+84903000004"},
		Quotas: map[string]int{"cap-uy-co-so": 1}})
	return p
}

func quotaRow(row int, name, unit, phone string) convene.RosterEntry {
	return convene.RosterEntry{Row: row, FullName: name, Unit: unit, Category: "cap-uy-co-so", Phone: phone}
}

// rosterRows returns the rows a *convene.RosterError names, with reasons.
func rosterRows(t *testing.T, err error) map[int]string {
	t.Helper()
	var re *convene.RosterError
	if !errors.As(err, &re) {
		t.Fatalf("want a roster error, got %v", err)
	}
	out := map[int]string{}
	for _, r := range re.Rows {
		out[r.Row] = r.Reason
	}
	return out
}

// TestImportRoster_UnitQuotas: the roster's quota check uses each plan
// unit's own quota (overriding the category's, the unit's name matched
// ignoring case and accents), counts the unit's standing nominees whatever
// their person's unit says, keeps the category's quota for units not in the
// plan, counts a substituted seat once, and names every row over a quota,
// storing nothing.
func TestImportRoster_UnitQuotas(t *testing.T) {
	setup := func(t *testing.T) (*storage.DB, *convene.Meeting, []*convene.Unit, map[string]*convene.Category) {
		db, _ := MustOpenDB(t)
		if _, err := storage.NewPlanService(db).ApplyPlan(ctx(), quotaPlan()); err != nil {
			t.Fatal(err)
		}
		ms := storage.NewMeetingService(db)
		m, _ := ms.FindMeetingByCode(ctx(), "chi-bo-01")
		us, _ := storage.NewUnitService(db).FindUnits(ctx(), m.ID)
		cs, _ := ms.FindCategories(ctx(), m.ID)
		cats := map[string]*convene.Category{}
		for _, c := range cs {
			cats[c.Code] = c
		}
		return db, m, us, cats
	}

	t.Run("OwnQuotaAboveTheDefault", func(t *testing.T) {
		db, _, _, _ := setup(t)
		_, err := storage.NewPlanService(db).ImportRoster(ctx(), "chi-bo-01", []convene.RosterEntry{
			quotaRow(2, "Võ Văn Một", "Đảng bộ Trường Cao đẳng Lý Tự Trọng", "+84905000001"),
			quotaRow(3, "Võ Văn Hai", "ĐẢNG BỘ TRƯỜNG CAO ĐẲNG LÝ TỰ TRỌNG", "+84905000002"),
			quotaRow(4, "Võ Văn Ba", "dang bo truong cao dang ly tu trong", "+84905000003"),
		})
		if err != nil {
			t.Fatalf("3 rows for a unit asked for 3 (category default 2): %v", err)
		}
	})

	t.Run("OwnQuotaBelowTheDefaultAndEveryRowNamed", func(t *testing.T) {
		db, m, _, _ := setup(t)
		before := countRows(t, db, m.ID)
		_, err := storage.NewPlanService(db).ImportRoster(ctx(), "chi-bo-01", []convene.RosterEntry{
			quotaRow(2, "Lâm Văn Một", "Đảng bộ Phường 4", "+84905000011"),
			quotaRow(3, "Lâm Văn Hai", "Đảng bộ Phường 4", "+84905000012"),
			quotaRow(4, "Lâm Văn Ba", "Đảng bộ Phường 4", "+84905000013"),
			quotaRow(5, "Hà Văn Một", "Trường Nguyễn Trãi", "+84905000014"), // not in the plan: default 2
			quotaRow(6, "Hà Văn Hai", "Trường Nguyễn Trãi", "+84905000015"),
			quotaRow(7, "Hà Văn Ba", "Trường Nguyễn Trãi", "+84905000016"),
		})
		rows := rosterRows(t, err)
		if len(rows) != 3 || rows[3] == "" || rows[4] == "" || rows[7] == "" {
			t.Fatalf("want rows 3, 4 (own quota 1) and 7 (default 2) named, got %v", rows)
		}
		if !strings.Contains(rows[3], `unit "Đảng bộ Phường 4" exceeds its quota of 1 for category cap-uy-co-so`) ||
			!strings.Contains(rows[7], "quota of 2") {
			t.Fatalf("reasons: %v", rows)
		}
		if after := countRows(t, db, m.ID); after != before {
			t.Fatalf("a rejected roster stored something: %v → %v", before, after)
		}
	})

	t.Run("NomineesCount", func(t *testing.T) {
		db, _, us, cats := setup(t)
		// A person stored with another unit, nominated by Văn phòng Sở: the
		// seat is the unit's.
		p := &convene.Person{FullName: "Kiều Văn Năm", Unit: "Sở Giáo dục", Phone: "+84905000021"}
		if err := storage.NewPersonService(db).CreatePerson(ctx(), p); err != nil {
			t.Fatal(err)
		}
		if n, err := storage.NewUnitService(db).Nominate(ctx(), us[1].ID, cats["cap-uy-co-so"].ID, nominee("Kiều Văn Năm", p.Phone), "test"); err != nil || !n.ExistingPerson {
			t.Fatalf("nominate: %+v, %v", n, err)
		}
		_, err := storage.NewPlanService(db).ImportRoster(ctx(), "chi-bo-01", []convene.RosterEntry{
			quotaRow(2, "Kha Văn Một", "Chi bộ Văn phòng Sở", "+84905000022"),
			quotaRow(3, "Kha Văn Hai", "Chi bộ Văn phòng Sở", "+84905000023"),
		})
		rows := rosterRows(t, err)
		if len(rows) != 1 || !strings.Contains(rows[3], "1 invited already (1 nominated by the unit)") {
			t.Fatalf("want row 3 over the quota of 2 with 1 nominee, got %v", rows)
		}
	})

	t.Run("SubstitutedSeatCountedOnce", func(t *testing.T) {
		db, m, _, _ := setup(t)
		ps := storage.NewPlanService(db)
		if _, err := ps.ImportRoster(ctx(), "chi-bo-01", []convene.RosterEntry{
			quotaRow(2, "Võ Văn Một", "Đảng bộ Trường Cao đẳng Lý Tự Trọng", "+84905000001"),
			quotaRow(3, "Võ Văn Hai", "Đảng bộ Trường Cao đẳng Lý Tự Trọng", "+84905000002"),
		}); err != nil {
			t.Fatal(err)
		}
		invs, _, _ := storage.NewInvitationService(db).FindInvitees(ctx(), convene.InvitationFilter{MeetingID: m.ID, Name: "Võ Văn Một"})
		mustSubstitute(t, db, invs[0].ID, "Võ Thị Thay", "+84905000009")
		if _, err := ps.ImportRoster(ctx(), "chi-bo-01", []convene.RosterEntry{
			quotaRow(2, "Võ Văn Ba", "Đảng bộ Trường Cao đẳng Lý Tự Trọng", "+84905000003"),
		}); err != nil {
			t.Fatalf("the third seat of 3, with a substitute in the first: %v", err)
		}
		_, err := ps.ImportRoster(ctx(), "chi-bo-01", []convene.RosterEntry{
			quotaRow(2, "Võ Văn Bốn", "Đảng bộ Trường Cao đẳng Lý Tự Trọng", "+84905000004"),
		})
		if rows := rosterRows(t, err); len(rows) != 1 {
			t.Fatalf("a fourth seat of 3: %v", rows)
		}
	})
}
