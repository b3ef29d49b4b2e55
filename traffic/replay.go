package traffic

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/headroom-sre/headroom/units"
)

// Limits on a replay file. They bound the memory a replay takes (a row is
// one segment of the curve) and keep a mistaken file from becoming a run
// that never ends.
const (
	// MaxReplayBytes is the largest replay file read: 64 MiB.
	MaxReplayBytes = 64 << 20
	// MaxReplayRows is the most rows a replay holds: a week at one row a
	// second is 604,800.
	MaxReplayRows = 1_000_000
	// MaxReplaySpan is the longest a replay may be, both as recorded (from
	// its first row to its last) and as played (after speed and for).
	MaxReplaySpan = 31 * 24 * time.Hour
	// maxReplayLine is the longest line read: a wide export with hundreds of
	// labelled series fits.
	maxReplayLine = 1 << 20
	// maxReplayPreamble is how many lines before the first row of data may
	// be skipped as headers or metadata.
	maxReplayPreamble = 10
)

// TimeFormat is how a replay file's time column was read.
type TimeFormat string

// The time formats ReadReplay recognises. Numbers are told apart by
// magnitude: below 10^8 they are seconds from some start; Unix times in
// seconds have 9–10 digits today, in milliseconds 12–13, in microseconds
// 15–16 and in nanoseconds 18–19.
const (
	TimeSeconds      TimeFormat = "seconds"
	TimeUnixSeconds  TimeFormat = "Unix seconds"
	TimeUnixMillis   TimeFormat = "Unix milliseconds"
	TimeUnixMicros   TimeFormat = "Unix microseconds"
	TimeUnixNanos    TimeFormat = "Unix nanoseconds"
	TimeRFC3339      TimeFormat = "date-times with a zone (RFC 3339)"
	TimeLocal        TimeFormat = "date-times without a zone"
	TimeDurations    TimeFormat = "durations from the start"
	timeUnrecognised TimeFormat = ""
)

// Recording is a replay file as read: its points, and what the reader
// decided about the file, for the caller to tell the user.
type Recording struct {
	Points  []Point
	Times   TimeFormat // how the time column was read
	Columns int        // value columns in the file; the first is replayed
	Gaps    int        // rows without a value (empty, null, NaN), left out
	// Reversed is true when the file lists its newest row first; the
	// points are in time order regardless.
	Reversed bool
	// Notes say in a sentence each what was detected: the time format, and
	// any gaps, extra columns or reversal. The CLI prints them.
	Notes []string
}

// Span is the time from the first point to the last.
func (r *Recording) Span() time.Duration {
	if len(r.Points) == 0 {
		return 0
	}
	return r.Points[len(r.Points)-1].T
}

// ParseReplayCSV reads recorded traffic (see ReadReplay) and returns its
// points only.
func ParseReplayCSV(name string, data []byte) ([]Point, error) {
	r, err := ReadReplay(name, data)
	if err != nil {
		return nil, err
	}
	return r.Points, nil
}

