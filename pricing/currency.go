package pricing

import (
	"fmt"
	"math"
	"strings"

	"github.com/headroom-sre/headroom/units"
)

// Currency is a display currency: amounts are computed in US dollars and
// multiplied by PerUSD for display.
type Currency struct {
	Code   string  // ISO 4217 code, e.g. "JPY"
	PerUSD float64 // units of this currency per US dollar, e.g. 150
}

// USD is the catalog's own currency.
var USD = Currency{Code: "USD", PerUSD: 1}

// NewCurrency returns the display currency code at perUSD units per US
// dollar. USD needs no rate (a rate other than 1 is refused); every other
// currency needs one, since the catalog holds no exchange rates.
func NewCurrency(code string, perUSD float64) (Currency, error) {
	code = strings.ToUpper(strings.TrimSpace(code))
	if len(code) != 3 || strings.Trim(code, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
		return Currency{}, fmt.Errorf("currency %q: want a three-letter ISO 4217 code such as USD, JPY or EUR", code)
	}
	if code == "USD" {
		if perUSD != 0 && perUSD != 1 {
			return Currency{}, fmt.Errorf("currency USD: the rate must be 1, got %g", perUSD)
		}
		return USD, nil
	}
	if perUSD <= 0 || math.IsInf(perUSD, 0) || math.IsNaN(perUSD) {
		return Currency{}, fmt.Errorf("currency %s: needs an exchange rate in %s per USD, such as 150", code, code)
	}
	return Currency{Code: code, PerUSD: perUSD}, nil
}

// FromUSD converts a US-dollar amount into this currency.
func (c Currency) FromUSD(usd float64) float64 {
	if c.PerUSD == 0 {
		return usd
	}
	return usd * c.PerUSD
}

// Decimals is the number of decimals amounts are shown with (0 for yen
// and won, 2 otherwise).
func (c Currency) Decimals() int { return units.MoneyDecimals(c.Code) }

// Format shows an amount already in this currency, with thousands
// separators: "$1,234.56", "¥185,135", "1,234.56 CHF".
func (c Currency) Format(amount float64) string { return units.Money(amount, c.Code) }

// String names the currency and its rate: "USD", "JPY (150 per USD)".
func (c Currency) String() string {
	if c.Code == "" || c.Code == "USD" {
		return "USD"
	}
	return fmt.Sprintf("%s (%g per USD)", c.Code, c.PerUSD)
}
