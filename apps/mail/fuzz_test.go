package mail

import (
	"netsim/apps/crlf/crlftest"
	"regexp"
	"strings"
	"testing"

	"netsim/sim"
	"netsim/topology"
	"netsim/topology/hosttest"
)

// RFC 5321 §4.5.2 (transparency) and RFC 1939 §3: for any message, Unstuff(Stuff(m))
// is m (with its final CRLF), and the stuffed text holds CRLF.CRLF only at its end —
// the receiver cannot mistake a line of the message for the end of the data.
func FuzzStuffRoundTrip(f *testing.F) {
	for _, seed := range []string{"", ".", ".\r\n", "..\r\n.\r\n", "a\r\n.\r\nb", "\r\n.\r\n", ".a\r\n..b\r\n...\r\n", "x\r", "\r\n\r\n"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, m string) {
		s := Stuff(m)
		want := m
		if m != "" && !strings.HasSuffix(m, "\r\n") {
			want += "\r\n"
		}
		got, ok := Unstuff(s)
		if !ok || got != want {
			t.Fatalf("Unstuff(Stuff(%q)) = %q, %v; want %q", m, got, ok, want)
		}
		if i := strings.Index("\r\n"+s, "\r\n.\r\n"); i != len(s)-3 {
			t.Fatalf("Stuff(%q) = %q: the end marker at %d", m, s, i)
		}
	})
}

