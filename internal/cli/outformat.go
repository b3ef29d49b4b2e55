package cli

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/pflag"
)

// formatValue is the -o flag of every command, as kubectl's: the format of
// what the command prints on stdout (text, json, yaml), never a file name —
// files are written with --out. A value that looks like a file is refused
// with that hint, so `-o json` can't create a file named json and an old
// `-o rules.yaml` says what to write instead.
type formatValue struct {
	value   string
	allowed []string
	// json, when not nil, is set when the format is json (the command's
	// --json flag shares it).
	json *bool
}

// addFormatFlag registers -o/--output on fl with the formats a command can
// print, the first being the default. asJSON, when not nil, is the
// command's --json flag: -o json sets it, and --json stays its shorthand.
func addFormatFlag(fl *pflag.FlagSet, asJSON *bool, allowed ...string) *formatValue {
	f := &formatValue{value: allowed[0], allowed: allowed, json: asJSON}
	fl.VarP(f, "output", "o", "output format on stdout: "+strings.Join(allowed, " or ")+" (files are written with --out)")
	return f
}

// Set implements pflag.Value.
func (f *formatValue) Set(s string) error {
	v := strings.ToLower(strings.TrimSpace(s))
	if !slices.Contains(f.allowed, v) {
		if strings.ContainsAny(s, "./\\") || s == "-" {
			return fmt.Errorf("%q is not an output format: -o takes %s, as kubectl; write files with --out %s", s, strings.Join(f.allowed, " or "), s)
		}
		return fmt.Errorf("unknown output format %q: want %s", s, strings.Join(f.allowed, " or "))
	}
	f.value = v
	if f.json != nil {
		*f.json = v == "json"
	}
	return nil
}

// String implements pflag.Value.
func (f *formatValue) String() string { return f.value }

// Type implements pflag.Value.
func (f *formatValue) Type() string { return "format" }

// Format is the format chosen: json when the command's --json flag is set.
func (f *formatValue) Format() string {
	if f.json != nil && *f.json {
		return "json"
	}
	return f.value
}
