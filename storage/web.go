package storage

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"strconv"
	"time"

	"github.com/convene/convene"
)

// WebService implements convene.WebService: the web desk's login links and
// sessions, kept as hashes of their secrets.
type WebService struct{ db *DB }

var _ convene.WebService = (*WebService)(nil)

// NewWebService returns the web desk service on db.
func NewWebService(db *DB) *WebService { return &WebService{db: db} }

// newSecret returns 256 random bits, base64url.
func newSecret() string {
	buf := make([]byte, 32)
	_, _ = rand.Read(buf) // never fails (crypto/rand)
	return base64.RawURLEncoding.EncodeToString(buf)
}

// secretHash is what the database keeps of a secret.
func secretHash(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

// CreateLoginLink stores the hash of a new one-time token of the account and
// returns the token. Old expired links and sessions are swept on the way.
func (s *WebService) CreateLoginLink(ctx context.Context, accountID int64, ttl time.Duration) (string, error) {
	tok := newSecret()
	err := s.db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM web_login_links WHERE expires_at < ?`, ts(tx.now.Add(-24*time.Hour))); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM web_sessions WHERE expires_at < ?`, ts(tx.now)); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO web_login_links (token_hash, account_id, expires_at, created_at) VALUES (?, ?, ?, ?)`,
			secretHash(tok), accountID, ts(tx.now.Add(ttl)), ts(tx.now))
		return err
	})
	if err != nil {
		return "", wrapf(err, "create login link of account %d", accountID)
	}
	return tok, nil
}

// RedeemLoginLink marks the token used and starts a session in one
// transaction, so a token never starts two sessions.
func (s *WebService) RedeemLoginLink(ctx context.Context, token string, ttl time.Duration) (string, *convene.WebSession, error) {
	id := newSecret()
	var ws *convene.WebSession
	err := s.db.inTx(ctx, func(tx *Tx) error {
		var acc, exp, used int64
		err := tx.QueryRowContext(ctx, `SELECT account_id, expires_at, used_at FROM web_login_links WHERE token_hash = ?`,
			secretHash(token)).Scan(&acc, &exp, &used)
		if err != nil {
			return notFound(err, "unknown login link")
		}
		switch {
		case used != 0:
			return convene.Errorf(convene.ECONFLICT, "login link already used")
		case tx.now.After(tm(exp)):
			return convene.Errorf(convene.EEXPIRED, "login link expired")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE web_login_links SET used_at = ? WHERE token_hash = ?`, ts(tx.now), secretHash(token)); err != nil {
			return err
		}
		ws = &convene.WebSession{AccountID: acc, ExpiresAt: tm(ts(tx.now.Add(ttl))), CreatedAt: tm(ts(tx.now))}
		if _, err := tx.ExecContext(ctx, `INSERT INTO web_sessions (id_hash, account_id, expires_at, created_at) VALUES (?, ?, ?, ?)`,
			secretHash(id), acc, ts(ws.ExpiresAt), ts(ws.CreatedAt)); err != nil {
			return err
		}
		return audit(ctx, tx, &convene.AuditEntry{Actor: "web", Action: "web-login", Subject: "account:" + strconv.FormatInt(acc, 10)})
	})
	if err != nil {
		return "", nil, wrapf(err, "redeem login link")
	}
	return id, ws, nil
}

// FindWebSession returns the session with the secret id.
func (s *WebService) FindWebSession(ctx context.Context, sessionID string) (*convene.WebSession, error) {
	var ws convene.WebSession
	err := s.db.view(ctx, func(tx *Tx) error {
		var exp, created int64
		err := tx.QueryRowContext(ctx, `SELECT account_id, lang, expires_at, created_at FROM web_sessions WHERE id_hash = ?`,
			secretHash(sessionID)).Scan(&ws.AccountID, &ws.Lang, &exp, &created)
		if err != nil {
			return notFound(err, "unknown session")
		}
		ws.ExpiresAt, ws.CreatedAt = tm(exp), tm(created)
		if tx.now.After(ws.ExpiresAt) {
			return convene.Errorf(convene.EEXPIRED, "session expired")
		}
		return nil
	})
	if err != nil {
		return nil, wrapf(err, "find web session")
	}
	return &ws, nil
}

