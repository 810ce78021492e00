// Package examples holds the example plan (the seed plan 82-KH/ĐU) with the
// materials it names and a roster of fictional delegates, embedded for
// `convene try` and tests.
package examples

import (
	"bytes"
	"embed"
	"io"
	"io/fs"
	"testing/fstest"
)

// PlanFile is the example plan's name in FS.
const PlanFile = "plan-82-KH-DU.yaml"

// FS holds the example plan and the files its materials name (tai-lieu/),
// for plan.ParseFS(examples.FS, examples.PlanFile).
//
//go:embed plan-82-KH-DU.yaml tai-lieu
var FS embed.FS

//go:embed plan-82-KH-DU.yaml
var plan []byte

//go:embed roster-chi-bo-01.csv
var roster []byte

// Plan returns the example plan file. It names materials: parse it with
// plan.ParseFS(FS, PlanFile), which can read their files.
func Plan() io.Reader { return bytes.NewReader(plan) }

// Roster returns the example roster of meeting chi-bo-01 (CSV).
func Roster() io.Reader { return bytes.NewReader(roster) }

// WithPlan returns the example files with src in place of the example plan
// (PlanFile), for a variant of the plan that keeps its materials.
func WithPlan(src []byte) fs.FS {
	m := fstest.MapFS{PlanFile: {Data: src, Mode: 0o644}}
	_ = fs.WalkDir(FS, "tai-lieu", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			data, _ := FS.ReadFile(p)
			m[p] = &fstest.MapFile{Data: data, Mode: 0o644}
		}
		return nil
	})
	return m
}
