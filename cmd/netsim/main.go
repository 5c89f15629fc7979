// Command netsim runs scenarios of the Internet's application layer and writes their
// results: see `netsim help`.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	go func() {
		// The first Ctrl-C cancels the campaign, which stops cleanly; after it, the
		// default handling is back, so a second one stops netsim at once.
		<-ctx.Done()
		stop()
	}()
	c := &cli{stdout: os.Stdout, stderr: os.Stderr, eng: backend{}, terminal: isTerminal(os.Stderr), now: time.Now}
	code := c.main(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}

// run runs the command line args as netsim would and returns its exit status.
func run(args []string, stdout, stderr io.Writer) int {
	c := &cli{stdout: stdout, stderr: stderr, eng: backend{}, now: time.Now}
	return c.main(context.Background(), args)
}

// Exit statuses.
const (
	exitOK          = 0
	exitError       = 1   // the command failed: a bad scenario, a missing file, ...
	exitUsage       = 2   // the command line is malformed
	exitInterrupted = 130 // stopped by Ctrl-C, as shells report SIGINT
)

// cli is one invocation of netsim.
type cli struct {
	stdout, stderr io.Writer
	eng            engine
	terminal       bool // stderr is a terminal: draw a progress bar
	now            func() time.Time
}

// usageError is a malformed command line: it is reported with the command's usage.
type usageError struct {
	// cmd is the command whose usage to show; nil for netsim itself. A command's own
	// function returns usage errors with cmd nil, and command.execute fills it in.
	cmd *command
	msg string
}

func (e *usageError) Error() string { return e.msg }

func usagef(cmd *command, format string, args ...any) error {
	return &usageError{cmd: cmd, msg: fmt.Sprintf(format, args...)}
}

// errInterrupted is returned by a command stopped by Ctrl-C, after it has said what it
// kept.
var errInterrupted = errors.New("interrupted")

// errReported is returned by a command that has already reported its failure.
var errReported = errors.New("failed")

func (c *cli) main(ctx context.Context, args []string) (code int) {
	defer func() {
		// A panic is a bug in netsim; the user gets one line, not a stack trace.
		if r := recover(); r != nil {
			fmt.Fprintf(c.stderr, "netsim: internal error: %v (this is a bug in netsim; please report it)\n", r)
			code = exitError
		}
	}()
	err := c.dispatch(ctx, args)
	var ue *usageError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ue):
		name := "netsim"
		if ue.cmd != nil {
			name += " " + ue.cmd.name
		}
		fmt.Fprintf(c.stderr, "%s: %s\n", name, ue.msg)
		if ue.cmd != nil {
			fmt.Fprintf(c.stderr, "usage: %s\nRun 'netsim help %s' for details.\n", ue.cmd.synopsis(), ue.cmd.name)
		} else {
			fmt.Fprint(c.stderr, "Run 'netsim help' for usage.\n")
		}
		return exitUsage
	case errors.Is(err, errInterrupted):
		return exitInterrupted
	case errors.Is(err, errReported):
		return exitError
	default:
		fmt.Fprintf(c.stderr, "netsim: %v\n", err)
		return exitError
	}
}

func (c *cli) dispatch(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usagef(nil, "no command")
	}
	switch args[0] {
	case "-h", "-help", "--help":
		return c.printUsage(c.stdout)
	case "-version", "--version":
		args = []string{"version"}
	}
	cmd := lookup(args[0])
	if cmd == nil {
		return usagef(nil, "unknown command %q", args[0])
	}
	return cmd.execute(ctx, c, args[1:])
}