// DeleteWebSession ends the session.
func (s *WebService) DeleteWebSession(ctx context.Context, sessionID string) error {
	return wrapf(s.db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM web_sessions WHERE id_hash = ?`, secretHash(sessionID))
		return err
	}), "delete web session")
}

// ExcuseInvitation marks the invitee excused at the desk.
func (s *WebService) ExcuseInvitation(ctx context.Context, id int64, actor string) (*convene.Invitation, error) {
	var out *convene.Invitation
	err := s.db.inTx(ctx, func(tx *Tx) error {
		v, err := findInviteeWhere(ctx, tx, `i.id = ?`, id)
		if err != nil {
			return err
		}
		if !v.CheckedInAt.IsZero() || v.Attendance == convene.AttendanceExcused {
			out = &v.Invitation
			return convene.Errorf(convene.ECONFLICT, "already %s", v.Attendance)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE invitations SET attendance = 'excused' WHERE id = ?`, id); err != nil {
			return err
		}
		v.Attendance = convene.AttendanceExcused
		out = &v.Invitation
		return audit(ctx, tx, &convene.AuditEntry{Actor: actor, Action: "excuse", MeetingID: v.MeetingID, Subject: invitationSubject(id)})
	})
	return out, wrapf(err, "excuse invitation %d", id)
}

// UnexcuseInvitation clears an excuse given at the desk.
func (s *WebService) UnexcuseInvitation(ctx context.Context, id int64, actor string) (*convene.Invitation, error) {
	var out *convene.Invitation
	err := s.db.inTx(ctx, func(tx *Tx) error {
		v, err := findInviteeWhere(ctx, tx, `i.id = ?`, id)
		if err != nil {
			return err
		}
		out = &v.Invitation
		if v.Attendance != convene.AttendanceExcused || v.RSVP == convene.RSVPDeclined {
			return convene.Errorf(convene.ECONFLICT, "not excused at the desk")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE invitations SET attendance = '' WHERE id = ?`, id); err != nil {
			return err
		}
		v.Attendance = convene.AttendanceNone
		return audit(ctx, tx, &convene.AuditEntry{Actor: actor, Action: "excuse-undo", MeetingID: v.MeetingID, Subject: invitationSubject(id)})
	})
	return out, wrapf(err, "unexcuse invitation %d", id)
}

// LastChange returns the id of the newest audit entry: answers, check-ins
// and the other changes live pages show all write one. It reads one row.
func (s *WebService) LastChange(ctx context.Context) (int64, error) {
	var n sql.NullInt64
	err := s.db.view(ctx, func(tx *Tx) error {
		return tx.QueryRowContext(ctx, `SELECT max(id) FROM audit`).Scan(&n)
	})
	return n.Int64, wrapf(err, "last change")
}

// FindMessagesTo returns the newest messages queued for the person's accounts.
func (s *WebService) FindMessagesTo(ctx context.Context, personID int64, limit int) ([]*convene.MessageState, error) {
	var out []*convene.MessageState
	err := s.db.view(ctx, func(tx *Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT o.channel, o.state, substr(coalesce(json_extract(o.content, '$.text'), ''), 1, 200),
			o.error, o.created_at, o.sent_at
			FROM accounts a JOIN outbox o ON o.account_id = a.id WHERE a.person_id = ? ORDER BY o.id DESC LIMIT ?`, personID, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var m convene.MessageState
			var created, sent int64
			if err := rows.Scan(&m.Channel, &m.State, &m.Text, &m.Error, &created, &sent); err != nil {
				return err
			}
			m.CreatedAt, m.SentAt = tm(created), tm(sent)
			out = append(out, &m)
		}
		return rows.Err()
	})
	return out, wrapf(err, "messages to person %d", personID)
}

// RecentCheckins returns the meeting's latest limit check-ins, newest first.
func (s *WebService) RecentCheckins(ctx context.Context, meetingID int64, limit int) ([]*convene.Checkin, error) {
	var out []*convene.Checkin
	err := s.db.view(ctx, func(tx *Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT i.id, p.full_name, p.unit, i.attendance, i.checkin_method, i.checked_in_at
			FROM invitations i JOIN people p ON p.id = i.person_id
			WHERE i.meeting_id = ? AND i.checked_in_at > 0 ORDER BY i.checked_in_at DESC, i.id DESC LIMIT ?`, meetingID, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c convene.Checkin
			var at int64
			if err := rows.Scan(&c.InvitationID, &c.FullName, &c.Unit, &c.Attendance, &c.Method, &at); err != nil {
				return err
			}
			c.At = tm(at)
			out = append(out, &c)
		}
		return rows.Err()
	})
	return out, wrapf(err, "recent check-ins of meeting %d", meetingID)
}