// ReadReplay reads recorded traffic as rows of time and rate, such as a
// Prometheus range query saved as CSV or a Grafana panel's "Download CSV".
// name is only used in messages ("traffic.csv:12: ...").
//
// The time column may be seconds from a start ("0", "15", "30.5"), Unix
// time in seconds, milliseconds, microseconds or nanoseconds (told apart by
// magnitude, and reported in Times), RFC 3339 times
// ("2026-11-25T20:00:00Z"), date-times without a zone ("2026-11-25
// 20:00:00", as Grafana writes them; only their spacing matters) or Go
// durations ("90s"). Times are made relative to the earliest row; a file
// listed newest first is turned around.
//
// The rate column is requests per second; Grafana's formatted values
// ("1.5 K", "120 req/s", "30 rpm") are read too. Rows with no value (empty,
// null, NaN) are gaps: the rate moves straight across them. Columns after
// the second are ignored.
//
// Fields may be quoted; the separator is a comma, a semicolon (then "1,5"
// is 1.5), a tab or spaces, or what an Excel "sep=" line names. A UTF-8
// byte-order mark, CRLF line ends, blank lines, lines starting with # and up
// to 10 header or metadata lines before the data are skipped.
//
// Errors give the line and what was expected, never the line's content: a
// mistaken file (an environment dump, a key file) is not echoed. Files
// larger than MaxReplayBytes, with more than MaxReplayRows rows or spanning
// more than MaxReplaySpan are refused.
func ReadReplay(name string, data []byte) (*Recording, error) {
	switch {
	case len(data) > MaxReplayBytes:
		return nil, fmt.Errorf("%s: %s bytes, more than the %s a replay file may be; keep fewer rows (a coarser step)", name, units.Count(float64(len(data))), units.Bytes(MaxReplayBytes))
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		return nil, fmt.Errorf("%s: the file is UTF-16 text; save it as UTF-8 CSV", name)
	case bytes.IndexByte(data, 0) >= 0:
		return nil, fmt.Errorf("%s: the file holds NUL bytes: it is not a text CSV of time,rate", name)
	}
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))

	rd := replayReader{name: name, rec: &Recording{}}
	for line := 1; len(data) > 0; line++ {
		var text []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			text, data = data[:i], data[i+1:]
		} else {
			text, data = data, nil
		}
		if len(text) > maxReplayLine {
			return nil, fmt.Errorf("%s:%d: the line is longer than %d KiB: not a CSV of time,rate", name, line, maxReplayLine>>10)
		}
		if err := rd.line(line, strings.TrimSpace(string(text))); err != nil {
			return nil, err
		}
	}
	return rd.finish()
}

// replayReader holds the state of one ReadReplay.
type replayReader struct {
	name     string
	rec      *Recording
	sep      byte // from a "sep=" line; 0 when not given
	preamble int  // lines skipped before the first row of data
	times    []float64
	rates    []float64
	lines    []int // the line of each row, for messages about order
	t0       float64
}

func (rd *replayReader) fail(line int, format string, args ...any) error {
	return fmt.Errorf("%s:%d: %s", rd.name, line, fmt.Sprintf(format, args...))
}

