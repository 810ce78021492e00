package web

import (
	"net/http"

	"github.com/convene/convene"
)

// uploadPlan applies an uploaded plan file (YAML) with the CLI's
// validation: a bad plan is refused whole, its problem shown with the
// line it is on, and nothing is stored.
func (s *Server) uploadPlan(w http.ResponseWriter, r *http.Request, u *user) {
	if s.ApplyPlan == nil {
		s.fail(w, r, u, convene.Errorf(convene.ENOTFOUND, "plan upload is off"))
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, MaxUpload)
	f, _, err := r.FormFile("plan")
	if err != nil {
		s.fail(w, r, u, convene.Errorf(convene.EINVALID, "no plan file"))
		return
	}
	defer f.Close()
	res, err := s.ApplyPlan(r.Context(), f)
	data := map[string]any{"Result": res}
	status := http.StatusOK
	switch {
	case err == nil:
		s.hub.poke()
	case convene.ErrorCode(err) == convene.EINVALID:
		data["Problem"], status = convene.ErrorMessage(err), http.StatusUnprocessableEntity
	default:
		s.fail(w, r, u, err)
		return
	}
	s.render(w, r, u, status, "upload_plan", data)
}
