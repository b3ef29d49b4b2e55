package load

import (
	"fmt"
	"strconv"
	"strings"
)

// Templates make requests differ from one another. A URL (path and query),
// a header value or a body may contain
//
//	{{seq}}          the request's sequence number (1, 2, 3…)
//	{{rand A B}}     a random integer in [A, B], reproducible from the seed
//	{{csv.COLUMN}}   COLUMN of a row of the target's Data; the target's
//	                 n-th request uses row n, cycling through the rows
//
// Templates are compiled once; rendering a request appends to a buffer and
// allocates nothing. "{{" always starts a template.

// part is one piece of a compiled template.
type part struct {
	kind   partKind
	lit    string
	lo, hi int64 // rand
	col    int   // csv
	salt   uint64
}

type partKind uint8

const (
	partLit partKind = iota
	partSeq
	partRand
	partCSV
)

// tmpl is a compiled template.
type tmpl struct {
	parts []part
}

// static reports whether the template renders the same text every time.
func (t *tmpl) static() bool {
	for _, p := range t.parts {
		if p.kind != partLit {
			return false
		}
	}
	return true
}

// CheckTemplate reports whether s is a valid template, given the columns of
// the target's data (nil when it has none).
func CheckTemplate(s string, columns []string) error {
	_, err := compile(s, columns, 0)
	return err
}

// compile parses s. saltBase distinguishes the random numbers of different
// places in one request.
func compile(s string, columns []string, saltBase uint64) (*tmpl, error) {
	t := &tmpl{}
	rest := s
	n := uint64(0)
	for {
		i := strings.Index(rest, "{{")
		if i < 0 {
			if rest != "" {
				t.parts = append(t.parts, part{kind: partLit, lit: rest})
			}
			return t, nil
		}
		if i > 0 {
			t.parts = append(t.parts, part{kind: partLit, lit: rest[:i]})
		}
		j := strings.Index(rest[i:], "}}")
		if j < 0 {
			// The text is not quoted: a header value or a URL may hold a secret.
			return nil, fmt.Errorf("template: the {{ at byte %d is not closed with }}", len(s)-len(rest)+i+1)
		}
		expr := strings.TrimSpace(rest[i+2 : i+j])
		n++
		p, err := compilePart(expr, columns, saltBase*1000+n)
		if err != nil {
			return nil, fmt.Errorf("template {{%s}}: %w", expr, err)
		}
		t.parts = append(t.parts, p)
		rest = rest[i+j+2:]
	}
}

func compilePart(expr string, columns []string, salt uint64) (part, error) {
	fields := strings.Fields(expr)
	switch {
	case len(fields) == 1 && fields[0] == "seq":
		return part{kind: partSeq}, nil
	case len(fields) > 0 && fields[0] == "rand":
		if len(fields) != 3 {
			return part{}, fmt.Errorf("want {{rand MIN MAX}}, like {{rand 1 1000}}")
		}
		lo, err1 := strconv.ParseInt(fields[1], 10, 64)
		hi, err2 := strconv.ParseInt(fields[2], 10, 64)
		if err1 != nil || err2 != nil {
			return part{}, fmt.Errorf("MIN and MAX must be whole numbers")
		}
		if hi < lo {
			return part{}, fmt.Errorf("MAX %d is below MIN %d", hi, lo)
		}
		return part{kind: partRand, lo: lo, hi: hi, salt: salt}, nil
	case len(fields) == 1 && strings.HasPrefix(fields[0], "csv."):
		name := strings.TrimPrefix(fields[0], "csv.")
		if len(columns) == 0 {
			return part{}, fmt.Errorf("the target has no data file for csv.%s", name)
		}
		for i, c := range columns {
			if c == name {
				return part{kind: partCSV, col: i}, nil
			}
		}
		return part{}, fmt.Errorf("no column %q in the data (%s)", name, describeColumns(columns))
	}
	return part{}, fmt.Errorf("unknown template; use {{seq}}, {{rand MIN MAX}} or {{csv.COLUMN}}")
}

// render appends the template's text for request seq (the target's
// request tseq) to dst.
func (t *tmpl) render(dst []byte, seq, tseq int64, seed uint64, data *Data) []byte {
	for i := range t.parts {
		p := &t.parts[i]
		switch p.kind {
		case partLit:
			dst = append(dst, p.lit...)
		case partSeq:
			dst = strconv.AppendInt(dst, seq, 10)
		case partRand:
			span := uint64(p.hi - p.lo + 1)
			r := mix(seed ^ mix(uint64(seq)) ^ mix(p.salt))
			v := p.lo
			if span != 0 { // span is 0 only for the whole int64 range
				v += int64(r % span)
			} else {
				v = int64(r)
			}
			dst = strconv.AppendInt(dst, v, 10)
		case partCSV:
			row := data.Rows[(max(tseq, 1)-1)%int64(len(data.Rows))]
			if p.col < len(row) {
				dst = append(dst, row[p.col]...)
			}
		}
	}
	return dst
}

// mix is SplitMix64's finaliser: a fast, well-spread hash of x.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// describeColumns lists a data file's columns for an error message, but
// only when every one looks like a column name: a data file given by
// mistake (a credentials file, an environment dump) would otherwise have
// its first line echoed.
func describeColumns(columns []string) string {
	for _, c := range columns {
		if !columnLike(c) {
			return fmt.Sprintf("its header has %d columns, not shown: they do not look like column names", len(columns))
		}
	}
	return "columns: " + strings.Join(columns, ", ")
}

// columnLike reports whether s looks like a column name: up to 32 letters,
// digits, '_', '-' or '.', and no '=' (a KEY=value line is not a header).
func columnLike(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '-', r == '.', r == ' ':
		default:
			return false
		}
	}
	return true
}
