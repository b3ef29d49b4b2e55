package slo

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// WindowPlaceholder marks where a query's range goes: headroom replaces it
// with each window it evaluates (5m, 1h, 30d…).
const WindowPlaceholder = "{{.window}}"

// groupPlaceholder marks where an event query's grouping goes (" by
// (route)", or nothing); it is internal to templates.
const groupPlaceholder = "{{.by}}"

// QueryKind says what a counting [Query] returns.
type QueryKind int

// Kinds of counting queries.
const (
	PerSecond QueryKind = iota // events per second over the window (rate)
	Count                      // events in the window (increase)
	Fraction                   // a ratio of events (a raw SLI)
	Gauge                      // a value compared point by point (a threshold SLI)
)

// Query is a PromQL expression behind an SLI, classified and turned into a
// template whose range headroom can set to any window. Build one with
// [ParseQuery] or [SelectorQuery]; the zero Query is empty.
type Query struct {
	// Expr is the query as the user wrote it.
	Expr string
	// Kind is what the query returns.
	Kind QueryKind
	// template is Expr with WindowPlaceholder in each range, wrapped so
	// that it returns a single series without labels.
	template string
	// series is set when the query is a plain selector.
	series *Selector
	// by is the grouping At applies; written the grouping the query's own
	// sum by (…) names.
	by, written []string
	// native says the query reads a native histogram.
	native bool
}

// Grouped returns the query summed by labels (none: into one series).
func (q Query) Grouped(labels []string) Query {
	q.by = slices.Clone(labels)
	return q
}

// WrittenGrouping is the grouping the query's own sum by (…) names, if any.
func (q Query) WrittenGrouping() []string { return slices.Clone(q.written) }

// IsNative reports whether the query reads a native histogram.
func (q Query) IsNative() bool { return q.native }

// ByClause writes a grouping as PromQL: " by (a, b)", or "" for none.
func ByClause(labels []string) string {
	if len(labels) == 0 {
		return ""
	}
	return " by (" + strings.Join(labels, ", ") + ")"
}

// Series returns the selector of a query that is a plain series selector.
func (q Query) Series() (Selector, bool) {
	if q.series == nil {
		return Selector{}, false
	}
	return *q.series, true
}

// IsZero reports whether q is empty.
func (q Query) IsZero() bool { return q.template == "" }

// Template is the query with WindowPlaceholder where the window goes (and
// its grouping applied).
func (q Query) Template() string {
	return strings.ReplaceAll(q.template, groupPlaceholder, ByClause(q.by))
}

// At returns the query with its window set to w.
func (q Query) At(w time.Duration) string {
	return strings.ReplaceAll(q.Template(), WindowPlaceholder, PromDuration(w))
}

// Rate returns PromQL for the events per second over the trailing w.
// It is meaningful for PerSecond and Count queries.
func (q Query) Rate(w time.Duration) string {
	if q.Kind == Count {
		return fmt.Sprintf("%s / %s", q.At(w), PromNumber(w.Seconds()))
	}
	return q.At(w)
}

// Increase returns PromQL for the number of events in the trailing w. It is
// meaningful for PerSecond and Count queries.
func (q Query) Increase(w time.Duration) string {
	if q.Kind == PerSecond {
		return fmt.Sprintf("%s * %s", q.At(w), PromNumber(w.Seconds()))
	}
	return q.At(w)
}

// Selector is a PromQL series selector: a metric name and label matchers.
type Selector struct {
	Metric   string
	Matchers []Matcher
}

// Matcher is one label matcher of a selector, like code=~"5..".
type Matcher struct {
	Label string
	Op    string // one of = != =~ !~
	Value string
}

// String writes the selector in PromQL, matchers in their given order.
func (s Selector) String() string {
	var b strings.Builder
	b.WriteString(s.Metric)
	if len(s.Matchers) > 0 || s.Metric == "" {
		b.WriteByte('{')
		for i, m := range s.Matchers {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(m.Label + m.Op + strconv.Quote(m.Value))
		}
		b.WriteByte('}')
	}
	return b.String()
}

