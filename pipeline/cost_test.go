package pipeline_test

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/headroom-sre/headroom/pipeline"
	"github.com/headroom-sre/headroom/rightsize"
)

func snapshotFiles(t *testing.T) pipeline.MapFiles {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "internal", "kube", "testdata", "snapshot.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return pipeline.MapFiles{"cluster.yaml": data}
}

func TestCost(t *testing.T) {
	cases := []struct {
		name     string
		prices   pipeline.ClusterPrices
		mode     rightsize.Mode
		currency string
		nodes    int
		note     string
	}{
		{"the cluster says", pipeline.ClusterPrices{}, rightsize.Standard, "USD", 3, "mode standard: chosen because the cluster lists 3 nodes"},
		{"autopilot in yen", pipeline.ClusterPrices{Mode: "autopilot", Currency: "JPY", Rate: 150}, rightsize.Autopilot, "JPY", 0, "Autopilot request rules"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := pipeline.Cost(context.Background(), snapshotFiles(t), pipeline.CostConfig{Cluster: pipeline.ClusterConfig{Snapshot: "cluster.yaml", Prices: tc.prices}})
			if err != nil {
				t.Fatal(err)
			}
			r := res.Report
			if r.Mode != tc.mode || r.Currency != tc.currency || len(r.Nodes) != tc.nodes || len(r.Workloads) != 6 {
				t.Errorf("Cost = %s in %s, %d nodes, %d workloads; want %s in %s, %d nodes, 6 workloads", r.Mode, r.Currency, len(r.Nodes), len(r.Workloads), tc.mode, tc.currency, tc.nodes)
			}
			sum := r.ClusterFee + r.Idle.MonthlyCost
			for _, w := range r.Workloads {
				sum += w.MonthlyCost
			}
			if math.Abs(sum-r.MonthlyCost) > 0.05 || r.MonthlyCost <= 0 {
				t.Errorf("monthly cost %g; want the workloads, idle capacity and fee: %g", r.MonthlyCost, sum)
			}
			if notes := strings.Join(r.Notes, "\n"); !strings.Contains(notes, tc.note) {
				t.Errorf("notes = %q; want %q", notes, tc.note)
			}
			if h := res.Cluster.Header("cost"); !strings.Contains(h, "snapshot cluster.yaml") {
				t.Errorf("header = %q; want the snapshot named", h)
			}
		})
	}
}

func TestCostBadInput(t *testing.T) {
	cases := []struct {
		name string
		cfg  pipeline.ClusterConfig
		want string
	}{
		{"no cluster", pipeline.ClusterConfig{}, "no cluster"},
		{"a missing snapshot", pipeline.ClusterConfig{Snapshot: "nope.yaml"}, "nope.yaml"},
		{"a bad mode", pipeline.ClusterConfig{Snapshot: "cluster.yaml", Prices: pipeline.ClusterPrices{Mode: "serverless"}}, "serverless"},
		{"a bad commitment", pipeline.ClusterConfig{Snapshot: "cluster.yaml", Prices: pipeline.ClusterPrices{Commitment: "spot"}}, `commitment "spot": want on-demand, 1y or 3y`},
		{"bad bursting", pipeline.ClusterConfig{Snapshot: "cluster.yaml", Prices: pipeline.ClusterPrices{Mode: "autopilot", Bursting: "maybe"}}, "maybe"},
		{"a missing price file", pipeline.ClusterConfig{Snapshot: "cluster.yaml", Prices: pipeline.ClusterPrices{Catalog: "prices.yaml"}}, "prices.yaml"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := pipeline.Cost(context.Background(), snapshotFiles(t), pipeline.CostConfig{Cluster: tc.cfg})
			if err == nil || !strings.Contains(err.Error(), tc.want) || !pipeline.IsInputError(err) {
				t.Errorf("Cost = %v; want an input error saying %q", err, tc.want)
			}
		})
	}
}

func TestRightsizeBadInput(t *testing.T) {
	cases := []struct {
		name string
		cfg  pipeline.RightsizeConfig
		want string
	}{
		{"no Prometheus", pipeline.RightsizeConfig{Cluster: pipeline.ClusterConfig{Snapshot: "cluster.yaml"}}, "no Prometheus was given"},
		{"scenarios without a system", pipeline.RightsizeConfig{Scenarios: []string{"spike"}}, "without a System file"},
		{"a missing system", pipeline.RightsizeConfig{System: pipeline.SystemConfig{File: "sys.yaml"}}, "sys.yaml"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := pipeline.Rightsize(context.Background(), snapshotFiles(t), tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !pipeline.IsInputError(err) {
				t.Errorf("Rightsize = %v; want an input error saying %q", err, tc.want)
			}
		})
	}
}
