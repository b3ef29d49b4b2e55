package demo_test

import (
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/headroom-sre/headroom/demo"
)

func TestAppCallsMoneyAtTheConfiguredShare(t *testing.T) {
	const n = 40
	tests := []struct {
		name  string
		share float64
		want  int // ⌊n × share⌋, exactly
	}{
		{"no request calls money at share 0", 0, 0},
		{"a quarter of the requests call money", 0.25, 10},
		{"the default mix calls money 0.6 times per request", demo.DefaultMoneyShare, 24},
		{"a third, which has no exact binary fraction", 1.0 / 3, 13},
		{"every request calls money at share 1", 1, 40},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := fastConfig()
			cfg.App.MoneyShare = tt.share
			sys := start(t, cfg)
			pages := map[string]int{}
			for range n {
				r := get(t, sys.appURL+"/")
				if r.code != http.StatusOK {
					t.Fatalf("GET / = %d %s; want 200", r.code, r.body)
				}
				pages[decode[struct {
					Page string `json:"page"`
				}](t, r).Page]++
			}
			calls, _ := sample(scrape(t, sys.moneyURL), "http_requests_total", map[string]string{"route": "/value", "code": "200"}) // no series: none
			if int(calls) != tt.want || pages["portfolio"] != tt.want || pages["home"] != n-tt.want {
				t.Errorf("%d requests at share %v: %v money calls, pages %v; want %d calls and portfolio pages", n, tt.share, calls, pages, tt.want)
			}
			served := metricValue(t, scrape(t, sys.appURL), "http_requests_total", map[string]string{"route": "/", "code": "200"})
			if served != n {
				t.Errorf("app's http_requests_total{route=/,code=200} = %v; want %d", served, n)
			}
		})
	}
}

func TestAppPortfolioShowsMoneysValuation(t *testing.T) {
	sys := start(t, fastConfig())
	want := decode[valuation](t, get(t, sys.moneyURL+"/value?portfolio=42"))
	r := get(t, sys.appURL+"/api/portfolio?portfolio=42")
	if r.code != http.StatusOK {
		t.Fatalf("GET /api/portfolio = %d %s; want 200", r.code, r.body)
	}
	got := decode[valuation](t, r)
	if got.Portfolio != 42 || got.Total != want.Total || got.Currency != "EUR" || got.Positions != want.Positions {
		t.Errorf("GET /api/portfolio?portfolio=42 = %+v; want portfolio 42 worth %s EUR in %d positions", got, want.Total, want.Positions)
	}
	if r := get(t, sys.appURL+"/api/portfolio?portfolio=x"); r.code != http.StatusBadRequest {
		t.Errorf("GET /api/portfolio?portfolio=x = %d; want 400", r.code)
	}
}

func TestAppHomeDoesNotCallMoney(t *testing.T) {
	sys := start(t, fastConfig())
	for range 5 {
		if r := get(t, sys.appURL+"/api/home"); r.code != http.StatusOK || !strings.Contains(r.body, `"page":"home"`) {
			t.Fatalf("GET /api/home = %d %s; want 200 and the home page", r.code, r.body)
		}
	}
	if v, ok := sample(scrape(t, sys.moneyURL), "http_requests_total", map[string]string{"route": "/value"}); ok {
		t.Errorf("money served %v requests; want none", v)
	}
}

