// Package procfs reads the CPU time of a local process from /proc, for
// measuring what a request costs in CPU when the target runs on the same
// machine as the load generator.
package procfs

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// userHZ is the unit of the times in /proc/PID/stat. It is fixed at 100 by
// the Linux ABI, whatever the kernel's internal tick rate.
const userHZ = 100

// CPUSeconds returns the user plus system CPU time consumed so far by the
// process pid (and its reaped children are not included), in seconds.
func CPUSeconds(pid int) (float64, error) {
	return cpuSecondsAt("/proc", pid)
}

func cpuSecondsAt(root string, pid int) (float64, error) {
	path := fmt.Sprintf("%s/%d/stat", root, pid)
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, fmt.Errorf("read CPU time of process %d: %w", pid, err)
	}
	return parseStat(string(b))
}

// parseStat reads utime and stime (fields 14 and 15) from a stat line. The
// command name (field 2) may contain spaces and parentheses, so fields are
// counted after its last ')'.
func parseStat(s string) (float64, error) {
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, fmt.Errorf("malformed /proc stat line")
	}
	f := strings.Fields(s[i+1:])
	// After ")" come field 3 (state) onwards: utime is field 14 → index 11.
	if len(f) < 13 {
		return 0, fmt.Errorf("malformed /proc stat line: %d fields", len(f)+2)
	}
	ut, err1 := strconv.ParseUint(f[11], 10, 64)
	st, err2 := strconv.ParseUint(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("malformed /proc stat line: utime %q stime %q", f[11], f[12])
	}
	return float64(ut+st) / userHZ, nil
}
