package traffic_test

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/headroom-sre/headroom/traffic"
)

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// Exports as Grafana and Prometheus users have them read as they are, and
// the reader says how it read them.
func TestReadReplayRealisticFiles(t *testing.T) {
	for _, tc := range []struct {
		file       string
		points     int
		times      traffic.TimeFormat
		span       time.Duration
		gaps, cols int
		first      float64 // the first rate, per second
		note       string
	}{
		// A week of per-minute rates from a panel's "Download CSV": quoted
		// fields, a label set with "" in the header, zone-less date-times,
		// CRLF, and five empty values where scrapes failed.
		{"grafana-week.csv", 7*1440 - 5, traffic.TimeLocal, (7*1440 - 1) * time.Minute, 5, 1, 525,
			"grafana-week.csv: times read as date-times without a zone (only their spacing matters): 10075 rows over 7d"},
		// The same panel with formatted data off: epoch milliseconds.
		{"grafana-epoch-ms.csv", 1440, traffic.TimeUnixMillis, 1439 * time.Minute, 0, 1, 525,
			"grafana-epoch-ms.csv: times read as Unix milliseconds (13-digit numbers): 1440 rows over 23h59m"},
		// "Download for Excel" in a European locale: a byte-order mark,
		// sep=;, decimal commas, "1,21 K" values and two series.
		{"grafana-excel.csv", 120, traffic.TimeLocal, 119 * time.Minute, 0, 2, 953.6,
			"grafana-excel.csv: 2 value columns; the replay follows the first (column 2) and ignores the rest"},
		// Metadata lines, a spaced header, comments and blank lines.
		{"junk-around.csv", 60, traffic.TimeUnixSeconds, 59 * time.Minute, 0, 1, 525,
			"junk-around.csv: times read as Unix seconds (10-digit numbers): 60 rows over 59m"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			rec, err := traffic.ReadReplay(tc.file, readTestdata(t, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if len(rec.Points) != tc.points || rec.Times != tc.times || rec.Span() != tc.span || rec.Gaps != tc.gaps || rec.Columns != tc.cols {
				t.Errorf("got %d points, %q, span %v, %d gaps, %d columns; want %d, %q, %v, %d, %d",
					len(rec.Points), rec.Times, rec.Span(), rec.Gaps, rec.Columns, tc.points, tc.times, tc.span, tc.gaps, tc.cols)
			}
			if rec.Points[0].T != 0 || rec.Points[0].Rate != tc.first {
				t.Errorf("first point %v; want %g at 0", rec.Points[0], tc.first)
			}
			for i, p := range rec.Points {
				if p.Rate < 0 || math.IsNaN(p.Rate) || (i > 0 && p.T <= rec.Points[i-1].T) {
					t.Fatalf("point %d = %v after %v", i, p, rec.Points[max(i-1, 0)])
				}
			}
			if !strings.Contains(strings.Join(rec.Notes, "\n"), tc.note) {
				t.Errorf("notes:\n%s\nwant %q", strings.Join(rec.Notes, "\n"), tc.note)
			}
		})
	}
}

// Grafana's formatted values carry units and scales; a peak near 20:00 is
// written "1,21 K" in the European export.
func TestReplayReadsFormattedRates(t *testing.T) {
	rec, err := traffic.ReadReplay("x.csv", readTestdata(t, "grafana-excel.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if m := maxRate(rec.Points); m < 1000 || m > 1300 {
		t.Errorf("peak = %g; want the \"K\" values read as thousands", m)
	}
	for _, tc := range []struct {
		csv  string
		want float64
	}{
		{"0,120 req/s\n60,1\n", 120},
		{"0,1.5 K\n60,1\n", 1500},
		{"0;2,5 Mil\n60;1\n", 2.5e6},
		{"0,\"1,234.5\"\n60,1\n", 1234.5},
		{"0,6000/m\n60,1\n", 100},
		{"0,90 rpm\n60,1\n", 1.5},
		{"0\t3,25\n60\t1\n", 3.25},
		{"0 7\n60 1\n", 7},
	} {
		rec, err := traffic.ReadReplay("r.csv", []byte(tc.csv))
		if err != nil {
			t.Errorf("%q: %v", tc.csv, err)
			continue
		}
		if got := rec.Points[0].Rate; math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("%q: rate %g; want %g", tc.csv, got, tc.want)
		}
	}
}

func maxRate(ps []traffic.Point) float64 {
	m := 0.0
	for _, p := range ps {
		m = math.Max(m, p.Rate)
	}
	return m
}

// The same instants written in seconds, milliseconds, microseconds,
// nanoseconds, RFC 3339 or as offsets give the same points, and the reader
// says which it saw.
func TestReplayDetectsTheTimeUnitByMagnitude(t *testing.T) {
	want := []traffic.Point{{T: 0, Rate: 10}, {T: 90 * time.Second, Rate: 20}, {T: 150 * time.Second, Rate: 5}}
	for _, tc := range []struct {
		csv   string
		times traffic.TimeFormat
		note  string
	}{
		{"1772409600,10\n1772409690,20\n1772409750,5\n", traffic.TimeUnixSeconds, "Unix seconds"},
		{"1772409600000,10\n1772409690000,20\n1772409750000,5\n", traffic.TimeUnixMillis, "Unix milliseconds"},
		{"1772409600000000,10\n1772409690000000,20\n1772409750000000,5\n", traffic.TimeUnixMicros, "Unix microseconds"},
		{"1772409600000000000,10\n1772409690000000000,20\n1772409750000000000,5\n", traffic.TimeUnixNanos, "Unix nanoseconds"},
		{"1772409600.0,10\n1772409690.0,20\n1772409750.0,5\n", traffic.TimeUnixSeconds, "Unix seconds"},
		{"2026-03-02T00:00:00Z,10\n2026-03-02T01:01:30+01:00,20\n2026-03-02T00:02:30.000Z,5\n", traffic.TimeRFC3339, "RFC 3339"},
		{"2026-03-02 00:00:00 UTC,10\n2026-03-02 00:01:30 UTC,20\n2026-03-02 00:02:30 UTC,5\n", traffic.TimeRFC3339, "RFC 3339"},
		{"2026-03-02 00:00:00 10\n2026-03-02 00:01:30 20\n2026-03-02 00:02:30 5\n", traffic.TimeLocal, "without a zone"},
		{"0,10\n90,20\n150,5\n", traffic.TimeSeconds, "times read as seconds:"},
		{"0s,10\n1m30s,20\n2m30s,5\n", traffic.TimeDurations, "durations from the start"},
	} {
		rec, err := traffic.ReadReplay("u.csv", []byte(tc.csv))
		if err != nil {
			t.Errorf("%q: %v", tc.csv, err)
			continue
		}
		if rec.Times != tc.times || fmt.Sprint(rec.Points) != fmt.Sprint(want) {
			t.Errorf("%q: %q %v; want %q %v", tc.csv, rec.Times, rec.Points, tc.times, want)
		}
		if !strings.Contains(rec.Notes[0], tc.note) {
			t.Errorf("%q: note %q; want it to say %q", tc.csv, rec.Notes[0], tc.note)
		}
	}
}

// A file listed newest first is replayed oldest first, and says so.
func TestReplayTurnsANewestFirstFileAround(t *testing.T) {
	rec, err := traffic.ReadReplay("d.csv", []byte("time,rate\n1772409720,30\n1772409660,20\n1772409600,10\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !rec.Reversed || fmt.Sprint(rec.Points) != "[10@0s 20@1m 30@2m]" || !strings.Contains(strings.Join(rec.Notes, "\n"), "newest first") {
		t.Fatalf("got %v reversed=%v notes %q", rec.Points, rec.Reversed, rec.Notes)
	}
}

// Errors name the file, the line and what was expected, and never show the
// line itself: a replay pointed at the wrong file must not print secrets.
func TestReplayErrorsDoNotEchoTheFile(t *testing.T) {
	const secret = "hunter2-AKIAIOSFODNN7EXAMPLE"
	good := "0,1\n60,2\n"
	for _, tc := range []struct {
		name, csv, want string
	}{
		{"an environment dump (NUL-separated)", "HOME=/root\x00AWS_SECRET_ACCESS_KEY=" + secret + "\x00", "e.csv: the file holds NUL bytes: it is not a text CSV of time,rate"},
		{"a .env file", "HOME=/root\nPASSWORD=" + secret + "\nA=1\nB=2\nC=3\nD=4\nE=5\nF=6\nG=7\nH=8\nI=9\n", "e.csv:11: no row of TIME,RATE in the first 10 lines: is this a replay CSV?"},
		{"a junk line among the data", good + "token " + secret + "\n120,3\n", "e.csv:3: want TIME,RATE; the first column is not a time"},
		{"a bad rate", good + "120," + secret + "\n", "e.csv:3: want TIME,RATE; the second column is not a rate"},
		{"a one-column line", good + secret + "\n", "e.csv:3: want TIME,RATE; the line has one column"},
		{"a negative rate", good + "120,-4\n", "e.csv:3: the rate is negative"},
		{"a change of unit", good + "1772409600000,3\n", "e.csv:3: the time is in Unix milliseconds but the first row's is in seconds"},
		{"rows out of order", good + "30,3\n", "e.csv:3: the time is earlier than line 2's, but the rows before it go forward in time"},
		{"a repeated zone-less time", "2026-10-25 02:30:00,1\n2026-10-25 02:30:00,2\n", "e.csv:2: the time is the same as line 1's (a daylight-saving change in a file without time zones? export in UTC)"},
		{"UTF-16", "\xFF\xFEt\x00,\x00", "e.csv: the file is UTF-16 text; save it as UTF-8 CSV"},
		{"a huge line", "0,1\n" + strings.Repeat(secret, 40000) + "\n", "e.csv:2: the line is longer than 1024 KiB"},
		{"one row", "0,1\n", "e.csv: need at least two rows of TIME,RATE; found 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := traffic.ReadReplay("e.csv", []byte(tc.csv))
			if err == nil {
				t.Fatal("no error")
			}
			if got := err.Error(); !strings.HasPrefix(got, tc.want) {
				t.Errorf("got  %s\nwant %s…", got, tc.want)
			}
			if strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "HOME") {
				t.Errorf("the error shows the file's content: %s", err)
			}
		})
	}
}

