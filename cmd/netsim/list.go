package main

import (
	"context"
	"flag"
	"fmt"
	"text/tabwriter"
)

var listCmd = &command{
	name:    "list",
	args:    "",
	summary: "list the built-in scenarios and the kinds of scenario",
	detail: `List prints the scenarios built into netsim, which 'netsim run NAME' runs with no
file at hand, and the kinds of scenario a file can name with kind:.`,
	setup: func(fs *flag.FlagSet) func(context.Context, *cli, []string) error {
		return func(ctx context.Context, c *cli, args []string) error {
			if len(args) > 0 {
				return usagef(nil, "takes no arguments, got %q", args[0])
			}
			tw := tabwriter.NewWriter(c.stdout, 0, 8, 2, ' ', 0)
			fmt.Fprintln(tw, "Built-in scenarios (netsim run NAME):")
			builtins := c.eng.Builtins()
			if len(builtins) == 0 {
				fmt.Fprintln(tw, "  (none)")
			}
			for _, b := range builtins {
				fmt.Fprintf(tw, "  %s\t%s\n", b.Name, b.Description)
			}
			fmt.Fprintln(tw, "\nKinds (kind: in a scenario file):")
			for _, k := range c.eng.Kinds() {
				fmt.Fprintf(tw, "  %s\t%s\n", k.Name, k.Description)
			}
			return tw.Flush()
		}
	},
}
