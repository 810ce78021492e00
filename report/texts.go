package report

import (
	"fmt"
	"time"
)

// texts holds every label a report shows, in Vietnamese and English.
var texts = map[string][2]string{
	"title":              {"Báo cáo tổng hợp ý kiến đại biểu", "Compiled report of delegates' feedback"},
	"attendance_title":   {"Báo cáo điểm danh", "Attendance report"},
	"meeting":            {"Hội nghị", "Meeting"},
	"time":               {"Thời gian", "Time"},
	"venue":              {"Địa điểm", "Venue"},
	"host":               {"Đơn vị thực hiện", "Host"},
	"generated":          {"Lập lúc", "Generated"},
	"summary":            {"Tổng hợp", "Summary"},
	"invited":            {"Được mời", "Invited"},
	"linked":             {"Đã liên kết", "Linked"},
	"attending":          {"Xác nhận dự", "Attending"},
	"declined":           {"Báo vắng", "Declined"},
	"substitute":         {"Cử người thay", "Substitute"},
	"pending":            {"Chưa trả lời", "No answer"},
	"present":            {"Có mặt", "Present"},
	"late":               {"Đến muộn", "Late"},
	"excused":            {"Vắng có lý do", "Excused"},
	"absent":             {"Vắng không lý do", "Absent"},
	"responses":          {"Góp ý đã gửi", "Feedback given"},
	"response_rate":      {"Tỷ lệ góp ý", "Response rate"},
	"by_category":        {"Theo thành phần", "By category"},
	"by_unit":            {"Theo đơn vị", "By unit"},
	"category":           {"Thành phần", "Category"},
	"unit":               {"Đơn vị", "Unit"},
	"name":               {"Họ và tên", "Full name"},
	"title_col":          {"Chức vụ", "Title"},
	"phone":              {"Số điện thoại", "Phone"},
	"rsvp":               {"Trả lời", "Answer"},
	"attendance":         {"Điểm danh", "Attendance"},
	"checked_in_at":      {"Giờ điểm danh", "Checked in at"},
	"reason":             {"Lý do", "Reason"},
	"excused_list":       {"Đại biểu vắng có lý do", "Excused, with reasons"},
	"feedback":           {"Ý kiến đại biểu", "Delegates' feedback"},
	"no_answers":         {"(chưa có ý kiến)", "(no answers)"},
	"anonymous":          {"Góp ý ẩn danh: không ghi tên người góp ý.", "Anonymous feedback: answers are shown without names."},
	"rating":             {"Đánh giá chung", "Overall rating"},
	"other_units":        {"Các đơn vị khác (mỗi đơn vị dưới 3 người góp ý)", "Other units (fewer than 3 responders each)"},
	"other_categories":   {"Các thành phần khác (mỗi thành phần dưới 3 người góp ý)", "Other categories (fewer than 3 responders each)"},
	"rating_average":     {"Điểm trung bình", "Average"},
	"ratings":            {"lượt đánh giá", "ratings"},
	"sheet_summary":      {"Tổng hợp", "Summary"},
	"sheet_attendance":   {"Điểm danh", "Attendance"},
	"sheet_feedback":     {"Ý kiến", "Feedback"},
	"sheet_rate":         {"Tỷ lệ góp ý", "Response rate"},
	"chart_attendance":   {"Điểm danh theo thành phần", "Attendance by category"},
	"chart_rating":       {"Phân bố điểm đánh giá", "Rating distribution"},
	"question":           {"Câu hỏi", "Question"},
	"answer":             {"Ý kiến", "Answer"},
	"count":              {"Số lượng", "Count"},
	"score":              {"Điểm", "Score"},
	"letter_title":       {"GIẤY MỜI", "INVITATION"},
	"letter_to":          {"Kính gửi", "To"},
	"letter_invite":      {"Trân trọng kính mời đồng chí đến dự", "You are cordially invited to attend"},
	"letter_deadline":    {"Vui lòng xác nhận tham dự trước", "Please confirm your attendance by"},
	"letter_scan":        {"Quét mã QR bằng điện thoại để mở trợ lý hội nghị trên Telegram, xác nhận tham dự và nhận nhắc lịch.", "Scan the QR code with your phone to open the meeting assistant on Telegram, confirm your attendance and get reminders."},
	"letter_code":        {"Mã cá nhân", "Personal code"},
	"rsvp.pending":       {"Chưa trả lời", "No answer"},
	"rsvp.attending":     {"Tham dự", "Attending"},
	"rsvp.declined":      {"Vắng", "Declined"},
	"rsvp.substitute":    {"Cử người thay", "Substitute"},
	"attendance.":        {"—", "—"},
	"attendance.present": {"Có mặt", "Present"},
	"attendance.late":    {"Đến muộn", "Late"},
	"attendance.excused": {"Vắng có lý do", "Excused"},
	"attendance.absent":  {"Vắng", "Absent"},
	"q.strengths":        {"Những mặt làm được cần tiếp tục phát huy?", "What went well and should continue?"},
	"q.weaknesses":       {"Những mặt hạn chế, chưa đúng cần khắc phục?", "What fell short or was wrong and must be fixed?"},
	"q.suggestions":      {"Những thiếu sót trong quá trình chuẩn bị, tổ chức sinh hoạt và công tác điều hành cần bổ sung?", "What was missing in the preparation, organization and chairing?"},
	"q.rating":           {"Đánh giá chung về hội nghị (1–5)", "Overall rating of the meeting (1–5)"},
	"yes":                {"có", "yes"},
	"no":                 {"không", "no"},
}

// T returns the label id in lang ("en", else Vietnamese).
func T(lang, id string) string {
	t, ok := texts[id]
	if !ok {
		return id
	}
	if lang == "en" {
		return t[1]
	}
	return t[0]
}

var weekdaysVI = [...]string{"Chủ Nhật", "thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy"}

// VietnameseTime formats t in loc as "08:00, thứ Năm, 28/03/2024".
func VietnameseTime(t time.Time, loc *time.Location) string {
	lt := t.In(loc)
	return fmt.Sprintf("%s, %s, %s", lt.Format("15:04"), weekdaysVI[lt.Weekday()], lt.Format("02/01/2006"))
}

// EnglishTime formats t in loc as "08:00, Thursday, 28 March 2024".
func EnglishTime(t time.Time, loc *time.Location) string {
	return t.In(loc).Format("15:04, Monday, 2 January 2006")
}

// when formats t for the report's language in the meeting's zone.
func when(d *Data, t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	if d.Lang == "en" {
		return EnglishTime(t, d.Meeting.Location())
	}
	return VietnameseTime(t, d.Meeting.Location())
}
