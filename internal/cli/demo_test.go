package cli_test

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/headroom-sre/headroom/internal/cli"
)

// syncBuffer is a bytes.Buffer safe to write from the command's goroutine
// while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var servedURL = regexp.MustCompile(`^(money|app)\s+(http://\S+)`)

func TestDemoServeServesUntilCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out, w := io.Pipe()
	var stderr syncBuffer
	exit := make(chan int, 1)
	go func() {
		code := cli.Run(ctx, []string{"demo", "serve",
			"--money-addr", "127.0.0.1:0", "--app-addr", "127.0.0.1:0",
			"--money-service-time", "1ms", "--io-wait", "1ms", "--positions", "50",
		}, cli.Stdio{In: strings.NewReader(""), Out: w, Err: &stderr})
		w.Close()
		exit <- code
	}()

	// Read the printed URLs, then keep draining stdout.
	urls := map[string]string{}
	lines := bufio.NewScanner(out)
	for len(urls) < 2 && lines.Scan() {
		if m := servedURL.FindStringSubmatch(lines.Text()); m != nil {
			urls[m[1]] = m[2]
		}
	}
	var rest strings.Builder
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		for lines.Scan() {
			rest.WriteString(lines.Text() + "\n")
		}
	}()
	if len(urls) < 2 {
		t.Fatalf("demo serve printed no URLs for money and app: %v (stderr %q)", urls, stderr.String())
	}

	client := &http.Client{Timeout: 10 * time.Second}
	for _, url := range []string{urls["app"] + "/healthz", urls["app"] + "/readyz", urls["money"] + "/healthz", urls["app"] + "/api/portfolio"} {
		resp, err := client.Get(url)
		if err != nil {
			t.Fatalf("GET %s: %v", url, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s = %d; want 200", url, resp.StatusCode)
		}
	}

	cancel()
	select {
	case code := <-exit:
		if code != cli.ExitOK {
			t.Errorf("demo serve exited %d after cancel; want 0 (stderr %q)", code, stderr.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("demo serve did not stop within 15 s of cancel")
	}
	<-drained
	if !strings.Contains(rest.String(), "stopped") {
		t.Errorf("stdout after the URLs = %q; want it to say it stopped", rest.String())
	}
	if _, err := client.Get(urls["app"] + "/healthz"); err == nil {
		t.Errorf("app still answers after demo serve returned")
	}
}

func TestDemoServeRejectsBadFlags(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		code   int
		errSub string
	}{
		{"a share above one", []string{"--money-share", "2"}, cli.ExitUsage, "money share 2"},
		{"an unknown distribution", []string{"--io-dist", "normal"}, cli.ExitUsage, `--io-dist: unknown I/O wait distribution "normal"`},
		{"a stall period without a pause", []string{"--stall-every", "1s"}, cli.ExitUsage, "--stall-every and --stall-for go together"},
		{"a pause longer than its period", []string{"--stall-every", "1s", "--stall-for", "2s"}, cli.ExitUsage, "shorter than the period"},
		{"an unknown component to stall", []string{"--stall-on", "db", "--stall-every", "1s", "--stall-for", "1ms"}, cli.ExitUsage, `--stall-on "db"`},
		{"negative workers", []string{"--money-workers", "-2"}, cli.ExitUsage, "money: workers -2"},
		{"two problems on one line", []string{"--money-workers", "-2", "--app-queue", "-1"}, cli.ExitUsage, "money: workers -2: must not be negative; app: queue -1"},
		{"an address without a port", []string{"--app-addr", "localhost"}, cli.ExitUsage, `--app-addr "localhost"`},
		{"an argument", []string{"now"}, cli.ExitUsage, "unknown command"},
		{"a duration that is not one", []string{"--io-wait", "soon"}, cli.ExitUsage, "io-wait"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			args := append([]string{"demo", "serve", "--money-addr", "127.0.0.1:0", "--app-addr", "127.0.0.1:0"}, tt.args...)
			code := cli.Run(context.Background(), args, cli.Stdio{In: strings.NewReader(""), Out: &stdout, Err: &stderr})
			if code != tt.code || !strings.Contains(stderr.String(), tt.errSub) {
				t.Errorf("headroom %s = exit %d, stderr %q; want exit %d and an error about %q",
					strings.Join(args, " "), code, stderr.String(), tt.code, tt.errSub)
			}
			if !strings.Contains(stderr.String(), "hint:") && tt.errSub != "unknown command" {
				t.Errorf("stderr %q; want a hint", stderr.String())
			}
		})
	}
}

func TestDemoServeReportsATakenPort(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	var stdout, stderr bytes.Buffer
	code := cli.Run(context.Background(), []string{"demo", "serve", "--money-addr", "127.0.0.1:0", "--app-addr", taken.Addr().String()},
		cli.Stdio{In: strings.NewReader(""), Out: &stdout, Err: &stderr})
	if code != cli.ExitError || !strings.Contains(stderr.String(), "app:") || !strings.Contains(stderr.String(), "--app-addr") {
		t.Errorf("demo serve on a taken port = exit %d, stderr %q; want exit 1, naming app and --app-addr", code, stderr.String())
	}
}