func (rd *replayReader) line(line int, text string) error {
	if text == "" || strings.HasPrefix(text, "#") {
		return nil
	}
	if v, ok := strings.CutPrefix(text, "sep="); ok && len(v) == 1 && len(rd.times) == 0 {
		rd.sep = v[0] // Excel's separator line, as Grafana's "Download for Excel" writes
		return nil
	}
	fields := splitFields(text, rd.sep)
	data := len(rd.times) > 0 || rd.rec.Gaps > 0
	var (
		t    float64
		kind TimeFormat
	)
	if len(fields) >= 2 {
		t, kind = parseReplayTime(fields[0])
	}
	if kind == timeUnrecognised {
		if data {
			if len(fields) < 2 {
				return rd.fail(line, "want TIME,RATE; the line has one column")
			}
			return rd.fail(line, "want TIME,RATE; the first column is not a time (seconds, Unix seconds or milliseconds, an RFC 3339 or 2006-01-02 15:04:05 date-time, or a duration)")
		}
		if rd.preamble++; rd.preamble > maxReplayPreamble {
			return rd.fail(line, "no row of TIME,RATE in the first %d lines: is this a replay CSV?", maxReplayPreamble)
		}
		return nil // a header row ("Time","Value") or metadata
	}
	rate, gap, ok := parseReplayRate(fields[1], rd.decimalComma(text))
	switch {
	case !ok && !data:
		if rd.preamble++; rd.preamble > maxReplayPreamble {
			return rd.fail(line, "no row of TIME,RATE in the first %d lines: is this a replay CSV?", maxReplayPreamble)
		}
		return nil
	case !ok:
		return rd.fail(line, "want TIME,RATE; the second column is not a rate (a number ≥ 0, like 120, 1.5 K or 30 req/s)")
	case rate < 0:
		return rd.fail(line, "the rate is negative; want requests per second ≥ 0")
	}
	if rd.rec.Times == timeUnrecognised {
		rd.rec.Times, rd.rec.Columns, rd.t0 = kind, len(fields)-1, t
	} else if kind != rd.rec.Times {
		return rd.fail(line, "the time is in %s but the first row's is in %s; use one form throughout", kind, rd.rec.Times)
	}
	if gap {
		rd.rec.Gaps++
		return nil
	}
	if len(rd.times) >= MaxReplayRows {
		return rd.fail(line, "more than %d rows, the most a replay holds; keep fewer rows (a coarser step)", MaxReplayRows)
	}
	if span := math.Abs(t - rd.t0); span > MaxReplaySpan.Seconds() {
		return rd.fail(line, "the recording spans more than %s from its first row, the longest replay headroom plays; cut the file", units.Duration(MaxReplaySpan))
	}
	if n := len(rd.times); n > 0 {
		prev := rd.times[n-1]
		descending := n >= 2 && rd.times[1] < rd.times[0]
		switch {
		case t == prev:
			return rd.fail(line, "the time is the same as line %d's%s", rd.lines[n-1], rd.dstHint())
		case n >= 2 && (t < prev) != descending:
			order := "earlier than line %d's, but the rows before it go forward in time"
			if descending {
				order = "later than line %d's, but the rows before it go backward in time"
			}
			return rd.fail(line, "the time is "+order+"%s", rd.lines[n-1], rd.dstHint())
		}
	}
	rd.times = append(rd.times, t)
	rd.rates = append(rd.rates, rate)
	rd.lines = append(rd.lines, line)
	return nil
}

// dstHint explains the usual cause of repeated or backward zone-less times.
func (rd *replayReader) dstHint() string {
	if rd.rec.Times == TimeLocal {
		return " (a daylight-saving change in a file without time zones? export in UTC)"
	}
	return ""
}

// decimalComma reports whether "1,5" means 1.5 on this line: when it is
// not separated by commas.
func (rd *replayReader) decimalComma(text string) bool {
	sep := rd.sep
	if sep == 0 {
		sep = detectSep(text)
	}
	return sep != ','
}

func (rd *replayReader) finish() (*Recording, error) {
	rec := rd.rec
	if len(rd.times) < 2 {
		return nil, fmt.Errorf("%s: need at least two rows of TIME,RATE; found %d", rd.name, len(rd.times))
	}
	if rd.times[1] < rd.times[0] { // newest first
		rec.Reversed = true
		for i, j := 0, len(rd.times)-1; i < j; i, j = i+1, j-1 {
			rd.times[i], rd.times[j] = rd.times[j], rd.times[i]
			rd.rates[i], rd.rates[j] = rd.rates[j], rd.rates[i]
		}
	}
	rec.Points = make([]Point, len(rd.times))
	start := rd.times[0]
	for i, t := range rd.times {
		rec.Points[i] = Point{T: secToDur(t - start), Rate: rd.rates[i]}
	}
	for i := 1; i < len(rec.Points); i++ {
		if rec.Points[i].T <= rec.Points[i-1].T { // rows closer than a nanosecond
			return nil, fmt.Errorf("%s:%d: the time is less than a nanosecond after the previous row's", rd.name, rd.lines[i])
		}
	}
	how := map[TimeFormat]string{
		TimeSeconds:     "seconds",
		TimeUnixSeconds: "Unix seconds (10-digit numbers)",
		TimeUnixMillis:  "Unix milliseconds (13-digit numbers)",
		TimeUnixMicros:  "Unix microseconds (16-digit numbers)",
		TimeUnixNanos:   "Unix nanoseconds (19-digit numbers)",
		TimeRFC3339:     "RFC 3339 date-times",
		TimeLocal:       "date-times without a zone (only their spacing matters)",
		TimeDurations:   "durations from the start",
	}[rec.Times]
	rec.Notes = append(rec.Notes, fmt.Sprintf("%s: times read as %s: %d rows over %s", rd.name, how, len(rec.Points), units.Duration(rec.Span())))
	if rec.Reversed {
		rec.Notes = append(rec.Notes, fmt.Sprintf("%s: the rows are newest first; replayed oldest first", rd.name))
	}
	if rec.Gaps > 0 {
		rec.Notes = append(rec.Notes, fmt.Sprintf("%s: %d rows have no value (empty, null or NaN); the rate moves straight across them", rd.name, rec.Gaps))
	}
	if rec.Columns > 1 {
		rec.Notes = append(rec.Notes, fmt.Sprintf("%s: %d value columns; the replay follows the first (column 2) and ignores the rest", rd.name, rec.Columns))
	}
	return rec, nil
}

