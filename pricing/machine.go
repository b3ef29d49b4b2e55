package pricing

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// Machine is a Compute Engine machine type: what a VM of it is billed for.
type Machine struct {
	Name   string // e.g. "e2-standard-4"
	Family string // e2, n1, n2, n2d, c2, c2d, c3, c3d, c4, n4 or t2d
	// Shape is the type's shape with any suffix: standard, highcpu,
	// highmem, standard-lssd, highcpu-metal, …, shared-core or custom.
	Shape string
	VCPU  float64 // billed vCPUs (a fraction for shared-core e2 types)
	// MemoryGiB is the memory in GiB (2^30 bytes).
	MemoryGiB float64
	// LocalSSDGB is the Local SSD bundled with the -lssd types of c3, c3d
	// and c4, in GB as SourceMachineTypes gives it (375 a disk); 0 for none.
	LocalSSDGB float64
}

// SourceMachineTypes is where the predefined machine types come from.
const SourceMachineTypes = "Cyclenerd google-cloud-pricing-cost-calculator pricing.yml at fd66b26 (generated " +
	"2026-07-30): compute.instance lists each type with its cpu, ram and local-ssd"

// size is one predefined machine type of a family and shape.
type size struct {
	vcpu  int
	gib   float64 // memory in GiB
	ssdGB float64 // bundled Local SSD in GB
}

