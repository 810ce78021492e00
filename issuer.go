package convene

import (
	"reflect"
	"slices"
	"strings"
)

// The names a plan gives its bodies when it says nothing else.
const (
	DefaultOffice = "Văn phòng Đảng ủy"
	DefaultBoard  = "Ban Tổ chức Đảng ủy"
)

// Issuer is who a meeting's documents come from, as the plan names it: the
// office that invites, answers questions, approves substitutes and takes the
// roll call; the board that compiles the delegates' opinions; what an
// invitation letter prints at its head and foot (the office's letter); and
// what the report prints at its head and foot (the board's report).
type Issuer struct {
	Office          string   `json:"office,omitempty"`           // default DefaultOffice
	Board           string   `json:"board,omitempty"`            // default DefaultBoard
	LetterNumber    string   `json:"letter_number,omitempty"`    // the letter's own number, e.g. 45-GM/ĐU
	Place           string   `json:"place,omitempty"`            // e.g. TP. Hồ Chí Minh
	ContactName     string   `json:"contact_name,omitempty"`     // who answers questions
	ContactPhone    string   `json:"contact_phone,omitempty"`    // E.164
	SignerAuthority string   `json:"signer_authority,omitempty"` // e.g. T/L BAN THƯỜNG VỤ
	SignerTitle     string   `json:"signer_title,omitempty"`     // e.g. CHÁNH VĂN PHÒNG
	SignerName      string   `json:"signer_name,omitempty"`
	Recipients      []string `json:"recipients,omitempty"` // Nơi nhận
	// The board's report ("Báo cáo tổng hợp ý kiến đại biểu"): its own
	// number, signature block and "Nơi nhận"; the report prints defaults
	// for what the plan leaves out (no number, TRƯỞNG BAN, the standing
	// committee, the office and the board's file).
	ReportNumber          string   `json:"report_number,omitempty"`           // e.g. 15-BC/BTCĐU
	ReportSignerAuthority string   `json:"report_signer_authority,omitempty"` // e.g. K/T TRƯỞNG BAN
	ReportSignerTitle     string   `json:"report_signer_title,omitempty"`     // e.g. TRƯỞNG BAN, PHÓ TRƯỞNG BAN
	ReportSignerName      string   `json:"report_signer_name,omitempty"`
	ReportRecipients      []string `json:"report_recipients,omitempty"`
}

// OfficeName returns the office's name, DefaultOffice if the plan gave none.
func (i Issuer) OfficeName() string { return orDefault(i.Office, DefaultOffice) }

// BoardName returns the board's name, DefaultBoard if the plan gave none.
func (i Issuer) BoardName() string { return orDefault(i.Board, DefaultBoard) }

func orDefault(s, def string) string {
	if s = strings.TrimSpace(s); s != "" {
		return s
	}
	return def
}

// Equal reports whether i and o are the same in every field.
func (i Issuer) Equal(o Issuer) bool {
	if !slices.Equal(i.Recipients, o.Recipients) || !slices.Equal(i.ReportRecipients, o.ReportRecipients) {
		return false
	}
	i.Recipients, o.Recipients = nil, nil
	i.ReportRecipients, o.ReportRecipients = nil, nil
	return reflect.DeepEqual(i, o)
}
