package mail

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// stuffedExtra is what byte-stuffing adds to a message on the wire: a "." per line
// that begins with one, and CRLF.CRLF's final ".\r\n".
func stuffedExtra(msg string) int {
	n := 3
	for _, l := range strings.Split(msg, "\r\n") {
		if strings.HasPrefix(l, ".") {
			n++
		}
	}
	return n
}

// Reference: Kurose & Ross §2.4.4 (IMAP "has commands that permit a user agent to
// obtain components of messages. For example, a user agent can obtain just the
// message header of a message"), RFC 9051 §6.4.5 (BODY[HEADER]), RFC 1939 (RETR).
// Reading Bob's mailbox of three messages, one with a 30 kB attachment: IMAP's
// headers-only fetch moves fewer bytes of mail than POP3's retr of every message by
// exactly the bodies (BODY[TEXT]) it leaves on the server; and each session's bytes
// on the wire are its framing plus that content, to the byte.
func TestIMAPHeadersOnlyAgainstPOP3Retr(t *testing.T) {
	w, store, _ := bobsServer(t)
	big, err := Compose(Draft{From: "alice@crepes.fr", To: []string{"bob@hamburger.edu"}, Subject: "The picture",
		MessageID: "<3@crepes.fr>", Body: "Here it is.\n", Attachments: []Attachment{{Name: "pickles.jpg", ContentType: "image/jpeg", Data: filler(30_000)}}})
	require.NoError(t, err)
	store.Deposit("bob", big, 0, false)
	msgs := inboxOf(t, store, "bob").Msgs
	bob := w.host(t, "bob-pc")

	var pop AccessResult
	require.NoError(t, POP3Reader(POP3Config{Server: w.addr(t, "hamburger.edu", POP3Port), User: "bob", Pass: "hungry", Keep: true}, &pop)(bob))
	w.k.Run()
	var imap AccessResult
	require.NoError(t, IMAPReader(IMAPConfig{Server: w.addr(t, "hamburger.edu", IMAPPort), User: "bob", Pass: "hungry", HeadersOnly: true}, &imap)(bob))
	w.k.Run()
	require.NoError(t, pop.Err)
	require.NoError(t, imap.Err)

	var bodies, headers, all int64
	popIn := int64(len("+OK POP3 server ready\r\n+OK\r\n+OK user successfully logged on\r\n+OK POP3 server signing off\r\n"))
	popIn += int64(len(fmt.Sprintf("+OK 3 messages (%d octets)\r\n.\r\n", len(msgs[0].Text)+len(msgs[1].Text)+len(msgs[2].Text))))
	imapIn := int64(0)
	for i, m := range msgs {
		header, text := SplitHeader(m.Text)
		bodies += int64(len(text))
		headers += int64(len(header))
		all += int64(len(m.Text))
		popIn += int64(len(fmt.Sprintf("%d %d\r\n", i+1, len(m.Text))))
		popIn += int64(len(fmt.Sprintf("+OK %d octets\r\n", len(m.Text))) + len(m.Text) + stuffedExtra(m.Text))
		imapIn += int64(len(fmt.Sprintf("* %d FETCH (BODY[HEADER] {%d}\r\n", i+1, len(header))) + len(header) + len(")\r\n"))
	}
	require.Equal(t, all, pop.ContentBytes)
	require.Equal(t, headers, imap.ContentBytes)
	require.Equal(t, bodies, pop.ContentBytes-imap.ContentBytes, "exactly the bodies not fetched")
	require.Equal(t, popIn, pop.BytesIn, "POP3: its framing and every whole message, stuffed")
	imapIn += int64(len("* OK [CAPABILITY IMAP4rev2 MOVE] IMAP4rev2 server ready\r\n" +
		"A001 OK LOGIN completed\r\n" +
		"* 3 EXISTS\r\n* FLAGS (\\Seen \\Deleted)\r\n* OK [PERMANENTFLAGS (\\Seen \\Deleted)] Limited\r\n" +
		"* OK [UIDVALIDITY 1] UIDs valid\r\n* OK [UIDNEXT 4] Predicted next UID\r\n* LIST () \"/\" \"INBOX\"\r\n" +
		"A002 OK [READ-WRITE] SELECT completed\r\n" +
		"A003 OK FETCH completed\r\n" +
		"* BYE IMAP4rev2 server logging out\r\nA004 OK LOGOUT completed\r\n"))
	require.Equal(t, imapIn, imap.BytesIn, "IMAP: its framing and every header")
	for _, m := range msgs {
		require.False(t, m.Seen, "BODY.PEEK leaves \\Seen alone")
	}
}

// filler is n bytes of binary data, the same each time.
func filler(n int) []byte {
	b := make([]byte, n)
	x := uint32(2463534242)
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x)
	}
	return b
}

// RFC 2045 §6.8: base64 turns 3 bytes into 4 characters, in lines of at most 76, each
// ended by CRLF: an attachment of n bytes is 4⌈n/3⌉ characters and 2⌈4⌈n/3⌉/76⌉ of
// line ends in the message. IMAP fetches the text part alone (BODY[1]) or the
// attachment (BODY[2]) as they are in the message; the attachment decodes to the
// bytes sent.
func TestAttachmentGrowsByFourThirds(t *testing.T) {
	for _, n := range []int{1, 2, 3, 57, 58, 30_000} {
		data := filler(n)
		enc := Base64Lines(data)
		chars := 4 * ((n + 2) / 3)
		require.Equal(t, chars+2*((chars+75)/76), len(enc), "n=%d", n)
		msg, err := Compose(Draft{From: "a@b.c", To: []string{"d@e.f"}, Body: "see attached", Attachments: []Attachment{{Name: "x.bin", Data: data}}})
		require.NoError(t, err)
		require.NoError(t, Check7Bit(msg))
		part, ok := Part(msg, 2)
		require.True(t, ok)
		require.Equal(t, enc, part, "the part as encoded: RFC 2046 §5.1.1 leaves the CRLF before the boundary out of it")
		text, ok := Part(msg, 1)
		require.True(t, ok)
		require.Equal(t, "see attached\r\n", text)
		_, ok = Part(msg, 3)
		require.False(t, ok)
	}
}

// The texts' IMAP user on a slow link: the headers of everything, then one message
// whole — and the server keeps the folders between sessions, so a message Bob moved
// to a folder of his own is there the next time, from another machine.
func TestIMAPHeadersThenOneMessage(t *testing.T) {
	w, store, _ := bobsServer(t)
	var res AccessResult
	require.NoError(t, IMAPReader(IMAPConfig{Server: w.addr(t, "hamburger.edu", IMAPPort), User: "bob", Pass: "hungry",
		HeadersOnly: true, Open: []int{2}}, &res)(w.host(t, "bob-pc")))
	w.k.Run()
	require.NoError(t, res.Err)
	msgs := inboxOf(t, store, "bob").Msgs
	h1, _ := SplitHeader(msgs[0].Text)
	h2, _ := SplitHeader(msgs[1].Text)
	require.Equal(t, []string{h1, h2, msgs[1].Text}, res.Messages)
	require.False(t, msgs[0].Seen)
	require.True(t, msgs[1].Seen, "BODY[] marks it read")
	// 2 RTTs to connect and greet, one per command: LOGIN, SELECT, two FETCHes, LOGOUT.
	require.Equal(t, 7*w.rtt(t, "bob-pc", "hamburger.edu"), res.Done-res.Start)
}
