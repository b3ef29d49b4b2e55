package cli

import (
	"strings"
	"testing"
)

func TestParseScenarioValues(t *testing.T) {
	names := []string{"step", "tv-spike"}
	cases := []struct {
		name    string
		in      []string
		byName  map[string]string
		def     string
		wantErr string
	}{
		{"nothing", nil, map[string]string{}, "", ""},
		{"one value for all", []string{"4"}, map[string]string{}, "4", ""},
		{"values by name", []string{"step=2", " tv-spike = 0.5 "}, map[string]string{"step": "2", "tv-spike": "0.5"}, "", ""},
		{"both", []string{"3", "step=1"}, map[string]string{"step": "1"}, "3", ""},
		{"an unknown name", []string{"nope=1"}, nil, "", `no scenario "nope"`},
		{"a name twice", []string{"step=1", "step=2"}, nil, "", "given twice"},
		{"two values for all", []string{"1", "2"}, nil, "", "twice for every scenario"},
		{"an empty value", []string{"step="}, nil, "", "empty value"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, def, err := parseScenarioValues("--x", tc.in, names)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("parseScenarioValues(%q) error %v; want %q", tc.in, err, tc.wantErr)
				}
				return
			}
			if err != nil || def != tc.def || len(got) != len(tc.byName) {
				t.Fatalf("parseScenarioValues(%q) = %v, %q, %v; want %v, %q", tc.in, got, def, err, tc.byName, tc.def)
			}
			for k, v := range tc.byName {
				if got[k] != v {
					t.Errorf("parseScenarioValues(%q)[%s] = %q; want %q", tc.in, k, got[k], v)
				}
			}
		})
	}
}

func FuzzParseScenarioValues(f *testing.F) {
	for _, s := range []string{"4", "step=2", "tv-spike=0.5", "=", "step==1", "nope=1", " ", ""} {
		f.Add(s, "step=1")
	}
	names := []string{"step", "tv-spike"}
	f.Fuzz(func(t *testing.T, a, b string) {
		got, def, err := parseScenarioValues("--x", []string{a, b}, names)
		if err != nil {
			if exitCode(err) != ExitUsage {
				t.Errorf("error %v exits %d; want a usage error", err, exitCode(err))
			}
			return
		}
		for k, v := range got {
			if (k != "step" && k != "tv-spike") || v == "" {
				t.Errorf("parseScenarioValues(%q, %q) gave %q=%q", a, b, k, v)
			}
		}
		if strings.Contains(def, "=") {
			t.Errorf("parseScenarioValues(%q, %q) default %q holds a name", a, b, def)
		}
	})
}
