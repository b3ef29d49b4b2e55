package pipeline

import (
	"io/fs"
	"time"
)

// Files reads the files a use case names: a System file, the capacity
// profiles and replays it refers to, a results file. Names are as the user
// wrote them; relative names are resolved by the implementation.
type Files interface {
	ReadFile(name string) ([]byte, error)
}

// MapFiles is a Files held in memory, by name: for tests and examples.
type MapFiles map[string][]byte

// ReadFile returns the named file, or an error wrapping fs.ErrNotExist.
func (m MapFiles) ReadFile(name string) ([]byte, error) {
	b, ok := m[name]
	if !ok {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return b, nil
}

// Clock tells the time a result is stamped with.
type Clock interface {
	Now() time.Time
}

// SystemClock is the wall clock.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }

// FixedClock always tells the same time: for tests and golden files.
type FixedClock time.Time

// Now returns the fixed time.
func (c FixedClock) Now() time.Time { return time.Time(c) }
