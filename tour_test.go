//go:build unix

package headroom_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/headroom-sre/headroom/internal/testbin"
)

// tourCommand is one command of the README's tour, as a shell runs it.
type tourCommand struct {
	// Line is the command with its continuations joined and its comment
	// removed; N its first line in the block (from 1).
	Line string
	N    int
	// MayFail is true when its comment says it exits 3 when a verdict
	// fails ("# exit 3 when …"): 3 is then as expected as 0.
	MayFail bool
	// Background is true for a command the tour starts with &; Kill is
	// the job number a `kill %N` line stops (0 otherwise).
	Background bool
	Kill       int
}

var tourKill = regexp.MustCompile(`^kill %([0-9]+)$`)

// tourBlock returns the ```sh block under "## A tour" in a README.
func tourBlock(readme string) (string, error) {
	_, rest, ok := strings.Cut(readme, "\n## A tour\n")
	if !ok {
		return "", errors.New(`no "## A tour" section`)
	}
	_, rest, ok = strings.Cut(rest, "```sh\n")
	if !ok {
		return "", errors.New("no ```sh block in the tour")
	}
	block, _, ok := strings.Cut(rest, "```")
	if !ok {
		return "", errors.New("the tour's block is not closed")
	}
	return block, nil
}

// tourCommands splits a shell block into commands: continuation lines
// (ending in \) are joined, comments (a # outside quotes) removed, blank
// lines skipped.
func tourCommands(block string) ([]tourCommand, error) {
	var out []tourCommand
	var cur strings.Builder
	var comments []string
	start := 0
	for i, raw := range strings.Split(block, "\n") {
		code, comment, err := splitShellComment(raw)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", i+1, err)
		}
		if comment != "" {
			comments = append(comments, comment)
		}
		code = strings.TrimSpace(code)
		if cur.Len() == 0 {
			start = i + 1
		}
		if cur.Len() > 0 && code == "" {
			return nil, fmt.Errorf("line %d: a continuation runs into a blank line", i+1)
		}
		if cont, ok := strings.CutSuffix(code, `\`); ok {
			cur.WriteString(strings.TrimSpace(cont) + " ")
			continue
		}
		cur.WriteString(code)
		line := strings.TrimSpace(cur.String())
		cur.Reset()
		if line != "" {
			c := tourCommand{Line: line, N: start}
			for _, cm := range comments {
				c.MayFail = c.MayFail || strings.Contains(cm, "exit 3")
			}
			if bg, ok := strings.CutSuffix(line, "&"); ok && !strings.HasSuffix(line, "&&") {
				c.Line, c.Background = strings.TrimSpace(bg), true
			}
			if m := tourKill.FindStringSubmatch(line); m != nil {
				c.Kill, _ = strconv.Atoi(m[1])
			}
			out = append(out, c)
		}
		comments = nil
	}
	if cur.Len() > 0 {
		return nil, errors.New("the block ends with a continuation")
	}
	return out, nil
}

// splitShellComment splits a line at a # that starts a comment: outside
// quotes, at the start or after a blank.
func splitShellComment(line string) (code, comment string, err error) {
	var quote rune
	for i, r := range line {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			}
		case r == '\'' || r == '"':
			quote = r
		case r == '#' && (i == 0 || line[i-1] == ' ' || line[i-1] == '\t'):
			return line[:i], strings.TrimSpace(line[i+1:]), nil
		}
	}
	if quote != 0 {
		return "", "", fmt.Errorf("unclosed %c", quote)
	}
	return line, "", nil
}

func TestTourCommandsReadsTheBlockAsAShellWould(t *testing.T) {
	tests := []struct {
		name  string
		block string
		want  []tourCommand
	}{
		{"a comment alone and a blank line are skipped", "# hello\n\n./headroom version\n",
			[]tourCommand{{Line: "./headroom version", N: 3}}},
		{"continuations are joined, a trailing comment noted", "./headroom load \\\n  --url x \\\n  --out y   # exit 3 when broken\n./headroom report y\n",
			[]tourCommand{{Line: "./headroom load --url x --out y", N: 1, MayFail: true}, {Line: "./headroom report y", N: 4}}},
		{"a # inside quotes is not a comment", "./headroom load --header 'X-Tag: #1' # tag\n",
			[]tourCommand{{Line: "./headroom load --header 'X-Tag: #1'", N: 1}}},
		{"a background job and its kill", "./headroom demo serve &   # serve\nfalse && true\nkill %1\n",
			[]tourCommand{{Line: "./headroom demo serve", N: 1, Background: true}, {Line: "false && true", N: 2}, {Line: "kill %1", N: 3, Kill: 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tourCommands(tt.block)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("tourCommands(%q) = %+v; want %+v", tt.block, got, tt.want)
			}
		})
	}
	if _, err := tourCommands("./headroom load \\\n"); err == nil {
		t.Error("a block ending in a continuation was accepted")
	}
}

// tourJob is a command the tour runs in the background.
type tourJob struct {
	cmd     *exec.Cmd
	done    chan error
	stopped bool
	err     error
}

// stop interrupts the job (its process group) as Ctrl-C would, and kills
// it if it has not stopped 10 s later. It returns how the job ended: nil
// for a clean exit (status 0) on the interrupt.
func (j *tourJob) stop() error {
	if j.stopped {
		return j.err
	}
	j.stopped = true
	_ = syscall.Kill(-j.cmd.Process.Pid, syscall.SIGINT)
	select {
	case j.err = <-j.done:
	case <-time.After(10 * time.Second):
		_ = syscall.Kill(-j.cmd.Process.Pid, syscall.SIGKILL)
		<-j.done
		j.err = errors.New("did not stop within 10s of an interrupt")
	}
	return j.err
}

// The README's tour runs as written on a fresh checkout: in an empty
// directory holding only a freshly built ./headroom, every command exits
// 0, or 3 where its comment says a verdict may fail; `demo serve &` is
// started and stopped by its `kill %1`.
func TestTheREADMETourRuns(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	block, err := tourBlock(string(readme))
	if err != nil {
		t.Fatalf("README.md: %v", err)
	}
	cmds, err := tourCommands(block)
	if err != nil {
		t.Fatalf("README.md's tour: %v", err)
	}
	// Files are written to the demo's directory (or a scratch one), never
	// into the source tree; every background job is stopped.
	background, killed := 0, map[int]bool{}
	for _, c := range cmds {
		f := strings.Fields(c.Line)
		for i := 0; i+1 < len(f); i++ {
			if f[i] != "--out" {
				continue
			}
			if p := f[i+1]; p != "-" && !strings.HasPrefix(p, "headroom-demo/") && !strings.HasPrefix(p, "/tmp/") {
				t.Errorf("tour line %d writes %s: outside headroom-demo/ or /tmp/", c.N, p)
			}
		}
		if c.Background {
			background++
		}
		if c.Kill > 0 {
			killed[c.Kill] = true
		}
	}
	for n := 1; n <= background; n++ {
		if !killed[n] {
			t.Errorf("the tour starts job %%%d and never stops it", n)
		}
	}
	if testing.Short() {
		t.Skip("runs the README's tour: the demo, a load test and a capacity search, a few minutes")
	}
	testbin.Require(t, "promtool", "apt-get install -y prometheus")
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("go: %v", err)
	}
	for _, port := range []string{"8080", "8081"} {
		if ln, err := net.Listen("tcp", "127.0.0.1:"+port); err != nil {
			t.Fatalf("the tour serves the demo on 127.0.0.1:%s, which is taken: %v", port, err)
		} else {
			ln.Close()
		}
	}
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 12*time.Minute)
	defer cancel()
	if b, err := exec.CommandContext(ctx, goBin, "build", "-o", filepath.Join(dir, "headroom"), "./cmd/headroom").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}

	var jobs []*tourJob
	defer func() {
		for _, j := range jobs {
			_ = j.stop()
		}
	}()
	for _, c := range cmds {
		switch {
		case strings.HasPrefix(c.Line, "go build "):
			continue // built above, from this checkout
		case c.Kill > 0:
			if c.Kill > len(jobs) {
				t.Fatalf("tour line %d: %s, but only %d jobs run", c.N, c.Line, len(jobs))
			}
			if err := jobs[c.Kill-1].stop(); err != nil {
				t.Errorf("tour line %d: %s: the job ended with %v; want a clean stop", c.N, c.Line, err)
			}
			continue
		case c.Background:
			j, err := startTourJob(ctx, dir, c.Line)
			if err != nil {
				t.Fatalf("tour line %d: %s: %v", c.N, c.Line, err)
			}
			jobs = append(jobs, j)
			continue
		}
		cmd := exec.CommandContext(ctx, "bash", "-e", "-c", c.Line)
		cmd.Dir = dir
		b, err := cmd.CombinedOutput()
		code := cmd.ProcessState.ExitCode()
		if err != nil && code < 0 {
			t.Fatalf("tour line %d: %s: %v", c.N, c.Line, err)
		}
		if code != 0 && !(code == 3 && c.MayFail) {
			t.Errorf("tour line %d: %s: exit %d; want 0%s\n%s", c.N, c.Line, code, map[bool]string{true: " or 3", false: ""}[c.MayFail], tail(b, 2000))
		}
	}
}

// startTourJob starts a background command of the tour in its own process
// group and waits (at most 30 s) for its first line of output: a server
// says where it listens once it does.
func startTourJob(ctx context.Context, dir, line string) (*tourJob, error) {
	cmd := exec.CommandContext(ctx, "bash", "-c", "exec "+line)
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Stderr = io.Discard
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	j := &tourJob{cmd: cmd, done: make(chan error, 1)}
	ready := make(chan struct{})
	go func() {
		lines := bufio.NewScanner(out)
		once := false
		for lines.Scan() {
			if !once {
				once = true
				close(ready)
			}
		}
		if !once {
			close(ready)
		}
		j.done <- cmd.Wait()
	}()
	select {
	case <-ready:
		return j, nil
	case <-time.After(30 * time.Second):
		_ = j.stop()
		return nil, errors.New("printed nothing within 30s")
	}
}

// tail is the last n bytes of b.
func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}
