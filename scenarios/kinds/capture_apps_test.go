package kinds

import (
	"encoding/hex"
	"testing"

	"github.com/stretchr/testify/require"
)

// Issue 15, acceptance 1, for the mail access protocols (RFC 1939, RFC 9051), as
// Wireshark shows Kurose & Ross §2.4.4's sessions, captured at Bob's machine: every
// frame decodes as POP3 or IMAP, every stream reassembles to exactly the bytes the
// models sent, and the commands are those of the session: the texts' POP3
// download-and-delete of two messages, and IMAP's headers-then-one.
func TestPcapOfPOP3AndIMAP(t *testing.T) {
	c, _ := captureOf(t, "kind: mailaccess\nparams: {method: pop3-delete, messages: 2}\n", "bob-pc")
	c.Check(t)
	require.Equal(t, [][]string{{"user", "bob"}, {"pass", "hungry"}, {"list", ""}, {"retr", "1"}, {"dele", "1"}, {"retr", "2"}, {"dele", "2"}, {"quit", ""}},
		c.Fields(t, "bob-pc", "pop.request", "pop.request.command", "pop.request.parameter"))
	require.Len(t, c.Fields(t, "bob-pc", "pop.response.indicator == \"+OK\"", "frame.number"), 9, "the greeting and eight +OK")

	c, _ = captureOf(t, "kind: mailaccess\nparams: {method: imap-headers, messages: 3, open: 1}\n", "bob-pc")
	c.Check(t)
	require.Equal(t, [][]string{{"A001", "LOGIN"}, {"A002", "SELECT"}, {"A003", "FETCH"}, {"A004", "FETCH"}, {"A005", "LOGOUT"}},
		c.Fields(t, "bob-pc", "imap.request", "imap.request_tag", "imap.request.command"))
}

// FTP (RFC 959) captured at the client: the control connection's commands, active
// (PORT, the server's data connections from port 20) and passive (PASV, the client
// dialling the announced port); one data connection per file, each carrying the
// file's length; tshark follows each stream to the model's bytes.
func TestPcapOfFTP(t *testing.T) {
	for _, c := range []struct {
		mode, cmd string
		dataPort  string
	}{{"ftp-active", "PORT", "20"}, {"ftp-passive", "PASV", ""}} {
		capt, _ := captureOf(t, "kind: ftp\nparams: {protocol: "+c.mode+", files: 2, file_size: 3000B}\n", "client")
		capt.Check(t)
		require.Equal(t, [][]string{{"USER"}, {"PASS"}, {c.cmd}, {"RETR"}, {c.cmd}, {"RETR"}, {"QUIT"}}, capt.Fields(t, "client", "ftp.request.command", "ftp.request.command"))
		syns := capt.Fields(t, "client", "tcp.flags.syn == 1 && tcp.flags.ack == 0", "tcp.srcport", "tcp.dstport")
		require.Len(t, syns, 3, "the control connection and one per file")
		require.Equal(t, "21", syns[0][1])
		if c.dataPort != "" {
			require.Equal(t, c.dataPort, syns[1][0], "active mode: the server dials from port 20")
		}
		require.Equal(t, int64(2*3000), capt.Streams(t, "client")-controlBytes(t, capt), "the files' bytes on the data connections")
	}
}

// controlBytes is what the FTP control connection carried, both ways.
func controlBytes(t *testing.T, c interface {
	Fields(testing.TB, string, string, ...string) [][]string
}) int64 {
	var n int64
	for _, f := range c.Fields(t, "client", "tcp.port == 21 && tcp.len > 0", "tcp.len") {
		var l int64
		for _, d := range f[0] {
			l = 10*l + int64(d-'0')
		}
		n += l
	}
	return n
}

// The texts' socket programs (Kurose & Ross §2.7) at the client: the UDP datagram to
// port 12000 carries the line's bytes and the answer the same in upper case; the TCP
// program's line and answer ride on a connection of their own.
func TestPcapOfEcho(t *testing.T) {
	line := "hello from the client"
	for _, proto := range []string{"udp", "tcp"} {
		c, _ := captureOf(t, "kind: echo\nparams: {protocol: "+proto+", lines: 1}\n", "client")
		c.Check(t)
		payloads := c.Fields(t, "client", proto+".port == 12000 && "+map[string]string{"udp": "udp", "tcp": "tcp.len > 0"}[proto], proto+".payload")
		require.Equal(t, [][]string{{hex.EncodeToString([]byte(line))}, {hex.EncodeToString([]byte("HELLO FROM THE CLIENT"))}}, payloads, proto)
	}
}

// Web mail (Kurose & Ross §2.4.4) at Bob's browser: HTTP GETs of the inbox page and
// of a message, whose message/rfc822 body tshark decodes as the message itself (its
// Subject), the stream equal to the bytes the server built.
func TestPcapOfWebmail(t *testing.T) {
	c, _ := captureOf(t, "kind: mailaccess\nparams: {method: webmail, messages: 2, open: 1}\n", "bob-pc")
	c.Check(t)
	require.Equal(t, [][]string{{"/bob/inbox"}, {"/bob/1"}}, c.Fields(t, "bob-pc", "http.request", "http.request.uri"))
	require.Equal(t, [][]string{{"Searching for the meaning of life, part 1"}}, c.Fields(t, "bob-pc", "imf", "imf.subject"))
}
