//go:build darwin || dragonfly || freebsd || illumos || linux || netbsd || openbsd

package campaign

import (
	"errors"
	"os"
	"syscall"
)

// tryLock takes an exclusive flock on f without waiting (flock(2): LOCK_EX|LOCK_NB).
// The standard library's syscall.Flock is all this needs; golang.org/x/sys is not.
func tryLock(f *os.File) error {
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
