package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"runtime"
	"time"
)

var serveCmd = &command{
	name:    "serve",
	args:    "[--addr 127.0.0.1:8080] [--dir DIR] [--max-runs N] [--max-campaigns N] [--max-queue N] [-j N]",
	summary: "serve a page to pick a scenario, set its parameters, run it and see its figures",
	detail: `Serve starts a web server, on the loopback address by default, for a classroom or
a lab: its start page lists the built-in scenarios and the scenario files in --dir;
a scenario's page is a form of its kind's parameters, with their units, defaults,
ranges and help; Run runs the campaign as 'netsim run' would, streams its progress,
then shows its figures beside their theory, the summary table 'netsim run' prints,
the output folder's files, and the resolved scenario file that reproduces the result
with 'netsim run FILE'. A scenario's last result is kept, and a new run's figures are
drawn over it.

For a shared server, a campaign may have at most --max-runs runs; at most
--max-campaigns run at once, --max-queue more wait their turn, and the rest are
refused until one ends. A campaign whose page has been closed for --abandon is
cancelled, as is one whose Cancel button is pressed. Scenarios are taken by name
only: no path from a request is ever opened. Results live in a temporary folder that
is removed when the server stops (Ctrl-C); download what you keep.`,
	setup: func(fs *flag.FlagSet) func(context.Context, *cli, []string) error {
		var (
			addr string
			o    = defaultServeOptions()
		)
		fs.StringVar(&addr, "addr", "127.0.0.1:8080", "listen on `HOST:PORT`")
		fs.StringVar(&o.dir, "dir", "", "also offer the scenario files (*.yaml) in `DIR`")
		fs.IntVar(&o.maxRuns, "max-runs", o.maxRuns, "refuse a campaign of more than `N` runs")
		fs.IntVar(&o.maxCampaigns, "max-campaigns", o.maxCampaigns, "run at most `N` campaigns at once")
		fs.IntVar(&o.maxQueue, "max-queue", o.maxQueue, "let at most `N` campaigns wait; refuse the rest")
		fs.IntVar(&o.workers, "j", 0, "run `N` runs of a campaign at a time (default: one per core)")
		fs.DurationVar(&o.abandon, "abandon", o.abandon, "cancel a campaign whose page has been closed this `long`")
		return func(ctx context.Context, c *cli, args []string) error {
			if len(args) > 0 {
				return usagef(nil, "takes no arguments, got %q", args[0])
			}
			switch {
			case o.maxRuns < 1:
				return fmt.Errorf("--max-runs: want at least 1, got %d", o.maxRuns)
			case o.maxCampaigns < 1:
				return fmt.Errorf("--max-campaigns: want at least 1, got %d", o.maxCampaigns)
			case o.maxQueue < 0:
				return fmt.Errorf("--max-queue: want at least 0, got %d", o.maxQueue)
			case o.workers < 0:
				return fmt.Errorf("-j: want at least 1 worker, got %d", o.workers)
			case o.abandon <= 0:
				return fmt.Errorf("--abandon: want a positive duration, got %s", o.abandon)
			case o.workers == 0:
				o.workers = runtime.NumCPU()
			}
			srv, err := newServer(c.eng, o)
			if err != nil {
				return err
			}
			defer srv.Close()
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return fmt.Errorf("--addr: %w", err)
			}
			fmt.Fprintf(c.stdout, "netsim serve: http://%s/ (Ctrl-C stops the server)\n", ln.Addr())
			hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
			go func() {
				<-ctx.Done()
				shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				hs.Shutdown(shut)
			}()
			if err := hs.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			return nil
		}
	},
}
