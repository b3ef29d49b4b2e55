package demo_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/headroom-sre/headroom/demo"
)

func TestAStallBlocksArrivingRequestsForItsPause(t *testing.T) {
	stall := demo.Stall{Every: 300 * time.Millisecond, For: 120 * time.Millisecond}
	sys := start(t, fastConfig())
	// The first pause starts between setBefore and setAfter.
	setBefore := time.Now()
	sys.Money().SetStall(stall)
	setAfter := time.Now()

	stalled := 0
	for range 16 { // 16 × 37 ms ≈ two periods, at varied phases
		sentAt := time.Now()
		r := get(t, sys.moneyURL+"/value")
		done := time.Now()
		if r.code != http.StatusOK {
			t.Fatalf("status %d; want 200", r.code)
		}
		// A request sent surely inside a pause cannot be answered
		// before the pause surely ended.
		k := sentAt.Sub(setAfter) / stall.Every
		if end := setBefore.Add(k*stall.Every + stall.For); sentAt.Before(end) {
			stalled++
			if done.Before(end) {
				t.Errorf("sent %v before the end of pause %d: answered %v before it", end.Sub(sentAt), k, end.Sub(done))
			}
		}
		time.Sleep(37*time.Millisecond - time.Since(sentAt))
	}
	if stalled == 0 {
		t.Errorf("no request was sent during a pause; want some (%v of every %v)", stall.For, stall.Every)
	}

	sys.Money().SetStall(demo.Stall{})
	fastest := time.Hour
	for range 5 {
		fastest = min(fastest, get(t, sys.moneyURL+"/value").took)
	}
	if fastest >= stall.For {
		t.Errorf("with the stall off, the fastest of 5 requests took %v; want less than the pause, %v", fastest, stall.For)
	}
}

func TestAStallHoldsAnswersThatAreReady(t *testing.T) {
	const service = 300 * time.Millisecond
	stall := demo.Stall{Every: time.Minute, For: 400 * time.Millisecond}
	cfg := fastConfig()
	cfg.Money.MinServiceTime = service
	sys := start(t, cfg)

	sentAt := time.Now()
	done := make(chan time.Time)
	go func() {
		if r := get(t, sys.moneyURL+"/value"); r.code != http.StatusOK {
			t.Errorf("status %d; want 200", r.code)
		}
		done <- time.Now()
	}()
	time.Sleep(50 * time.Millisecond)
	setBefore := time.Now()
	sys.Money().SetStall(stall)
	setAfter := time.Now()
	answered := <-done
	if setAfter.Sub(sentAt) >= service {
		t.Skipf("the machine is too busy: the stall started %v after the request, after its service time", setAfter.Sub(sentAt))
	}
	// The answer was ready once the pause had started (the service time
	// had not passed), so it was held until the pause ended.
	if end := setBefore.Add(stall.For); answered.Before(end) {
		t.Errorf("answered %v after it was sent, %v before the pause ended; want it held until then",
			answered.Sub(sentAt), end.Sub(answered))
	}
}

func TestTheStallIsSwitchedOverHTTP(t *testing.T) {
	type stallBody struct {
		On    bool    `json:"on"`
		Every float64 `json:"every_s"`
		For   float64 `json:"for_s"`
	}
	tests := []struct {
		name   string
		method string
		query  string
		code   int
		want   stallBody
		errSub string
	}{
		{"it starts off", http.MethodGet, "", http.StatusOK, stallBody{}, ""},
		{"a POST switches it on", http.MethodPost, "every=2s&for=100ms", http.StatusOK, stallBody{true, 2, 0.1}, ""},
		{"a GET shows it", http.MethodGet, "", http.StatusOK, stallBody{true, 2, 0.1}, ""},
		{"a pause as long as the period is refused", http.MethodPost, "every=1s&for=1s", http.StatusBadRequest, stallBody{}, "shorter than the period"},
		{"a duration that is not one is refused", http.MethodPost, "every=1s&for=soon", http.StatusBadRequest, stallBody{}, "for="},
		{"a refused POST changes nothing", http.MethodGet, "", http.StatusOK, stallBody{true, 2, 0.1}, ""},
		{"every=0 switches it off", http.MethodPost, "every=0&for=100ms", http.StatusOK, stallBody{}, ""},
	}
	sys := start(t, fastConfig())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := do(t, tt.method, sys.appURL+"/admin/stall?"+tt.query, "")
			if r.code != tt.code {
				t.Fatalf("%s /admin/stall?%s = %d %s; want %d", tt.method, tt.query, r.code, r.body, tt.code)
			}
			if tt.code != http.StatusOK {
				if !strings.Contains(r.body, tt.errSub) {
					t.Errorf("error %s; want one about %q", r.body, tt.errSub)
				}
				return
			}
			got := decode[stallBody](t, r)
			if got != tt.want {
				t.Errorf("%s /admin/stall?%s = %+v; want %+v", tt.method, tt.query, got, tt.want)
			}
			if on := sys.App().Stall().On(); on != tt.want.On {
				t.Errorf("App().Stall().On() = %v; want %v", on, tt.want.On)
			}
		})
	}
	if sys.Money().Stall().On() {
		t.Errorf("money's stall is on; want only app's switched")
	}
}
