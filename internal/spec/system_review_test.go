package spec_test

import (
	"strings"
	"testing"

	"github.com/headroom-sre/headroom/internal/spec"
	"github.com/headroom-sre/headroom/sim"
)

// reviewedSystem is a one-component System file with the given capacity
// block and extra component lines (each indented six spaces).
func reviewedSystem(capacity, extra string) string {
	return "apiVersion: headroom/v1\nkind: System\nspec:\n  entry: web\n" +
		"  components:\n    - name: web\n      capacity: " + capacity + "\n      resources: {requests: {cpu: 500m, memory: 512Mi}}\n" + extra +
		"  scenarios:\n    - {name: s, traffic: \"constant:rate=10,for=10m\", event: surprise}\n"
}

// A component's pdb is a PodDisruptionBudget's spec, as policy/v1 writes
// it: a count or a percentage, one of minAvailable and maxUnavailable.
func TestSystemPDB(t *testing.T) {
	for _, tc := range []struct {
		name, pdb string
		want      *sim.PDB
		problem   string
	}{
		{"none", "", nil, ""},
		{"maxUnavailable 1", "      pdb: {maxUnavailable: 1}\n", &sim.PDB{MaxUnavailable: sim.PodCount{Value: 1, Set: true}}, ""},
		{"minAvailable 50%", "      pdb: {minAvailable: 50%}\n", &sim.PDB{MinAvailable: sim.PodCount{Value: 50, Percent: true, Set: true}}, ""},
		{"minAvailable 0", "      pdb: {minAvailable: 0}\n", &sim.PDB{MinAvailable: sim.PodCount{Value: 0, Set: true}}, ""},
		{"both", "      pdb: {minAvailable: 1, maxUnavailable: 1}\n", nil, "spec.components[0].pdb: give one of minAvailable and maxUnavailable"},
		{"neither", "      pdb: {}\n", nil, "spec.components[0].pdb"},
		{"a percentage above 100", "      pdb: {maxUnavailable: 150%}\n", nil, "spec.components[0].pdb.maxUnavailable"},
		{"a negative count", "      pdb: {minAvailable: -1}\n", nil, "spec.components[0].pdb.minAvailable"},
		{"not a count", "      pdb: {minAvailable: half}\n", nil, "spec.components[0].pdb.minAvailable"},
		{"an unknown key", "      pdb: {selector: {app: web}}\n", nil, "spec.components[0].pdb.selector"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := spec.ParseSystem("system.yaml", []byte(reviewedSystem("{perReplicaRPS: 100}", tc.pdb)), nil)
			if tc.problem != "" {
				if err == nil || !strings.Contains(err.Error(), tc.problem) {
					t.Fatalf("ParseSystem = %v; want a problem at %q", err, tc.problem)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := f.System.Components[0].PDB
			if (got == nil) != (tc.want == nil) || (got != nil && *got != *tc.want) {
				t.Errorf("pdb %+v; want %+v", got, tc.want)
			}
		})
	}
}

// Where a capacity comes from: a profile is measured, an inline figure
// is as written, and one marked estimate: is an estimate with its
// evidence.
func TestSystemCapacitySource(t *testing.T) {
	profile := `{"target": "web", "slo": "p99<=100ms", "max_rate": 120, "limited_by": "latency", "converged": true, "points": [{"rate": 120, "achieved_rate": 120, "p50": 0.01, "p90": 0.02, "p99": 0.05, "error_ratio": 0, "ok": true}]}`
	load := func(name string) ([]byte, error) { return []byte(profile), nil }
	for _, tc := range []struct {
		name, capacity string
		source         sim.CapacitySource
		evidence       string
		problem        string
	}{
		{"a profile", "{profile: web.capacity.json}", sim.CapacityMeasured, "capacity profile web.capacity.json", ""},
		{"inline", "{perReplicaRPS: 100}", sim.CapacityWritten, "written in the System file", ""},
		{"an estimate", "{perReplicaRPS: 100, estimate: \"highest per-pod rate at which p99 held within 300ms over 14d\"}", sim.CapacityEstimated,
			"highest per-pod rate at which p99 held within 300ms over 14d", ""},
		{"an empty estimate", "{perReplicaRPS: 100, estimate: \" \"}", 0, "", "spec.components[0].capacity.estimate"},
		{"an estimate beside a profile", "{profile: web.capacity.json, estimate: history}", 0, "", "spec.components[0].capacity.estimate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := spec.ParseSystem("system.yaml", []byte(reviewedSystem(tc.capacity, "")), load)
			if tc.problem != "" {
				if err == nil || !strings.Contains(err.Error(), tc.problem) {
					t.Fatalf("ParseSystem = %v; want a problem at %q", err, tc.problem)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			c := f.System.Components[0].Capacity
			if c.Source != tc.source || c.Evidence != tc.evidence {
				t.Errorf("capacity source %s (%q); want %s (%q)", c.Source, c.Evidence, tc.source, tc.evidence)
			}
		})
	}
}

func FuzzSystemPDB(f *testing.F) {
	for _, s := range []string{"{maxUnavailable: 1}", "{minAvailable: 50%}", "{minAvailable: 0}", "{maxUnavailable: 100%}", "{minAvailable: '3'}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, pdb string) {
		if len(pdb) > 500 || strings.ContainsAny(pdb, "\n\r") {
			return
		}
		file, err := spec.ParseSystem("f.yaml", []byte(reviewedSystem("{perReplicaRPS: 100}", "      pdb: "+pdb+"\n")), nil)
		if err != nil {
			if _, ok := err.(spec.Problems); !ok {
				t.Fatalf("ParseSystem error %T is not Problems: %v", err, err)
			}
			return
		}
		if _, err := sim.Compile(file.System); err != nil {
			t.Fatalf("a decoded system does not compile: %v", err)
		}
		if p := file.System.Components[0].PDB; p != nil {
			for _, n := range []sim.PodCount{p.MinAvailable, p.MaxUnavailable} {
				if n.Value < 0 || (n.Percent && n.Value > 100) {
					t.Fatalf("pdb %q decoded to %+v", pdb, n)
				}
			}
		}
	})
}
