package storage_test

import (
	"testing"
	"time"

	"github.com/convene/convene"
	"github.com/convene/convene/storage"
)

// unitPlan is the seed plan with two units, a press category of guests and a program.
func unitPlan() *convene.Plan {
	p := seedPlan()
	pm := &p.Meetings[0]
	pm.Categories = append(pm.Categories, convene.Category{Code: "bao-chi", Name: "Cơ quan báo chí Thành phố", Guests: true})
	pm.Meeting.Program = convene.Program{Chair: "Đồng chí Lê Thị Hồng", Items: []convene.ProgramItem{
		{At: mustTime("2024-03-28T01:00:00Z"), Title: "Tuyên bố lý do, giới thiệu đại biểu", Presenter: "Lê Thị Hồng"},
		{At: mustTime("2024-03-28T01:15:00Z"), Title: "Sinh hoạt chi bộ mẫu", Presenter: "Chi bộ 01"},
	}}
	pm.Units = []convene.Unit{
		{Name: "Đảng bộ Trường Cao đẳng Lý Tự Trọng", Rep: convene.Representative{FullName: "Võ Minh Tâm", Title: "Phó Bí thư", Phone: "+84903000001"},
			NominationDeadline: mustTime("2024-03-20T10:00:00Z"), Quotas: map[string]int{"dang-vien": 1}},
		{Name: "Chi bộ Văn phòng Sở", Rep: convene.Representative{FullName: "Đặng Thu Hà", Title: "Bí thư", Phone: "+84903000002"}},
	}
	return p
}

// mustUnits applies unitPlan and the seed roster and returns the meeting, its units and categories by code.
func mustUnits(tb testing.TB, db *storage.DB) (*convene.Meeting, []*convene.Unit, map[string]*convene.Category) {
	tb.Helper()
	ps := storage.NewPlanService(db)
	if _, err := ps.ApplyPlan(ctx(), unitPlan()); err != nil {
		tb.Fatal(err)
	}
	if _, err := ps.ImportRoster(ctx(), "chi-bo-01", seedRoster()); err != nil {
		tb.Fatal(err)
	}
	ms := storage.NewMeetingService(db)
	m, err := ms.FindMeetingByCode(ctx(), "chi-bo-01")
	if err != nil {
		tb.Fatal(err)
	}
	us, err := storage.NewUnitService(db).FindUnits(ctx(), m.ID)
	if err != nil || len(us) != 2 {
		tb.Fatalf("units %v, %v", us, err)
	}
	cs, _ := ms.FindCategories(ctx(), m.ID)
	cats := map[string]*convene.Category{}
	for _, c := range cs {
		cats[c.Code] = c
	}
	return m, us, cats
}

func nominee(name, phone string) convene.Nominee {
	return convene.Nominee{FullName: name, Title: "Ủy viên", Phone: phone}
}

