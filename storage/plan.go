package storage

import (
	"context"

	"github.com/convene/convene"
)

var _ convene.PlanService = (*PlanService)(nil)

// PlanService implements convene.PlanService.
type PlanService struct{ db *DB }

// NewPlanService returns a PlanService on db.
func NewPlanService(db *DB) *PlanService { return &PlanService{db: db} }

// ApplyPlan creates or updates the plan's meetings by code, with their
// categories (by code; one removed from the plan is deleted, or EINVALID if
// invitations use it), reminder rules (by key; removed ones deleted) and
// feedback settings, in one transaction. Meetings keep their id, status and
// feedback times. A meeting whose start, end, venue or address changed is
// listed in Moved as well as Updated. Applying the same plan again lists
// every meeting as Unchanged and writes nothing. Returns EINVALID for an
// invalid plan.
func (s *PlanService) ApplyPlan(ctx context.Context, p *convene.Plan) (*convene.ApplyResult, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	res := &convene.ApplyResult{}
	err := s.db.inTx(ctx, func(tx *Tx) error {
		for i := range p.Meetings {
			if err := applyMeeting(ctx, tx, &p.Meetings[i], res); err != nil {
				return wrapf(err, "meeting %s", p.Meetings[i].Meeting.Code)
			}
		}
		return nil
	})
	if err != nil {
		return nil, wrapf(err, "apply plan")
	}
	return res, nil
}

// applyMeeting creates or updates one meeting of a plan and records what it did in res.
func applyMeeting(ctx context.Context, tx *Tx, pm *convene.PlanMeeting, res *convene.ApplyResult) error {
	m := pm.Meeting
	if m.Kind == "" {
		m.Kind = convene.KindOther
	}
	fb := encodeFeedback(m.Feedback)
	old, err := findMeetingByCode(ctx, tx, m.Code)
	changed, moved := false, false
	switch convene.ErrorCode(err) {
	case convene.ENOTFOUND:
		r, err := tx.ExecContext(ctx, `INSERT INTO meetings (code, title, kind, host, organization, plan, starts_at, ends_at, timezone,
			venue, address, agenda, rsvp_deadline, status, feedback, created_at, updated_at, issuer, program)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?, ?, ?)`,
			m.Code, m.Title, m.Kind, m.Host, m.Organization, m.Plan, ts(m.StartsAt), ts(m.EndsAt), m.Timezone,
			m.Venue, m.Address, m.Agenda, ts(m.RSVPDeadline), fb, ts(tx.now), ts(tx.now), encodeIssuer(m.Issuer), encodeProgram(m.Program))
		if err != nil {
			return err
		}
		if m.ID, err = r.LastInsertId(); err != nil {
			return err
		}
		res.Created = append(res.Created, m.Code)
	case "":
		m.ID = old.ID
		moved = !old.StartsAt.Equal(m.StartsAt) || !old.End().Equal(m.End()) || old.Venue != m.Venue || old.Address != m.Address
		changed = moved || !old.EndsAt.Equal(m.EndsAt) || old.Title != m.Title || old.Kind != m.Kind || old.Host != m.Host || old.Organization != m.Organization ||
			old.Plan != m.Plan || old.Timezone != m.Timezone || old.Agenda != m.Agenda || !old.RSVPDeadline.Equal(m.RSVPDeadline) ||
			encodeFeedback(old.Feedback) != fb || !old.Issuer.Equal(m.Issuer) || !old.Program.Equal(m.Program)
		if changed {
			if _, err := tx.ExecContext(ctx, `UPDATE meetings SET title = ?, kind = ?, host = ?, organization = ?, plan = ?, starts_at = ?,
				ends_at = ?, timezone = ?, venue = ?, address = ?, agenda = ?, rsvp_deadline = ?, feedback = ?, updated_at = ?, issuer = ?,
				program = ? WHERE id = ?`,
				m.Title, m.Kind, m.Host, m.Organization, m.Plan, ts(m.StartsAt), ts(m.EndsAt), m.Timezone, m.Venue, m.Address,
				m.Agenda, ts(m.RSVPDeadline), fb, ts(tx.now), encodeIssuer(m.Issuer), encodeProgram(m.Program), m.ID); err != nil {
				return err
			}
		}
	default:
		return err
	}
	catChanged, err := applyCategories(ctx, tx, m.ID, pm.Categories)
	if err != nil {
		return err
	}
	ruleChanged, err := applyRules(ctx, tx, m.ID, pm.Reminders)
	if err != nil {
		return err
	}
	unitChanged, err := applyUnits(ctx, tx, &m, pm.Units)
	if err != nil {
		return err
	}
	matChanged, err := applyMaterials(ctx, tx, m.ID, pm.Materials) // material.go
	if err != nil {
		return err
	}
	ruleChanged = ruleChanged || unitChanged || matChanged
	if old == nil {
		return nil
	}
	switch {
	case changed || catChanged || ruleChanged:
		if !changed {
			if _, err := tx.ExecContext(ctx, `UPDATE meetings SET updated_at = ? WHERE id = ?`, ts(tx.now), m.ID); err != nil {
				return err
			}
		}
		res.Updated = append(res.Updated, m.Code)
	default:
		res.Unchanged = append(res.Unchanged, m.Code)
	}
	if moved {
		res.Moved = append(res.Moved, m.Code)
	}
	return nil
}

