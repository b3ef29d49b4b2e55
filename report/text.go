package report

import (
	"fmt"
	"io"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/headroom-sre/headroom/units"
)

// TextOptions configure WriteText.
type TextOptions struct {
	// Width is the sparkline width in characters (default 48).
	Width int
}

var sparks = []rune("▁▂▃▄▅▆▇█")

// WriteText writes doc for a terminal: verdicts first, headline numbers,
// charts as one sparkline per series with its range, aligned tables.
func WriteText(w io.Writer, doc Document, opts TextOptions) error {
	if opts.Width <= 0 {
		opts.Width = 48
	}
	tw := &errWriter{w: w}
	tw.printf("%s\n", doc.Title)
	if doc.Subtitle != "" {
		tw.printf("%s\n", doc.Subtitle)
	}
	for _, s := range doc.Sections {
		tw.printf("\n%s\n%s\n", s.Title, strings.Repeat("─", utf8.RuneCountInString(s.Title)))
		if s.Verdict != nil {
			tw.printf("%s %s\n", statusMark(s.Verdict.Status), s.Verdict.Text)
		}
		if s.Intro != "" {
			tw.printf("%s\n", s.Intro)
		}
		if len(s.Tiles) > 0 {
			width := 0
			for _, t := range s.Tiles {
				width = max(width, utf8.RuneCountInString(t.Label))
			}
			for _, t := range s.Tiles {
				line := fmt.Sprintf("  %-*s  %s", width, t.Label, t.Value)
				if t.Status == Fail || t.Status == Warn {
					line += "  " + statusMark(t.Status)
				}
				if t.Detail != "" {
					line += "  (" + t.Detail + ")"
				}
				tw.printf("%s\n", line)
			}
		}
		for _, c := range s.Charts {
			tw.printf("\n  %s\n", c.Title)
			width := 0
			for _, se := range c.Series {
				width = max(width, utf8.RuneCountInString(se.Name))
			}
			for _, se := range c.Series {
				line, lo, hi := sparkline(se.Y, opts.Width)
				tw.printf("  %-*s %s  %s…%s\n", width, se.Name, line, units.Compact(lo), units.Compact(hi))
			}
		}
		for _, t := range s.Tables {
			tw.printf("\n")
			writeTable(tw, t)
		}
		for _, n := range s.Notes {
			tw.printf("  · %s\n", n)
		}
	}
	return tw.err
}

func statusMark(s Status) string {
	switch s {
	case OK:
		return "✔"
	case Warn:
		return "!"
	case Fail:
		return "✖"
	}
	return "•"
}

// sparkline draws ys in width characters (the max of each bucket), and
// returns the range drawn.
func sparkline(ys []float64, width int) (string, float64, float64) {
	var vals []float64
	for _, y := range ys {
		if finite(y) {
			vals = append(vals, y)
		}
	}
	if len(vals) == 0 {
		return "", 0, 0
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range vals {
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	n := min(width, len(vals))
	var b strings.Builder
	for i := 0; i < n; i++ {
		start, end := i*len(vals)/n, (i+1)*len(vals)/n
		m := math.Inf(-1)
		for _, v := range vals[start:max(end, start+1)] {
			m = math.Max(m, v)
		}
		idx := 0
		if hi > lo {
			idx = int(math.Round((m - lo) / (hi - lo) * float64(len(sparks)-1)))
		}
		b.WriteRune(sparks[idx])
	}
	return b.String(), lo, hi
}

func writeTable(tw *errWriter, t Table) {
	num := numericColumns(t)
	widths := make([]int, len(t.Columns))
	for i, c := range t.Columns {
		widths[i] = utf8.RuneCountInString(c)
	}
	for _, row := range t.Rows {
		for i, c := range row {
			if i < len(widths) {
				widths[i] = max(widths[i], utf8.RuneCountInString(c))
			}
		}
	}
	if t.Title != "" {
		tw.printf("  %s\n", t.Title)
	}
	hl := map[int]bool{}
	for _, i := range t.Highlight {
		hl[i] = true
	}
	line := func(cells []string, mark string) {
		var b strings.Builder
		b.WriteString(mark)
		for i := range t.Columns {
			c := ""
			if i < len(cells) {
				c = cells[i]
			}
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c))
			if num[i] {
				b.WriteString(pad + c)
			} else {
				b.WriteString(c + pad)
			}
			if i < len(t.Columns)-1 {
				b.WriteString("  ")
			}
		}
		tw.printf("%s\n", strings.TrimRight(b.String(), " "))
	}
	line(t.Columns, "  ")
	for r, row := range t.Rows {
		mark := "  "
		if hl[r] {
			mark = "▸ "
		}
		line(row, mark)
	}
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}
