package storage_test

import (
	"testing"

	"github.com/convene/convene"
	"github.com/convene/convene/storage"
)

func TestPlanService_Issuer(t *testing.T) {
	iss := convene.Issuer{Office: "Văn phòng Đảng ủy Sở", Board: "Ban Tổ chức Đảng ủy Sở", LetterNumber: "45-GM/ĐU",
		Place: "TP. Hồ Chí Minh", ContactName: "đồng chí Trần Thị Mai", ContactPhone: "+84912888777",
		SignerAuthority: "T/L BAN THƯỜNG VỤ", SignerTitle: "CHÁNH VĂN PHÒNG", SignerName: "Trần Văn Bình",
		Recipients: []string{"Như trên", "Lưu Văn phòng Đảng ủy"}}

	t.Run("StoredAndReadBack", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		p := seedPlan()
		p.Meetings[0].Meeting.Issuer = iss
		if _, err := storage.NewPlanService(db).ApplyPlan(ctx(), p); err != nil {
			t.Fatal(err)
		}
		m, err := storage.NewMeetingService(db).FindMeetingByCode(ctx(), "chi-bo-01")
		if err != nil {
			t.Fatal(err)
		}
		if !m.Issuer.Equal(iss) {
			t.Fatalf("issuer = %+v, want %+v", m.Issuer, iss)
		}
	})

	t.Run("ChangeIsAnUpdateNotAMove", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		ps := storage.NewPlanService(db)
		if _, err := ps.ApplyPlan(ctx(), seedPlan()); err != nil {
			t.Fatal(err)
		}
		p := seedPlan()
		p.Meetings[0].Meeting.Issuer = iss
		res, err := ps.ApplyPlan(ctx(), p)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Updated) != 1 || len(res.Moved) != 0 {
			t.Fatalf("apply with a new signer: %+v", res)
		}
		m, _ := storage.NewMeetingService(db).FindMeetingByCode(ctx(), "chi-bo-01")
		if m.Issuer.SignerName != "Trần Văn Bình" {
			t.Fatalf("issuer not updated: %+v", m.Issuer)
		}
	})
}
