package demo

import (
	"errors"
	"math"
	"slices"
	"testing"
)

func mustCurrency(t *testing.T, code string) int {
	t.Helper()
	i, ok := currencyByCode(code)
	if !ok {
		t.Fatalf("no currency %s", code)
	}
	return i
}

// The expected rates are the USD quotes divided by hand (to 60 digits)
// and rounded half-even to 8 decimals.
func TestCrossRates(t *testing.T) {
	tests := []struct {
		from, to string
		want     string
	}{
		{"EUR", "EUR", "1.00000000"},
		{"USD", "EUR", "0.92165899"}, // 0.921658986175…
		{"GBP", "EUR", "1.17050691"}, // 1.170506912442…
		{"JPY", "EUR", "0.00617512"}, // 0.006175115207…
		{"EUR", "JPY", "161.94029851"},
		{"KWD", "JPY", "485.07462687"},
		{"JPY", "KWD", "0.00206154"},
		{"CHF", "GBP", "0.88976378"},
	}
	for _, tt := range tests {
		t.Run(tt.from+" in "+tt.to, func(t *testing.T) {
			got := crossRates[mustCurrency(t, tt.from)][mustCurrency(t, tt.to)].String()
			if got != tt.want {
				t.Errorf("rate %s→%s = %s; want %s", tt.from, tt.to, got, tt.want)
			}
		})
	}
}

func pos(t *testing.T, cur, quantity, price string) position {
	t.Helper()
	q, err := parseDecimal(quantity)
	if err != nil {
		t.Fatal(err)
	}
	p, err := parseDecimal(price)
	if err != nil {
		t.Fatal(err)
	}
	return position{currency: mustCurrency(t, cur), quantity: q, price: p}
}

// The expected values are computed by hand: quantity × price × rate, then
// rounded half to even at the minor unit of the valuation currency.
func TestValueOfOnePosition(t *testing.T) {
	tests := []struct {
		name            string
		cur, qty, price string
		base            string
		want            string
	}{
		{"a plain product", "EUR", "2.0000", "10.5000", "EUR", "21.00"},
		{"half a cent rounds to the even zero", "EUR", "1.0000", "0.0050", "EUR", "0.00"},
		{"one and a half cents round up to two", "EUR", "1.0000", "0.0150", "EUR", "0.02"},
		{"two and a half cents round down to two", "EUR", "1.0000", "0.0250", "EUR", "0.02"},
		{"just above half a cent rounds up", "EUR", "1.0000", "0.0051", "EUR", "0.01"},
		{"a short position's tie goes to the even zero", "EUR", "-1.0000", "0.0050", "EUR", "0.00"},
		{"a short position's tie goes to minus two cents", "EUR", "-1.0000", "0.0150", "EUR", "-0.02"},
		{"a short position's other tie also goes to minus two cents", "EUR", "-1.0000", "0.0250", "EUR", "-0.02"},
		{"yen have no minor unit: 2.5 rounds to 2", "JPY", "1.0000", "2.5000", "JPY", "2"},
		{"yen have no minor unit: 3.5 rounds to 4", "JPY", "1.0000", "3.5000", "JPY", "4"},
		{"dinars have three decimals: a tie to the even zero", "KWD", "1.0000", "0.0005", "KWD", "0.000"},
		{"dinars have three decimals: a tie up to the even two", "KWD", "1.0000", "0.0015", "KWD", "0.002"},
		// 12.5 × 101.25 × 0.92165899 = 1166.47465921875
		{"dollars in euros", "USD", "12.5000", "101.2500", "EUR", "1166.47"},
		// 500000 × 0.92165899 = 460829.495: a tie after conversion, to the even .50
		{"a tie after conversion rounds to the even cent above", "USD", "1.0000", "500000.0000", "EUR", "460829.50"},
		// 3 × 500000 × 0.92165899 = 1382488.485: to the even .48
		{"a tie after conversion rounds to the even cent below", "USD", "3.0000", "500000.0000", "EUR", "1382488.48"},
		{"a short tie after conversion", "USD", "-1.0000", "500000.0000", "EUR", "-460829.50"},
		// -3.3333 × 999.9999 × 161.94029851 = -539795.5430438232976617
		{"euros in yen, short", "EUR", "-3.3333", "999.9999", "JPY", "-539796"},
		// 1000 × 1000 × 0.39076923 = 390769.23
		{"pounds in dinars", "GBP", "1000.0000", "1000.0000", "KWD", "390769.230"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := valuer{base: mustCurrency(t, tt.base)}
			got, err := v.value(pos(t, tt.cur, tt.qty, tt.price))
			if err != nil {
				t.Fatal(err)
			}
			if got.String() != tt.want {
				t.Errorf("value(%s × %s %s in %s) = %s; want %s", tt.qty, tt.price, tt.cur, tt.base, got, tt.want)
			}
		})
	}
}

