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
//
// A request can also be queued with Send: the next Read writes it and
// then waits for the response in one poller round (see sendRead), which
// saves a read system call that would only find nothing there yet.
type rawIO struct {
	rc         syscall.RawConn
	p          []byte
	n          int
	err        error
	pend       []byte // a request to write before the next read (Send)
	partial    bool   // the pending request did not fit in the socket buffer
	readFn     func(fd uintptr) bool
	writeFn    func(fd uintptr) bool
	sendReadFn func(fd uintptr) bool
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
	r.sendReadFn = r.sendRead
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

// sendRead is the read callback that first writes the pending request.
// The poller's read readiness was reset before it runs (RawConn.Read
// prepares the wait before calling it), so a response that arrives after
// the write always wakes the wait that follows: returning false right
// after the write waits for the response without trying a read that
// could only find nothing yet.
func (r *rawIO) sendRead(fd uintptr) bool {
	if len(r.pend) == 0 {
		return r.read(fd)
	}
	for len(r.pend) > 0 {
		n, _, errno := syscall.RawSyscall(syscall.SYS_WRITE, fd, uintptr(unsafe.Pointer(&r.pend[0])), uintptr(len(r.pend)))
		switch errno {
		case 0:
			r.pend = r.pend[n:]
		case syscall.EINTR:
		case syscall.EAGAIN:
			r.partial = true // the rest waits for the socket to drain (Read)
			return true
		default:
			r.pend, r.err = nil, errno
			return true
		}
	}
	return false // sent: wait for the response
}

// Send queues req to be written by the next Read, which then waits for
// the response. req must stay unchanged until that Read returns.
func (r *rawIO) Send(req []byte) { r.pend, r.partial = req, false }

// Read implements io.Reader. A request queued with Send is written first.
func (r *rawIO) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	r.p, r.n, r.err = p, 0, nil
	fn := r.readFn
	if len(r.pend) > 0 {
		fn = r.sendReadFn
	}
	if err := r.rc.Read(fn); err != nil {
		r.pend, r.p = nil, nil
		return 0, err
	}
	if r.partial {
		// A request larger than the socket buffer: finish writing it, then
		// read as usual.
		rest := r.pend
		r.pend, r.partial = nil, false
		if _, err := r.Write(rest); err != nil {
			return 0, err
		}
		r.p, r.n, r.err = p, 0, nil
		if err := r.rc.Read(r.readFn); err != nil {
			return 0, err
		}
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
