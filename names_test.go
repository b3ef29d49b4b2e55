package headroom_test

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// coreDirs are the core packages: every directory at the module root but
// cmd and internal. Their messages speak the domain's language, not the
// command line's.
func coreDirs(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	var dirs []string
	for _, e := range entries {
		if n := e.Name(); e.IsDir() && !strings.HasPrefix(n, ".") && !slices.Contains([]string{"cmd", "internal", "bench", "scripts", "testdata"}, n) {
			dirs = append(dirs, n)
		}
	}
	return dirs
}

// flagsPending lists core packages whose strings may still name flags, with
// the reason; each entry is work left, not a rule. Remove an entry when its
// package is clean.
var flagsPending = map[string]string{}

// flagPattern matches a long command-line flag (--max-rate) or a short one
// standing alone (-o FILE) at the start of a string or after a space, a
// quote, a bracket or a parenthesis.
var flagPattern = regexp.MustCompile(`(^|[\s'"(\[` + "`" + `])(--[a-z][a-z0-9-]+|-[a-zA-Z](\s|$|[)\]]))`)

// walkGo calls fn for every non-test Go file under dir, skipping hidden
// directories, testdata, bench and scripts.
func walkGo(t *testing.T, dir string, fn func(path string)) {
	t.Helper()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if p != dir && (strings.HasPrefix(name, ".") || name == "testdata" || name == "bench" || name == "scripts") {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(p, ".go") && !strings.HasSuffix(p, "_test.go") {
			fn(p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestCoreStringsNameNoFlags keeps the command line out of the core: an
// error or a note of a core package says what is wrong in the domain's
// terms, and the CLI adds the flag to its hint. Commands for other tools
// (a kubectl line in a generated manifest, ulimit) are content, not our
// flags.
func TestCoreStringsNameNoFlags(t *testing.T) {
	fset := token.NewFileSet()
	for _, dir := range coreDirs(t) {
		if _, ok := flagsPending[dir]; ok {
			continue
		}
		walkGo(t, dir, func(p string) {
			f, err := parser.ParseFile(fset, p, nil, parser.SkipObjectResolution)
			if err != nil {
				t.Fatal(err)
			}
			foreign := map[*ast.BasicLit]bool{} // literals of a kubectl command line
			ast.Inspect(f, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.CompositeLit:
					if !hasKubectl(n) {
						return true
					}
					ast.Inspect(n, func(m ast.Node) bool {
						if bl, ok := m.(*ast.BasicLit); ok {
							foreign[bl] = true
						}
						return true
					})
					return false
				case *ast.BasicLit:
					if n.Kind != token.STRING || foreign[n] {
						return true
					}
					s, err := strconv.Unquote(n.Value)
					if err != nil || foreignCommand.MatchString(s) {
						return true
					}
					if m := flagPattern.FindStringSubmatch(s); m != nil {
						t.Errorf("%s: %q names the command-line flag %q; say what is wrong in the domain's terms and let the CLI add the flag",
							fset.Position(n.Pos()), s, strings.TrimRight(m[2], " \t\n)]"))
					}
				}
				return true
			})
		})
	}
}

// foreignCommand matches a string that spells another tool's command line
// (a kubectl patch in a generated manifest, ulimit -n in a hint): its flags
// are that tool's, not ours.
var foreignCommand = regexp.MustCompile(`\b(kubectl|ulimit)\s`)

// hasKubectl reports whether a composite literal spells a kubectl command
// line: one of its elements is the string "kubectl".
func hasKubectl(c *ast.CompositeLit) bool {
	for _, e := range c.Elts {
		if bl, ok := e.(*ast.BasicLit); ok && bl.Kind == token.STRING && bl.Value == `"kubectl"` {
			return true
		}
	}
	return false
}

func TestFlagPatternMatchesFlags(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{"raise it with --max-rate", true},
		{"--accept-lower-bound is needed", true},
		{"write it (-o FILE)", true},
		{"'--prices' reads a file", true},
		{"give it with -o", true},
		{"a rate of -5 per second is negative", false},
		{"p99 latency - budget", false},
		{"cpu-bound and x--y", false},
		{"file:line:col: field.path: message", false},
		{"a 2-replica floor", false},
	} {
		if got := flagPattern.MatchString(tc.in); got != tc.want {
			t.Errorf("flagPattern.MatchString(%q) = %v; want %v", tc.in, got, tc.want)
		}
	}
}

// shadowSkip lists directories the shadowing check leaves out for now, with
// the reason. Remove an entry to check its files too.
var shadowSkip = map[string]string{}

// importNames maps every package the module's packages import, directly or
// not, to its package name (go list knows it; the last element of the path
// is not always it: go.yaml.in/yaml/v3 is yaml).
func importNames(t *testing.T) map[string]string {
	t.Helper()
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	out, err := exec.Command(goTool, "list", "-e", "-deps", "-f", "{{.ImportPath}} {{.Name}}", "./...").Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("go list: %v\n%s", err, stderr)
	}
	names := map[string]string{}
	for line := range strings.Lines(string(out)) {
		if p, name, ok := strings.Cut(strings.TrimSpace(line), " "); ok && name != "" {
			names[p] = name
		}
	}
	return names
}

