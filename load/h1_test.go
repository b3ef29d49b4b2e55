package load

import (
	"bufio"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/headroom-sre/headroom/traffic"
)

func TestReadResponse(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		head bool
		code int
		n    int64
		keep bool
		rest string // what must remain unread: the next response
	}{
		{"a content-length body", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloNEXT", false, 200, 5, true, "NEXT"},
		{"a chunked body with trailers", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n3\r\nabc\r\n0\r\nX-Trailer: y\r\n\r\nNEXT", false, 200, 8, true, "NEXT"},
		{"connection close", "HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 2\r\n\r\nno", false, 503, 2, false, ""},
		{"a body to the end of the connection", "HTTP/1.1 200 OK\r\n\r\nall of it", false, 200, 9, false, ""},
		{"HTTP/1.0 closes by default", "HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx", false, 200, 1, false, ""},
		{"HTTP/1.0 keep-alive", "HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 1\r\n\r\nxNEXT", false, 200, 1, true, "NEXT"},
		{"a HEAD response has no body", "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nNEXT", true, 200, 0, true, "NEXT"},
		{"204 has no body", "HTTP/1.1 204 No Content\r\n\r\nNEXT", false, 204, 0, true, "NEXT"},
		{"100 continue is skipped", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\ncontent-length: 0\r\n\r\nNEXT", false, 201, 0, true, "NEXT"},
		{"bare line feeds", "HTTP/1.1 200 OK\nContent-Length: 2\n\nokNEXT", false, 200, 2, true, "NEXT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			br := bufio.NewReaderSize(strings.NewReader(tt.raw), 64)
			code, n, keep, got, err := readResponse(br, tt.head)
			if err != nil || !got {
				t.Fatalf("readResponse() error = %v, got = %v", err, got)
			}
			if code != tt.code || n != tt.n || keep != tt.keep {
				t.Errorf("readResponse() = %d, %d bytes, keep %v; want %d, %d, %v", code, n, keep, tt.code, tt.n, tt.keep)
			}
			if rest, _ := io.ReadAll(br); tt.keep && string(rest) != tt.rest {
				t.Errorf("left %q unread; want %q", rest, tt.rest)
			}
		})
	}
}

func TestReadResponseRejectsGarbage(t *testing.T) {
	tests := []struct {
		name, raw string
		want      error
		got       bool
	}{
		{"nothing at all", "", io.EOF, false},
		{"not HTTP", "SSH-2.0-OpenSSH\r\n\r\n", errProtocol, true},
		{"a bad status", "HTTP/1.1 2x0 OK\r\n\r\n", errProtocol, true},
		{"a bad length", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", errProtocol, true},
		{"a header without colon", "HTTP/1.1 200 OK\r\nbroken\r\n\r\n", errProtocol, true},
		{"a short body", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", io.EOF, true},
		{"a cut chunk", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab", io.ErrUnexpectedEOF, true},
		{"a bad chunk size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", errProtocol, true},
		{"cut in the headers", "HTTP/1.1 200 OK\r\nContent-Le", io.ErrUnexpectedEOF, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, _, got, err := readResponse(bufio.NewReader(strings.NewReader(tt.raw)), false)
			if !errors.Is(err, tt.want) || got != tt.got {
				t.Errorf("readResponse() error = %v, got = %v; want %v, %v", err, got, tt.want, tt.got)
			}
		})
	}
}

func TestRequestSerialisation(t *testing.T) {
	cfg := &Config{Version: "v1", Seed: 3}
	pt, err := prepareTarget(cfg, 0, Target{Method: "post", URL: "http://example.com:8080/a/{{seq}}?q=1#frag",
		Header: map[string][]string{"X-Id": {"{{seq}}"}, "Content-Length": {"99"}}, Body: []byte("n={{seq}}")})
	if err != nil {
		t.Fatal(err)
	}
	var scratch []byte
	got := string(pt.appendRequest(nil, &scratch, 42, 42, cfg.Seed, cfg.Version))
	want := "POST /a/42?q=1 HTTP/1.1\r\nHost: example.com:8080\r\nX-Id: 42\r\nUser-Agent: headroom/v1\r\nContent-Length: 4\r\n\r\nn=42"
	if got != want {
		t.Errorf("request =\n%q\nwant\n%q", got, want)
	}
	if pt.static != nil || pt.addr != "example.com:8080" {
		t.Errorf("static %q, addr %q; want templated, example.com:8080", pt.static, pt.addr)
	}
	st, err := prepareTarget(cfg, 0, Target{URL: "http://[::1]/"})
	if err != nil {
		t.Fatal(err)
	}
	if want := "GET / HTTP/1.1\r\nHost: [::1]\r\nUser-Agent: headroom/v1\r\n\r\n"; string(st.static) != want || st.addr != "[::1]:80" {
		t.Errorf("static request %q, addr %q; want %q, [::1]:80", st.static, st.addr, want)
	}
}

func TestTemplateRendering(t *testing.T) {
	data := &Data{Columns: []string{"id", "name"}, Rows: [][]string{{"1", "ann"}, {"2", "bob"}}}
	tm, err := compile("/u/{{csv.name}}/{{seq}}?r={{rand 5 7}}", data.Columns, 1)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for seq := int64(1); seq <= 200; seq++ {
		s := string(tm.render(nil, seq, seq, 9, data))
		name := map[bool]string{true: "ann", false: "bob"}[seq%2 == 1]
		prefix := "/u/" + name + "/"
		if !strings.HasPrefix(s, prefix) {
			t.Fatalf("render(%d) = %q; want prefix %q", seq, s, prefix)
		}
		seen[s[len(s)-1:]] = true
		if again := string(tm.render(nil, seq, seq, 9, data)); again != s {
			t.Fatalf("render(%d) is not reproducible: %q then %q", seq, s, again)
		}
	}
	if len(seen) != 3 || !seen["5"] || !seen["6"] || !seen["7"] {
		t.Errorf("rand 5 7 gave %v; want 5, 6 and 7", seen)
	}
}

// FuzzReadResponse checks that the response parser never panics and never
// reports more body than it was given.
func FuzzReadResponse(f *testing.F) {
	f.Add([]byte("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"), false)
	f.Add([]byte("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"), false)
	f.Add([]byte("HTTP/1.0 100 Continue\r\n\r\nHTTP/1.1 204 x\r\n\r\n"), true)
	f.Fuzz(func(t *testing.T, data []byte, head bool) {
		_, n, _, _, _ := readResponse(bufio.NewReaderSize(strings.NewReader(string(data)), 16), head)
		if n > int64(len(data)) || n < 0 {
			t.Fatalf("body of %d bytes from %d bytes of input", n, len(data))
		}
	})
}

// FuzzCompileTemplate checks that templates never panic, compiled or
// rendered.
func FuzzCompileTemplate(f *testing.F) {
	for _, s := range []string{"/a/{{seq}}", "{{rand 1 9}}", "{{csv.id}}", "{{", "{{rand -9223372036854775808 9223372036854775807}}", "}}{{}}"} {
		f.Add(s)
	}
	data := &Data{Columns: []string{"id"}, Rows: [][]string{{"7"}}}
	f.Fuzz(func(t *testing.T, s string) {
		tm, err := compile(s, data.Columns, 1)
		if err != nil {
			return
		}
		_ = tm.render(nil, 1, 1, 1, data)
	})
}

// BenchmarkPacing measures the pacer's own cost per arrival: walking the
// schedule, picking a target and dispatching (here every arrival is
// dropped by a cap of zero free slots, so no request is sent).
func BenchmarkPacing(b *testing.B) {
	cfg := &Config{Targets: []Target{{URL: "http://127.0.0.1:1/a", Weight: 3}, {URL: "http://127.0.0.1:1/b"}}, MaxInFlight: 1}
	e, err := newEngine(cfg)
	if err != nil {
		b.Fatal(err)
	}
	e.inflight = 1 // the cap is reached: dispatch drops
	shape, err := traffic.Constant(1e6, time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	sched := traffic.NewSchedule(shape, traffic.Uniform, 0)
	pick := newPicker(e.targets)
	batch := make([]arrival, 0, 64)
	var marks []*worker
	b.ReportAllocs()
	for b.Loop() {
		seq, due, _ := sched.Next()
		t := pick.next()
		batch = append(batch, arrival{seq: seq, tseq: seq, due: due, t: t})
		if len(batch) == cap(batch) {
			marks, _ = e.dispatch(batch, marks)
			batch = batch[:0]
		}
	}
}

// BenchmarkRenderRequest measures rendering a templated request.
func BenchmarkRenderRequest(b *testing.B) {
	cfg := &Config{Version: "v1"}
	pt, err := prepareTarget(cfg, 0, Target{Method: "POST", URL: "http://127.0.0.1:8080/items/{{seq}}?r={{rand 1 1000}}",
		Header: map[string][]string{"X-Id": {"{{seq}}"}}, Body: []byte(`{"n":{{seq}}}`)})
	if err != nil {
		b.Fatal(err)
	}
	var buf, scratch []byte
	b.ReportAllocs()
	for i := int64(1); b.Loop(); i++ {
		buf = pt.appendRequest(buf[:0], &scratch, i, i, 1, "v1")
	}
}
