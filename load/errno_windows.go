package load

import "syscall"

// Windows Sockets error numbers (winerror.h) that package syscall does not
// name. Windows reports socket failures with these, not with the POSIX
// numbers package syscall invents for portability.
const (
	wsaEMFILE        syscall.Errno = 10024
	wsaEADDRNOTAVAIL syscall.Errno = 10049
	wsaENOBUFS       syscall.Errno = 10055
	wsaESHUTDOWN     syscall.Errno = 10058
	wsaECONNREFUSED  syscall.Errno = 10061
)

// The system error numbers behind each class of request failure (see
// Classify and generatorFailure).
var (
	// refusedErrnos: nothing listens at the target's address.
	refusedErrnos = []error{syscall.ECONNREFUSED, wsaECONNREFUSED}
	// resetErrnos: the peer closed or reset the connection.
	resetErrnos = []error{syscall.ECONNRESET, syscall.EPIPE, syscall.ECONNABORTED,
		syscall.WSAECONNRESET, syscall.WSAECONNABORTED, wsaESHUTDOWN}
	// generatorErrnos: the generator ran out of file descriptors (sockets),
	// local ports or socket buffers.
	generatorErrnos = []error{syscall.EMFILE, syscall.ENFILE, syscall.EADDRNOTAVAIL, syscall.ENOBUFS,
		wsaEMFILE, wsaEADDRNOTAVAIL, wsaENOBUFS}
)
