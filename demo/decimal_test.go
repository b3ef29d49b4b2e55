package demo

import (
	"math"
	"math/big"
	"testing"
)

func TestDecimalString(t *testing.T) {
	tests := []struct {
		name string
		in   decimal
		want string
	}{
		{"an integer has no point", decimal{1500, 0}, "1500"},
		{"cents keep both digits", decimal{123456, 2}, "1234.56"},
		{"a value below one gets a leading zero", decimal{5, 2}, "0.05"},
		{"a negative value below one keeps its sign", decimal{-5, 2}, "-0.05"},
		{"zero has all its decimals", decimal{0, 3}, "0.000"},
		{"the smallest int64 does not overflow", decimal{math.MinInt64, 4}, "-922337203685477.5808"},
		{"eighteen decimals", decimal{1, 18}, "0.000000000000000001"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.in.String(); got != tt.want {
				t.Errorf("%#v.String() = %q; want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseDecimal(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    decimal
		wantErr bool
	}{
		{"an integer", "250", decimal{250, 0}, false},
		{"cents", "250.00", decimal{25000, 2}, false},
		{"a negative fraction", "-0.05", decimal{-5, 2}, false},
		{"eighteen digits fit", "123456789.123456789", decimal{123456789123456789, 9}, false},
		{"nineteen digits do not", "1234567890.123456789", decimal{}, true},
		{"an empty string is not a number", "", decimal{}, true},
		{"a lone minus is not a number", "-", decimal{}, true},
		{"a trailing point needs digits", "1.", decimal{}, true},
		{"a leading point needs digits", ".5", decimal{}, true},
		{"a plus sign is not accepted", "+1", decimal{}, true},
		{"an exponent is not accepted", "1e3", decimal{}, true},
		{"two points are not accepted", "1.2.3", decimal{}, true},
		{"spaces are not accepted", " 1", decimal{}, true},
		{"a double minus is not accepted", "--1", decimal{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseDecimal(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("parseDecimal(%q) error = %v; want error %v", tt.in, err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("parseDecimal(%q) = %#v; want %#v", tt.in, got, tt.want)
			}
		})
	}
}

// FuzzParseDecimal checks that parsing never panics and that what it
// accepts formats back to an equal number.
func FuzzParseDecimal(f *testing.F) {
	for _, s := range []string{"0", "250.00", "-0.05", "123456789.123456789", "1.", "-", "9223372036854775807", "-00.10"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := parseDecimal(s)
		if err != nil {
			return
		}
		again, err := parseDecimal(d.String())
		if err != nil {
			t.Fatalf("parseDecimal(%q) = %v, whose String %q does not parse: %v", s, d, d.String(), err)
		}
		if again.cmp(d) != 0 {
			t.Fatalf("parseDecimal(%q) = %v; reparsed %v", s, d, again)
		}
	})
}

func TestDecimalCmp(t *testing.T) {
	tests := []struct {
		name string
		a, b decimal
		want int
	}{
		{"equal values at different scales", decimal{100, 0}, decimal{10000, 2}, 0},
		{"a cent more is more", decimal{10001, 2}, decimal{100, 0}, 1},
		{"a negative is less", decimal{-1, 3}, decimal{0, 0}, -1},
		{"rescaling would overflow an int64", decimal{math.MaxInt64, 0}, decimal{math.MaxInt64, 18}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.a.cmp(tt.b); got != tt.want {
				t.Errorf("%v.cmp(%v) = %d; want %d", tt.a, tt.b, got, tt.want)
			}
		})
	}
}

func TestQuoHalfEven(t *testing.T) {
	tests := []struct {
		name string
		n, d int64
		want int64
	}{
		{"below half rounds down", 14, 10, 1},
		{"above half rounds up", 16, 10, 2},
		{"a tie goes to the even zero", 5, 10, 0},
		{"a tie goes up to the even two", 15, 10, 2},
		{"a tie goes down to the even two", 25, 10, 2},
		{"a tie goes up to the even four", 35, 10, 4},
		{"a negative tie goes to the even zero", -5, 10, 0},
		{"a negative tie goes down to the even minus two", -15, 10, -2},
		{"a negative tie goes up to the even minus two", -25, 10, -2},
		{"a negative value above half rounds away from zero", -16, 10, -2},
		{"an exact quotient is kept", 30, 10, 3},
		{"zero is zero", 0, 10, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var z, r big.Int
			got := quoHalfEven(&z, big.NewInt(tt.n), big.NewInt(tt.d), &r)
			if got.Int64() != tt.want {
				t.Errorf("quoHalfEven(%d, %d) = %v; want %d", tt.n, tt.d, got, tt.want)
			}
		})
	}
}
