//go:build unix

package emulator

import (
	"errors"
	"os"
	"syscall"
)

// flockExclusive takes an exclusive flock(2) on f without waiting;
// errLocked when another open file description holds one.
func flockExclusive(f *os.File) error {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		switch {
		case err == nil:
			return nil
		case errors.Is(err, syscall.EINTR):
			continue
		case errors.Is(err, syscall.EWOULDBLOCK):
			return errLocked
		}
		return err
	}
}
