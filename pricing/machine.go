package pricing

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Machine is a Compute Engine machine type: what a VM of it is billed for.
type Machine struct {
	Name   string  // e.g. "e2-standard-4"
	Family string  // e2, n2, n2d
	Shape  string  // standard, highcpu, highmem, shared-core or custom
	VCPU   float64 // billed vCPUs (a fraction for shared-core e2 types)
	// MemoryGiB is the memory in GiB (2^30 bytes).
	MemoryGiB float64
}

// Predefined shapes: GiB of memory per vCPU, the same in e2, n2 and n2d.
var shapes = map[string]float64{"standard": 4, "highcpu": 1, "highmem": 8}

// vcpuSizes are the predefined vCPU counts of each family.
var vcpuSizes = map[string][]int{
	"e2":  {2, 4, 8, 16, 32},
	"n2":  {2, 4, 8, 16, 32, 48, 64, 80, 96, 128},
	"n2d": {2, 4, 8, 16, 32, 48, 64, 80, 96, 128, 224},
}

// sharedCore are the e2 shared-core types, billed as a fraction of a vCPU.
var sharedCore = map[string]Machine{
	"e2-micro":  {Name: "e2-micro", Family: "e2", Shape: "shared-core", VCPU: 0.25, MemoryGiB: 1},
	"e2-small":  {Name: "e2-small", Family: "e2", Shape: "shared-core", VCPU: 0.5, MemoryGiB: 2},
	"e2-medium": {Name: "e2-medium", Family: "e2", Shape: "shared-core", VCPU: 1, MemoryGiB: 4},
}

// ParseMachineType reads a machine type name of the e2, n2 or n2d family:
//
//	e2-standard-4       FAMILY-SHAPE-VCPUS: standard has 4 GiB per vCPU,
//	n2-highcpu-16       highcpu 1 GiB and highmem 8 GiB
//	e2-medium           the shared-core e2 types: micro, small, medium
//	n2-custom-6-20480   FAMILY-custom-VCPUS-MEMORY_MIB (optionally -ext)
//
// It rejects sizes the family does not offer.
func ParseMachineType(name string) (Machine, error) {
	if m, ok := sharedCore[name]; ok {
		return m, nil
	}
	parts := strings.Split(name, "-")
	if len(parts) < 3 {
		return Machine{}, fmt.Errorf("machine type %q: want FAMILY-SHAPE-VCPUS like e2-standard-4", name)
	}
	fam, shape := parts[0], parts[1]
	sizes, ok := vcpuSizes[fam]
	if !ok {
		return Machine{}, fmt.Errorf("machine type %q: family %q is not in the catalog (it knows e2, n2, n2d)", name, fam)
	}
	if shape == "custom" {
		return parseCustom(name, fam, parts[2:])
	}
	perVCPU, ok := shapes[shape]
	if !ok || len(parts) != 3 {
		return Machine{}, fmt.Errorf("machine type %q: unknown shape %q (want standard, highcpu, highmem or custom)", name, shape)
	}
	n, err := strconv.Atoi(parts[2])
	if err != nil || !slices.Contains(sizes, n) {
		return Machine{}, fmt.Errorf("machine type %q: %s offers %s-%s with %s vCPUs", name, fam, fam, shape, joinInts(sizes))
	}
	return Machine{Name: name, Family: fam, Shape: shape, VCPU: float64(n), MemoryGiB: float64(n) * perVCPU}, nil
}

func parseCustom(name, fam string, rest []string) (Machine, error) {
	if len(rest) == 3 && rest[2] == "ext" {
		rest = rest[:2]
	}
	if len(rest) != 2 {
		return Machine{}, fmt.Errorf("machine type %q: want %s-custom-VCPUS-MEMORY_MIB", name, fam)
	}
	n, err1 := strconv.Atoi(rest[0])
	mib, err2 := strconv.Atoi(rest[1])
	if err1 != nil || err2 != nil || n < 1 || n > 224 || mib < 256 || mib > 1<<23 {
		return Machine{}, fmt.Errorf("machine type %q: want %s-custom-VCPUS-MEMORY_MIB with 1 to 224 vCPUs and at least 256 MiB", name, fam)
	}
	return Machine{Name: name, Family: fam, Shape: "custom", VCPU: float64(n), MemoryGiB: float64(mib) / 1024}, nil
}

// FamilyOf returns the family part of a machine type name ("c3" for
// "c3-standard-8"), for machine types ParseMachineType does not know.
func FamilyOf(machineType string) string {
	f, _, _ := strings.Cut(machineType, "-")
	return f
}

func joinInts(xs []int) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, ", ")
}