// serveDemo runs `headroom demo serve` with args until the test ends or
// stop is called, and returns the URLs it printed and its stderr.
func serveDemo(t *testing.T, args ...string) (urls map[string]string, stderr *syncBuffer, stop func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out, w := io.Pipe()
	stderr = &syncBuffer{}
	exit := make(chan int, 1)
	go func() {
		code := cli.Run(ctx, append([]string{"demo", "serve", "--money-service-time", "1ms", "--io-wait", "1ms", "--positions", "50"}, args...),
			cli.Stdio{In: strings.NewReader(""), Out: w, Err: stderr})
		w.Close()
		exit <- code
	}()
	urls = map[string]string{}
	lines := bufio.NewScanner(out)
	for len(urls) < 2 && lines.Scan() {
		if m := servedURL.FindStringSubmatch(lines.Text()); m != nil {
			urls[m[1]] = m[2]
		}
	}
	go func() {
		for lines.Scan() {
		}
	}()
	code := -1
	stopped := false
	stop = func() int {
		if stopped {
			return code
		}
		stopped = true
		cancel()
		select {
		case code = <-exit:
		case <-time.After(15 * time.Second):
			t.Error("demo serve did not stop within 15 s of cancel")
		}
		return code
	}
	t.Cleanup(func() { stop() })
	if len(urls) < 2 {
		stop()
		t.Fatalf("demo serve printed no URLs for money and app: %v (stderr %q)", urls, stderr.String())
	}
	return urls, stderr, stop
}

// adminPost POSTs to /admin/stall at base with the given Host and Origin
// ("" for none) and returns the status code.
func adminPost(t *testing.T, base, query, host, origin string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, base+"/admin/stall?"+query, nil)
	if err != nil {
		t.Fatal(err)
	}
	if host != "" {
		req.Host = host
	}
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", req.URL, err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// A web page must not be able to stall the demo: /admin/ refuses requests
// addressed to another name (DNS rebinding) or sent from another origin,
// and bounds the stall; curl-like requests to the printed URL pass.
func TestDemoServeGuardsItsAdminEndpoints(t *testing.T) {
	urls, stderr, stop := serveDemo(t, "--money-addr", "127.0.0.1:0", "--app-addr", "127.0.0.1:0")
	for _, name := range []string{"money", "app"} {
		base := urls[name]
		port := base[strings.LastIndex(base, ":"):]
		for _, tt := range []struct {
			name, query, host, origin string
			code                      int
		}{
			{"a rebound DNS name", "every=1s&for=100ms", "attacker.example" + port, "", http.StatusForbidden},
			{"a page of another origin", "every=1s&for=100ms", "", "http://attacker.example", http.StatusForbidden},
			{"a pause beyond the bound", "every=1h&for=1m", "", "", http.StatusBadRequest},
			{"curl at the printed URL", "every=1s&for=100ms", "", "", http.StatusOK},
			{"curl at localhost", "every=0", "localhost" + port, "", http.StatusOK},
		} {
			if code := adminPost(t, base, tt.query, tt.host, tt.origin); code != tt.code {
				t.Errorf("%s: %s: POST /admin/stall?%s = %d; want %d", name, tt.name, tt.query, code, tt.code)
			}
		}
	}
	if strings.Contains(stderr.String(), "warning") {
		t.Errorf("a loopback bind warned: %q", stderr.String())
	}
	if code := stop(); code != cli.ExitOK {
		t.Errorf("exit %d", code)
	}
}

// Bound beyond loopback, demo serve warns, and /admin/ still takes only
// requests addressed to the machine by an IP address.
func TestDemoServeWarnsWhenBoundBeyondLoopback(t *testing.T) {
	urls, stderr, _ := serveDemo(t, "--money-addr", "127.0.0.1:0", "--app-addr", "0.0.0.0:0")
	if !strings.Contains(stderr.String(), "warning: app listens on 0.0.0.0:") || !strings.Contains(stderr.String(), "--app-addr 127.0.0.1:PORT") {
		t.Errorf("stderr %q; want a warning about app beyond loopback and how to keep it local", stderr.String())
	}
	if strings.Contains(stderr.String(), "money listens") {
		t.Errorf("stderr %q; money listens on loopback and needs no warning", stderr.String())
	}
	port := urls["app"][strings.LastIndex(urls["app"], ":"):]
	app := "http://127.0.0.1" + port // only loopback is ever sent to
	for host, want := range map[string]int{"192.0.2.8" + port: http.StatusOK, "attacker.example" + port: http.StatusForbidden} {
		if code := adminPost(t, app, "every=0", host, ""); code != want {
			t.Errorf("POST /admin/stall with Host %s = %d; want %d", host, code, want)
		}
	}
}
