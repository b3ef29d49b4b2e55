package demo_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/headroom-sre/headroom/demo"
)

// FuzzMoneyQuery checks that money answers any query with a valuation or
// a 400, never a panic or a 500.
func FuzzMoneyQuery(f *testing.F) {
	for _, q := range []string{"", "portfolio=42&positions=8&currency=JPY&lines=true", "positions=0", "portfolio=-1",
		"currency=eur", "lines=2", "positions=100001", "portfolio=18446744073709551615", "%zz"} {
		f.Add(q)
	}
	cfg := demo.DefaultConfig()
	cfg.Money.MinServiceTime = 0
	money := demo.NewSystem(cfg).Money()
	f.Fuzz(func(t *testing.T, query string) {
		req := httptest.NewRequest(http.MethodGet, "/value", nil)
		req.URL.RawQuery = query
		w := httptest.NewRecorder()
		money.ServeHTTP(w, req)
		if w.Code != http.StatusOK && w.Code != http.StatusBadRequest {
			t.Errorf("GET /value?%s = %d %s; want 200 or 400", query, w.Code, w.Body)
		}
	})
}

func FuzzParseIODist(f *testing.F) {
	for _, s := range []string{"fixed", "uniform", "exponential", "", "Fixed"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		d, err := demo.ParseIODist(name)
		if err == nil && d.String() != name {
			t.Errorf("ParseIODist(%q) = %v; want a distribution named %q", name, d, name)
		}
	})
}

// BenchmarkMoneyRequest measures one valuation of DefaultPositions through
// money's handler, without the minimum service time: the CPU a request
// costs, HTTP server aside.
func BenchmarkMoneyRequest(b *testing.B) {
	cfg := demo.DefaultConfig()
	cfg.Money.MinServiceTime = 0
	money := demo.NewSystem(cfg).Money()
	for b.Loop() {
		w := httptest.NewRecorder()
		money.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/value?portfolio=42", nil))
		if w.Code != http.StatusOK {
			b.Fatalf("status %d", w.Code)
		}
	}
}
