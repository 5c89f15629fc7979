package scenarios

import (
	"flag"
	"fmt"
	"io"
)

// A Tool is a command a kind offers on netsim's command line besides its scenarios:
// the closed forms it is held against, computed from flags (filedist's `netsim
// bounds`). It reaches the command line through the kind table, so that cmd/netsim
// names no kind.
type Tool struct {
	Name    string // the command, e.g. "bounds"
	Args    string // the synopsis after the name
	Summary string // one line for `netsim help`
	Detail  string // paragraphs for `netsim help NAME`
	// Setup defines the tool's flags on fs and returns the function that runs it with
	// the positional arguments once fs has parsed, writing to stdout. A malformed
	// command line is a *UsageError; any other error is reported as it is.
	Setup func(fs *flag.FlagSet) func(args []string, stdout io.Writer) error
}

// UsageError is a tool's error for a malformed command line: netsim shows the tool's
// usage with it.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

// Usagef returns a *UsageError.
func Usagef(format string, args ...any) error {
	return &UsageError{Msg: fmt.Sprintf(format, args...)}
}

// Tools returns the tools of every registered kind, by kind name and then in each
// kind's order.
func Tools() []Tool {
	var out []Tool
	for _, k := range Kinds() {
		out = append(out, k.Tools()...)
	}
	return out
}
