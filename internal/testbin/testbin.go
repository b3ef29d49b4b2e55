// Package testbin finds the real programs that tests run against (promtool,
// prometheus, chromium). A missing program skips the test on a developer's
// machine but fails it under CI=true, where the test command installs
// everything: a test must never pass in CI by silently not running.
package testbin

import (
	"os"
	"os/exec"
	"testing"
)

// InCI reports whether the tests run in CI (CI=true), where every real
// component must be present.
func InCI() bool {
	v := os.Getenv("CI")
	return v == "true" || v == "1"
}

// Require returns the path of the program name. When it is missing the
// test fails under CI=true and is skipped otherwise; hint says how to
// install it (for example "apt-get install -y prometheus").
func Require(t testing.TB, name, hint string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	if InCI() {
		t.Fatalf("%s is required under CI=true but was not found on PATH (%s); `make test` installs it", name, hint)
	}
	t.Skipf("%s not found on PATH (%s); skipping. `make test` installs it", name, hint)
	return ""
}
