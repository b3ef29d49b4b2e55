package units

import (
	"math"
	"strings"
	"testing"
	"time"
)

var nan, inf = math.NaN(), math.Inf(1)

func TestDuration(t *testing.T) {
	for _, c := range []struct {
		name string
		in   time.Duration
		want string
	}{
		{"zero is 0s", 0, "0s"},
		{"nanoseconds stay whole", 500, "500ns"},
		{"microseconds have three significant digits", 12345, "12.3µs"},
		{"999.96µs rounds up into milliseconds", 999960, "1ms"},
		{"milliseconds have three significant digits", 12345 * time.Microsecond, "12.3ms"},
		{"a whole number of milliseconds", 850 * time.Millisecond, "850ms"},
		{"seconds keep one decimal when it counts", 2500 * time.Millisecond, "2.5s"},
		{"seconds below ten keep two decimals", 2346 * time.Millisecond, "2.35s"},
		{"59.94s stays in seconds", 59940 * time.Millisecond, "59.9s"},
		{"59.99s rounds up to a minute", 59990 * time.Millisecond, "1m"},
		{"minutes and seconds", 12*time.Minute + 41*time.Second, "12m41s"},
		{"seconds below ten are padded", time.Minute + 5*time.Second, "1m05s"},
		{"zero seconds are left out", 2 * time.Minute, "2m"},
		{"seconds round to the nearest", 2*time.Minute + 29600*time.Millisecond, "2m30s"},
		{"59m59.6s rounds up to an hour", time.Hour - 400*time.Millisecond, "1h"},
		{"one hour is 1h, not 1h0m", time.Hour, "1h"},
		{"hours and padded minutes", 3*time.Hour + 5*time.Minute, "3h05m"},
		{"hours round seconds away", 3*time.Hour + 5*time.Minute + 20*time.Second, "3h05m"},
		{"23h59m40s rounds up to a day", 24*time.Hour - 20*time.Second, "1d"},
		{"days and padded hours", 51 * time.Hour, "2d03h"},
		{"a 30-day window", 30 * 24 * time.Hour, "30d"},
		{"negative durations keep their sign", -2500 * time.Millisecond, "-2.5s"},
		{"negative minutes", -(12*time.Minute + 41*time.Second), "-12m41s"},
		{"the most negative duration does not overflow", math.MinInt64, "-106751d23h"},
	} {
		if got := Duration(c.in); got != c.want {
			t.Errorf("%s: Duration(%d) = %q; want %q", c.name, int64(c.in), got, c.want)
		}
	}
}

func TestSeconds(t *testing.T) {
	for _, c := range []struct {
		name string
		in   float64
		want string
	}{
		{"a latency", 0.0123, "12.3ms"},
		{"a spike length", 761, "12m41s"},
		{"59.99s", 59.99, "1m"},
		{"a negative length", -0.42, "-420ms"},
		{"a tiny negative rounds to zero without a sign", -1e-12, "0s"},
		{"NaN is unknown", nan, Unknown},
		{"+Inf is unknown", inf, Unknown},
		{"-Inf is unknown", -inf, Unknown},
		{"beyond time.Duration, whole days", 1e12, "11,574,074d"},
	} {
		if got := Seconds(c.in); got != c.want {
			t.Errorf("%s: Seconds(%v) = %q; want %q", c.name, c.in, got, c.want)
		}
	}
}

