package load

import (
	"io"
	"net"
	"syscall"
	"unsafe"
)

// rawIO reads and writes a TCP connection with raw, non-blocking system
// calls inside syscall.RawConn's callbacks. The connection's socket is
// non-blocking, so a call returns at once (EAGAIN when it would block,
// after which RawConn waits for readiness through the runtime's poller,
// deadlines included). Skipping the runtime's entersyscall/exitsyscall
// bookkeeping avoids waking the scheduler's monitor thread and handing the
// processor to another thread around each short call, which is most of a
// Go client's cost per request at a fixed rate.
type rawIO struct {
	rc      syscall.RawConn
	p       []byte
	n       int
	err     error
	readFn  func(fd uintptr) bool
	writeFn func(fd uintptr) bool
}

// newRawIO returns a rawIO for conn, or nil when conn is not a TCP
// connection.
func newRawIO(conn net.Conn) *rawIO {
	tc, ok := conn.(*net.TCPConn)
	if !ok {
		return nil
	}
	rc, err := tc.SyscallConn()
	if err != nil {
		return nil
	}
	r := &rawIO{rc: rc}
	r.readFn = r.read
	r.writeFn = r.write
	return r
}

func (r *rawIO) read(fd uintptr) bool {
	for {
		n, _, errno := syscall.RawSyscall(syscall.SYS_READ, fd, uintptr(unsafe.Pointer(&r.p[0])), uintptr(len(r.p)))
		switch errno {
		case 0:
			r.n = int(n)
			if n == 0 {
				r.err = io.EOF
			}
			return true
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			return false
		default:
			r.err = errno
			return true
		}
	}
}

func (r *rawIO) write(fd uintptr) bool {
	for len(r.p) > 0 {
		n, _, errno := syscall.RawSyscall(syscall.SYS_WRITE, fd, uintptr(unsafe.Pointer(&r.p[0])), uintptr(len(r.p)))
		switch errno {
		case 0:
			r.n += int(n)
			r.p = r.p[n:]
		case syscall.EINTR:
		case syscall.EAGAIN:
			return false
		default:
			r.err = errno
			return true
		}
	}
	return true
}

// Read implements io.Reader.
func (r *rawIO) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	r.p, r.n, r.err = p, 0, nil
	if err := r.rc.Read(r.readFn); err != nil {
		return 0, err
	}
	r.p = nil
	return r.n, r.err
}

// Write implements io.Writer.
func (r *rawIO) Write(p []byte) (int, error) {
	r.p, r.n, r.err = p, 0, nil
	if err := r.rc.Write(r.writeFn); err != nil {
		return r.n, err
	}
	r.p = nil
	return r.n, r.err
}
