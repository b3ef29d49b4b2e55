package demo

import (
	"fmt"
	"iter"
	"math/big"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"
)

// currency is an ISO 4217 currency: its code, the digits of its minor unit
// (cents: 2, yen: 0, fils: 3) and its value in US dollars, quoted to six
// decimals.
type currency struct {
	code  string
	minor int
	usd   decimal
}

// currencies are what positions are held in and valued in. The USD quotes
// are fixed: the demo is about arithmetic and load, not markets.
var currencies = []currency{
	{"EUR", 2, decimal{1_085_000, 6}},
	{"USD", 2, decimal{1_000_000, 6}},
	{"GBP", 2, decimal{1_270_000, 6}},
	{"CHF", 2, decimal{1_130_000, 6}},
	{"JPY", 0, decimal{6_700, 6}},
	{"KWD", 3, decimal{3_250_000, 6}},
}

// DefaultCurrency is the currency valuations are in unless a request says.
const DefaultCurrency = "EUR"

func currencyByCode(code string) (int, bool) {
	for i, c := range currencies {
		if c.code == code {
			return i, true
		}
	}
	return 0, false
}

// fxScale is the digits of a cross rate: FX rates are quoted to 8 decimals.
const fxScale = 8

// crossRates[from][to] is the price of one unit of from in units of to:
// usd(from) / usd(to), rounded half-even to fxScale digits, computed once.
var crossRates = func() [][]decimal {
	var n, d, z, r big.Int
	rates := make([][]decimal, len(currencies))
	for i, from := range currencies {
		rates[i] = make([]decimal, len(currencies))
		for j, to := range currencies {
			// Both quotes have the same scale, so it cancels.
			n.Mul(n.SetInt64(from.usd.units), pow10(fxScale))
			d.SetInt64(to.usd.units)
			rates[i][j] = decimal{quoHalfEven(&z, &n, &d, &r).Int64(), fxScale}
		}
	}
	return rates
}()

// position is one holding of a portfolio.
type position struct {
	currency int     // index into currencies
	quantity decimal // units held, scale 4; negative when short
	price    decimal // per unit in the position's currency, scale 4
}

// positionScale is the scale of quantities and prices.
const positionScale = 4

// portfolioPositions yields the first n positions of portfolio id. They
// are a pure function of id: the same id always holds the same positions,
// and a larger n extends the list without changing its start. Positions
// are generated as they are valued, so a large portfolio costs CPU, not
// memory.
func portfolioPositions(id uint64, n int) iter.Seq[position] {
	return func(yield func(position) bool) {
		rng := splitmix(id ^ 0x6d6f6e6579) // "money"
		for range n {
			var p position
			p.currency = int(rng.next() % uint64(len(currencies)))
			p.quantity = decimal{int64(rng.next()%10_000_000) + 1, positionScale} // 0.0001 … 1000
			if rng.next()%10 == 0 {
				p.quantity.units = -p.quantity.units // one in ten is short
			}
			p.price = decimal{int64(rng.next()%10_000_000) + 1, positionScale}
			if !yield(p) {
				return
			}
		}
	}
}

// splitmix is SplitMix64, a tiny generator whose output is fixed forever
// (unlike math/rand's, which may change between Go releases): valuations
// must stay the same for the same portfolio.
type splitmix uint64

