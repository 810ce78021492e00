package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/convene/convene"
	"github.com/convene/convene/bot"
	"github.com/convene/convene/plan"
	"github.com/convene/convene/report"
	"github.com/convene/convene/storage"
)

// services returns the storage implementations of the root services.
func (m *Main) services() bot.Services {
	db := m.DB
	return bot.Services{
		Meetings:      storage.NewMeetingService(db),
		People:        storage.NewPersonService(db),
		Invitations:   storage.NewInvitationService(db),
		Outbox:        storage.NewOutboxService(db),
		Conversations: storage.NewConversationService(db),
		Feedback:      storage.NewFeedbackService(db),
		Audit:         storage.NewAuditService(db),
		State:         storage.NewStateService(db),
		Plans:         storage.NewPlanService(db),
		Reminders:     storage.NewReminderService(db),
		Inbox:         storage.NewInboxService(db),
		Units:         storage.NewUnitService(db),
		Materials:     storage.NewMaterialService(db),
		Tx:            db,
	}
}

// newBot opens the database and returns the conversation core on it.
func (m *Main) newBot(ctx context.Context) (*bot.Bot, error) {
	if err := m.openDB(); err != nil {
		return nil, err
	}
	texts, err := bot.NewCatalog()
	if err != nil {
		return nil, err
	}
	var admins []string
	for _, a := range strings.Split(m.Config.Admins, ",") {
		if a = strings.TrimSpace(a); a != "" {
			admins = append(admins, a)
		}
	}
	b := bot.New(m.services(), bot.Config{Admins: admins, Lang: m.Config.Lang, NormalizePhone: plan.NormalizePhone,
		CheckinOpens: m.Config.CheckinOpens, LateAfter: m.Config.LateAfter}, texts)
	b.Logger = m.Logger
	b.Now = m.Now
	b.Reporter = &reporter{m: m}
	if m.Config.BotUsername != "" {
		if err := b.State.SetState(ctx, "telegram.username", strings.TrimPrefix(m.Config.BotUsername, "@")); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// reporter renders reports from the database for the bot's /report.
type reporter struct{ m *Main }

func (r *reporter) Report(ctx context.Context, code, format, lang string) ([]byte, string, error) {
	d, err := r.m.reportData(ctx, code, lang)
	if err != nil {
		return nil, "", err
	}
	var sb strings.Builder
	if err := report.Write(&sb, d, format); err != nil {
		return nil, "", err
	}
	return []byte(sb.String()), fmt.Sprintf("%s.%s", code, format), nil
}

// reportData loads everything a report of the meeting needs.
func (m *Main) reportData(ctx context.Context, code, lang string) (*report.Data, error) {
	svc := m.services()
	mt, err := svc.Meetings.FindMeetingByCode(ctx, code)
	if err != nil {
		return nil, err
	}
	cats, err := svc.Meetings.FindCategories(ctx, mt.ID)
	if err != nil {
		return nil, err
	}
	invs, _, err := svc.Invitations.FindInvitees(ctx, convene.InvitationFilter{MeetingID: mt.ID})
	if err != nil {
		return nil, err
	}
	fb, err := svc.Feedback.FindFeedback(ctx, mt.ID)
	if err != nil {
		return nil, err
	}
	resp, err := svc.Feedback.FeedbackResponders(ctx, mt.ID)
	if err != nil {
		return nil, err
	}
	units, err := storage.NewUnitService(m.DB).UnitCounts(ctx, mt.ID)
	if err != nil {
		return nil, err
	}
	if lang == "" {
		lang = m.Config.Lang
	}
	return &report.Data{Meeting: mt, Categories: cats, Invitees: invs, Feedback: fb, Responders: resp, Generated: m.Now(), Lang: lang,
		Units: units}, nil
}
