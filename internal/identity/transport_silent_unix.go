//go:build unix

package identity

import (
	"errors"
	"net"
	"syscall"
)

// silent tells whether an idle connection is still open with nothing to
// read: a peek that does not wait finds no byte and no end (EAGAIN). An
// end (the server closed it) or bytes nobody asked for mean it cannot
// carry a request.
func silent(nc net.Conn) bool {
	sc, ok := nc.(syscall.Conn)
	if !ok {
		return true // not a socket (a test's pipe): nothing to look at
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	var (
		buf    [1]byte
		result error
	)
	err = rc.Read(func(fd uintptr) bool {
		_, _, result = syscall.Recvfrom(int(fd), buf[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		if result == nil {
			result = errors.New("readable") // a byte, or the end (0 bytes)
		}
		return true // never wait
	})
	return err == nil && (errors.Is(result, syscall.EAGAIN) || errors.Is(result, syscall.EWOULDBLOCK))
}
