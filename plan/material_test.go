package plan_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/convene/convene"
	"github.com/convene/convene/examples"
	"github.com/convene/convene/plan"
)

// pdf is a small file that sniffs as a PDF.
var pdf = []byte("%PDF-1.4\n% test\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")

// materialPlan writes a plan naming two materials (lines 8–11) and the
// files given, and returns its path.
func materialPlan(t *testing.T, items string, files map[string][]byte) string {
	t.Helper()
	dir := t.TempDir()
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, "plan.yaml")
	if err := os.WriteFile(path, []byte(minimal("    materials:\n"+items)), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestParseMaterials: the files a meeting's materials name are read
// relative to the plan file, typed by extension, and kept in plan order.
func TestParseMaterials(t *testing.T) {
	docx := append([]byte("PK\x03\x04"), bytes.Repeat([]byte("x"), 100)...)
	path := materialPlan(t, `      - title: "Chương trình   hội nghị"
        file: tai-lieu/ct.pdf
      - title: Dự thảo báo cáo
        file: du-thao.DOCX
`, map[string][]byte{"tai-lieu/ct.pdf": pdf, "du-thao.DOCX": docx})
	p, err := plan.ParseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ms := p.Meetings[0].Materials
	if len(ms) != 2 {
		t.Fatalf("materials %+v", ms)
	}
	if ms[0].Title != "Chương trình hội nghị" || ms[0].Name != "ct.pdf" || ms[0].MIME != "application/pdf" || !bytes.Equal(ms[0].Data, pdf) || ms[0].Size != int64(len(pdf)) {
		t.Errorf("first material %+v", ms[0])
	}
	if ms[1].Name != "du-thao.DOCX" || !strings.Contains(ms[1].MIME, "wordprocessingml") || ms[1].Position != 1 {
		t.Errorf("second material %+v", ms[1])
	}
	// The example plan names its two, read from the embedded files.
	ex, err := plan.ParseFS(examples.FS, examples.PlanFile)
	if err != nil {
		t.Fatal(err)
	}
	if got := ex.Meetings[0].Materials; len(got) != 2 || got[0].Title != "Chương trình hội nghị" || got[0].Size > 50<<10 || got[1].Size > 50<<10 {
		t.Fatalf("example materials %+v", got)
	}
}

// TestParseMaterialsErrors: each bad material is refused with the line it
// is on, and nothing is returned.
func TestParseMaterialsErrors(t *testing.T) {
	big := func(t *testing.T, dir string) {
		f, err := os.Create(filepath.Join(dir, "big.pdf"))
		if err != nil {
			t.Fatal(err)
		}
		f.Write(pdf)
		f.Truncate(convene.MaxMaterialSize + 1) // sparse: checked by size before reading
		f.Close()
	}
	tests := []struct {
		name, items string
		files       map[string][]byte
		setup       func(t *testing.T, dir string)
		want        string
	}{
		{"Missing", "      - title: A\n        file: none.pdf\n", nil, nil, `line 9: meeting m1: material "A": file none.pdf: no such file`},
		{"Empty", "      - title: A\n        file: a.pdf\n", map[string][]byte{"a.pdf": {}}, nil, `line 9: meeting m1: material "A": file a.pdf: is empty`},
		{"TooBig", "      - title: A\n        file: big.pdf\n", nil, big, `line 9: meeting m1: material "A": file big.pdf: is 50.0 MB, over 50 MB`},
		{"Folder", "      - title: A\n        file: d.pdf\n", map[string][]byte{"d.pdf/x": pdf}, nil, `line 9: meeting m1: material "A": file d.pdf: is a folder`},
		{"Type", "      - title: A\n        file: a.exe\n", map[string][]byte{"a.exe": pdf}, nil, `line 9: meeting m1: material "A": file a.exe: not a PDF, DOC/DOCX`},
		{"Sniffed", "      - title: A\n        file: a.pdf\n", map[string][]byte{"a.pdf": []byte("<html>not a pdf</html>")}, nil, `line 9: meeting m1: material "A": file a.pdf: the content is not a PDF`},
		{"SniffedDocx", "      - title: A\n        file: a.docx\n", map[string][]byte{"a.docx": pdf}, nil, `line 9: meeting m1: material "A": file a.docx: the content is not a DOCX file`},
		{"Duplicate", "      - title: A\n        file: a.pdf\n      - title: \" a \"\n        file: a.pdf\n", map[string][]byte{"a.pdf": pdf}, nil, `line 10: meeting m1: material "a": title used twice (first on line 8)`},
		{"NoTitle", "      - file: a.pdf\n", map[string][]byte{"a.pdf": pdf}, nil, `line 8: meeting m1: material 1: title required`},
		{"NoFile", "      - title: A\n", nil, nil, `line 8: meeting m1: material "A": file required`},
		{"NotAList", "      title: A\n", nil, nil, `into a list of materials`},
		{"UnknownKey", "      - title: A\n        path: a.pdf\n", nil, nil, `field path not found in a material`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := materialPlan(t, tt.items, tt.files)
			if tt.setup != nil {
				tt.setup(t, filepath.Dir(path))
			}
			p, err := plan.ParseFile(path)
			if err == nil || !strings.Contains(err.Error(), tt.want) || convene.ErrorCode(err) != convene.EINVALID && !strings.Contains(tt.want, "into") && !strings.Contains(tt.want, "field") {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
			if p != nil {
				t.Fatal("a plan returned with the error")
			}
		})
	}
	// A plan read without its folder (a web upload) cannot read the files: it says so.
	_, err := plan.Parse(strings.NewReader(minimal("    materials:\n      - title: A\n        file: a.pdf\n")))
	if err == nil || !strings.Contains(err.Error(), "line 9:") || !strings.Contains(err.Error(), "convene plan apply FILE") {
		t.Fatalf("no folder: %v", err)
	}
}
