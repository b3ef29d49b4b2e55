package demo

import (
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

// decimal is an exact fixed-point number: units × 10^-scale. Money never
// touches a float64.
type decimal struct {
	units int64
	scale int // digits after the point, 0..maxScale
}

// maxScale is the most digits after the point a decimal may have: 18
// digits always fit an int64.
const maxScale = 18

// String formats d with exactly d.scale digits after the point.
func (d decimal) String() string {
	neg := d.units < 0
	abs := uint64(d.units)
	if neg {
		abs = -abs // two's complement: also right for math.MinInt64
	}
	digits := strconv.FormatUint(abs, 10)
	if d.scale > 0 {
		if len(digits) <= d.scale {
			digits = strings.Repeat("0", d.scale-len(digits)+1) + digits
		}
		digits = digits[:len(digits)-d.scale] + "." + digits[len(digits)-d.scale:]
	}
	if neg {
		return "-" + digits
	}
	return digits
}

// parseDecimal reads a plain decimal such as "250", "-0.05" or "1234.5678":
// an optional minus, digits, and optionally a point followed by digits. At
// most 18 digits in all; no exponent, no plus sign, no spaces.
func parseDecimal(s string) (decimal, error) {
	body, neg := strings.CutPrefix(s, "-")
	whole, frac, hasPoint := strings.Cut(body, ".")
	switch {
	case whole == "" || (hasPoint && frac == ""):
		return decimal{}, fmt.Errorf("decimal %q: want digits, optionally with a point and more digits", s)
	case !allDigits(whole) || !allDigits(frac):
		return decimal{}, fmt.Errorf("decimal %q: only digits and one point are allowed", s)
	case len(whole)+len(frac) > maxScale:
		return decimal{}, fmt.Errorf("decimal %q: more than %d digits", s, maxScale)
	}
	u, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil {
		return decimal{}, fmt.Errorf("decimal %q: %w", s, err)
	}
	if neg {
		u = -u
	}
	return decimal{units: u, scale: len(frac)}, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// cmp compares d and e exactly, whatever their scales: -1, 0 or +1.
func (d decimal) cmp(e decimal) int {
	var x, y big.Int
	x.SetInt64(d.units)
	y.SetInt64(e.units)
	if d.scale < e.scale {
		x.Mul(&x, pow10(e.scale-d.scale))
	} else {
		y.Mul(&y, pow10(d.scale-e.scale))
	}
	return x.Cmp(&y)
}

// powers10 holds 10^0 … 10^(len-1) for rounding products of scaled
// numbers (quantity × price × FX rate has scale 16).
var powers10 = func() []*big.Int {
	p := make([]*big.Int, 2*maxScale+1)
	for i := range p {
		p[i] = new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(i)), nil)
	}
	return p
}()

func pow10(n int) *big.Int { return powers10[n] }

var bigOne = big.NewInt(1)

// quoHalfEven sets z to n/d rounded half to even ("banker's rounding") and
// returns z; d must be positive and r is scratch space. Ties go to the
// even neighbour, so rounding many values adds no upward drift.
func quoHalfEven(z, n, d, r *big.Int) *big.Int {
	neg := n.Sign() < 0
	z.QuoRem(n, d, r) // truncates toward zero; r takes n's sign
	r.Abs(r)
	r.Lsh(r, 1)
	if c := r.Cmp(d); c > 0 || (c == 0 && z.Bit(0) == 1) {
		if neg {
			z.Sub(z, bigOne)
		} else {
			z.Add(z, bigOne)
		}
	}
	return z
}

// errOverflow reports a value too large for an int64 of minor units.
var errOverflow = errors.New("value overflows 64-bit minor units")
