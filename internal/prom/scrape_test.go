package prom

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestScrapeCounter(t *testing.T) {
	page := "# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.\n" +
		"# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total 12.5\n" +
		"# TYPE http_requests_total counter\nhttp_requests_total{code=\"200\"} 7\nhttp_requests_total{code=\"500\"} 3\n"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/metrics" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprint(w, page)
	}))
	defer srv.Close()
	ctx := context.Background()
	if got, err := ScrapeCounter(ctx, nil, srv.URL+"/metrics", "process_cpu_seconds_total"); err != nil || got != 12.5 {
		t.Errorf("cpu = %v, %v; want 12.5", got, err)
	}
	if got, err := ScrapeCounter(ctx, nil, srv.URL+"/metrics", "http_requests_total"); err != nil || got != 10 {
		t.Errorf("requests = %v, %v; want 10 (summed over series)", got, err)
	}
	if _, err := ScrapeCounter(ctx, nil, srv.URL+"/metrics", "missing_total"); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Errorf("missing metric: %v", err)
	}
	if _, err := ScrapeCounter(ctx, nil, srv.URL+"/nope", "x"); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("404: %v", err)
	}
}
