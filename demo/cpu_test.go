package demo_test

import (
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"

	"github.com/headroom-sre/headroom/demo"
)

// The per-component CPU counter grows with money's work and stays with
// money: app's counter does not include it.
func TestComponentCPUSeconds(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("per-thread CPU accounting is Linux only")
	}
	cfg := demo.DefaultConfig()
	cfg.Money.Positions = demo.MaxPositions
	sys := demo.NewSystem(cfg)
	defer sys.Close()
	money := sys.Money()
	before := money.CPUSeconds()
	for i := 0; i < 20; i++ {
		rec := httptest.NewRecorder()
		money.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/value?portfolio=7", nil))
		if rec.Code != http.StatusOK {
			t.Fatalf("money answered %d", rec.Code)
		}
	}
	spent := money.CPUSeconds() - before
	if spent <= 0 {
		t.Fatalf("money's CPU counter did not grow (%.6fs)", spent)
	}
	if got := sys.App().CPUSeconds(); got != 0 {
		t.Errorf("app's CPU counter = %.6fs without app requests", got)
	}
}