// With returns a copy of s with extra matchers appended.
func (s Selector) With(ms ...Matcher) Selector {
	out := Selector{Metric: s.Metric, Matchers: append(append([]Matcher(nil), s.Matchers...), ms...)}
	return out
}

// LabelSelector builds a selector from a metric name and equality matchers,
// sorted by label name so the output is stable.
func LabelSelector(metric string, labels map[string]string) Selector {
	s := Selector{Metric: metric}
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		s.Matchers = append(s.Matchers, Matcher{Label: k, Op: "=", Value: labels[k]})
	}
	return s
}

// SelectorQuery is the counting query over a counter selector: the summed
// rate of its series over each window.
func SelectorQuery(s Selector) Query {
	expr := s.String()
	return Query{Expr: expr, Kind: PerSecond, template: "sum" + groupPlaceholder + "(rate(" + expr + "[" + WindowPlaceholder + "]))", series: &s}
}

// Use says where a query sits in an SLI, which decides what is sound.
type Use int

// Uses of a query.
const (
	Events    Use = iota // good, bad or total events of a ratio SLI
	RawRatio             // a ratio SLI written as one query
	Threshold            // a metric compared point by point with a value
)

// ParseQuery classifies a PromQL query for its use in an SLI and returns
// it as a template headroom can evaluate over any window. counter says the
// query's series are counters (OpenSLO's ratioMetric.counter).
//
// For events, a plain series selector over counters becomes
// sum(rate(selector[window])). A query that already aggregates is used as
// written when its windows can be set soundly: every range is the range of
// a rate() or increase() (written as WindowPlaceholder, or as a fixed
// duration headroom replaces), results are summed, and nothing averages,
// divides or filters events. Anything else is an error that explains why.
func ParseQuery(expr string, use Use, counter bool) (Query, error) {
	expr = strings.TrimSpace(expr)
	if expr == "" {
		return Query{}, errors.New("the query is empty")
	}
	toks, err := lex(expr)
	if err != nil {
		return Query{}, err
	}
	if stripped := stripComments(expr, toks); stripped != expr {
		expr = stripped
		if toks, err = lex(expr); err != nil {
			return Query{}, err
		}
	}
	if sel, ok := plainSelector(toks); ok {
		return selectorUse(expr, sel, use, counter)
	}
	a, err := analyse(expr, toks)
	if err != nil {
		return Query{}, err
	}
	switch use {
	case Threshold:
		if a.placeholders > 0 {
			return Query{}, fmt.Errorf("a threshold metric is compared point by point and has no window: remove %s", WindowPlaceholder)
		}
		return Query{Expr: expr, Kind: Gauge, template: "(" + expr + ")"}, nil
	case RawRatio:
		if err := a.check(false); err != nil {
			return Query{}, err
		}
		if a.division == 0 {
			return Query{}, errors.New("a raw ratio must divide events by events, like sum(rate(errors[" + WindowPlaceholder + "])) / sum(rate(requests[" + WindowPlaceholder + "]))")
		}
		return Query{Expr: expr, Kind: Fraction, template: "(" + a.template + ")"}, nil
	}
	if err := a.check(true); err != nil {
		return Query{}, err
	}
	arg, tail, by, top, err := topSum(toks, len(expr))
	if err != nil {
		return Query{}, err
	}
	tmpl := "sum" + groupPlaceholder + "(" + a.template + ")"
	if top {
		// Neither the prefix up to the sum's argument nor a grouping
		// written after it holds a range, so they have the same length in
		// the template as in the query.
		tmpl = "sum" + groupPlaceholder + a.template[arg:len(a.template)-tail]
	}
	return Query{Expr: expr, Kind: a.kind, template: tmpl, written: by, by: by}, nil
}

