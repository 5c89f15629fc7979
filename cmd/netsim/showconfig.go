package main

import (
	"context"
	"flag"
	"fmt"
	"os"
)

var showConfigCmd = &command{
	name:    "show-config",
	args:    "SCENARIO|KIND [--set key=value ...] [--limit key=value ...] [--max-runs N] [--seed N]",
	summary: "print a scenario with every default filled in, or a kind's parameters and metrics",
	detail: `Show-config prints SCENARIO (a file or a built-in name) as YAML with every parameter
written out, defaults included, after the --set and --seed overrides: exactly what
'netsim run' with the same flags would run. Its output is itself a valid scenario file.

Given the name of a kind (see 'netsim kinds'), it prints the kind's reference instead:
every parameter with its type, default, allowed values and help, and every metric,
sample set, time series and theory with its unit, without needing a file. A file of
that name comes first; a built-in scenario named like a kind (filedist) is shown with
its file name (filedist.yaml).`,
	setup: func(fs *flag.FlagSet) func(context.Context, *cli, []string) error {
		var o overrides
		o.define(fs)
		return func(ctx context.Context, c *cli, args []string) error {
			if len(args) != 1 {
				return usagef(nil, "want one scenario or kind, got %d arguments", len(args))
			}
			if _, err := os.Stat(args[0]); err != nil {
				if ref, ok := c.eng.KindReference(args[0]); ok {
					if len(o.sets) > 0 || len(o.limits) > 0 || o.seedSet {
						return usagef(nil, "--set, --limit, --max-runs and --seed change a scenario; %s is a kind", args[0])
					}
					fmt.Fprint(c.stdout, ref)
					for _, b := range c.eng.Builtins() {
						if b.Name == args[0] {
							fmt.Fprintf(c.stdout, "\n(%s is also a built-in scenario: 'netsim show-config %s.yaml' shows it.)\n", b.Name, b.Name)
						}
					}
					return nil
				}
			}
			s, err := o.load(c.eng, args[0])
			if err != nil {
				return err
			}
			out, err := s.Resolved()
			if err != nil {
				return err
			}
			_, err = c.stdout.Write(out)
			return err
		}
	},
}
