package bot

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/convene/convene"
)

// Meeting materials (files the plan names) are sent on request: the
// invitation's "📎 Meeting documents" button, or /materials [CODE], lists
// them with one button per file (and "all"); choosing one sends it. Only
// people the meeting concerns get them: its invitees (substitutes hold
// invitations of their own), the representatives of its units, staff and
// organizers. On Telegram a file goes as a document whose outbox row names
// the material (convene.File.Material), never its bytes: the adapter sends
// it by the file id of an earlier upload (bot/telegram/files.go). Channels
// without files get the file's title and size and a personal download link
// on the web desk (<web>/doc/<token>), or, without a desk, word that the
// office hands the documents out at the meeting.

// materialData is the materials buttons' callback data: "mat:<meeting>"
// lists, "mat:<meeting>:<material>" sends one, "mat:<meeting>:all" all.
type materialData struct {
	Meeting  int64
	Material int64
	All      bool
}

func (d materialData) encode() string {
	switch {
	case d.All:
		return "mat:" + itoa(d.Meeting) + ":all"
	case d.Material > 0:
		return "mat:" + itoa(d.Meeting) + ":" + itoa(d.Material)
	}
	return "mat:" + itoa(d.Meeting)
}

// parseMaterialData reads materialData: errStale unless it is well formed.
func parseMaterialData(s string) (materialData, error) {
	p := strings.Split(s, ":")
	if len(p) < 2 || len(p) > 3 || p[0] != "mat" {
		return materialData{}, errStale
	}
	var d materialData
	var err error
	if d.Meeting, err = strconv.ParseInt(p[1], 10, 64); err != nil || d.Meeting <= 0 {
		return materialData{}, errStale
	}
	if len(p) == 3 {
		if p[2] == "all" {
			d.All = true
		} else if d.Material, err = strconv.ParseInt(p[2], 10, 64); err != nil || d.Material <= 0 {
			return materialData{}, errStale
		}
	}
	return d, nil
}

// materialsButton is the invitation's button listing the meeting's
// materials; nil for a meeting without any.
func (c *core) materialsButton(lang string, m *convene.Meeting) []convene.Button {
	if m.Materials == 0 {
		return nil
	}
	return []convene.Button{{Text: c.Texts.T(lang, "btn.materials", nil), Data: materialData{Meeting: m.ID}.encode()}}
}

// maxMaterialChoices is how many documents an invitation on a channel
// without buttons offers one by one; more are offered as one choice that
// lists them.
const maxMaterialChoices = 4

// materialChoices replaces, for a channel without buttons, the choice that
// lists a meeting's documents by one choice per document ("📎 <title>"),
// so the numbered list names them and a number gets one at once.
func (c *core) materialChoices(ctx context.Context, lang string, m Outgoing) Outgoing {
	for i, row := range m.Buttons {
		if len(row) != 1 {
			continue
		}
		d, err := parseMaterialData(row[0].Data)
		if err != nil || d.Material != 0 || d.All || c.Materials == nil {
			continue
		}
		mats, err := c.Materials.FindMaterials(ctx, d.Meeting)
		if err != nil || len(mats) == 0 || len(mats) > maxMaterialChoices {
			return m
		}
		rows := append([][]convene.Button(nil), m.Buttons[:i]...)
		for _, mat := range mats {
			rows = append(rows, []convene.Button{{Text: c.Texts.T(lang, "btn.material", map[string]any{"Item": mat.Title}),
				Data: materialData{Meeting: d.Meeting, Material: mat.ID}.encode()}})
		}
		m.Buttons = append(rows, m.Buttons[i+1:]...)
		return m
	}
	return m
}

// SetMaterialLinks makes channels without files give personal download
// links on the web desk at base (its address, no trailing slash).
func (b *Bot) SetMaterialLinks(base string) { b.materials.base.Store(&base) }

// cmdMaterials lists the materials of the meetings the requester is invited
// to (organizers and staff: the meeting named, or the only open one):
// /materials [CODE].
func (h *materialHandlers) cmdMaterials(ctx context.Context, r *Request) error {
	if r.Person == nil && !r.Organizer {
		h.say(ctx, r, "hint.not_linked")
		return nil
	}
	meetings, err := h.agenda.requestedMeetings(ctx, r, "materials.not_invited")
	if err != nil || meetings == nil {
		return err
	}
	shown := 0
	for _, m := range meetings {
		mats, err := h.findMaterials(ctx, m.ID)
		if err != nil {
			return err
		}
		if len(mats) > 0 {
			shown++
			h.showList(ctx, r, m, mats)
		}
	}
	if shown == 0 {
		if len(meetings) == 1 {
			r.about(meetings[0])
			h.say(ctx, r, "materials.none", "Title", meetings[0].Title)
		} else {
			h.say(ctx, r, "materials.none_any")
		}
	}
	return nil
}

// wholeOffice reports whether the requester may have any meeting's
// materials: organizers, admins and staff.
func (h *materialHandlers) wholeOffice(r *Request) bool {
	return r.Organizer || r.Staff || (r.Person != nil && r.Person.Role == convene.RoleStaff)
}

