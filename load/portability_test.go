package load

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/headroom-sre/headroom/stats"
)

// The lean HTTP/1.1 client writes and reads through raw system calls on
// Linux and through the net.Conn itself elsewhere. Both paths must answer
// the same, keep the connection alive, and cope with a request larger than
// the socket's buffer. The plain path runs here on Linux too, by handing
// roundTrip a connection it did not dial.
func TestRoundTripWithAndWithoutRawIO(t *testing.T) {
	var dials atomic.Int64
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, err := io.Copy(io.Discard, r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("X-Body", strconv.FormatInt(n, 10))
		w.WriteHeader(http.StatusTeapot)
		fmt.Fprintf(w, "got %d bytes", n)
	}))
	ts.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			dials.Add(1)
		}
	}
	ts.Start()
	t.Cleanup(ts.Close)
	addr := ts.Listener.Addr().String()

	big := strings.Repeat("x", 8<<20) // more than a socket buffer holds
	requests := []struct {
		name string
		body string
		head bool
	}{
		{"a GET", "", false},
		{"a POST with a small body", "hello", false},
		{"a HEAD", "", true},
		{"a POST larger than the socket buffer", big, false},
		{"a GET after it", "", false},
	}
	for _, path := range []struct {
		name  string
		plain bool
	}{
		{"raw system calls where the system has them", false},
		{"plain net.Conn reads and writes", true},
	} {
		t.Run(path.name, func(t *testing.T) {
			before := dials.Load()
			c := &h1conn{}
			defer c.close()
			if path.plain {
				conn, err := net.Dial("tcp", addr)
				if err != nil {
					t.Fatal(err)
				}
				c.conn, c.io, c.br = conn, conn, bufio.NewReaderSize(conn, h1BufSize)
			}
			for _, rq := range requests {
				method := "POST"
				if rq.body == "" {
					method = "GET"
				}
				if rq.head {
					method = "HEAD"
				}
				req := fmt.Sprintf("%s / HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n\r\n%s", method, addr, len(rq.body), rq.body)
				code, n, err := c.roundTrip(addr, []byte(req), rq.head, time.Now().Add(10*time.Second), maxSlack)
				want := int64(len(fmt.Sprintf("got %d bytes", len(rq.body))))
				if rq.head {
					want = 0
				}
				if err != nil || code != http.StatusTeapot || n != want {
					t.Errorf("%s: roundTrip = %d, %d bytes, %v; want 418, %d bytes, no error", rq.name, code, n, err, want)
				}
			}
			if _, raw := c.io.(*rawIO); raw == path.plain {
				t.Errorf("raw system calls used = %v; want %v", raw, !path.plain)
			}
			if got := dials.Load() - before; got != 1 {
				t.Errorf("connections = %d; want 1 kept alive for all %d requests", got, len(requests))
			}
		})
	}
}

// Raw system calls are Linux's alone; elsewhere newRawIO gives none and the
// client uses the connection itself.
func TestRawIOOnlyOnLinux(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	got := newRawIO(conn) != nil
	if want := runtime.GOOS == "linux"; got != want {
		t.Errorf("newRawIO(a TCP connection) != nil is %v; want %v on this system", got, want)
	}
}

func TestClassifySystemErrors(t *testing.T) {
	opErr := func(op string, errno error) error {
		return &net.OpError{Op: op, Net: "tcp", Err: os.NewSyscallError(op, errno)}
	}
	for _, tc := range []struct {
		name      string
		err       error
		class     string
		generator bool
	}{
		{"nothing listens", opErr("dial", syscall.ECONNREFUSED), stats.ErrRefused, false},
		{"the peer reset", opErr("read", syscall.ECONNRESET), stats.ErrReset, false},
		{"the peer closed before the write", opErr("write", syscall.EPIPE), stats.ErrReset, false},
		{"the connection was aborted", opErr("read", syscall.ECONNABORTED), stats.ErrReset, false},
		{"the peer closed mid-response", fmt.Errorf("read body: %w", io.ErrUnexpectedEOF), stats.ErrReset, false},
		{"no file descriptor left", opErr("socket", syscall.EMFILE), stats.ErrOther, true},
		{"no file left in the system", opErr("socket", syscall.ENFILE), stats.ErrOther, true},
		{"no local port left", opErr("dial", syscall.EADDRNOTAVAIL), stats.ErrOther, true},
		{"no socket buffer left", opErr("write", syscall.ENOBUFS), stats.ErrOther, true},
		{"something else", errors.New("boom"), stats.ErrOther, false},
	} {
		if got := Classify(tc.err); got != tc.class {
			t.Errorf("%s: Classify(%v) = %q; want %q", tc.name, tc.err, got, tc.class)
		}
		if got := generatorFailure(tc.err); got != tc.generator {
			t.Errorf("%s: generatorFailure(%v) = %v; want %v", tc.name, tc.err, got, tc.generator)
		}
	}
}

// The process's CPU time is known on the systems headroom supports, and
// it grows with work.
func TestCPUTimeGrows(t *testing.T) {
	before := cpuTime()
	deadline := time.Now().Add(2 * time.Second)
	x := 1.0
	for cpuTime() <= before && time.Now().Before(deadline) {
		for range 100000 {
			x = x*1.0000001 + 1e-9
		}
	}
	if after := cpuTime(); after <= before {
		t.Errorf("cpuTime() = %v after 2s of work, was %v (x=%g); want it to grow", after, before, x)
	}
}