// machineTypes are the predefined machine types of each family by shape
// (the part of the name after the family, less the vCPU count: c3's
// c3-standard-8-lssd is shape standard-lssd, size 8), as
// [SourceMachineTypes] lists them. Memory per vCPU is not always even:
// c4-standard-2 has 7 GiB, c3d-highcpu-30 has 59 and n2-highmem-128 has 864.
var machineTypes = map[string]map[string][]size{
	"e2": {
		"highcpu":  {{2, 2, 0}, {4, 4, 0}, {8, 8, 0}, {16, 16, 0}, {32, 32, 0}},
		"highmem":  {{2, 16, 0}, {4, 32, 0}, {8, 64, 0}, {16, 128, 0}},
		"standard": {{2, 8, 0}, {4, 16, 0}, {8, 32, 0}, {16, 64, 0}, {32, 128, 0}},
	},
	"n1": {
		"highcpu":  {{2, 1.8, 0}, {4, 3.6, 0}, {8, 7.2, 0}, {16, 14.4, 0}, {32, 28.8, 0}, {64, 57.6, 0}, {96, 86.4, 0}},
		"highmem":  {{2, 13, 0}, {4, 26, 0}, {8, 52, 0}, {16, 104, 0}, {32, 208, 0}, {64, 416, 0}, {96, 624, 0}},
		"standard": {{1, 3.75, 0}, {2, 7.5, 0}, {4, 15, 0}, {8, 30, 0}, {16, 60, 0}, {32, 120, 0}, {64, 240, 0}, {96, 360, 0}},
	},
	"n2": {
		"highcpu":  {{2, 2, 0}, {4, 4, 0}, {8, 8, 0}, {16, 16, 0}, {32, 32, 0}, {48, 48, 0}, {64, 64, 0}, {80, 80, 0}, {96, 96, 0}},
		"highmem":  {{2, 16, 0}, {4, 32, 0}, {8, 64, 0}, {16, 128, 0}, {32, 256, 0}, {48, 384, 0}, {64, 512, 0}, {80, 640, 0}, {96, 768, 0}, {128, 864, 0}},
		"standard": {{2, 8, 0}, {4, 16, 0}, {8, 32, 0}, {16, 64, 0}, {32, 128, 0}, {48, 192, 0}, {64, 256, 0}, {80, 320, 0}, {96, 384, 0}, {128, 512, 0}},
	},
	"n2d": {
		"highcpu":  {{2, 2, 0}, {4, 4, 0}, {8, 8, 0}, {16, 16, 0}, {32, 32, 0}, {48, 48, 0}, {64, 64, 0}, {80, 80, 0}, {96, 96, 0}, {128, 128, 0}, {224, 224, 0}},
		"highmem":  {{2, 16, 0}, {4, 32, 0}, {8, 64, 0}, {16, 128, 0}, {32, 256, 0}, {48, 384, 0}, {64, 512, 0}, {80, 640, 0}, {96, 768, 0}},
		"standard": {{2, 8, 0}, {4, 16, 0}, {8, 32, 0}, {16, 64, 0}, {32, 128, 0}, {48, 192, 0}, {64, 256, 0}, {80, 320, 0}, {96, 384, 0}, {128, 512, 0}, {224, 896, 0}},
	},
	"c2": {
		"standard": {{4, 16, 0}, {8, 32, 0}, {16, 64, 0}, {30, 120, 0}, {60, 240, 0}},
	},
	"c2d": {
		"highcpu":  {{2, 4, 0}, {4, 8, 0}, {8, 16, 0}, {16, 32, 0}, {32, 64, 0}, {56, 112, 0}, {112, 224, 0}},
		"highmem":  {{2, 16, 0}, {4, 32, 0}, {8, 64, 0}, {16, 128, 0}, {32, 256, 0}, {56, 448, 0}, {112, 896, 0}},
		"standard": {{2, 8, 0}, {4, 16, 0}, {8, 32, 0}, {16, 64, 0}, {32, 128, 0}, {56, 224, 0}, {112, 448, 0}},
	},
	"c3": {
		"highcpu":        {{4, 8, 0}, {8, 16, 0}, {22, 44, 0}, {44, 88, 0}, {88, 176, 0}, {176, 352, 0}},
		"highmem":        {{4, 32, 0}, {8, 64, 0}, {22, 176, 0}, {44, 352, 0}, {88, 704, 0}, {176, 1408, 0}},
		"standard":       {{4, 16, 0}, {8, 32, 0}, {22, 88, 0}, {44, 176, 0}, {88, 352, 0}, {176, 704, 0}},
		"highcpu-metal":  {{192, 512, 0}},
		"highmem-metal":  {{192, 1536, 0}},
		"standard-lssd":  {{4, 16, 375}, {8, 32, 750}, {22, 88, 1500}, {44, 176, 3000}, {88, 352, 6000}, {176, 704, 12000}},
		"standard-metal": {{192, 768, 0}},
	},
	"c3d": {
		"highcpu":       {{4, 8, 0}, {8, 16, 0}, {16, 32, 0}, {30, 59, 0}, {60, 118, 0}, {90, 177, 0}, {180, 354, 0}, {360, 708, 0}},
		"highmem":       {{4, 32, 0}, {8, 64, 0}, {16, 128, 0}, {30, 240, 0}, {60, 480, 0}, {90, 720, 0}, {180, 1440, 0}, {360, 2880, 0}},
		"standard":      {{4, 16, 0}, {8, 32, 0}, {16, 64, 0}, {30, 120, 0}, {60, 240, 0}, {90, 360, 0}, {180, 720, 0}, {360, 1440, 0}},
		"highmem-lssd":  {{8, 64, 375}, {16, 128, 375}, {30, 240, 750}, {60, 480, 1500}, {90, 720, 3000}, {180, 1440, 6000}, {360, 2880, 12000}},
		"standard-lssd": {{8, 32, 375}, {16, 64, 375}, {30, 120, 750}, {60, 240, 1500}, {90, 360, 3000}, {180, 720, 6000}, {360, 1440, 12000}},
	},
	"c4": {
		"highcpu":             {{2, 4, 0}, {4, 8, 0}, {8, 16, 0}, {16, 32, 0}, {24, 48, 0}, {32, 64, 0}, {48, 96, 0}, {96, 192, 0}, {144, 288, 0}, {192, 384, 0}, {288, 576, 0}},
		"highmem":             {{2, 15, 0}, {4, 31, 0}, {8, 62, 0}, {16, 124, 0}, {24, 186, 0}, {32, 248, 0}, {48, 372, 0}, {96, 744, 0}, {144, 1116, 0}, {192, 1488, 0}, {288, 2232, 0}},
		"standard":            {{2, 7, 0}, {4, 15, 0}, {8, 30, 0}, {16, 60, 0}, {24, 90, 0}, {32, 120, 0}, {48, 180, 0}, {96, 360, 0}, {144, 540, 0}, {192, 720, 0}, {288, 1080, 0}},
		"highcpu-metal":       {{288, 576, 0}},
		"highmem-lssd":        {{4, 31, 375}, {8, 62, 375}, {16, 124, 750}, {24, 186, 1500}, {32, 248, 1875}, {48, 372, 3000}, {96, 744, 6000}, {144, 1116, 9000}, {192, 1488, 12000}, {288, 2232, 18000}},
		"highmem-metal":       {{288, 2232, 0}},
		"standard-lssd":       {{4, 15, 375}, {8, 30, 375}, {16, 60, 750}, {24, 90, 1500}, {32, 120, 1875}, {48, 180, 3000}, {96, 360, 6000}, {144, 540, 9000}, {192, 720, 12000}, {288, 1080, 18000}},
		"standard-metal":      {{288, 1080, 0}},
		"highmem-lssd-metal":  {{288, 2232, 18000}},
		"standard-lssd-metal": {{288, 1080, 18000}},
	},
	"n4": {
		"highcpu":  {{2, 4, 0}, {4, 8, 0}, {8, 16, 0}, {16, 32, 0}, {32, 64, 0}, {48, 96, 0}, {64, 128, 0}, {80, 160, 0}},
		"highmem":  {{2, 16, 0}, {4, 32, 0}, {8, 64, 0}, {16, 128, 0}, {32, 256, 0}, {48, 384, 0}, {64, 512, 0}, {80, 640, 0}},
		"standard": {{2, 8, 0}, {4, 16, 0}, {8, 32, 0}, {16, 64, 0}, {32, 128, 0}, {48, 192, 0}, {64, 256, 0}, {80, 320, 0}},
	},
	"t2d": {
		"standard": {{1, 4, 0}, {2, 8, 0}, {4, 16, 0}, {8, 32, 0}, {16, 64, 0}, {32, 128, 0}, {48, 192, 0}, {60, 240, 0}},
	},
}

