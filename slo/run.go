package slo

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/headroom-sre/headroom/stats"
)

// codeLabels are the label names that hold a response's status code.
var codeLabels = map[string]bool{"code": true, "status": true, "status_code": true, "response_code": true, "http_status": true}

// Regular expressions that find an le bound or a status-code matcher in a
// query that is not a plain selector.
var (
	leInQuery     = regexp.MustCompile(`\ble\s*(=~|=)\s*"([^"]+)"`)
	codeInQuery   = regexp.MustCompile(`\b(code|status|status_code|response_code|http_status)\s*(=~|!~|!=|=)\s*"([^"]*)"`)
	unescapeDot   = strings.NewReplacer(`\\.`, ".", `\.`, ".") // in a regexp, as a query or a matcher writes it
	nativeInQuery = regexp.MustCompile(`histogram_fraction\(\s*0\s*,\s*([0-9.eE+]+)\s*,`)
)

// FromRun turns a load-test run into a series of per-second event counts
// for s, so that one SLO file gates load tests as it gates production.
// target names one target of the run, or "" for all of them.
//
// A latency indicator (good events are a histogram bucket le="X") counts
// the requests completed within X as good, from the latency histogram
// corrected for coordinated omission. Any other ratio indicator counts
// availability: requests without a response are bad, and responses are
// judged by the status-code matcher of the indicator's good or bad query
// (code=~"5.." bad, say) or, without one, good when below 400.
// Threshold and raw-ratio indicators have no meaning for a load test.
func FromRun(s SLO, run *stats.Run, target string) (Series, error) {
	in := s.Indicator
	if in.IsThreshold() || !in.Raw.IsZero() {
		return Series{}, errors.New("a threshold or raw-ratio SLI can't be evaluated on a load test; give good/bad and total events")
	}
	sr := Series{Start: run.Header.Started, Step: time.Second}
	if threshold, ok, err := latencyBound(in.Good); err != nil {
		return Series{}, err
	} else if ok {
		for _, iv := range run.Intervals {
			b := bucketOf(iv, target)
			sr.Counts = append(sr.Counts, Counts{Good: float64(b.Latency.CountAtOrBelow(threshold)), Total: float64(b.Requests)})
		}
		return sr, nil
	}
	good, err := goodCodes(in)
	if err != nil {
		return Series{}, err
	}
	for _, iv := range run.Intervals {
		b := bucketOf(iv, target)
		var g int64
		for code, n := range b.StatusCodes {
			if good(code) {
				g += n
			}
		}
		sr.Counts = append(sr.Counts, Counts{Good: float64(g), Total: float64(b.Requests)})
	}
	return sr, nil
}

func bucketOf(iv *stats.Interval, target string) *stats.Bucket {
	if target == "" {
		return &iv.Total
	}
	if b, ok := iv.Targets[target]; ok {
		return b
	}
	return &stats.Bucket{}
}

// latencyBound finds the latency bound of a good-events query: its le
// bucket, matched exactly (le="0.3") or in both spellings of a whole
// number of seconds (le=~"1|1\.0", as LeMatcher writes it), or the upper
// bound of a native histogram's histogram_fraction.
func latencyBound(q Query) (time.Duration, bool, error) {
	if q.IsZero() {
		return 0, false, nil
	}
	op, le := "", ""
	if sel, ok := q.Series(); ok {
		for _, m := range sel.Matchers {
			if m.Label == "le" && (m.Op == "=" || m.Op == "=~") {
				op, le = m.Op, m.Value
			}
		}
	} else if m := leInQuery.FindStringSubmatch(q.Expr); m != nil {
		op, le = m[1], m[2]
	} else if m := nativeInQuery.FindStringSubmatch(q.Template()); m != nil && q.IsNative() {
		op, le = "=", m[1]
	}
	if le == "" {
		return 0, false, nil
	}
	alts := []string{le}
	if op == "=~" {
		alts = strings.Split(le, "|")
	}
	var sec float64
	for i, alt := range alts {
		if op == "=~" {
			alt = unescapeDot.Replace(alt)
		}
		f, err := strconv.ParseFloat(alt, 64)
		if err != nil || f < 0 || f > 1e6 || (i > 0 && f != sec) {
			return 0, false, fmt.Errorf("le%s%q is not a latency bound in seconds", op, le)
		}
		sec = f
	}
	return time.Duration(sec * float64(time.Second)), true, nil
}

// goodCodes returns the test that a status code is good for an
// availability indicator.
func goodCodes(in Indicator) (func(int) bool, error) {
	q, goodSide := in.Bad, false
	if q.IsZero() {
		q, goodSide = in.Good, true
	}
	m, ok := codeMatcher(q)
	if !ok {
		return stats.IsSuccess, nil
	}
	var matches func(string) bool
	switch m.Op {
	case "=", "!=":
		matches = func(s string) bool { return s == m.Value }
	default:
		re, err := regexp.Compile("^(?:" + m.Value + ")$")
		if err != nil {
			return nil, fmt.Errorf("status code matcher %s%s%q: %w", m.Label, m.Op, m.Value, err)
		}
		matches = re.MatchString
	}
	negated := strings.HasPrefix(m.Op, "!")
	return func(code int) bool {
		hit := matches(strconv.Itoa(code)) != negated
		return hit == goodSide
	}, nil
}

// codeMatcher finds the status-code matcher of a query.
func codeMatcher(q Query) (Matcher, bool) {
	if sel, ok := q.Series(); ok {
		for _, m := range sel.Matchers {
			if codeLabels[m.Label] {
				return m, true
			}
		}
		return Matcher{}, false
	}
	if m := codeInQuery.FindStringSubmatch(q.Expr); m != nil {
		return Matcher{Label: m[1], Op: m[2], Value: m[3]}, true
	}
	return Matcher{}, false
}

// LatencyBound returns the threshold of a latency indicator — the le bound
// of its good-events histogram bucket — and false for any other indicator.
func (in Indicator) LatencyBound() (time.Duration, bool) {
	d, ok, err := latencyBound(in.Good)
	return d, ok && err == nil
}
