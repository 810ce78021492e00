package convene

import (
	"context"
	"path"
	"strings"
)

// MaxMaterialSize is the largest material file: the most a Telegram bot may
// upload (50 MB).
const MaxMaterialSize = 50 << 20

// Material is a file a meeting's plan names (a draft report, the program),
// sent to the meeting's invitees on request. Data is set only in a parsed
// plan; stored bytes are read with MaterialService.MaterialData.
type Material struct {
	ID        int64  `json:"id"`
	MeetingID int64  `json:"meeting_id"`
	Position  int    `json:"position"`
	Title     string `json:"title"`
	Name      string `json:"name"` // file name, as the recipient saves it
	MIME      string `json:"mime"`
	SHA256    string `json:"sha256"` // hex of the content
	Size      int64  `json:"size"`
	Data      []byte `json:"-"`
}

// materialTypes are the file types a material may be, by extension.
var materialTypes = map[string]string{
	".pdf":  "application/pdf",
	".doc":  "application/msword",
	".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	".xls":  "application/vnd.ms-excel",
	".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	".ppt":  "application/vnd.ms-powerpoint",
	".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
	".odt":  "application/vnd.oasis.opendocument.text",
}

// MaterialMIME returns the media type of a material file by its name's
// extension, "" for a type not allowed (allowed: PDF, DOC/DOCX, XLS/XLSX,
// PPT/PPTX, ODT).
func MaterialMIME(name string) string {
	return materialTypes[strings.ToLower(path.Ext(name))]
}

// Validate returns EINVALID for a material without a title or file name,
// of a type not allowed, empty or over MaxMaterialSize.
func (m *Material) Validate() error {
	switch {
	case strings.TrimSpace(m.Title) == "":
		return Errorf(EINVALID, "material: title required")
	case m.Name == "":
		return Errorf(EINVALID, "material %q: file required", m.Title)
	case MaterialMIME(m.Name) == "":
		return Errorf(EINVALID, "material %q: %s is not a PDF, DOC/DOCX, XLS/XLSX, PPT/PPTX or ODT file", m.Title, m.Name)
	case m.Size <= 0:
		return Errorf(EINVALID, "material %q: %s is empty", m.Title, m.Name)
	case m.Size > MaxMaterialSize:
		return Errorf(EINVALID, "material %q: %s is over 50 MB, the most Telegram takes", m.Title, m.Name)
	}
	return nil
}

// MaterialService stores meetings' materials and the file ids chat
// providers gave them once uploaded.
type MaterialService interface {
	// FindMaterials returns a meeting's materials in plan order, without their data.
	FindMaterials(ctx context.Context, meetingID int64) ([]*Material, error)
	// FindMaterial returns one material without its data; ENOTFOUND if none.
	FindMaterial(ctx context.Context, id int64) (*Material, error)
	// MaterialData returns a material's bytes; ENOTFOUND if none.
	MaterialData(ctx context.Context, id int64) ([]byte, error)
	// FileID returns the id the provider gave the content sha256 when bot
	// botID uploaded it on channel, "" if it was never uploaded.
	FileID(ctx context.Context, channel, botID, sha256 string) (string, error)
	// SaveFileID remembers the provider's id of an uploaded content.
	SaveFileID(ctx context.Context, channel, botID, sha256, fileID string) error
	// DropFileID forgets fileID (the provider refused it), so the content is uploaded again.
	DropFileID(ctx context.Context, channel, botID, sha256, fileID string) error
}
