package spec_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/headroom-sre/headroom/internal/spec"
)

type hpa struct {
	MinReplicas int `yaml:"minReplicas"`
	MaxReplicas int `yaml:"maxReplicas" spec:"required"`
}

type component struct {
	Name    string        `yaml:"name" spec:"required"`
	Startup time.Duration `yaml:"startup"`
	Calls   map[string]float64
	HPA     *hpa  `yaml:"hpa"`
	Spot    bool  `yaml:"spot"`
	Tags    []any `yaml:"tags"`
}

type system struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Spec       struct {
		Entry      string      `yaml:"entry"`
		Components []component `yaml:"components"`
		Traffic    spec.Shape  `yaml:"traffic"`
	} `yaml:"spec"`
}

func decode(t *testing.T, src string) (*system, error) {
	t.Helper()
	docs, err := spec.Parse("system.yaml", []byte(src))
	if err != nil {
		return nil, err
	}
	var s system
	docs[0].Decode(&s)
	return &s, docs[0].Err()
}

func TestDecodeGoodFile(t *testing.T) {
	s, err := decode(t, `
apiVersion: headroom/v1
kind: System
spec:
  entry: app
  traffic: spike:base=50,peak=1500,at=1m
  components:
    - name: app
      startup: 45s
      calls: {money: 0.6}
      hpa: {minReplicas: 2, maxReplicas: 20}
      tags: [a, 1]
    - name: money
      startup: 1d
`)
	if err != nil {
		t.Fatal(err)
	}
	c := s.Spec.Components
	if len(c) != 2 || c[0].Startup != 45*time.Second || c[0].Calls["money"] != 0.6 || c[0].HPA.MaxReplicas != 20 || c[1].HPA != nil || c[1].Startup != 24*time.Hour {
		t.Fatalf("decoded %+v", s)
	}
	if s.Spec.Traffic.Curve == nil || s.Spec.Traffic.Curve.Max() != 1500 {
		t.Fatalf("traffic = %v", s.Spec.Traffic)
	}
}

// Every problem is reported at once, each with line, column and path.
func TestDecodeReportsEveryProblemWithItsPosition(t *testing.T) {
	_, err := decode(t, `apiVersion: headroom/v1
kind: System
spec:
  entry: app
  traffic:
    kind: spike
    base: 50
    peek: 1500
  components:
    - name: app
      startup: 45
      hpa: {minReplicas: two}
      spot: yes please
    - startup: 1m
      maxReplicas: 3
`)
	var ps spec.Problems
	if !errors.As(err, &ps) {
		t.Fatalf("err = %v; want spec.Problems", err)
	}
	want := []string{
		`system.yaml:8:5: spec.traffic.peek: spike: peek: unknown key`,
		`system.yaml:11:7: spec.components[0].startup: 45 has no unit`,
		`system.yaml:12:13: spec.components[0].hpa.minReplicas: want a whole number, got "two"`,
		`system.yaml:12:7: spec.components[0].hpa: missing required field "maxReplicas"`,
		`system.yaml:13:7: spec.components[0].spot: want true or false, got "yes please"`,
		`system.yaml:14:7: spec.components[1]: missing required field "name"`,
		`system.yaml:15:7: spec.components[1].maxReplicas: unknown field "maxReplicas"`,
	}
	got := err.Error()
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("problems lack %q\ngot:\n%s", w, got)
		}
	}
	if len(ps) != len(want) {
		t.Errorf("got %d problems; want %d:\n%s", len(ps), len(want), got)
	}
}

func TestUnknownFieldSuggestsTheNearestName(t *testing.T) {
	_, err := decode(t, "spec:\n  entyr: app\n")
	if err == nil || !strings.Contains(err.Error(), `unknown field "entyr" (did you mean "entry"?)`) {
		t.Fatalf("err = %v", err)
	}
}

