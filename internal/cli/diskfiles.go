package cli

import (
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/headroom-sre/headroom/pipeline"
)

// diskFiles gives the pipeline the files a command names, from the disk,
// each read with a size cap: limit when set; else YAML files (specs) at
// maxSpecBytes and other files (profiles, replays, data) at maxNamedBytes.
type diskFiles struct{ limit int64 }

// ReadFile reads name, relative to the working directory.
func (f diskFiles) ReadFile(name string) ([]byte, error) {
	switch ext := strings.ToLower(filepath.Ext(name)); {
	case f.limit > 0:
		return readFileCapped(name, "a spec file, a snapshot or a file they name", f.limit)
	case ext == ".yaml" || ext == ".yml":
		return readFileCapped(name, "a YAML or JSON file", maxSpecBytes)
	}
	return readNamed(name)
}

// stdioFiles is diskFiles that also reads "-" as standard input and
// streams files read line by line whatever their size (load-test results,
// through pipeline.Opener).
type stdioFiles struct {
	diskFiles
	stdin io.Reader
}

var (
	_ pipeline.Files  = stdioFiles{}
	_ pipeline.Opener = stdioFiles{}
)

// files is the pipeline's view of the disk and stdin for this invocation.
func (a *app) files() stdioFiles { return stdioFiles{stdin: a.stdio.In} }

// ReadFile reads name with diskFiles' caps; "-" reads standard input, up
// to maxNamedBytes.
func (d stdioFiles) ReadFile(name string) ([]byte, error) {
	if name == "-" && d.stdin != nil {
		data, err := io.ReadAll(io.LimitReader(d.stdin, maxNamedBytes+1))
		if err == nil && int64(len(data)) > maxNamedBytes {
			return nil, &fileTooBig{path: "standard input", what: "a file", size: -1, limit: maxNamedBytes}
		}
		return data, err
	}
	return d.diskFiles.ReadFile(name)
}

// Open streams name ("-": standard input).
func (d stdioFiles) Open(name string) (io.ReadCloser, error) {
	if name == "-" && d.stdin != nil {
		return io.NopCloser(d.stdin), nil
	}
	return os.Open(name)
}