// sharedCore are the e2 shared-core types, billed as a fraction of a vCPU.
var sharedCore = map[string]Machine{
	"e2-micro":  {Name: "e2-micro", Family: "e2", Shape: "shared-core", VCPU: 0.25, MemoryGiB: 1},
	"e2-small":  {Name: "e2-small", Family: "e2", Shape: "shared-core", VCPU: 0.5, MemoryGiB: 2},
	"e2-medium": {Name: "e2-medium", Family: "e2", Shape: "shared-core", VCPU: 1, MemoryGiB: 4},
}

// customFamilies are the families with custom machine types.
var customFamilies = []string{"e2", "n1", "n2", "n2d", "n4"}

// MachineFamilies returns the families ParseMachineType knows, sorted.
func MachineFamilies() []string { return slices.Sorted(maps.Keys(machineTypes)) }

// MachineTypes returns the predefined machine types of family (none for a
// family ParseMachineType does not know), by shape and then vCPUs. The
// shared-core e2 types come first.
func MachineTypes(family string) []Machine {
	var out []Machine
	for _, name := range slices.Sorted(maps.Keys(sharedCore)) {
		if m := sharedCore[name]; m.Family == family {
			out = append(out, m)
		}
	}
	shapes := machineTypes[family]
	for _, shape := range slices.Sorted(maps.Keys(shapes)) {
		for _, s := range shapes[shape] {
			out = append(out, predefined(family, shape, s))
		}
	}
	return out
}

func predefined(family, shape string, s size) Machine {
	return Machine{Name: typeName(family, shape, strconv.Itoa(s.vcpu)), Family: family, Shape: shape,
		VCPU: float64(s.vcpu), MemoryGiB: s.gib, LocalSSDGB: s.ssdGB}
}

// typeName puts a machine type's name together: FAMILY-SHAPE-VCPUS, and
// the shape's suffix after the vCPUs (c3-standard-8-lssd).
func typeName(family, shape, vcpus string) string {
	base, suffix, _ := strings.Cut(shape, "-")
	name := family + "-" + base + "-" + vcpus
	if suffix != "" {
		name += "-" + suffix
	}
	return name
}

