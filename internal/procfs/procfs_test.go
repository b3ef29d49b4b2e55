package procfs

import (
	"os"
	"testing"
	"time"
)

func TestParseStat(t *testing.T) {
	// A command name with spaces and a parenthesis, 250 + 50 ticks.
	line := "1234 (my (weird) cmd) S 1 1234 1234 0 -1 4194560 1000 0 0 0 250 50 0 0 20 0 8 0 100 1000000 200 18446744073709551615"
	got, err := parseStat(line)
	if err != nil {
		t.Fatal(err)
	}
	if got != 3.0 {
		t.Fatalf("parseStat = %v; want 3 seconds", got)
	}
	if _, err := parseStat("garbage"); err == nil {
		t.Fatal("parseStat(garbage) succeeded")
	}
}

// The process's own CPU time grows while it burns CPU.
func TestCPUSecondsOfThisProcess(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc here")
	}
	before, err := CPUSeconds(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(300 * time.Millisecond)
	x := 0
	for time.Now().Before(deadline) {
		x++
	}
	after, err := CPUSeconds(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if after-before < 0.05 {
		t.Fatalf("CPU time grew by %.3fs over 300ms of spinning (x=%d)", after-before, x)
	}
	if _, err := CPUSeconds(1 << 30); err == nil {
		t.Fatal("CPUSeconds of a missing process succeeded")
	}
}
