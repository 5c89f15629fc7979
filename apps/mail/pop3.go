package mail

import (
	"fmt"
	"strconv"
	"strings"

	"netsim/apps/crlf"
	"netsim/sim"
	"netsim/topology"
)

// POP3 limits (RFC 1939 §3, RFC 2449 §4: a command line is at most 255 octets; the
// autologout timer at least 10 minutes).
const (
	MaxPOP3CommandBytes = 255
	POP3Idle            = 10 * sim.Minute
)

// pop3d is one POP3 session of the server (RFC 1939; Kurose & Ross §2.4.4): the
// authorization phase (user, pass), the transaction phase (list, retr, dele, ...),
// and, after quit, the update phase, the only one that deletes. The user's INBOX is
// the maildrop; it is locked for the session, and its messages keep the numbers they
// had when the session began.
type pop3d struct {
	s       *Server
	c       topology.Conn
	in      crlf.Reader
	user    string // from USER
	acct    *Account
	view    []*Stored // the maildrop, numbered from 1
	deleted []bool
	idle    *idleTimer
	done    bool
}

func (s *Server) acceptPOP3(c topology.Conn) {
	s.stats.Sessions[ProtoPOP3]++
	d := &pop3d{s: s, c: c, in: crlf.Reader{Max: MaxPOP3CommandBytes}}
	// RFC 1939 §6: a session that ends without QUIT does not enter the update
	// state; nothing is deleted (end).
	c.SetHandler(sessionHandler(d))
	d.send("+OK POP3 server ready")
	d.arm()
}

func (d *pop3d) arm() {
	d.idle = newIdleTimer(d.s.h, POP3Idle, func() {
		d.end() // autologout: no update
		d.c.Close()
	})
}

// end leaves the session, unlocking the maildrop.
func (d *pop3d) end() {
	if d.done {
		return
	}
	d.done = true
	d.idle.stop()
	if d.acct != nil {
		delete(d.s.pop3Locks(), strings.ToLower(d.acct.Name))
	}
}

func (d *pop3d) send(text string) {
	if d.done {
		return
	}
	m := crlf.Message(text + "\r\n")
	d.s.countOut(ProtoPOP3, m.SizeBytes)
	d.c.Send(m)
}

// multi sends a positive response and its lines, ended by ".": RFC 1939 §3's
// multi-line response, byte-stuffed.
func (d *pop3d) multi(first, body string) {
	if d.done {
		return
	}
	m := crlf.Message(first + "\r\n" + Stuff(body))
	d.s.countOut(ProtoPOP3, m.SizeBytes)
	d.c.Send(m)
}

func (d *pop3d) input(m topology.Message) {
	if d.done {
		return
	}
	d.s.countIn(ProtoPOP3, m.SizeBytes)
	d.idle.touch()
	text, ok := crlf.Text(m)
	if !ok {
		d.send("-ERR not a POP3 command")
		return
	}
	d.in.Feed(text, func(line string, tooLong bool) bool {
		if tooLong {
			d.send("-ERR command line too long")
		} else {
			d.command(line)
		}
		return !d.done
	})
}

// command answers one line: a keyword, case-insensitive, and arguments separated by
// single spaces.
func (d *pop3d) command(line string) {
	f := strings.Split(line, " ")
	kw := strings.ToUpper(f[0])
	args := f[1:]
	if d.acct == nil {
		d.authorization(kw, args)
		return
	}
	switch kw {
	case "STAT":
		if len(args) != 0 {
			d.send("-ERR syntax error")
			return
		}
		n, size := d.count()
		d.send(fmt.Sprintf("+OK %d %d", n, size))
	case "LIST", "UIDL":
		if len(args) > 1 {
			d.send("-ERR syntax error")
			return
		}
		if len(args) == 1 {
			i, ok := d.msg(args[0])
			if ok {
				d.send("+OK " + strconv.Itoa(i+1) + " " + d.item(kw, i))
			}
			return
		}
		var b strings.Builder
		for i := range d.view {
			if !d.deleted[i] {
				fmt.Fprintf(&b, "%d %s\r\n", i+1, d.item(kw, i))
			}
		}
		first := "+OK"
		if kw == "LIST" {
			n, size := d.count()
			first = fmt.Sprintf("+OK %d %s (%d octets)", n, plural(n, "message"), size)
		}
		d.multi(first, b.String())
	case "RETR":
		if len(args) != 1 {
			d.send("-ERR syntax error")
			return
		}
		if i, ok := d.msg(args[0]); ok {
			text := d.view[i].Text
			d.multi(fmt.Sprintf("+OK %d octets", len(text)), text)
		}
	case "TOP":
		if len(args) != 2 {
			d.send("-ERR syntax error")
			return
		}
		i, ok := d.msg(args[0])
		if !ok {
			return
		}
		n, err := strconv.Atoi(args[1])
		if err != nil || n < 0 {
			d.send("-ERR syntax error")
			return
		}
		header, text := SplitHeader(d.view[i].Text)
		d.multi("+OK", header+firstLines(text, n))
	case "DELE":
		if len(args) != 1 {
			d.send("-ERR syntax error")
			return
		}
		if i, ok := d.msg(args[0]); ok {
			d.deleted[i] = true
			d.send(fmt.Sprintf("+OK message %d deleted", i+1))
		}
	case "NOOP":
		d.send("+OK")
	case "RSET":
		for i := range d.deleted {
			d.deleted[i] = false
		}
		n, size := d.count()
		d.send(fmt.Sprintf("+OK maildrop has %d %s (%d octets)", n, plural(n, "message"), size))
	case "QUIT":
		d.update()
		d.send("+OK POP3 server signing off")
		d.end()
		d.c.Close()
	case "USER", "PASS", "APOP":
		d.send("-ERR already logged on")
	default:
		d.send("-ERR unknown command")
	}
}

