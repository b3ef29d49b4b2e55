package demo_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/headroom-sre/headroom/demo"
)

// adminDo sends method to url with the given Host and extra headers.
func adminDo(t *testing.T, method, url, host string, header map[string]string) response {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if host != "" {
		req.Host = host
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return response{code: resp.StatusCode, body: b.String()}
}

// /admin/ answers requests addressed to this server (loopback, or an
// address it is bound to) and not sent by a page of another origin: a web
// page in a browser can neither stall the system directly nor through a
// DNS name rebound to 127.0.0.1.
func TestAdminAnswersOnlyRequestsAddressedToThisServer(t *testing.T) {
	cfg := fastConfig()
	cfg.AdminHosts = []string{"demo.internal", "192.0.2.7"}
	sys := demo.NewSystem(cfg)
	srv := httptest.NewServer(sys.App())
	t.Cleanup(srv.Close)
	self := strings.TrimPrefix(srv.URL, "http://") // 127.0.0.1:PORT
	port := self[strings.LastIndex(self, ":"):]

	tests := []struct {
		name   string
		host   string
		header map[string]string
		code   int
	}{
		{"curl at the loopback address", self, nil, http.StatusOK},
		{"curl at localhost", "localhost" + port, nil, http.StatusOK},
		{"curl at [::1]", "[::1]" + port, nil, http.StatusOK},
		{"curl at the bound host name", "demo.internal" + port, nil, http.StatusOK},
		{"curl at the bound address", "192.0.2.7" + port, nil, http.StatusOK},
		{"a page of this very origin", self, map[string]string{"Origin": "http://" + self, "Sec-Fetch-Site": "same-origin"}, http.StatusOK},
		{"a rebound DNS name", "evil.example" + port, nil, http.StatusForbidden},
		{"another machine's address", "192.0.2.8" + port, nil, http.StatusForbidden},
		{"no Host at all", " ", nil, http.StatusForbidden},
		{"a page of another origin", self, map[string]string{"Origin": "http://evil.example"}, http.StatusForbidden},
		{"a page of another local port", self, map[string]string{"Origin": "http://127.0.0.1:1"}, http.StatusForbidden},
		{"a sandboxed page", self, map[string]string{"Origin": "null"}, http.StatusForbidden},
		{"a cross-site fetch without Origin", self, map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sys.App().SetStall(demo.Stall{})
			r := adminDo(t, http.MethodPost, srv.URL+"/admin/stall?every=2s&for=100ms", tt.host, tt.header)
			if r.code != tt.code {
				t.Fatalf("POST /admin/stall with Host %q, %v = %d %s; want %d", tt.host, tt.header, r.code, r.body, tt.code)
			}
			if on := sys.App().Stall().On(); on != (tt.code == http.StatusOK) {
				t.Errorf("stall on = %v after a %d", on, r.code)
			}
			if tt.code == http.StatusForbidden && !strings.Contains(r.body, "admin endpoints answer only") {
				t.Errorf("403 body %q; want it to say why", r.body)
			}
		})
	}
	// The API itself is not guarded: it is the thing to load.
	if r := adminDo(t, http.MethodGet, srv.URL+"/api/home", "evil.example"+port, map[string]string{"Origin": "http://evil.example"}); r.code != http.StatusOK {
		t.Errorf("GET /api/home from another origin = %d; want 200", r.code)
	}
	// An unknown admin path is refused before it is looked up.
	if r := adminDo(t, http.MethodGet, srv.URL+"/admin/other", "evil.example"+port, nil); r.code != http.StatusForbidden {
		t.Errorf("GET /admin/other with a foreign Host = %d; want 403", r.code)
	}
}

// Bound to an unspecified address, a server answers on every address of
// the machine: any IP literal may be the Host, never a name.
func TestAdminBoundToEveryAddress(t *testing.T) {
	cfg := fastConfig()
	cfg.AdminHosts = []string{"0.0.0.0"}
	sys := demo.NewSystem(cfg)
	srv := httptest.NewServer(sys.Money())
	t.Cleanup(srv.Close)
	for host, code := range map[string]int{"192.0.2.8:8081": http.StatusOK, "[2001:db8::1]:8081": http.StatusOK, "evil.example:8081": http.StatusForbidden} {
		if r := adminDo(t, http.MethodGet, srv.URL+"/admin/stall", host, nil); r.code != code {
			t.Errorf("GET /admin/stall with Host %s = %d; want %d", host, r.code, code)
		}
	}
}

// Durations given to /admin/stall are bounded.
func TestAdminStallDurationsAreBounded(t *testing.T) {
	sys := start(t, fastConfig())
	for _, tt := range []struct {
		query string
		code  int
	}{
		{"every=10m&for=5s", http.StatusOK},
		{"every=1m&for=6s", http.StatusBadRequest},
		{"every=11m&for=100ms", http.StatusBadRequest},
		{"every=8760h&for=8759h", http.StatusBadRequest},
		{"every=-1s&for=100ms", http.StatusBadRequest},
	} {
		r := do(t, http.MethodPost, sys.moneyURL+"/admin/stall?"+tt.query, "")
		if r.code != tt.code {
			t.Errorf("POST /admin/stall?%s = %d %s; want %d", tt.query, r.code, r.body, tt.code)
		}
		if tt.code == http.StatusBadRequest && tt.query != "every=-1s&for=100ms" && !strings.Contains(r.body, "at most") {
			t.Errorf("POST /admin/stall?%s: %s; want the bound named", tt.query, r.body)
		}
	}
	if got := sys.Money().Stall(); got.For > demo.MaxStallFor || got.Every > demo.MaxStallEvery {
		t.Errorf("stall %v is beyond the bounds", got)
	}
	if err := (demo.Config{Money: demo.MoneyConfig{Stall: demo.Stall{Every: time.Hour, For: time.Second}}}).Validate(); err == nil || !strings.Contains(err.Error(), "at most") {
		t.Errorf("Validate of a stall every hour = %v; want the bound", err)
	}
}
