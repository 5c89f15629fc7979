package mail

import (
	"strings"

	"netsim/sim"
	"netsim/topology"
)

// Stuff returns a message as it is sent after SMTP's DATA (RFC 5321 §4.5.2) or in
// POP3's multi-line responses (RFC 1939 §3): a CRLF added if the message does not end
// with one, every line that begins with "." given another, and the end marked by a
// line holding only ".", so that the sequence CRLF.CRLF appears nowhere else.
func Stuff(msg string) string {
	var b strings.Builder
	b.Grow(len(msg) + len(msg)/64 + 5)
	for msg != "" {
		line, rest, ok := strings.Cut(msg, "\r\n")
		if strings.HasPrefix(line, ".") {
			b.WriteByte('.')
		}
		b.WriteString(line)
		b.WriteString("\r\n")
		if !ok {
			break
		}
		msg = rest
	}
	b.WriteString(".\r\n")
	return b.String()
}

// Unstuff is Stuff's inverse: the message carried by stuffed, which must end with the
// line ".". It returns false if it does not. Unstuff(Stuff(m)) is m, with a CRLF
// added if m lacked its final one.
func Unstuff(stuffed string) (string, bool) {
	var u unstuffer
	rest := stuffed
	for rest != "" {
		line, r, ok := strings.Cut(rest, "\r\n")
		if !ok {
			return "", false
		}
		rest = r
		if u.line(line) {
			return u.b.String(), rest == ""
		}
	}
	return "", false
}

// unstuffer reads a stuffed message line by line, as a receiver does.
type unstuffer struct {
	b     strings.Builder
	bytes int
}

// line takes one line (without its CRLF) and reports whether it was the final ".".
func (u *unstuffer) line(s string) bool {
	if s == "." {
		return true
	}
	s = strings.TrimPrefix(s, ".")
	u.b.WriteString(s)
	u.b.WriteString("\r\n")
	u.bytes += len(s) + 2
	return false
}

func (u *unstuffer) reset() { u.b.Reset(); u.bytes = 0 }

// idleTimer is a server's inactivity timeout (RFC 5321 §4.5.3.2.7, RFC 1939 §3, RFC
// 9051 §5.4): it fires d after the last touch. One timer serves the whole session; it
// is moved on only when it comes due, not at every command.
type idleTimer struct {
	h    topology.Host
	d    sim.Time
	last sim.Time
	id   sim.EventID
	fire func()
}

func newIdleTimer(h topology.Host, d sim.Time, fire func()) *idleTimer {
	t := &idleTimer{h: h, d: d, last: h.Now(), fire: fire}
	t.id = h.After(d, t.due)
	return t
}

func (t *idleTimer) touch() { t.last = t.h.Now() }

func (t *idleTimer) due() {
	t.id = 0
	if wait := t.last + t.d - t.h.Now(); wait > 0 {
		t.id = t.h.After(wait, t.due)
		return
	}
	t.fire()
}

func (t *idleTimer) stop() {
	if t != nil && t.id != 0 {
		t.h.Cancel(t.id)
		t.id = 0
	}
}

// session is a server's side of one SMTP, POP3 or IMAP connection.
type session interface {
	input(m topology.Message) // bytes from the client
	end()                     // the connection is gone, closed or reset
}

// sessionHandler hands a connection's messages to d, and ends d when the client closes
// (closing the server's side in turn) or the connection is reset.
func sessionHandler(d session) *topology.ConnHandler {
	return &topology.ConnHandler{
		OnMessage: func(_ topology.Conn, m topology.Message) { d.input(m) },
		OnClose:   func(c topology.Conn) { d.end(); c.Close() },
		OnReset:   func(topology.Conn, error) { d.end() },
	}
}
