package pricing_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/headroom-sre/headroom/pricing"
)

// Sizes restated from pricing.yml's compute.instance list (cpu, ram,
// local-ssd) at fd66b26, at least one type of every family.
func TestParseMachineType(t *testing.T) {
	for _, tc := range []struct {
		name           string
		in             string
		family, shape  string
		vcpu, gib, ssd float64
	}{
		{"standard has 4 GiB per vCPU", "e2-standard-4", "e2", "standard", 4, 16, 0},
		{"e2 highmem stops at 16 vCPUs", "e2-highmem-16", "e2", "highmem", 16, 128, 0},
		{"shared-core e2 is billed for a quarter vCPU", "e2-micro", "e2", "shared-core", 0.25, 1, 0},
		{"e2-medium is billed for one vCPU", "e2-medium", "e2", "shared-core", 1, 4, 0},
		{"e2 custom types parse", "e2-custom-4-10240", "e2", "custom", 4, 10, 0},
		{"e2 shared-core custom types take the shared-core vCPU", "e2-custom-medium-6144", "e2", "custom", 1, 6, 0},
		{"n1-standard has 3.75 GiB per vCPU and comes with 1 vCPU", "n1-standard-1", "n1", "standard", 1, 3.75, 0},
		{"n1-highmem has 6.5 GiB per vCPU", "n1-highmem-96", "n1", "highmem", 96, 624, 0},
		{"n1-highcpu has 0.9 GiB per vCPU", "n1-highcpu-2", "n1", "highcpu", 2, 1.8, 0},
		{"n1 custom types carry no family", "custom-2-10240-ext", "n1", "custom", 2, 10, 0},
		{"n1 custom types may name the family", "n1-custom-4-15360", "n1", "custom", 4, 15, 0},
		{"highcpu has 1 GiB per vCPU in n2", "n2-highcpu-16", "n2", "highcpu", 16, 16, 0},
		{"n2-highmem-128 has 6.75 GiB per vCPU, not 8", "n2-highmem-128", "n2", "highmem", 128, 864, 0},
		{"custom types give vCPUs and MiB", "n2-custom-6-20480", "n2", "custom", 6, 20, 0},
		{"extended-memory custom types parse", "n2-custom-2-32768-ext", "n2", "custom", 2, 32, 0},
		{"highmem has 8 GiB per vCPU in n2d", "n2d-highmem-8", "n2d", "highmem", 8, 64, 0},
		{"n2d goes up to 224 vCPUs", "n2d-standard-224", "n2d", "standard", 224, 896, 0},
		{"n2d custom types parse", "n2d-custom-224-65536", "n2d", "custom", 224, 64, 0},
		{"c2-standard has 4 GiB per vCPU and a 30-vCPU size", "c2-standard-30", "c2", "standard", 30, 120, 0},
		{"c2d-highcpu has 2 GiB per vCPU", "c2d-highcpu-112", "c2d", "highcpu", 112, 224, 0},
		{"c3-highcpu has 2 GiB per vCPU", "c3-highcpu-22", "c3", "highcpu", 22, 44, 0},
		{"c3 -lssd types bundle Local SSD", "c3-standard-88-lssd", "c3", "standard-lssd", 88, 352, 6000},
		{"c3 bare-metal types parse", "c3-highcpu-192-metal", "c3", "highcpu-metal", 192, 512, 0},
		{"c3d-highcpu-30 has 59 GiB", "c3d-highcpu-30", "c3d", "highcpu", 30, 59, 0},
		{"c3d highmem -lssd types parse", "c3d-highmem-16-lssd", "c3d", "highmem-lssd", 16, 128, 375},
		{"c4-standard has 3.75 GiB per vCPU", "c4-standard-8", "c4", "standard", 8, 30, 0},
		{"c4-standard-2 has 7 GiB", "c4-standard-2", "c4", "standard", 2, 7, 0},
		{"c4-highmem has 7.75 GiB per vCPU", "c4-highmem-4", "c4", "highmem", 4, 31, 0},
		{"c4 bare-metal -lssd types parse", "c4-highmem-288-lssd-metal", "c4", "highmem-lssd-metal", 288, 2232, 18000},
		{"n4-standard has 4 GiB per vCPU", "n4-standard-80", "n4", "standard", 80, 320, 0},
		{"n4-highcpu has 2 GiB per vCPU", "n4-highcpu-2", "n4", "highcpu", 2, 4, 0},
		{"n4-highmem has 8 GiB per vCPU", "n4-highmem-8", "n4", "highmem", 8, 64, 0},
		{"n4 custom types parse", "n4-custom-8-24576", "n4", "custom", 8, 24, 0},
		{"t2d-standard has 4 GiB per vCPU and a 60-vCPU size", "t2d-standard-60", "t2d", "standard", 60, 240, 0},
		{"t2d-standard comes with 1 vCPU", "t2d-standard-1", "t2d", "standard", 1, 4, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := pricing.ParseMachineType(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			want := pricing.Machine{Name: tc.in, Family: tc.family, Shape: tc.shape, VCPU: tc.vcpu, MemoryGiB: tc.gib, LocalSSDGB: tc.ssd}
			if m != want {
				t.Errorf("ParseMachineType(%q) = %+v; want %+v", tc.in, m, want)
			}
		})
	}
}