func TestUnitService_ApplyPlan(t *testing.T) {
	t.Run("UnitsRepresentativesProgramGuests", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		m, us, cats := mustUnits(t, db)
		u := us[0]
		if u.Name != "Đảng bộ Trường Cao đẳng Lý Tự Trọng" || u.Quotas["dang-vien"] != 1 || len(u.Quotas) != 1 || len(u.Token) < 22 {
			t.Fatalf("unit = %+v", u)
		}
		if !u.NominationDeadline.Equal(mustTime("2024-03-20T10:00:00Z")) || !us[1].Deadline(m).Equal(m.Deadline()) {
			t.Fatalf("deadlines %v %v", u.NominationDeadline, us[1].Deadline(m))
		}
		if us[1].Quota(cats["cap-uy-co-so"]) != 2 || u.Quota(cats["dang-vien"]) != 1 || us[1].Quota(cats["dang-vien"]) != 0 {
			t.Fatal("quota: default per category, overridable per unit")
		}
		rep, err := storage.NewPersonService(db).FindPersonByPhone(ctx(), "+84903000001")
		if err != nil || rep.Role != convene.RoleUnitRep || rep.ID != u.RepPersonID || rep.Unit != u.Name || rep.Title != "Phó Bí thư" {
			t.Fatalf("rep = %+v, %v", rep, err)
		}
		byTok, err := storage.NewUnitService(db).FindUnitByToken(ctx(), u.Token)
		if err != nil || byTok.ID != u.ID {
			t.Fatalf("by token: %v %v", byTok, err)
		}
		if byRep, _ := storage.NewUnitService(db).FindUnitsByRep(ctx(), rep.ID); len(byRep) != 1 || byRep[0].ID != u.ID {
			t.Fatalf("by rep: %v", byRep)
		}
		if !cats["bao-chi"].Guests || cats["dang-vien"].Guests {
			t.Fatal("guests flag not stored")
		}
		if m.Program.Chair != "Đồng chí Lê Thị Hồng" || len(m.Program.Items) != 2 || m.Program.Items[1].Presenter != "Chi bộ 01" ||
			!m.Program.Items[1].At.Equal(mustTime("2024-03-28T01:15:00Z")) {
			t.Fatalf("program = %+v", m.Program)
		}
	})

	t.Run("ApplyTwiceChangesNothing", func(t *testing.T) {
		db, c := MustOpenDB(t)
		_, us, _ := mustUnits(t, db)
		c.Add(time.Hour)
		res, err := storage.NewPlanService(db).ApplyPlan(ctx(), unitPlan())
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Unchanged) != 1 || len(res.Updated) != 0 {
			t.Fatalf("second apply: %+v", res)
		}
		again, _ := storage.NewUnitService(db).FindUnits(ctx(), us[0].MeetingID)
		if again[0].Token != us[0].Token || again[0].ID != us[0].ID {
			t.Fatal("a second apply changed the representative's token")
		}
	})

	t.Run("QuotaRepAndProgramChangesUpdate", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		m, us, _ := mustUnits(t, db)
		p := unitPlan()
		p.Meetings[0].Units[0].Quotas = map[string]int{"dang-vien": 3, "cap-uy-co-so": 0}
		p.Meetings[0].Units[1].Rep.Phone = "+84903000009"
		p.Meetings[0].Meeting.Program.Chair = "Đồng chí Trần Văn Nam"
		res, err := storage.NewPlanService(db).ApplyPlan(ctx(), p)
		if err != nil || len(res.Updated) != 1 {
			t.Fatalf("apply: %+v %v", res, err)
		}
		again, _ := storage.NewUnitService(db).FindUnits(ctx(), m.ID)
		if again[0].Quotas["dang-vien"] != 3 || again[0].Quotas["cap-uy-co-so"] != 0 || len(again[0].Quotas) != 2 {
			t.Fatalf("quotas = %v", again[0].Quotas)
		}
		if again[1].RepPersonID == us[1].RepPersonID || again[1].Rep.Phone != "+84903000009" {
			t.Fatalf("rep not changed: %+v", again[1])
		}
		m2, _ := storage.NewMeetingService(db).FindMeetingByCode(ctx(), "chi-bo-01")
		if m2.Program.Chair != "Đồng chí Trần Văn Nam" {
			t.Fatal("chair not updated")
		}
	})

	t.Run("UnitRemovedWithNominationsRefused", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		m, us, cats := mustUnits(t, db)
		if _, err := storage.NewUnitService(db).Nominate(ctx(), us[1].ID, cats["cap-uy-co-so"].ID, nominee("Ngô Văn Bảy", "+84904000001"), "test"); err != nil {
			t.Fatal(err)
		}
		p := unitPlan()
		p.Meetings[0].Units = p.Meetings[0].Units[:1]
		if _, err := storage.NewPlanService(db).ApplyPlan(ctx(), p); convene.ErrorCode(err) != convene.EINVALID {
			t.Fatalf("removing a unit with nominations: %v", err)
		}
		p.Meetings[0].Units = p.Meetings[0].Units[1:]
		p.Meetings[0].Units = append(p.Meetings[0].Units, unitPlan().Meetings[0].Units[1])
		if _, err := storage.NewPlanService(db).ApplyPlan(ctx(), p); err != nil {
			t.Fatal(err)
		}
		if again, _ := storage.NewUnitService(db).FindUnits(ctx(), m.ID); len(again) != 1 || again[0].ID != us[1].ID {
			t.Fatalf("units after removing the first: %+v", again)
		}
	})

	t.Run("RepresentativeWhoIsOrganizerKeepsRole", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		MustSeed(t, db) // Nguyễn Văn An, +84912345678, organizer
		p := unitPlan()
		p.Meetings[0].Units[1].Rep.Phone = "+84912345678"
		if _, err := storage.NewPlanService(db).ApplyPlan(ctx(), p); err != nil {
			t.Fatal(err)
		}
		if rep, _ := storage.NewPersonService(db).FindPersonByPhone(ctx(), "+84912345678"); rep.Role != convene.RoleOrganizer {
			t.Fatalf("role = %s", rep.Role)
		}
	})
}

