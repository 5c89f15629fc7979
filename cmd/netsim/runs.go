package main

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"
)

var runsCmd = &command{
	name:    "runs",
	args:    "SCENARIO [--set key=value ...] [--limit key=value ...] [--max-runs N] [--seed N]",
	summary: "list a campaign's runs with their indices, parameters and seeds",
	detail: `Runs prints one line per run of SCENARIO (a file or a built-in name), after the --set
and --seed overrides: the run index (what 'netsim run --run-index' takes and runs.csv's
run column holds), the point, the replication, the run's seed, and the point's variant
and parameter values. Nothing is run.`,
	setup: func(fs *flag.FlagSet) func(context.Context, *cli, []string) error {
		var o overrides
		o.define(fs)
		return func(ctx context.Context, c *cli, args []string) error {
			if len(args) != 1 {
				return usagef(nil, "want one scenario, got %d arguments", len(args))
			}
			s, err := o.load(c.eng, args[0])
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(c.stdout, 0, 8, 2, ' ', 0)
			for _, row := range c.eng.RunList(s) {
				fmt.Fprintln(tw, strings.Join(row, "\t"))
			}
			return tw.Flush()
		}
	},
}
