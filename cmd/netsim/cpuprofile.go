package main

import (
	"fmt"
	"os"
	"runtime/pprof"
)

// startCPUProfile starts writing the process's CPU profile to path (run's
// --cpuprofile), for `go tool pprof`, and returns what stops it and closes the file.
// cmd/netsim/default.pgo, the profile the build optimises netsim for, is made of such
// profiles (doc.go says how).
func startCPUProfile(path string) (stop func() error, err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		os.Remove(path)
		return nil, fmt.Errorf("--cpuprofile %s: %w", path, err)
	}
	return func() error {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			return fmt.Errorf("--cpuprofile: %w", err)
		}
		return nil
	}, nil
}
