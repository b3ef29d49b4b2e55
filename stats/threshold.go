package stats

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/headroom-sre/headroom/units"
)

// Threshold is a pass/fail condition on a run's summary, such as
// p99<300ms or errors<1%. Its text form is METRIC OP VALUE, where OP is one
// of < <= > >= and METRIC is
//
//	p50 p90 p95 p99 p999 mean max min
//	          latency from the due time; VALUE is a duration (300ms, 1s)
//	errors    the error ratio (failed responses and errors / requests);
//	          VALUE is a percentage: 1%, 0.1%
//	success   the success ratio, likewise (availability is another name)
//	late      the ratio of arrivals sent late or dropped to arrivals due
//	rate      requests completed per second (VALUE: 1000 or 1000/s)
//	throughput  successful responses per second
//
// Several thresholds are written comma-separated: p99<=200ms,errors<=0.1%.
//
// Units are required: a latency without one (p99<300) and a ratio without
// a percent sign (errors<0.1: 0.1%, or 10%?) are refused with the forms
// that were probably meant. A ratio of 0 needs no unit.
type Threshold struct {
	// Metric is the metric's canonical name (p99, errors, rate…).
	Metric string
	// Op is "<", "<=", ">" or ">=".
	Op string
	// Value is the limit: seconds for latencies, a fraction for ratios,
	// per second for rates.
	Value float64
}

type metricKind int

const (
	kindLatency metricKind = iota
	kindRatio
	kindRate
)

var metrics = map[string]metricKind{
	"p50": kindLatency, "p90": kindLatency, "p95": kindLatency, "p99": kindLatency, "p999": kindLatency,
	"mean": kindLatency, "max": kindLatency, "min": kindLatency,
	"errors": kindRatio, "success": kindRatio, "late": kindRatio,
	"rate": kindRate, "throughput": kindRate,
}

// aliases maps other spellings to a canonical metric name.
var aliases = map[string]string{"p99.9": "p999", "error": "errors", "avg": "mean", "rps": "rate", "availability": "success"}

const metricList = "p50, p90, p95, p99, p999, mean, max, min, errors, success, late, rate, throughput"

// ParseThreshold reads one threshold, such as "p99<300ms".
func ParseThreshold(s string) (Threshold, error) {
	text := strings.TrimSpace(s)
	i := strings.IndexAny(text, "<>=")
	if i < 0 {
		return Threshold{}, fmt.Errorf("threshold %q: want METRIC OP VALUE, like p99<300ms or errors<1%%", s)
	}
	name := strings.ToLower(strings.TrimSpace(text[:i]))
	rest := text[i:]
	var op string
	for _, o := range []string{"<=", ">=", "<", ">"} {
		if strings.HasPrefix(rest, o) {
			op = o
			break
		}
	}
	if op == "" {
		return Threshold{}, fmt.Errorf("threshold %q: the operator must be one of < <= > >=", s)
	}
	if a, ok := aliases[name]; ok {
		name = a
	}
	kind, ok := metrics[name]
	if !ok {
		if name == "" {
			return Threshold{}, fmt.Errorf("threshold %q: missing the metric before %s (one of %s)", s, op, metricList)
		}
		return Threshold{}, fmt.Errorf("threshold %q: unknown metric %q (one of %s)", s, name, metricList)
	}
	raw := strings.TrimSpace(rest[len(op):])
	if raw == "" {
		return Threshold{}, fmt.Errorf("threshold %q: missing the value after %s", s, op)
	}
	v, err := parseValue(kind, strings.TrimSpace(text[:i]), op, raw)
	if err != nil {
		return Threshold{}, fmt.Errorf("threshold %q: %w", s, err)
	}
	return Threshold{Metric: name, Op: op, Value: v}, nil
}

// parseValue reads the value of a threshold on a metric of kind; written
// and op are the metric and the operator as the person wrote them, for
// suggestions.
func parseValue(kind metricKind, written, op, raw string) (float64, error) {
	switch kind {
	case kindLatency:
		if f, err := strconv.ParseFloat(raw, 64); err == nil {
			if f >= 0 && !math.IsInf(f, 0) {
				return 0, fmt.Errorf("latency %q has no unit: write %s", raw, bareLatency(raw, f))
			}
			return 0, fmt.Errorf("latency %q has no unit; want a latency like 300ms or 1.5s", raw)
		}
		d, err := time.ParseDuration(raw)
		if err != nil || d < 0 {
			return 0, fmt.Errorf("want a latency like 300ms or 1.5s, got %q", raw)
		}
		if d > MaxLatencyThreshold {
			return 0, longLatency(raw, d)
		}
		return d.Seconds(), nil
	case kindRatio:
		num, pct := strings.CutSuffix(raw, "%")
		f, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return 0, fmt.Errorf("want a percentage like 1%% or 0.1%%, got %q", raw)
		}
		if !pct && f != 0 {
			return 0, bareRatio(written, op, raw, f)
		}
		f /= 100
		if f < 0 || f > 1 {
			return 0, fmt.Errorf("a ratio must be between 0%% and 100%%, got %q", raw)
		}
		return f, nil
	default:
		num := strings.TrimSuffix(strings.TrimSuffix(raw, "/s"), "rps")
		f, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 {
			return 0, fmt.Errorf("want a rate per second like 1000 or 1000/s, got %q", raw)
		}
		return f, nil
	}
}

