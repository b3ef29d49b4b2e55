package load_test

import (
	"context"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/headroom-sre/headroom/load"
	"github.com/headroom-sre/headroom/stats"
)

func TestOutOfFilesIsTheGeneratorsFailure(t *testing.T) {
	// Leave this process a few spare file descriptors: the client runs out
	// of them (and so may the loopback server, which shares them). What the
	// client could not send is the generator's failure, not a target error.
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd:", err)
	}
	ts := hangServer(t)
	var old syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &old); err != nil {
		t.Skip(err)
	}
	low := old
	low.Cur = uint64(len(fds) + 24)
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &low); err != nil {
		t.Skip(err)
	}
	restored := false
	restore := func() {
		if !restored {
			restored = true
			if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &old); err != nil {
				t.Error(err)
			}
		}
	}
	t.Cleanup(restore)
	run, err := load.Run(context.Background(), load.Config{
		Targets: []load.Target{{URL: ts.URL}},
		Shape:   constant(t, 200, 500*time.Millisecond),
		Timeout: 300 * time.Millisecond,
	})
	restore()
	if err != nil {
		t.Fatal(err)
	}
	s := run.Summary()
	if s.DroppedGenerator == 0 {
		t.Fatalf("dropped by the generator = 0 (errors %v); want the arrivals that found no file descriptor", s.Errors)
	}
	if s.Errors[stats.ErrOther] != 0 {
		t.Errorf("errors = %v; want no target error for the generator's own failure", s.Errors)
	}
	if !hasWarning(s.Generator.Warnings, "generator's failure") || !hasWarning(s.Generator.Warnings, "open files") {
		t.Errorf("warnings = %q; want the generator named as the one that failed", s.Generator.Warnings)
	}
	if run.Header.Generator.FileLimit != int64(low.Cur) {
		t.Errorf("file limit = %d; want %d recorded", run.Header.Generator.FileLimit, low.Cur)
	}
	accounted(t, &s)
}
