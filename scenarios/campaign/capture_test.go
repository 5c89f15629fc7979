package campaign

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A kind that does not hand its network to a capture is refused before anything runs,
// and a capture without an output folder too.
func TestCaptureRefusedBeforeRunning(t *testing.T) {
	s := mustParse(t, "kind: toy\ncapture: {pcap: [a]}\n")
	dir := filepath.Join(t.TempDir(), "out")
	_, err := Run(context.Background(), s, RunOptions{OutDir: dir, Workers: 1})
	if err == nil || !strings.Contains(err.Error(), "test.yaml: capture: kind toy cannot be captured yet") {
		t.Fatalf("got %v", err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("the output folder was made: %v", err)
	}
	if _, err := Run(context.Background(), s, RunOptions{Workers: 1}); err == nil || !strings.Contains(err.Error(), "a capture needs an output folder") {
		t.Fatalf("got %v", err)
	}
}

// Capture files are named by run and host, a host's name made safe for a file.
func TestCaptureFileNames(t *testing.T) {
	s := mustParse(t, "kind: toy\ncapture: {pcap: [a, 'b/c'], msc: [a]}\n")
	got := strings.Join(captureFiles("out", s.Capture, 7), " ")
	want := "out/capture/run-7-a.pcap out/capture/run-7-b_c.pcap out/capture/run-7-msc.svg out/capture/run-7-msc.png"
	if got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}