// detectSep picks a line's separator: a tab, else a semicolon, else a
// comma, outside quotes; 0 (spaces) when there is none.
func detectSep(text string) byte {
	var tab, semi, comma bool
	quoted := false
	for i := 0; i < len(text); i++ {
		switch c := text[i]; {
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == '\t':
			tab = true
		case c == ';':
			semi = true
		case c == ',':
			comma = true
		}
	}
	switch {
	case tab:
		return '\t'
	case semi:
		return ';'
	case comma:
		return ','
	}
	return 0
}

// splitFields splits a line at sep (detected when 0), honouring double
// quotes ("a,b" is one field; "" inside quotes is a quote). With no
// separator, fields are split at runs of spaces, and a date followed by a
// clock ("2026-11-25 20:00:00") stays one field.
func splitFields(text string, sep byte) []string {
	if sep == 0 {
		sep = detectSep(text)
	}
	var (
		fields []string
		cur    strings.Builder
		quoted bool
	)
	flush := func() {
		fields = append(fields, strings.TrimSpace(cur.String()))
		cur.Reset()
	}
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case c == '"' && quoted && i+1 < len(text) && text[i+1] == '"':
			cur.WriteByte('"')
			i++
		case c == '"':
			quoted = !quoted
		case quoted:
			cur.WriteByte(c)
		case sep != 0 && c == sep:
			flush()
		case sep == 0 && (c == ' ' || c == '\t'):
			if cur.Len() > 0 {
				flush()
			}
		default:
			cur.WriteByte(c)
		}
	}
	if sep != 0 || cur.Len() > 0 {
		flush()
	}
	if sep == 0 && len(fields) >= 3 && isDate(fields[0]) && strings.Count(fields[1], ":") >= 1 {
		fields = append([]string{fields[0] + " " + fields[1]}, fields[2:]...)
	}
	return fields
}

// isDate reports whether s looks like 2006-01-02 or 2006/01/02.
func isDate(s string) bool {
	return len(s) == 10 && (s[4] == '-' || s[4] == '/') && s[7] == s[4]
}

// localLayouts are the zone-less date-times read (fractions of a second
// are accepted after the seconds).
var localLayouts = []string{"2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006/01/02 15:04:05", "2006-01-02 15:04", "2006-01-02T15:04"}

// zonedLayouts are date-times with a zone besides RFC 3339's.
var zonedLayouts = []string{"2006-01-02 15:04:05Z07:00", "2006-01-02 15:04:05 -0700", "2006-01-02 15:04:05 -07:00"}

