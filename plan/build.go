package plan

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/convene/convene"
)

// plan converts the decoded file, checking each meeting where its lines are known.
func (b *builder) plan(fp *filePlan) (*convene.Plan, error) {
	tz := convene.DefaultTimezone
	if fp.Timezone.Set {
		tz = strings.TrimSpace(fp.Timezone.Value)
	}
	if _, err := loadLocation(tz); err != nil {
		return nil, b.errf(fp.Timezone.Line, "timezone %q: %v", tz, err)
	}
	p := &convene.Plan{
		Organization: strings.TrimSpace(fp.Organization),
		Number:       strings.TrimSpace(fp.Plan),
		Timezone:     tz,
	}
	iss, err := b.issuer(fp)
	if err != nil {
		return nil, err
	}
	p.Issuer = iss
	if len(fp.Meetings) == 0 {
		return nil, b.errf(0, "no meetings: the plan needs a meetings list")
	}
	seen := map[string]int{}
	for i := range fp.Meetings {
		pm, err := b.meeting(p, i, &fp.Meetings[i])
		if err != nil {
			return nil, err
		}
		code := pm.Meeting.Code
		if first, ok := seen[code]; ok {
			return nil, b.errf(b.meetingLine(i, fp.Meetings[i].Code), "meeting %s: code used twice (first on line %d)", code, first)
		}
		seen[code] = b.meetingLine(i, fp.Meetings[i].Code)
		p.Meetings = append(p.Meetings, pm)
	}
	return p, nil
}

// issuer reads the plan-wide names of the office and the board (with their
// defaults), the place letters are dated at, the contact and the signature.
func (b *builder) issuer(fp *filePlan) (convene.Issuer, error) {
	iss := convene.Issuer{
		Office:          strings.TrimSpace(fp.Office),
		Board:           strings.TrimSpace(fp.Board),
		Place:           strings.TrimSpace(fp.Place),
		ContactName:     strings.TrimSpace(fp.Contact),
		SignerAuthority: strings.TrimSpace(fp.Signer.Authority.Value),
		SignerTitle:     strings.TrimSpace(fp.Signer.Title.Value),
		SignerName:      strings.TrimSpace(fp.Signer.Name.Value),
	}
	iss.Office, iss.Board = iss.OfficeName(), iss.BoardName()
	iss.Recipients = recipients(fp.Recipients)
	// The board's report: its signer, checked whole, and its recipients.
	rs := fp.Report.Signer
	iss.ReportSignerAuthority = strings.TrimSpace(rs.Authority.Value)
	iss.ReportSignerTitle = strings.TrimSpace(rs.Title.Value)
	iss.ReportSignerName = strings.TrimSpace(rs.Name.Value)
	switch {
	case iss.ReportSignerAuthority != "" && iss.ReportSignerTitle == "":
		return iss, b.errf(rs.Authority.Line, "report: signer: authority %q needs the signer's own title under it, such as PHÓ TRƯỞNG BAN", iss.ReportSignerAuthority)
	case iss.ReportSignerName == "" && (iss.ReportSignerAuthority != "" || iss.ReportSignerTitle != ""):
		return iss, b.errf(line(0, rs.Title, rs.Authority), "report: signer: name required (printed under the signature)")
	}
	iss.ReportRecipients = recipients(fp.Report.Recipients)
	if v := strings.TrimSpace(fp.ContactPhone.Value); v != "" {
		e164, err := NormalizePhone(v)
		if err != nil {
			return iss, b.errf(fp.ContactPhone.Line, "contact_phone: %s", convene.ErrorMessage(err))
		}
		iss.ContactPhone = e164
	}
	return iss, nil
}

// recipients are the lines of a "Nơi nhận" list, blank ones left out.
func recipients(rs []string) []string {
	var out []string
	for _, r := range rs {
		if r = strings.TrimSpace(r); r != "" {
			out = append(out, r)
		}
	}
	return out
}

// docNumber matches a party document's number as it is written after
// "Số": the number, the kind of document (GM for a giấy mời, BC for a báo
// cáo), and the issuing body's initials: 45-GM/ĐU, 15-BC/BTCĐU.
func docNumber(kind string) *regexp.Regexp {
	return regexp.MustCompile(`^[0-9]+-` + kind + `/[^\s/][^\s]*$`)
}

