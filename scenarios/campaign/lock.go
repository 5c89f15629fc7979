package campaign

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// lockName is the lock file of an output folder. Whoever writes the folder (a run of
// the campaign, a merge into it, a redraw of its figures) holds an exclusive lock on
// it, so that two processes cannot both run into one folder, each skipping and
// appending as if alone. The lock is the kernel's (flock), so it dies with its
// process: a netsim killed with SIGKILL leaves no stale lock.
const lockName = ".netsim.lock"

// dirLock is a held lock on an output folder.
type dirLock struct{ f *os.File }

// errLocked is what tryLock reports when another holds the lock.
var errLocked = errors.New("locked")

// lockDir takes the lock of folder dir, creating the folder, or says who holds it.
func lockDir(dir string) (*dirLock, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("output folder: %w", err)
	}
	path := filepath.Join(dir, lockName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("output folder %s: %w", dir, err)
	}
	if err := tryLock(f); err != nil {
		defer f.Close()
		if !errors.Is(err, errLocked) {
			return nil, fmt.Errorf("output folder %s: locking %s: %w", dir, lockName, err)
		}
		holder := "another netsim"
		if data, err := os.ReadFile(path); err == nil && len(data) > 0 {
			holder += " (" + strings.TrimSpace(string(data)) + ")"
		}
		return nil, fmt.Errorf("output folder %s is in use by %s: wait for it to end, or choose another folder", dir, holder)
	}
	// Who holds it, for the message of whoever finds it taken.
	if err := f.Truncate(0); err == nil {
		fmt.Fprintf(f, "process %d, since %s", os.Getpid(), time.Now().UTC().Format("2006-01-02 15:04:05 UTC"))
	}
	return &dirLock{f}, nil
}

// release gives the lock up. The file stays: removing it would let a third process
// lock a new file while a second still waits on the old one.
func (l *dirLock) release() {
	if l != nil {
		l.f.Close()
	}
}