func (s *splitmix) next() uint64 {
	*s += 0x9e3779b97f4a7c15
	z := uint64(*s)
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// valuer values positions in one currency. It reuses its big.Int scratch
// space, so a valuation allocates almost nothing; it is not safe for
// concurrent use.
type valuer struct {
	base                    int // index into currencies
	prod, factor, quo, rest big.Int
}

// value returns quantity × price × FX rate in the base currency, rounded
// half-even to the base currency's minor unit once, at the end: the
// product is exact at scale 4+4+8.
func (v *valuer) value(p position) (decimal, error) {
	rate := crossRates[p.currency][v.base]
	minor := currencies[v.base].minor
	v.prod.SetInt64(p.quantity.units)
	v.prod.Mul(&v.prod, v.factor.SetInt64(p.price.units))
	v.prod.Mul(&v.prod, v.factor.SetInt64(rate.units))
	shift := p.quantity.scale + p.price.scale + rate.scale - minor
	quoHalfEven(&v.quo, &v.prod, pow10(shift), &v.rest)
	if !v.quo.IsInt64() {
		return decimal{}, errOverflow
	}
	return decimal{v.quo.Int64(), minor}, nil
}

// valuation is money's answer (JSON). Amounts are strings, exact to the
// minor unit of their currency.
type valuation struct {
	Portfolio uint64          `json:"portfolio"`
	Currency  string          `json:"currency"`
	Positions int             `json:"positions"`
	Total     string          `json:"total"`
	Lines     []valuationLine `json:"lines,omitempty"`
}

// valuationLine is one position of a valuation, when lines are asked for.
type valuationLine struct {
	Currency string `json:"currency"`
	Quantity string `json:"quantity"`
	Price    string `json:"price"`
	FX       string `json:"fx"`
	Value    string `json:"value"`
}

// value values positions in the base currency: each line is rounded to
// the minor unit and the total is the sum of the lines, as on a statement.
func value(positions iter.Seq[position], base int, lines bool) (total decimal, detail []valuationLine, err error) {
	v := valuer{base: base}
	total = decimal{0, currencies[base].minor}
	for p := range positions {
		d, err := v.value(p)
		if err != nil {
			return decimal{}, nil, err
		}
		sum := total.units + d.units
		if (sum > total.units) != (d.units > 0) {
			return decimal{}, nil, errOverflow
		}
		total.units = sum
		if lines {
			detail = append(detail, valuationLine{
				Currency: currencies[p.currency].code,
				Quantity: p.quantity.String(),
				Price:    p.price.String(),
				FX:       crossRates[p.currency][base].String(),
				Value:    d.String(),
			})
		}
	}
	return total, detail, nil
}

// money is the valuation service's request handling.
type money struct {
	cfg MoneyConfig
	seq atomic.Uint64 // picks a portfolio when a request names none
}

// serveValue answers GET /value?portfolio=ID&positions=N&currency=EUR&lines=true.
// Every parameter is optional.
func (m *money) serveValue(r *http.Request) reply {
	start := time.Now()
	q := r.URL.Query()
	id := m.seq.Add(1)
	positions := max(m.cfg.Positions, 1)
	base, _ := currencyByCode(DefaultCurrency)
	lines := false
	var err error
	if s := q.Get("portfolio"); s != "" {
		if id, err = strconv.ParseUint(s, 10, 64); err != nil {
			return errorReply(http.StatusBadRequest, fmt.Errorf("portfolio %q: want a non-negative integer", s))
		}
	}
	if s := q.Get("positions"); s != "" {
		if positions, err = strconv.Atoi(s); err != nil || positions < 1 || positions > MaxPositions {
			return errorReply(http.StatusBadRequest, fmt.Errorf("positions %q: want 1 to %d", s, MaxPositions))
		}
	}
	if s := q.Get("currency"); s != "" {
		var ok bool
		if base, ok = currencyByCode(s); !ok {
			return errorReply(http.StatusBadRequest, fmt.Errorf("currency %q: want one of EUR, USD, GBP, CHF, JPY, KWD", s))
		}
	}
	if s := q.Get("lines"); s != "" {
		if lines, err = strconv.ParseBool(s); err != nil {
			return errorReply(http.StatusBadRequest, fmt.Errorf("lines %q: want true or false", s))
		}
	}
	total, detail, err := value(portfolioPositions(id, positions), base, lines)
	if err != nil {
		return errorReply(http.StatusInternalServerError, fmt.Errorf("portfolio %d: %w", id, err))
	}
	// The CPU work is done; sleep out the rest of the service time so
	// that the capacity is known by construction.
	if err := sleep(r.Context(), m.cfg.MinServiceTime-time.Since(start)); err != nil {
		return clientClosed
	}
	return reply{code: http.StatusOK, body: valuation{
		Portfolio: id,
		Currency:  currencies[base].code,
		Positions: positions,
		Total:     total.String(),
		Lines:     detail,
	}}
}