// topSum reads a query that is one sum over all of it: sum(…),
// sum by (labels) (…) or sum(…) by (labels). It returns the offset of the
// sum's argument (its opening parenthesis), the length of a grouping
// written after the argument, the labels it groups by, and whether the
// query is such a sum. A sum without (…) is an error: the SLO's grouping
// must be known.
func topSum(toks []token, n int) (arg, tail int, by []string, ok bool, err error) {
	if len(toks) < 3 || !strings.EqualFold(toks[0].text, "sum") {
		return 0, 0, nil, false, nil
	}
	labels := func(i int) ([]string, int) {
		var out []string
		for i < len(toks) && toks[i].text != ")" {
			if toks[i].kind == tIdent {
				out = append(out, toks[i].text)
			}
			i++
		}
		return out, i + 1
	}
	i := 1
	switch strings.ToLower(toks[1].text) {
	case "without":
		return 0, 0, nil, false, errors.New("sum without (…) leaves the SLI's grouping unknown: write sum by (labels) (…)")
	case "by":
		if toks[2].text != "(" {
			return 0, 0, nil, false, errors.New("sum by needs a list of labels in parentheses")
		}
		by, i = labels(3)
	}
	if i >= len(toks) || toks[i].text != "(" {
		return 0, 0, nil, false, nil
	}
	depth := 0
	for j := i; j < len(toks); j++ {
		switch toks[j].text {
		case "(", "{", "[":
			depth++
		case ")", "}", "]":
			depth--
			if depth != 0 {
				continue
			}
			if j == len(toks)-1 {
				return toks[i].pos, 0, by, true, nil
			}
			switch next := strings.ToLower(toks[j+1].text); {
			case next == "without":
				return 0, 0, nil, false, errors.New("sum without (…) leaves the SLI's grouping unknown: write sum by (labels) (…)")
			case next == "by" && by == nil && j+2 < len(toks) && toks[j+2].text == "(":
				after, end := labels(j + 3)
				if end == len(toks) {
					return toks[i].pos, n - toks[j].pos - 1, after, true, nil
				}
			}
			return 0, 0, nil, false, nil
		}
	}
	return 0, 0, nil, false, nil
}

func selectorUse(expr string, sel Selector, use Use, counter bool) (Query, error) {
	switch use {
	case Threshold:
		return Query{Expr: expr, Kind: Gauge, template: "(" + sel.String() + ")"}, nil
	case RawRatio:
		return Query{}, fmt.Errorf("a raw ratio must be a query that divides events by events; %s is a single series", sel.Metric)
	}
	if strings.Count(sel.Metric, ":") >= 2 {
		return Query{}, fmt.Errorf("%s looks like a recorded rule (level:metric:operations), which holds a value over a fixed window that can't be re-windowed to the SLO's windows; select the raw counter instead", sel.Metric)
	}
	if !counter {
		return Query{}, fmt.Errorf("%s is not a counter (counter: false), and a gauge's samples have no meaning as events over a window; use counters (counter: true) or a query with rate(…[%s])", sel.String(), WindowPlaceholder)
	}
	q := SelectorQuery(sel)
	q.Expr = expr
	return q, nil
}

// Functions and aggregations that keep a counting query summable.
var summable = map[string]bool{"sum": true, "rate": true, "increase": true, "clamp_min": true, "vector": true, "label_replace": true}

// Why some functions break a counting query.
var unsound = map[string]string{
	"avg":                "averages series, and a ratio of averages is not a ratio of events",
	"avg_over_time":      "averages samples over time, and a ratio of averages is not a ratio of events",
	"irate":              "looks only at the last two samples, so it can't be widened to a window",
	"idelta":             "looks only at the last two samples, so it can't be widened to a window",
	"delta":              "is for gauges; counters need rate() or increase()",
	"deriv":              "is for gauges; counters need rate() or increase()",
	"histogram_quantile": "returns a latency, not a count of events; use the bucket counter with le for a ratio",
	"quantile":           "returns a quantile, not a count of events",
	"min":                "keeps one series, not a count of events",
	"max":                "keeps one series, not a count of events",
	"topk":               "keeps some series, not a count of events",
	"bottomk":            "keeps some series, not a count of events",
	"count":              "counts series, not events",
	"absent":             "tests presence, not a count of events",
}

// analysis is what analyse found in a query.
type analysis struct {
	template     string
	kind         QueryKind
	placeholders int
	fixed        []string // fixed ranges, e.g. "5m"
	division     int
	problems     []error
}

