// Package plan reads plan files (YAML) and rosters (CSV, XLSX) into domain
// values. It checks what a file alone can tell; what needs the database
// (unknown categories, people already invited) is checked by storage.
package plan

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	_ "time/tzdata" // meetings name IANA zones; a static binary may run without a zoneinfo directory

	"go.yaml.in/yaml/v3"

	"github.com/convene/convene"
)

// Parse reads a plan file and returns the plan it describes, validated.
// Times are read in the plan's time zone (Asia/Ho_Chi_Minh unless the plan or
// a meeting says otherwise) and stored in UTC. Returns EINVALID naming the
// line and meeting of the first problem, e.g.
// `plan: line 7: meeting chi-bo-01: starts_at "2024-13-01T08:00": month out of range`.
// Parse has no folder to read materials' files from: a plan naming
// materials is refused (EINVALID, with the line); use ParseFile or ParseFS.
func Parse(r io.Reader) (*convene.Plan, error) {
	return parse(r, "plan")
}

// ParseFile reads the plan file at path like Parse, and the files its
// meetings' materials name, relative to the plan's folder; its errors name
// the file.
func ParseFile(path string) (*convene.Plan, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("plan: %w", err)
	}
	defer f.Close()
	return parseWith(f, "plan: "+path, dirFiles(filepath.Dir(path)))
}

func parse(r io.Reader, where string) (*convene.Plan, error) { return parseWith(r, where, nil) }

// parseWith parses a plan whose materials' files files opens (nil: a plan
// read without its folder, which may name no materials).
func parseWith(r io.Reader, where string, files func(string) (fs.File, error)) (*convene.Plan, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	b := &builder{where: where, files: files}
	var fp filePlan
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&fp); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, b.errf(0, "the file is empty")
		}
		return nil, b.errf(0, "%s", yamlMessage(err))
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, b.errf(extra.Line, "a plan file holds one YAML document; found another")
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err == nil {
		b.meetingLines = meetingLines(&root)
	}
	p, err := b.plan(&fp)
	if err != nil {
		return nil, err
	}
	if err := p.Validate(); err != nil {
		return nil, b.errf(0, "%s", convene.ErrorMessage(err))
	}
	return p, nil
}

// builder turns the decoded file into domain values, naming the line of each problem.
type builder struct {
	where        string
	meetingLines []int // line of each meeting's mapping, by index
	// files opens a material's file by its path relative to the plan (material.go).
	files func(string) (fs.File, error)
}

func (b *builder) errf(line int, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if line > 0 {
		return convene.Errorf(convene.EINVALID, "%s: line %d: %s", b.where, line, msg)
	}
	return convene.Errorf(convene.EINVALID, "%s: %s", b.where, msg)
}

// meetingLines returns the line where each item of the top-level meetings list starts.
func meetingLines(root *yaml.Node) []int {
	if root.Kind != yaml.DocumentNode || len(root.Content) == 0 {
		return nil
	}
	m := root.Content[0]
	if m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value != "meetings" || m.Content[i+1].Kind != yaml.SequenceNode {
			continue
		}
		var lines []int
		for _, item := range m.Content[i+1].Content {
			lines = append(lines, item.Line)
		}
		return lines
	}
	return nil
}

// yamlNames renames the decoder's Go type names for people reading errors.
var yamlNames = strings.NewReplacer(
	"in type plan.filePlan", "in the plan",
	"in type plan.fileMeeting", "in a meeting",
	"in type plan.fileCategory", "in a category",
	"in type plan.fileReminder", "in a reminder",
	"in type plan.fileFeedback", "in feedback",
	"in type plan.fileQuestion", "in a feedback question",
	"in type plan.fileUnit", "in a unit",
	"in type plan.plain", "in a representative",
	"in type plan.fileItem", "in a program item",
	"in type plan.fileSigner", "in a signer (want authority, title, name)",
	"in type plan.fileReport", "in the report settings (want signer, recipients)",
	"into plan.fileSigner", "into a signer (want a mapping of authority, title, name)",
	"into plan.fileReport", "into the report settings (want a mapping of signer, recipients)",
	"in type plan.fileMaterial", "in a material",
	"into []plan.fileMaterial", "into a list of materials",
	"into plan.fileMaterial", "into a material (want title, file)",
	"into []plan.fileUnit", "into a list of units",
	"into []plan.fileItem", "into a list of program items",
	"into plan.fileUnit", "into a unit",
	"into plan.fileItem", "into a program item",
	"into plan.plain", "into a representative (want name, title, phone)",
	"into plan.filePlan", "into a plan (want a mapping of organization, plan, timezone, meetings)",
	"into []plan.fileMeeting", "into a list of meetings",
	"into []plan.fileCategory", "into a list of categories",
	"into []plan.fileReminder", "into a list of reminders",
	"into []plan.fileQuestion", "into a list of questions",
	"into plan.fileMeeting", "into a meeting",
	"into plan.fileCategory", "into a category",
	"into plan.fileReminder", "into a reminder",
	"into plan.fileFeedback", "into feedback settings",
	"into plan.fileQuestion", "into a question",
)

// yamlMessage turns a decoder error into one line without the package's
// prefixes. The decoder shortens a quoted value by bytes, which can cut a
// Vietnamese letter in two: what is left of it is dropped.
func yamlMessage(err error) string {
	return strings.ToValidUTF8(yamlMessageRaw(err), "")
}

func yamlMessageRaw(err error) string {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msgs := make([]string, len(te.Errors))
		for i, e := range te.Errors {
			msgs[i] = yamlNames.Replace(strings.TrimPrefix(e, "yaml: "))
		}
		return strings.Join(msgs, "; ")
	}
	return yamlNames.Replace(strings.TrimPrefix(err.Error(), "yaml: "))
}
