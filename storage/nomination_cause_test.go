package storage_test

import (
	"errors"
	"testing"

	"github.com/convene/convene"
	"github.com/convene/convene/storage"
)

// TestUnitService_NominateCauses asserts the typed cause of each refusal
// (matched with errors.Is, through storage's wrapping) while the code stays
// what callers switch on, and that the causes don't bleed into each other.
func TestUnitService_NominateCauses(t *testing.T) {
	causes := []error{convene.ErrOverQuota, convene.ErrAfterDeadline, convene.ErrSamePhone, convene.ErrInvitedElsewhere,
		convene.ErrOrganizerPhone, convene.ErrCategoryNotAsked}
	type setupFn func(t *testing.T, s *storage.UnitService, us []*convene.Unit, cats map[string]*convene.Category, c *clock)
	cases := []struct {
		name  string
		setup setupFn
		unit  int
		cat   string
		phone string
		code  string
		cause error
	}{
		{"OverQuota", func(t *testing.T, s *storage.UnitService, us []*convene.Unit, cats map[string]*convene.Category, c *clock) {
			mustNominate(t, s, us[0].ID, cats["dang-vien"].ID, "+84904000001")
		}, 0, "dang-vien", "+84904000002", convene.ECONFLICT, convene.ErrOverQuota},
		{"CategoryNotAsked", nil, 1, "dang-vien", "+84904000002", convene.ECONFLICT, convene.ErrCategoryNotAsked},
		{"AfterUnitDeadline", func(t *testing.T, s *storage.UnitService, us []*convene.Unit, cats map[string]*convene.Category, c *clock) {
			c.Set(mustTime("2024-03-20T10:00:01Z"))
		}, 0, "cap-uy-co-so", "+84904000002", convene.EEXPIRED, convene.ErrAfterDeadline},
		{"AfterMeetingDeadline", func(t *testing.T, s *storage.UnitService, us []*convene.Unit, cats map[string]*convene.Category, c *clock) {
			c.Set(mustTime("2024-03-26T10:00:01Z"))
		}, 1, "cap-uy-co-so", "+84904000002", convene.EEXPIRED, convene.ErrAfterDeadline},
		{"SamePhone", func(t *testing.T, s *storage.UnitService, us []*convene.Unit, cats map[string]*convene.Category, c *clock) {
			mustNominate(t, s, us[0].ID, cats["dang-vien"].ID, "+84904000002")
		}, 0, "cap-uy-co-so", "+84904000002", convene.ECONFLICT, convene.ErrSamePhone},
		{"InvitedThroughOtherUnit", func(t *testing.T, s *storage.UnitService, us []*convene.Unit, cats map[string]*convene.Category, c *clock) {
			mustNominate(t, s, us[1].ID, cats["cap-uy-co-so"].ID, "+84904000002")
		}, 0, "cap-uy-co-so", "+84904000002", convene.ECONFLICT, convene.ErrInvitedElsewhere},
		{"InvitedByRoster", nil, 0, "cap-uy-co-so", "+84912345679", convene.ECONFLICT, convene.ErrInvitedElsewhere},
		{"OrganizerPhone", nil, 0, "cap-uy-co-so", "+84912345678", convene.EFORBIDDEN, convene.ErrOrganizerPhone},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			db, c := MustOpenDB(t)
			_, us, cats := mustUnits(t, db)
			s := storage.NewUnitService(db)
			if tc.setup != nil {
				tc.setup(t, s, us, cats, c)
			}
			_, err := s.Nominate(ctx(), us[tc.unit].ID, cats[tc.cat].ID, nominee("Ngô Văn Chín", tc.phone), "test")
			if convene.ErrorCode(err) != tc.code || !errors.Is(err, tc.cause) {
				t.Fatalf("err = %v, want code %s cause %v", err, tc.code, tc.cause)
			}
			for _, other := range causes {
				if other != tc.cause && errors.Is(err, other) {
					t.Fatalf("err = %v also matches %v", err, other)
				}
			}
		})
	}

	t.Run("BadPhoneHasNoCause", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		_, us, cats := mustUnits(t, db)
		_, err := storage.NewUnitService(db).Nominate(ctx(), us[0].ID, cats["cap-uy-co-so"].ID, nominee("Ngô Văn Chín", "0904000002"), "test")
		for _, c := range causes {
			if errors.Is(err, c) {
				t.Fatalf("err = %v matches %v", err, c)
			}
		}
		if convene.ErrorCode(err) != convene.EINVALID {
			t.Fatalf("err = %v", err)
		}
	})

	t.Run("WithdrawCauses", func(t *testing.T) {
		db, c := MustOpenDB(t)
		_, us, cats := mustUnits(t, db)
		s := storage.NewUnitService(db)
		n := mustNominate(t, s, us[0].ID, cats["dang-vien"].ID, "+84904000001")
		n2 := mustNominate(t, s, us[0].ID, cats["cap-uy-co-so"].ID, "+84904000003")
		if _, err := s.Withdraw(ctx(), n.ID, "test"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Withdraw(ctx(), n.ID, "test"); convene.ErrorCode(err) != convene.ECONFLICT || !errors.Is(err, convene.ErrWithdrawnAlready) {
			t.Fatalf("withdraw twice: %v", err)
		}
		c.Set(mustTime("2024-03-21T00:00:00Z"))
		if _, err := s.Withdraw(ctx(), n2.ID, "test"); convene.ErrorCode(err) != convene.EEXPIRED || !errors.Is(err, convene.ErrAfterDeadline) {
			t.Fatalf("withdraw after deadline: %v", err)
		}
		if _, err := s.Replace(ctx(), n2.ID, nominee("Lý Thị Mười", "+84904000010"), "test"); !errors.Is(err, convene.ErrAfterDeadline) {
			t.Fatalf("replace after deadline: %v", err)
		}
	})
}