// check reports the first reason the analysed query can't count events
// (counting) or give a ratio of events (raw).
func (a *analysis) check(counting bool) error {
	if len(a.problems) > 0 {
		return a.problems[0]
	}
	if counting && a.division > 0 {
		return errors.New("divides, so it is a ratio rather than a count of events; give good/bad and total as separate queries (or use raw for a ratio)")
	}
	if a.placeholders == 0 && len(a.fixed) == 0 {
		return fmt.Errorf("has no range to set the window on: a series like this already holds a value over a fixed window; count raw counters with rate(…[%s])", WindowPlaceholder)
	}
	if a.placeholders > 0 && len(a.fixed) > 0 {
		return fmt.Errorf("mixes fixed ranges [%s] with %s; use the placeholder in every range", strings.Join(a.fixed, "], ["), WindowPlaceholder)
	}
	return nil
}

// analyse walks the tokens of a query that is not a plain selector.
func analyse(expr string, toks []token) (*analysis, error) {
	a := &analysis{kind: -1}
	var b strings.Builder
	last := 0
	type frame struct {
		open byte
		fn   string
	}
	var stack []frame
	fnOf := func() string {
		for i := len(stack) - 1; i >= 0; i-- {
			if stack[i].open == '(' {
				return stack[i].fn
			}
		}
		return ""
	}
	fail := func(format string, args ...any) {
		a.problems = append(a.problems, fmt.Errorf(format, args...))
	}
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		switch t.kind {
		case tIdent:
			next := peek(toks, i+1)
			lower := strings.ToLower(t.text)
			switch {
			case lower == "offset":
				fail("uses offset, which shifts the window away from now; remove it")
			case next.text == "(" || (isAggregation(lower) && (strings.EqualFold(next.text, "by") || strings.EqualFold(next.text, "without"))):
				if why, bad := unsound[lower]; bad {
					fail("%s() %s", lower, why)
				} else if !summable[lower] && !isGrouping(lower) {
					fail("%s() can't be re-windowed safely: headroom accepts sum, rate and increase in event counts", lower)
				}
			case isKeyword(lower) || (len(stack) > 0 && (stack[len(stack)-1].open == '{' || isGrouping(stack[len(stack)-1].fn))):
				// A keyword, a label name in a matcher or a grouping list.
			default:
				if !rangeFollows(toks, i+1) {
					fail("%s is used without a range, so its value can't be set to a window; count it with rate(%s[%s])", t.text, t.text, WindowPlaceholder)
				}
			}
		case tPunct:
			switch t.text {
			case "(":
				fn := ""
				if p := peekBack(toks, i-1); p.kind == tIdent {
					fn = strings.ToLower(p.text)
				}
				stack = append(stack, frame{'(', fn})
			case "{":
				stack = append(stack, frame{'{', ""})
			case ")", "}":
				if len(stack) == 0 {
					return nil, fmt.Errorf("unbalanced %q at offset %d", t.text, t.pos)
				}
				stack = stack[:len(stack)-1]
			case "[":
				end := i + 1
				for end < len(toks) && toks[end].text != "]" {
					end++
				}
				if end == len(toks) {
					return nil, fmt.Errorf("unclosed [ at offset %d", t.pos)
				}
				inner := toks[i+1 : end]
				fn := fnOf()
				switch {
				case hasColon(inner):
					fail("uses a subquery [%s], which can't be re-windowed", expr[t.pos+1:toks[end].pos])
				case len(inner) == 1 && inner[0].kind == tPlaceholder:
					a.placeholders++
				case len(inner) == 1 && inner[0].kind == tDuration:
					a.fixed = append(a.fixed, inner[0].text)
				default:
					return nil, fmt.Errorf("range [%s] is not a duration", expr[t.pos+1:toks[end].pos])
				}
				switch fn {
				case "rate", "increase":
					k := PerSecond
					if fn == "increase" {
						k = Count
					}
					if a.kind >= 0 && a.kind != k {
						fail("mixes rate() and increase(); use one of them")
					}
					a.kind = k
				case "":
					fail("a range vector must be the argument of rate() or increase()")
				default:
					if _, bad := unsound[fn]; !bad {
						fail("the range of %s() can't be re-windowed safely; only rate() and increase() ranges can", fn)
					}
				}
				// Write the range as the placeholder.
				b.WriteString(expr[last : t.pos+1])
				b.WriteString(WindowPlaceholder)
				last = toks[end].pos
				i = end
			}
		case tOp:
			switch t.text {
			case "/":
				a.division++
			case "%", "^":
				fail("uses %s, which does not keep a count of events", t.text)
			case ">", "<", ">=", "<=", "==", "!=":
				fail("compares with %s, which filters series rather than counting events", t.text)
			case "@":
				fail("uses @, which pins the query to a time; remove it")
			}
		case tPlaceholder:
			fail("%s may only stand for a range, inside […]", WindowPlaceholder)
		}
	}
	if len(stack) > 0 {
		return nil, fmt.Errorf("unclosed %q", string(stack[len(stack)-1].open))
	}
	b.WriteString(expr[last:])
	a.template = b.String()
	if a.kind < 0 {
		a.kind = PerSecond
	}
	return a, nil
}

