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
	"syscall"
	"time"
)

// stopSignals are the signals that stop a campaign cleanly: Ctrl-C, SIGTERM (what Slurm
// and Kubernetes send before they kill a job) and SIGHUP (a closed terminal).
var stopSignals = []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP}

func main() {
	startHugePages(os.Getenv(hugePagesEnv), os.Stderr)
	ctx, cancel := context.WithCancelCause(context.Background())
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, stopSignals...)
	go func() {
		// The first signal cancels the campaign, which stops cleanly: the runs in
		// flight end, the finished ones are kept. After it, the default handling is
		// back, so a second one stops netsim at once.
		sig := <-sigs
		signal.Reset(stopSignals...)
		cancel(&stopSignal{sig})
	}()
	c := &cli{stdout: os.Stdout, stderr: os.Stderr, eng: backend{}, terminal: isTerminal(os.Stderr), now: time.Now}
	code := c.main(ctx, os.Args[1:])
	os.Exit(code)
}

// stopSignal is the cause of a context cancelled by a signal.
type stopSignal struct{ sig os.Signal }

func (s *stopSignal) Error() string { return "stopped by " + signalName(s.sig) }

// signalName is SIGTERM, SIGHUP or SIGINT.
func signalName(sig os.Signal) string {
	switch sig {
	case syscall.SIGTERM:
		return "SIGTERM"
	case syscall.SIGHUP:
		return "SIGHUP"
	}
	return "SIGINT"
}

// stopped says how a campaign stopped by ctx's cancellation is reported: in words, and
// with the shells' exit status for a signal, 128 + its number (SIGINT 130, SIGTERM
// 143, SIGHUP 129). A context cancelled for no signal (a test's) counts as Ctrl-C.
func stopped(ctx context.Context) (words string, code int) {
	var s *stopSignal
	if errors.As(context.Cause(ctx), &s) {
		switch s.sig {
		case syscall.SIGTERM:
			return "terminated (SIGTERM)", exitTerminated
		case syscall.SIGHUP:
			return "hung up (SIGHUP)", exitHangUp
		}
	}
	return "interrupted", exitInterrupted
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
	exitHangUp      = 129 // stopped by SIGHUP, as shells report it
	exitInterrupted = 130 // stopped by Ctrl-C, as shells report SIGINT
	exitTerminated  = 143 // stopped by SIGTERM, as shells report it
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

// interrupted is returned by a command stopped by a signal, after it has said what it
// kept: the exit status is the signal's.
type interrupted struct{ code int }

func (e *interrupted) Error() string { return "interrupted" }

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
	var (
		ue *usageError
		in *interrupted
	)
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
	case errors.As(err, &in):
		return in.code
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
