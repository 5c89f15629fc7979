//go:build !(darwin || dragonfly || freebsd || illumos || linux || netbsd || openbsd)

package campaign

import "os"

// tryLock is a no-op where the standard library offers no flock (Windows, Plan 9,
// js): there two processes on one folder are not kept apart.
func tryLock(f *os.File) error { return nil }