func isAggregation(s string) bool {
	switch s {
	case "sum", "avg", "min", "max", "count", "stddev", "stdvar", "topk", "bottomk", "quantile", "count_values", "group":
		return true
	}
	return false
}

func isGrouping(s string) bool {
	switch s {
	case "by", "without", "on", "ignoring", "group_left", "group_right":
		return true
	}
	return false
}

// rangeFollows reports whether a range [...] follows a metric name whose
// next token is toks[i], skipping its matchers.
func rangeFollows(toks []token, i int) bool {
	if i < len(toks) && toks[i].text == "{" {
		for i < len(toks) && toks[i].text != "}" {
			i++
		}
		i++
	}
	return i < len(toks) && toks[i].text == "["
}

func hasColon(ts []token) bool {
	for _, t := range ts {
		if t.text == ":" {
			return true
		}
	}
	return false
}

func peek(ts []token, i int) token {
	if i < len(ts) {
		return ts[i]
	}
	return token{}
}

func peekBack(ts []token, i int) token {
	if i >= 0 {
		return ts[i]
	}
	return token{}
}

// plainSelector recognises a query that is only a series selector.
func plainSelector(toks []token) (Selector, bool) {
	var s Selector
	i := 0
	if i < len(toks) && toks[i].kind == tIdent {
		if isKeyword(toks[i].text) {
			return s, false
		}
		s.Metric = toks[i].text
		i++
	}
	if i == len(toks) {
		return s, s.Metric != ""
	}
	if toks[i].text != "{" {
		return s, false
	}
	ms, n, ok := matchers(toks[i:])
	if !ok || i+n != len(toks) {
		return s, false
	}
	for _, m := range ms {
		if m.Label == "__name__" && m.Op == "=" && s.Metric == "" {
			s.Metric = m.Value
			continue
		}
		s.Matchers = append(s.Matchers, m)
	}
	if s.Metric == "" {
		return s, false
	}
	return s, true
}

// matchers reads {label op "value", …} and returns the matchers and the
// number of tokens used.
func matchers(toks []token) ([]Matcher, int, bool) {
	if len(toks) == 0 || toks[0].text != "{" {
		return nil, 0, false
	}
	var out []Matcher
	i := 1
	for i < len(toks) {
		if toks[i].text == "}" {
			return out, i + 1, true
		}
		if i+2 >= len(toks) || toks[i].kind != tIdent || toks[i+1].kind != tOp || toks[i+2].kind != tString {
			return nil, 0, false
		}
		op := toks[i+1].text
		if op != "=" && op != "!=" && op != "=~" && op != "!~" {
			return nil, 0, false
		}
		out = append(out, Matcher{Label: toks[i].text, Op: op, Value: toks[i+2].value})
		i += 3
		if i < len(toks) && toks[i].text == "," {
			i++
		}
	}
	return nil, 0, false
}

