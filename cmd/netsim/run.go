package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
)

var runCmd = &command{
	name:    "run",
	args:    "SCENARIO [-o DIR] [--seed N] [--set key=value ...] [--limit key=value ...] [--max-runs N] [-j N] [--shard i/n | --run-index K,...] [--pcap HOST,...] [--msc HOST,...] [--cpuprofile FILE] [--force] [-q]",
	summary: "run a scenario and write its results",
	detail: `Run runs every run of SCENARIO, a scenario file or the name of a built-in scenario
(see 'netsim list'), on a pool of workers, and writes to the output folder:
manifest.json (the resolved scenario, netsim's version and the seed), runs.csv (one row
per run), summary.csv (one row per parameter point: mean, standard deviation, n and 95%
interval) and the figures the scenario asks for, as PNG, SVG and CSV. It ends by
printing the per-point means.

Runs of the same campaign already in the output folder are kept, not run again: after
Ctrl-C, SIGTERM or SIGHUP, the same command finishes the campaign. A folder that holds
another campaign is refused unless --force is given, and one that another netsim is
writing is refused. Results do not depend on -j.

Before anything runs, the campaign is held to its limits (the limits: section of
'netsim show-config'): --max-runs N and --limit key=value raise them. --limit also
bounds each run: sim_time=D (virtual time), events=N (kernel events) and wall_time=D;
a run stopped at one is reported in runs.csv's status column and left out of
summary.csv.

Past one machine, a campaign is split so that a cluster scheduler runs it (a Slurm
job array, a Kubernetes indexed Job): --shard i/n runs the runs whose index is i-1
modulo n, --run-index K runs run K (the run column of runs.csv). A part writes its own
folder, by default out/<scenario name>-shard-i-of-n or -run-K, with manifest.json and
the runs.csv of its runs only; 'netsim merge' joins the folders into the campaign's
results. A run's seed depends only on the scenario's seed and the run's index, so a
run gives the same numbers in whichever part it runs.

--pcap HOST,... writes, for every run, what crossed each host's network interface as
a pcap file that Wireshark and tshark read: capture/run-K-HOST.pcap. --msc HOST,...
draws every run's message sequence chart between those hosts, left to right, as
capture/run-K-msc.svg and .png. The scenario's capture: section sets them too, with a
snap length, a time window and a message filter; the flags replace its host lists.
A capture changes no result: added to a finished campaign, it runs again only the
runs whose capture files are missing. Use --run-index to capture one run.

On Linux, netsim asks the kernel to put its heap on 2 MiB transparent huge pages
(madvise MADV_HUGEPAGE, and MADV_COLLAPSE for pages already in use once a run has
gone 30 s): long runs with large heaps get faster, as their events load random hosts'
state and on 4 KiB pages most of those loads also miss the TLB; the collapse costs
about a second of system time per 200 MB of heap, which short runs are spared. The
environment variable NETSIM_HUGEPAGES=off turns it off;
NETSIM_HUGEPAGES=verbose prints one line that says whether the kernel agreed. Results
do not depend on it.

--cpuprofile FILE writes a CPU profile of the campaign's runs, which 'go tool pprof'
reads: where a scenario's time goes, by function.`,
	setup: func(fs *flag.FlagSet) func(context.Context, *cli, []string) error {
		var (
			o       overrides
			outDir  string
			workers int
			force   bool
			quiet   bool
			p       part
			cpuProf string
		)
		fs.StringVar(&outDir, "o", "", "output folder `DIR` (default out/<scenario name>)")
		o.define(fs)
		fs.IntVar(&workers, "j", 0, "run `N` runs at a time (0, the default: one per core)")
		fs.Var(shardFlag{&p}, "shard", "run only shard `i/n` of the campaign: the runs whose index is i-1 modulo n")
		fs.Var(runIndexFlag{&p}, "run-index", "run only run `K` (repeatable, or a comma list)")
		fs.BoolVar(&force, "force", false, "use an output folder that holds another campaign or other files, replacing netsim's files there")
		fs.BoolVar(&quiet, "q", false, "print no progress")
		fs.StringVar(&cpuProf, "cpuprofile", "", "write a CPU profile of the runs to `FILE`, for go tool pprof")
		var pcap, mscHosts hostList
		fs.Var(&pcap, "pcap", "write each run's capture of `HOST,...` as pcap files")
		fs.Var(&mscHosts, "msc", "draw each run's message sequence chart of `HOST,...`")
		return func(ctx context.Context, c *cli, args []string) error {
			if len(args) != 1 {
				return usagef(nil, "want one scenario, got %d arguments", len(args))
			}
			switch {
			case workers < 0:
				return usagef(nil, "-j: want a number of workers, at least 1, or 0 for one per core; got %d", workers)
			case workers == 0:
				workers = runtime.NumCPU()
			}
			outSet := false
			fs.Visit(func(f *flag.Flag) { outSet = outSet || f.Name == "o" })
			if outSet && outDir == "" {
				return usagef(nil, "-o: want a folder, got an empty name")
			}
			if p.of > 0 && len(p.runs) > 0 {
				return usagef(nil, "--shard and --run-index cannot be used together")
			}
			s, err := o.load(c.eng, args[0])
			if err != nil {
				return err
			}
			if n, ok := s.(interface{ Notes() []string }); ok {
				for _, note := range n.Notes() {
					fmt.Fprintf(c.stderr, "netsim: %s\n", note)
				}
			}
			if pcap.set || mscHosts.set {
				if err := s.SetCapture(pcap.list(), mscHosts.list()); err != nil {
					return err
				}
			}
			if err := p.check(s.Runs()); err != nil {
				return err
			}
			if !outSet {
				if outDir, err = s.OutDir(p.dirName()); err != nil {
					return err
				}
			}
			opts := runOptions{OutDir: outDir, Workers: workers, Force: force, Shard: p.shard, Shards: p.of, RunIndices: p.runs}
			if cpuProf == "" {
				return c.runCampaign(ctx, s, p, opts, quiet)
			}
			stop, err := startCPUProfile(cpuProf)
			if err != nil {
				return err
			}
			err = c.runCampaign(ctx, s, p, opts, quiet)
			return errors.Join(err, stop())
		}
	},
}

