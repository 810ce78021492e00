package storage_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/convene/convene"
	"github.com/convene/convene/storage"
)

func TestPersonService(t *testing.T) {
	t.Run("CreateFindUpdate", func(t *testing.T) {
		db, c := MustOpenDB(t)
		ps := storage.NewPersonService(db)
		p := &convene.Person{FullName: "Nguyễn Thị Hồng Nhung", Title: "Chánh văn phòng", Unit: "Văn phòng Đảng ủy", Phone: "+84901234567", TelegramID: 77}
		if err := ps.CreatePerson(ctx(), p); err != nil || p.ID == 0 || p.Role != convene.RoleDelegate || !p.CreatedAt.Equal(c.Now()) {
			t.Fatalf("create: %+v %v", p, err)
		}
		got, err := ps.FindPersonByID(ctx(), p.ID)
		if err != nil || *got != *p {
			t.Fatalf("by id: %+v, want %+v (%v)", got, p, err)
		}
		if _, err := ps.FindPersonByID(ctx(), 999); convene.ErrorCode(err) != convene.ENOTFOUND {
			t.Fatalf("unknown id: %v", err)
		}
		if got, err := ps.FindPersonByPhone(ctx(), "+84901234567"); err != nil || got.ID != p.ID {
			t.Fatalf("by phone: %v", err)
		}
		for _, phone := range []string{"+84900000000", ""} {
			if _, err := ps.FindPersonByPhone(ctx(), phone); convene.ErrorCode(err) != convene.ENOTFOUND {
				t.Fatalf("phone %q: %v", phone, err)
			}
		}
		role, lang := convene.RoleOrganizer, "en"
		if got, err := ps.UpdatePerson(ctx(), p.ID, convene.PersonUpdate{Role: &role, Lang: &lang}); err != nil || got.Role != role || got.Lang != "en" || got.FullName != p.FullName {
			t.Fatalf("update: %+v %v", got, err)
		}
		if got, _ := ps.FindPersonByID(ctx(), p.ID); got.Role != role || got.Lang != "en" {
			t.Fatalf("update not stored: %+v", got)
		}
		bad := convene.Role("king")
		if _, err := ps.UpdatePerson(ctx(), p.ID, convene.PersonUpdate{Role: &bad}); convene.ErrorCode(err) != convene.EINVALID {
			t.Fatalf("bad role: %v", err)
		}
		if _, err := ps.UpdatePerson(ctx(), 999, convene.PersonUpdate{Role: &role}); convene.ErrorCode(err) != convene.ENOTFOUND {
			t.Fatalf("unknown person: %v", err)
		}
		if err := ps.CreatePerson(ctx(), &convene.Person{FullName: "X", Phone: "0901"}); convene.ErrorCode(err) != convene.EINVALID {
			t.Fatalf("non-E.164 phone: %v", err)
		}
	})

	t.Run("FindPeopleByWordStartIgnoringAccents", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		ps := storage.NewPersonService(db)
		for _, n := range []string{"Trần Thị Bình", "Nguyễn Văn An", "Đặng Thị Ngọc Trâm", "Lê Thanh Hà"} {
			if err := ps.CreatePerson(ctx(), &convene.Person{FullName: n}); err != nil {
				t.Fatal(err)
			}
		}
		for q, want := range map[string]string{
			"":          "[Đặng Thị Ngọc Trâm Lê Thanh Hà Nguyễn Văn An Trần Thị Bình]",
			"an":        "[Nguyễn Văn An]", // not Trần
			"DANG":      "[Đặng Thị Ngọc Trâm]",
			"thi":       "[Đặng Thị Ngọc Trâm Trần Thị Bình]",
			"ha":        "[Lê Thanh Hà]", // not Thanh
			"ngoc tr":   "[Đặng Thị Ngọc Trâm]",
			"van an x":  "[]",
			"đặng  thị": "[Đặng Thị Ngọc Trâm]",
		} {
			got, err := ps.FindPeople(ctx(), q)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, p := range got {
				names = append(names, p.FullName)
			}
			if fmt.Sprint(names) != want && !(want == "[]" && len(names) == 0) {
				t.Errorf("FindPeople(%q) = %v, want %s", q, names, want)
			}
		}
	})

	t.Run("TouchAccountCreatesAndRefreshes", func(t *testing.T) {
		db, c := MustOpenDB(t)
		ps := storage.NewPersonService(db)
		a := mustAccount(t, db, "55", 0)
		if a.ID == 0 || !a.Reachable || a.PersonID != 0 || !a.CreatedAt.Equal(c.Now()) || !a.LastSeenAt.Equal(c.Now()) {
			t.Fatalf("new account: %+v", a)
		}
		if err := ps.SetAccountReachable(ctx(), a.ID, false); err != nil {
			t.Fatal(err)
		}
		if got, _ := ps.FindAccount(ctx(), "telegram", "55"); got.Reachable {
			t.Fatal("unreachable not stored")
		}
		c.Add(time.Hour)
		b, err := ps.TouchAccount(ctx(), &convene.Account{Channel: "telegram", UserID: "55", ChatID: "56", Name: "New Name"})
		if err != nil || b.ID != a.ID || !b.Reachable || b.Name != "New Name" || b.ChatID != "56" || !b.LastSeenAt.Equal(c.Now()) || !b.CreatedAt.Equal(a.CreatedAt) {
			t.Fatalf("touch: %+v %v", b, err)
		}
		if got, err := ps.FindAccount(ctx(), "telegram", "55"); err != nil || got.ChatID != "56" {
			t.Fatalf("find: %+v %v", got, err)
		}
		if _, err := ps.FindAccount(ctx(), "zalo", "55"); convene.ErrorCode(err) != convene.ENOTFOUND {
			t.Fatalf("same user id on another channel: %v", err)
		}
		if _, err := ps.TouchAccount(ctx(), &convene.Account{Channel: "telegram", UserID: "55"}); convene.ErrorCode(err) != convene.EINVALID {
			t.Fatalf("account without chat: %v", err)
		}
	})

	t.Run("AccountSettings", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		ps := storage.NewPersonService(db)
		a := mustAccount(t, db, "55", 0)
		if err := ps.SetAccountLang(ctx(), a.ID, "en"); err != nil {
			t.Fatal(err)
		}
		if got, _ := ps.FindAccountByID(ctx(), a.ID); got.Lang != "en" {
			t.Fatal("lang not saved")
		}
		if err := ps.SetAccountLang(ctx(), a.ID, "fr"); convene.ErrorCode(err) != convene.EINVALID {
			t.Fatal("unknown language accepted")
		}
		if err := ps.SetAccountLang(ctx(), 999, "vi"); convene.ErrorCode(err) != convene.ENOTFOUND {
			t.Fatalf("unknown account lang: %v", err)
		}
		if err := ps.SetAccountReachable(ctx(), 999, false); convene.ErrorCode(err) != convene.ENOTFOUND {
			t.Fatalf("unknown account reachable: %v", err)
		}
		if _, err := ps.FindAccountByID(ctx(), 999); convene.ErrorCode(err) != convene.ENOTFOUND {
			t.Fatalf("unknown account: %v", err)
		}
	})

	t.Run("LinkFirstAccountWins", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		m := MustSeed(t, db)
		ps := storage.NewPersonService(db)
		an := MustInvitee(t, db, m.ID, "Văn An")
		first := mustAccount(t, db, "1", an.PersonID)
		second := mustAccount(t, db, "2", 0)
		if err := ps.LinkAccount(ctx(), second.ID, an.PersonID); convene.ErrorCode(err) != convene.ECONFLICT {
			t.Fatalf("second account: %v", err)
		}
		if err := ps.LinkAccount(ctx(), first.ID, an.PersonID); err != nil {
			t.Fatalf("relinking the same pair: %v", err)
		}
		binh := MustInvitee(t, db, m.ID, "Bình")
		if err := ps.LinkAccount(ctx(), first.ID, binh.PersonID); convene.ErrorCode(err) != convene.ECONFLICT {
			t.Fatalf("account moved to another person: %v", err)
		}
		if err := ps.LinkAccount(ctx(), second.ID, 999); convene.ErrorCode(err) != convene.ENOTFOUND {
			t.Fatalf("unknown person: %v", err)
		}
		if err := ps.LinkAccount(ctx(), 999, binh.PersonID); convene.ErrorCode(err) != convene.ENOTFOUND {
			t.Fatalf("unknown account: %v", err)
		}
		accs, _ := ps.FindAccountsByPerson(ctx(), an.PersonID)
		if len(accs) != 1 || accs[0].ID != first.ID || accs[0].PersonID != an.PersonID {
			t.Fatalf("accounts: %+v", accs)
		}
		if got, _ := ps.FindAccountByID(ctx(), second.ID); got.PersonID != 0 {
			t.Fatal("a refused link was stored")
		}
	})

	t.Run("FindOrganizerAccounts", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		m := MustSeed(t, db)
		an := MustInvitee(t, db, m.ID, "Văn An") // organizer in the roster
		first := mustAccount(t, db, "1", an.PersonID)
		mustAccount(t, db, "2", MustInvitee(t, db, m.ID, "Bình").PersonID)
		mustAccount(t, db, "3", 0)
		orgs, err := storage.NewPersonService(db).FindOrganizerAccounts(ctx())
		if err != nil || len(orgs) != 1 || orgs[0].ID != first.ID {
			t.Fatalf("organizer accounts: %+v %v", orgs, err)
		}
	})

	t.Run("ProactiveMessagesGoToLastUsedChannel", func(t *testing.T) {
		db, c := MustOpenDB(t)
		m := MustSeed(t, db)
		ps := storage.NewPersonService(db)
		an := MustInvitee(t, db, m.ID, "Văn An")
		tg := mustAccount(t, db, "1", an.PersonID)
		c.Add(time.Hour)
		z, err := ps.TouchAccount(ctx(), &convene.Account{Channel: "zalo", UserID: "z1", ChatID: "z1"})
		if err != nil {
			t.Fatal(err)
		}
		if err := ps.LinkAccount(ctx(), z.ID, an.PersonID); err != nil {
			t.Fatalf("a second channel must link: %v", err)
		}
		if got := MustInvitee(t, db, m.ID, "Văn An").Account(); got.Channel != "zalo" {
			t.Fatalf("last used is zalo, got %s", got.Channel)
		}
		c.Add(time.Hour)
		if _, err := ps.TouchAccount(ctx(), &convene.Account{Channel: "telegram", UserID: "1", ChatID: "1", Name: tg.Name}); err != nil {
			t.Fatal(err)
		}
		if got := MustInvitee(t, db, m.ID, "Văn An").Account(); got.Channel != "telegram" {
			t.Fatalf("last used is telegram again, got %s", got.Channel)
		}
		_ = ps.SetAccountReachable(ctx(), tg.ID, false)
		if got := MustInvitee(t, db, m.ID, "Văn An").Account(); got.Channel != "zalo" {
			t.Fatalf("an unreachable account must be skipped, got %s", got.Channel)
		}
	})
}
