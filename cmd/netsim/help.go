package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// command is one subcommand of netsim.
type command struct {
	name    string
	args    string // synopsis after the name, e.g. "SCENARIO [flags]"
	summary string // one line for `netsim help`
	detail  string // paragraphs for `netsim help NAME`
	// setup defines the command's flags on fs and returns the function that runs it
	// with the positional arguments once fs has parsed.
	setup func(fs *flag.FlagSet) func(ctx context.Context, c *cli, args []string) error
}

// commands in the order `netsim help` lists them. It is filled in init because the help
// command reads it.
var commands []*command

func init() {
	commands = []*command{runCmd, runsCmd, mergeCmd, plotCmd, listCmd, kindsCmd, validateCmd, showConfigCmd, serveCmd}
	commands = append(commands, toolCommands()...)
	commands = append(commands, versionCmd, helpCmd)
}

// synopsis is "netsim NAME ARGS".
func (cmd *command) synopsis() string {
	return strings.TrimSpace("netsim " + cmd.name + " " + cmd.args)
}

func lookup(name string) *command {
	for _, cmd := range commands {
		if cmd.name == name {
			return cmd
		}
	}
	return nil
}

// flagSet returns a new flag set for cmd and the function that runs it. The flag
// package's own messages are discarded: netsim reports errors in its own format.
func (cmd *command) flagSet() (*flag.FlagSet, func(context.Context, *cli, []string) error) {
	fs := flag.NewFlagSet("netsim "+cmd.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs, cmd.setup(fs)
}

func (cmd *command) execute(ctx context.Context, c *cli, args []string) error {
	fs, runFn := cmd.flagSet()
	pos, err := parseInterspersed(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return cmd.printUsage(c.stdout)
	}
	if err != nil {
		return usagef(cmd, "%v", err)
	}
	err = runFn(ctx, c, pos)
	if ue, ok := err.(*usageError); ok && ue.cmd == nil {
		ue.cmd = cmd
	}
	return err
}

// parseInterspersed parses flags that may come before, between and after the positional
// arguments (netsim run SCENARIO -o DIR), which fs.Parse alone stops at. After "--",
// everything is positional.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// printUsage writes the full help of cmd: synopsis, description and flags.
func (cmd *command) printUsage(w io.Writer) error {
	fs, _ := cmd.flagSet()
	fmt.Fprintf(w, "usage: %s\n\n%s\n", cmd.synopsis(), strings.TrimSpace(cmd.detail))
	var flags bytes.Buffer
	fs.SetOutput(&flags)
	fs.PrintDefaults()
	if flags.Len() > 0 {
		fmt.Fprintf(w, "\nFlags:\n%s", flags.Bytes())
	}
	return nil
}

// printUsage writes netsim's own help.
func (c *cli) printUsage(w io.Writer) error {
	fmt.Fprint(w, `netsim simulates the Internet's application layer: client-server and P2P file
distribution, HTTP, web caches, DNS, BitTorrent, Chord, mail and FTP. It runs scenario
files and writes results as CSV tables and figures.

Usage:
  netsim <command> [arguments]

Commands:
`)
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	for _, cmd := range commands {
		fmt.Fprintf(tw, "  %s\t%s\n", cmd.name, cmd.summary)
	}
	tw.Flush()
	fmt.Fprint(w, "\nRun 'netsim help <command>' for a command's flags; every command also takes -h.\n")
	return nil
}

var helpCmd = &command{
	name:    "help",
	args:    "[COMMAND]",
	summary: "show help for netsim or for one command",
	detail:  "Help prints the usage of netsim, or of COMMAND with its flags.",
	setup: func(fs *flag.FlagSet) func(context.Context, *cli, []string) error {
		return func(ctx context.Context, c *cli, args []string) error {
			switch len(args) {
			case 0:
				return c.printUsage(c.stdout)
			case 1:
				cmd := lookup(args[0])
				if cmd == nil {
					return usagef(nil, "unknown command %q", args[0])
				}
				return cmd.printUsage(c.stdout)
			}
			return usagef(nil, "want at most one command, got %d arguments", len(args))
		}
	},
}

var versionCmd = &command{
	name:    "version",
	args:    "",
	summary: "print netsim's version",
	detail:  "Version prints the version of netsim, which every output folder's manifest.json records.",
	setup: func(fs *flag.FlagSet) func(context.Context, *cli, []string) error {
		return func(ctx context.Context, c *cli, args []string) error {
			if len(args) > 0 {
				return usagef(nil, "takes no arguments")
			}
			fmt.Fprintf(c.stdout, "netsim %s\n", c.eng.Version())
			return nil
		}
	},
}
