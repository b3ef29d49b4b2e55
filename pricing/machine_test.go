package pricing_test

import (
	"strings"
	"testing"

	"github.com/headroom-sre/headroom/pricing"
)

func TestParseMachineType(t *testing.T) {
	for _, tc := range []struct {
		name      string
		in        string
		family    string
		vcpu, gib float64
	}{
		{"standard has 4 GiB per vCPU", "e2-standard-4", "e2", 4, 16},
		{"highcpu has 1 GiB per vCPU", "n2-highcpu-16", "n2", 16, 16},
		{"highmem has 8 GiB per vCPU", "n2d-highmem-8", "n2d", 8, 64},
		{"n2d goes up to 224 vCPUs", "n2d-standard-224", "n2d", 224, 896},
		{"shared-core e2 is billed for a quarter vCPU", "e2-micro", "e2", 0.25, 1},
		{"e2-medium is billed for one vCPU", "e2-medium", "e2", 1, 4},
		{"custom types give vCPUs and MiB", "n2-custom-6-20480", "n2", 6, 20},
		{"extended-memory custom types parse", "n2-custom-2-32768-ext", "n2", 2, 32},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := pricing.ParseMachineType(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if m.Family != tc.family || m.VCPU != tc.vcpu || m.MemoryGiB != tc.gib || m.Name != tc.in {
				t.Errorf("ParseMachineType(%q) = %+v; want %s with %g vCPU and %g GiB", tc.in, m, tc.family, tc.vcpu, tc.gib)
			}
		})
	}
}

func TestParseMachineTypeRejects(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"e2-standard-64", "e2 offers e2-standard with 2, 4, 8, 16, 32 vCPUs"},
		{"c3-standard-8", `family "c3" is not in the catalog`},
		{"n2-megamem-4", `unknown shape "megamem"`},
		{"n2", "want FAMILY-SHAPE-VCPUS"},
		{"n2-custom-0-1024", "1 to 224 vCPUs"},
		{"n2-standard-4-x", `unknown shape "standard"`},
	} {
		if _, err := pricing.ParseMachineType(tc.in); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseMachineType(%q) = %v; want an error containing %q", tc.in, err, tc.want)
		}
	}
	if f := pricing.FamilyOf("c3-standard-8"); f != "c3" {
		t.Errorf("FamilyOf = %q; want c3", f)
	}
}

func FuzzParseMachineType(f *testing.F) {
	for _, s := range []string{"e2-standard-4", "n2-custom-6-20480-ext", "e2-micro", "n2d-highmem-224", "--", "n2-custom--1-9"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := pricing.ParseMachineType(s)
		if err != nil {
			return
		}
		if m.VCPU <= 0 || m.MemoryGiB <= 0 || m.Name != s || !strings.HasPrefix(s, m.Family+"-") {
			t.Errorf("ParseMachineType(%q) = %+v: want a positive size and the family as prefix", s, m)
		}
	})
}
