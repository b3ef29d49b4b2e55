//go:build !windows

package load

import "syscall"

// The system error numbers behind each class of request failure (see
// Classify and generatorFailure).
var (
	// refusedErrnos: nothing listens at the target's address.
	refusedErrnos = []error{syscall.ECONNREFUSED}
	// resetErrnos: the peer closed or reset the connection.
	resetErrnos = []error{syscall.ECONNRESET, syscall.EPIPE, syscall.ECONNABORTED}
	// generatorErrnos: the generator ran out of file descriptors, local
	// ports or socket buffers.
	generatorErrnos = []error{syscall.EMFILE, syscall.ENFILE, syscall.EADDRNOTAVAIL, syscall.ENOBUFS}
)