func TestUnitService_Nominate(t *testing.T) {
	t.Run("NominatesInvitesAndAudits", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		m, us, cats := mustUnits(t, db)
		s := storage.NewUnitService(db)
		n, err := s.Nominate(ctx(), us[0].ID, cats["cap-uy-co-so"].ID, nominee("  Ngô  Văn Bảy ", "+84904000001"), "telegram:77")
		if err != nil {
			t.Fatal(err)
		}
		if n.State != convene.NominationNominated || n.Person.FullName != "Ngô Văn Bảy" || n.Person.Unit != us[0].Name || n.ExistingPerson || len(n.Token) < 22 {
			t.Fatalf("nomination = %+v", n)
		}
		inv, err := storage.NewInvitationService(db).FindInvitationByToken(ctx(), n.Token)
		if err != nil || inv.ID != n.InvitationID || inv.Category.Code != "cap-uy-co-so" || inv.Person.Role != convene.RoleDelegate || inv.MeetingID != m.ID {
			t.Fatalf("invitation = %+v, %v", inv, err)
		}
		entries, _ := storage.NewAuditService(db).FindAudit(ctx(), m.ID, 10)
		if len(entries) == 0 || entries[0].Action != "nominate" || entries[0].Actor != "telegram:77" || entries[0].Subject != "nomination:1" {
			t.Fatalf("audit = %+v", entries)
		}
	})

	t.Run("ExistingPersonFoundByPhone", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		_, us, cats := mustUnits(t, db)
		other := &convene.Person{FullName: "Hồ Văn Tám", Phone: "+84904000008"}
		if err := storage.NewPersonService(db).CreatePerson(ctx(), other); err != nil {
			t.Fatal(err)
		}
		n, err := storage.NewUnitService(db).Nominate(ctx(), us[0].ID, cats["dang-vien"].ID, nominee("Hồ Tám", "+84904000008"), "test")
		if err != nil || n.PersonID != other.ID || !n.ExistingPerson {
			t.Fatalf("nomination = %+v, %v", n, err)
		}
	})

	refusals := []struct {
		name  string
		setup func(t *testing.T, s *storage.UnitService, us []*convene.Unit, cats map[string]*convene.Category, c *clock)
		unit  int
		cat   string
		phone string
		code  string
	}{
		{"OverQuota", func(t *testing.T, s *storage.UnitService, us []*convene.Unit, cats map[string]*convene.Category, c *clock) {
			mustNominate(t, s, us[0].ID, cats["dang-vien"].ID, "+84904000001")
		}, 0, "dang-vien", "+84904000002", convene.ECONFLICT},
		{"CategoryNotAsked", nil, 1, "dang-vien", "+84904000002", convene.ECONFLICT},
		{"AfterDeadline", func(t *testing.T, s *storage.UnitService, us []*convene.Unit, cats map[string]*convene.Category, c *clock) {
			c.Set(mustTime("2024-03-20T10:00:01Z"))
		}, 0, "cap-uy-co-so", "+84904000002", convene.EEXPIRED},
		{"AfterMeetingDeadlineWithoutOwn", func(t *testing.T, s *storage.UnitService, us []*convene.Unit, cats map[string]*convene.Category, c *clock) {
			c.Set(mustTime("2024-03-26T10:00:01Z"))
		}, 1, "cap-uy-co-so", "+84904000002", convene.EEXPIRED},
		{"SamePhoneTwiceInUnit", func(t *testing.T, s *storage.UnitService, us []*convene.Unit, cats map[string]*convene.Category, c *clock) {
			mustNominate(t, s, us[0].ID, cats["dang-vien"].ID, "+84904000002")
		}, 0, "cap-uy-co-so", "+84904000002", convene.ECONFLICT},
		{"PhoneInvitedThroughOtherUnit", func(t *testing.T, s *storage.UnitService, us []*convene.Unit, cats map[string]*convene.Category, c *clock) {
			mustNominate(t, s, us[1].ID, cats["cap-uy-co-so"].ID, "+84904000002")
		}, 0, "cap-uy-co-so", "+84904000002", convene.ECONFLICT},
		{"PhoneInvitedByRoster", nil, 0, "cap-uy-co-so", "+84912345679", convene.ECONFLICT},
		{"PhoneOfOrganizer", nil, 0, "cap-uy-co-so", "+84912345678", convene.EFORBIDDEN},
		{"BadPhone", nil, 0, "cap-uy-co-so", "0904000002", convene.EINVALID},
	}
	for _, tc := range refusals {
		t.Run(tc.name, func(t *testing.T) {
			db, c := MustOpenDB(t)
			m, us, cats := mustUnits(t, db)
			s := storage.NewUnitService(db)
			if tc.setup != nil {
				tc.setup(t, s, us, cats, c)
			}
			before := countRows(t, db, m.ID)
			_, err := s.Nominate(ctx(), us[tc.unit].ID, cats[tc.cat].ID, nominee("Ngô Văn Chín", tc.phone), "test")
			if convene.ErrorCode(err) != tc.code {
				t.Fatalf("err = %v, want %s", err, tc.code)
			}
			if after := countRows(t, db, m.ID); after != before {
				t.Fatalf("a refused nomination stored something: %v → %v", before, after)
			}
		})
	}
}

