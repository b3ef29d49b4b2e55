package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"sync/atomic"
	"time"
)

// app is the customer API's request handling.
type app struct {
	cfg      AppConfig
	client   *http.Client
	moneyURL atomic.Pointer[url.URL]
	seq      atomic.Uint64 // request sequence: picks customers
	mix      atomic.Uint64 // customer-mix sequence: picks the money calls
	share    uint64        // MoneyShare in millionths
}

const million = 1_000_000

func newApp(cfg AppConfig) *app {
	a := &app{
		cfg:   cfg,
		share: uint64(cfg.MoneyShare*million + 0.5),
		// One shared keep-alive client for all calls to money. The
		// transport is built here, not cloned from the default one,
		// so no proxy settings are read from the environment.
		client: &http.Client{
			Timeout: cfg.MoneyTimeout,
			Transport: &http.Transport{
				MaxIdleConnsPerHost: max(cfg.Workers, 2),
				IdleConnTimeout:     90 * time.Second,
			},
		},
	}
	if u, err := parseBaseURL(cfg.MoneyURL); err == nil {
		a.moneyURL.Store(u)
	}
	return a
}

// customers is how many distinct customers (and portfolios) requests
// that name none cycle through.
const customers = 1000

func (a *app) nextCustomer() uint64 { return a.seq.Add(1)%customers + 1 }

// callsMoney reports whether the n-th customer-mix request (from 0) calls
// money: exactly ⌊(n+1)·share⌋ of the first n+1 do, so the share holds
// over any run of requests, evenly spread.
func (a *app) callsMoney(n uint64) bool {
	return (n+1)*a.share/million > n*a.share/million
}

// serveMix answers GET /, the customer mix: each request is a portfolio
// page (which calls money) or a home page, in the configured share.
func (a *app) serveMix(r *http.Request) reply {
	if a.callsMoney(a.mix.Add(1) - 1) {
		return a.servePortfolio(r)
	}
	return a.serveHome(r)
}

type homePage struct {
	Page     string `json:"page"`
	Customer uint64 `json:"customer"`
}

// serveHome answers GET /api/home: I/O wait only.
func (a *app) serveHome(r *http.Request) reply {
	if err := a.ioWait(r.Context()); err != nil {
		return clientClosed
	}
	return reply{code: http.StatusOK, body: homePage{Page: "home", Customer: a.nextCustomer()}}
}

type portfolioPage struct {
	Page      string `json:"page"`
	Portfolio uint64 `json:"portfolio"`
	Currency  string `json:"currency"`
	Positions int    `json:"positions"`
	Total     string `json:"total"`
}

// servePortfolio answers GET /api/portfolio?portfolio=ID: I/O wait, then
// the valuation from money.
func (a *app) servePortfolio(r *http.Request) reply {
	id := a.nextCustomer()
	if s := r.URL.Query().Get("portfolio"); s != "" {
		var err error
		if id, err = strconv.ParseUint(s, 10, 64); err != nil {
			return errorReply(http.StatusBadRequest, fmt.Errorf("portfolio %q: want a non-negative integer", s))
		}
	}
	if err := a.ioWait(r.Context()); err != nil {
		return clientClosed
	}
	v, fail := a.value(r.Context(), id, DefaultCurrency)
	if fail != nil {
		return *fail
	}
	return reply{code: http.StatusOK, body: portfolioPage{
		Page: "portfolio", Portfolio: v.Portfolio, Currency: v.Currency, Positions: v.Positions, Total: v.Total,
	}}
}

// transferRequest is the body of POST /api/transfer. Every field is
// optional: the amount defaults to 100 EUR from the next customer.
type transferRequest struct {
	Portfolio *uint64 `json:"portfolio"`
	Amount    string  `json:"amount"`
	Currency  string  `json:"currency"`
}

type transferAnswer struct {
	Accepted  bool   `json:"accepted"`
	Portfolio uint64 `json:"portfolio"`
	Amount    string `json:"amount"`
	Currency  string `json:"currency"`
	Balance   string `json:"balance"`
}

// maxTransferBody bounds the body of a transfer request.
const maxTransferBody = 4 << 10

