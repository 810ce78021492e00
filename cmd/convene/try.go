package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/convene/convene"
	"github.com/convene/convene/bot"
	"github.com/convene/convene/bot/console"
	"github.com/convene/convene/examples"
	"github.com/convene/convene/outbox"
	"github.com/convene/convene/plan"
)

// setupTry runs the whole bot in the terminal on a fresh temporary database
// with the example plan moved three days ahead: the user chats as a
// delegate and can switch with "/as organizer" and "/as delegate".
func (m *Main) setupTry(fs *flag.FlagSet) func(context.Context, []string) error {
	return func(ctx context.Context, args []string) error {
		dir, err := os.MkdirTemp("", "convene-try-")
		if err != nil {
			return err
		}
		m.closers = append(m.closers, func() error { return os.RemoveAll(dir) })
		m.Config.DB = filepath.Join(dir, "try.db")
		m.Config.Admins = "console:organizer"
		b, err := m.newBot(ctx)
		if err != nil {
			return err
		}
		delegate, starts, err := m.seedTry(ctx, b)
		if err != nil {
			return err
		}
		// The banner and the organizer's name speak of the example plan's office.
		var issuer convene.Issuer
		if mt, err := b.Meetings.FindMeetingByID(ctx, delegate.MeetingID); err == nil {
			issuer = mt.Issuer
		}
		ch := console.New(m.Stdin, m.Stdout, "delegate", delegate.Person.FullName)
		ch.OnLine = func(ctx context.Context, line string) bool {
			switch line {
			case "/as organizer":
				ch.Switch("organizer", b.Texts.T(m.Config.Lang, "try.as_organizer", map[string]any{"Office": issuer.OfficeName()}))
			case "/as delegate":
				ch.Switch("delegate", delegate.Person.FullName)
			default:
				return false
			}
			who := b.Texts.T(m.Config.Lang, "try.as_"+ch.User(), map[string]any{"Name": delegate.Person.FullName, "Office": issuer.OfficeName()})
			fmt.Fprintln(m.Stdout, b.Texts.T(m.Config.Lang, "try.switched", map[string]any{"Who": who}))
			return true
		}
		b.AddChannel(ch)
		fmt.Fprintln(m.Stdout, b.Texts.T(m.Config.Lang, "try.banner", map[string]any{
			"Name": delegate.Person.FullName, "Code": convene.GroupCode(delegate.Token), "Meeting": delegate.MeetingID,
			"Date": b.Texts.Date(m.Config.Lang, starts), "Office": issuer.OfficeName(),
		}))
		d := outbox.New(outbox.Config{Outbox: b.Outbox, Tx: m.DB, Channel: b.Channel, Channels: b.ChannelNames, Render: b.Render,
			OnBatchDone: b.ReportBatch, Wake: b.Woken(), Rate: 100, PerChat: 100, Poll: 50 * time.Millisecond, Logger: b.Logger, Now: b.Now})
		runCtx, cancel := context.WithCancel(ctx)
		var wg sync.WaitGroup
		wg.Add(1)
		go func() { defer wg.Done(); _ = d.Run(runCtx) }()
		// The terminal holds each line until it is handled, so lines go
		// straight to Handle; the next line waits for the replies, keeping
		// the conversation in order on screen.
		err = ch.Receive(runCtx, func(ctx context.Context, in *bot.Incoming) error {
			err := b.Handle(ctx, in)
			waitSent(ctx, b)
			return err
		})
		waitSent(ctx, b)
		cancel()
		wg.Wait()
		return err
	}
}

// seedTry applies the example plan moved to three days from now, each meeting
// at its own time of day, imports the example roster, issues the invitations
// of the first meeting, and returns the invitation the console user plays and
// the first meeting's new start.
func (m *Main) seedTry(ctx context.Context, b *bot.Bot) (*convene.Invitee, time.Time, error) {
	p, err := plan.ParseFS(examples.FS, examples.PlanFile)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("example plan: %w", err)
	}
	shift := tryShift(m.Now(), p.Meetings[0].Meeting.StartsAt, p.Meetings[0].Meeting.Location())
	for i := range p.Meetings {
		mt := &p.Meetings[i].Meeting
		mt.StartsAt = mt.StartsAt.Add(shift)
		if !mt.EndsAt.IsZero() {
			mt.EndsAt = mt.EndsAt.Add(shift)
		}
		if !mt.RSVPDeadline.IsZero() {
			mt.RSVPDeadline = mt.RSVPDeadline.Add(shift)
		}
		for j := range p.Meetings[i].Reminders {
			r := &p.Meetings[i].Reminders[j]
			for _, t := range []*time.Time{&r.At, &r.From, &r.Until} {
				if !t.IsZero() {
					*t = t.Add(shift)
				}
			}
		}
	}
	svc := m.services()
	if _, err := svc.Plans.ApplyPlan(ctx, p); err != nil {
		return nil, time.Time{}, err
	}
	code := p.Meetings[0].Meeting.Code
	entries, err := plan.ReadRoster(examples.Roster(), "csv")
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("example roster: %w", err)
	}
	if _, err := svc.Plans.ImportRoster(ctx, code, entries); err != nil {
		return nil, time.Time{}, err
	}
	if _, err := b.IssueInvitations(ctx, code, "try", 0); err != nil {
		return nil, time.Time{}, err
	}
	mt, err := svc.Meetings.FindMeetingByCode(ctx, code)
	if err != nil {
		return nil, time.Time{}, err
	}
	invs, _, err := svc.Invitations.FindInvitees(ctx, convene.InvitationFilter{MeetingID: mt.ID, Limit: 1})
	if err != nil || len(invs) == 0 {
		return nil, time.Time{}, fmt.Errorf("example roster has no invitees: %v", err)
	}
	return invs[0], mt.StartsAt, nil
}

// tryShift is how far to move a plan whose first meeting starts at start so
// that it starts three days after now on the calendar of loc, at the same
// time of day (08:00 stays 08:00).
func tryShift(now, start time.Time, loc *time.Location) time.Duration {
	s := start.In(loc)
	d := now.In(loc).AddDate(0, 0, 3)
	moved := time.Date(d.Year(), d.Month(), d.Day(), s.Hour(), s.Minute(), 0, 0, loc)
	return moved.Sub(start)
}

// waitSent waits, up to 3 s, until nothing is queued: the replies of the
// last line (and anything it caused) were printed.
func waitSent(ctx context.Context, b *bot.Bot) {
	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		if n, err := b.Outbox.QueueDepth(ctx); err != nil || n == 0 {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}
