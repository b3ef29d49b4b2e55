package cli

import (
	"testing"

	"github.com/headroom-sre/headroom/pipeline"
)

func TestPlanCommand(t *testing.T) {
	cases := []struct {
		cfg  pipeline.PlanConfig
		want string
	}{
		{pipeline.PlanConfig{}, "headroom plan -f s.yaml"},
		{pipeline.PlanConfig{Scenarios: []string{"all"}}, "headroom plan -f s.yaml"},
		{pipeline.PlanConfig{Scenarios: []string{"a", "b"}, PerMonth: map[string]float64{"b": 0.25, "": 4}, Unannounced: []string{"a"}},
			"headroom plan -f s.yaml --scenario a --scenario b --per-month 4 --per-month b=0.25 --unannounced a"},
	}
	for _, tc := range cases {
		if got := planCommand("s.yaml", tc.cfg); got != tc.want {
			t.Errorf("planCommand(%+v) = %q; want %q", tc.cfg, got, tc.want)
		}
	}
}

func TestSimCommand(t *testing.T) {
	for _, tc := range []struct {
		scenarios []string
		want      string
	}{
		{nil, "headroom sim -f s.yaml"},
		{[]string{"all"}, "headroom sim -f s.yaml"},
		{[]string{"a", "b"}, "headroom sim -f s.yaml --scenario a,b"},
	} {
		if got := simCommand("s.yaml", tc.scenarios); got != tc.want {
			t.Errorf("simCommand(%q) = %q; want %q", tc.scenarios, got, tc.want)
		}
	}
}
