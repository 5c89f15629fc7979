package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
)

var runCmd = &command{
	name:    "run",
	args:    "SCENARIO [-o DIR] [--seed N] [--set key=value ...] [-j N] [--force] [-q]",
	summary: "run a scenario and write its results",
	detail: `Run runs every run of SCENARIO, a scenario file or the name of a built-in scenario
(see 'netsim list'), on a pool of workers, and writes to the output folder:
manifest.json (the resolved scenario, netsim's version and the seed), runs.csv (one row
per run), summary.csv (one row per parameter point: mean, standard deviation, n and 95%
interval) and the figures the scenario asks for, as PNG, SVG and CSV. It ends by
printing the per-point means.

Runs of the same campaign already in the output folder are kept, not run again: after
Ctrl-C, the same command finishes the campaign. A folder that holds another campaign
is refused unless --force is given. Results do not depend on -j.`,
	setup: func(fs *flag.FlagSet) func(context.Context, *cli, []string) error {
		var (
			o       overrides
			outDir  string
			workers int
			force   bool
			quiet   bool
		)
		fs.StringVar(&outDir, "o", "", "output folder `DIR` (default out/<scenario name>)")
		o.define(fs)
		fs.IntVar(&workers, "j", 0, "run `N` runs at a time (default: one per core)")
		fs.BoolVar(&force, "force", false, "use an output folder that holds another campaign or other files, replacing netsim's files there")
		fs.BoolVar(&quiet, "q", false, "print no progress")
		return func(ctx context.Context, c *cli, args []string) error {
			if len(args) != 1 {
				return usagef(nil, "want one scenario, got %d arguments", len(args))
			}
			switch {
			case workers < 0:
				return fmt.Errorf("-j: want at least 1 worker, got %d", workers)
			case workers == 0:
				workers = runtime.NumCPU()
			}
			s, err := o.load(c.eng, args[0])
			if err != nil {
				return err
			}
			if outDir == "" {
				outDir = filepath.Join("out", s.Name())
			}
			return c.runCampaign(ctx, s, runOptions{OutDir: outDir, Workers: workers, Force: force}, quiet)
		}
	},
}

func (c *cli) runCampaign(ctx context.Context, s scenario, opts runOptions, quiet bool) error {
	var prog *progress
	if !quiet {
		prog = newProgress(c.stderr, c.terminal, c.now)
		opts.Progress = prog.Update
		prog.Start()
	}
	start := c.now()
	counts, err := c.eng.Run(ctx, s, opts)
	wall := c.now().Sub(start)
	if prog != nil {
		prog.Finish()
	}
	if err != nil {
		if ctx.Err() != nil {
			fmt.Fprintf(c.stderr, "netsim: interrupted: %d of %d runs finished and kept in %s (%d of them from before); run the same command again to finish the rest\n",
				counts.Done, counts.Total, opts.OutDir, counts.Skipped)
			return errInterrupted
		}
		return err
	}
	// The wall time goes to stderr, so stdout stays the same from run to run.
	if ran := counts.Total - counts.Skipped; !quiet && ran > 0 && wall > 0 {
		fmt.Fprintf(c.stderr, "netsim: %s in %.3g s of wall time (%.3g runs/s)\n",
			plural(ran, "run"), wall.Seconds(), float64(ran)/wall.Seconds())
	}
	fmt.Fprintf(c.stdout, "%s: %s", s.Name(), plural(counts.Total, "run"))
	if counts.Skipped > 0 {
		fmt.Fprintf(c.stdout, " (%d already done, kept)", counts.Skipped)
	}
	fmt.Fprintf(c.stdout, "\nResults in %s%c: %s\n", opts.OutDir, filepath.Separator, strings.Join(outputFiles(opts.OutDir), ", "))
	return c.printSummary(filepath.Join(opts.OutDir, "summary.csv"))
}

// outputFiles lists the files in dir, sorted, leaving out hidden and temporary ones.
func outputFiles(dir string) []string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return []string{"(unreadable: " + err.Error() + ")"}
	}
	var names []string
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), ".") {
			name := e.Name()
			if e.IsDir() {
				name += string(filepath.Separator)
			}
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}
