package cli

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/headroom-sre/headroom/stats"
)

func TestProgressLineFitsEightyColumns(t *testing.T) {
	busy := func(requests, late, dropped int64, inflight int, lat time.Duration) *stats.Interval {
		iv := &stats.Interval{Index: 4, Start: 4 * time.Second, Duration: time.Second}
		iv.Total.Scheduled = requests + dropped
		for i := int64(0); i < 1000; i++ {
			iv.Total.Response(500, lat, lat, 0, 0)
		}
		iv.Total.Requests = requests
		iv.Total.Late = late
		iv.Total.Drop(stats.DropCap, dropped)
		iv.Generator.InFlight = inflight
		return iv
	}
	tests := []struct {
		name   string
		closed bool
		total  time.Duration
		iv     *stats.Interval
		want   []string
	}{
		{"a quiet second", false, time.Minute, busy(5000, 0, 0, 3, time.Millisecond),
			[]string{"5s/1m0s", "sent/s 5000", "done/s 5000", "in flight 3", "p50 1ms", "p99 1ms", "err 100%"}},
		{"a late second of a day-long soak", false, 24 * time.Hour, busy(5000, 12, 0, 3, time.Millisecond),
			[]string{"5s/24h0m0s", "sent/s 5000", "done/s 5000", "p99 1ms", "err 100%", "late 12"}},
		{"a flood, late and dropping", false, 24 * time.Hour, busy(123456789, 98765432, 87654321, 1234567, 59*time.Minute),
			[]string{"sent/s 123M", "done/s 123M", "err 100%", "late 98.8M", "dropped 87.7M"}},
		{"a closed run", true, time.Minute, busy(987654, 0, 0, 64, time.Millisecond), []string{"done/s 988k (closed)", "p99 1ms"}},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		p := newProgress(&buf, false, nil, tt.closed, tt.total)
		p.every = 1
		p.interval(tt.iv)
		line := strings.TrimRight(buf.String(), "\n")
		if n := utf8.RuneCountInString(line); n > 79 || n == 0 {
			t.Errorf("%s: %d columns; want at most 79:\n%s", tt.name, n, line)
		}
		for _, w := range tt.want {
			if !strings.Contains(line, w) {
				t.Errorf("%s: %q lacks %q", tt.name, line, w)
			}
		}
	}
}
