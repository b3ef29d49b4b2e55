package traffic

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/headroom-sre/headroom/units"
)

// Kinds lists the shape kinds, in the order the documentation presents them.
var Kinds = []string{"constant", "ramp", "steps", "stages", "spike", "replay"}

// keys lists the parameters each kind accepts. Every kind also accepts
// "x", a multiplier applied to all rates (default 1).
var keys = map[string][]string{
	"constant": {"rate", "for"},
	"ramp":     {"from", "to", "for"},
	"steps":    {"rates", "start", "step", "count", "every", "for"},
	"stages":   {"start", "to", "for"},
	"spike":    {"base", "peak", "multiple", "at", "rise", "hold", "decay", "for"},
	"replay":   {"file", "scale", "speed", "for"},
}

// Param is one key=value parameter of a shape, as written by the user.
type Param struct {
	Key   string
	Value string
}

// ParamError reports a bad shape parameter. Key is empty when the problem is
// not tied to one key (an unknown kind, for instance).
type ParamError struct {
	Kind  string
	Key   string
	Value string
	Err   error
}

func (e *ParamError) Error() string {
	switch {
	case e.Key == "" && e.Kind == "":
		return e.Err.Error()
	case e.Key == "":
		return e.Kind + ": " + e.Err.Error()
	case e.Value == "":
		return fmt.Sprintf("%s: %s: %v", e.Kind, e.Key, e.Err)
	default:
		return fmt.Sprintf("%s: %s=%q: %v", e.Kind, e.Key, e.Value, e.Err)
	}
}

func (e *ParamError) Unwrap() error { return e.Err }

// Loader reads a file named in a shape (the CSV of a replay). The CLI passes
// os.ReadFile; library users may serve files from anywhere.
type Loader func(name string) ([]byte, error)

// Parse reads a shape in its one-line form, KIND:key=value,key=value, for
// example
//
//	constant:rate=2000,for=5s
//	ramp:from=10,to=500,for=5m
//	steps:start=100,step=100,count=5,every=30s
//	steps:rates=100/400/1000,every=1m
//	stages:start=0,to=500@30s/1500@0s/1500@2m/0@1m
//	spike:base=50,peak=1500,at=1m,rise=2m,hold=5m,decay=20m
//	replay:file=traffic.csv,scale=20,speed=60
//
// Rates are per second (a "/s", "/m" or "/h" suffix converts), durations use
// Go's syntax plus "d" for days. Every kind also takes x=K to multiply all
// rates by K. load reads the CSV of a replay; it may be nil otherwise.
func Parse(s string, load Loader) (*Curve, error) {
	kind, rest, _ := strings.Cut(strings.TrimSpace(s), ":")
	kind = strings.ToLower(strings.TrimSpace(kind))
	var params []Param
	if strings.TrimSpace(rest) != "" {
		for _, kv := range strings.Split(rest, ",") {
			k, v, ok := strings.Cut(kv, "=")
			k = strings.TrimSpace(k)
			if !ok || k == "" {
				return nil, &ParamError{Kind: kind, Err: fmt.Errorf("%q is not key=value", strings.TrimSpace(kv))}
			}
			params = append(params, Param{Key: k, Value: strings.TrimSpace(v)})
		}
	}
	return Build(kind, params, load)
}

// Build makes a shape from its kind and parameters, the form a YAML file
// gives (see Parse for the keys). Errors are *ParamError values naming the
// offending key.
func Build(kind string, params []Param, load Loader) (*Curve, error) {
	allowed, ok := keys[kind]
	if !ok {
		if kind == "" {
			return nil, &ParamError{Err: fmt.Errorf("missing shape kind (one of %s)", strings.Join(Kinds, ", "))}
		}
		return nil, &ParamError{Err: fmt.Errorf("unknown shape kind %q (one of %s)", kind, strings.Join(Kinds, ", "))}
	}
	p := paramSet{kind: kind, vals: map[string]string{}}
	for _, kv := range params {
		if kv.Key != "x" && !contains(allowed, kv.Key) {
			return nil, &ParamError{Kind: kind, Key: kv.Key, Err: fmt.Errorf("unknown key (valid keys: %s, x)", strings.Join(allowed, ", "))}
		}
		if _, dup := p.vals[kv.Key]; dup {
			return nil, &ParamError{Kind: kind, Key: kv.Key, Err: errors.New("given twice")}
		}
		p.vals[kv.Key] = kv.Value
		p.order = append(p.order, kv.Key)
	}
	var c *Curve
	var err error
	switch kind {
	case "constant":
		c, err = p.constant()
	case "ramp":
		c, err = p.ramp()
	case "steps":
		c, err = p.steps()
	case "stages":
		c, err = p.stages()
	case "spike":
		c, err = p.spike()
	case "replay":
		c, err = p.replay(load)
	}
	if err != nil {
		return nil, err
	}
	if c.end <= 0 {
		return nil, &ParamError{Kind: kind, Err: errors.New("the shape lasts no time; give it a duration (for=...)")}
	}
	if _, ok := p.vals["x"]; ok {
		k, err := p.rate("x", 1)
		if err != nil {
			return nil, err
		}
		c = c.Scale(k)
	}
	return c, nil
}

