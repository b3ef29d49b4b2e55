package units

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// Unknown is written for a value that is not a number (NaN) or infinite.
const Unknown = "—"

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// Duration writes d for people: "850ms", "2.5s", "12m41s", "3h05m",
// "2d03h". See the package documentation for the rules.
func Duration(d time.Duration) string {
	if d < 0 {
		if d == math.MinInt64 {
			d++
		}
		return neg(Duration(-d))
	}
	switch {
	case d == 0:
		return "0s"
	case d < time.Microsecond:
		return strconv.FormatInt(int64(d), 10) + "ns"
	case d < time.Millisecond:
		if s, ok := sig3(float64(d)/1e3, 1000); ok {
			return s + "µs"
		}
		fallthrough
	case d < time.Second:
		if s, ok := sig3(float64(d)/1e6, 1000); ok {
			return s + "ms"
		}
		fallthrough
	case d < time.Minute:
		if s, ok := sig3(d.Seconds(), 60); ok {
			return s + "s"
		}
		fallthrough
	case d < time.Hour:
		if r := d.Round(time.Second); r < time.Hour {
			return pair(int64(r/time.Minute), "m", int64(r%time.Minute/time.Second), "s")
		}
		fallthrough
	case d < 24*time.Hour:
		if r := d.Round(time.Minute); r < 24*time.Hour {
			return pair(int64(r/time.Hour), "h", int64(r%time.Hour/time.Minute), "m")
		}
		fallthrough
	default:
		r := d.Round(time.Hour)
		return pair(int64(r/(24*time.Hour)), "d", int64(r%(24*time.Hour)/time.Hour), "h")
	}
}

// Seconds writes a duration given in seconds, as Duration does: 0.0123 →
// "12.3ms", 761 → "12m41s". NaN and infinities are [Unknown].
func Seconds(s float64) string {
	switch {
	case !finite(s):
		return Unknown
	case math.Abs(s) >= float64(math.MaxInt64)/1e9:
		// Beyond time.Duration (292 years): whole days.
		return Count(s/86400) + "d"
	}
	return Duration(time.Duration(math.Round(s * 1e9)))
}

// pair writes "12m41s", "3h05m", or "2m" when the smaller unit is zero.
func pair(big int64, bu string, small int64, su string) string {
	s := strconv.FormatInt(big, 10) + bu
	switch {
	case small == 0:
		return s
	case small < 10:
		return s + "0" + strconv.FormatInt(small, 10) + su
	}
	return s + strconv.FormatInt(small, 10) + su
}

// sig3 writes v ≥ 0 with three significant digits, trailing zeros
// trimmed; ok is false when the rounded value reaches limit, the size of
// the next unit.
func sig3(v, limit float64) (string, bool) {
	s := strconv.FormatFloat(v, 'f', sigDecimals(v, 3), 64)
	if r, _ := strconv.ParseFloat(s, 64); r >= limit {
		return "", false
	}
	return trimZeros(s), true
}

// sigDecimals is the number of decimals that show v ≠ 0 with n significant
// digits (0 for numbers of n digits or more).
func sigDecimals(v float64, n int) int {
	if v == 0 {
		return 0
	}
	return max(0, n-1-int(math.Floor(math.Log10(math.Abs(v)))))
}

