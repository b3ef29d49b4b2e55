package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/headroom-sre/headroom/internal/spec"
	"github.com/headroom-sre/headroom/traffic"
)

// readSpec reads a YAML (or JSON) file into its documents. Files the
// documents name (a replay CSV, a capacity profile) are resolved relative to
// the file's directory. A missing file is a usage error with a hint.
func (a *app) readSpec(path string) ([]*spec.Document, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, usageError(err, "check the path; relative paths are taken from the current directory")
	}
	docs, err := spec.Parse(path, data)
	if err != nil {
		return nil, usageError(err, "")
	}
	load := relativeLoader(filepath.Dir(path))
	for _, d := range docs {
		d.Load = load
	}
	return docs, nil
}

// relativeLoader reads files named in a spec relative to dir (absolute
// names are used as they are).
func relativeLoader(dir string) traffic.Loader {
	return func(name string) ([]byte, error) {
		if !filepath.IsAbs(name) {
			name = filepath.Join(dir, name)
		}
		return os.ReadFile(name)
	}
}

// fileLoader reads files relative to the current directory (for shapes
// given on the command line).
func fileLoader(name string) ([]byte, error) { return os.ReadFile(name) }

// writeJSON writes v as indented JSON followed by a newline.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// createOutput creates the file at path for writing results, making its
// directory when needed. "-" means stdout.
func (a *app) createOutput(path string) (io.WriteCloser, error) {
	if path == "-" {
		return nopCloser{a.stdio.Out}, nil
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("create %s: %w", dir, err)
		}
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, withHint(err, "check that the directory exists and is writable")
	}
	return f, nil
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }
