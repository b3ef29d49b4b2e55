package headroom_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// crossTargets are the systems besides Linux that headroom must build for.
// Linux-only calls (raw socket I/O, getrusage, rlimits) live in
// build-tagged files with a portable fallback beside them.
var crossTargets = []struct{ goos, goarch string }{
	{"darwin", "amd64"},
	{"windows", "amd64"},
	{"freebsd", "amd64"},
}

func TestCommandBuildsOnOtherSystems(t *testing.T) {
	if testing.Short() {
		t.Skip("cross-builds the command; skipped with -short")
	}
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goTool); err != nil {
		t.Fatalf("go tool of this toolchain: %v", err)
	}
	dir := t.TempDir()
	for _, tc := range crossTargets {
		t.Run(tc.goos+"/"+tc.goarch, func(t *testing.T) {
			out := filepath.Join(dir, "headroom-"+tc.goos+"-"+tc.goarch)
			cmd := exec.Command(goTool, "build", "-o", out, "./cmd/headroom")
			// The same flags as a native build apart from the target, so
			// the build cache is shared with every other cross-build run.
			cmd.Env = append(os.Environ(), "GOOS="+tc.goos, "GOARCH="+tc.goarch, "CGO_ENABLED=0")
			msg, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("GOOS=%s GOARCH=%s go build ./cmd/headroom: %v\n%s", tc.goos, tc.goarch, err, strings.TrimSpace(string(msg)))
			}
			if fi, err := os.Stat(out); err != nil || fi.Size() == 0 {
				t.Fatalf("GOOS=%s GOARCH=%s go build ./cmd/headroom wrote no binary (%v)", tc.goos, tc.goarch, err)
			}
		})
	}
}