// ParseSelector parses a series selector such as
// http_requests_total{job="app",code=~"5.."} or {job="app"} (a matcher
// list without a metric name, when metricOptional).
func ParseSelector(s string, metricOptional bool) (Selector, error) {
	toks, err := lex(strings.TrimSpace(s))
	if err != nil {
		return Selector{}, err
	}
	if len(toks) > 0 && toks[0].text == "{" {
		ms, n, ok := matchers(toks)
		if ok && n == len(toks) {
			sel := Selector{Matchers: ms}
			if !metricOptional {
				if sel2, ok := plainSelector(toks); ok {
					return sel2, nil
				}
				return Selector{}, errors.New("the selector names no metric")
			}
			return sel, nil
		}
	}
	sel, ok := plainSelector(toks)
	if !ok {
		return Selector{}, fmt.Errorf("%q is not a series selector like metric{label=\"value\"}", s)
	}
	return sel, nil
}

func isKeyword(s string) bool {
	switch strings.ToLower(s) {
	case "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset", "and", "or", "unless":
		return true
	}
	return false
}

// Token kinds of the minimal PromQL lexer.
type tokenKind int

const (
	tNone tokenKind = iota
	tIdent
	tNumber
	tDuration
	tString
	tPunct // ( ) { } [ ] , :
	tOp    // arithmetic, comparison and matcher operators, @
	tPlaceholder
)

type token struct {
	kind  tokenKind
	text  string // as written
	value string // unquoted, for strings
	pos   int    // byte offset in the query
}

// lex splits a PromQL query into tokens. It knows identifiers (metric,
// label and function names, with colons), numbers, durations, strings,
// punctuation, operators, # comments and the window placeholder.
func lex(s string) ([]token, error) {
	var out []token
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '#':
			for i < len(s) && s[i] != '\n' {
				i++
			}
		case strings.HasPrefix(s[i:], "{{"):
			end := strings.Index(s[i:], "}}")
			if end < 0 {
				return nil, fmt.Errorf("unclosed {{ at offset %d", i)
			}
			inner := strings.TrimSpace(s[i+2 : i+end])
			if inner != ".window" {
				return nil, fmt.Errorf("unknown placeholder {{%s}}; headroom knows only %s", inner, WindowPlaceholder)
			}
			out = append(out, token{kind: tPlaceholder, text: s[i : i+end+2], pos: i})
			i += end + 2
		case c == '"' || c == '\'' || c == '`':
			j := i + 1
			for j < len(s) && s[j] != c {
				if s[j] == '\\' && c != '`' {
					j++
				}
				j++
			}
			if j >= len(s) {
				return nil, fmt.Errorf("unclosed string at offset %d", i)
			}
			raw := s[i : j+1]
			val, err := unquote(raw)
			if err != nil {
				return nil, fmt.Errorf("bad string %s at offset %d", raw, i)
			}
			out = append(out, token{kind: tString, text: raw, value: val, pos: i})
			i = j + 1
		case isIdentStart(c):
			j := i
			for j < len(s) && (isIdentStart(s[j]) || isDigit(s[j]) || s[j] == ':') {
				j++
			}
			out = append(out, token{kind: tIdent, text: s[i:j], pos: i})
			i = j
		case isDigit(c) || (c == '.' && i+1 < len(s) && isDigit(s[i+1])):
			j := i
			for j < len(s) && (isDigit(s[j]) || isIdentStart(s[j]) || s[j] == '.' || ((s[j] == '+' || s[j] == '-') && (s[j-1] == 'e' || s[j-1] == 'E'))) {
				j++
			}
			text := s[i:j]
			kind := tNumber
			if _, err := strconv.ParseFloat(text, 64); err != nil {
				if _, err := parsePromDuration(text); err != nil {
					return nil, fmt.Errorf("%q at offset %d is neither a number nor a duration", text, i)
				}
				kind = tDuration
			}
			out = append(out, token{kind: kind, text: text, pos: i})
			i = j
		case strings.ContainsRune("(){}[],:", rune(c)):
			out = append(out, token{kind: tPunct, text: string(c), pos: i})
			i++
		default:
			op := ""
			for _, o := range []string{"=~", "!~", "!=", "==", ">=", "<=", "=", ">", "<", "+", "-", "*", "/", "%", "^", "@"} {
				if strings.HasPrefix(s[i:], o) {
					op = o
					break
				}
			}
			if op == "" {
				r, _ := utf8.DecodeRuneInString(s[i:])
				return nil, fmt.Errorf("unexpected %q at offset %d", r, i)
			}
			out = append(out, token{kind: tOp, text: op, pos: i})
			i += len(op)
		}
	}
	return out, nil
}