// TestNamesDoNotShadowImports fails when a file declares something (a var,
// const, type, func, parameter or result) named like a package it imports:
// a local `plan` in a file that imports package plan hides the package
// from the rest of its scope and reads as the package at a glance.
func TestNamesDoNotShadowImports(t *testing.T) {
	names := importNames(t)
	fset := token.NewFileSet()
	walkGo(t, ".", func(p string) {
		dir := filepath.ToSlash(filepath.Dir(p))
		for skip := range shadowSkip {
			if dir == skip || strings.HasPrefix(dir, skip+"/") {
				return
			}
		}
		f, err := parser.ParseFile(fset, p, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		imported := map[string]string{} // name in the file → import path
		for _, im := range f.Imports {
			ip, _ := strconv.Unquote(im.Path.Value)
			name := names[ip]
			if name == "" {
				name = path.Base(ip)
			}
			if im.Name != nil {
				name = im.Name.Name
			}
			if name != "_" && name != "." {
				imported[name] = ip
			}
		}
		for _, id := range declared(f) {
			if ip, ok := imported[id.Name]; ok {
				t.Errorf("%s: %s is declared with the name of the package %q the file imports; rename it", fset.Position(id.Pos()), id.Name, ip)
			}
		}
	})
}

// declared returns the identifiers a file declares, at any depth: package
// and local vars, consts, types and funcs, := and range variables, type
// parameters, receivers, parameters and results. Method names, struct
// fields and labels live in their own name spaces and are left out.
func declared(f *ast.File) []*ast.Ident {
	var ids []*ast.Ident
	fields := func(fl *ast.FieldList) {
		if fl == nil {
			return
		}
		for _, fd := range fl.List {
			ids = append(ids, fd.Names...)
		}
	}
	funcType := func(ft *ast.FuncType) {
		fields(ft.TypeParams)
		fields(ft.Params)
		fields(ft.Results)
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncDecl:
			if n.Recv == nil {
				ids = append(ids, n.Name)
			}
			fields(n.Recv)
			funcType(n.Type)
		case *ast.FuncLit:
			funcType(n.Type)
		case *ast.ValueSpec:
			ids = append(ids, n.Names...)
		case *ast.TypeSpec:
			ids = append(ids, n.Name)
			fields(n.TypeParams)
		case *ast.AssignStmt:
			if n.Tok == token.DEFINE {
				for _, e := range n.Lhs {
					if id, ok := e.(*ast.Ident); ok {
						ids = append(ids, id)
					}
				}
			}
		case *ast.RangeStmt:
			if n.Tok == token.DEFINE {
				for _, e := range []ast.Expr{n.Key, n.Value} {
					if id, ok := e.(*ast.Ident); ok {
						ids = append(ids, id)
					}
				}
			}
		}
		return true
	})
	out := ids[:0]
	for _, id := range ids {
		if id != nil && id.Name != "_" {
			out = append(out, id)
		}
	}
	return out
}

// names lists the identifiers' names, for failure messages.
func names(ids []*ast.Ident) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = id.Name
	}
	return fmt.Sprint(s)
}

func TestDeclaredFindsEveryKindOfDeclaration(t *testing.T) {
	const src = `package p
import "strings"
var a, _ = 1, 2
const b = 3
type c[d any] struct{ field int }
func e[f any](g int, h ...string) (i error) {
	j := 1
	var k int
	for l, m := range []int{} {}
	_ = func(n int) (o int) { return }
	type q int
	label:
	return nil
}
func (r *c[d]) method(s int) {}
var _ = strings.Cut
`
	f, err := parser.ParseFile(token.NewFileSet(), "p.go", src, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	got := names(declared(f))
	want := "[a b c d e f g h i j k l m n o q r s]"
	if got != want {
		t.Errorf("declared(src) = %s; want %s", got, want)
	}
}
