package campaign

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"netsim/capture"
	"netsim/plots/msc"
	"netsim/scenarios"
	"netsim/topology"
)

// captureDir is the output folder's subfolder for captures: run-K-HOST.pcap and
// run-K-msc.svg and .png for each run K.
const captureDir = "capture"

// fileName makes a host's name safe as part of a file name.
func fileName(host string) string {
	return strings.Map(func(r rune) rune {
		if r == '-' || r == '_' || r == '.' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' {
			return r
		}
		return '_'
	}, host)
}

// captureFiles are the files the capture of run writes, below dir.
func captureFiles(dir string, c *scenarios.Capture, run int) []string {
	var fs []string
	for _, h := range c.Pcap {
		fs = append(fs, filepath.Join(dir, captureDir, fmt.Sprintf("run-%d-%s.pcap", run, fileName(h))))
	}
	if len(c.MSC) > 0 {
		base := filepath.Join(dir, captureDir, fmt.Sprintf("run-%d-msc", run))
		fs = append(fs, base+".svg", base+".png")
	}
	return fs
}

// captureMissing reports whether a file of run's capture is not in dir: the run is
// run again to write it (it gives the same numbers).
func captureMissing(dir string, c *scenarios.Capture, run int) bool {
	for _, f := range captureFiles(dir, c, run) {
		if _, err := os.Stat(f); err != nil {
			return true
		}
	}
	return false
}

// errChecked stops a run that checkCapture has seen attach its stack.
var errChecked = errors.New("capture checked")

// checkCapture builds the network of every point of s, without running it, to check
// that the hosts its capture names are there: before anything runs.
func checkCapture(ctx context.Context, s *scenarios.Scenario) error {
	c := s.Capture
	for i := range s.NumPoints() {
		p := s.Point(i)
		env := scenarios.RunEnv{Seed: scenarios.RunSeed(s.Seed, i*s.Replications), RunIndex: i * s.Replications,
			Attach: func(st *topology.Stack) error {
				for _, h := range c.Hosts() {
					if _, ok := st.Network().Node(h); !ok {
						_, err := capture.New(st, []string{h}, capture.Options{}) // names the hosts there are
						return err
					}
				}
				return errChecked
			}}
		_, err := s.Kind.Run(ctx, p.Params, env)
		switch {
		case errors.Is(err, errChecked):
		case err == nil:
			return fmt.Errorf("%s: capture: kind %s cannot be captured yet: it does not hand its runs' network to a capture (RunEnv.Attach)", s.File, s.Kind.Name())
		default:
			return fmt.Errorf("%s: point %d: %w", s.File, i, err)
		}
	}
	return nil
}

// captureRun is the capture of one run in progress.
type captureRun struct {
	c   *scenarios.Capture
	rec *capture.Recorder
}

// attach is the run's RunEnv.Attach: it taps the capture's hosts.
func (cr *captureRun) attach(st *topology.Stack) error {
	rec, err := capture.New(st, cr.c.Hosts(), capture.Options{SnapLen: int(cr.c.SnapLen.Bytes()), MaxFileBytes: cr.c.MaxFile.Bytes()})
	cr.rec = rec
	return err
}

// write writes the run's pcap files and chart into dir's capture folder, each
// atomically; on an error, none of the run's capture files is left.
func (cr *captureRun) write(dir string, s *scenarios.Scenario, run int) (err error) {
	if cr.rec == nil {
		return fmt.Errorf("capture: kind %s did not hand its network to the capture", s.Kind.Name())
	}
	if err := os.MkdirAll(filepath.Join(dir, captureDir), 0o755); err != nil {
		return err
	}
	files := captureFiles(dir, cr.c, run)
	defer func() {
		if err != nil {
			for _, f := range files {
				os.Remove(f)
			}
		}
	}()
	for i, h := range cr.c.Pcap {
		var buf bytes.Buffer
		if err := cr.rec.WritePcap(&buf, h); err != nil {
			return err
		}
		if err := writeFileAtomic(files[i], buf.Bytes()); err != nil {
			return err
		}
	}
	if len(cr.c.MSC) == 0 {
		return nil
	}
	chart, err := cr.rec.Chart(cr.c.MSC, capture.ChartOptions{
		Title: fmt.Sprintf("%s: run %d", s.Name, run),
		From:  cr.c.From.Time(), To: cr.c.To.Time(), Messages: cr.c.MessageFilter(),
	})
	if err != nil {
		return err
	}
	if len(chart.Messages) == 0 {
		return fmt.Errorf("capture: no message passed between %s in the window: no chart to draw", strings.Join(cr.c.MSC, ", "))
	}
	return msc.Save(chart, strings.TrimSuffix(files[len(files)-1], ".png"))
}