func TestAppTransfersWhenTheBalanceCoversTheAmount(t *testing.T) {
	sys := start(t, fastConfig())
	balance := decode[valuation](t, get(t, sys.moneyURL+"/value?portfolio=42")).Total
	b, _ := new(big.Rat).SetString(balance)
	if b.Sign() <= 0 {
		t.Fatalf("portfolio 42 is worth %s; the test needs a positive balance", balance)
	}
	oneMore := new(big.Rat).Add(b, big.NewRat(1, 100)).FloatString(2)

	type answer struct {
		Accepted  bool   `json:"accepted"`
		Portfolio uint64 `json:"portfolio"`
		Amount    string `json:"amount"`
		Currency  string `json:"currency"`
		Balance   string `json:"balance"`
	}
	tests := []struct {
		name string
		body string
		want answer
	}{
		{"the whole balance is accepted", `{"portfolio": 42, "amount": "` + balance + `"}`,
			answer{true, 42, balance, "EUR", balance}},
		{"a cent more than the balance is declined", `{"portfolio": 42, "amount": "` + oneMore + `", "currency": "EUR"}`,
			answer{false, 42, oneMore, "EUR", balance}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := do(t, http.MethodPost, sys.appURL+"/api/transfer", tt.body)
			if r.code != http.StatusOK {
				t.Fatalf("POST /api/transfer %s = %d %s; want 200", tt.body, r.code, r.body)
			}
			if got := decode[answer](t, r); got != tt.want {
				t.Errorf("POST /api/transfer %s = %+v; want %+v", tt.body, got, tt.want)
			}
		})
	}

	t.Run("an empty body transfers 100 EUR from the next customer", func(t *testing.T) {
		r := do(t, http.MethodPost, sys.appURL+"/api/transfer", "")
		got := decode[answer](t, r)
		if r.code != http.StatusOK || got.Amount != "100" || got.Currency != "EUR" || got.Portfolio == 0 {
			t.Errorf("POST /api/transfer = %d %+v; want 200 and 100 EUR from some customer", r.code, got)
		}
	})
	t.Run("a yen transfer has a balance in whole yen", func(t *testing.T) {
		r := do(t, http.MethodPost, sys.appURL+"/api/transfer", `{"portfolio": 42, "amount": "1500", "currency": "JPY"}`)
		got := decode[answer](t, r)
		if r.code != http.StatusOK || strings.Contains(got.Balance, ".") || got.Currency != "JPY" {
			t.Errorf("POST /api/transfer in JPY = %d %+v; want 200 and a balance without decimals", r.code, got)
		}
	})
}

func TestAppRejectsBadTransfers(t *testing.T) {
	tests := []struct {
		name   string
		body   string
		errSub string
	}{
		{"an amount that is not a number", `{"amount": "lots"}`, "decimal"},
		{"a negative amount", `{"amount": "-5.00"}`, "positive"},
		{"a zero amount", `{"amount": "0"}`, "positive"},
		{"fractions of a cent", `{"amount": "1.001"}`, "at most 2 decimals"},
		{"fractions of a yen", `{"amount": "1.5", "currency": "JPY"}`, "at most 0 decimals"},
		{"an unknown currency", `{"currency": "XBT"}`, "currency"},
		{"a body that is not JSON", `amount=5`, "want JSON"},
		{"an amount given as a number", `{"amount": 5}`, "want JSON"},
		{"a body too large", `{"amount": "` + strings.Repeat("1", 5000) + `"}`, "larger than"},
	}
	sys := start(t, fastConfig())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := do(t, http.MethodPost, sys.appURL+"/api/transfer", tt.body)
			if r.code != http.StatusBadRequest || !strings.Contains(r.body, tt.errSub) {
				t.Errorf("POST /api/transfer %.40s = %d %s; want 400 and an error about %q", tt.body, r.code, r.body, tt.errSub)
			}
		})
	}
	if r := get(t, sys.appURL+"/api/transfer"); r.code != http.StatusMethodNotAllowed || r.header.Get("Allow") != "POST" {
		t.Errorf("GET /api/transfer = %d, Allow %q; want 405, Allow POST", r.code, r.header.Get("Allow"))
	}
}

func TestAppMapsMoneyFailures(t *testing.T) {
	tests := []struct {
		name       string
		money      http.HandlerFunc
		code       int
		retryAfter bool
		errSub     string
	}{
		{"an overloaded money is a 503 to retry later", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusServiceUnavailable)
		}, http.StatusServiceUnavailable, true, "overloaded"},
		{"a throttling money is a 503 to retry later", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusTooManyRequests)
		}, http.StatusServiceUnavailable, true, "overloaded"},
		{"a failing money is a bad gateway", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusInternalServerError)
		}, http.StatusBadGateway, false, "500"},
		{"a money answering nonsense is a bad gateway", func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte("<html>"))
		}, http.StatusBadGateway, false, "decode"},
		{"a money slower than the timeout is a gateway timeout", func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		}, http.StatusGatewayTimeout, false, "timed out"},
		{"an unreachable money is a bad gateway", nil, http.StatusBadGateway, false, "money"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var money *httptest.Server
			if tt.money != nil {
				money = httptest.NewServer(tt.money)
				defer money.Close()
			} else {
				money = httptest.NewServer(http.NotFoundHandler())
				money.Close() // nothing listens at its address any more
			}
			cfg := fastConfig()
			cfg.App.MoneyURL = money.URL
			cfg.App.MoneyTimeout = 100 * time.Millisecond
			sys := demo.NewSystem(cfg)
			defer sys.Close()
			app := httptest.NewServer(sys.App())
			defer app.Close()

			r := get(t, app.URL+"/api/portfolio")
			if r.code != tt.code || !strings.Contains(r.body, tt.errSub) {
				t.Errorf("GET /api/portfolio = %d %s; want %d and an error about %q", r.code, r.body, tt.code, tt.errSub)
			}
			if got := r.header.Get("Retry-After") != ""; got != tt.retryAfter {
				t.Errorf("Retry-After %q; want one: %v", r.header.Get("Retry-After"), tt.retryAfter)
			}
		})
	}
}

