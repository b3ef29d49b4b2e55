package cli

import (
	"strings"
	"testing"
)

func TestParseScenarioValues(t *testing.T) {
	cases := []struct {
		name    string
		in      []string
		want    map[string]string
		wantErr string
	}{
		{"nothing", nil, map[string]string{}, ""},
		{"one value for all", []string{"4"}, map[string]string{"": "4"}, ""},
		{"values by name", []string{"step=2", " tv-spike = 0.5 "}, map[string]string{"step": "2", "tv-spike": "0.5"}, ""},
		{"both", []string{"3", "step=1"}, map[string]string{"step": "1", "": "3"}, ""},
		{"no name", []string{"=1"}, nil, "no scenario named"},
		{"a name twice", []string{"step=1", "step=2"}, nil, "given twice"},
		{"two values for all", []string{"1", "2"}, nil, "twice for every scenario"},
		{"an empty value", []string{"step="}, nil, "empty value"},
		{"an empty value for all", []string{" "}, nil, "empty value"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseScenarioValues("--x", tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("parseScenarioValues(%q) error %v; want %q", tc.in, err, tc.wantErr)
				}
				return
			}
			if err != nil || len(got) != len(tc.want) {
				t.Fatalf("parseScenarioValues(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
			}
			for k, v := range tc.want {
				if got[k] != v {
					t.Errorf("parseScenarioValues(%q)[%q] = %q; want %q", tc.in, k, got[k], v)
				}
			}
		})
	}
}

func FuzzParseScenarioValues(f *testing.F) {
	for _, s := range []string{"4", "step=2", "tv-spike=0.5", "=", "step==1", "nope=1", " ", ""} {
		f.Add(s, "step=1")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		got, err := parseScenarioValues("--x", []string{a, b})
		if err != nil {
			if exitCode(err) != ExitUsage {
				t.Errorf("error %v exits %d; want a usage error", err, exitCode(err))
			}
			return
		}
		for k, v := range got {
			if strings.Contains(k, "=") || v == "" || k != strings.TrimSpace(k) {
				t.Errorf("parseScenarioValues(%q, %q) gave %q=%q", a, b, k, v)
			}
		}
	})
}
