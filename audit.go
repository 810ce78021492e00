package convene

import (
	"context"
	"time"
)

// AuditEntry records who did what, when.
type AuditEntry struct {
	ID        int64
	At        time.Time
	Actor     string // "telegram:123", "cli", "scheduler"
	Action    string // "rsvp", "invite", "grant", "checkin", …
	MeetingID int64
	Subject   string // e.g. "invitation:12"
	Detail    string
}

// Validate returns EINVALID for an entry without actor or action.
func (e *AuditEntry) Validate() error {
	if e.Actor == "" || e.Action == "" {
		return Errorf(EINVALID, "audit: actor and action required")
	}
	return nil
}

// AuditService keeps the audit log.
type AuditService interface {
	// RecordAudit appends e, setting its time.
	RecordAudit(ctx context.Context, e *AuditEntry) error
	// FindAudit returns a meeting's entries (all if meetingID is 0), newest first, at most limit.
	FindAudit(ctx context.Context, meetingID int64, limit int) ([]*AuditEntry, error)
}