var (
	letterNumber = docNumber("GM")
	reportNumber = docNumber("BC")
)

// checkDocNumber explains what is wrong with a letter_number (kind GM) or a
// report_number (kind BC), or returns "".
func checkDocNumber(n string, re *regexp.Regexp, example string) string {
	switch {
	case n == "":
		return ""
	case strings.HasPrefix(strings.ToLower(n), "số"):
		return `write the number without "Số", which the document prints before it: such as ` + example
	case !re.MatchString(n):
		kind := strings.SplitN(strings.SplitN(example, "-", 2)[1], "/", 2)[0]
		return "want the number, -" + kind + "/ and the issuing body's initials, such as " + example
	}
	return ""
}

// meetingLine returns the line where meeting i starts.
func (b *builder) meetingLine(i int, code scalar) int {
	if i < len(b.meetingLines) {
		return b.meetingLines[i]
	}
	return code.Line
}

func loadLocation(name string) (*time.Location, error) {
	if name == "" || strings.EqualFold(name, "local") {
		return nil, fmt.Errorf("name an IANA time zone such as %s", convene.DefaultTimezone)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("unknown time zone")
	}
	return loc, nil
}

func (b *builder) meeting(p *convene.Plan, i int, fm *fileMeeting) (convene.PlanMeeting, error) {
	mline := b.meetingLine(i, fm.Code)
	code := strings.TrimSpace(fm.Code.Value)
	name := "meeting " + code
	if code == "" {
		return convene.PlanMeeting{}, b.errf(mline, "meeting %d: code required (a slug such as chi-bo-01)", i+1)
	}
	if !convene.ValidSlug(code) {
		return convene.PlanMeeting{}, b.errf(line(mline, fm.Code), "%s: code must be a slug: lowercase letters, digits and dashes", name)
	}
	tz := p.Timezone
	if fm.Timezone.Set {
		tz = strings.TrimSpace(fm.Timezone.Value)
	}
	loc, err := loadLocation(tz)
	if err != nil {
		return convene.PlanMeeting{}, b.errf(line(mline, fm.Timezone), "%s: timezone %q: %v", name, tz, err)
	}
	kind := convene.MeetingKind(strings.TrimSpace(fm.Kind.Value))
	if kind == "" {
		kind = convene.KindOther
	}
	m := convene.Meeting{
		Code:         code,
		Title:        strings.TrimSpace(fm.Title),
		Kind:         kind,
		Host:         strings.TrimSpace(fm.Host),
		Organization: p.Organization,
		Issuer:       p.Issuer,
		Plan:         p.Number,
		Timezone:     tz,
		Venue:        strings.TrimSpace(fm.Venue),
		Address:      strings.TrimSpace(fm.Address),
		Agenda:       strings.TrimSpace(fm.Agenda),
	}
	m.Issuer.LetterNumber = strings.TrimSpace(fm.LetterNumber.Value)
	if why := checkDocNumber(m.Issuer.LetterNumber, letterNumber, "45-GM/ĐU"); why != "" {
		return convene.PlanMeeting{}, b.errf(line(mline, fm.LetterNumber), "%s: letter_number %q: %s", name, m.Issuer.LetterNumber, why)
	}
	m.Issuer.ReportNumber = strings.TrimSpace(fm.ReportNumber.Value)
	if why := checkDocNumber(m.Issuer.ReportNumber, reportNumber, "15-BC/BTCĐU"); why != "" {
		return convene.PlanMeeting{}, b.errf(line(mline, fm.ReportNumber), "%s: report_number %q: %s", name, m.Issuer.ReportNumber, why)
	}
	times := []struct {
		key string
		s   scalar
		t   *time.Time
	}{
		{"starts_at", fm.StartsAt, &m.StartsAt},
		{"ends_at", fm.EndsAt, &m.EndsAt},
		{"rsvp_deadline", fm.RSVPDeadline, &m.RSVPDeadline},
	}
	for _, f := range times {
		if !f.s.Set {
			continue
		}
		if *f.t, err = ParseTime(f.s.Value, loc); err != nil {
			return convene.PlanMeeting{}, b.errf(line(mline, f.s), "%s: %s %q: %v", name, f.key, f.s.Value, err)
		}
	}
	if fm.Feedback != nil {
		if m.Feedback, err = b.feedback(name, mline, fm.Feedback); err != nil {
			return convene.PlanMeeting{}, err
		}
	}
	if m.Program, err = b.program(name, mline, &m, loc, fm); err != nil {
		return convene.PlanMeeting{}, err
	}
	if err := m.Validate(); err != nil {
		return convene.PlanMeeting{}, b.errf(mline, "%s", convene.ErrorMessage(err))
	}
	pm := convene.PlanMeeting{Meeting: m}
	if pm.Categories, err = b.categories(name, mline, fm.Categories); err != nil {
		return convene.PlanMeeting{}, err
	}
	if pm.Units, err = b.units(name, mline, &m, loc, pm.Categories, fm.Units); err != nil {
		return convene.PlanMeeting{}, err
	}
	if pm.Materials, err = b.materials(name, mline, fm.Materials); err != nil { // material.go
		return convene.PlanMeeting{}, err
	}
	if pm.Reminders, err = b.reminders(name, mline, &pm.Meeting, loc, fm.Reminders); err != nil {
		return convene.PlanMeeting{}, err
	}
	return pm, nil
}

