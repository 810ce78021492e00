package web

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"strings"

	"github.com/convene/convene"
	"github.com/convene/convene/report"
)

// MaxUpload is the largest roster file accepted.
const MaxUpload = 8 << 20

var reportTypes = map[string]string{
	"pdf":  "application/pdf",
	"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	"csv":  "text/csv; charset=utf-8",
}

// file downloads report.pdf, report.xlsx, report.csv, letters.pdf,
// poster.pdf (the venue's A4 check-in poster, as `checkin-link --qr
// FILE.pdf` prints it) or poster.png (the bare QR code).
func (s *Server) file(w http.ResponseWriter, r *http.Request, u *user) {
	m, err := s.meetingOf(r)
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	name := r.PathValue("file")
	switch {
	case name == "letters.pdf" && s.Letters != nil:
		data, err := s.Letters(r.Context(), m.Code, s.lang(w, r, u))
		s.download(w, r, u, "application/pdf", m.Code+"-letters.pdf", data, err)
		return
	case name == "poster.pdf" && s.CheckinLink != nil:
		link, err := s.CheckinLink(r.Context(), m)
		var buf bytes.Buffer
		if err == nil {
			err = report.Poster(&buf, &report.Data{Meeting: m, Lang: s.lang(w, r, u)}, link)
		}
		s.download(w, r, u, "application/pdf", m.Code+"-checkin-poster.pdf", buf.Bytes(), err)
		return
	case name == "poster.png" && s.CheckinLink != nil && s.QR != nil:
		link, err := s.CheckinLink(r.Context(), m)
		var data []byte
		if err == nil {
			data, err = s.QR(link, 1200)
		}
		s.download(w, r, u, "image/png", m.Code+"-checkin.png", data, err)
		return
	}
	format := strings.TrimPrefix(path.Ext(name), ".")
	mime, ok := reportTypes[format]
	if !ok || strings.TrimSuffix(name, "."+format) != "report" || s.Report == nil {
		s.fail(w, r, u, convene.Errorf(convene.ENOTFOUND, "no file %q", name))
		return
	}
	data, fname, err := s.Report(r.Context(), m.Code, format, s.lang(w, r, u))
	s.download(w, r, u, mime, fname, data, err)
}

// download sends data as an attachment, or the error's page.
func (s *Server) download(w http.ResponseWriter, r *http.Request, u *user, mime, fname string, data []byte, err error) {
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	w.Header().Set("Content-Type", mime)
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", fname))
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(data)
}

// uploadRoster imports a roster (CSV or XLSX) with the CLI's validation:
// every bad row is listed and nothing is stored unless all rows are good.
func (s *Server) uploadRoster(w http.ResponseWriter, r *http.Request, u *user) {
	m, err := s.meetingOf(r)
	if err != nil {
		s.fail(w, r, u, err)
		return
	}
	if s.ReadRoster == nil || s.Plans == nil {
		s.fail(w, r, u, convene.Errorf(convene.ENOTFOUND, "roster upload is off"))
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, MaxUpload)
	f, hdr, err := r.FormFile("roster")
	if err != nil {
		s.fail(w, r, u, convene.Errorf(convene.EINVALID, "no roster file"))
		return
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		s.fail(w, r, u, convene.Errorf(convene.EINVALID, "read roster: %v", err))
		return
	}
	format := strings.TrimPrefix(strings.ToLower(path.Ext(hdr.Filename)), ".")
	entries, err := s.ReadRoster(bytes.NewReader(data), format)
	var res *convene.ImportResult
	if err == nil {
		res, err = s.Plans.ImportRoster(r.Context(), m.Code, entries)
	}
	result := map[string]any{"Result": res}
	var re *convene.RosterError
	switch {
	case err == nil:
		s.hub.poke()
	case errors.As(err, &re):
		result["Rows"] = re.Rows
	case convene.ErrorCode(err) == convene.EINVALID:
		result["Problem"] = convene.ErrorMessage(err)
	default:
		s.fail(w, r, u, err)
		return
	}
	status := http.StatusOK
	if err != nil {
		status = http.StatusUnprocessableEntity
	}
	s.renderPage(w, r, status, "upload", &page{User: u, Meeting: m, Data: result})
}
