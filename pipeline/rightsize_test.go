package pipeline

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/headroom-sre/headroom/rightsize"
)

// Right-sizing from a usage file gives the recommendations the usage it
// holds gives, with no Prometheus; bad files and two sources are bad
// input.
func TestRightsizeFromAUsageFile(t *testing.T) {
	ws := demoPanicCluster(0.00003, 0.00045)
	snap, err := demoSnapshot(ws)
	if err != nil {
		t.Fatal(err)
	}
	end := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	history := demoUsage(ws, end)
	data, err := history.File()
	if err != nil {
		t.Fatal(err)
	}
	files := MapFiles{"cluster.yaml": snap, "usage.json": data, "bad.json": []byte(strings.Replace(string(data), `"cpu_percentile": 0.99`, `"cpu_percentile": 99`, 1))}
	cfg := RightsizeConfig{Cluster: ClusterConfig{Snapshot: "cluster.yaml", UsageFile: "usage.json", Prices: ClusterPrices{Mode: "autopilot"}}}
	res, err := Rightsize(context.Background(), files, cfg)
	if err != nil {
		t.Fatal(err)
	}
	// The demo's own computation from the same history.
	objs := res.Cluster.Objects
	byWorkload, _ := history.ByWorkload(objs)
	want, err := rightsize.Recommend(objs, byWorkload, rightsize.RecommendOptions{Policy: rightsize.Policy{Window: history.Window, Step: history.Step,
		PeakResolution: history.PeakResolution, CPUPercentile: history.CPUPercentile}, Cost: res.Cluster.Cost})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Report.Recommendations) == 0 || len(res.Report.Recommendations) != len(want.Recommendations) ||
		res.Report.TotalMonthlySaving != want.TotalMonthlySaving {
		t.Errorf("from the file: %d cuts saving %.2f; from the usage: %d saving %.2f", len(res.Report.Recommendations), res.Report.TotalMonthlySaving,
			len(want.Recommendations), want.TotalMonthlySaving)
	}
	if h := res.Cluster.Header("rightsize"); !strings.Contains(h, "from usage file usage.json") || strings.Contains(h, "queries") {
		t.Errorf("header %q; want the usage file named as the source", h)
	}
	for _, tc := range []struct{ file, want string }{{"bad.json", "cpu_percentile"}, {"gone.json", "gone.json"}} {
		c := cfg
		c.Cluster.UsageFile = tc.file
		if _, err := Rightsize(context.Background(), files, c); !IsInputError(err) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v; want bad input naming %q", tc.file, err, tc.want)
		}
	}
}