func trimZeros(s string) string {
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

// neg puts a minus before s unless s reads as zero (or is Unknown).
func neg(s string) string {
	if isZero(s) {
		return s
	}
	return "-" + s
}

// isZero reports whether every digit of s is 0.
func isZero(s string) bool {
	for _, r := range s {
		if r >= '1' && r <= '9' {
			return false
		}
	}
	return true
}

// Percent writes a fraction as a percentage: 0.784 → "78%", 0.0033 →
// "0.33%", 0.9995 → "99.95%", 2.5 → "250%". See the package documentation.
func Percent(f float64) string {
	if !finite(f) {
		return Unknown
	}
	if f < 0 {
		return neg(Percent(-f))
	}
	p := f * 100
	switch {
	case !finite(p):
		return Unknown // beyond float64 once in percent
	case p == 0:
		return "0%"
	case p >= 100:
		return Count(p) + "%"
	case p >= 90:
		// The nines: enough decimals to show the gap to 100% with two
		// significant digits, and never "100%".
		d := sigDecimals(100-p, 2)
		for ; d < 15; d++ {
			if s := strconv.FormatFloat(p, 'f', d, 64); !strings.HasPrefix(s, "100") {
				return trimZeros(s) + "%"
			}
		}
		return "99.9…%"
	}
	d := sigDecimals(p, 2)
	if d > 6 {
		// Below a millionth of a percent: zero at the finest precision shown.
		return "0%"
	}
	return trimZeros(strconv.FormatFloat(p, 'f', d, 64)) + "%"
}

// Count writes n rounded to a whole number with thousands separators:
// 1234567 → "1,234,567".
func Count(n float64) string {
	if !finite(n) {
		return Unknown
	}
	s := strconv.FormatFloat(math.Abs(math.Round(n)), 'f', 0, 64)
	if n < 0 {
		return neg(group(s))
	}
	return group(s)
}

// group puts commas between groups of three in the whole part of the
// unsigned decimal s: "1234.5" → "1,234.5".
func group(s string) string {
	whole, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if hasFrac {
		b.WriteString("." + frac)
	}
	return b.String()
}

// Number writes a plain number: three significant digits below a
// thousand (12.3, 0.0123, 950), whole with thousands separators above
// (1,250).
func Number(x float64) string {
	if !finite(x) {
		return Unknown
	}
	if x < 0 {
		return neg(Number(-x))
	}
	if x == 0 {
		return "0"
	}
	d := sigDecimals(x, 3)
	if d > 9 {
		return strconv.FormatFloat(x, 'g', 3, 64)
	}
	s := strconv.FormatFloat(x, 'f', d, 64)
	if r, _ := strconv.ParseFloat(s, 64); r >= 1000 {
		return Count(x)
	}
	return trimZeros(s)
}

// Rate writes requests per second: "1,250 req/s", "0.5 req/s".
func Rate(r float64) string {
	if !finite(r) {
		return Unknown
	}
	return Number(r) + " req/s"
}

// Compact writes a number in at most three significant digits with a
// metric suffix, for chart axes: 950 → "950", 1500 → "1.5k", 2250000 →
// "2.25M".
func Compact(x float64) string {
	if !finite(x) {
		return Unknown
	}
	if x < 0 {
		return neg(Compact(-x))
	}
	for _, u := range []struct {
		div    float64
		suffix string
	}{{1, ""}, {1e3, "k"}, {1e6, "M"}, {1e9, "G"}} {
		if s, ok := sig3(x/u.div, 1000); ok {
			if u.div == 1 {
				return Number(x)
			}
			return s + u.suffix
		}
	}
	return trimZeros(strconv.FormatFloat(x/1e12, 'f', sigDecimals(x/1e12, 3), 64)) + "T"
}

var symbols = map[string]string{"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}

// MoneyDecimals is the number of decimals amounts in the ISO 4217 currency
// code are shown with: 0 for yen (JPY) and won (KRW), 2 otherwise.
func MoneyDecimals(code string) int {
	switch strings.ToUpper(code) {
	case "JPY", "KRW":
		return 0
	}
	return 2
}

// Money writes an amount in the ISO 4217 currency code ("" is USD) with
// thousands separators and the currency's decimals: "$1,234.56",
// "¥18,500", "€12.00", "1,234.56 CHF".
func Money(amount float64, code string) string {
	if !finite(amount) {
		return Unknown
	}
	code = strings.ToUpper(code)
	if code == "" {
		code = "USD"
	}
	dec := MoneyDecimals(code)
	scale := math.Pow(10, float64(dec))
	scaled := math.Round(math.Abs(amount) * scale)
	if !finite(scaled) {
		return Unknown
	}
	num := group(strconv.FormatFloat(scaled/scale, 'f', dec, 64))
	sign := ""
	if amount < 0 && !isZero(num) {
		sign = "-"
	}
	if sym, ok := symbols[code]; ok {
		return sign + sym + num
	}
	return sign + num + " " + code
}

// CPU writes cores as a Kubernetes quantity, rounded to the millicore:
// 0.25 → "250m", 2 → "2", 1.5 → "1500m", 0 → "0".
func CPU(cores float64) string {
	if !finite(cores) {
		return Unknown
	}
	m := math.Round(math.Abs(cores) * 1000)
	if !finite(m) {
		return Unknown
	}
	s := strconv.FormatFloat(m, 'f', 0, 64) + "m"
	if math.Mod(m, 1000) == 0 {
		s = strconv.FormatFloat(m/1000, 'f', 0, 64)
	}
	if cores < 0 {
		return neg(s)
	}
	return s
}

// Bytes writes a size in the largest binary unit that keeps a whole part,
// with three significant digits: "512B", "512Ki", "256Mi", "1.5Gi".
func Bytes(b float64) string {
	if !finite(b) {
		return Unknown
	}
	if b < 0 {
		return neg(Bytes(-b))
	}
	if b == 0 {
		return "0"
	}
	if r := math.Round(b); r < 1024 {
		return strconv.FormatFloat(r, 'f', 0, 64) + "B"
	}
	for i, u := range []string{"Ki", "Mi", "Gi", "Ti"} {
		v := b / math.Pow(1024, float64(i+1))
		if s, ok := sig3(v, 1024); ok || u == "Ti" {
			if !ok {
				s = Number(v)
			}
			return s + u
		}
	}
	return Unknown // not reached
}