func TestValueOfAPortfolio(t *testing.T) {
	t.Run("the total is the sum of the rounded lines", func(t *testing.T) {
		// Each line is half a cent and rounds to 0.00; rounding the
		// exact sum (0.015) instead would give 0.02.
		p := pos(t, "EUR", "1.0000", "0.0050")
		total, lines, err := value(slices.Values([]position{p, p, p}), mustCurrency(t, "EUR"), true)
		if err != nil {
			t.Fatal(err)
		}
		if total.String() != "0.00" {
			t.Errorf("total = %s; want 0.00", total)
		}
		if len(lines) != 3 || lines[0].Value != "0.00" || lines[0].FX != "1.00000000" || lines[0].Quantity != "1.0000" {
			t.Errorf("lines = %+v; want three lines of 1.0000 × 0.0050 at 1.00000000 = 0.00", lines)
		}
	})
	t.Run("currencies mix", func(t *testing.T) {
		ps := []position{
			pos(t, "USD", "12.5000", "101.2500"),   // 1166.47
			pos(t, "EUR", "2.0000", "10.5000"),     // 21.00
			pos(t, "GBP", "-1.0000", "100.0000"),   // -117.050691 → -117.05
			pos(t, "JPY", "100.0000", "1234.0000"), // 123400 × 0.00617512 = 762.009808 → 762.01
		}
		total, lines, err := value(slices.Values(ps), mustCurrency(t, "EUR"), false)
		if err != nil {
			t.Fatal(err)
		}
		if want := "1832.43"; total.String() != want {
			t.Errorf("total = %s; want %s", total, want)
		}
		if lines != nil {
			t.Errorf("lines = %v; want none when not asked for", lines)
		}
	})
	t.Run("an overflowing product is an error, not a wrong number", func(t *testing.T) {
		huge := position{currency: mustCurrency(t, "EUR"), quantity: decimal{math.MaxInt64, 0}, price: decimal{math.MaxInt64, 0}}
		if _, _, err := value(slices.Values([]position{huge}), mustCurrency(t, "EUR"), false); !errors.Is(err, errOverflow) {
			t.Errorf("value(MaxInt64 × MaxInt64) error = %v; want errOverflow", err)
		}
	})
	t.Run("an overflowing total is an error, not a wrong number", func(t *testing.T) {
		half := position{currency: mustCurrency(t, "EUR"), quantity: decimal{math.MaxInt64/2 + 1, 2}, price: decimal{1, 0}}
		if _, _, err := value(slices.Values([]position{half, half}), mustCurrency(t, "EUR"), false); !errors.Is(err, errOverflow) {
			t.Errorf("value(2 × (MaxInt64/2+1) cents) error = %v; want errOverflow", err)
		}
	})
}

func TestPortfolioPositions(t *testing.T) {
	a, b := slices.Collect(portfolioPositions(7, 50)), slices.Collect(portfolioPositions(7, 80))
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("position %d of portfolio 7 = %+v with 50 positions, %+v with 80; want the same", i, a[i], b[i])
		}
	}
	if len(a) != 50 || len(b) != 80 {
		t.Fatalf("got %d and %d positions; want 50 and 80", len(a), len(b))
	}
	c := slices.Collect(portfolioPositions(8, 50))
	same := 0
	for i := range a {
		if a[i] == c[i] {
			same++
		}
	}
	if same == len(a) {
		t.Errorf("portfolios 7 and 8 hold the same positions; want different ones")
	}
	short := 0
	for p := range portfolioPositions(1, 10_000) {
		if p.quantity.units < 0 {
			short++
		}
		if p.quantity.units == 0 || p.price.units <= 0 || p.price.units > 10_000_000 {
			t.Fatalf("position %+v out of range", p)
		}
	}
	if short < 800 || short > 1200 {
		t.Errorf("%d of 10000 positions are short; want about one in ten", short)
	}
}

// BenchmarkValuation measures money's CPU work per position, generating
// the positions included; DefaultPositions is sized from it.
func BenchmarkValuation(b *testing.B) {
	for b.Loop() {
		if _, _, err := value(portfolioPositions(42, DefaultPositions), 0, false); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*DefaultPositions), "ns/position")
}
