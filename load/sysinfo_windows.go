package load

import (
	"syscall"
	"time"
)

// cpuTime is the process's CPU time so far, kernel and user, from
// GetProcessTimes; 0 when it cannot be read.
func cpuTime() time.Duration {
	var creation, exit, kernel, user syscall.Filetime
	h, err := syscall.GetCurrentProcess()
	if err != nil {
		return 0
	}
	if err := syscall.GetProcessTimes(h, &creation, &exit, &kernel, &user); err != nil {
		return 0
	}
	return filetimeSpan(kernel) + filetimeSpan(user)
}

// filetimeSpan reads a FILETIME that holds a span (as GetProcessTimes'
// kernel and user times do), in units of 100ns, not an instant.
func filetimeSpan(ft syscall.Filetime) time.Duration {
	return time.Duration(int64(ft.HighDateTime)<<32|int64(ft.LowDateTime)) * 100
}

// fileLimit is 0 (unknown): Windows has no per-process open-file limit
// like RLIMIT_NOFILE.
func fileLimit() int64 { return 0 }
