//go:build !linux

package demo

// threadCPU cannot read a thread's CPU time on this system.
func threadCPU() (float64, bool) { return 0, false }
