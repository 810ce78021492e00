package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/convene/convene"
	"github.com/convene/convene/storage"
)

// TestUploadPlan: a plan with a bad line is refused with its line number
// shown and nothing stored; a good one is applied; staff may not upload.
func TestUploadPlan(t *testing.T) {
	e := newEnv(t)
	meetings := storage.NewMeetingService(e.db)
	stored := func(code string) bool {
		_, err := meetings.FindMeetingByCode(context.Background(), code)
		return convene.ErrorCode(err) != convene.ENOTFOUND
	}
	t.Run("BadPlanStoresNothing", func(t *testing.T) {
		// Two meetings; the second's start (line 11) is not a date.
		bad := planYAML("hoi-nghi-a", "2024-05-02T08:00") + "  - code: hoi-nghi-b\n    title: B\n    starts_at: 2024-13-01T08:00\n    categories:\n      - code: x\n        name: X\n"
		body, hdr := fileUpload(t, "plan", "plan.yaml", bad)
		resp := e.do(t, "organizer", "POST", "/plan", body, hdr)
		b := bodyOf(resp)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(b, "line 11") || !strings.Contains(b, "chưa có gì được lưu") {
			t.Fatalf("bad plan: %d %s", resp.StatusCode, b)
		}
		if stored("hoi-nghi-a") || stored("hoi-nghi-b") {
			t.Fatal("a bad plan stored a meeting")
		}
	})
	t.Run("UnknownFieldStoresNothing", func(t *testing.T) {
		body, hdr := fileUpload(t, "plan", "plan.yaml", planYAML("hoi-nghi-c", "2024-05-02T08:00")+"    hall: A\n")
		resp := e.do(t, "organizer", "POST", "/plan", body, hdr)
		if b := bodyOf(resp); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(b, "line ") || stored("hoi-nghi-c") {
			t.Fatalf("unknown field: %d %s", resp.StatusCode, b)
		}
	})
	t.Run("StaffRefused", func(t *testing.T) {
		body, hdr := fileUpload(t, "plan", "plan.yaml", planYAML("hoi-nghi-d", "2024-05-02T08:00"))
		if resp := e.do(t, "staff", "POST", "/plan", body, hdr); resp.StatusCode != http.StatusForbidden || stored("hoi-nghi-d") {
			t.Fatalf("staff upload: %d", resp.StatusCode)
		}
	})
	t.Run("GoodPlanApplied", func(t *testing.T) {
		body, hdr := fileUpload(t, "plan", "plan.yaml", planYAML("hoi-nghi-a", "2024-05-02T08:00"))
		resp := e.do(t, "organizer", "POST", "/plan", body, hdr)
		if b := bodyOf(resp); resp.StatusCode != http.StatusOK || !strings.Contains(b, "1 hội nghị mới") {
			t.Fatalf("good plan: %d %s", resp.StatusCode, b)
		}
		if !stored("hoi-nghi-a") {
			t.Fatal("the good plan's meeting was not stored")
		}
		if b := bodyOf(e.do(t, "organizer", "GET", "/", nil, nil)); !strings.Contains(b, `id="plan-upload"`) || !strings.Contains(b, "hoi-nghi-a") {
			t.Fatal("the meetings page has no plan upload or lacks the new meeting")
		}
	})
}
