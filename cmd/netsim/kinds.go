package main

import (
	"context"
	"flag"
	"fmt"
	"text/tabwriter"
)

var kindsCmd = &command{
	name:    "kinds",
	args:    "",
	summary: "list the kinds of scenario",
	detail: `Kinds prints the kinds a scenario file can name with kind:, one per protocol model.
'netsim show-config KIND' prints a kind's every parameter and metric.`,
	setup: func(fs *flag.FlagSet) func(context.Context, *cli, []string) error {
		return func(ctx context.Context, c *cli, args []string) error {
			if len(args) > 0 {
				return usagef(nil, "takes no arguments, got %q", args[0])
			}
			tw := tabwriter.NewWriter(c.stdout, 0, 8, 2, ' ', 0)
			for _, k := range c.eng.Kinds() {
				fmt.Fprintf(tw, "%s\t%s\n", k.Name, k.Description)
			}
			return tw.Flush()
		}
	},
}
