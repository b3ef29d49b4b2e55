package traffic

import (
	"bufio"
	"bytes"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// ParseReplayCSV reads recorded traffic as CSV lines of time,rate. name is
// only used in error messages ("traffic.csv:12: ...").
//
// The time column may be seconds from the start ("0", "15", "30.5"), Unix
// seconds (as Prometheus exports them: "1732521600"), RFC 3339 timestamps
// ("2026-11-25T20:00:00Z") or Go durations ("90s"). Times are made relative
// to the first row. The rate column is requests per second. A header row,
// blank lines and lines starting with # are skipped; the separator may be a
// comma, a semicolon, a tab or spaces.
func ParseReplayCSV(name string, data []byte) ([]Point, error) {
	var (
		points  []Point
		t0      float64
		skipped bool // the header row, if any
	)
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		fields := strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == ';' || r == '\t' || r == ' ' })
		if len(fields) < 2 {
			return nil, fmt.Errorf("%s:%d: want time,rate; got %q", name, line, text)
		}
		ts, rs := strings.Trim(fields[0], `"`), strings.Trim(fields[1], `"`)
		t, terr := parseTime(ts)
		r, rerr := strconv.ParseFloat(rs, 64)
		if len(points) == 0 && !skipped && (terr != nil || rerr != nil) {
			skipped = true // a header row such as "time,rate"
			continue
		}
		if terr != nil {
			return nil, fmt.Errorf("%s:%d: time %q: %v", name, line, ts, terr)
		}
		if rerr != nil || math.IsNaN(r) || math.IsInf(r, 0) {
			return nil, fmt.Errorf("%s:%d: rate %q is not a number", name, line, rs)
		}
		if r < 0 {
			return nil, fmt.Errorf("%s:%d: rate %g is negative", name, line, r)
		}
		if len(points) == 0 {
			t0 = t
		}
		off := secToDur(t - t0)
		if len(points) > 0 && off <= points[len(points)-1].T {
			return nil, fmt.Errorf("%s:%d: time %q is not after the previous row", name, line, ts)
		}
		points = append(points, Point{T: off, Rate: r})
		skipped = true
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	if len(points) < 2 {
		return nil, fmt.Errorf("%s: need at least two rows of time,rate; found %d", name, len(points))
	}
	return points, nil
}

// parseTime returns a time in seconds on some axis (absolute for Unix and
// RFC 3339 times, relative for offsets); only differences matter.
func parseTime(s string) (float64, error) {
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		if math.IsNaN(f) || math.IsInf(f, 0) || f < 0 {
			return 0, fmt.Errorf("not a usable time")
		}
		return f, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return float64(t.UnixNano()) / 1e9, nil
	}
	if d, err := ParseDuration(s); err == nil {
		return d.Seconds(), nil
	}
	return 0, fmt.Errorf("not seconds, Unix seconds, an RFC 3339 time or a duration")
}
