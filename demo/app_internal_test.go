package demo

import (
	"math"
	"strings"
	"testing"
	"time"
)

func TestIOWaitDistributions(t *testing.T) {
	const (
		mean = 20 * time.Millisecond
		n    = 20_000
	)
	tests := []struct {
		name      string
		dist      IODist
		below     float64       // expected fraction of draws below the mean
		most      time.Duration // no draw above it; 0: unbounded
		spreadOut bool
	}{
		{"a fixed wait is always the mean", IOFixed, 0, mean, false},
		{"a uniform wait is below the mean half the time, never above twice it", IOUniform, 0.5, 2 * mean, true},
		{"an exponential wait is below the mean 63% of the time", IOExponential, 1 - math.Exp(-1), 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var sum, largest time.Duration
			below := 0
			for range n {
				d := drawIOWait(tt.dist, mean)
				if d < 0 {
					t.Fatalf("drew %v; want no negative wait", d)
				}
				sum += d
				largest = max(largest, d)
				if d < mean {
					below++
				}
			}
			// The sample mean is within 5 standard errors (σ ≤ mean).
			if got := sum / n; math.Abs(float64(got-mean)) > 5*float64(mean)/math.Sqrt(n) {
				t.Errorf("mean of %d draws = %v; want about %v", n, got, mean)
			}
			if got := float64(below) / n; math.Abs(got-tt.below) > 0.02 {
				t.Errorf("%.3f of the draws are below the mean; want %.3f", got, tt.below)
			}
			if tt.most > 0 && largest > tt.most {
				t.Errorf("largest draw %v; want at most %v", largest, tt.most)
			}
			if tt.spreadOut != (largest > mean) {
				t.Errorf("largest draw %v; want above the mean: %v", largest, tt.spreadOut)
			}
		})
	}
}

// FuzzDecodeTransfer checks that any body is either refused with an error
// or read into a transfer in a known currency, never a panic.
func FuzzDecodeTransfer(f *testing.F) {
	for _, s := range []string{"", `{"portfolio": 7, "amount": "250.00", "currency": "EUR"}`, `{"amount": 5}`, `{`, `null`, `{"portfolio": -1}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		tr, err := decodeTransfer(strings.NewReader(body))
		if err != nil {
			return
		}
		if _, ok := currencyByCode(tr.Currency); !ok {
			t.Errorf("decodeTransfer(%q) = currency %q; want a known one or an error", body, tr.Currency)
		}
	})
}
