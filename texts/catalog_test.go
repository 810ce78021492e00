package texts_test

import (
	"strings"
	"testing"
	"time"

	"github.com/convene/convene/texts"
)

func TestFormat(t *testing.T) {
	c := texts.Must()
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		t.Skip("no tzdata:", err)
	}
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v.In(loc)
	}
	t.Run("ShortTime", func(t *testing.T) {
		for _, tc := range []struct{ utc, want string }{
			{"2024-03-28T01:00:00Z", "08:00, thứ Năm, 28/03/2024"},
			{"2024-04-18T01:00:00Z", "08:00, thứ Năm, 18/04/2024"},
			{"2024-03-30T17:30:00Z", "00:30, Chủ Nhật, 31/03/2024"},
			{"2024-03-25T02:05:00Z", "09:05, thứ Hai, 25/03/2024"},
		} {
			if got := c.Time("vi", at(tc.utc)); got != tc.want {
				t.Errorf("%s: %q, want %q", tc.utc, got, tc.want)
			}
		}
		if got := c.Time("en", at("2024-03-28T01:00:00Z")); got != "08:00, Thursday, 28 March 2024" {
			t.Errorf("en: %q", got)
		}
	})
	t.Run("LongTimeAsThePlanWritesIt", func(t *testing.T) {
		if got := c.Long("vi", at("2024-03-28T01:00:00Z")); got != "08 giờ 00, thứ Năm, ngày 28 tháng 3 năm 2024" {
			t.Errorf("vi: %q", got)
		}
		if got := c.Date("vi", at("2024-03-20T01:00:00Z")); got != "ngày 20 tháng 3 năm 2024" {
			t.Errorf("date: %q", got)
		}
		if got := c.Date("en", at("2024-03-20T01:00:00Z")); got != "20 March 2024" {
			t.Errorf("en date: %q", got)
		}
	})
	t.Run("DecimalComma", func(t *testing.T) {
		for _, tc := range []struct {
			lang string
			f    float64
			want string
		}{{"vi", 4.5, "4,5"}, {"en", 4.5, "4.5"}, {"vi", 4, "4,0"}} {
			if got := texts.Decimal(tc.lang, tc.f, 1); got != tc.want {
				t.Errorf("%s %v: %q", tc.lang, tc.f, got)
			}
		}
		if got := texts.Percent("vi", 0.8534); got != "85,3%" {
			t.Errorf("percent %q", got)
		}
	})
	t.Run("PhoneAsPeopleWriteIt", func(t *testing.T) {
		for in, want := range map[string]string{"+84912888777": "0912 888 777", "+842838291234": "028 3829 1234", "+14155550100": "+14155550100"} {
			if got := texts.Phone(in); got != want {
				t.Errorf("%s: %q, want %q", in, got, want)
			}
		}
	})
}

func TestDefaultsNameTheBodies(t *testing.T) {
	c := texts.Must()
	if got := c.T("vi", "fb.thanks", map[string]any{"Title": "Hội nghị X"}); !strings.Contains(got, "Ban Tổ chức Đảng ủy") {
		t.Errorf("board default missing: %q", got)
	}
	if got := c.T("vi", "rsvp.closed", map[string]any{"Title": "Hội nghị X", "Office": ""}); !strings.Contains(got, "liên hệ trực tiếp Văn phòng Đảng ủy") {
		t.Errorf("office default missing for an empty value: %q", got)
	}
	got := c.T("vi", "rsvp.closed", map[string]any{"Title": "Hội nghị X", "Office": "Văn phòng Đảng ủy Quận 12"})
	if !strings.Contains(got, "Văn phòng Đảng ủy Quận 12") {
		t.Errorf("plan's office not used: %q", got)
	}
}

