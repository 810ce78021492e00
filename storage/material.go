package storage

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"

	"github.com/convene/convene"
)

var _ convene.MaterialService = (*MaterialService)(nil)

// MaterialService implements convene.MaterialService.
type MaterialService struct{ db *DB }

// NewMaterialService returns a MaterialService on db.
func NewMaterialService(db *DB) *MaterialService { return &MaterialService{db: db} }

const materialColumns = `id, meeting_id, position, title, file_name, mime, sha256, size`

func scanMaterial(row interface{ Scan(...any) error }) (*convene.Material, error) {
	var m convene.Material
	if err := row.Scan(&m.ID, &m.MeetingID, &m.Position, &m.Title, &m.Name, &m.MIME, &m.SHA256, &m.Size); err != nil {
		return nil, err
	}
	return &m, nil
}

// FindMaterials returns a meeting's materials in plan order, without their data.
func (s *MaterialService) FindMaterials(ctx context.Context, meetingID int64) ([]*convene.Material, error) {
	var out []*convene.Material
	err := s.db.view(ctx, func(tx *Tx) (err error) {
		out, err = findMaterials(ctx, tx, meetingID)
		return err
	})
	return out, wrapf(err, "find materials of meeting %d", meetingID)
}

func findMaterials(ctx context.Context, tx *Tx, meetingID int64) ([]*convene.Material, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+materialColumns+` FROM materials WHERE meeting_id = ? ORDER BY position, id`, meetingID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*convene.Material
	for rows.Next() {
		m, err := scanMaterial(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// FindMaterial returns one material without its data; ENOTFOUND if none.
func (s *MaterialService) FindMaterial(ctx context.Context, id int64) (*convene.Material, error) {
	var m *convene.Material
	err := s.db.view(ctx, func(tx *Tx) (err error) {
		m, err = scanMaterial(tx.QueryRowContext(ctx, `SELECT `+materialColumns+` FROM materials WHERE id = ?`, id))
		return notFound(err, "no material %d", id)
	})
	return m, wrapf(err, "find material %d", id)
}

// MaterialData returns a material's bytes; ENOTFOUND if none.
func (s *MaterialService) MaterialData(ctx context.Context, id int64) ([]byte, error) {
	var data []byte
	err := s.db.view(ctx, func(tx *Tx) error {
		return notFound(tx.QueryRowContext(ctx, `SELECT data FROM materials WHERE id = ?`, id).Scan(&data), "no material %d", id)
	})
	return data, wrapf(err, "read material %d", id)
}

// FileID returns the provider's id of an uploaded content, "" if none.
func (s *MaterialService) FileID(ctx context.Context, channel, botID, sum string) (string, error) {
	var id string
	err := s.db.view(ctx, func(tx *Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT file_id FROM uploaded_files WHERE channel = ? AND bot_id = ? AND sha256 = ?`,
			channel, botID, sum).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		return err
	})
	return id, wrapf(err, "find file id")
}

// SaveFileID remembers the provider's id of an uploaded content.
func (s *MaterialService) SaveFileID(ctx context.Context, channel, botID, sum, fileID string) error {
	if fileID == "" {
		return nil
	}
	err := s.db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO uploaded_files (channel, bot_id, sha256, file_id, created_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (channel, bot_id, sha256) DO UPDATE SET file_id = excluded.file_id, created_at = excluded.created_at`,
			channel, botID, sum, fileID, ts(tx.now))
		return err
	})
	return wrapf(err, "save file id")
}

// DropFileID forgets fileID (only that id: one saved since is kept).
func (s *MaterialService) DropFileID(ctx context.Context, channel, botID, sum, fileID string) error {
	err := s.db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM uploaded_files WHERE channel = ? AND bot_id = ? AND sha256 = ? AND file_id = ?`,
			channel, botID, sum, fileID)
		return err
	})
	return wrapf(err, "drop file id")
}

// applyMaterials makes the meeting's materials those given (matched by
// title: a changed file replaces the material's bytes, keeping its id; one
// no longer listed is deleted), reporting whether anything changed.
func applyMaterials(ctx context.Context, tx *Tx, meetingID int64, mats []convene.Material) (bool, error) {
	old, err := findMaterials(ctx, tx, meetingID)
	if err != nil {
		return false, err
	}
	byTitle := map[string]*convene.Material{}
	for _, m := range old {
		byTitle[m.Title] = m
	}
	changed := false
	keep := map[int64]bool{}
	titles := map[string]bool{}
	for i := range mats {
		m := mats[i]
		sum := sha256.Sum256(m.Data)
		m.SHA256, m.Size, m.Position = hex.EncodeToString(sum[:]), int64(len(m.Data)), i
		if err := m.Validate(); err != nil {
			return false, err
		}
		if titles[m.Title] {
			return false, convene.Errorf(convene.EINVALID, "material %q given twice", m.Title)
		}
		titles[m.Title] = true
		if m.MIME == "" {
			m.MIME = convene.MaterialMIME(m.Name)
		}
		o := byTitle[m.Title]
		switch {
		case o == nil:
			if _, err := tx.ExecContext(ctx, `INSERT INTO materials (meeting_id, position, title, file_name, mime, sha256, size, data, created_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, meetingID, m.Position, m.Title, m.Name, m.MIME, m.SHA256, m.Size, m.Data, ts(tx.now)); err != nil {
				return false, err
			}
			changed = true
		case o.SHA256 != m.SHA256 || o.Name != m.Name || o.MIME != m.MIME || o.Position != m.Position:
			keep[o.ID] = true
			if _, err := tx.ExecContext(ctx, `UPDATE materials SET position = ?, file_name = ?, mime = ?, sha256 = ?, size = ?, data = ? WHERE id = ?`,
				m.Position, m.Name, m.MIME, m.SHA256, m.Size, m.Data, o.ID); err != nil {
				return false, err
			}
			changed = true
		default:
			keep[o.ID] = true
		}
	}
	for _, o := range old {
		if !keep[o.ID] {
			if _, err := tx.ExecContext(ctx, `DELETE FROM materials WHERE id = ?`, o.ID); err != nil {
				return false, err
			}
			changed = true
		}
	}
	return changed, nil
}