// MaxLatencyThreshold is the longest latency a threshold accepts: a
// request latency bound above an hour is a unit slip (300m is five hours;
// 300ms was meant).
const MaxLatencyThreshold = time.Hour

// longLatency is the error for a latency above MaxLatencyThreshold, with the
// milliseconds it probably meant when written in minutes.
func longLatency(raw string, d time.Duration) error {
	if num, ok := strings.CutSuffix(raw, "m"); ok && num != "" && strings.Trim(num, "0123456789.") == "" {
		return fmt.Errorf("latency %s is %s (m is minutes): did you mean %sms?", raw, units.Duration(d), num)
	}
	return fmt.Errorf("latency %s is %s, above %s: write a request latency in ms or s (300ms, 2s)", raw, units.Duration(d), units.Duration(MaxLatencyThreshold))
}

// bareLatency is how to write a latency given without a unit: a whole
// number is most likely milliseconds (300 → 300ms), a fraction of one
// seconds, as Prometheus writes bucket bounds (0.3 → 0.3s).
func bareLatency(raw string, f float64) string {
	if f > 0 && f < 1 {
		return raw + "s"
	}
	return raw + "ms"
}

// bareRatio is the error for a ratio written without a percent sign: the
// number is ambiguous (errors<=0.1 may mean 0.1% or, as a fraction, 10%),
// so it names the percentages it may have meant.
func bareRatio(written, op, raw string, f float64) error {
	var forms []string
	if f > 0 && f <= 100 {
		form := written + op + raw + "%"
		if words := oneIn(f / 100); words != "" {
			form += " (" + words + ")"
		}
		forms = append(forms, form)
	}
	if f > 0 && f <= 1 {
		forms = append(forms, written+op+strconv.FormatFloat(f*100, 'g', 12, 64)+"%")
	}
	if len(forms) == 0 {
		return fmt.Errorf("a ratio is a percentage between 0%% and 100%%, got %q", raw)
	}
	return fmt.Errorf("a ratio needs a percent sign (%s is ambiguous): write %s", raw, strings.Join(forms, " or "))
}

// oneIn says a fraction in words when it is one in a round number (0.001:
// "one in a thousand") or all but one in one (0.999: "all but one in a
// thousand"); "" otherwise.
func oneIn(f float64) string {
	words := func(f float64) string {
		n := 1 / f
		r := math.Round(n)
		if f <= 0 || r < 2 || math.Abs(n-r) > 1e-9*r {
			return ""
		}
		switch r {
		case 10:
			return "ten"
		case 100:
			return "a hundred"
		case 1000:
			return "a thousand"
		case 10_000:
			return "ten thousand"
		case 100_000:
			return "a hundred thousand"
		case 1_000_000:
			return "a million"
		}
		return units.Count(r)
	}
	if w := words(f); w != "" {
		return "one in " + w
	}
	if w := words(1 - f); w != "" && f > 0.5 {
		return "all but one in " + w
	}
	return ""
}

// ParseThresholds reads a comma-separated list of thresholds, such as
// "p99<=200ms,errors<=0.1%". Every bad item is reported.
func ParseThresholds(s string) ([]Threshold, error) {
	var out []Threshold
	var errs []error
	for _, part := range strings.Split(s, ",") {
		if strings.TrimSpace(part) == "" {
			continue
		}
		t, err := ParseThreshold(part)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, t)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no threshold in %q: want METRIC OP VALUE, like p99<300ms", s)
	}
	return out, nil
}

// String is the threshold in its canonical text form, which ParseThreshold
// reads back exactly.
func (t Threshold) String() string { return t.Metric + t.Op + t.format(t.Value, -1) }

// MarshalText implements encoding.TextMarshaler.
func (t Threshold) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler with ParseThreshold.
func (t *Threshold) UnmarshalText(b []byte) error {
	p, err := ParseThreshold(string(b))
	if err != nil {
		return err
	}
	*t = p
	return nil
}

// Format writes a value of the threshold's metric for people, in its unit
// (a duration, a percentage or a rate) with 4 significant digits.
func (t Threshold) Format(v float64) string { return t.format(v, 4) }

func (t Threshold) format(v float64, digits int) string {
	switch metrics[t.Metric] {
	case kindLatency:
		return formatSeconds(v, digits)
	case kindRatio:
		return strconv.FormatFloat(v*100, 'g', digits, 64) + "%"
	default:
		return strconv.FormatFloat(v, 'g', digits, 64) + "/s"
	}
}

// formatSeconds writes seconds as a short duration (300ms, 1.5s, 250µs).
func formatSeconds(v float64, digits int) string {
	d := time.Duration(math.Round(v * 1e9))
	switch {
	case d >= time.Second || d == 0:
		return strconv.FormatFloat(d.Seconds(), 'g', digits, 64) + "s"
	case d >= time.Millisecond:
		return strconv.FormatFloat(float64(d)/1e6, 'g', digits, 64) + "ms"
	default:
		return strconv.FormatFloat(float64(d)/1e3, 'g', digits, 64) + "µs"
	}
}

// observers read each metric from Stats; needsRequests marks the metrics
// that mean nothing without completed requests.
var observers = map[string]struct {
	get           func(*Stats) float64
	needsRequests bool
}{
	"p50":        {func(s *Stats) float64 { return s.Latency.P50 }, true},
	"p90":        {func(s *Stats) float64 { return s.Latency.P90 }, true},
	"p95":        {func(s *Stats) float64 { return s.Latency.P95 }, true},
	"p99":        {func(s *Stats) float64 { return s.Latency.P99 }, true},
	"p999":       {func(s *Stats) float64 { return s.Latency.P999 }, true},
	"mean":       {func(s *Stats) float64 { return s.Latency.Mean }, true},
	"max":        {func(s *Stats) float64 { return s.Latency.Max }, true},
	"min":        {func(s *Stats) float64 { return s.Latency.Min }, true},
	"errors":     {func(s *Stats) float64 { return s.ErrorRatio }, true},
	"success":    {func(s *Stats) float64 { return s.SuccessRatio }, true},
	"late":       {func(s *Stats) float64 { return s.LateRatio }, false},
	"rate":       {func(s *Stats) float64 { return s.AchievedRate }, false},
	"throughput": {func(s *Stats) float64 { return s.Throughput }, false},
}

// Observe returns the threshold's metric in s, and false when s has no data
// for it (no requests completed, for a latency or an error ratio).
func (t Threshold) Observe(s *Stats) (float64, bool) {
	o, ok := observers[t.Metric]
	if !ok {
		return 0, false
	}
	return o.get(s), s.Requests > 0 || !o.needsRequests
}

// holds reports whether v satisfies the threshold.
func (t Threshold) holds(v float64) bool {
	switch t.Op {
	case "<":
		return v < t.Value
	case "<=":
		return v <= t.Value
	case ">":
		return v > t.Value
	case ">=":
		return v >= t.Value
	}
	return false
}

// ThresholdResult is the outcome of one threshold on a run.
type ThresholdResult struct {
	// Threshold is the threshold checked; JSON holds it in its canonical
	// text form ("p99<300ms"), which reads back as the same value.
	Threshold Threshold `json:"threshold"`
	// Metric is the metric's name.
	Metric string `json:"metric"`
	// Observed is the metric's value in the run, in the threshold's unit
	// (seconds, a fraction, per second).
	Observed float64 `json:"observed"`
	// Pass reports whether the threshold held. A threshold on data the run
	// does not have (a latency with no requests) fails.
	Pass bool `json:"pass"`
	// NoData marks a threshold that failed for lack of data.
	NoData bool `json:"no_data,omitempty"`
}

// Check evaluates the threshold on s.
func (t Threshold) Check(s *Stats) ThresholdResult {
	v, ok := t.Observe(s)
	return ThresholdResult{Threshold: t, Metric: t.Metric, Observed: v, Pass: ok && t.holds(v), NoData: !ok}
}

// Evaluate checks every threshold on s, in order.
func Evaluate(ths []Threshold, s *Stats) []ThresholdResult {
	out := make([]ThresholdResult, len(ths))
	for i, t := range ths {
		out[i] = t.Check(s)
	}
	return out
}

// Failed returns the results that did not pass.
func Failed(rs []ThresholdResult) []ThresholdResult {
	var out []ThresholdResult
	for _, r := range rs {
		if !r.Pass {
			out = append(out, r)
		}
	}
	return out
}
