// Package spec reads headroom's on-disk formats (YAML and JSON) strictly:
// unknown keys and bad values are errors, and every error carries the file,
// line, column and field path of the value at fault, for example
//
//	system.yaml:12:7: spec.components[1].hpa.maxReplicas: must be at least minReplicas (3)
//
// All problems in a file are reported at once. Files are parsed with
// [Parse] into [Document]s, decoded into Go structs with [Document.Decode],
// and checked further with [Document.Errorf], which positions a message by
// its field path.
package spec

import (
	"encoding"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/headroom-sre/headroom/traffic"
)

// Problem is one thing wrong with an input file.
type Problem struct {
	File string
	Line int // 1-based; 0 when unknown
	Col  int // 1-based; 0 when unknown
	Path string
	Msg  string
}

func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
		if p.Col > 0 {
			fmt.Fprintf(&b, ":%d", p.Col)
		}
	}
	b.WriteString(": ")
	if p.Path != "" {
		b.WriteString(p.Path + ": ")
	}
	b.WriteString(p.Msg)
	return b.String()
}

// Problems is every problem found in one or more files. It is an error.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// Sorted returns the problems ordered by file, line and column.
func (ps Problems) Sorted() Problems {
	out := append(Problems(nil), ps...)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
	return out
}

// Pos is a position in a file.
type Pos struct{ Line, Col int }

// Document is one YAML document of a file (a file may hold several,
// separated by ---). It collects the problems found while decoding and
// validating it.
type Document struct {
	File  string     // the file name, for messages
	Index int        // 0-based position of the document in its file
	Root  *yaml.Node // the document's top node (usually a mapping)
	// Load reads files the document names (a replay CSV, a capacity
	// profile). The CLI sets it, resolving names against the file's
	// directory; when nil, such references are reported as problems.
	Load traffic.Loader

	pos      map[string]Pos
	problems Problems
}

// Parse splits data into its YAML documents. Syntax errors come back as
// Problems with the line yaml reports. Empty documents are skipped. JSON is
// YAML, so JSON files parse too.
func Parse(file string, data []byte) ([]*Document, error) {
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	var docs []*Document
	for i := 0; ; i++ {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, syntaxProblem(file, err)
		}
		root := &n
		if root.Kind == yaml.DocumentNode {
			if len(root.Content) == 0 {
				continue
			}
			root = root.Content[0]
		}
		if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
			continue
		}
		docs = append(docs, &Document{File: file, Index: len(docs), Root: root, pos: map[string]Pos{"": {root.Line, root.Column}}})
	}
	if len(docs) == 0 {
		return nil, Problems{{File: file, Msg: "the file holds no YAML document"}}
	}
	return docs, nil
}

// syntaxProblem turns a yaml error ("yaml: line 3: mapping values are not
// allowed in this context") into a positioned Problem.
func syntaxProblem(file string, err error) Problems {
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "yaml: ")
	p := Problem{File: file, Msg: "invalid YAML: " + msg}
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if num, tail, ok := strings.Cut(rest, ":"); ok {
			if n, err := strconv.Atoi(num); err == nil {
				p.Line = n
				p.Msg = "invalid YAML:" + tail
			}
		}
	}
	return Problems{p}
}

// Err returns the problems found so far, or nil.
func (d *Document) Err() error {
	if len(d.problems) == 0 {
		return nil
	}
	return d.problems.Sorted()
}

// Problems returns the problems found so far.
func (d *Document) Problems() Problems { return d.problems }

// Errorf records a problem with the value at path (a field path such as
// "spec.components[1].hpa"). It is positioned at that value, or at its
// nearest parent that was seen while decoding.
func (d *Document) Errorf(path, format string, args ...any) {
	p := d.lookup(path)
	d.problems = append(d.problems, Problem{File: d.File, Line: p.Line, Col: p.Col, Path: path, Msg: fmt.Sprintf(format, args...)})
}

// Pos returns the position of the value at path, or of its nearest known
// parent.
func (d *Document) Pos(path string) Pos { return d.lookup(path) }

func (d *Document) lookup(path string) Pos {
	for {
		if p, ok := d.pos[path]; ok {
			return p
		}
		if path == "" {
			return Pos{}
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			path = ""
		} else {
			path = path[:i]
		}
	}
}

// mark records the position of node as that of path.
func (d *Document) mark(path string, n *yaml.Node) {
	if _, ok := d.pos[path]; !ok {
		d.pos[path] = Pos{n.Line, n.Column}
	}
}

// Field returns the value node of key in the document's top mapping (or
// nil), to peek at apiVersion or kind before decoding.
func (d *Document) Field(key string) *yaml.Node { return mapValue(d.Root, key) }

// String returns the scalar value of a top-level key, or "".
func (d *Document) String(key string) string {
	if n := d.Field(key); n != nil && n.Kind == yaml.ScalarNode {
		return n.Value
	}
	return ""
}

func mapValue(n *yaml.Node, key string) *yaml.Node {
	n = resolve(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return resolve(n.Content[i+1])
		}
	}
	return nil
}

