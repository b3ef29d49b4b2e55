package spec

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// rawDocs parses a file without Parse's checks, as the bombs' victims did.
func rawDocs(t *testing.T, data []byte) []*Document {
	t.Helper()
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	var docs []*Document
	for {
		var n yaml.Node
		if err := dec.Decode(&n); err != nil {
			break
		}
		docs = append(docs, &Document{Root: n.Content[0]})
	}
	if len(docs) == 0 {
		t.Fatal("no documents")
	}
	return docs
}

// Each bomb is refused by Parse with one problem at the alias that passes
// the limit, and measuring it visits a number of nodes bounded by the
// file's own size plus the limit, not by what it would expand to.
func TestYAMLBombsAreRefusedAtTheAlias(t *testing.T) {
	for _, tc := range []struct {
		file string
		at   string // file:line:col of the problem
		msg  string
	}{
		// A 538-byte scenario: each level merges the one before four times.
		// The old decoder took seconds expanding it; unlimited, the next
		// level would take minutes.
		{"merge-chain.yaml", "merge-chain.yaml:9:20: m6.<<[1]:", "alias *m5 and those before it expand the file by more than 10000 values"},
		// A 1.4 KB System: lists of aliases of components whose lists are
		// aliases. The old decoder reported 176,761 problems (20 MB).
		{"list-aliases.yaml", "list-aliases.yaml:8:16: spec.components[0]:", "alias *comp and those before it expand the file by more than 10000 values"},
		// The classic: 9^9 "lol"s in 342 bytes.
		{"billion-laughs.yaml", "billion-laughs.yaml:5:8: e[0]:", "more than 10000 values, the most headroom accepts (a YAML bomb?)"},
		// An alias inside its own anchor's value.
		{"alias-loop.yaml", "alias-loop.yaml:6:13: spec.targets[0].more:", "alias *t is inside the value it repeats (a loop)"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "bombs", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			docs, err := Parse(tc.file, data)
			var ps Problems
			if !errors.As(err, &ps) || docs != nil {
				t.Fatalf("Parse = %v, %v; want Problems", docs, err)
			}
			if len(ps) != 1 {
				t.Fatalf("%d problems; want 1:\n%v", len(ps), err)
			}
			if got := err.Error(); !strings.HasPrefix(got, tc.at) || !strings.Contains(got, tc.msg) {
				t.Errorf("got  %s\nwant %s … %s", got, tc.at, tc.msg)
			}

			// The cost of the check itself, in nodes visited.
			raw := rawDocs(t, data)
			literal := 0
			for _, d := range raw {
				literal += countNodes(d.Root)
			}
			b := newAliasBudget(max(MaxAliasNodes, literal))
			for _, d := range raw {
				if b.walk(d.Root) != nil {
					break
				}
			}
			if limit := literal + 3*MaxAliasNodes; b.visits > limit {
				t.Errorf("the check visited %d nodes; want at most %d (%d written + 3×%d)", b.visits, limit, literal, MaxAliasNodes)
			}
		})
	}
}

// Anchors used as intended — defaults merged into many entries — stay well
// inside the limit and decode as before.
func TestAnchorsForDefaultsAreAccepted(t *testing.T) {
	var b strings.Builder
	b.WriteString("defaults: &d {weight: 1, method: GET, timeout: 2s, headers: {Accept: application/json, X-Team: sre}}\nitems:\n")
	for i := range 300 {
		fmt.Fprintf(&b, "  - {<<: *d, url: \"http://127.0.0.1:8080/%d\"}\n", i)
	}
	docs, err := Parse("many.yaml", []byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Defaults any `yaml:"defaults"`
		Items    []struct {
			URL     string            `yaml:"url"`
			Weight  int               `yaml:"weight"`
			Method  string            `yaml:"method"`
			Timeout string            `yaml:"timeout"`
			Headers map[string]string `yaml:"headers"`
		} `yaml:"items"`
	}
	docs[0].Decode(&v)
	if err := docs[0].Err(); err != nil {
		t.Fatal(err)
	}
	if len(v.Items) != 300 || v.Items[299].Method != "GET" || v.Items[299].Headers["X-Team"] != "sre" || v.Items[7].URL != "http://127.0.0.1:8080/7" {
		t.Fatalf("decoded %d items, last %+v", len(v.Items), v.Items[len(v.Items)-1])
	}
}

// A large file may repeat as many values as it writes out: aliases can
// at most double it.
func TestAliasLimitGrowsWithTheFile(t *testing.T) {
	big := "a: &a [" + strings.Repeat("x, ", 14999) + "x]\n"            // 15,003 values written, with the mapping and its key
	if _, err := Parse("big.yaml", []byte(big+"b: *a\n")); err != nil { // adds 15,001
		t.Fatalf("one repeat of a large anchor: %v", err)
	}
	_, err := Parse("big.yaml", []byte(big+"b: *a\nc: *a\n"))
	if err == nil || !strings.HasPrefix(err.Error(), "big.yaml:3:4: c: alias *a and those before it expand the file by more than 15007 values") {
		t.Fatalf("two repeats: %v", err)
	}
}

// The limit counts every document of a file together: a bomb cannot be
// spread thinly over many documents.
func TestAliasLimitSpansDocuments(t *testing.T) {
	doc := "a: &a [" + strings.Repeat("x, ", 99) + "x]\nb: [" + strings.Repeat("*a, ", 29) + "*a]\n"
	if _, err := Parse("one.yaml", []byte(doc)); err != nil { // 30 × 101 values: fine
		t.Fatalf("one document: %v", err)
	}
	many := strings.Repeat(doc+"---\n", 4) // 4 × 3030 > 10000
	_, err := Parse("many.yaml", []byte(many))
	if err == nil || !strings.HasPrefix(err.Error(), "many.yaml:11:41: b[9]:") || !strings.Contains(err.Error(), "more than 10000 values") {
		t.Fatalf("err = %v", err)
	}
}

func TestParseRefusesFilesOverTheSizeCap(t *testing.T) {
	data := []byte("a: " + strings.Repeat("x", MaxFileBytes) + "\n")
	_, err := Parse("big.yaml", data)
	if err == nil || err.Error() != "big.yaml: the file is 4,194,308 bytes, more than the 4Mi headroom reads from a YAML or JSON file" {
		t.Fatalf("err = %v", err)
	}
	if _, err := Parse("ok.yaml", data[:MaxFileBytes-8]); err != nil {
		t.Fatalf("a file just under the cap: %v", err)
	}
}
