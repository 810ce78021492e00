// Package examples holds the example plan (the seed plan 82-KH/ĐU) and a
// roster of fictional delegates, embedded for `convene try` and tests.
package examples

import (
	"bytes"
	_ "embed"
	"io"
)

//go:embed plan-82-KH-DU.yaml
var plan []byte

//go:embed roster-chi-bo-01.csv
var roster []byte

// Plan returns the example plan file.
func Plan() io.Reader { return bytes.NewReader(plan) }

// Roster returns the example roster of meeting chi-bo-01 (CSV).
func Roster() io.Reader { return bytes.NewReader(roster) }
