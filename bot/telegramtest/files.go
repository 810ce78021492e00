package telegramtest

import "strconv"

// MaxUpload is the largest file a bot may upload: Telegram answers 413
// above it.
const MaxUpload = 50 << 20

// fileStore holds the files bots uploaded, by the file id issued for each,
// so a later send may name the id instead of uploading again.
type fileStore struct {
	byID  map[string]*File
	next  int
	stats FileStats
}

// FileStats counts documents and photos sent by uploading their bytes and
// by a file id the server issued earlier, and ids refused.
type FileStats struct {
	Uploads  int
	Resends  int
	Refused  int            // unknown or forgotten file ids
	Uploaded map[string]int // uploads per file name
}

// issue records an uploaded file and returns its new file id. Call with s.mu held.
func (s *Server) issue(f *File) string {
	if s.files.byID == nil {
		s.files.byID = map[string]*File{}
		s.files.stats.Uploaded = map[string]int{}
	}
	s.files.next++
	// Shaped like Telegram's: opaque, long, URL-safe; never a guessable number alone.
	id := "BQACAgIAAxkBAAI" + strconv.Itoa(1000+s.files.next) + "Zm" + strconv.FormatInt(int64(len(f.Data))*7919+int64(s.files.next), 36)
	f.FileID = id
	s.files.byID[id] = f
	s.files.stats.Uploads++
	s.files.stats.Uploaded[f.Name]++
	return id
}

// lookup returns the file a bot names by id, nil for an id never issued or
// forgotten. Call with s.mu held.
func (s *Server) lookup(id string) *File {
	f := s.files.byID[id]
	if f == nil {
		s.files.stats.Refused++
		return nil
	}
	s.files.stats.Resends++
	return f
}

// Files returns the upload and re-send counts.
func (s *Server) Files() FileStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.files.stats
	st.Uploaded = map[string]int{}
	for k, v := range s.files.stats.Uploaded {
		st.Uploaded[k] = v
	}
	return st
}

// ForgetFiles makes every file id issued so far unknown, as when Telegram
// no longer accepts an old id: a send naming one is refused with 400
// "wrong file identifier/HTTP URL specified".
func (s *Server) ForgetFiles() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.files.byID = map[string]*File{}
}
