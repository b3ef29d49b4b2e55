package rightsize

import (
	"math"
	"strconv"
	"time"
)

// FormatCPU writes cores the way Kubernetes does: "250m", "2", "1500m".
func FormatCPU(cores float64) string {
	m := math.Round(cores * 1000)
	if m != 0 && math.Mod(m, 1000) == 0 {
		return strconv.FormatFloat(m/1000, 'f', 0, 64)
	}
	return strconv.FormatFloat(m, 'f', 0, 64) + "m"
}

// FormatMemory writes bytes the way Kubernetes does, in the largest binary
// unit that keeps it whole to the MiB: "2Gi", "300Mi"; below 1 MiB, "512Ki".
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

// FormatDuration writes a window compactly: "14d", "36h", "90m".
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