func TestPercent(t *testing.T) {
	for _, c := range []struct {
		name string
		in   float64
		want string
	}{
		{"zero", 0, "0%"},
		{"two significant digits", 0.784, "78%"},
		{"two significant digits below ten", 0.0533, "5.3%"},
		{"a third of a percent", 0.0033, "0.33%"},
		{"tiny shares keep two digits", 0.0000123, "0.0012%"},
		{"below a millionth of a percent rounds to zero", 1e-12, "0%"},
		{"9.96% rounds to 10%", 0.0996, "10%"},
		{"89.96% rounds to 90%", 0.8996, "90%"},
		{"three nines", 0.999, "99.9%"},
		{"three and a half nines", 0.9995, "99.95%"},
		{"99.95% computed", 1 - 0.0005, "99.95%"},
		{"four nines", 0.9999, "99.99%"},
		{"a near miss of two nines", 0.987, "98.7%"},
		{"95% has no decimals", 0.95, "95%"},
		{"99.996% is not 100%", 0.99996, "99.996%"},
		{"99.99996% is not 100%", 0.9999996, "99.99996%"},
		{"one hundred", 1, "100%"},
		{"above one hundred, whole", 2.504, "250%"},
		{"thousands separators", 12.345, "1,235%"},
		{"negative", -0.25, "-25%"},
		{"negative budget", -2.5, "-250%"},
		{"a tiny negative rounds to zero without a sign", -1e-20, "0%"},
		{"NaN is unknown, never NaN%", nan, Unknown},
		{"+Inf is unknown", inf, Unknown},
		{"-Inf is unknown", -inf, Unknown},
	} {
		if got := Percent(c.in); got != c.want {
			t.Errorf("%s: Percent(%v) = %q; want %q", c.name, c.in, got, c.want)
		}
	}
}

func TestCountNumberRateCompact(t *testing.T) {
	for _, c := range []struct {
		name string
		f    func(float64) string
		in   float64
		want string
	}{
		{"Count: thousands separators", Count, 12345, "12,345"},
		{"Count: millions", Count, 1234567, "1,234,567"},
		{"Count: rounds half away from zero", Count, 2.5, "3"},
		{"Count: below a thousand", Count, 999, "999"},
		{"Count: negative", Count, -1234.4, "-1,234"},
		{"Count: a tiny negative is 0", Count, -0.4, "0"},
		{"Count: NaN", Count, nan, Unknown},
		{"Count: -Inf", Count, -inf, Unknown},
		{"Number: three significant digits", Number, 12.345, "12.3"},
		{"Number: small", Number, 0.012345, "0.0123"},
		{"Number: whole below a thousand", Number, 950, "950"},
		{"Number: 999.6 becomes 1,000", Number, 999.6, "1,000"},
		{"Number: separators above a thousand", Number, 1250.4, "1,250"},
		{"Number: zero", Number, 0, "0"},
		{"Number: negative", Number, -2.25, "-2.25"},
		{"Number: very small", Number, 1.234e-12, "1.23e-12"},
		{"Number: Inf", Number, inf, Unknown},
		{"Rate: thousands", Rate, 1250, "1,250 req/s"},
		{"Rate: fractional", Rate, 0.5, "0.5 req/s"},
		{"Rate: NaN", Rate, nan, Unknown},
		{"Compact: below a thousand", Compact, 950, "950"},
		{"Compact: k", Compact, 1500, "1.5k"},
		{"Compact: 999,950 is 1M", Compact, 999950, "1M"},
		{"Compact: M", Compact, 2250000, "2.25M"},
		{"Compact: G", Compact, 3e9, "3G"},
		{"Compact: fractions", Compact, 0.25, "0.25"},
		{"Compact: negative", Compact, -1500, "-1.5k"},
		{"Compact: NaN", Compact, nan, Unknown},
	} {
		if got := c.f(c.in); got != c.want {
			t.Errorf("%s: (%v) = %q; want %q", c.name, c.in, got, c.want)
		}
	}
}

func TestMoney(t *testing.T) {
	for _, c := range []struct {
		name     string
		amount   float64
		currency string
		want     string
	}{
		{"dollars with cents and separators", 1234.56, "USD", "$1,234.56"},
		{"no currency is USD", 113.4, "", "$113.40"},
		{"cents round", 0.005, "USD", "$0.01"},
		{"yen have no decimals", 18500.4, "JPY", "¥18,500"},
		{"yen round", 18499.5, "JPY", "¥18,500"},
		{"euros keep two decimals", 12, "EUR", "€12.00"},
		{"codes are case-insensitive", 12, "eur", "€12.00"},
		{"pounds", 1e6, "GBP", "£1,000,000.00"},
		{"other currencies are written with their code", 1234.5, "CHF", "1,234.50 CHF"},
		{"won have no decimals", 1234.5, "KRW", "1,235 KRW"},
		{"negative amounts", -12, "USD", "-$12.00"},
		{"a negative that rounds to zero has no sign", -0.001, "USD", "$0.00"},
		{"NaN is unknown", nan, "USD", Unknown},
		{"Inf is unknown", inf, "JPY", Unknown},
	} {
		if got := Money(c.amount, c.currency); got != c.want {
			t.Errorf("%s: Money(%v, %q) = %q; want %q", c.name, c.amount, c.currency, got, c.want)
		}
	}
}