// Unmarshaler is implemented by types that decode themselves from a node,
// reporting problems through d at paths under path.
type Unmarshaler interface {
	UnmarshalSpec(d *Document, n *yaml.Node, path string)
}

// Decode decodes the whole document into out (a pointer), strictly.
func (d *Document) Decode(out any) {
	d.DecodeNode(d.Root, "", out)
}

// DecodeNode decodes node n, found at path, into out (a pointer).
func (d *Document) DecodeNode(n *yaml.Node, path string, out any) {
	v := reflect.ValueOf(out)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		panic("spec: DecodeNode needs a non-nil pointer")
	}
	d.decode(n, path, v.Elem())
}

var (
	durationType    = reflect.TypeOf(time.Duration(0))
	nodeType        = reflect.TypeOf(yaml.Node{})
	unmarshalerType = reflect.TypeOf((*Unmarshaler)(nil)).Elem()
	textType        = reflect.TypeOf((*encoding.TextUnmarshaler)(nil)).Elem()
)

func resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n == nil || (n.Kind == yaml.ScalarNode && n.Tag == "!!null")
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "nothing"
		}
		return strconv.Quote(n.Value)
	}
	return "something else"
}

func (d *Document) decode(n *yaml.Node, path string, v reflect.Value) {
	n = resolve(n)
	if n == nil {
		return
	}
	d.mark(path, n)
	if v.CanAddr() && v.Addr().Type().Implements(unmarshalerType) {
		v.Addr().Interface().(Unmarshaler).UnmarshalSpec(d, n, path)
		return
	}
	if v.Kind() == reflect.Pointer {
		if isNull(n) {
			return
		}
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		d.decode(n, path, v.Elem())
		return
	}
	if v.Type() == nodeType {
		v.Set(reflect.ValueOf(*n))
		return
	}
	if v.Type() == durationType {
		d.decodeDuration(n, path, v)
		return
	}
	if v.CanAddr() && v.Addr().Type().Implements(textType) {
		if n.Kind != yaml.ScalarNode {
			d.Errorf(path, "want a single value, got %s", describe(n))
			return
		}
		if err := v.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(n.Value)); err != nil {
			d.Errorf(path, "%v", err)
		}
		return
	}
	switch v.Kind() {
	case reflect.Struct:
		d.decodeStruct(n, path, v)
	case reflect.Map:
		d.decodeMap(n, path, v)
	case reflect.Slice:
		d.decodeSlice(n, path, v)
	case reflect.Array:
		d.decodeArray(n, path, v)
	case reflect.Interface:
		var x any
		if err := n.Decode(&x); err != nil {
			d.Errorf(path, "%v", err)
			return
		}
		if x != nil {
			v.Set(reflect.ValueOf(x))
		}
	default:
		d.decodeScalar(n, path, v)
	}
}

func (d *Document) decodeDuration(n *yaml.Node, path string, v reflect.Value) {
	if n.Kind != yaml.ScalarNode || isNull(n) {
		d.Errorf(path, "want a duration like 30s, 5m or 2h, got %s", describe(n))
		return
	}
	if n.Tag == "!!int" || n.Tag == "!!float" {
		if n.Value != "0" {
			d.Errorf(path, "%s has no unit; write it like %ss or %sm", n.Value, n.Value, n.Value)
			return
		}
	}
	dur, err := traffic.ParseDuration(n.Value)
	if err != nil {
		d.Errorf(path, "%v", err)
		return
	}
	v.SetInt(int64(dur))
}

func (d *Document) decodeScalar(n *yaml.Node, path string, v reflect.Value) {
	if n.Kind != yaml.ScalarNode {
		d.Errorf(path, "want a single value, got %s", describe(n))
		return
	}
	if isNull(n) {
		return // leave the zero value; required fields are checked separately
	}
	s := n.Value
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Bool:
		switch strings.ToLower(s) {
		case "true":
			v.SetBool(true)
		case "false":
			v.SetBool(false)
		default:
			d.Errorf(path, "want true or false, got %q", s)
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		i, err := strconv.ParseInt(s, 0, v.Type().Bits())
		if err != nil {
			d.Errorf(path, "want a whole number, got %q", s)
			return
		}
		v.SetInt(i)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		i, err := strconv.ParseUint(s, 0, v.Type().Bits())
		if err != nil {
			d.Errorf(path, "want a whole number ≥ 0, got %q", s)
			return
		}
		v.SetUint(i)
	case reflect.Float32, reflect.Float64:
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			d.Errorf(path, "want a number, got %q", s)
			return
		}
		v.SetFloat(f)
	default:
		d.Errorf(path, "cannot decode into %s", v.Type())
	}
}

func (d *Document) decodeSlice(n *yaml.Node, path string, v reflect.Value) {
	if isNull(n) {
		return
	}
	if n.Kind != yaml.SequenceNode {
		d.Errorf(path, "want a list, got %s", describe(n))
		return
	}
	out := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	for i, item := range n.Content {
		d.decode(item, fmt.Sprintf("%s[%d]", path, i), out.Index(i))
	}
	v.Set(out)
}

