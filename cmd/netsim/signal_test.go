package main

import (
	"bytes"
	"os"
	osexec "os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain lets a test run this binary as netsim itself, in a child process that a
// signal can stop: with NETSIM_TEST_MAIN=1 it is main, its arguments netsim's.
func TestMain(m *testing.M) {
	if os.Getenv("NETSIM_TEST_MAIN") == "1" {
		main()
	}
	os.Exit(m.Run())
}

// signalCampaign is 30 web-cache runs of some tens of milliseconds each: time for a
// signal to arrive while some are done and others are not.
const signalCampaign = `kind: webcache
name: signals
params:
  requests: 2000
  warmup: 200
sweep:
  hit_probability: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]
replications: 3
plots:
  - name: response
    x: hit_probability
    y: response_mean_s
`

// child starts netsim with args in a process of its own.
func child(t *testing.T, stderr *bytes.Buffer, args ...string) *osexec.Cmd {
	t.Helper()
	cmd := osexec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "NETSIM_TEST_MAIN=1")
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd
}

// journalLines counts the lines of a journal, 0 before there is one.
func journalLines(path string) int {
	data, _ := os.ReadFile(path)
	return bytes.Count(data, []byte("\n"))
}

// SIGTERM (what Slurm and Kubernetes send), SIGHUP and SIGINT stop a campaign as
// Ctrl-C does: the runs finished are kept, netsim says so and exits with the shells'
// status for the signal, 128 + its number; the same command then resumes, and the
// results are byte for byte those of a campaign never stopped.
func TestSignalsStopACampaign(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "signals.yaml")
	writeFile(t, file, signalCampaign)

	whole := filepath.Join(dir, "whole")
	if code, _, stderr := exec(t, backend{}, "run", file, "-o", whole, "-q", "-j", "1"); code != 0 {
		t.Fatalf("uninterrupted campaign: exit %d: %s", code, stderr)
	}

	for _, tc := range []struct {
		sig    syscall.Signal
		code   int
		words  string
		resume bool
	}{
		{syscall.SIGTERM, 143, "terminated (SIGTERM)", true},
		{syscall.SIGHUP, 129, "hung up (SIGHUP)", false},
		{syscall.SIGINT, 130, "interrupted", false},
	} {
		t.Run(tc.words, func(t *testing.T) {
			out := filepath.Join(dir, strconv.Itoa(int(tc.sig)))
			var stderr bytes.Buffer
			cmd := child(t, &stderr, "run", file, "-o", out, "-q", "-j", "1")
			for deadline := time.Now().Add(30 * time.Second); journalLines(filepath.Join(out, "runs.jsonl")) < 2; {
				if time.Now().After(deadline) {
					cmd.Process.Kill()
					t.Fatalf("no run finished in 30 s: %s", stderr.String())
				}
				time.Sleep(5 * time.Millisecond)
			}
			// While it runs, the folder is its own: another netsim is refused.
			code, _, msg := exec(t, backend{}, "run", file, "-o", out, "-q")
			want := "netsim: output folder " + out + " is in use by another netsim (process " + strconv.Itoa(cmd.Process.Pid) + ", since "
			if code != exitError || !strings.HasPrefix(msg, want) {
				t.Errorf("a second netsim on the folder: exit %d, %q; want 1, %q...", code, msg, want)
			}
			if err := cmd.Process.Signal(tc.sig); err != nil {
				t.Fatal(err)
			}
			err := cmd.Wait()
			if ee, ok := err.(*osexec.ExitError); !ok || ee.ExitCode() != tc.code {
				t.Fatalf("exit %v, want status %d; stderr %q", err, tc.code, stderr.String())
			}
			kept := journalLines(filepath.Join(out, "runs.jsonl"))
			want = "netsim: " + tc.words + ": " + strconv.Itoa(kept) + " of 30 runs finished and kept in " + out +
				" (0 of them from before); run the same command again to finish the rest\n"
			if stderr.String() != want || kept >= 30 {
				t.Fatalf("stderr %q, %d runs kept; want %q", stderr.String(), kept, want)
			}
			if !tc.resume {
				return
			}
			// Resumed with another -j, which changes no result.
			code, stdout, msg := exec(t, backend{}, "run", file, "-o", out, "-q", "-j", "2")
			if code != 0 || !strings.HasPrefix(stdout, "signals: 30 runs ("+strconv.Itoa(kept)+" already done, kept)\n") {
				t.Fatalf("resume: exit %d, stderr %q, stdout:\n%s", code, msg, stdout)
			}
			for _, f := range []string{"runs.csv", "summary.csv", "response.csv", "response.png", "response.svg"} {
				if a, b := readAll(t, filepath.Join(out, f)), readAll(t, filepath.Join(whole, f)); !bytes.Equal(a, b) {
					t.Errorf("%s after the resume differs from a campaign never stopped", f)
				}
			}
		})
	}
}

func readAll(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