func (c *cli) runCampaign(ctx context.Context, s scenario, p part, opts runOptions, quiet bool) error {
	var prog *progress
	if !quiet {
		prog = newProgress(c.stderr, c.terminal, c.now)
		opts.Progress = prog.Update
		prog.Start()
	}
	opts.Warn = func(msg string) { fmt.Fprintf(c.stderr, "netsim: warning: %s\n", msg) }
	start := c.now()
	counts, err := c.eng.Run(ctx, s, opts)
	wall := c.now().Sub(start)
	if prog != nil {
		prog.Finish()
	}
	if err != nil {
		if ctx.Err() != nil {
			words, code := stopped(ctx)
			fmt.Fprintf(c.stderr, "netsim: %s: %d of %d runs finished and kept in %s (%d of them from before); run the same command again to finish the rest\n",
				words, counts.Done, counts.Total, opts.OutDir, counts.Skipped)
			return &interrupted{code}
		}
		return err
	}
	// The wall time goes to stderr, so stdout stays the same from run to run.
	if ran := counts.Total - counts.Skipped; !quiet && ran > 0 && wall > 0 {
		fmt.Fprintf(c.stderr, "netsim: %s in %.3g s of wall time (%.3g runs/s)\n",
			plural(ran, "run"), wall.Seconds(), float64(ran)/wall.Seconds())
	}
	if p.whole() {
		fmt.Fprintf(c.stdout, "%s: %s", s.Name(), plural(counts.Total, "run"))
	} else {
		fmt.Fprintf(c.stdout, "%s: %s: %s of %d", s.Name(), p.String(), plural(counts.Total, "run"), s.Runs())
	}
	if counts.Skipped > 0 {
		fmt.Fprintf(c.stdout, " (%d already done, kept)", counts.Skipped)
	}
	fmt.Fprintf(c.stdout, "\nResults in %s%c: %s\n", opts.OutDir, filepath.Separator, strings.Join(outputFiles(opts.OutDir), ", "))
	if len(counts.Stopped) > 0 {
		n, kinds := 0, []string{}
		for _, status := range slices.Sorted(maps.Keys(counts.Stopped)) {
			n += counts.Stopped[status]
			kinds = append(kinds, fmt.Sprintf("%s: %d", status, counts.Stopped[status]))
		}
		fmt.Fprintf(c.stdout, "%s stopped at a limit (%s): runs.csv gives each its status, and summary.csv leaves them out.\n",
			plural(n, "run"), strings.Join(kinds, ", "))
	}
	if counts.Total < s.Runs() {
		fmt.Fprintf(c.stdout, "This folder holds part of the campaign: when every part is done, join them with 'netsim merge -o OUT DIR...'.\n")
		return nil
	}
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

// hostList is a flag of comma-separated host names.
type hostList struct {
	hosts []string
	set   bool
}

func (h *hostList) String() string { return strings.Join(h.hosts, ",") }

func (h *hostList) Set(text string) error {
	for _, name := range strings.Split(text, ",") {
		if name = strings.TrimSpace(name); name == "" {
			return fmt.Errorf("want host names separated by commas, got %q", text)
		}
		h.hosts = append(h.hosts, name)
	}
	h.set = true
	return nil
}

// list is the hosts given, nil if the flag was not.
func (h *hostList) list() []string {
	if !h.set {
		return nil
	}
	return h.hosts
}
