package convene_test

import (
	"testing"
	"time"

	"github.com/convene/convene"
)

func TestUnitDomain(t *testing.T) {
	start := time.Date(2024, 3, 28, 1, 0, 0, 0, time.UTC)
	rep := convene.Representative{FullName: "Võ Minh Tâm", Phone: "+84903000001"}
	cases := []struct {
		name string
		v    interface{ Validate() error }
		ok   bool
	}{
		{"UnitOK", &convene.Unit{Name: "Đảng bộ A", Rep: rep, Quotas: map[string]int{"x": 0}}, true},
		{"UnitNoName", &convene.Unit{Name: " ", Rep: rep}, false},
		{"UnitRepWithoutPhone", &convene.Unit{Name: "A", Rep: convene.Representative{FullName: "B"}}, false},
		{"UnitRepLocalPhone", &convene.Unit{Name: "A", Rep: convene.Representative{FullName: "B", Phone: "0903000001"}}, false},
		{"UnitRepWithoutName", &convene.Unit{Name: "A", Rep: convene.Representative{Phone: "+84903000001"}}, false},
		{"UnitNegativeQuota", &convene.Unit{Name: "A", Rep: rep, Quotas: map[string]int{"x": -1}}, false},
		{"NomineeOK", &convene.Nominee{FullName: "Ngô Văn Bảy", Phone: "+84904000001"}, true},
		{"NomineeNoPhone", &convene.Nominee{FullName: "Ngô Văn Bảy"}, false},
		{"NomineeNoName", &convene.Nominee{Phone: "+84904000001"}, false},
		{"NominationBadState", &convene.Nomination{UnitID: 1, CategoryID: 1, PersonID: 1, State: "maybe"}, false},
		{"NominationOK", &convene.Nomination{UnitID: 1, CategoryID: 1, PersonID: 1, State: convene.NominationWithdrawn}, true},
		{"ProgramItemNoTitle", &convene.ProgramItem{At: start}, false},
		{"ProgramItemNoTime", &convene.ProgramItem{Title: "Khai mạc"}, false},
		{"ProgramOutOfOrder", &convene.Program{Items: []convene.ProgramItem{{At: start.Add(time.Hour), Title: "b"}, {At: start, Title: "a"}}}, false},
		{"ProgramOK", &convene.Program{Chair: "X", Items: []convene.ProgramItem{{At: start, Title: "a"}, {At: start, Title: "b"}}}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.v.Validate()
			if (err == nil) != tc.ok || err != nil && convene.ErrorCode(err) != convene.EINVALID {
				t.Fatalf("Validate() = %v, want ok=%v", err, tc.ok)
			}
		})
	}

	t.Run("QuotaAndDeadline", func(t *testing.T) {
		c := &convene.Category{Code: "cap-uy", Quota: 2}
		m := &convene.Meeting{StartsAt: start, RSVPDeadline: start.Add(-48 * time.Hour)}
		u := convene.Unit{Name: "A", Rep: rep}
		if u.Quota(c) != 2 || !u.Deadline(m).Equal(m.RSVPDeadline) {
			t.Fatal("defaults: the category's quota, the meeting's deadline")
		}
		u.Quotas, u.NominationDeadline = map[string]int{"cap-uy": 0}, start.Add(-72*time.Hour)
		if u.Quota(c) != 0 || !u.Deadline(m).Equal(u.NominationDeadline) {
			t.Fatal("the unit's own quota and deadline win")
		}
	})

	t.Run("PlanRejectsBadUnits", func(t *testing.T) {
		plan := func(mod func(*convene.PlanMeeting)) *convene.Plan {
			pm := convene.PlanMeeting{Meeting: convene.Meeting{Code: "m", Title: "M", StartsAt: start},
				Categories: []convene.Category{{Code: "cap-uy", Name: "C"}},
				Units:      []convene.Unit{{Name: "Đảng bộ A", Rep: rep}}}
			mod(&pm)
			return &convene.Plan{Meetings: []convene.PlanMeeting{pm}}
		}
		if err := plan(func(*convene.PlanMeeting) {}).Validate(); err != nil {
			t.Fatal(err)
		}
		for name, mod := range map[string]func(*convene.PlanMeeting){
			"UnknownCategory": func(pm *convene.PlanMeeting) { pm.Units[0].Quotas = map[string]int{"nope": 1} },
			"DuplicateName": func(pm *convene.PlanMeeting) {
				pm.Units = append(pm.Units, convene.Unit{Name: "đảng bộ  a", Rep: rep})
			},
			"DeadlineAfterStart": func(pm *convene.PlanMeeting) { pm.Units[0].NominationDeadline = start.Add(time.Minute) },
		} {
			if err := plan(mod).Validate(); convene.ErrorCode(err) != convene.EINVALID {
				t.Errorf("%s: %v", name, err)
			}
		}
	})
}