func mustNominate(tb testing.TB, s *storage.UnitService, unitID, catID int64, phone string) *convene.Nomination {
	tb.Helper()
	n, err := s.Nominate(ctx(), unitID, catID, nominee("Nguyễn Văn "+phone[len(phone)-2:], phone), "test")
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

// countRows counts people, the meeting's invitations, nominations and audit entries.
func countRows(tb testing.TB, db *storage.DB, meetingID int64) [4]int {
	tb.Helper()
	var out [4]int
	people, _ := storage.NewPersonService(db).FindPeople(ctx(), "")
	out[0] = len(people)
	_, out[1], _ = storage.NewInvitationService(db).FindInvitees(ctx(), convene.InvitationFilter{MeetingID: meetingID})
	ns, _ := storage.NewUnitService(db).FindNominations(ctx(), convene.NominationFilter{MeetingID: meetingID})
	out[2] = len(ns)
	a, _ := storage.NewAuditService(db).FindAudit(ctx(), meetingID, 1000)
	out[3] = len(a)
	return out
}

func TestUnitService_Withdraw(t *testing.T) {
	t.Run("RemovesInvitationFreesQuota", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		m, us, cats := mustUnits(t, db)
		s := storage.NewUnitService(db)
		n := mustNominate(t, s, us[0].ID, cats["dang-vien"].ID, "+84904000001")
		w, err := s.Withdraw(ctx(), n.ID, "telegram:77")
		if err != nil || w.State != convene.NominationWithdrawn || w.InvitationID != 0 || w.WithdrawnAt.IsZero() {
			t.Fatalf("withdraw = %+v, %v", w, err)
		}
		if _, err := storage.NewInvitationService(db).FindInvitationByToken(ctx(), n.Token); convene.ErrorCode(err) != convene.ENOTFOUND {
			t.Fatalf("invitation still there: %v", err)
		}
		if _, err := s.Withdraw(ctx(), n.ID, "test"); convene.ErrorCode(err) != convene.ECONFLICT {
			t.Fatalf("withdraw twice: %v", err)
		}
		mustNominate(t, s, us[0].ID, cats["dang-vien"].ID, "+84904000001") // quota freed, the phone may come back
		entries, _ := storage.NewAuditService(db).FindAudit(ctx(), m.ID, 10)
		if len(entries) < 2 || entries[1].Action != "withdraw" || entries[1].Actor != "telegram:77" {
			t.Fatalf("audit = %+v", entries)
		}
		if ns, _ := s.FindNominations(ctx(), convene.NominationFilter{UnitID: us[0].ID, State: convene.NominationNominated}); len(ns) != 1 {
			t.Fatalf("standing = %d", len(ns))
		}
	})

	t.Run("AfterDeadline", func(t *testing.T) {
		db, c := MustOpenDB(t)
		_, us, cats := mustUnits(t, db)
		s := storage.NewUnitService(db)
		n := mustNominate(t, s, us[0].ID, cats["dang-vien"].ID, "+84904000001")
		c.Set(mustTime("2024-03-21T00:00:00Z"))
		if _, err := s.Withdraw(ctx(), n.ID, "test"); convene.ErrorCode(err) != convene.EEXPIRED {
			t.Fatalf("withdraw after deadline: %v", err)
		}
	})
}

