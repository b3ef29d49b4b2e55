package demo_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/headroom-sre/headroom/demo"
)

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name    string
		change  func(*demo.Config)
		wantErr []string // substrings; none means valid
	}{
		{"the defaults are valid", func(*demo.Config) {}, nil},
		{"the zero config is valid", func(c *demo.Config) { *c = demo.Config{} }, nil},
		{"negative workers", func(c *demo.Config) { c.Money.Workers = -1 }, []string{"money: workers -1"}},
		{"a negative queue", func(c *demo.Config) { c.App.Queue = -1 }, []string{"app: queue -1"}},
		{"a negative max wait", func(c *demo.Config) { c.App.MaxWait = -time.Second }, []string{"app: max wait"}},
		{"too many positions", func(c *demo.Config) { c.Money.Positions = demo.MaxPositions + 1 }, []string{"money: positions 100001"}},
		{"a negative service time", func(c *demo.Config) { c.Money.MinServiceTime = -time.Millisecond }, []string{"money: service time"}},
		{"a negative I/O wait", func(c *demo.Config) { c.App.IOWait = -time.Millisecond }, []string{"app: I/O wait"}},
		{"an unknown distribution", func(c *demo.Config) { c.App.IODist = 7 }, []string{"app: unknown I/O wait distribution IODist(7)"}},
		{"a share above one", func(c *demo.Config) { c.App.MoneyShare = 1.5 }, []string{"app: money share 1.5"}},
		{"a share that is not a number", func(c *demo.Config) { c.App.MoneyShare = math.NaN() }, []string{"app: money share NaN"}},
		{"a negative timeout", func(c *demo.Config) { c.App.MoneyTimeout = -time.Second }, []string{"app: money timeout"}},
		{"a money URL without scheme", func(c *demo.Config) { c.App.MoneyURL = "127.0.0.1:8081" }, []string{"app: money URL"}},
		{"a pause as long as its period", func(c *demo.Config) { c.Money.Stall = demo.Stall{Every: time.Second, For: time.Second} }, []string{"money: stall 1s every 1s"}},
		{"a negative pause", func(c *demo.Config) { c.App.Stall = demo.Stall{Every: time.Second, For: -time.Second} }, []string{"app: stall"}},
		{"every problem at once", func(c *demo.Config) { c.Money.Workers = -1; c.App.MoneyShare = 2 }, []string{"money: workers", "app: money share"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := demo.DefaultConfig()
			tt.change(&cfg)
			err := cfg.Validate()
			if len(tt.wantErr) == 0 {
				if err != nil {
					t.Errorf("Validate() = %v; want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate() = nil; want errors about %q", tt.wantErr)
			}
			for _, sub := range tt.wantErr {
				if !strings.Contains(err.Error(), sub) {
					t.Errorf("Validate() = %v; want an error about %q", err, sub)
				}
			}
		})
	}
}

func TestCapacityFollowsFromTheConfig(t *testing.T) {
	tests := []struct {
		name      string
		change    func(*demo.Config)
		money     float64
		customers float64
	}{
		{"the defaults: money limits the mix at 400/0.6", func(*demo.Config) {}, 400, 400 / 0.6},
		{"without money calls app limits at W/IOWait", func(c *demo.Config) { c.App.MoneyShare = 0 }, 400, 64 / 0.020},
		{"a slow app limits before money", func(c *demo.Config) { c.App.Workers = 4 }, 400, 4 / (0.020 + 0.6*0.010)},
		{"without a service time money's capacity is unknown", func(c *demo.Config) { c.Money.MinServiceTime = 0 }, 0, 0},
		{"workers below 1 count as 1", func(c *demo.Config) { c.Money.Workers = 0 }, 100, 100 / 0.6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := demo.DefaultConfig()
			tt.change(&cfg)
			if got := cfg.Money.Capacity(); math.Abs(got-tt.money) > 1e-9 {
				t.Errorf("Money.Capacity() = %v; want %v", got, tt.money)
			}
			if got := cfg.Capacity(); math.Abs(got-tt.customers) > 1e-9 {
				t.Errorf("Capacity() = %v; want %v", got, tt.customers)
			}
		})
	}
}

func TestNewSystemClampsWhatIsOutOfRange(t *testing.T) {
	cfg := demo.Config{}
	cfg.Money.Workers = -3
	cfg.Money.Queue = -1
	cfg.Money.Positions = 0
	cfg.Money.Stall = demo.Stall{Every: time.Second, For: 2 * time.Second}
	cfg.App.MoneyShare = 2
	cfg.App.IODist = -1
	got := demo.NewSystem(cfg).Config()
	if got.Money.Workers != 1 || got.Money.Queue != 0 || got.Money.Positions != demo.DefaultPositions ||
		got.Money.Stall.On() || got.App.MoneyShare != 1 || got.App.IODist != demo.IOFixed ||
		got.App.MoneyTimeout != demo.DefaultMoneyTimeout || got.App.Workers != 1 {
		t.Errorf("NewSystem(%+v).Config() = %+v; want everything clamped into range", cfg, got)
	}
	if err := got.Validate(); err != nil {
		t.Errorf("the clamped config is invalid: %v", err)
	}
}

func TestParseIODist(t *testing.T) {
	for _, d := range []demo.IODist{demo.IOFixed, demo.IOUniform, demo.IOExponential} {
		got, err := demo.ParseIODist(d.String())
		if err != nil || got != d {
			t.Errorf("ParseIODist(%q) = %v, %v; want %v", d.String(), got, err, d)
		}
	}
	if _, err := demo.ParseIODist("normal"); err == nil || !strings.Contains(err.Error(), `"normal"`) {
		t.Errorf("ParseIODist(normal) error = %v; want one naming it", err)
	}
}