// TestGolden pins the key texts a delegate reads first, in both languages.
func TestGolden(t *testing.T) {
	c := texts.Must()
	title := "Hội nghị “sinh hoạt chi bộ thường kỳ” mẫu"
	invite := map[string]any{"Org": "Đảng ủy Sở Giáo dục và Đào tạo", "Name": "Lê Thị Thu Hà", "Title": title,
		"When": "08:00, thứ Năm, 28/03/2024", "Venue": "Hội trường", "Address": "390 Hoàng Văn Thụ", "Host": "Chi bộ 01",
		"Category": "Đảng viên", "Deadline": "17:00, thứ Ba, 26/03/2024"}
	for _, tc := range []struct {
		lang, id string
		data     map[string]any
		want     string
	}{
		{"vi", "invite.body", invite, "📨 GIẤY MỜI\nĐảng ủy Sở Giáo dục và Đào tạo trân trọng kính mời đồng chí Lê Thị Thu Hà tham dự " + title + ".\n\n🕗 Thời gian: 08:00, thứ Năm, 28/03/2024\n📍 Địa điểm: Hội trường, 390 Hoàng Văn Thụ\n🏛 Đơn vị thực hiện: Chi bộ 01\n👥 Thành phần: Đảng viên\n\nĐề nghị đồng chí xác nhận tham dự trước 17:00, thứ Ba, 26/03/2024."},
		{"en", "invite.body", invite, "📨 INVITATION\nĐảng ủy Sở Giáo dục và Đào tạo requests the honour of the presence of Lê Thị Thu Hà at " + title + ".\n\n🕗 Time: 08:00, thứ Năm, 28/03/2024\n📍 Venue: Hội trường, 390 Hoàng Văn Thụ\n🏛 Host: Chi bộ 01\n👥 Category: Đảng viên\n\nPlease confirm your attendance by 17:00, thứ Ba, 26/03/2024."},
		{"vi", "invite.answer_reason", map[string]any{"Answer": "Báo vắng", "Reason": "Đi công tác"}, "Trả lời của đồng chí: Báo vắng (lý do: Đi công tác)"},
		{"vi", "rsvp.thanks_substitute", nil, "Đề nghị cử người dự thay đã được chuyển đến Văn phòng Đảng ủy. Đồng chí sẽ được thông báo khi đề nghị được xem xét."},
		{"en", "rsvp.thanks_substitute", nil, "Your request to send a substitute has been passed to the Party Committee Office. You will be informed once it has been considered."},
		{"vi", "fb.thanks", map[string]any{"Title": title}, "Cảm ơn đồng chí đã góp ý về " + title + ". Ý kiến của đồng chí đã được chuyển đến Ban Tổ chức Đảng ủy để tổng hợp."},
		{"en", "fb.thanks", map[string]any{"Title": title}, "Thank you for your feedback on " + title + ". It has been passed to the Organization Board to be compiled."},
		{"vi", "fbq.rating", nil, "Đánh giá chung về hội nghị (1 = Kém, 2 = Yếu, 3 = Trung bình, 4 = Khá, 5 = Tốt)"},
		{"vi", "report.letter_addressee", map[string]any{"Name": "Lê Thị Thu Hà", "Position": "Phó Trưởng ban"}, "Đồng chí Lê Thị Thu Hà – Phó Trưởng ban"},
		{"vi", "report.page", map[string]any{"Page": 1, "Total": 3}, "Trang 1/3"},
	} {
		if got := c.T(tc.lang, tc.id, tc.data); got != tc.want {
			t.Errorf("%s %s:\n got %q\nwant %q", tc.lang, tc.id, got, tc.want)
		}
	}
}

// TestWording holds the Vietnamese catalog to the office's usage: one form
// of address, the bot speaking as the system, "hội nghị", no queue words and
// no button words in texts that text-only channels show.
func TestWording(t *testing.T) {
	c := texts.Must()
	banned := []string{"anh/chị", "Vui lòng", "vui lòng", "Tôi ", "Bot ", "bot sẽ", "cuộc họp", "giờ họp", "xếp hàng", "Ban tổ chức", "người đi thay", `"`,
		// one word for a person who can receive messages: "đã kết nối Trợ lý
		// hội nghị", not the account jargon "liên kết tài khoản" in counts (T
		// renders a missing value as <no value>)
		"đã liên kết <no value>", "Đã liên kết (", "chưa liên kết tài khoản", "Đã liên kết:", "liên kết ✗"}
	// Telegram-only texts (contact sharing) may name a button.
	buttonOK := map[string]bool{"start.share_phone": true, "link.contact_not_own": true}
	for _, id := range c.IDs() {
		s := c.T("vi", id, nil)
		for _, w := range banned {
			if strings.Contains(s, w) {
				t.Errorf("vi %s says %q: %q", id, w, s)
			}
		}
		if !buttonOK[id] && (strings.Contains(strings.ToLower(s), "bấm nút") || strings.Contains(strings.ToLower(s), "bấm tên")) {
			t.Errorf("vi %s tells a text-only channel to press: %q", id, s)
		}
		if en := strings.ToLower(c.T("en", id, nil)); !buttonOK[id] && (strings.Contains(en, "press the") || strings.Contains(en, "tap the")) {
			t.Errorf("en %s tells a text-only channel to press: %q", id, en)
		}
	}
}