// A replay's length is capped in rows, in recorded span and in played
// length, and each error names the cap.
func TestReplayCaps(t *testing.T) {
	var b strings.Builder
	for i := range traffic.MaxReplayRows + 1 {
		fmt.Fprintf(&b, "%d,1\n", i)
	}
	_, err := traffic.ReadReplay("rows.csv", []byte(b.String()))
	if err == nil || err.Error() != "rows.csv:1000001: more than 1000000 rows, the most a replay holds; keep fewer rows (a coarser step)" {
		t.Errorf("rows: %v", err)
	}
	_, err = traffic.ReadReplay("span.csv", []byte("2026-01-01T00:00:00Z,1\n2026-01-20T00:00:00Z,1\n2026-02-01T00:00:01Z,1\n"))
	if err == nil || err.Error() != "span.csv:3: the recording spans more than 31d from its first row, the longest replay headroom plays; cut the file" {
		t.Errorf("span: %v", err)
	}
	_, err = traffic.ReadReplay("big.csv", make([]byte, traffic.MaxReplayBytes+1))
	if err == nil || !strings.Contains(err.Error(), "big.csv: 67,108,865 bytes, more than the 64Mi a replay file may be") {
		t.Errorf("bytes: %v", err)
	}

	load := func(string) ([]byte, error) { return []byte("0,1\n3600,2\n"), nil } // an hour
	for shape, want := range map[string]string{
		"replay:file=h.csv,speed=0.001": `replay: speed="0.001": the replay would play for 41d16h, longer than 31d`,
		"replay:file=h.csv,for=32d":     `replay: for="32d": the replay would play for 32d, longer than 31d`,
	} {
		if _, err := traffic.Parse(shape, load); err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%s: %v; want %s…", shape, err, want)
		}
	}
	if _, err := traffic.Parse("replay:file=h.csv,speed=0.01", load); err != nil { // 100h: fine
		t.Errorf("a 100-hour replay: %v", err)
	}
	long := []traffic.Point{{T: 0, Rate: 1}, {T: 32 * 24 * time.Hour, Rate: 1}}
	if _, err := traffic.Replay(long, 1, 1); err == nil || !strings.Contains(err.Error(), "more than 31d") {
		t.Errorf("Replay of 32 days: %v", err)
	}
}

