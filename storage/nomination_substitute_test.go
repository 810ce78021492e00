package storage_test

import (
	"testing"

	"github.com/convene/convene"
	"github.com/convene/convene/storage"
)

// mustSubstitute proposes and approves a substitute for invitation id and
// returns the substitute's invitee.
func mustSubstitute(tb testing.TB, db *storage.DB, id int64, name, phone string) *convene.Invitee {
	tb.Helper()
	is := storage.NewInvitationService(db)
	if _, err := is.SetRSVP(ctx(), id, convene.RSVPChange{RSVP: convene.RSVPSubstitute, SubstituteName: name, SubstitutePhone: phone, Actor: "test"}); err != nil {
		tb.Fatal(err)
	}
	sub, err := is.DecideSubstitute(ctx(), id, convene.SubstituteDecision{Approve: true, Actor: "test"})
	if err != nil {
		tb.Fatal(err)
	}
	return sub
}

// danglingSubstitutes counts the meeting's invitations whose substitute_for
// names an invitation that is gone.
func danglingSubstitutes(tb testing.TB, db *storage.DB, meetingID int64) int {
	tb.Helper()
	invs, _, err := storage.NewInvitationService(db).FindInvitees(ctx(), convene.InvitationFilter{MeetingID: meetingID})
	if err != nil {
		tb.Fatal(err)
	}
	ids := map[int64]bool{}
	for _, v := range invs {
		ids[v.ID] = true
	}
	n := 0
	for _, v := range invs {
		if v.SubstituteFor != 0 && !ids[v.SubstituteFor] {
			n++
		}
	}
	return n
}

// TestUnitService_WithdrawSubstitutes: the seat belongs to the unit, so
// withdrawing (or replacing) a nominee withdraws the invitations of the
// substitutes approved for them, and of the substitutes' own substitutes;
// each is returned for the bot to tell and audited; no invitation is left
// naming a removed one.
func TestUnitService_WithdrawSubstitutes(t *testing.T) {
	t.Run("Withdraw", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		m, us, cats := mustUnits(t, db)
		s := storage.NewUnitService(db)
		n := mustNominate(t, s, us[0].ID, cats["cap-uy-co-so"].ID, "+84904000001")
		other := mustNominate(t, s, us[0].ID, cats["cap-uy-co-so"].ID, "+84904000002")
		sub := mustSubstitute(t, db, n.InvitationID, "Đinh Văn Mười", "+84904000010")
		subsub := mustSubstitute(t, db, sub.ID, "Kha Thị Một", "+84904000011")
		otherSub := mustSubstitute(t, db, other.InvitationID, "Tạ Văn Hai", "+84904000012")
		if sub.SubstituteFor != n.InvitationID || subsub.SubstituteFor != sub.ID {
			t.Fatalf("substitutes %+v %+v", sub.Invitation, subsub.Invitation)
		}
		before := countRows(t, db, m.ID)

		w, err := s.Withdraw(ctx(), n.ID, "telegram:77")
		if err != nil {
			t.Fatal(err)
		}
		if len(w.Substitutes) != 2 || w.Substitutes[0].ID != sub.ID || w.Substitutes[1].ID != subsub.ID ||
			w.Substitutes[0].Person.FullName != "Đinh Văn Mười" || w.Substitutes[0].Person.Phone != "+84904000010" {
			t.Fatalf("substitutes withdrawn: %+v", w.Substitutes)
		}
		is := storage.NewInvitationService(db)
		for _, tok := range []string{sub.Token, subsub.Token} {
			if _, err := is.FindInvitationByToken(ctx(), tok); convene.ErrorCode(err) != convene.ENOTFOUND {
				t.Fatalf("a substitute's invitation outlived the nominee's: %v", err)
			}
		}
		if v, err := is.FindInvitationByToken(ctx(), otherSub.Token); err != nil || v.SubstituteFor != other.InvitationID {
			t.Fatalf("another nominee's substitute was touched: %+v, %v", v, err)
		}
		if d := danglingSubstitutes(t, db, m.ID); d != 0 {
			t.Fatalf("%d invitation(s) name a removed one in substitute_for", d)
		}
		after := countRows(t, db, m.ID)
		if after[1] != before[1]-3 || after[3] != before[3]+3 {
			t.Fatalf("rows %v → %v: want 3 invitations fewer and 3 audit entries more", before, after)
		}
		entries, _ := storage.NewAuditService(db).FindAudit(ctx(), m.ID, 3)
		var subs []string
		for _, e := range entries {
			if e.Action == "substitute-withdraw" {
				if e.Actor != "telegram:77" {
					t.Fatalf("audit actor %q", e.Actor)
				}
				subs = append(subs, e.Subject)
			}
		}
		if len(subs) != 2 {
			t.Fatalf("audit = %+v", entries)
		}
	})

	t.Run("Replace", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		m, us, cats := mustUnits(t, db)
		s := storage.NewUnitService(db)
		n := mustNominate(t, s, us[0].ID, cats["dang-vien"].ID, "+84904000001")
		sub := mustSubstitute(t, db, n.InvitationID, "Đinh Văn Mười", "+84904000010")
		r, err := s.Replace(ctx(), n.ID, nominee("Lý Thị Mười", "+84904000020"), "test")
		if err != nil || len(r.Substitutes) != 1 || r.Substitutes[0].ID != sub.ID {
			t.Fatalf("replace = %+v, %v", r, err)
		}
		if d := danglingSubstitutes(t, db, m.ID); d != 0 {
			t.Fatalf("%d dangling substitute_for", d)
		}
		// The substitute's phone is free again: the new nominee may send them.
		if _, err := storage.NewInvitationService(db).FindInvitationByToken(ctx(), sub.Token); convene.ErrorCode(err) != convene.ENOTFOUND {
			t.Fatalf("substitute kept: %v", err)
		}
	})

	t.Run("FailedWithdrawKeepsSubstitutes", func(t *testing.T) {
		db, c := MustOpenDB(t)
		m, us, cats := mustUnits(t, db)
		s := storage.NewUnitService(db)
		n := mustNominate(t, s, us[0].ID, cats["dang-vien"].ID, "+84904000001")
		sub := mustSubstitute(t, db, n.InvitationID, "Đinh Văn Mười", "+84904000010")
		before := countRows(t, db, m.ID)
		c.Set(mustTime("2024-03-21T00:00:00Z"))
		if _, err := s.Withdraw(ctx(), n.ID, "test"); convene.ErrorCode(err) != convene.EEXPIRED {
			t.Fatalf("withdraw after deadline: %v", err)
		}
		if after := countRows(t, db, m.ID); after != before {
			t.Fatalf("%v → %v", before, after)
		}
		if _, err := storage.NewInvitationService(db).FindInvitationByToken(ctx(), sub.Token); err != nil {
			t.Fatal(err)
		}
	})
}
