//go:build !linux

package load

import (
	"errors"
	"net"
)

// rawIO is the Linux client's raw system-call path (rawio_linux.go). On
// other systems newRawIO never returns one, so the lean HTTP/1.1 client
// reads and writes its net.Conn directly: the same behaviour, at a higher
// CPU cost per request. The type exists only so that h1.go compiles
// unchanged everywhere.
type rawIO struct{}

// errNoRawIO is what a rawIO would return if one were ever used here.
var errNoRawIO = errors.New("raw socket I/O is only used on Linux")

// newRawIO returns nil: no raw system calls on this system.
func newRawIO(net.Conn) *rawIO { return nil }

// Send is never called: newRawIO returns no rawIO here.
func (*rawIO) Send([]byte) {}

// Read is never called: newRawIO returns no rawIO here.
func (*rawIO) Read([]byte) (int, error) { return 0, errNoRawIO }

// Write is never called: newRawIO returns no rawIO here.
func (*rawIO) Write([]byte) (int, error) { return 0, errNoRawIO }
