package cli

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/pflag"

	"github.com/headroom-sre/headroom/report"
)

// addHTMLFlag registers --html FILE: the command's result as a
// self-contained HTML report, besides its output on stdout.
func addHTMLFlag(fl *pflag.FlagSet, path *string) {
	fl.StringVar(path, "html", "", "also write the result as a single-file HTML report to FILE")
}

// writeHTMLReport writes doc to path as HTML ("" writes nothing). It
// writes a temporary file beside path and renames it, so a failed render
// never leaves half a report.
func (a *app) writeHTMLReport(path string, doc report.Document) error {
	if path == "" {
		return nil
	}
	if doc.Generated.IsZero() {
		doc.Generated = a.now()
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return withHint(fmt.Errorf("--html: %w", err), "check that the directory can be created")
	}
	f, err := os.CreateTemp(dir, ".headroom-*.html")
	if err != nil {
		return withHint(fmt.Errorf("--html: %w", err), "check that the directory is writable")
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if err := report.WriteHTML(f, doc, report.HTMLOptions{Version: buildInfo().Version}); err != nil {
		f.Close()
		return fmt.Errorf("--html %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("--html %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("--html %s: %w", path, err)
	}
	return nil
}