// serveTransfer answers POST /api/transfer: it checks the body, waits for
// I/O, asks money for the balance and accepts the transfer when the
// balance covers the amount.
func (a *app) serveTransfer(r *http.Request) reply {
	t, err := decodeTransfer(io.LimitReader(r.Body, maxTransferBody+1))
	if err != nil {
		return errorReply(http.StatusBadRequest, err)
	}
	id := a.nextCustomer()
	if t.Portfolio != nil {
		id = *t.Portfolio
	}
	base, _ := currencyByCode(t.Currency)
	amount, err := parseDecimal(t.Amount)
	if err == nil && (amount.units <= 0 || amount.scale > currencies[base].minor) {
		err = fmt.Errorf("amount %s: want a positive amount with at most %d decimals for %s",
			t.Amount, currencies[base].minor, t.Currency)
	}
	if err != nil {
		return errorReply(http.StatusBadRequest, err)
	}
	if err := a.ioWait(r.Context()); err != nil {
		return clientClosed
	}
	v, fail := a.value(r.Context(), id, t.Currency)
	if fail != nil {
		return *fail
	}
	balance, err := parseDecimal(v.Total)
	if err != nil {
		return errorReply(http.StatusBadGateway, fmt.Errorf("money's total: %w", err))
	}
	return reply{code: http.StatusOK, body: transferAnswer{
		Accepted:  amount.cmp(balance) <= 0,
		Portfolio: id,
		Amount:    amount.String(),
		Currency:  t.Currency,
		Balance:   v.Total,
	}}
}

// decodeTransfer reads a transfer request; an empty body asks for the
// defaults.
func decodeTransfer(body io.Reader) (transferRequest, error) {
	data, err := io.ReadAll(body)
	if err != nil {
		return transferRequest{}, fmt.Errorf("read body: %w", err)
	}
	if len(data) > maxTransferBody {
		return transferRequest{}, fmt.Errorf("body larger than %d bytes", maxTransferBody)
	}
	t := transferRequest{Amount: "100", Currency: DefaultCurrency}
	if len(data) > 0 {
		if err := json.Unmarshal(data, &t); err != nil {
			return transferRequest{}, fmt.Errorf("body: %w (want JSON like {\"portfolio\": 7, \"amount\": \"250.00\", \"currency\": \"EUR\"})", err)
		}
	}
	if _, ok := currencyByCode(t.Currency); !ok {
		return transferRequest{}, fmt.Errorf("currency %q: want one of EUR, USD, GBP, CHF, JPY, KWD", t.Currency)
	}
	return t, nil
}

// ioWait sleeps for the simulated I/O of one request.
func (a *app) ioWait(ctx context.Context) error {
	return sleep(ctx, drawIOWait(a.cfg.IODist, a.cfg.IOWait))
}

// drawIOWait draws one I/O wait of distribution dist with the given mean.
func drawIOWait(dist IODist, mean time.Duration) time.Duration {
	switch dist {
	case IOUniform:
		return time.Duration(rand.Int64N(2*int64(mean) + 1))
	case IOExponential:
		return time.Duration(rand.ExpFloat64() * float64(mean))
	}
	return mean
}

// value asks money for the valuation of portfolio id. When money fails,
// it returns the reply app gives instead:
//
//	money overloaded (503, 429)        503 with Retry-After: try again later
//	money too slow (timeout)           504
//	money unreachable or wrong (other) 502
func (a *app) value(ctx context.Context, id uint64, cur string) (valuation, *reply) {
	fail := func(code int, err error) (valuation, *reply) {
		rep := errorReply(code, fmt.Errorf("money: %w", err))
		rep.retryAfter = code == http.StatusServiceUnavailable
		return valuation{}, &rep
	}
	base := a.moneyURL.Load()
	if base == nil {
		return fail(http.StatusServiceUnavailable, errors.New("no URL configured"))
	}
	u := base.JoinPath("value")
	u.RawQuery = url.Values{"portfolio": {strconv.FormatUint(id, 10)}, "currency": {cur}}.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return fail(http.StatusBadGateway, err)
	}
	resp, err := a.client.Do(req)
	if err != nil {
		var timeout interface{ Timeout() bool }
		switch {
		case ctx.Err() != nil:
			rep := clientClosed
			return valuation{}, &rep
		case errors.As(err, &timeout) && timeout.Timeout():
			return fail(http.StatusGatewayTimeout, errors.New("timed out"))
		}
		return fail(http.StatusBadGateway, err)
	}
	defer resp.Body.Close()
	// Read the whole body, so the connection is reused.
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	switch {
	case err != nil:
		return fail(http.StatusBadGateway, fmt.Errorf("read answer: %w", err))
	case resp.StatusCode == http.StatusServiceUnavailable || resp.StatusCode == http.StatusTooManyRequests:
		return fail(http.StatusServiceUnavailable, fmt.Errorf("overloaded (%s)", resp.Status))
	case resp.StatusCode != http.StatusOK:
		return fail(http.StatusBadGateway, fmt.Errorf("answered %s", resp.Status))
	}
	var v valuation
	if err := json.Unmarshal(data, &v); err != nil {
		return fail(http.StatusBadGateway, fmt.Errorf("decode answer: %w", err))
	}
	return v, nil
}
