package main

import (
	"context"
	"flag"
	"fmt"
	"path/filepath"
	"strings"
)

var plotCmd = &command{
	name:    "plot",
	args:    "DIR [--plots FILE]",
	summary: "redraw an output folder's figures from its CSV files",
	detail: `Plot redraws the figures of the campaign in the output folder DIR from its CSV
files (runs.csv, samples.csv, series.csv) and its manifest.json, without running
anything. Without --plots, the figures are the scenario's, and come out byte for byte
as 'netsim run' drew them. With --plots FILE, they are FILE's: either a whole scenario
file describing the same runs (the same kind, seed, replications, params, sweep and
variants; only its plots may differ), or a file with only plots:, to change labels or
units, or to add a figure. Each plot is checked against the campaign first.`,
	setup: func(fs *flag.FlagSet) func(context.Context, *cli, []string) error {
		var plots string
		fs.StringVar(&plots, "plots", "", "draw the plots of `FILE` instead of the scenario's")
		return func(ctx context.Context, c *cli, args []string) error {
			if len(args) != 1 {
				return usagef(nil, "want one output folder, got %d arguments", len(args))
			}
			names, err := c.eng.Plot(args[0], plots)
			if err != nil {
				return err
			}
			if len(names) == 0 {
				fmt.Fprintf(c.stdout, "%s: no figures to draw\n", args[0])
				return nil
			}
			var files []string
			for _, n := range names {
				files = append(files, n+".png", n+".svg", n+".csv")
			}
			fmt.Fprintf(c.stdout, "Figures in %s%c: %s\n", args[0], filepath.Separator, strings.Join(files, ", "))
			return nil
		}
	},
}