func TestParseMachineTypeRejects(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"e2: a size it does not offer", "e2-standard-64", "e2-standard-N comes with N = 2, 4, 8, 16, 32 vCPUs"},
		{"e2: a shape it does not offer", "e2-ultramem-4", `unknown shape "ultramem" (e2 offers highcpu, highmem, standard, shared-core (e2-micro, e2-small, e2-medium), custom)`},
		{"e2: a shared-core custom type it does not offer", "e2-custom-large-4096", "want e2-custom-VCPUS-MEMORY_MIB with 1 to 32 vCPUs"},
		{"n1: a size it does not offer", "n1-standard-48", "n1-standard-N comes with N = 1, 2, 4, 8, 16, 32, 64, 96 vCPUs"},
		{"n1: highcpu has no 1-vCPU type", "n1-highcpu-1", "n1-highcpu-N comes with N = 2, 4, 8, 16, 32, 64, 96 vCPUs"},
		{"n1: a shape it does not offer", "n1-megamem-96", `unknown shape "megamem" (n1 offers highcpu, highmem, standard, custom)`},
		{"n1: custom types have at most 96 vCPUs", "custom-128-131072", "want custom-VCPUS-MEMORY_MIB with 1 to 96 vCPUs"},
		{"n1: a custom type without memory", "custom-2", "want custom-VCPUS-MEMORY_MIB"},
		{"n2: a size it does not offer", "n2-highcpu-128", "n2-highcpu-N comes with N = 2, 4, 8, 16, 32, 48, 64, 80, 96 vCPUs"},
		{"n2: a shape it does not offer", "n2-megamem-4", `unknown shape "megamem"`},
		{"n2: custom types have at least 1 vCPU", "n2-custom-0-1024", "1 to 128 vCPUs"},
		{"n2: custom types have at least 256 MiB", "n2-custom-2-128", "at least 256 MiB"},
		{"n2: an unknown suffix", "n2-standard-4-x", `unknown shape "standard-x"`},
		{"n2: n2 has no -lssd types", "n2-standard-4-lssd", `unknown shape "standard-lssd"`},
		{"n2d: a size it does not offer", "n2d-highmem-224", "n2d-highmem-N comes with N = 2, 4, 8, 16, 32, 48, 64, 80, 96 vCPUs"},
		{"n2d: a shape it does not offer", "n2d-ultramem-8", `unknown shape "ultramem"`},
		{"c2: a size it does not offer", "c2-standard-2", "c2-standard-N comes with N = 4, 8, 16, 30, 60 vCPUs"},
		{"c2: no highcpu", "c2-highcpu-8", `unknown shape "highcpu" (c2 offers standard)`},
		{"c2: no custom types", "c2-custom-4-16384", "c2 has no custom types (it offers standard)"},
		{"c2d: a size it does not offer", "c2d-standard-64", "c2d-standard-N comes with N = 2, 4, 8, 16, 32, 56, 112 vCPUs"},
		{"c2d: a shape it does not offer", "c2d-standard-8-lssd", `unknown shape "standard-lssd"`},
		{"c3: a size it does not offer", "c3-standard-2", "c3-standard-N comes with N = 4, 8, 22, 44, 88, 176 vCPUs"},
		{"c3: the -lssd sizes", "c3-standard-192-lssd", "c3-standard-N-lssd comes with N = 4, 8, 22, 44, 88, 176 vCPUs"},
		{"c3: no highcpu -lssd types", "c3-highcpu-8-lssd", `unknown shape "highcpu-lssd"`},
		{"c3: no custom types", "c3-custom-4-8192", "c3 has no custom types"},
		{"c3d: a size it does not offer", "c3d-standard-4-lssd", "c3d-standard-N-lssd comes with N = 8, 16, 30, 60, 90, 180, 360 vCPUs"},
		{"c3d: a shape it does not offer", "c3d-megamem-8", `unknown shape "megamem"`},
		{"c4: a size it does not offer", "c4-standard-64", "c4-standard-N comes with N = 2, 4, 8, 16, 24, 32, 48, 96, 144, 192, 288 vCPUs"},
		{"c4: the suffix after the size", "c4-standard-lssd-8", "want FAMILY-SHAPE-VCPUS"},
		{"c4: a shape it does not offer", "c4-ultramem-8", `unknown shape "ultramem"`},
		{"n4: a size it does not offer", "n4-standard-96", "n4-standard-N comes with N = 2, 4, 8, 16, 32, 48, 64, 80 vCPUs"},
		{"n4: a shape it does not offer", "n4-standard-8-lssd", `unknown shape "standard-lssd"`},
		{"n4: custom types have at most 80 vCPUs", "n4-custom-96-98304", "1 to 80 vCPUs"},
		{"t2d: a size it does not offer", "t2d-standard-64", "t2d-standard-N comes with N = 1, 2, 4, 8, 16, 32, 48, 60 vCPUs"},
		{"t2d: only standard", "t2d-highcpu-8", `unknown shape "highcpu" (t2d offers standard)`},
		{"a size with a leading zero", "n2-standard-04", "n2-standard-N comes with N"},
		{"an unknown family names the known ones", "m3-ultramem-32", `family "m3" is not in the catalog (it knows c2, c2d, c3, c3d, c4, e2, n1, n2, n2d, n4, t2d)`},
		{"a name without a size", "n2", "want FAMILY-SHAPE-VCPUS"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := pricing.ParseMachineType(tc.in); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("ParseMachineType(%q) = %v; want an error containing %q", tc.in, err, tc.want)
			}
		})
	}
}

