//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package load

import (
	"math"
	"syscall"
	"time"
)

// cpuTime is the process's CPU time so far, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// fileLimit is the process's open-file limit (RLIMIT_NOFILE), 0 when
// unknown.
func fileLimit() int64 {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil || uint64(rl.Cur) > math.MaxInt64 {
		return 0
	}
	return int64(rl.Cur)
}