func TestCPUAndBytes(t *testing.T) {
	for _, c := range []struct {
		name string
		f    func(float64) string
		in   float64
		want string
	}{
		{"CPU: millicores", CPU, 0.25, "250m"},
		{"CPU: whole cores", CPU, 2, "2"},
		{"CPU: fractional cores stay in millicores", CPU, 1.5, "1500m"},
		{"CPU: rounds to the millicore", CPU, 0.1234, "123m"},
		{"CPU: zero", CPU, 0, "0"},
		{"CPU: negative", CPU, -0.25, "-250m"},
		{"CPU: NaN", CPU, nan, Unknown},
		{"Bytes: below a KiB", Bytes, 512, "512B"},
		{"Bytes: KiB", Bytes, 512 * 1024, "512Ki"},
		{"Bytes: MiB", Bytes, 256 << 20, "256Mi"},
		{"Bytes: GiB with a fraction", Bytes, 1.5 * (1 << 30), "1.5Gi"},
		{"Bytes: 1023.9Mi rounds into GiB", Bytes, 1023.9 * (1 << 20), "1Gi"},
		{"Bytes: TiB", Bytes, 2 * (1 << 40), "2Ti"},
		{"Bytes: zero", Bytes, 0, "0"},
		{"Bytes: negative", Bytes, -(256 << 20), "-256Mi"},
		{"Bytes: Inf", Bytes, inf, Unknown},
	} {
		if got := c.f(c.in); got != c.want {
			t.Errorf("%s: (%v) = %q; want %q", c.name, c.in, got, c.want)
		}
	}
}

func TestMoneyDecimals(t *testing.T) {
	for code, want := range map[string]int{"USD": 2, "EUR": 2, "JPY": 0, "jpy": 0, "KRW": 0, "CHF": 2} {
		if got := MoneyDecimals(code); got != want {
			t.Errorf("MoneyDecimals(%q) = %d; want %d", code, got, want)
		}
	}
}

// No formatter ever prints NaN or Inf, whatever it is given, and a
// fraction below one never reads as 100%.
func TestExtremesNeverLeak(t *testing.T) {
	values := []float64{0, math.Copysign(0, -1), math.SmallestNonzeroFloat64, -math.SmallestNonzeroFloat64,
		1e-300, 1e300, math.MaxFloat64, -math.MaxFloat64, nan, inf, -inf, 0.5, -0.5, 1 - 1e-16, 1 - 1e-12}
	funcs := map[string]func(float64) string{
		"Seconds": Seconds, "Percent": Percent, "Count": Count, "Number": Number, "Rate": Rate,
		"Compact": Compact, "CPU": CPU, "Bytes": Bytes, "Money": func(x float64) string { return Money(x, "EUR") },
	}
	for name, f := range funcs {
		for _, v := range values {
			got := f(v)
			if got == "" || strings.Contains(got, "NaN") || strings.Contains(got, "Inf") ||
				strings.HasPrefix(got, "-") && isZero(got) || strings.Contains(got, Unknown) && got != Unknown {
				t.Errorf("%s(%v) = %q; want a number or %q", name, v, got, Unknown)
			}
		}
	}
	for _, f := range []float64{0.9, 0.99, 0.999, 0.9999, 0.99999, 1 - 1e-9, 1 - 1e-12, 1 - 1e-15} {
		if got := Percent(f); strings.HasPrefix(got, "100") {
			t.Errorf("Percent(%v) = %q; want below 100%%", f, got)
		}
	}
}
