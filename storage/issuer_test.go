package storage_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/convene/convene"
	"github.com/convene/convene/plan"
	"github.com/convene/convene/storage"
)

func TestPlanService_Issuer(t *testing.T) {
	iss := convene.Issuer{Office: "Văn phòng Đảng ủy Sở", Board: "Ban Tổ chức Đảng ủy Sở", LetterNumber: "45-GM/ĐU",
		Place: "TP. Hồ Chí Minh", ContactName: "đồng chí Trần Thị Mai", ContactPhone: "+84912888777",
		SignerAuthority: "T/L BAN THƯỜNG VỤ", SignerTitle: "CHÁNH VĂN PHÒNG", SignerName: "Trần Văn Bình",
		Recipients:   []string{"Như trên", "Lưu Văn phòng Đảng ủy"},
		ReportNumber: "15-BC/BTCĐU", ReportSignerAuthority: "K/T TRƯỞNG BAN", ReportSignerTitle: "PHÓ TRƯỞNG BAN", ReportSignerName: "Nguyễn Thị Thanh Thủy",
		ReportRecipients: []string{"Thường trực Đảng ủy (để báo cáo)", "Lưu Ban Tổ chức Đảng ủy"}}

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
		// The same again changes nothing; another report recipient is an update.
		if res, err := ps.ApplyPlan(ctx(), p); err != nil || len(res.Unchanged) != 1 {
			t.Fatalf("apply again: %+v %v", res, err)
		}
		p.Meetings[0].Meeting.Issuer.ReportRecipients = append(append([]string{}, iss.ReportRecipients...), "Các chi bộ trực thuộc")
		if res, err := ps.ApplyPlan(ctx(), p); err != nil || len(res.Updated) != 1 {
			t.Fatalf("apply with another report recipient: %+v %v", res, err)
		}
		m, _ = storage.NewMeetingService(db).FindMeetingByCode(ctx(), "chi-bo-01")
		if len(m.Issuer.ReportRecipients) != 3 || m.Issuer.ReportSignerName != "Nguyễn Thị Thanh Thủy" {
			t.Fatalf("report fields not updated: %+v", m.Issuer)
		}
	})
}

// TestImportRoster_AllBadRowsInOneRun: rows bad in form and a row with an
// unknown category are named together, and nothing is imported.
func TestImportRoster_AllBadRowsInOneRun(t *testing.T) {
	db, _ := MustOpenDB(t)
	if _, err := storage.NewPlanService(db).ApplyPlan(ctx(), seedPlan()); err != nil {
		t.Fatal(err)
	}
	csv := "full_name,category,phone\nNguyễn Văn An,dang-vien,12\n,dang-vien,\nTrần Thị Bình,khong-co,\nLê Văn Cường,dang-vien,\n"
	entries, err := plan.ReadRoster(strings.NewReader(csv), "csv")
	var re *convene.RosterError
	if !errors.As(err, &re) || len(re.Rows) != 2 {
		t.Fatalf("reading: %v", err)
	}
	_, err = storage.NewPlanService(db).ImportRoster(ctx(), "chi-bo-01", entries)
	if !errors.As(err, &re) {
		t.Fatalf("import: %v", err)
	}
	var rows []int
	for _, r := range re.Rows {
		rows = append(rows, r.Row)
	}
	if fmt.Sprint(rows) != "[2 3 4]" || !strings.Contains(re.Error(), "unknown category \"khong-co\"") {
		t.Fatalf("bad rows %v: %v", rows, re)
	}
	m, _ := storage.NewMeetingService(db).FindMeetingByCode(ctx(), "chi-bo-01")
	invs, _, _ := storage.NewInvitationService(db).FindInvitees(ctx(), convene.InvitationFilter{MeetingID: m.ID})
	if len(invs) != 0 {
		t.Fatalf("%d invitations imported from a rejected roster", len(invs))
	}
}