// stripComments removes # comments from s (tokens are s's tokens) and
// joins its lines with spaces.
func stripComments(s string, toks []token) string {
	if !strings.ContainsAny(s, "#\n") {
		return s
	}
	var b strings.Builder
	for i, t := range toks {
		if i > 0 {
			prev := toks[i-1]
			if gap := s[prev.pos+len(prev.text) : t.pos]; gap != "" {
				b.WriteByte(' ')
			}
		}
		b.WriteString(t.text)
	}
	return b.String()
}

func unquote(raw string) (string, error) {
	if raw[0] == '\'' {
		// PromQL single-quoted strings use the same escapes as double-quoted.
		inner := raw[1 : len(raw)-1]
		inner = strings.ReplaceAll(inner, `\'`, `'`)
		inner = strings.ReplaceAll(inner, `"`, `\"`)
		return strconv.Unquote(`"` + inner + `"`)
	}
	return strconv.Unquote(raw)
}

func isIdentStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// parsePromDuration parses a Prometheus duration such as 5m, 1h30m or 30d.
func parsePromDuration(s string) (time.Duration, error) {
	if s == "" {
		return 0, errors.New("empty duration")
	}
	durUnits := []struct {
		u string
		d time.Duration
	}{{"ms", time.Millisecond}, {"y", 365 * 24 * time.Hour}, {"w", 7 * 24 * time.Hour}, {"d", 24 * time.Hour}, {"h", time.Hour}, {"m", time.Minute}, {"s", time.Second}}
	var total time.Duration
	rest := s
	lastUnit := -1
	for rest != "" {
		j := 0
		for j < len(rest) && isDigit(rest[j]) {
			j++
		}
		if j == 0 {
			return 0, fmt.Errorf("%q is not a duration", s)
		}
		n, err := strconv.ParseInt(rest[:j], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%q is not a duration", s)
		}
		rest = rest[j:]
		found := -1
		for k, u := range durUnits {
			if strings.HasPrefix(rest, u.u) {
				found = k
				break
			}
		}
		if found < 0 || found <= lastUnit {
			return 0, fmt.Errorf("%q is not a duration", s)
		}
		lastUnit = found
		if n > int64(math.MaxInt64/durUnits[found].d) {
			return 0, fmt.Errorf("%q is too long", s)
		}
		total += time.Duration(n) * durUnits[found].d
		rest = rest[len(durUnits[found].u):]
	}
	return total, nil
}

// PromDuration writes d as a Prometheus duration: 5m, 1h, 30d, 1d12h.
func PromDuration(d time.Duration) string {
	if d <= 0 {
		return "0s"
	}
	var b strings.Builder
	for _, u := range []struct {
		u string
		d time.Duration
	}{{"d", 24 * time.Hour}, {"h", time.Hour}, {"m", time.Minute}, {"s", time.Second}, {"ms", time.Millisecond}} {
		if n := d / u.d; n > 0 {
			fmt.Fprintf(&b, "%d%s", n, u.u)
			d -= n * u.d
		}
	}
	if b.Len() == 0 {
		return "1ms"
	}
	return b.String()
}

// PromNumber writes f for PromQL in plain decimals (2592000, 0.95), the
// shortest way that reads back exactly. It is a wire format, not one for
// people (see package units).
func PromNumber(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// validLabelName reports whether s is a Prometheus label name.
func validLabelName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		letter := r < 128 && unicode.IsLetter(r)
		if !(r == '_' || letter || (i > 0 && r >= '0' && r <= '9')) {
			return false
		}
	}
	return true
}