// fuzzSession feeds data, cut into messages of cut%64+1 bytes, to a session accept
// starts on hamburger.edu (Bob's maildrop of two messages), and returns what the
// server sent.
func fuzzSession(t *testing.T, data []byte, cut uint8, accept func(*Server) func(topology.Conn)) []string {
	h := hosttest.New("hamburger.edu", 1)
	store := NewStore()
	store.AddUser("bob", "hungry", 0)
	store.Deposit("bob", sized(t, 1, 498), 0, false)
	store.Deposit("bob", sized(t, 2, 912), 0, false)
	s, err := NewServer(h, ServerConfig{Domain: "hamburger.edu", Store: store, MaxMessageBytes: 2000}, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &crlftest.Conn{LocalAddr: topology.Addr{Node: 0, Port: SMTPPort}}
	accept(s)(c)
	c.Feed(data, cut)
	h.Kernel().RunUntil(h.Now() + sim.Hour) // the idle timers
	return c.Sent
}

// printableLines reports whether s is lines of printable ASCII, each CRLF-ended.
func printableLines(s string) bool {
	if !strings.HasSuffix(s, "\r\n") {
		return false
	}
	for _, l := range strings.Split(strings.TrimSuffix(s, "\r\n"), "\r\n") {
		if !printable(l) {
			return false
		}
	}
	return true
}

func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

var smtpReply = regexp.MustCompile(`^([2-5][0-5][0-9]-[\x20-\x7e]*\r\n)*[2-5][0-5][0-9] [\x20-\x7e]*\r\n$`)

// Acceptance 6 of issue 14: whatever bytes a client sends, cut anywhere, the SMTP
// server (RFC 5321 §4.2) answers only replies of lines of the form code, hyphen (all
// but the last) or space, printable text, CRLF — 500/501 for what it cannot parse — and never panics.
func FuzzSMTPServer(f *testing.F) {
	for _, seed := range []string{
		"HELO crepes.fr\r\nMAIL FROM: <alice@crepes.fr>\r\nRCPT TO: <bob@hamburger.edu>\r\nDATA\r\nDo you like ketchup?\r\n..\r\n.\r\nQUIT\r\n",
		"EHLO x\r\nMAIL FROM:<>\r\nRCPT TO:<carol@hamburger.edu>\r\nRCPT TO:<x@else.where>\r\nRSET\r\nNOOP\r\nVRFY bob\r\n",
		"DATA\r\nRCPT TO:<bob>\r\nMAIL FROM:alice\r\nHELO\r\n\x00\xff\r\n\r\n" + strings.Repeat("x", 600) + "\r\n",
		"HELO a\r\nMAIL FROM:<a@b> SIZE=99999\r\nRCPT TO:<bob@hamburger.edu>\r\nDATA\r\n\xe9\r\n.\r\n",
	} {
		f.Add([]byte(seed), uint8(7))
	}
	f.Fuzz(func(t *testing.T, data []byte, cut uint8) {
		for _, r := range fuzzSession(t, data, cut, func(s *Server) func(topology.Conn) { return s.acceptSMTP }) {
			if !smtpReply.MatchString(r) {
				t.Fatalf("malformed reply %q", r)
			}
		}
	})
}

// Whatever a client sends, the POP3 server (RFC 1939 §3) answers with responses that
// begin "+OK" or "-ERR", in printable CRLF-ended lines, and never panics.
func FuzzPOP3Server(f *testing.F) {
	for _, seed := range []string{
		"user bob\r\npass hungry\r\nlist\r\nretr 1\r\ndele 1\r\nretr 2\r\ndele 2\r\nquit\r\n",
		"USER bob\r\nPASS hungry\r\nSTAT\r\nUIDL\r\nLIST 2\r\nTOP 1 3\r\nRSET\r\nNOOP\r\nDELE 9\r\nRETR x\r\n",
		"pass x\r\nuser\r\n\x00\xff\r\n\r\n" + strings.Repeat("y", 300) + "\r\n",
	} {
		f.Add([]byte(seed), uint8(5))
	}
	f.Fuzz(func(t *testing.T, data []byte, cut uint8) {
		for _, r := range fuzzSession(t, data, cut, func(s *Server) func(topology.Conn) { return s.acceptPOP3 }) {
			if !(strings.HasPrefix(r, "+OK") || strings.HasPrefix(r, "-ERR")) || !printableLines(r) {
				t.Fatalf("malformed response %q", r)
			}
		}
	})
}

// imapResponse is a response's start; a tag is printable ASCII but for SP and
// + ( ) { % * " \ ] (RFC 9051 §9, tag; the server refuses "]" too).
var imapResponse = regexp.MustCompile(`^(\* |\+ |[^\x00-\x20\x7f-\xff+(){%*"\\\]]{1,64} (OK|NO|BAD) )`)

// Whatever a client sends, the IMAP server (RFC 9051 §7) answers with untagged ("* "),
// continuation ("+ ") or tagged OK/NO/BAD responses, CRLF-ended, never panicking; a
// malformed command gets BAD.
func FuzzIMAPServer(f *testing.F) {
	for _, seed := range []string{
		"a1 LOGIN bob hungry\r\na2 SELECT INBOX\r\na3 FETCH 1:2 (BODY.PEEK[HEADER])\r\na4 FETCH 2 BODY[TEXT]\r\na5 LOGOUT\r\n",
		"a LOGIN {3}\r\nbob {6}\r\nhungry\r\nb CREATE Travel\r\nc SELECT inbox\r\nd SEARCH FROM alice SUBJECT life\r\ne MOVE 1 Travel\r\nf EXPUNGE\r\n",
		"* x\r\n\r\na\r\na NOOP x\r\na FETCH\r\n{99999999}\r\n\x00\xff\r\n",
		"t LOGIN bob hungry\r\nt EXAMINE INBOX\r\nt FETCH 1 (FLAGS BODY[1] RFC822.SIZE)\r\nt STORE 1 +FLAGS (\\Deleted)\r\nt CLOSE\r\n",
	} {
		f.Add([]byte(seed), uint8(11))
	}
	f.Fuzz(func(t *testing.T, data []byte, cut uint8) {
		for _, r := range fuzzSession(t, data, cut, func(s *Server) func(topology.Conn) { return s.acceptIMAP }) {
			if !imapResponse.MatchString(r) || !strings.HasSuffix(r, "\r\n") {
				t.Fatalf("malformed response %q", r)
			}
		}
	})
}
