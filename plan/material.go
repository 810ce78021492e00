package plan

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/convene/convene"
)

// fileMaterial is a file the plan names for a meeting: materials: [{title, file}].
type fileMaterial struct {
	Title scalar `yaml:"title"`
	File  scalar `yaml:"file"`
}

// ParseFS reads the plan file name in fsys like Parse; the files its
// meetings' materials name are read from fsys, relative to the plan's
// folder. Its errors name the file.
func ParseFS(fsys fs.FS, name string) (*convene.Plan, error) {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("plan: %w", err)
	}
	dir := path.Dir(name)
	files := func(rel string) (fs.File, error) {
		if !fs.ValidPath(path.Join(dir, rel)) {
			return nil, fmt.Errorf("the path must stay inside the plan's folder")
		}
		return fsys.Open(path.Join(dir, rel))
	}
	return parseWith(bytes.NewReader(data), "plan: "+name, files)
}

// dirFiles opens material files relative to dir, the plan file's folder.
func dirFiles(dir string) func(string) (fs.File, error) {
	return func(rel string) (fs.File, error) {
		if filepath.IsAbs(rel) {
			return os.Open(rel)
		}
		return os.Open(filepath.Join(dir, filepath.FromSlash(rel)))
	}
}

// materials reads the files a meeting's materials name: each must exist,
// be readable, not empty, at most 50 MB (Telegram's bot upload limit) and
// a PDF, DOC/DOCX, XLS/XLSX, PPT/PPTX or ODT by extension and by content;
// titles are unique in the meeting.
func (b *builder) materials(name string, mline int, fms []fileMaterial) ([]convene.Material, error) {
	if len(fms) == 0 {
		return nil, nil
	}
	var out []convene.Material
	seen := map[string]int{}
	for i, fm := range fms {
		at := line(mline, fm.Title, fm.File)
		title := strings.Join(strings.Fields(fm.Title.Value), " ")
		rel := strings.TrimSpace(fm.File.Value)
		if title == "" {
			return nil, b.errf(at, "%s: material %d: title required", name, i+1)
		}
		mname := fmt.Sprintf("%s: material %q", name, title)
		if first, ok := seen[strings.ToLower(title)]; ok {
			return nil, b.errf(at, "%s: title used twice (first on line %d)", mname, first)
		}
		seen[strings.ToLower(title)] = at
		fline := line(at, fm.File)
		if rel == "" {
			return nil, b.errf(fline, "%s: file required (a path relative to the plan file, such as tai-lieu/du-thao.pdf)", mname)
		}
		base := path.Base(filepath.ToSlash(rel))
		mime := convene.MaterialMIME(base)
		if mime == "" {
			return nil, b.errf(fline, "%s: file %s: not a PDF, DOC/DOCX, XLS/XLSX, PPT/PPTX or ODT file", mname, rel)
		}
		if b.files == nil {
			return nil, b.errf(fline, "%s: the files of materials are read next to the plan file: apply the plan from its file (convene plan apply FILE)", mname)
		}
		data, err := b.readMaterial(rel)
		if err != nil {
			return nil, b.errf(fline, "%s: file %s: %v", mname, rel, err)
		}
		if why := sniff(base, data); why != "" {
			return nil, b.errf(fline, "%s: file %s: %s", mname, rel, why)
		}
		out = append(out, convene.Material{Position: i, Title: title, Name: base, MIME: mime, Size: int64(len(data)), Data: data})
	}
	return out, nil
}

// readMaterial reads one material file, refusing one missing, not a
// regular file, empty or over the limit before reading it all.
func (b *builder) readMaterial(rel string) ([]byte, error) {
	f, err := b.files(rel)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("no such file (paths are relative to the plan file's folder)")
	}
	if errors.Is(err, fs.ErrPermission) {
		return nil, fmt.Errorf("cannot be read: permission denied")
	}
	if err != nil {
		return nil, fmt.Errorf("cannot be read: %v", unwrapPath(err))
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("cannot be read: %v", unwrapPath(err))
	}
	switch {
	case st.IsDir():
		return nil, fmt.Errorf("is a folder, not a file")
	case st.Size() == 0:
		return nil, fmt.Errorf("is empty")
	case st.Size() > convene.MaxMaterialSize:
		return nil, fmt.Errorf("is %.1f MB, over 50 MB, the most a Telegram bot may send", float64(st.Size())/(1<<20))
	}
	data, err := io.ReadAll(io.LimitReader(f, convene.MaxMaterialSize+1))
	if err != nil {
		return nil, fmt.Errorf("cannot be read: %v", unwrapPath(err))
	}
	if len(data) == 0 {
		return nil, fmt.Errorf("is empty")
	}
	if len(data) > convene.MaxMaterialSize {
		return nil, fmt.Errorf("is over 50 MB, the most a Telegram bot may send")
	}
	return data, nil
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Magic numbers of the allowed formats.
var (
	magicPDF = []byte("%PDF-")
	magicZip = []byte("PK\x03\x04")                       // DOCX, XLSX, PPTX, ODT
	magicOLE = []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1") // DOC, XLS, PPT
)

// sniff returns why data is not what its name's extension says, "" if it is.
func sniff(name string, data []byte) string {
	switch ext := strings.ToLower(path.Ext(name)); ext {
	case ".pdf":
		if !bytes.HasPrefix(data, magicPDF) {
			return "the content is not a PDF (it does not start with %PDF-)"
		}
	case ".docx", ".xlsx", ".pptx", ".odt":
		if !bytes.HasPrefix(data, magicZip) {
			return fmt.Sprintf("the content is not a %s file (not a ZIP package)", strings.ToUpper(ext[1:]))
		}
	case ".doc", ".xls", ".ppt":
		if !bytes.HasPrefix(data, magicOLE) {
			return fmt.Sprintf("the content is not a %s file (not an Office 97–2003 document)", strings.ToUpper(ext[1:]))
		}
	}
	return ""
}
