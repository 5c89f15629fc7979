package main

import (
	"context"
	"flag"
)

var showConfigCmd = &command{
	name:    "show-config",
	args:    "SCENARIO [--set key=value ...] [--seed N]",
	summary: "print a scenario with every default filled in",
	detail: `Show-config prints SCENARIO (a file or a built-in name) as YAML with every parameter
written out, defaults included, after the --set and --seed overrides: exactly what
'netsim run' with the same flags would run. Its output is itself a valid scenario file.`,
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
			out, err := s.Resolved()
			if err != nil {
				return err
			}
			_, err = c.stdout.Write(out)
			return err
		}
	},
}