// onMaterialButton lists a meeting's materials or sends the one (or all)
// chosen, to someone the meeting concerns; anyone else is refused politely.
func (h *materialHandlers) onMaterialButton(ctx context.Context, r *Request) error {
	d, err := parseMaterialData(r.CallbackData)
	if err != nil {
		return err
	}
	m, err := h.Meetings.FindMeetingByID(ctx, d.Meeting)
	if convene.ErrorCode(err) == convene.ENOTFOUND {
		return errStale
	} else if err != nil {
		return err
	}
	r.about(m)
	subject, err := h.subject(ctx, r, m)
	if err != nil {
		return err
	}
	if subject == "" {
		h.Logger.Info("refused materials", "meeting", m.Code, "actor", r.Actor())
		h.answer(ctx, r, "")
		h.say(ctx, r, "materials.not_invited")
		return nil
	}
	mats, err := h.findMaterials(ctx, m.ID)
	if err != nil {
		return err
	}
	if d.Material == 0 && !d.All {
		h.answer(ctx, r, "")
		if len(mats) == 0 {
			h.say(ctx, r, "materials.none", "Title", m.Title)
			return nil
		}
		h.showList(ctx, r, m, mats)
		return nil
	}
	var chosen []*convene.Material
	for _, mat := range mats {
		if d.All || mat.ID == d.Material {
			chosen = append(chosen, mat)
		}
	}
	if len(chosen) == 0 {
		return errStale // the plan no longer names it
	}
	h.answer(ctx, r, "")
	return h.send(ctx, r, m, subject, chosen)
}

// findMaterials returns a meeting's materials; none where the bot was
// built without a material service.
func (h *materialHandlers) findMaterials(ctx context.Context, meetingID int64) ([]*convene.Material, error) {
	if h.Materials == nil {
		return nil, nil
	}
	return h.Materials.FindMaterials(ctx, meetingID)
}

// showList replies with a meeting's materials, one button each (and
// "all" for more than one); without buttons they are numbered choices.
func (h *materialHandlers) showList(ctx context.Context, r *Request, m *convene.Meeting, mats []*convene.Material) {
	buttons := r.channel.Caps().Buttons
	var sb strings.Builder
	sb.WriteString(h.t(r, "materials.list", "Title", m.Title, "Count", len(mats)))
	var rows [][]convene.Button
	for i, mat := range mats {
		size := humanSize(r.Lang, mat.Size)
		if buttons {
			sb.WriteString("\n" + h.t(r, "materials.item", "N", i+1, "Item", mat.Title, "File", mat.Name, "Size", size))
			rows = append(rows, []convene.Button{{Text: "📄 " + mat.Title, Data: materialData{Meeting: m.ID, Material: mat.ID}.encode()}})
			continue
		}
		rows = append(rows, []convene.Button{{Text: fmt.Sprintf("%s (%s, %s)", mat.Title, mat.Name, size),
			Data: materialData{Meeting: m.ID, Material: mat.ID}.encode()}})
	}
	if len(mats) > 1 {
		rows = append(rows, []convene.Button{{Text: h.t(r, "btn.material_all"), Data: materialData{Meeting: m.ID, All: true}.encode()}})
	}
	sb.WriteString("\n\n" + h.t(r, "materials.choose"))
	h.reply(ctx, r, Outgoing{Text: sb.String(), Buttons: rows})
}

// send sends the chosen materials: as documents where the channel takes
// files (each its own message, naming the material, not carrying it), else
// one text with each file's title, size and a personal download link (or
// where to get it).
func (h *materialHandlers) send(ctx context.Context, r *Request, m *convene.Meeting, subject string, mats []*convene.Material) error {
	if r.channel.Caps().Documents {
		for _, mat := range mats {
			h.reply(ctx, r, Outgoing{
				Text:     h.t(r, "materials.caption", "Item", mat.Title, "Title", m.Title),
				Document: &convene.File{Name: mat.Name, MIME: mat.MIME, Material: mat.ID},
			})
		}
		h.sent.Add(int64(len(mats)))
		return nil
	}
	var base string
	if p := h.base.Load(); p != nil {
		base = *p
	}
	var parts []string
	for _, mat := range mats {
		data := []any{"Item", mat.Title, "File", mat.Name, "Size", humanSize(r.Lang, mat.Size)}
		if base == "" {
			parts = append(parts, h.t(r, "materials.at_venue", data...))
			continue
		}
		tok, err := h.materialToken(ctx, subject, mat.ID)
		if err != nil {
			return err
		}
		parts = append(parts, h.t(r, "materials.link", append(data, "Link", base+"/doc/"+tok)...))
	}
	h.sent.Add(int64(len(mats)))
	h.reply(ctx, r, Outgoing{Text: strings.Join(parts, "\n\n")})
	return nil
}