func TestFamilyOf(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"c3-standard-8", "c3"},
		{"m3-ultramem-32", "m3"},
		{"custom-2-4096", "n1"},
	} {
		if got := pricing.FamilyOf(tc.in); got != tc.want {
			t.Errorf("FamilyOf(%q) = %q; want %q", tc.in, got, tc.want)
		}
	}
}

// Every listed type parses back to itself; the counts are pricing.yml's
// (c3, c3d and c4 with their -lssd and -metal types, e2 with shared-core).
func TestMachineTypesListEveryPredefinedType(t *testing.T) {
	want := map[string]int{"e2": 17, "n1": 22, "n2": 29, "n2d": 31, "c2": 5, "c2d": 21, "c3": 27, "c3d": 38, "c4": 58, "n4": 24, "t2d": 8}
	if got := pricing.MachineFamilies(); !slices.Equal(got, []string{"c2", "c2d", "c3", "c3d", "c4", "e2", "n1", "n2", "n2d", "n4", "t2d"}) {
		t.Errorf("MachineFamilies() = %v", got)
	}
	for fam, n := range want {
		ms := pricing.MachineTypes(fam)
		if len(ms) != n {
			t.Errorf("MachineTypes(%q) has %d types; want %d", fam, len(ms), n)
		}
		for _, m := range ms {
			got, err := pricing.ParseMachineType(m.Name)
			if err != nil || got != m {
				t.Errorf("ParseMachineType(%q) = %+v, %v; want %+v", m.Name, got, err, m)
			}
			if lssd := strings.Contains(m.Name, "-lssd"); lssd != (m.LocalSSDGB > 0) {
				t.Errorf("%s: LocalSSDGB = %g; want Local SSD exactly on -lssd types", m.Name, m.LocalSSDGB)
			}
		}
	}
	if ms := pricing.MachineTypes("m3"); ms != nil {
		t.Errorf("MachineTypes(m3) = %v; want none", ms)
	}
}

func FuzzParseMachineType(f *testing.F) {
	for _, s := range []string{"e2-standard-4", "n2-custom-6-20480-ext", "e2-micro", "n2d-highmem-224", "--", "n2-custom--1-9",
		"custom-2-4096", "c4-highmem-288-lssd-metal", "e2-custom-small-2048", "c3-standard-8-lssd-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := pricing.ParseMachineType(s)
		if err != nil {
			return
		}
		prefix := m.Family + "-"
		if m.Family == "n1" && strings.HasPrefix(s, "custom-") {
			prefix = "custom-"
		}
		if m.VCPU <= 0 || m.MemoryGiB <= 0 || m.LocalSSDGB < 0 || m.Name != s || !strings.HasPrefix(s, prefix) {
			t.Errorf("ParseMachineType(%q) = %+v: want a positive size and the family as prefix", s, m)
		}
	})
}