func (d *pop3d) authorization(kw string, args []string) {
	switch kw {
	case "USER":
		if len(args) != 1 || args[0] == "" {
			d.send("-ERR syntax error")
			return
		}
		d.user = args[0]
		d.send("+OK")
	case "PASS":
		if d.user == "" {
			d.send("-ERR USER first")
			return
		}
		pass := strings.Join(args, " ") // RFC 1939 §7: the password may contain spaces
		a, ok := d.s.store.Account(d.user)
		d.user = ""
		if !ok || a.Password != pass {
			d.send("-ERR invalid user name or password")
			return
		}
		locks := d.s.pop3Locks()
		if locks[strings.ToLower(a.Name)] {
			d.send("-ERR maildrop already locked")
			return
		}
		locks[strings.ToLower(a.Name)] = true
		d.acct = a
		inbox, _ := a.Folder(Inbox)
		d.view = append([]*Stored(nil), inbox.Msgs...)
		d.deleted = make([]bool, len(d.view))
		d.send("+OK user successfully logged on")
	case "QUIT":
		d.send("+OK POP3 server signing off")
		d.end()
		d.c.Close()
	case "STAT", "LIST", "RETR", "DELE", "NOOP", "RSET", "TOP", "UIDL":
		d.send("-ERR not logged on")
	default:
		d.send("-ERR unknown command")
	}
}

// msg reads a message number; it answers -ERR itself when there is no such message.
func (d *pop3d) msg(arg string) (int, bool) {
	n, err := strconv.Atoi(arg)
	switch {
	case err != nil || n < 1 || n > len(d.view) || len(arg) > 10:
		d.send("-ERR no such message")
		return 0, false
	case d.deleted[n-1]:
		d.send(fmt.Sprintf("-ERR message %d already deleted", n))
		return 0, false
	}
	return n - 1, true
}

// item is what LIST (the size) or UIDL (the unique id) says of message i.
func (d *pop3d) item(kw string, i int) string {
	if kw == "UIDL" {
		return "m" + strconv.FormatUint(d.view[i].ID, 10)
	}
	return strconv.Itoa(len(d.view[i].Text))
}

// count is the maildrop's messages not marked deleted and their octets.
func (d *pop3d) count() (n int, size int) {
	for i, m := range d.view {
		if !d.deleted[i] {
			n++
			size += len(m.Text)
		}
	}
	return n, size
}

// update is the UPDATE state: the marked messages leave the maildrop.
func (d *pop3d) update() {
	inbox, _ := d.acct.Folder(Inbox)
	gone := map[*Stored]bool{}
	for i, m := range d.view {
		if d.deleted[i] {
			gone[m] = true
		}
	}
	kept := inbox.Msgs[:0]
	for _, m := range inbox.Msgs {
		if !gone[m] {
			kept = append(kept, m)
		}
	}
	clear(inbox.Msgs[len(kept):])
	inbox.Msgs = kept
}

// pop3Locks are the maildrops locked by a session now: the server's memory.
func (s *Server) pop3Locks() map[string]bool {
	if s.locks == nil {
		s.locks = map[string]bool{}
	}
	return s.locks
}

// firstLines returns the first n lines of text.
func firstLines(text string, n int) string {
	i := 0
	for ; n > 0; n-- {
		j := strings.Index(text[i:], "\r\n")
		if j < 0 {
			return text
		}
		i += j + 2
	}
	return text[:i]
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
