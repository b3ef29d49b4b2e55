package prom_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/headroom-sre/headroom/internal/prom"
	"github.com/headroom-sre/headroom/internal/promtest"
	"github.com/headroom-sre/headroom/slo"
)

// restartHistory is two hours of one-minute samples of a request counter
// split by route and code, served by two processes. Process a restarts
// twice, 90 and 40 minutes before at (at each restart every one of its
// series starts again from zero, after two minutes without samples and
// without traffic); process b restarts 20 minutes before, and its series
// of /pay's errors only appears 50 minutes before (a counter created on
// its first error). Each minute each process serves 60 requests of
// /browse and 10 of /pay, one of which fails.
func restartHistory(at time.Time) string {
	restarts := map[string][]time.Duration{"a": {90 * time.Minute, 40 * time.Minute}, "b": {20 * time.Minute}}
	type series struct {
		instance, route, code string
		perMinute             float64
		from                  time.Duration // first sample this long before at
	}
	all := []series{
		{"a", "/browse", "200", 60, 2 * time.Hour}, {"a", "/pay", "200", 9, 2 * time.Hour}, {"a", "/pay", "500", 1, 2 * time.Hour},
		{"b", "/browse", "200", 60, 2 * time.Hour}, {"b", "/pay", "200", 9, 2 * time.Hour}, {"b", "/pay", "500", 1, 50 * time.Minute},
	}
	var b strings.Builder
	b.WriteString("# TYPE web_requests counter\n")
	for _, s := range all {
		v := 0.0
		for before := s.from; before >= 0; before -= time.Minute {
			skip := false
			for _, r := range restarts[s.instance] {
				switch {
				case before > r && before <= r+2*time.Minute:
					skip = true // down
				case before == r:
					v = 0 // back, from zero
				}
			}
			if skip {
				continue
			}
			if before < s.from {
				v += s.perMinute
			}
			fmt.Fprintf(&b, "web_requests_total{job=\"web\",instance=%q,route=%q,code=%q} %g %d\n", s.instance+":80", s.route, s.code, v, at.Add(-before).Unix())
		}
	}
	b.WriteString("# EOF\n")
	return b.String()
}

// ObserveSLO counts restarts, not series resets: in the last hour process
// a's restart and b's each reset three series (summed, six resets), two
// restarts. Grouped by route, each route counts the restarts of the
// processes that serve it.
func TestObserveSLORestartsAndGroups(t *testing.T) {
	at := time.Now().UTC().Truncate(time.Hour).Add(-time.Hour)
	srv := promtest.Start(t, promtest.Options{OpenMetrics: restartHistory(at)})
	c, err := prom.New(prom.Config{URL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	sel := slo.LabelSelector("web_requests", map[string]string{"job": "web"})
	sel.Metric = "web_requests_total"
	base := slo.SLO{Name: "web", Target: 0.99, Window: slo.Rolling(time.Hour), Indicator: slo.Availability(sel, "", "")}
	grouped := base
	grouped.Grouping = []string{"route"}
	tests := []struct {
		name   string
		s      slo.SLO
		groups []string // FormatGroup of each observation, in order
		notes  []string // the restart note of each
	}{
		{"ungrouped: a's restart at 40m and b's at 20m", base, []string{""}, []string{"2 restarts in the window"}},
		{"by route: both processes serve both routes", grouped, []string{`{route="/browse"}`, `{route="/pay"}`},
			[]string{"2 restarts in the window", "2 restarts in the window"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obs, err := c.ObserveSLO(context.Background(), tt.s, at)
			if err != nil {
				t.Fatal(err)
			}
			if len(obs) != len(tt.groups) {
				t.Fatalf("ObserveSLO = %d observations; want %d", len(obs), len(tt.groups))
			}
			for i, o := range obs {
				if g := slo.FormatGroup(o.Group); g != tt.groups[i] {
					t.Errorf("observation %d: group %s; want %s", i, g, tt.groups[i])
				}
				if notes := strings.Join(o.Notes, "|"); !strings.Contains(notes, tt.notes[i]) {
					t.Errorf("observation %d: notes %q; want %q", i, o.Notes, tt.notes[i])
				}
				if o.Window.Missing || o.Window.Total <= 0 || o.Coverage < 0.9 || !o.DataStart.Equal(o.Start) {
					t.Errorf("observation %d: window %+v, coverage %v, data from %v; want traffic over the whole hour from %v", i, o.Window, o.Coverage, o.DataStart, o.Start)
				}
			}
		})
	}
	// Over the last hour (60 one-minute increments, of which each process
	// lost 2 to its restart) /pay fails 1 of 10 requests of each process,
	// b's errors counted from its series' first sample, 50 minutes before
	// (48 increments after it).
	obs, err := c.ObserveSLO(context.Background(), grouped, at)
	if err != nil {
		t.Fatal(err)
	}
	pay := obs[1].Window
	wantTotal := 10.0*58 + 9*58 + 1*48
	wantBad := 1.0*58 + 48
	if math.Abs(pay.Total-wantTotal) > 1e-6 || math.Abs(pay.Bad()-wantBad) > 1e-6 {
		t.Errorf("/pay over 1h = %v bad of %v; want %v of %v", pay.Bad(), pay.Total, wantBad, wantTotal)
	}
}

// NaN, infinities and negative counts are errors of their own type, naming
// the query and the series.
func TestObserveSLONonFinite(t *testing.T) {
	sel := slo.LabelSelector("web_requests_total", map[string]string{"job": "web"})
	s := slo.SLO{Name: "web", Target: 0.99, Window: slo.Rolling(time.Hour), Indicator: slo.Availability(sel, "", ""), Grouping: []string{"route"}}
	for _, fault := range []promtest.Fault{promtest.NaN, promtest.Inf, promtest.Negative} {
		t.Run(string(fault), func(t *testing.T) {
			b := promtest.Broken(t, fault, `job="web",route="/pay"`)
			c, err := prom.New(prom.Config{URL: b.URL})
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.ObserveSLO(context.Background(), s, time.Now())
			var nf *prom.NonFiniteError
			if !errors.As(err, &nf) || nf.Series != `{job="web", route="/pay"}` || !strings.Contains(nf.Query, "sum by (route)") ||
				fmt.Sprint(nf.Value) != string(fault) {
				t.Fatalf("ObserveSLO error = %v (%T); want a *NonFiniteError with the query, the series and %s", err, err, fault)
			}
		})
	}
}
