package load

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"

	"github.com/headroom-sre/headroom/stats"
)

// Classify maps a request error to its class: stats.ErrTimeout,
// ErrRefused, ErrReset, ErrDNS, ErrTLS or ErrOther. A connection the peer
// closed before the response was complete counts as reset.
func Classify(err error) string {
	var (
		dnsErr   *net.DNSError
		recErr   tls.RecordHeaderError
		alertErr tls.AlertError
		certErr  *tls.CertificateVerificationError
		unknown  x509.UnknownAuthorityError
		hostErr  x509.HostnameError
		invalid  x509.CertificateInvalidError
	)
	switch {
	case err == nil:
		return ""
	case errors.As(err, &dnsErr):
		if dnsErr.IsTimeout {
			return stats.ErrTimeout
		}
		return stats.ErrDNS
	case errors.As(err, &recErr), errors.As(err, &alertErr), errors.As(err, &certErr),
		errors.As(err, &unknown), errors.As(err, &hostErr), errors.As(err, &invalid):
		return stats.ErrTLS
	case isTimeout(err):
		return stats.ErrTimeout
	case isAny(err, refusedErrnos):
		return stats.ErrRefused
	case isAny(err, resetErrnos), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return stats.ErrReset
	}
	return stats.ErrOther
}

// isTimeout reports whether err is a deadline or timeout (a passed
// connection deadline is a net.Error whose Timeout is true).
func isTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// generatorFailure reports whether err is the load generator's own failure
// rather than the target's: it ran out of file descriptors or of local
// ports (or of socket buffers) before the request could be sent.
func generatorFailure(err error) bool {
	return isAny(err, generatorErrnos)
}

// isAny reports whether err is any of targets (errors.Is). The system's
// error numbers for each class are in errno_*.go.
func isAny(err error, targets []error) bool {
	for _, t := range targets {
		if errors.Is(err, t) {
			return true
		}
	}
	return false
}
