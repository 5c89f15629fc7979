package ftp

import (
	"fmt"
	"netsim/apps/crlf/crlftest"
	"regexp"
	"strings"
	"testing"

	"netsim/apps/crlf"
	"netsim/sim"
	"netsim/topology"
	"netsim/topology/hosttest"
)

var replyLine = regexp.MustCompile(`^[1-5][0-5][0-9] [\x20-\x7e]*\r\n$`)

// FuzzServer feeds arbitrary bytes, cut into messages anywhere, to a logged-in-able
// session: whatever comes, the server answers only well-formed replies (a code and
// printable text, CRLF-ended, one per message), answers at most one reply per line
// plus the transfers' own, and never panics. CI runs it for 30 s.
func FuzzServer(f *testing.F) {
	for _, seed := range []string{
		"USER alice\r\nPASS wonderland\r\nCWD pub\r\nLIST\r\nQUIT\r\n",
		"USER alice\r\nPASS wonderland\r\nPASV\r\nRETR ketchup.txt\r\nSTOR x\r\n",
		"USER alice\r\nPASS wonderland\r\nPORT 10,0,0,2,200,10\r\nRETR /pub/pickles.gif\r\n",
		"user alice\r\npass wonderland\r\ncdup\r\npwd\r\ntype i\r\nmode s\r\nstru f\r\nsyst\r\nnoop\r\n",
		"\r\n\r\nXXXX\r\n1234\r\nUSER\r\nPASS\r\n\x00\xff\r\n",
	} {
		f.Add([]byte(seed), uint8(7))
	}
	f.Fuzz(func(t *testing.T, data []byte, cut uint8) {
		h := hosttest.New(serverHost, 1)
		s, err := NewServer(h, ServerConfig{Users: map[string]string{"alice": "wonderland"}, FS: testFS(), QuotaBytes: 40_000}, nil)
		if err != nil {
			t.Fatal(err)
		}
		c := &crlftest.Conn{LocalAddr: topology.Addr{Node: 0, Port: ControlPort}}
		s.accept(c)
		c.Feed(data, cut)
		h.Kernel().RunUntil(h.Now() + sim.Hour) // passive-mode timeouts
		lines := strings.Count(string(data), "\r\n") + len(data)/MaxLineBytes + 1
		if len(c.Sent) > 1+3*lines {
			t.Fatalf("%d replies to %d lines", len(c.Sent), lines)
		}
		for _, r := range c.Sent {
			if !replyLine.MatchString(r) {
				t.Fatalf("malformed reply %q", r)
			}
		}
	})
}

// FuzzReply feeds arbitrary lines to the client's reply reader (RFC 959 §4.2: one-line
// and multi-line replies): it returns a code in 100..599 or an error, and never
// panics; a one-line reply of the server's form reads back as its code and text.
func FuzzReply(f *testing.F) {
	f.Add("227 Entering Passive Mode (10,0,0,1,192,0).\r\n211-Features\r\n MDTM\r\n211 End\r\n", 226, "Closing data connection.")
	f.Add("150 ok\r\n226 done\r\n-23 x\r\n99 x\r\n6000\r\n", 100, "")
	f.Fuzz(func(t *testing.T, data string, code int, text string) {
		var r replyReader
		in := crlf.Reader{Max: MaxLineBytes}
		in.Feed(data, func(line string, tooLong bool) bool {
			if tooLong {
				return false
			}
			n, text, done, err := r.line(line)
			if err != nil {
				return false
			}
			if done && (n < 100 || n > 599) {
				t.Fatalf("code %d from %q", n, line)
			}
			if a, ok := pasvAddr(text); ok && (a.Port <= 0 || a.Port > 65535 || a.Node < 0) {
				t.Fatalf("address %v from %q", a, text)
			}
			return true
		})
		if code < 100 || code > 599 || !printable(text) {
			return
		}
		var fresh replyReader
		got, gotText, done, err := fresh.line(fmt.Sprintf("%d %s", code, text))
		if err != nil || !done || got != code || gotText != text {
			t.Fatalf("%d %q read back as %d %q (done %v, %v)", code, text, got, gotText, done, err)
		}
	})
}