// parseReplayTime reads a time as seconds on some axis (absolute for Unix
// and calendar times, relative for offsets; only differences matter) and
// says how it was read.
func parseReplayTime(s string) (float64, TimeFormat) {
	if s == "" {
		return 0, timeUnrecognised
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		if math.IsNaN(f) || math.IsInf(f, 0) || f < 0 {
			return 0, timeUnrecognised
		}
		switch {
		case f < 1e8:
			return f, TimeSeconds
		case f < 1e11:
			return f, TimeUnixSeconds
		case f < 1e14:
			return f / 1e3, TimeUnixMillis
		case f < 1e17:
			return f / 1e6, TimeUnixMicros
		case f < 1e20:
			return f / 1e9, TimeUnixNanos
		}
		return 0, timeUnrecognised
	}
	if s[0] >= '0' && s[0] <= '9' && len(s) >= 10 && isDate(s[:10]) {
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			return unixSeconds(t), TimeRFC3339
		}
		plain := strings.TrimSuffix(strings.TrimSuffix(s, " UTC"), "Z")
		for _, layout := range localLayouts {
			if t, err := time.Parse(layout, plain); err == nil {
				if plain != s { // it said UTC after all
					return unixSeconds(t), TimeRFC3339
				}
				return unixSeconds(t), TimeLocal
			}
		}
		for _, layout := range zonedLayouts {
			if t, err := time.Parse(layout, s); err == nil {
				return unixSeconds(t), TimeRFC3339
			}
		}
		return 0, timeUnrecognised
	}
	if d, err := ParseDuration(s); err == nil {
		return d.Seconds(), TimeDurations
	}
	return 0, timeUnrecognised
}

func unixSeconds(t time.Time) float64 { return float64(t.Unix()) + float64(t.Nanosecond())/1e9 }

// rateUnits are the unit suffixes a rate may carry, with the seconds each
// counts over. Longer suffixes come first.
var rateUnits = []struct {
	suffix string
	per    float64
}{
	{"req/min", 60}, {"req/s", 1}, {"reqps", 1}, {"ops/s", 1}, {"/sec", 1}, {"/min", 60},
	{"rps", 1}, {"rpm", 60}, {"/s", 1}, {"/m", 60}, {"/h", 3600},
}

// rateScales are Grafana's "short" number suffixes.
var rateScales = []struct {
	suffix string
	k      float64
}{{"Mil", 1e6}, {"Bil", 1e9}, {"K", 1e3}, {"k", 1e3}, {"M", 1e6}, {"B", 1e9}}

// parseReplayRate reads a rate per second. gap is true for a missing value
// (empty, null, NaN); ok is false when s is not a rate at all.
func parseReplayRate(s string, decimalComma bool) (rate float64, gap, ok bool) {
	s = strings.TrimSpace(s)
	switch strings.ToLower(s) {
	case "", "null", "nan", "-nan", "undefined", "none", "n/a", "-":
		return 0, true, true
	}
	per := 1.0
	for _, u := range rateUnits {
		if v, found := strings.CutSuffix(s, u.suffix); found {
			s, per = strings.TrimSpace(v), u.per
			break
		}
	}
	k := 1.0
	for _, sc := range rateScales {
		if v, found := strings.CutSuffix(s, sc.suffix); found {
			s, k = strings.TrimSpace(v), sc.k
			break
		}
	}
	switch {
	case strings.Contains(s, ",") && strings.Contains(s, "."):
		s = strings.ReplaceAll(s, ",", "") // 1,234.5
	case decimalComma && strings.Count(s, ",") == 1:
		s = strings.Replace(s, ",", ".", 1) // 1,5 in a file separated by ; or tabs
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) {
		return 0, false, false
	}
	if math.IsNaN(f) {
		return 0, true, true
	}
	return f * k / per, false, true
}

// checkReplayLength refuses a replay that would play for longer than
// MaxReplaySpan.
func checkReplayLength(played time.Duration) error {
	if played > MaxReplaySpan {
		return fmt.Errorf("the replay would play for %s, longer than %s, the most headroom plays; raise speed or give a shorter for", units.Duration(played), units.Duration(MaxReplaySpan))
	}
	return nil
}