func TestErrorfPositionsByPath(t *testing.T) {
	docs, err := spec.Parse("s.yaml", []byte("a:\n  b:\n    - x: 1\n    - x: 2\n"))
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		A struct {
			B []struct {
				X int `yaml:"x"`
			} `yaml:"b"`
		} `yaml:"a"`
	}
	docs[0].Decode(&v)
	docs[0].Errorf("a.b[1].x", "must be at most %d", 1)
	docs[0].Errorf("a.b[7].x", "unseen paths fall back to the parent")
	got := docs[0].Err().Error()
	for _, w := range []string{"s.yaml:4:7: a.b[1].x: must be at most 1", "s.yaml:2:3: a.b[7].x: unseen"} {
		if !strings.Contains(got, w) {
			t.Errorf("got %q; want %q", got, w)
		}
	}
}

func TestParseMultiDocumentAndSyntaxErrors(t *testing.T) {
	docs, err := spec.Parse("m.yaml", []byte("kind: A\n---\n---\nkind: B\n"))
	if err != nil || len(docs) != 2 || docs[1].String("kind") != "B" {
		t.Fatalf("docs = %v, err = %v", docs, err)
	}
	_, err = spec.Parse("bad.yaml", []byte("a: b\n  c: d\n"))
	if err == nil || !strings.HasPrefix(err.Error(), "bad.yaml:2: invalid YAML") {
		t.Fatalf("err = %v", err)
	}
	_, err = spec.Parse("empty.yaml", []byte("# nothing\n"))
	if err == nil || !strings.Contains(err.Error(), "no YAML document") {
		t.Fatalf("err = %v", err)
	}
}

func TestDuplicateKeysAndMergeKeys(t *testing.T) {
	_, err := decode(t, "spec:\n  entry: a\n  entry: b\n")
	if err == nil || !strings.Contains(err.Error(), "system.yaml:3:3: spec.entry: given twice") {
		t.Fatalf("err = %v", err)
	}
	s, err := decode(t, `
defaults: &d {name: x, startup: 30s}
spec:
  components:
    - <<: *d
      startup: 1m
`)
	// "defaults" is not a field: one problem, and the merge still applied.
	if err == nil || !strings.Contains(err.Error(), `unknown field "defaults"`) {
		t.Fatalf("err = %v", err)
	}
	if c := s.Spec.Components[0]; c.Name != "x" || c.Startup != time.Minute {
		t.Fatalf("merged component = %+v", c)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add("spec:\n  entry: app\n  components: [{name: a, startup: 5s, hpa: {maxReplicas: 3}}]\n")
	f.Add("spec: {traffic: {kind: ramp, to: 5, for: 1m}}")
	f.Add("a: &x [*x]")
	f.Add("- 1\n- 2")
	f.Add("m0: &m0 {name: a}\nm1: &m1 {<<: [*m0, *m0]}\nspec: {components: [*m1, *m1], <<: *m1}\n")
	f.Add("a: &a [x, x]\nb: &b [*a, *a]\nspec: {components: [{name: n, tags: [*b, *b]}]}\n")
	f.Fuzz(func(t *testing.T, src string) {
		if len(src) > 64<<10 { // larger inputs only slow the search; Parse caps files at 4 MiB
			return
		}
		docs, err := spec.Parse("f.yaml", []byte(src))
		if err != nil {
			return
		}
		for _, d := range docs {
			var s system
			d.Decode(&s)
			// What a document costs is bounded by the file and the alias
			// limit: a problem needs a node, a node at least a byte.
			if n := len(d.Problems()); n > 8*(len(src)+spec.MaxAliasNodes) {
				t.Fatalf("%d problems from %d bytes", n, len(src))
			}
			for _, p := range d.Problems() {
				if p.Msg == "" || p.File != "f.yaml" {
					t.Fatalf("bad problem %+v", p)
				}
			}
		}
	})
}

func TestDecodeFixedLengthArrays(t *testing.T) {
	docs, err := spec.Parse("a.yaml", []byte("bracket: [1.5, 3]\nbad: [1]\n"))
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Bracket [2]float64 `yaml:"bracket"`
		Bad     [2]float64 `yaml:"bad"`
	}
	docs[0].Decode(&v)
	if v.Bracket != [2]float64{1.5, 3} {
		t.Errorf("bracket = %v", v.Bracket)
	}
	if err := docs[0].Err(); err == nil || !strings.Contains(err.Error(), "a.yaml:2:1: bad: want a list of 2 values") {
		t.Errorf("err = %v", err)
	}
}
