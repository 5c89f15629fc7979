// Package crlf reads the CRLF-ended lines of a text protocol — SMTP, POP3, IMAP and
// FTP frame their commands and replies so (RFC 5321 §2.3.8, RFC 1939 §3, RFC 9051
// §2.2, RFC 959 §4.1) — from the messages of a simulated TCP connection, which may cut
// the stream anywhere: a line may come in pieces, several in one message. Only CRLF
// ends a line; a bare CR or LF is a byte of the line (accepting a bare LF as a line
// end is what SMTP smuggling abuses). It is not a protocol model, only their framing.
package crlf

import (
	"strings"

	"netsim/topology"
)

// Reader splits a byte stream into lines. The zero value reads lines of any length;
// set Max to bound them.
type Reader struct {
	// Max is the longest line, CRLF included, the reader keeps (0: no limit). A
	// longer one is reported once as too long, and its bytes are dropped up to its
	// CRLF, so a peer cannot make the reader hold more than Max bytes.
	Max int

	buf      string
	skipping bool // inside an over-long line
	literal  int  // bytes to pass whole, as the next piece
}

// Feed adds the bytes s and calls each for every complete line, without its CRLF, in
// order; tooLong marks an over-long line (line is then ""). When each returns false
// Feed stops, keeping the rest for the next call.
func (r *Reader) Feed(s string, each func(line string, tooLong bool) bool) {
	r.buf += s
	for {
		if r.literal > 0 {
			if len(r.buf) < r.literal {
				return
			}
			lit := r.buf[:r.literal]
			r.buf = r.buf[r.literal:]
			r.literal = 0
			if !each(lit, false) {
				return
			}
			continue
		}
		i := strings.Index(r.buf, "\r\n")
		if i < 0 {
			if r.Max > 0 && len(r.buf) > r.Max {
				first := !r.skipping
				r.skipping = true
				// Keep a trailing CR: it may begin the CRLF.
				if strings.HasSuffix(r.buf, "\r") {
					r.buf = "\r"
				} else {
					r.buf = ""
				}
				if first && !each("", true) {
					return
				}
			}
			return
		}
		line := r.buf[:i]
		r.buf = r.buf[i+2:]
		switch {
		case r.skipping:
			r.skipping = false
		case r.Max > 0 && i+2 > r.Max:
			if !each("", true) {
				return
			}
		default:
			if !each(line, false) {
				return
			}
		}
	}
}

// Literal makes the next n bytes one piece, passed to each whole as if a line, CRLFs
// and all: an IMAP literal ({n} then n bytes, RFC 9051 §4.3). Call it from each.
func (r *Reader) Literal(n int) {
	if n > 0 {
		r.literal = n
	}
}

// Buffered returns how many bytes wait for the rest of their line.
func (r *Reader) Buffered() int { return len(r.buf) }

// Text is a message's bytes, or false if it carries none (a peer that does not speak
// the protocol): the text protocols' payloads are strings, or bytes.
func Text(m topology.Message) (string, bool) {
	switch p := m.Payload.(type) {
	case string:
		return p, true
	case []byte:
		return string(p), true
	}
	return "", false
}

// Message is the message that carries text s: its size is the text's length.
func Message(s string) topology.Message {
	return topology.Message{SizeBytes: int64(len(s)), Payload: s}
}