// paramSet holds the parameters given for one shape while it is built.
type paramSet struct {
	kind  string
	vals  map[string]string
	order []string
}

func (p *paramSet) has(k string) bool { _, ok := p.vals[k]; return ok }

func (p *paramSet) fail(k string, err error) error {
	return &ParamError{Kind: p.kind, Key: k, Value: p.vals[k], Err: err}
}

func (p *paramSet) missing(k string) error {
	return &ParamError{Kind: p.kind, Key: k, Err: errors.New("missing (required)")}
}

// rate reads a non-negative rate, or def when absent.
func (p *paramSet) rate(k string, def float64) (float64, error) {
	v, ok := p.vals[k]
	if !ok {
		return def, nil
	}
	r, err := ParseRate(v)
	if err != nil {
		return 0, p.fail(k, err)
	}
	return r, nil
}

func (p *paramSet) needRate(k string) (float64, error) {
	if !p.has(k) {
		return 0, p.missing(k)
	}
	return p.rate(k, 0)
}

// dur reads a non-negative duration, or def when absent.
func (p *paramSet) dur(k string, def time.Duration) (time.Duration, error) {
	v, ok := p.vals[k]
	if !ok {
		return def, nil
	}
	d, err := ParseDuration(v)
	if err != nil {
		return 0, p.fail(k, err)
	}
	return d, nil
}

func (p *paramSet) needDur(k string, positive bool) (time.Duration, error) {
	if !p.has(k) {
		return 0, p.missing(k)
	}
	d, err := p.dur(k, 0)
	if err == nil && positive && d <= 0 {
		err = p.fail(k, errors.New("must be longer than zero"))
	}
	return d, err
}

// canon returns the parameters as given, with values normalised, in the
// kind's canonical key order.
func (p *paramSet) canon(norm map[string]string) []Param {
	var out []Param
	for _, k := range keys[p.kind] { // x is added back by Scale
		if !p.has(k) {
			continue
		}
		v := p.vals[k]
		if n, ok := norm[k]; ok {
			v = n
		}
		out = append(out, Param{Key: k, Value: v})
	}
	return out
}

func (p *paramSet) constant() (*Curve, error) {
	r, err := p.needRate("rate")
	if err != nil {
		return nil, err
	}
	return p.line(r, r, map[string]string{"rate": formatFloat(r)})
}

func (p *paramSet) ramp() (*Curve, error) {
	from, err := p.rate("from", 0)
	if err != nil {
		return nil, err
	}
	to, err := p.needRate("to")
	if err != nil {
		return nil, err
	}
	return p.line(from, to, map[string]string{"from": formatFloat(from), "to": formatFloat(to)})
}

// line is a straight line from one rate to another over the "for" key.
func (p *paramSet) line(from, to float64, norm map[string]string) (*Curve, error) {
	d, err := p.needDur("for", true)
	if err != nil {
		return nil, err
	}
	norm["for"] = formatDuration(d)
	var b builder
	b.linear(d.Seconds(), from, to)
	return b.curve(p.kind, p.canon(norm), 0), nil
}

func (p *paramSet) steps() (*Curve, error) {
	every, err := p.needDur("every", true)
	if err != nil {
		return nil, err
	}
	var rates []float64
	if p.has("rates") {
		for _, k := range []string{"start", "step", "count"} {
			if p.has(k) {
				return nil, p.fail(k, errors.New(`give either rates=a/b/c or start, step and count, not both`))
			}
		}
		for _, f := range strings.Split(p.vals["rates"], "/") {
			r, err := ParseRate(f)
			if err != nil {
				return nil, p.fail("rates", err)
			}
			rates = append(rates, r)
		}
	} else {
		start, err := p.needRate("start")
		if err != nil {
			return nil, err
		}
		if !p.has("step") {
			return nil, p.missing("step")
		}
		step, err := strconv.ParseFloat(strings.TrimSuffix(p.vals["step"], "/s"), 64)
		if err != nil || math.IsNaN(step) || math.IsInf(step, 0) {
			return nil, p.fail("step", errors.New("not a number"))
		}
		if !p.has("count") {
			return nil, p.missing("count")
		}
		n, err := strconv.Atoi(p.vals["count"])
		if err != nil || n < 1 || n > 100000 {
			return nil, p.fail("count", errors.New("must be a whole number from 1 to 100000"))
		}
		for i := 0; i < n; i++ {
			r := start + float64(i)*step
			if r < 0 {
				return nil, p.fail("step", fmt.Errorf("step %d would have a negative rate (%g)", i+1, r))
			}
			rates = append(rates, r)
		}
	}
	length, err := p.dur("for", 0)
	if err != nil {
		return nil, err
	}
	var b builder
	for _, r := range rates {
		b.linear(0, r, r) // an instant jump to the new rate
		b.linear(every.Seconds(), r, r)
	}
	return b.curve("steps", p.canon(map[string]string{"every": formatDuration(every)}), length.Seconds()), nil
}