// The detection notes travel with the curve, so the CLI can print them
// wherever the shape came from.
func TestReplayNotesTravelWithTheCurve(t *testing.T) {
	load := func(name string) ([]byte, error) { return os.ReadFile(filepath.Join("testdata", name)) }
	c, err := traffic.Parse("replay:file=grafana-epoch-ms.csv,speed=60", load)
	if err != nil {
		t.Fatal(err)
	}
	if c.Duration() != 1439*time.Second {
		t.Errorf("duration %v; want 23m59s (a day at speed 60)", c.Duration())
	}
	notes := c.Scale(2).Notes()
	if len(notes) != 1 || !strings.Contains(notes[0], "Unix milliseconds") {
		t.Errorf("notes = %q", notes)
	}
	if n := mustParse(t, "constant:rate=1,for=1s").Notes(); len(n) != 0 {
		t.Errorf("a constant shape has notes %q", n)
	}
}

func FuzzReadReplay(f *testing.F) {
	for _, s := range []string{
		"0,1\n60,2\n", "time,rate\n1772409600000,5\n1772409660000,6\n",
		"\xEF\xBB\xBFsep=;\r\n\"Time\";\"a\"\r\n\"2026-03-02 00:00:00\";1,5 K\r\n\"2026-03-02 00:01:00\";\r\n\"2026-03-02 00:02:00\";2\r\n",
		"2026-03-02T00:00:00Z 1\n2026-03-02T00:00:10Z 2\n", "3,1\n2,1\n1,1\n", "0s,1\n1m,2\n", "#\n\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 64<<10 { // larger inputs only slow the search
			return
		}
		rec, err := traffic.ReadReplay("f.csv", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "f.csv") {
				t.Fatalf("error without the file's name: %v", err)
			}
			return
		}
		if len(rec.Points) < 2 || len(rec.Points) > traffic.MaxReplayRows || rec.Points[0].T != 0 || rec.Span() > traffic.MaxReplaySpan || len(rec.Notes) == 0 {
			t.Fatalf("bad recording: %d points, span %v, notes %q", len(rec.Points), rec.Span(), rec.Notes)
		}
		for i, p := range rec.Points {
			if p.Rate < 0 || math.IsNaN(p.Rate) || math.IsInf(p.Rate, 0) || (i > 0 && p.T <= rec.Points[i-1].T) {
				t.Fatalf("point %d = %v", i, p)
			}
		}
		if _, err := traffic.Replay(rec.Points, 1, 1); err != nil {
			t.Fatalf("Replay refuses what ReadReplay read: %v", err)
		}
	})
}
