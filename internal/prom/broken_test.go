package prom_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/headroom-sre/headroom/internal/prom"
	"github.com/headroom-sre/headroom/internal/promtest"
)

const brokenSeries = `namespace="shop",pod="checkout-7d9f8c6b5-abcde",container="app"`

// A broken Prometheus (or the proxy in front of it) must never turn into
// advice: every fault is an error that says what happened, or a warning
// carried to the report.
func TestBrokenPrometheus(t *testing.T) {
	opts := prom.UsageOptions{End: time.Now(), Window: 24 * time.Hour}
	for _, tc := range []struct {
		fault prom.Stats
		f     promtest.Fault
		want  string // in the error; "" for no error
		is    error
	}{
		{f: promtest.NaN, want: "impossible value(s) (NaN, infinite or negative), e.g. "},
		{f: promtest.Inf, want: ": +Inf"},
		{f: promtest.Negative, want: ": -3"},
		{f: promtest.Truncated, want: "unexpected end of JSON input"},
		{f: promtest.Huge, is: prom.ErrResponseTooLarge, want: "more than 1 MiB"},
		{f: promtest.Error500, want: "500"},
		{f: promtest.Redirect, want: "redirected to another host"},
		{f: promtest.Warnings},
	} {
		t.Run(string(tc.f), func(t *testing.T) {
			b := promtest.Broken(t, tc.f, brokenSeries)
			c, err := prom.New(prom.Config{URL: b.URL, BearerToken: "s3cret-token", MaxResponseBytes: 1 << 20})
			if err != nil {
				t.Fatal(err)
			}
			u, err := prom.FetchUsage(context.Background(), c, opts, prom.ForRightsize)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if len(u.Warnings) != 1 || !strings.Contains(u.Warnings[0], "partial response") {
					t.Errorf("warnings = %q; want the server's warning carried", u.Warnings)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) || (tc.is != nil && !errors.Is(err, tc.is)) {
				t.Fatalf("err = %v; want %q", err, tc.want)
			}
			var bad *prom.BadDataError
			if tc.f == promtest.NaN || tc.f == promtest.Inf || tc.f == promtest.Negative {
				if !errors.As(err, &bad) || !strings.Contains(err.Error(), "shop/checkout-7d9f8c6b5-abcde/app: "+string(tc.f)) {
					t.Errorf("err = %v (%T); want a *BadDataError naming the series and its value", err, err)
				}
			}
			if strings.Contains(err.Error(), "s3cret-token") {
				t.Errorf("the error shows the token: %v", err)
			}
			if n := b.SawAuth.Load(); n != 0 {
				t.Errorf("the other host received the credentials %d time(s)", n)
			}
			if _, err := prom.FetchCluster(context.Background(), c, opts); err == nil {
				t.Errorf("FetchCluster: no error")
			}
		})
	}
	t.Run("cancelling stops reading a response that never ends", func(t *testing.T) {
		b := promtest.Broken(t, promtest.Slow, brokenSeries)
		c, err := prom.New(prom.Config{URL: b.URL})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		done := make(chan error, 1)
		go func() { _, err := prom.FetchUsage(ctx, c, opts, prom.ForRightsize); done <- err }()
		select {
		case err := <-done:
			if !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) {
				t.Errorf("err = %v; want the cancellation", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("FetchUsage kept reading after its context ended")
		}
	})
}