func (p *paramSet) stages() (*Curve, error) {
	start, err := p.rate("start", 0)
	if err != nil {
		return nil, err
	}
	if !p.has("to") {
		return nil, p.missing("to")
	}
	stages, err := ParseStages(p.vals["to"])
	if err != nil {
		return nil, p.fail("to", err)
	}
	length, err := p.dur("for", 0)
	if err != nil {
		return nil, err
	}
	var b builder
	prev := start
	for _, s := range stages {
		b.linear(s.Duration.Seconds(), prev, s.Target)
		prev = s.Target
	}
	return b.curve("stages", p.canon(map[string]string{"start": formatFloat(start), "to": FormatStages(stages)}), length.Seconds()), nil
}

func (p *paramSet) spike() (*Curve, error) {
	base, err := p.needRate("base")
	if err != nil {
		return nil, err
	}
	var peak float64
	switch {
	case p.has("peak") && p.has("multiple"):
		return nil, p.fail("multiple", errors.New("give either peak or multiple, not both"))
	case p.has("peak"):
		if peak, err = p.rate("peak", 0); err != nil {
			return nil, err
		}
	case p.has("multiple"):
		m, err := p.rate("multiple", 0)
		if err != nil {
			return nil, err
		}
		peak = base * m
	default:
		return nil, p.missing("peak")
	}
	cfg := SpikeConfig{Base: base, Peak: peak}
	for _, f := range []struct {
		k string
		d *time.Duration
	}{{"at", &cfg.At}, {"rise", &cfg.Rise}, {"hold", &cfg.Hold}, {"decay", &cfg.Decay}, {"for", &cfg.For}} {
		if *f.d, err = p.dur(f.k, 0); err != nil {
			return nil, err
		}
	}
	c := spikeCurve(cfg)
	norm := map[string]string{"base": formatFloat(base)}
	if p.has("peak") {
		norm["peak"] = formatFloat(peak)
	}
	for _, k := range []string{"at", "rise", "hold", "decay", "for"} {
		if d, _ := p.dur(k, 0); p.has(k) {
			norm[k] = formatDuration(d)
		}
	}
	c.params = p.canon(norm)
	return c, nil
}

func (p *paramSet) replay(load Loader) (*Curve, error) {
	if !p.has("file") {
		return nil, p.missing("file")
	}
	scale, err := p.rate("scale", 1)
	if err != nil {
		return nil, err
	}
	speed, err := p.rate("speed", 1)
	if err != nil {
		return nil, err
	}
	if speed <= 0 {
		return nil, p.fail("speed", errors.New("must be more than zero"))
	}
	length, err := p.dur("for", 0)
	if err != nil {
		return nil, err
	}
	if load == nil {
		return nil, p.fail("file", errors.New("replay files cannot be read here"))
	}
	name := p.vals["file"]
	data, err := load(name)
	if err != nil {
		return nil, p.fail("file", err)
	}
	rec, err := ReadReplay(name, data)
	if err != nil {
		return nil, p.fail("file", err)
	}
	played, key := length, "for"
	if length == 0 {
		played, key = secToDur(rec.Span().Seconds()/speed), "speed"
	}
	if err := checkReplayLength(played); err != nil {
		return nil, p.fail(key, err)
	}
	c := replayCurve(rec.Points, scale, speed, length)
	c.params = p.canon(nil)
	c.notes = rec.Notes
	return c, nil
}

// Constant is a constant rate (per second) for duration d.
func Constant(rate float64, d time.Duration) (*Curve, error) {
	return Build("constant", []Param{{"rate", formatFloat(rate)}, {"for", formatDuration(d)}}, nil)
}

