//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly || windows)

package load

import "time"

// cpuTime is 0: this system gives the process's CPU time no portable way.
// The generator's CPU then reads as zero in the results.
func cpuTime() time.Duration { return 0 }

// fileLimit is 0 (unknown).
func fileLimit() int64 { return 0 }
