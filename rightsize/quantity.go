package rightsize

import (
	"math"
	"strconv"
	"time"

	"github.com/headroom-sre/headroom/units"
)

// FormatCPU writes cores the way Kubernetes does: "250m", "2", "1500m"
// (units.CPU, kept for callers outside rightsize).
func FormatCPU(cores float64) string { return units.CPU(cores) }

// FormatMemory writes bytes as a Kubernetes quantity for manifests, in the
// largest binary unit that keeps it whole to the MiB: "2Gi", "300Mi"; below
// 1 MiB, "512Ki". Text for people uses units.Bytes.
func FormatMemory(bytes float64) string {
	switch {
	case bytes <= 0:
		return "0"
	case bytes < MiB:
		return strconv.FormatFloat(math.Ceil(bytes/1024), 'f', 0, 64) + "Ki"
	}
	mi := math.Round(bytes / MiB)
	if math.Mod(mi, 1024) == 0 {
		return strconv.FormatFloat(mi/1024, 'f', 0, 64) + "Gi"
	}
	return strconv.FormatFloat(mi, 'f', 0, 64) + "Mi"
}

// FormatDuration writes a window exactly, in its largest whole unit: "14d",
// "36h", "90m" (a spelling that reads back, for flags and windows; text
// for people uses units.Duration).
func FormatDuration(d time.Duration) string {
	switch {
	case d >= 24*time.Hour && d%(24*time.Hour) == 0:
		return strconv.FormatInt(int64(d/(24*time.Hour)), 10) + "d"
	case d >= time.Hour && d%time.Hour == 0:
		return strconv.FormatInt(int64(d/time.Hour), 10) + "h"
	case d >= time.Minute && d%time.Minute == 0:
		return strconv.FormatInt(int64(d/time.Minute), 10) + "m"
	}
	return d.String()
}
