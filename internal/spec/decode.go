// Package spec reads headroom's on-disk formats (YAML and JSON) strictly:
// unknown keys and bad values are errors, and every error carries the file,
// line, column and field path of the value at fault, for example
//
//	system.yaml:12:7: spec.components[1].hpa.maxReplicas: must be at least minReplicas (3)
//
// All problems in a file are found at once; an error lists the first
// MaxReportedProblems and counts the rest. Parse bounds what a file may
// cost (its size, and what its YAML aliases expand to), and messages quote
// a value from a file only when it is short and plainly not a secret.
// Files are parsed with [Parse] into [Document]s, decoded into Go structs
// with [Document.Decode], and checked further with [Document.Errorf], which
// positions a message by its field path.
package spec

import (
	"encoding"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/headroom-sre/headroom/traffic"
	"github.com/headroom-sre/headroom/units"
)

// Limits on what one input file may cost to read. They keep a small
// malicious or mistaken file (a "YAML bomb") from taking minutes, gigabytes
// or millions of lines of output.
const (
	// MaxFileBytes is the largest file Parse reads: 4 MiB, far more than
	// any System, scenario, SLO or price file needs.
	MaxFileBytes = 4 << 20
	// MaxAliasNodes is how many values YAML aliases (*name) and merge keys
	// (<<: *name) may add to a file when expanded, over all its documents;
	// a larger file may add as many values as it writes out. Anchors that
	// repeat defaults add a few per use; a bomb adds millions.
	MaxAliasNodes = 10000
	// MaxReportedProblems is how many problems an error message lists; the
	// rest are counted ("… and 812 more problems").
	MaxReportedProblems = 50
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
// Its message lists the first MaxReportedProblems of them, one a line, and
// counts the rest.
type Problems []Problem

func (ps Problems) Error() string {
	n := min(len(ps), MaxReportedProblems)
	lines := make([]string, n, n+1)
	for i, p := range ps[:n] {
		lines[i] = p.String()
	}
	if more := len(ps) - n; more > 0 {
		lines = append(lines, fmt.Sprintf("… and %d more problems (only the first %d are listed)", more, MaxReportedProblems))
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
	at       map[string]bool // paths with a problem
}

// Parse splits data into its YAML documents. Syntax errors come back as
// Problems with the line yaml reports. Empty documents are skipped. JSON is
// YAML, so JSON files parse too.
//
// Parse refuses files larger than MaxFileBytes, and files whose aliases
// would expand them by more than MaxAliasNodes values (or, in a larger
// file, more than the values it writes out) or refer to themselves (a
// loop), naming the alias at fault. Decoding a document Parse
// returned therefore costs time and memory in proportion to the file.
func Parse(file string, data []byte) ([]*Document, error) {
	if len(data) > MaxFileBytes {
		return nil, Problems{{File: file, Msg: fmt.Sprintf("the file is %s bytes, more than the %s headroom reads from a YAML or JSON file", units.Count(float64(len(data))), units.Bytes(MaxFileBytes))}}
	}
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
	if p := checkAliases(docs); p != nil {
		p.File = file
		return nil, Problems{*p}
	}
	return docs, nil
}

// checkAliases measures what the documents' aliases expand to (see
// aliasBudget), and returns the problem with the first alias that passes
// MaxAliasNodes or makes a loop, or nil.
func checkAliases(docs []*Document) *Problem {
	written := 0
	for _, d := range docs {
		written += countNodes(d.Root)
	}
	b := newAliasBudget(max(MaxAliasNodes, written))
	for _, d := range docs {
		if p := b.walk(d.Root); p != nil {
			return p
		}
	}
	return nil
}

func newAliasBudget(limit int) *aliasBudget {
	return &aliasBudget{limit: limit, left: limit, size: map[*yaml.Node]int{}, open: map[*yaml.Node]bool{}}
}

// countNodes counts the nodes of a tree as written, not following aliases.
func countNodes(n *yaml.Node) int {
	c := 1
	for _, k := range n.Content {
		c += countNodes(k)
	}
	return c
}

// aliasBudget measures what a file's aliases expand to, before anything
// decodes it: each node is visited once, and the expanded size of each
// anchored value is remembered, so a bomb is measured in time linear in its
// bytes and refused before it is expanded.
type aliasBudget struct {
	limit int                 // values aliases may add in all
	left  int                 // values aliases may still add
	size  map[*yaml.Node]int  // expanded size of anchored values measured so far
	open  map[*yaml.Node]bool // anchored values being measured: reaching one again is a loop
	trail []crumb             // the path to the node being walked
	// visits counts the nodes walked and measured: the cost of the check.
	visits int
}

// crumb is one step of the path to a node: a mapping key or a list index.
type crumb struct {
	isKey bool
	key   string // a mapping key, when isKey
	idx   int    // a list index, otherwise
}

// path joins the steps to the node being walked, for an error message.
func (b *aliasBudget) path() string {
	var p string
	for _, c := range b.trail {
		switch {
		case !c.isKey:
			p = fmt.Sprintf("%s[%d]", p, c.idx)
		case !safeToShow(c.key):
			p = join(p, "…")
		default:
			p = join(p, c.key)
		}
	}
	return p
}

// walk visits the nodes of a document as written (not following aliases)
// and charges each alias with the size of the value it repeats. It returns
// a problem at the alias that exceeds the budget or closes a loop.
func (b *aliasBudget) walk(n *yaml.Node) *Problem {
	if n == nil {
		return nil
	}
	b.visits++
	if n.Kind == yaml.AliasNode {
		size, loop := b.measure(n, b.left)
		switch {
		case loop:
			return &Problem{Line: n.Line, Col: n.Column, Path: b.path(), Msg: fmt.Sprintf("%s is inside the value it repeats (a loop)", aliasName(n))}
		case size > b.left:
			return &Problem{Line: n.Line, Col: n.Column, Path: b.path(), Msg: fmt.Sprintf(
				"%s and those before it expand the file by more than %d values, the most headroom accepts (a YAML bomb?); repeat smaller anchors, or write the values out", aliasName(n), b.limit)}
		}
		b.left -= size
		return nil
	}
	for i, c := range n.Content {
		step := crumb{idx: i}
		if n.Kind == yaml.MappingNode {
			if i%2 == 0 { // a key: errors point at the mapping
				if p := b.walk(c); p != nil {
					return p
				}
				continue
			}
			step = crumb{isKey: true, key: n.Content[i-1].Value}
		}
		b.trail = append(b.trail, step)
		if p := b.walk(c); p != nil {
			return p
		}
		b.trail = b.trail[:len(b.trail)-1]
	}
	return nil
}

// measure returns how many values n stands for with aliases followed,
// stopping as soon as that passes limit, and whether an alias in it leads
// back to a value being measured.
func (b *aliasBudget) measure(n *yaml.Node, limit int) (size int, loop bool) {
	b.visits++
	if n.Kind == yaml.AliasNode {
		t := n.Alias
		if t == nil {
			return 1, false
		}
		if b.open[t] {
			return 0, true
		}
		if s, ok := b.size[t]; ok {
			return s, false
		}
		b.open[t] = true
		s, loop := b.measure(t, limit)
		delete(b.open, t)
		if !loop && s <= limit {
			b.size[t] = s
		}
		return s, loop
	}
	size = 1
	for _, c := range n.Content {
		s, loop := b.measure(c, limit-size)
		if loop {
			return 0, true
		}
		size += s
		if size > limit {
			return size, false
		}
	}
	return size, false
}

// aliasName writes an alias as "alias *name", or "this alias" when its
// name is not safe to show.
func aliasName(n *yaml.Node) string {
	if n.Value != "" && safeToShow(n.Value) {
		return "alias *" + n.Value
	}
	return "this alias"
}

// Messages never echo much of an input file: a mistaken path
// (/proc/self/environ, a .env file, a kubeconfig) must not print its
// secrets. A value is quoted only when it is short and plainly not a secret;
// otherwise a message says how long it is and where it is.

// shown quotes s for a message when it is safe to show, and otherwise
// describes it without its content.
func shown(s string) string {
	if safeToShow(s) {
		return strconv.Quote(s)
	}
	return fmt.Sprintf("a value of %d characters (not shown)", utf8.RuneCountInString(s))
}

// secretWords mark a value as a possible credential.
var secretWords = []string{"bearer", "basic ", "token", "secret", "passw", "pwd", "auth", "apikey", "api_key", "api-key", "private", "credential", "cookie", "session"}

// safeToShow reports whether s is short, printable and plainly not a
// secret: no "=" or "@" (key=value, user@host), no word such as token or
// bearer, and not a long run of mixed letters and digits.
func safeToShow(s string) bool {
	if len(s) > 32 || !utf8.ValidString(s) {
		return false
	}
	var letters, digits, space bool
	for _, r := range s {
		switch {
		case unicode.IsControl(r) || r == '=' || r == '@' || r == utf8.RuneError:
			return false
		case unicode.IsLetter(r):
			letters = true
		case unicode.IsDigit(r):
			digits = true
		case unicode.IsSpace(r):
			space = true
		}
	}
	if letters && digits && !space && len(s) >= 16 {
		return false
	}
	low := strings.ToLower(s)
	for _, w := range secretWords {
		if strings.Contains(low, w) {
			return false
		}
	}
	return true
}

// redact removes value from msg (an error message that may quote it) when
// value is not safe to show.
func redact(msg, value string) string {
	for _, v := range []string{value, strings.TrimSpace(value)} {
		if v == "" || safeToShow(v) {
			continue
		}
		msg = strings.ReplaceAll(msg, strconv.Quote(v), shown(v))
		if len(v) >= 4 {
			msg = strings.ReplaceAll(msg, v, shown(v))
		}
	}
	return msg
}

// quotedInMessage matches the quoted parts of a yaml error message.
var quotedInMessage = regexp.MustCompile("'[^']*'|`[^`]*`|\"[^\"]*\"")

// sanitize replaces the quoted parts of msg that are not safe to show.
func sanitize(msg string) string {
	return quotedInMessage.ReplaceAllStringFunc(msg, func(q string) string {
		if safeToShow(q[1 : len(q)-1]) {
			return q
		}
		return "(not shown)"
	})
}

// syntaxProblem turns a yaml error ("yaml: line 3: mapping values are not
// allowed in this context") into a positioned Problem.
func syntaxProblem(file string, err error) Problems {
	msg := sanitize(err.Error())
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
	if d.at == nil {
		d.at = map[string]bool{}
	}
	d.at[path] = true
}

// HasProblem reports whether a problem was recorded at path, in constant
// time however many problems the document has.
func (d *Document) HasProblem(path string) bool { return d.at[path] }

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
		return shown(n.Value)
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
			d.Errorf(path, "%s", redact(err.Error(), n.Value))
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
			if safeToShow(n.Value) {
				d.Errorf(path, "%s has no unit; write it like %ss or %sm", n.Value, n.Value, n.Value)
			} else {
				d.Errorf(path, "%s has no unit; write it like 30s or 5m", shown(n.Value))
			}
			return
		}
	}
	dur, err := traffic.ParseDuration(n.Value)
	if err != nil {
		d.Errorf(path, "%s", redact(err.Error(), n.Value))
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
			d.Errorf(path, "want true or false, got %s", shown(s))
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		i, err := strconv.ParseInt(s, 0, v.Type().Bits())
		if err != nil {
			d.Errorf(path, "want a whole number, got %s", shown(s))
			return
		}
		v.SetInt(i)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		i, err := strconv.ParseUint(s, 0, v.Type().Bits())
		if err != nil {
			d.Errorf(path, "want a whole number ≥ 0, got %s", shown(s))
			return
		}
		v.SetUint(i)
	case reflect.Float32, reflect.Float64:
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			d.Errorf(path, "want a number, got %s", shown(s))
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
			if safeToShow(k.Value) {
				d.Errorf(p, "unknown field %q%s", k.Value, suggest(k.Value, fields))
			} else {
				p = join(path, "…")
				d.mark(p, k)
				d.Errorf(p, "unknown field (a name of %d characters, not shown)%s", utf8.RuneCountInString(k.Value), suggest(k.Value, fields))
			}
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
