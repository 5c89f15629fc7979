// Package transcript writes a protocol dialogue the way Kurose & Ross print theirs
// (§2.4.1: "S: 220 hamburger.edu", "C: HELO crepes.fr"), from what a client program
// sent and received: one line per protocol line, prefixed by who sent it, with every
// connection's opening and closing marked. It is not a protocol model; the mail, FTP
// and echo models write to it when a test asks them to, and their golden transcripts
// under testdata/ are its output.
//
// The rendering is lossless, so a golden file pins the bytes on the wire: each line
// is printed without its CRLF, which is implied; a message whose last line has no
// CRLF ends with " [no CRLF]"; a backslash, a bare CR or LF and every byte outside
// printable ASCII are escaped (\\, \r, \n, \t, \xNN). Bytes a model only counts (a
// file's contents on an FTP data connection) are printed as their count.
package transcript

import (
	"fmt"
	"strings"

	"netsim/sim"
)

// Recorder accumulates a transcript. The zero value is ready to use; a nil *Recorder
// records nothing, so a model calls it unconditionally.
type Recorder struct {
	b     strings.Builder
	conns int
}

// Open marks a connection opening at time at, from one host:port to another, and
// returns its number (from 1). what names its role ("control", "data"), or is "".
func (r *Recorder) Open(at sim.Time, what, from, to string) int {
	if r == nil {
		return 0
	}
	r.conns++
	role := ""
	if what != "" {
		role = " (" + what + ")"
	}
	fmt.Fprintf(&r.b, "=== connection %d%s opened at %v: %s → %s\n", r.conns, role, at, from, to)
	return r.conns
}

// Closed marks the end of connection n (the client's last sight of it) at time at.
func (r *Recorder) Closed(at sim.Time, n int) {
	if r == nil {
		return
	}
	fmt.Fprintf(&r.b, "=== connection %d closed at %v\n", n, at)
}

// Text records the bytes of one message that who ("C", "S", "D") sent.
func (r *Recorder) Text(who, text string) {
	if r == nil {
		return
	}
	for text != "" {
		line, rest, ok := strings.Cut(text, "\r\n")
		r.b.WriteString(who)
		r.b.WriteString(": ")
		r.b.WriteString(escape(line))
		if !ok {
			r.b.WriteString(" [no CRLF]")
		}
		r.b.WriteByte('\n')
		text = rest
	}
}

// Data records n bytes that who sent and the model counts without modelling them,
// described by what ("a.txt").
func (r *Recorder) Data(who string, n int64, what string) {
	if r == nil {
		return
	}
	fmt.Fprintf(&r.b, "%s: [%d bytes of %s]\n", who, n, what)
}

// String returns the transcript so far.
func (r *Recorder) String() string {
	if r == nil {
		return ""
	}
	return r.b.String()
}

// Conns returns how many connections have been opened.
func (r *Recorder) Conns() int {
	if r == nil {
		return 0
	}
	return r.conns
}

// escape makes a line printable without losing a byte of it.
func escape(line string) string {
	clean := true
	for i := 0; i < len(line); i++ {
		if c := line[i]; c < 0x20 || c >= 0x7f || c == '\\' {
			clean = false
			break
		}
	}
	if clean {
		return line
	}
	var b strings.Builder
	for i := 0; i < len(line); i++ {
		switch c := line[i]; {
		case c == '\\':
			b.WriteString(`\\`)
		case c == '\r':
			b.WriteString(`\r`)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\t':
			b.WriteString(`\t`)
		case c < 0x20 || c >= 0x7f:
			fmt.Fprintf(&b, `\x%02x`, c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
