package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/headroom-sre/headroom/internal/spec"
	"github.com/headroom-sre/headroom/traffic"
)

// Caps on the size of the files the CLI reads. A mistaken path (a log, a
// device, a disk image) must not fill memory before anything can say it is
// the wrong file; each cap is far above what its files need.
const (
	// maxSpecBytes caps System, scenario, SLO and price files.
	maxSpecBytes = spec.MaxFileBytes
	// maxNamedBytes caps the files a spec or a shape names: replay CSVs,
	// CSV data for {{csv.COLUMN}}, request bodies, capacity profiles.
	maxNamedBytes = traffic.MaxReplayBytes
	// maxSnapshotBytes caps a cluster snapshot (kubectl get -o yaml of
	// every namespace: about 10 KiB an object).
	maxSnapshotBytes = 256 << 20
)

// fileTooBig is the error for a file over its cap. It says how big the file
// is when that is known, never what is in it.
type fileTooBig struct {
	path, what string
	size       int64 // -1 when only known to be over limit
	limit      int64
}

func (e *fileTooBig) Error() string {
	size := "larger than " + sizeText(e.limit)
	if e.size >= 0 {
		size = sizeText(e.size)
	}
	return fmt.Sprintf("%s: the file is %s; headroom reads at most %s from %s", e.path, size, sizeText(e.limit), e.what)
}

// sizeText writes a byte count for people: "4 MiB", "7.3 MiB", "600 KiB".
func sizeText(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// readFileCapped reads the file at path, refusing one larger than limit
// bytes without reading past the limit (files under /proc and devices
// report no size, so the read itself is bounded). what names the kind of
// file for the message: "a spec file", "a replay or data file".
func readFileCapped(path, what string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() && st.Size() > limit {
		return nil, &fileTooBig{path: path, what: what, size: st.Size(), limit: limit}
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, &fileTooBig{path: path, what: what, size: -1, limit: limit}
	}
	return data, nil
}

// readSpec reads a YAML (or JSON) file into its documents. Files the
// documents name (a replay CSV, a capacity profile) are resolved relative to
// the file's directory. A missing or oversized file is a usage error with a
// hint.
func (a *app) readSpec(path string) ([]*spec.Document, error) {
	data, err := readFileCapped(path, "a YAML or JSON file", maxSpecBytes)
	if err != nil {
		var big *fileTooBig
		if errors.As(err, &big) {
			return nil, usageError(err, "check that this is the file you meant; a System, scenario, SLO or price file is a few KiB")
		}
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
// names are used as they are), up to maxNamedBytes.
func relativeLoader(dir string) traffic.Loader {
	return func(name string) ([]byte, error) {
		if !filepath.IsAbs(name) {
			name = filepath.Join(dir, name)
		}
		return readNamed(name)
	}
}

// fileLoader reads files relative to the current directory (for shapes
// given on the command line), up to maxNamedBytes.
func fileLoader(name string) ([]byte, error) { return readNamed(name) }

// readNamed reads a file a spec or a shape names. Its errors go into a
// problem or a shape error, so the hint is part of the message.
func readNamed(name string) ([]byte, error) {
	data, err := readFileCapped(name, "a replay, data or body file", maxNamedBytes)
	var big *fileTooBig
	if errors.As(err, &big) {
		return nil, fmt.Errorf("%w (for a replay, keep fewer rows: a coarser step)", err)
	}
	return data, err
}

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