// Ramp is a linear ramp from one rate to another (per second) over d.
func Ramp(from, to float64, d time.Duration) (*Curve, error) {
	return Build("ramp", []Param{{"from", formatFloat(from)}, {"to", formatFloat(to)}, {"for", formatDuration(d)}}, nil)
}

// Steps holds each rate (per second) for every, jumping instantly between them.
func Steps(rates []float64, every time.Duration) (*Curve, error) {
	fs := make([]string, len(rates))
	for i, r := range rates {
		fs[i] = formatFloat(r)
	}
	return Build("steps", []Param{{"rates", strings.Join(fs, "/")}, {"every", formatDuration(every)}}, nil)
}

// Stage is one piece of a piecewise-linear shape: the rate moves linearly
// from the previous stage's Target to this Target over Duration. A zero
// Duration is an instant jump.
type Stage struct {
	Target   float64       // requests per second at the end of the stage
	Duration time.Duration // how long the stage lasts
}

// Stages is a piecewise-linear shape starting at rate start (per second).
func Stages(start float64, stages []Stage) (*Curve, error) {
	return Build("stages", []Param{{"start", formatFloat(start)}, {"to", FormatStages(stages)}}, nil)
}

// SpikeConfig describes a TV-broadcast surge. Rates are per second.
//
//	rate
//	Peak ┤        ┌──────┐
//	     │       /        ╲
//	     │      /           ╲_
//	Base ┤─────/               ‾‾──────
//	     └─────┬────┬──────┬──────────── t
//	           At  +Rise  +Hold   decay: excess × e^(−t/Decay)
type SpikeConfig struct {
	Base  float64       // rate before and long after the spike
	Peak  float64       // rate at the top of the spike
	At    time.Duration // when the rise begins
	Rise  time.Duration // linear rise from Base to Peak (0: an instant jump)
	Hold  time.Duration // time spent at Peak
	Decay time.Duration // time constant of the exponential fall back to Base: the excess is 37% after one Decay, 5% after three (0: instant drop)
	For   time.Duration // total length; 0 means At+Rise+Hold+4×Decay
}

// Spike is a TV-broadcast surge: see SpikeConfig.
func Spike(cfg SpikeConfig) (*Curve, error) {
	params := []Param{{"base", formatFloat(cfg.Base)}, {"peak", formatFloat(cfg.Peak)}}
	for _, f := range []struct {
		k string
		d time.Duration
	}{{"at", cfg.At}, {"rise", cfg.Rise}, {"hold", cfg.Hold}, {"decay", cfg.Decay}, {"for", cfg.For}} {
		if f.d != 0 {
			params = append(params, Param{f.k, formatDuration(f.d)})
		}
	}
	return Build("spike", params, nil)
}

func spikeCurve(cfg SpikeConfig) *Curve {
	var b builder
	b.linear(cfg.At.Seconds(), cfg.Base, cfg.Base)
	b.linear(cfg.Rise.Seconds(), cfg.Base, cfg.Peak)
	b.linear(cfg.Hold.Seconds(), cfg.Peak, cfg.Peak)
	tail := 4 * cfg.Decay.Seconds()
	if cfg.For > 0 {
		tail = math.Max(0, cfg.For.Seconds()-b.t)
	}
	if cfg.Decay > 0 {
		b.decay(tail, cfg.Peak, cfg.Base, cfg.Decay.Seconds())
	} else {
		b.linear(0, cfg.Peak, cfg.Base)
		b.linear(tail, cfg.Base, cfg.Base)
	}
	return b.curve("spike", nil, cfg.For.Seconds())
}

// Replay follows recorded traffic: the rate moves linearly between points.
// scale multiplies every rate (20 replays the day at twenty times its
// traffic); speed compresses time without changing the rates (60 plays an
// hour of shape in a minute).
func Replay(points []Point, scale, speed float64) (*Curve, error) {
	if len(points) < 2 {
		return nil, &ParamError{Kind: "replay", Err: errors.New("need at least two points")}
	}
	if scale < 0 || speed <= 0 || math.IsNaN(scale+speed) || math.IsInf(scale+speed, 0) {
		return nil, &ParamError{Kind: "replay", Err: errors.New("scale must be ≥ 0 and speed > 0")}
	}
	if len(points) > MaxReplayRows {
		return nil, &ParamError{Kind: "replay", Err: fmt.Errorf("%d points, more than the %d a replay holds", len(points), MaxReplayRows)}
	}
	if err := checkPoints(points); err != nil {
		return nil, &ParamError{Kind: "replay", Err: err}
	}
	span := points[len(points)-1].T - points[0].T
	if span > MaxReplaySpan {
		return nil, &ParamError{Kind: "replay", Err: fmt.Errorf("the points span %s, more than %s", units.Duration(span), units.Duration(MaxReplaySpan))}
	}
	if err := checkReplayLength(secToDur(span.Seconds() / speed)); err != nil {
		return nil, &ParamError{Kind: "replay", Key: "speed", Err: err}
	}
	c := replayCurve(points, scale, speed, 0)
	c.params = []Param{{"points", strconv.Itoa(len(points))}, {"scale", formatFloat(scale)}, {"speed", formatFloat(speed)}}
	return c, nil
}

