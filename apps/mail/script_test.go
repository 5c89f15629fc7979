package mail

import (
	"fmt"
	"strings"
	"testing"

	"github.com/cockroachdb/datadriven"

	"netsim/topology/hosttest"
)

// scriptServer is hamburger.edu on a scripted host, with Bob's two messages of the
// texts' POP3 example; "mailbox USER [FOLDER]" prints a folder and "stats" the counts.
func scriptServer(t *testing.T, script string) {
	h := hosttest.New("hamburger.edu", 1)
	store := NewStore()
	var stats *ServerStats
	h.Handle("start", func(d *datadriven.TestData) string {
		store.AddUser("bob", "hungry", 0)
		store.Deposit("bob", sized(t, 1, 498), 0, false)
		store.Deposit("bob", sized(t, 2, 912), 0, false)
		stats = newServerStats()
		_, err := NewServer(h, ServerConfig{Domain: "hamburger.edu", Store: store, MaxMessageBytes: 2000}, stats)
		if err != nil {
			return err.Error()
		}
		return ""
	})
	h.Handle("mailbox", func(d *datadriven.TestData) string {
		a, ok := store.Account(d.CmdArgs[0].Key)
		if !ok {
			return "no such user"
		}
		name := Inbox
		if len(d.CmdArgs) > 1 {
			name = d.CmdArgs[1].Key
		}
		f, ok := a.Folder(name)
		if !ok {
			return "no such folder"
		}
		var b strings.Builder
		fmt.Fprintf(&b, "%s: %d messages, folders %v\n", f.Name, len(f.Msgs), a.Folders())
		for i, m := range f.Msgs {
			subject := ""
			if hd, err := Header(m.Text); err == nil {
				subject = hd.Get("Subject")
			}
			fmt.Fprintf(&b, "%d: uid %d, %d octets, seen %v, deleted %v, %q\n", i+1, m.UID, len(m.Text), m.Seen, m.Deleted, subject)
		}
		return b.String()
	})
	h.Handle("message", func(d *datadriven.TestData) string {
		a, _ := store.Account(d.CmdArgs[0].Key)
		f, _ := a.Folder(Inbox)
		var n int
		fmt.Sscan(d.CmdArgs[1].Key, &n)
		return strings.ReplaceAll(f.Msgs[n-1].Text, "\r\n", "⏎\n")
	})
	h.Handle("stats", func(d *datadriven.TestData) string {
		return fmt.Sprintf("sessions %v, accepted %d, deposited %d, queued %d, replies %v\n%s",
			stats.Sessions, stats.Accepted, stats.Deposited, store.Queued(), stats.Replies, h.Summary())
	})
	h.Run(t, script)
}

// The SMTP server of RFC 5321 driven line by line from testdata/smtpd.txt: the texts'
// replies, and every malformed or out-of-order command answered with its code (500,
// 501, 503, 550, 552, 554, 555), byte-stuffing undone, the relay refused. Regenerate
// with -rewrite.
func TestSMTPServerScript(t *testing.T) { scriptServer(t, "testdata/smtpd.txt") }

// The POP3 server of RFC 1939 from testdata/pop3d.txt: the phases, the maildrop's
// lock, and -ERR for every bad command.
func TestPOP3ServerScript(t *testing.T) { scriptServer(t, "testdata/pop3d.txt") }

// The IMAP server of RFC 9051 from testdata/imapd.txt: folders created and kept,
// search by sender and subject, MOVE, fetches of the header, the text and one part,
// a literal, and BAD for every malformed command.
func TestIMAPServerScript(t *testing.T) { scriptServer(t, "testdata/imapd.txt") }
