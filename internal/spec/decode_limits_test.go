package spec_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/headroom-sre/headroom/internal/spec"
)

// A file with hundreds of mistakes lists the first 50 and counts the rest;
// every problem is still kept, so checks that count them still work.
func TestErrorListsTheFirstProblemsAndCountsTheRest(t *testing.T) {
	var b strings.Builder
	b.WriteString("spec:\n")
	for i := range 500 {
		fmt.Fprintf(&b, "  bogus%d: 1\n", i)
	}
	docs, err := spec.Parse("s.yaml", []byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	var s system
	docs[0].Decode(&s)
	if n := len(docs[0].Problems()); n != 500 {
		t.Fatalf("%d problems kept; want 500", n)
	}
	lines := strings.Split(docs[0].Err().Error(), "\n")
	if len(lines) != spec.MaxReportedProblems+1 {
		t.Fatalf("%d lines; want %d", len(lines), spec.MaxReportedProblems+1)
	}
	if lines[0] != `s.yaml:2:3: spec.bogus0: unknown field "bogus0" (valid: entry, components, traffic)` {
		t.Errorf("first line %q", lines[0])
	}
	if last := lines[len(lines)-1]; last != "… and 450 more problems (only the first 50 are listed)" {
		t.Errorf("last line %q", last)
	}
	if !docs[0].HasProblem("spec.bogus499") || docs[0].HasProblem("spec.entry") {
		t.Error("HasProblem does not match the problems recorded")
	}
	// A short list is printed whole.
	few := spec.Problems{{File: "a.yaml", Line: 1, Msg: "one"}, {File: "a.yaml", Line: 2, Msg: "two"}}
	if few.Error() != "a.yaml:1: one\na.yaml:2: two" {
		t.Errorf("got %q", few.Error())
	}
}

// The bombs are refused by the functions the CLI calls, before any
// decoding: one problem, not millions.
func TestBombsAreRefusedBeforeDecoding(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "bombs", "list-aliases.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = spec.ParseSystem("list-aliases.yaml", data, nil)
	var ps spec.Problems
	if !errors.As(err, &ps) || len(ps) != 1 || !strings.Contains(err.Error(), "more than 10000 values") {
		t.Fatalf("ParseSystem: %v", err)
	}
	data, err = os.ReadFile(filepath.Join("testdata", "bombs", "merge-chain.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = spec.Parse("merge-chain.yaml", data)
	if !errors.As(err, &ps) || len(ps) != 1 || !strings.Contains(err.Error(), "merge-chain.yaml:9:20") {
		t.Fatalf("Parse: %v", err)
	}
}

// Messages quote a value from the file only when it is short and plainly
// not a secret. A mistaken path (an environment dump, a .env file, a
// credentials file) must not print its contents.
func TestMessagesDoNotEchoSecrets(t *testing.T) {
	type target struct {
		Spot    bool          `yaml:"spot"`
		Count   int           `yaml:"count"`
		Ratio   float64       `yaml:"ratio"`
		Timeout time.Duration `yaml:"timeout"`
		Headers map[string]string
	}
	for _, tc := range []struct {
		name, src, secret, want string
	}{
		{"an environment dump read as YAML", "HOME=/root\nAWS_SECRET_ACCESS_KEY=wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY\n",
			"wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY", "e.yaml:1:1: want a mapping, got a value of 71 characters (not shown)"},
		{"a header line where a bool goes", "spot: 'Authorization: Bearer abc123'\n",
			"abc123", `e.yaml:1:1: spot: want true or false, got a value of 28 characters (not shown)`},
		{"a token where a number goes", "count: ghp_16C7e42F292c6912E7710c838347Ae178B4a\n",
			"ghp_16C7e42F292c6912E7710c838347Ae178B4a", "count: want a whole number, got a value of 40 characters (not shown)"},
		{"key=value where a ratio goes", "ratio: password=hunter2\n",
			"hunter2", "ratio: want a number, got a value of 16 characters (not shown)"},
		{"a token where a duration goes", "timeout: sk_live_4eC39HqLyjWDarjtT1zdp7dc\n",
			"sk_live_4eC39HqLyjWDarjtT1zdp7dc", "timeout: a value of 32 characters (not shown) is not a duration"},
		{"a secret as an unknown key", "ghp_16C7e42F292c6912E7710c838347Ae178B4a: x\n",
			"ghp_16C7e42F292c6912E7710c838347Ae178B4a", "e.yaml:1:1: …: unknown field (a name of 40 characters, not shown)"},
		{"a list where headers go", "headers: ['Authorization: Basic dXNlcjpwYXNz']\n",
			"dXNlcjpwYXNz", "headers: want a mapping, got a list"},
		{"a secret as a header map", "headers: 'X-Api-Key: 5f8a9c'\n",
			"5f8a9c", "headers: want a mapping, got a value of 17 characters (not shown)"},
		{"an anchor named like a secret", "count: *sk_live_4eC39HqLyjWDarjtT1zdp7dc\n",
			"sk_live_4eC39HqLyjWDarjtT1zdp7dc", "e.yaml: invalid YAML: unknown anchor (not shown) referenced"},
		// Short plain values are still quoted: they help, and are not secrets.
		{"a plain word", "spot: sometimes\n", "", `spot: want true or false, got "sometimes"`},
		{"a number without a unit", "timeout: 45\n", "", "timeout: 45 has no unit; write it like 45s or 45m"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			docs, err := spec.Parse("e.yaml", []byte(tc.src))
			if err == nil {
				var v target
				docs[0].Decode(&v)
				err = docs[0].Err()
			}
			if err == nil {
				t.Fatal("no error")
			}
			got := err.Error()
			if tc.secret != "" && strings.Contains(got, tc.secret) {
				t.Errorf("the message shows the secret: %s", got)
			}
			if !strings.Contains(got, tc.want) {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}