func (b *builder) categories(name string, mline int, fcs []fileCategory) ([]convene.Category, error) {
	if len(fcs) == 0 {
		return nil, b.errf(mline, "%s: at least one category required", name)
	}
	cats := make([]convene.Category, 0, len(fcs))
	seen := map[string]bool{}
	for i, fc := range fcs {
		c := convene.Category{
			Code:     strings.TrimSpace(fc.Code.Value),
			Name:     strings.TrimSpace(fc.Name),
			Quota:    fc.Quota,
			Position: i,
			Guests:   fc.Guests,
		}
		if err := c.Validate(); err != nil {
			return nil, b.errf(line(mline, fc.Code), "%s: %s", name, convene.ErrorMessage(err))
		}
		if seen[c.Code] {
			return nil, b.errf(line(mline, fc.Code), "%s: category code %q used twice", name, c.Code)
		}
		seen[c.Code] = true
		cats = append(cats, c)
	}
	return cats, nil
}

func (b *builder) feedback(name string, mline int, ff *fileFeedback) (convene.FeedbackSettings, error) {
	s := convene.FeedbackSettings{Anonymous: ff.Anonymous}
	var err error
	if ff.From.Set {
		s.From = convene.FeedbackFrom(strings.TrimSpace(ff.From.Value))
		if err := s.Validate(); err != nil {
			return s, b.errf(ff.From.Line, "%s: %s", name, convene.ErrorMessage(err))
		}
	}
	if ff.OpenDelay.Set {
		if s.OpenDelay, err = ParseDuration(ff.OpenDelay.Value); err != nil {
			return s, b.errf(ff.OpenDelay.Line, "%s: feedback open_delay %q: %v", name, ff.OpenDelay.Value, err)
		}
	}
	if ff.Period.Set {
		if s.Period, err = ParseDuration(ff.Period.Value); err != nil {
			return s, b.errf(ff.Period.Line, "%s: feedback period %q: %v", name, ff.Period.Value, err)
		}
	}
	for _, fq := range ff.Questions {
		q := convene.Question{
			ID:   strings.TrimSpace(fq.ID.Value),
			Kind: convene.QuestionKind(strings.TrimSpace(fq.Kind.Value)),
			Text: strings.TrimSpace(fq.Text),
		}
		if q.Kind == "" {
			q.Kind = convene.QuestionText
		}
		s.Questions = append(s.Questions, q)
		// Check the list so far, so the error points at this question.
		if err := s.Validate(); err != nil {
			return s, b.errf(line(mline, fq.ID, fq.Kind), "%s: %s", name, convene.ErrorMessage(err))
		}
	}
	return s, nil
}
