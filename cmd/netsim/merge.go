package main

import (
	"context"
	"flag"
	"fmt"
	"path/filepath"
	"strings"
)

var mergeCmd = &command{
	name:    "merge",
	args:    "-o OUT [--force] DIR...",
	summary: "join the folders of a campaign's shards into its results",
	detail: `Merge joins the output folders that 'netsim run --shard i/n' or '--run-index K' wrote
for parts of one campaign, and writes OUT as one 'netsim run' of the whole campaign would
have: manifest.json, runs.csv, summary.csv (byte for byte the same CSV files) and the
figures. It ends by printing the per-point means.

Each folder's manifest.json names the campaign and its runs.jsonl holds the runs. The
folders must hold the same campaign (the same scenario hash); a run found in two
folders must have the same values in both. If runs are missing, merge names the first
of them, their count and, when the folders are shards of one split, the shards they
belong to; it writes nothing and exits with status 1: run the missing shards or runs
(--run-index) and merge again. Folders of a campaign whose replications were raised in
some of them and not yet in others merge into the larger campaign, whose new runs are
then missing. OUT may be the folder that holds the shards' folders.`,
	setup: func(fs *flag.FlagSet) func(context.Context, *cli, []string) error {
		var (
			outDir string
			force  bool
		)
		fs.StringVar(&outDir, "o", "", "output folder `OUT` (required)")
		fs.BoolVar(&force, "force", false, "use an output folder that holds another campaign or other files, replacing netsim's files there")
		return func(ctx context.Context, c *cli, args []string) error {
			if outDir == "" {
				return usagef(nil, "-o: want the output folder")
			}
			if len(args) == 0 {
				return usagef(nil, "want the folders to merge, got none")
			}
			name, runs, err := c.eng.Merge(args, mergeOptions{OutDir: outDir, Force: force})
			if err != nil {
				return err
			}
			fmt.Fprintf(c.stdout, "%s: %s merged from %s\nResults in %s%c: %s\n", name, plural(runs, "run"), plural(len(args), "folder"),
				outDir, filepath.Separator, strings.Join(outputFiles(outDir), ", "))
			return c.printSummary(filepath.Join(outDir, "summary.csv"))
		}
	},
}