// applyCategories makes the meeting's categories those given, reporting whether anything changed.
func applyCategories(ctx context.Context, tx *Tx, meetingID int64, cats []convene.Category) (bool, error) {
	old, err := findCategories(ctx, tx, meetingID)
	if err != nil {
		return false, err
	}
	byCode := map[string]*convene.Category{}
	for _, c := range old {
		byCode[c.Code] = c
	}
	changed := false
	keep := map[string]bool{}
	for i, c := range cats {
		keep[c.Code] = true
		o, ok := byCode[c.Code]
		switch {
		case !ok:
			changed = true
			if _, err := tx.ExecContext(ctx, `INSERT INTO categories (meeting_id, code, name, quota, position, guests) VALUES (?, ?, ?, ?, ?, ?)`,
				meetingID, c.Code, c.Name, c.Quota, i, c.Guests); err != nil {
				return false, err
			}
		case o.Name != c.Name || o.Quota != c.Quota || o.Position != i || o.Guests != c.Guests:
			changed = true
			if _, err := tx.ExecContext(ctx, `UPDATE categories SET name = ?, quota = ?, position = ?, guests = ? WHERE id = ?`, c.Name, c.Quota, i, c.Guests, o.ID); err != nil {
				return false, err
			}
		}
	}
	for _, o := range old {
		if keep[o.Code] {
			continue
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM invitations WHERE category_id = ?`, o.ID).Scan(&n); err != nil {
			return false, err
		}
		if n > 0 {
			return false, convene.Errorf(convene.EINVALID, "category %q is missing from the plan but %d invitation(s) use it", o.Code, n)
		}
		changed = true
		if _, err := tx.ExecContext(ctx, `DELETE FROM categories WHERE id = ?`, o.ID); err != nil {
			return false, err
		}
	}
	return changed, nil
}

// applyRules makes the meeting's reminder rules those given, by key.
func applyRules(ctx context.Context, tx *Tx, meetingID int64, rules []convene.ReminderRule) (bool, error) {
	old, err := findReminderRules(ctx, tx, meetingID)
	if err != nil {
		return false, err
	}
	byKey := map[string]*convene.ReminderRule{}
	for _, r := range old {
		byKey[r.Key] = r
	}
	changed := false
	keep := map[string]bool{}
	for _, r := range rules {
		keep[r.Key] = true
		o, ok := byKey[r.Key]
		if ok && o.Kind == r.Kind && o.Before == r.Before && o.Cron == r.Cron && o.At.Equal(r.At) && o.Audience == r.Audience &&
			o.From.Equal(r.From) && o.Until.Equal(r.Until) {
			continue
		}
		changed = true
		if _, err := tx.ExecContext(ctx, `INSERT INTO reminder_rules (meeting_id, key, kind, before_ns, cron, at, audience, from_at, until_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (meeting_id, key) DO UPDATE SET kind = excluded.kind, before_ns = excluded.before_ns, cron = excluded.cron,
			at = excluded.at, audience = excluded.audience, from_at = excluded.from_at, until_at = excluded.until_at`,
			meetingID, r.Key, r.Kind, int64(r.Before), r.Cron, ts(r.At), r.Audience, ts(r.From), ts(r.Until)); err != nil {
			return false, err
		}
	}
	for _, o := range old {
		if !keep[o.Key] {
			changed = true
			if _, err := tx.ExecContext(ctx, `DELETE FROM reminder_rules WHERE id = ?`, o.ID); err != nil {
				return false, err
			}
		}
	}
	return changed, nil
}
