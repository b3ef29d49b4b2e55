package demo

import "syscall"

// rusageThread is RUSAGE_THREAD: the calling thread's resource usage.
const rusageThread = 1

// threadCPU returns the CPU time (user + system) of the calling OS thread,
// in seconds, and whether it could be read. The caller must hold its
// thread (runtime.LockOSThread) between two readings.
func threadCPU() (float64, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		return 0, false
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9, true
}
