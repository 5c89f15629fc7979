package main

import (
	"context"
	"flag"
	"fmt"
	"strings"
)

var validateCmd = &command{
	name:    "validate",
	args:    "FILE... [--limit key=value ...] [--max-runs N]",
	summary: "check scenario files without running them",
	detail: `Validate reads each scenario FILE (or built-in name) as run would, and prints
"FILE: ok (N runs)" or every problem found in it, each with its line. The exit status
is 1 if any file is invalid. Validation knows what a campaign will cost: it refuses one
whose runs, or whose runs' hosts, flows, requests or virtual times, pass the limits
(see the limits: section of 'netsim show-config'); --limit and --max-runs raise them.`,
	setup: func(fs *flag.FlagSet) func(context.Context, *cli, []string) error {
		var o overrides
		o.defineLimits(fs)
		return func(ctx context.Context, c *cli, files []string) error {
			if len(files) == 0 {
				return usagef(nil, "no scenario file given")
			}
			bad := 0
			for _, f := range files {
				s, err := c.eng.Load(f, o.limits)
				if err != nil {
					bad++
					msg := err.Error()
					if !strings.HasPrefix(msg, f) {
						msg = f + ": " + msg
					}
					fmt.Fprintln(c.stderr, msg)
					continue
				}
				fmt.Fprintf(c.stdout, "%s: ok (%s)\n", f, plural(s.Runs(), "run"))
			}
			if bad > 0 {
				if len(files) > 1 {
					fmt.Fprintf(c.stderr, "netsim: %d of %d files invalid\n", bad, len(files))
				}
				return errReported
			}
			return nil
		}
	},
}

// plural returns "1 run", "2 runs".
func plural(n int, noun string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
