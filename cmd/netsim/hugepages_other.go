//go:build !linux

package main

import "io"

// startHugePages does nothing off Linux: transparent huge pages are Linux's.
func startHugePages(value string, stderr io.Writer) {}
