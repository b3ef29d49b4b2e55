package demo_test

import (
	"flag"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

type valuation struct {
	Portfolio uint64 `json:"portfolio"`
	Currency  string `json:"currency"`
	Positions int    `json:"positions"`
	Total     string `json:"total"`
	Lines     []struct {
		Currency string `json:"currency"`
		Quantity string `json:"quantity"`
		Price    string `json:"price"`
		FX       string `json:"fx"`
		Value    string `json:"value"`
	} `json:"lines"`
}

func rat(t *testing.T, s string) *big.Rat {
	t.Helper()
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		t.Fatalf("not a decimal: %q", s)
	}
	return r
}

// roundHalfEven rounds x to digits decimals the slow, obvious way, with
// rationals: an implementation independent of the package's.
func roundHalfEven(x *big.Rat, digits int) *big.Rat {
	scale := new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(digits)), nil))
	y := new(big.Rat).Mul(x, scale)
	floor := new(big.Int).Div(y.Num(), y.Denom()) // Euclidean: the floor, as Denom > 0
	frac := new(big.Rat).Sub(y, new(big.Rat).SetInt(floor))
	half := big.NewRat(1, 2)
	if c := frac.Cmp(half); c > 0 || (c == 0 && floor.Bit(0) == 1) {
		floor.Add(floor, big.NewInt(1))
	}
	return new(big.Rat).Quo(new(big.Rat).SetInt(floor), scale)
}

func TestMoneyValuesExactly(t *testing.T) {
	tests := []struct {
		name     string
		query    string
		golden   string
		decimals int
	}{
		{"a euro portfolio", "portfolio=42&positions=8&lines=true", "portfolio42-eur.golden.json", 2},
		{"a yen portfolio has no decimals", "portfolio=42&positions=8&currency=JPY&lines=true", "portfolio42-jpy.golden.json", 0},
		{"a dinar portfolio has three decimals", "portfolio=7&positions=8&currency=KWD&lines=true", "portfolio7-kwd.golden.json", 3},
	}
	sys := start(t, fastConfig())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := get(t, sys.moneyURL+"/value?"+tt.query)
			if r.code != http.StatusOK {
				t.Fatalf("GET /value?%s = %d %s; want 200", tt.query, r.code, r.body)
			}
			golden := filepath.Join("testdata", tt.golden)
			if *update {
				if err := os.WriteFile(golden, []byte(r.body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if r.body != string(want) {
				t.Errorf("GET /value?%s =\n%s\nwant (%s)\n%s", tt.query, r.body, golden, want)
			}

			// Recompute every line and the total with rationals.
			v := decode[valuation](t, r)
			if len(v.Lines) != v.Positions {
				t.Fatalf("%d lines for %d positions", len(v.Lines), v.Positions)
			}
			sum := new(big.Rat)
			for i, l := range v.Lines {
				exact := new(big.Rat).Mul(rat(t, l.Quantity), rat(t, l.Price))
				exact.Mul(exact, rat(t, l.FX))
				want := roundHalfEven(exact, tt.decimals)
				if w := want.FloatString(tt.decimals); l.Value != w {
					t.Errorf("line %d: %s × %s × %s = %s; want %s", i, l.Quantity, l.Price, l.FX, l.Value, w)
				}
				sum.Add(sum, want)
			}
			if got := rat(t, v.Total); got.Cmp(sum) != 0 {
				t.Errorf("total = %s; want the sum of the lines, %s", v.Total, sum.FloatString(tt.decimals))
			}
		})
	}
}

func TestMoneyAnswersTheSameWithoutLines(t *testing.T) {
	sys := start(t, fastConfig())
	with := decode[valuation](t, get(t, sys.moneyURL+"/value?portfolio=42&positions=300&lines=true"))
	without := decode[valuation](t, get(t, sys.moneyURL+"/?portfolio=42&positions=300"))
	if with.Total != without.Total || without.Lines != nil || without.Positions != 300 {
		t.Errorf("GET /?portfolio=42&positions=300 = total %s, %d positions, %d lines; want total %s, 300 positions, no lines",
			without.Total, without.Positions, len(without.Lines), with.Total)
	}
}

func TestMoneyRejectsBadRequests(t *testing.T) {
	tests := []struct {
		name   string
		method string
		path   string
		code   int
		errSub string
	}{
		{"no positions", http.MethodGet, "/value?positions=0", http.StatusBadRequest, "positions"},
		{"too many positions", http.MethodGet, "/value?positions=100001", http.StatusBadRequest, "positions"},
		{"positions that are not a number", http.MethodGet, "/value?positions=many", http.StatusBadRequest, "positions"},
		{"a negative portfolio", http.MethodGet, "/value?portfolio=-1", http.StatusBadRequest, "portfolio"},
		{"an unknown currency", http.MethodGet, "/value?currency=XBT", http.StatusBadRequest, "currency"},
		{"lines that are not a boolean", http.MethodGet, "/value?lines=maybe", http.StatusBadRequest, "lines"},
		{"a POST", http.MethodPost, "/value", http.StatusMethodNotAllowed, "method not allowed"},
		{"an unknown path", http.MethodGet, "/nope", http.StatusNotFound, "no route /nope"},
	}
	sys := start(t, fastConfig())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := do(t, tt.method, sys.moneyURL+tt.path, "")
			if r.code != tt.code || !strings.Contains(r.body, tt.errSub) {
				t.Errorf("%s %s = %d %s; want %d and an error about %q", tt.method, tt.path, r.code, r.body, tt.code, tt.errSub)
			}
			if tt.code == http.StatusMethodNotAllowed && r.header.Get("Allow") != "GET" {
				t.Errorf("Allow = %q; want GET", r.header.Get("Allow"))
			}
		})
	}
}