// ParseMachineType reads a Compute Engine machine type name of the
// families in [MachineFamilies], with the vCPUs, memory and Local SSD
// that [SourceMachineTypes] lists for it:
//
//	e2-standard-4         FAMILY-SHAPE-VCPUS: n1-standard has 3.75 GiB per vCPU,
//	n1-highcpu-16         n1-highcpu 0.9, c3-highcpu 2, c4-standard 3.75, n4-highmem 8
//	c3-standard-8-lssd    FAMILY-SHAPE-VCPUS-SUFFIX: -lssd bundles Local SSD, -metal is bare metal
//	e2-medium             the shared-core e2 types: micro, small, medium
//	n2-custom-6-20480     FAMILY-custom-VCPUS-MEMORY_MIB (optionally -ext), for e2, n1, n2, n2d, n4
//	custom-2-4096         an n1 custom type (also written n1-custom-2-4096)
//	e2-custom-medium-6144 the shared-core e2 custom types: micro, small, medium
//
// It rejects families, shapes and sizes it does not know, naming the ones
// it does. Custom types are priced at their family's predefined rates,
// which is a little low: Compute Engine bills them at their own SKUs.
func ParseMachineType(name string) (Machine, error) {
	if m, ok := sharedCore[name]; ok {
		return m, nil
	}
	parts := strings.Split(name, "-")
	if parts[0] == "custom" { // n1 custom types carry no family
		return parseCustom(name, "n1", parts[1:])
	}
	if len(parts) < 3 {
		return Machine{}, fmt.Errorf("machine type %q: want FAMILY-SHAPE-VCPUS like e2-standard-4", name)
	}
	fam, shape := parts[0], parts[1]
	shapes, ok := machineTypes[fam]
	if !ok {
		return Machine{}, fmt.Errorf("machine type %q: family %q is not in the catalog (it knows %s)",
			name, fam, strings.Join(MachineFamilies(), ", "))
	}
	if shape == "custom" {
		if !slices.Contains(customFamilies, fam) {
			return Machine{}, fmt.Errorf("machine type %q: %s has no custom types (it offers %s)", name, fam, offered(fam))
		}
		return parseCustom(name, fam, parts[2:])
	}
	if strings.Trim(parts[2], "0123456789") != "" || parts[2] == "" {
		return Machine{}, fmt.Errorf("machine type %q: want FAMILY-SHAPE-VCPUS like e2-standard-4, a suffix after the vCPUs (c3-standard-8-lssd)", name)
	}
	if len(parts) > 3 {
		shape += "-" + strings.Join(parts[3:], "-")
	}
	sizes, ok := shapes[shape]
	if !ok {
		return Machine{}, fmt.Errorf("machine type %q: unknown shape %q (%s offers %s)", name, shape, fam, offered(fam))
	}
	n, err := strconv.Atoi(parts[2])
	i := slices.IndexFunc(sizes, func(s size) bool { return s.vcpu == n })
	if err != nil || i < 0 || strconv.Itoa(n) != parts[2] {
		vcpus := make([]string, len(sizes))
		for i, s := range sizes {
			vcpus[i] = strconv.Itoa(s.vcpu)
		}
		return Machine{}, fmt.Errorf("machine type %q: %s comes with N = %s vCPUs",
			name, typeName(fam, shape, "N"), strings.Join(vcpus, ", "))
	}
	m := predefined(fam, shape, sizes[i])
	m.Name = name
	return m, nil
}

// offered lists the shapes of a family for an error message.
func offered(fam string) string {
	s := slices.Sorted(maps.Keys(machineTypes[fam]))
	if fam == "e2" {
		s = append(s, "shared-core (e2-micro, e2-small, e2-medium)")
	}
	if slices.Contains(customFamilies, fam) {
		s = append(s, "custom")
	}
	return strings.Join(s, ", ")
}

// largest is the most vCPUs of a predefined type of family: custom types
// get no more.
func largest(fam string) int {
	n := 0
	for _, sizes := range machineTypes[fam] {
		for _, s := range sizes {
			n = max(n, s.vcpu)
		}
	}
	return n
}

// customSharedCore are the vCPUs billed for the e2 shared-core custom types.
var customSharedCore = map[string]float64{"micro": 0.25, "small": 0.5, "medium": 1}

func parseCustom(name, fam string, rest []string) (Machine, error) {
	if len(rest) == 3 && rest[2] == "ext" {
		rest = rest[:2]
	}
	want := fam + "-custom-VCPUS-MEMORY_MIB"
	if fam == "n1" {
		want = "custom-VCPUS-MEMORY_MIB"
	}
	if len(rest) != 2 {
		return Machine{}, fmt.Errorf("machine type %q: want %s", name, want)
	}
	mib, err := strconv.Atoi(rest[1])
	if err != nil || mib < 256 || mib > 1<<23 {
		return Machine{}, fmt.Errorf("machine type %q: want %s with at least 256 MiB", name, want)
	}
	m := Machine{Name: name, Family: fam, Shape: "custom", MemoryGiB: float64(mib) / 1024}
	if v, ok := customSharedCore[rest[0]]; ok && fam == "e2" {
		m.VCPU = v
		return m, nil
	}
	n, err := strconv.Atoi(rest[0])
	if top := largest(fam); err != nil || n < 1 || n > top {
		return Machine{}, fmt.Errorf("machine type %q: want %s with 1 to %d vCPUs", name, want, top)
	}
	m.VCPU = float64(n)
	return m, nil
}

// FamilyOf returns the family part of a machine type name ("c3" for
// "c3-standard-8", "n1" for the n1 custom type "custom-2-4096"), for
// machine types ParseMachineType does not know.
func FamilyOf(machineType string) string {
	f, _, _ := strings.Cut(machineType, "-")
	if f == "custom" {
		return "n1"
	}
	return f
}
