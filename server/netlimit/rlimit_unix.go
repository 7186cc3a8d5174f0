//go:build unix

package netlimit

import "syscall"

// RaiseFileLimit raises the soft limit on open files to the hard one and returns the limit in
// force. Go's runtime does the same at start on most systems; doing it here makes it
// explicit and gives the figure the connection cap is bounded by.
func RaiseFileLimit() (uint64, error) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, err
	}
	if lim.Cur < lim.Max {
		raised := lim
		raised.Cur = lim.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &raised); err != nil {
			return uint64(lim.Cur), err
		}
		lim = raised
	}
	return uint64(lim.Cur), nil
}
