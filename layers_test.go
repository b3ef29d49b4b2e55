package headroom_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/headroom-sre/headroom"

// layers is the law of the code base: for every package (by directory), the
// packages of this module it may import. Data flows one way,
// measure → model → decide → report, and the shell (internal/cli) wires it
// together. A package missing from this table fails the test: add it on
// purpose, in its place.
var layers = map[string][]string{
	// How quantities are written for people: imports nothing of ours.
	"units": {},
	// Vocabulary and the demo target: nothing of ours but units.
	"traffic": {"units"},
	"stats":   {"units"},
	"pricing": {"units"},
	"demo":    {},
	// Measure.
	"load": {"traffic", "stats", "units"},
	// Model.
	"slo":      {"stats", "units"},
	"promrule": {"slo", "units"},
	"capacity": {"traffic", "stats", "slo", "units"},

	// Model → output, beside promrule: a Grafana dashboard of its series.
	"dashboard": {"slo", "promrule", "units"},
	// Decide.
	"sim":       {"traffic", "stats", "slo", "capacity", "pricing", "units"},
	"plan":      {"traffic", "stats", "slo", "capacity", "pricing", "sim", "units"},
	"rightsize": {"traffic", "stats", "slo", "capacity", "pricing", "sim", "units"},
	// Model from the real system: cluster facts and history in, a System out.
	"importer": {"traffic", "stats", "slo", "capacity", "pricing", "sim", "units"},
	// Decide, on top of sim and plan: a go/no-go readiness review.
	"review": {"traffic", "stats", "slo", "capacity", "pricing", "sim", "plan", "units"},
	// Report.
	"report": {"traffic", "stats", "slo", "promrule", "capacity", "pricing", "sim", "plan", "rightsize", "importer", "review", "units"},
	// Use cases: the glue between the shell and the core (files, clocks and
	// adapters come in through interfaces and configs).
	"pipeline": {"traffic", "stats", "slo", "promrule", "dashboard", "capacity", "pricing", "sim", "plan", "rightsize", "importer", "review", "report", "load", "demo",
		"internal/spec", "internal/prom", "internal/kube", "units"},
	// Shell: file formats, adapters, the CLI and main.
	"internal/spec":     {"traffic", "stats", "slo", "capacity", "pricing", "sim", "plan", "rightsize", "importer", "units"},
	"internal/prom":     {"stats", "slo", "rightsize", "importer", "units"},
	"internal/kube":     {"pricing", "rightsize", "importer", "units"},
	"internal/procfs":   {},
	"internal/testbin":  {},
	"internal/promtest": {"internal/testbin"},
	"internal/cli":      {"*"},
	"cmd/headroom":      {"internal/cli"},
	"":                  {}, // the root: documentation only

	"internal/clustergen": {}, // tests: a generated GKE cluster, its history and its truth
}

// network lists the core packages allowed to use the network: the load
// engine sends traffic and the demo serves it. Everything else in the core
// is values in, values out.
var network = map[string]bool{"load": true, "demo": true}

// shellOnly are standard packages only the shell may import: files,
// environment, processes and the network.
var shellOnly = []string{"os", "os/exec", "os/signal", "io/ioutil", "net", "net/http", "syscall", "plugin"}

// thirdParty lists the modules each core package may import beyond the
// standard library. internal/ packages may import any module in go.mod.
var thirdParty = map[string][]string{
	"stats":     {"github.com/HdrHistogram/hdrhistogram-go"},
	"demo":      {"github.com/prometheus/client_golang"},
	"load":      {"golang.org/x/net"},
	"promrule":  {"go.yaml.in/yaml/v3"},
	"plan":      {"go.yaml.in/yaml/v3"},
	"rightsize": {"go.yaml.in/yaml/v3"},
	"report":    {"go.yaml.in/yaml/v3"},
	"importer":  {"go.yaml.in/yaml/v3"},
}

func TestImportsFlowOneWay(t *testing.T) {
	imports := map[string]map[string]token.Position{} // package dir → import → where
	fset := token.NewFileSet()
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if path != "." && (strings.HasPrefix(name, ".") || name == "testdata" || name == "bench" || name == "scripts") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		dir := filepath.ToSlash(filepath.Dir(path))
		if dir == "." {
			dir = ""
		}
		if imports[dir] == nil {
			imports[dir] = map[string]token.Position{}
		}
		for _, im := range f.Imports {
			p, _ := strconv.Unquote(im.Path.Value)
			imports[dir][p] = fset.Position(im.Pos())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	dirs := make([]string, 0, len(imports))
	for d := range imports {
		dirs = append(dirs, d)
	}
	sort.Strings(dirs)
	for _, dir := range dirs {
		allowed, ok := layers[dir]
		if !ok {
			t.Errorf("package %q is not in the layers table of layers_test.go; add it in its place", dir)
			continue
		}
		core := !strings.HasPrefix(dir, "internal/") && !strings.HasPrefix(dir, "cmd/")
		for imp, pos := range imports[dir] {
			switch {
			case imp == module || strings.HasPrefix(imp, module+"/"):
				target := strings.TrimPrefix(strings.TrimPrefix(imp, module), "/")
				if !contains(allowed, target) && !contains(allowed, "*") {
					t.Errorf("%s: %q may not import %q (allowed: %v)", pos, dir, target, allowed)
				}
			case !strings.Contains(strings.SplitN(imp, "/", 2)[0], "."):
				// Standard library.
				if core && contains(shellOnly, imp) && !(network[dir] && (imp == "net" || imp == "net/http" || imp == "syscall")) {
					t.Errorf("%s: core package %q may not import %q: only the shell touches files, env and the network", pos, dir, imp)
				}
			default:
				if core && !hasPrefixIn(imp, thirdParty[dir]) {
					t.Errorf("%s: core package %q may not import %q (allowed modules: %v)", pos, dir, imp, thirdParty[dir])
				}
			}
		}
	}
}

func contains(xs []string, x string) bool {
	for _, s := range xs {
		if s == x {
			return true
		}
	}
	return false
}

func hasPrefixIn(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if s == p || strings.HasPrefix(s, p+"/") {
			return true
		}
	}
	return false
}
