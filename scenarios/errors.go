package scenarios

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Error is one problem with a scenario, located in its file like a compiler error:
//
//	bad.yaml:7: params.peers: must be at least 1, got 0
//	    7 |   peers: 0
//	      |   ^
//
// Line is 0 when no line of the file is to blame (a --set argument, say).
type Error struct {
	File   string
	Line   int    // 1-based; 0 if none
	Column int    // 1-based; 0 if unknown
	Key    string // dotted path in the file, e.g. "params.server.upload"; may be empty
	Reason string
	Source string // the offending line of the file, without its newline
}

// Error formats the problem as "FILE:LINE: KEY: reason" and, on the following lines, the
// offending line of the file with a caret under the column.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.Key != "" {
		b.WriteString(e.Key)
		b.WriteString(": ")
	}
	b.WriteString(e.Reason)
	if e.Line > 0 {
		num := fmt.Sprint(e.Line)
		src := strings.ReplaceAll(e.Source, "\t", "→")
		fmt.Fprintf(&b, "\n    %s | %s", num, src)
		if e.Column > 0 {
			fmt.Fprintf(&b, "\n    %s | %s^", strings.Repeat(" ", len(num)), strings.Repeat(" ", e.Column-1))
		}
	}
	return b.String()
}

// Errors is every problem found in a scenario, in the order of the file.
type Errors []*Error

// maxShownErrors is how many problems Errors.Error shows: a file with a thousand bad
// values gets the first few and a count, not a thousand copies of its line.
const maxShownErrors = 20

func (es Errors) Error() string {
	parts := make([]string, 0, min(len(es), maxShownErrors+1))
	for i, e := range es {
		if i == maxShownErrors {
			parts = append(parts, fmt.Sprintf("%s: and %d more problems", e.File, len(es)-maxShownErrors))
			break
		}
		parts = append(parts, e.Error())
	}
	return strings.Join(parts, "\n")
}

// Unwrap lets errors.As find each *Error.
func (es Errors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// source is a scenario file's text, for quoting its lines in errors.
type source struct {
	file  string
	lines []string
}

func newSource(file string, data []byte) *source {
	return &source{file: file, lines: strings.Split(string(data), "\n")}
}

// errorAt returns an *Error at line and column (0 for none) of the file.
func (s *source) errorAt(line, col int, key, format string, args ...any) *Error {
	e := &Error{File: s.file, Line: line, Column: col, Key: key, Reason: fmt.Sprintf(format, args...)}
	if line > 0 && line <= len(s.lines) {
		e.Source, e.Column = window(strings.TrimRight(s.lines[line-1], "\r"), col)
	} else {
		e.Line, e.Column = 0, 0
	}
	return e
}

// maxSourceBytes is how much of a long line an error quotes: the part around the
// column, so that a one-line file of a megabyte gives a message of a line.
const maxSourceBytes = 120

// window returns the part of line an error shows, at most maxSourceBytes around the
// 1-based column col (0: the start), cut at character boundaries and marked with
// "..." where cut, and col within it.
func window(line string, col int) (string, int) {
	if len(line) <= maxSourceBytes {
		return line, col
	}
	start := 0
	if col > maxSourceBytes/2 {
		start = col - 1 - maxSourceBytes/2
	}
	// Back to the start of a character: at most three bytes, for a line that is not
	// UTF-8 at all has no character starts.
	for i := 0; i < utf8.UTFMax-1 && start > 0 && !utf8.RuneStart(line[start]); i++ {
		start--
	}
	end := min(start+maxSourceBytes, len(line))
	for i := 0; i < utf8.UTFMax-1 && end < len(line) && !utf8.RuneStart(line[end]); i++ {
		end--
	}
	out := line[start:end]
	if end < len(line) {
		out += "..."
	}
	if start > 0 {
		out = "..." + out
		if col > 0 {
			col = col - start + 3
		}
	}
	return out, col
}