func (d *Document) decodeArray(n *yaml.Node, path string, v reflect.Value) {
	if isNull(n) {
		return
	}
	if n.Kind != yaml.SequenceNode || len(n.Content) != v.Len() {
		d.Errorf(path, "want a list of %d values, got %s", v.Len(), describe(n))
		return
	}
	for i, item := range n.Content {
		d.decode(item, fmt.Sprintf("%s[%d]", path, i), v.Index(i))
	}
}

func (d *Document) decodeMap(n *yaml.Node, path string, v reflect.Value) {
	if isNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		d.Errorf(path, "want a mapping, got %s", describe(n))
		return
	}
	if v.Type().Key().Kind() != reflect.String {
		panic("spec: only maps with string keys are supported")
	}
	if v.IsNil() {
		v.Set(reflect.MakeMap(v.Type()))
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		p := join(path, k.Value)
		if seen[k.Value] {
			d.pos[p] = Pos{k.Line, k.Column}
			d.Errorf(p, "given twice")
			continue
		}
		seen[k.Value] = true
		d.mark(p, k)
		elem := reflect.New(v.Type().Elem()).Elem()
		d.decode(val, p, elem)
		v.SetMapIndex(reflect.ValueOf(k.Value).Convert(v.Type().Key()), elem)
	}
}

// field is one decodable field of a struct.
type field struct {
	name     string
	index    []int
	required bool
}

func structFields(t reflect.Type) []field {
	var out []field
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("yaml")
		if tag == "" {
			tag = f.Tag.Get("json")
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" {
			continue
		}
		if strings.Contains(opts, "inline") || (f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct) {
			for _, sub := range structFields(f.Type) {
				sub.index = append([]int{i}, sub.index...)
				out = append(out, sub)
			}
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name[:1]) + f.Name[1:]
		}
		out = append(out, field{name: name, index: []int{i}, required: strings.Contains(f.Tag.Get("spec"), "required")})
	}
	return out
}

func (d *Document) decodeStruct(n *yaml.Node, path string, v reflect.Value) {
	if isNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		d.Errorf(path, "want a mapping, got %s", describe(n))
		return
	}
	fields := structFields(v.Type())
	byName := map[string]field{}
	for _, f := range fields {
		byName[f.name] = f
	}
	seen := map[string]bool{}
	pairs := mergedPairs(n)
	for i := 0; i+1 < len(pairs); i += 2 {
		k, val := pairs[i], pairs[i+1]
		p := join(path, k.Value)
		d.mark(p, k)
		f, ok := byName[k.Value]
		if !ok {
			d.Errorf(p, "unknown field %q%s", k.Value, suggest(k.Value, fields))
			continue
		}
		if seen[k.Value] {
			d.pos[p] = Pos{k.Line, k.Column}
			d.Errorf(p, "given twice")
			continue
		}
		seen[k.Value] = true
		d.decode(val, p, v.FieldByIndex(f.index))
	}
	for _, f := range fields {
		if f.required && !seen[f.name] {
			d.Errorf(path, "missing required field %q", f.name)
		}
	}
}

// mergedPairs returns a mapping's key/value nodes with YAML merge keys
// ("<<: *defaults") expanded; explicit keys win over merged ones.
func mergedPairs(n *yaml.Node) []*yaml.Node {
	var out, merged []*yaml.Node
	explicit := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == "<<" && n.Content[i].Tag == "!!merge" {
			src := resolve(n.Content[i+1])
			var maps []*yaml.Node
			if src.Kind == yaml.SequenceNode {
				for _, m := range src.Content {
					maps = append(maps, resolve(m))
				}
			} else {
				maps = append(maps, src)
			}
			for _, m := range maps {
				if m != nil && m.Kind == yaml.MappingNode {
					merged = append(merged, mergedPairs(m)...)
				}
			}
			continue
		}
		explicit[n.Content[i].Value] = true
		out = append(out, n.Content[i], n.Content[i+1])
	}
	for i := 0; i+1 < len(merged); i += 2 {
		if !explicit[merged[i].Value] {
			explicit[merged[i].Value] = true
			out = append(out, merged[i], merged[i+1])
		}
	}
	return out
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// suggest returns ` (did you mean "x"?)` for a near miss, else the list of
// valid fields when it is short.
func suggest(got string, fields []field) string {
	best, bestD := "", 3
	for _, f := range fields {
		if dd := distance(strings.ToLower(got), strings.ToLower(f.name)); dd < bestD {
			best, bestD = f.name, dd
		}
	}
	if best != "" {
		return fmt.Sprintf(" (did you mean %q?)", best)
	}
	if len(fields) <= 12 {
		names := make([]string, len(fields))
		for i, f := range fields {
			names[i] = f.name
		}
		return " (valid: " + strings.Join(names, ", ") + ")"
	}
	return ""
}

// distance is the Levenshtein edit distance between a and b.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