func TestUnitService_Replace(t *testing.T) {
	t.Run("WithdrawsAndNominates", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		_, us, cats := mustUnits(t, db)
		s := storage.NewUnitService(db)
		n := mustNominate(t, s, us[0].ID, cats["dang-vien"].ID, "+84904000001") // quota 1: full
		r, err := s.Replace(ctx(), n.ID, nominee("Lý Thị Mười", "+84904000010"), "test")
		if err != nil || r.CategoryID != n.CategoryID || r.UnitID != n.UnitID || r.Person.FullName != "Lý Thị Mười" {
			t.Fatalf("replace = %+v, %v", r, err)
		}
		ns, _ := s.FindNominations(ctx(), convene.NominationFilter{UnitID: us[0].ID})
		if len(ns) != 2 || ns[0].State != convene.NominationWithdrawn || ns[1].State != convene.NominationNominated {
			t.Fatalf("nominations = %+v", ns)
		}
	})

	t.Run("FailedNominationKeepsTheOld", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		m, us, cats := mustUnits(t, db)
		s := storage.NewUnitService(db)
		n := mustNominate(t, s, us[0].ID, cats["dang-vien"].ID, "+84904000001")
		before := countRows(t, db, m.ID)
		if _, err := s.Replace(ctx(), n.ID, nominee("Tổ chức", "+84912345678"), "test"); convene.ErrorCode(err) != convene.EFORBIDDEN {
			t.Fatalf("replace by an organizer: %v", err)
		}
		if after := countRows(t, db, m.ID); after != before {
			t.Fatalf("half a replace stored: %v → %v", before, after)
		}
		if _, err := storage.NewInvitationService(db).FindInvitationByToken(ctx(), n.Token); err != nil {
			t.Fatalf("the old nominee lost the invitation: %v", err)
		}
	})
}

func TestUnitService_UnitCounts(t *testing.T) {
	db, _ := MustOpenDB(t)
	m, us, cats := mustUnits(t, db)
	s := storage.NewUnitService(db)
	a := mustNominate(t, s, us[0].ID, cats["cap-uy-co-so"].ID, "+84904000001")
	mustNominate(t, s, us[0].ID, cats["cap-uy-co-so"].ID, "+84904000002")
	w := mustNominate(t, s, us[0].ID, cats["dang-vien"].ID, "+84904000003")
	if _, err := s.Withdraw(ctx(), w.ID, "test"); err != nil {
		t.Fatal(err)
	}
	ps := storage.NewPersonService(db)
	acc, err := ps.TouchAccount(ctx(), &convene.Account{Channel: "telegram", UserID: "501", ChatID: "501"})
	if err != nil {
		t.Fatal(err)
	}
	if err := ps.LinkAccount(ctx(), acc.ID, a.PersonID); err != nil {
		t.Fatal(err)
	}
	if _, err := storage.NewInvitationService(db).SetRSVP(ctx(), a.InvitationID, convene.RSVPChange{RSVP: convene.RSVPAttending, Actor: "test"}); err != nil {
		t.Fatal(err)
	}
	got, err := s.UnitCounts(ctx(), m.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []convene.UnitCount{
		{Unit: us[0].Name, Category: "cap-uy-co-so", Asked: 2, Nominated: 2, Linked: 1, Attending: 1},
		{Unit: us[0].Name, Category: "dang-vien", Asked: 1},
		{Unit: us[1].Name, Category: "cap-uy-co-so", Asked: 2},
	}
	if len(got) != len(want) {
		t.Fatalf("rows = %+v", got)
	}
	for i := range want {
		g := got[i]
		g.UnitID, g.CategoryID, g.CategoryName = 0, 0, ""
		if g != want[i] {
			t.Errorf("row %d = %+v, want %+v", i, g, want[i])
		}
	}
	if _, err := s.UnitCounts(ctx(), 999); convene.ErrorCode(err) != convene.ENOTFOUND {
		t.Fatalf("unknown meeting: %v", err)
	}
}