// subject names who the requester is to meeting m, for a download link:
// "i<invitation id>" for an invitee, "p<person id>" for a unit's
// representative or staff, "a<account id>" for an organizer without a
// person; "" for someone the meeting does not concern.
func (h *materialHandlers) subject(ctx context.Context, r *Request, m *convene.Meeting) (string, error) {
	if r.Person != nil {
		invs, _, err := h.Invitations.FindInvitees(ctx, convene.InvitationFilter{MeetingID: m.ID, PersonID: r.Person.ID})
		if err != nil {
			return "", err
		}
		if len(invs) > 0 {
			return "i" + itoa(invs[0].ID), nil
		}
		if h.wholeOffice(r) {
			return "p" + itoa(r.Person.ID), nil
		}
		if h.Units != nil {
			units, err := h.Units.FindUnitsByRep(ctx, r.Person.ID)
			if err != nil {
				return "", err
			}
			for _, u := range units {
				if u.MeetingID == m.ID {
					return "p" + itoa(r.Person.ID), nil
				}
			}
		}
		return "", nil
	}
	if h.wholeOffice(r) {
		return "a" + itoa(r.Account.ID), nil
	}
	return "", nil
}

// materialSecret returns the server's download-link secret, creating it once.
func (h *materialHandlers) materialSecret(ctx context.Context) ([]byte, error) {
	const key = "materials.secret"
	s, err := h.State.GetState(ctx, key)
	if err != nil {
		return nil, err
	}
	if s == "" {
		buf := make([]byte, 32)
		if _, err := rand.Read(buf); err != nil {
			return nil, err
		}
		if err := h.State.SetState(ctx, key, hex.EncodeToString(buf)); err != nil {
			return nil, err
		}
		// Another process may have raced us: read back what won.
		if s, err = h.State.GetState(ctx, key); err != nil {
			return nil, err
		}
	}
	return hex.DecodeString(s)
}

func materialMAC(secret []byte, subject string, material int64) string {
	m := hmac.New(sha256.New, secret)
	fmt.Fprintf(m, "material\x00%s\x00%d", subject, material)
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
}

// materialToken is a personal download link's token:
// "<subject>-<material id>-<mac>".
func (h *materialHandlers) materialToken(ctx context.Context, subject string, material int64) (string, error) {
	secret, err := h.materialSecret(ctx)
	if err != nil {
		return "", err
	}
	return subject + "-" + itoa(material) + "-" + materialMAC(secret, subject, material), nil
}

// MaterialByLink returns the material a personal download link's token
// names, with its bytes, if the token is one the bot made and the person
// it was made for still belongs to the meeting; ENOTFOUND otherwise (a
// forged, altered or revoked token alike).
func (b *Bot) MaterialByLink(ctx context.Context, token string) (*convene.Material, []byte, error) {
	return b.materials.byLink(ctx, token)
}

func (h *materialHandlers) byLink(ctx context.Context, token string) (*convene.Material, []byte, error) {
	notFound := convene.Errorf(convene.ENOTFOUND, "no such document link")
	p := strings.SplitN(token, "-", 3) // the mac, base64url, may hold "-"
	if len(p) != 3 || len(p[0]) < 2 || len(token) > 80 {
		return nil, nil, notFound
	}
	subject, mac := p[0], p[2]
	matID, err := strconv.ParseInt(p[1], 10, 64)
	if err != nil || matID <= 0 {
		return nil, nil, notFound
	}
	secret, err := h.materialSecret(ctx)
	if err != nil {
		return nil, nil, err
	}
	if !hmac.Equal([]byte(mac), []byte(materialMAC(secret, subject, matID))) {
		return nil, nil, notFound
	}
	mat, err := h.Materials.FindMaterial(ctx, matID)
	if err != nil {
		return nil, nil, err
	}
	id, err := strconv.ParseInt(subject[1:], 10, 64)
	if err != nil {
		return nil, nil, notFound
	}
	switch subject[0] {
	case 'i': // the invitation must still be of this meeting
		inv, err := h.Invitations.FindInvitationByID(ctx, id)
		if convene.ErrorCode(err) == convene.ENOTFOUND || (err == nil && inv.MeetingID != mat.MeetingID) {
			return nil, nil, notFound
		} else if err != nil {
			return nil, nil, err
		}
	case 'p':
		if _, err := h.People.FindPersonByID(ctx, id); err != nil {
			return nil, nil, err
		}
	case 'a':
		if _, err := h.People.FindAccountByID(ctx, id); err != nil {
			return nil, nil, err
		}
	default:
		return nil, nil, notFound
	}
	data, err := h.Materials.MaterialData(ctx, matID)
	if err != nil {
		return nil, nil, err
	}
	h.sent.Add(1)
	return mat, data, nil
}

// MaterialsSent counts the materials sent or linked since start.
func (b *Bot) MaterialsSent() int64 { return b.materials.sent.Load() }

// humanSize writes a file size as people read it: "36 KB", "1,2 MB" (a
// decimal comma in Vietnamese).
func humanSize(lang string, n int64) string {
	if n < 1<<20 {
		return fmt.Sprintf("%d KB", max(1, (n+1023)/1024))
	}
	s := strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64)
	if lang != "en" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s + " MB"
}

// materialHandlers list and send meetings' materials.
type materialHandlers struct {
	*core
	agenda *agendaHandlers
	base   atomic.Pointer[string] // the web desk's address, for download links
	sent   atomic.Int64           // materials sent or linked
}
