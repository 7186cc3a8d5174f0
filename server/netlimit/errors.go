package netlimit

import (
	"errors"
	"net"
	"syscall"
)

// retryable are the errors of accept(2) that pass: the process or the system is out of
// descriptors or memory for a while, or the connection failed before it could be accepted
// (Linux reports the pending network errors of a new connection from accept itself).
var retryable = []syscall.Errno{
	syscall.EMFILE, syscall.ENFILE, syscall.ENOBUFS, syscall.ENOMEM,
	syscall.ECONNABORTED, syscall.ECONNRESET, syscall.EINTR, syscall.EAGAIN,
	syscall.EPROTO, syscall.ENOPROTOOPT, syscall.ENETDOWN, syscall.ENETUNREACH,
	syscall.EHOSTDOWN, syscall.EHOSTUNREACH, syscall.EOPNOTSUPP, syscall.ETIMEDOUT,
}

// temporary reports whether an error of Accept passes if one waits: then the listener is
// still good and accepting again later will succeed.
func temporary(err error) bool {
	if errors.Is(err, net.ErrClosed) {
		return false
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		return false
	}
	for _, e := range retryable {
		if errno == e {
			return true
		}
	}
	return false
}