func TestAppPassesOnMoneysOverload(t *testing.T) {
	cfg := fastConfig()
	cfg.Money.Pool = demo.Pool{Workers: 1, Queue: 0}
	cfg.Money.MinServiceTime = 1500 * time.Millisecond // time enough to see it busy
	cfg.App.MoneyTimeout = 5 * time.Second
	sys := start(t, cfg)

	first := make(chan response)
	go func() { first <- get(t, sys.appURL+"/api/portfolio") }()
	waitFor(t, "money to be busy", func() bool {
		return metricValue(t, scrape(t, sys.moneyURL), "http_requests_in_flight", nil) == 1
	})
	r := get(t, sys.appURL+"/api/portfolio")
	if r.code != http.StatusServiceUnavailable || r.header.Get("Retry-After") == "" || !strings.Contains(r.body, "money") {
		t.Errorf("GET /api/portfolio while money is full = %d %s, Retry-After %q; want 503 from money with Retry-After",
			r.code, r.body, r.header.Get("Retry-After"))
	}
	if r := <-first; r.code != http.StatusOK {
		t.Errorf("the first GET /api/portfolio = %d; want 200", r.code)
	}
}

func TestAppIsReadyOnceItKnowsMoney(t *testing.T) {
	sys := demo.NewSystem(fastConfig())
	defer sys.Close()
	money := httptest.NewServer(sys.Money())
	defer money.Close()
	app := httptest.NewServer(sys.App())
	defer app.Close()

	for _, url := range []string{money.URL + "/healthz", money.URL + "/readyz", app.URL + "/healthz", app.URL + "/api/home"} {
		if r := get(t, url); r.code != http.StatusOK {
			t.Errorf("GET %s = %d; want 200", url, r.code)
		}
	}
	if r := get(t, app.URL+"/readyz"); r.code != http.StatusServiceUnavailable {
		t.Errorf("app's GET /readyz before SetMoneyURL = %d; want 503", r.code)
	}
	if r := get(t, app.URL+"/api/portfolio"); r.code != http.StatusServiceUnavailable {
		t.Errorf("GET /api/portfolio before SetMoneyURL = %d; want 503", r.code)
	}
	for _, bad := range []string{"", "127.0.0.1:8081", "ftp://host/", "http://"} {
		if err := sys.SetMoneyURL(bad); err == nil {
			t.Errorf("SetMoneyURL(%q) = nil; want an error", bad)
		}
	}
	if err := sys.SetMoneyURL(money.URL); err != nil {
		t.Fatal(err)
	}
	if r := get(t, app.URL+"/readyz"); r.code != http.StatusOK {
		t.Errorf("app's GET /readyz after SetMoneyURL = %d; want 200", r.code)
	}
	if r := get(t, app.URL+"/api/portfolio"); r.code != http.StatusOK {
		t.Errorf("GET /api/portfolio after SetMoneyURL = %d; want 200", r.code)
	}
}

func TestAppWaitsForIO(t *testing.T) {
	const mean = 30 * time.Millisecond
	cfg := fastConfig()
	cfg.App.IOWait = mean
	sys := start(t, cfg)
	for _, r := range offer(t, sys.appURL+"/api/home", 10, 0) {
		if r.resp.code != http.StatusOK || r.resp.took < mean {
			t.Errorf("GET /api/home = %d after %v; want 200 after at least the fixed I/O wait, %v", r.resp.code, r.resp.took, mean)
		}
	}
}