func replayCurve(points []Point, scale, speed float64, length time.Duration) *Curve {
	var b builder
	for i := 1; i < len(points); i++ {
		d := (points[i].T - points[i-1].T).Seconds() / speed
		b.linear(d, points[i-1].Rate*scale, points[i].Rate*scale)
	}
	return b.curve("replay", nil, length.Seconds())
}

func checkPoints(points []Point) error {
	for i, p := range points {
		if p.Rate < 0 || math.IsNaN(p.Rate) || math.IsInf(p.Rate, 0) {
			return fmt.Errorf("point %d: rate %v must be a finite number ≥ 0", i+1, p.Rate)
		}
		if i > 0 && p.T <= points[i-1].T {
			return fmt.Errorf("point %d: time %s is not after the previous point's %s", i+1, p.T, points[i-1].T)
		}
	}
	return nil
}

// ParseStages reads stages written as TARGET@DURATION separated by "/", for
// example "500@30s/1500@0s/1500@2m".
func ParseStages(s string) ([]Stage, error) {
	var out []Stage
	for i, f := range strings.Split(s, "/") {
		rs, ds, ok := strings.Cut(strings.TrimSpace(f), "@")
		if !ok {
			return nil, fmt.Errorf("stage %d %q: want TARGET@DURATION, like 500@30s", i+1, f)
		}
		r, err := ParseRate(rs)
		if err != nil {
			return nil, fmt.Errorf("stage %d: %v", i+1, err)
		}
		d, err := ParseDuration(ds)
		if err != nil {
			return nil, fmt.Errorf("stage %d: %v", i+1, err)
		}
		out = append(out, Stage{Target: r, Duration: d})
	}
	return out, nil
}

// FormatStages writes stages in the form ParseStages reads.
func FormatStages(stages []Stage) string {
	fs := make([]string, len(stages))
	for i, s := range stages {
		fs[i] = formatFloat(s.Target) + "@" + formatDuration(s.Duration)
	}
	return strings.Join(fs, "/")
}

// ParseRate reads a rate in requests per second: a number ≥ 0, optionally
// followed by "/s", "/m" (per minute) or "/h" (per hour).
func ParseRate(s string) (float64, error) {
	s = strings.TrimSpace(s)
	div := 1.0
	for suf, d := range map[string]float64{"/s": 1, "/m": 60, "/h": 3600} {
		if strings.HasSuffix(s, suf) {
			s, div = strings.TrimSuffix(s, suf), d
			break
		}
	}
	r, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(r) || math.IsInf(r, 0) {
		return 0, errors.New("not a number")
	}
	if r < 0 {
		return 0, errors.New("must not be negative")
	}
	return r / div, nil
}

// ParseDuration reads a non-negative duration in Go's syntax ("90s", "1m30s",
// "2h"), also accepting "d" for days ("14d", "1d12h") and a bare "0".
func ParseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "0" {
		return 0, nil
	}
	var days float64
	if i := strings.IndexByte(s, 'd'); i > 0 {
		n, err := strconv.ParseFloat(s[:i], 64)
		if err != nil {
			return 0, fmt.Errorf("%q is not a duration (like 30s, 5m, 2h, 1d)", s)
		}
		days, s = n, s[i+1:]
	}
	var d time.Duration
	if s != "" {
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			return 0, fmt.Errorf("%q is not a duration (like 30s, 5m, 2h, 1d)", s)
		}
	}
	total := float64(d) + days*24*float64(time.Hour)
	if total < 0 {
		return 0, errors.New("must not be negative")
	}
	if total > float64(100*365*24*time.Hour) {
		return 0, errors.New("is longer than a century")
	}
	return time.Duration(total), nil
}

func formatFloat(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// formatDuration writes d exactly for a shape's canonical text, which
// reads back: "1m" rather than "1m0s". Text for people uses units.Duration.
func formatDuration(d time.Duration) string {
	if d == 0 {
		return "0s"
	}
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

func contains(xs []string, x string) bool {
	for _, s := range xs {
		if s == x {
			return true
		}
	}
	return false
}
