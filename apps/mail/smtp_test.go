package mail

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"netsim/apps/transcript"
	"netsim/sim"
)

// The texts' transcript (Kurose & Ross §2.4.1), between the SMTP client crepes.fr and
// the server hamburger.edu, line for line.
var textsTranscript = []string{
	"S: 220 hamburger.edu",
	"C: HELO crepes.fr",
	"S: 250 Hello crepes.fr, pleased to meet you",
	"C: MAIL FROM: <alice@crepes.fr>",
	"S: 250 alice@crepes.fr ... Sender ok",
	"C: RCPT TO: <bob@hamburger.edu>",
	"S: 250 bob@hamburger.edu ... Recipient ok",
	"C: DATA",
	`S: 354 Enter mail, end with "." on a line by itself`,
	"C: Do you like ketchup?",
	"C: How about pickles?",
	"C: .",
	"S: 250 Message accepted for delivery",
	"C: QUIT",
	"S: 221 hamburger.edu closing connection",
}

const ketchup = "Do you like ketchup?\r\nHow about pickles?\r\n"

// Reference: Kurose & Ross §2.4.1, the SMTP transcript. The client crepes.fr sends
// Alice's message to hamburger.edu; what crosses the connection is the texts'
// transcript byte for byte (testdata/smtp-crepes-hamburger.txt, with the connection's
// opening and closing marked). One connection; the five commands the texts count
// (HELO, MAIL FROM, RCPT TO, DATA, QUIT) and seven replies; the message lands in
// Bob's mailbox with the trace fields RFC 5321 §4.4 requires of the server, a
// Return-Path and a Received line, above it.
func TestGoldenSMTPTranscript(t *testing.T) {
	w := newWorld(t, map[string]sim.Time{"crepes.fr": 25 * sim.Millisecond, "hamburger.edu": 25 * sim.Millisecond}, "crepes.fr", "hamburger.edu")
	store := NewStore()
	store.AddUser("bob", "hungry", 0)
	srv, err := NewServer(w.host(t, "hamburger.edu"), ServerConfig{Domain: "hamburger.edu", Store: store}, nil)
	require.NoError(t, err)
	var tr transcript.Recorder
	var res SendResult
	require.NoError(t, Sender(SenderConfig{
		Server: w.addr(t, "hamburger.edu", SMTPPort), ServerName: "hamburger.edu", Hello: "crepes.fr",
		From: "alice@crepes.fr", Messages: []Outgoing{{To: []string{"bob@hamburger.edu"}, Data: ketchup}}, Trace: &tr,
	}, &res)(w.host(t, "crepes.fr")))
	w.k.Run()
	golden(t, "smtp-crepes-hamburger.txt", tr.String())

	lines := strings.Split(strings.TrimSuffix(tr.String(), "\n"), "\n")
	require.Equal(t, textsTranscript, lines[1:len(lines)-1], "the texts' lines, between the connection's marks")
	require.Equal(t, 1, tr.Conns())
	require.Equal(t, int64(5), res.Stats.Commands)
	require.Equal(t, int64(7), res.Stats.Replies)
	require.Len(t, res.Submissions, 1)
	require.True(t, res.Submissions[0].Accepted())
	inbox := inboxOf(t, store, "bob")
	require.Len(t, inbox.Msgs, 1)
	require.Equal(t, "Return-Path: <alice@crepes.fr>\r\nReceived: from crepes.fr by hamburger.edu; Mon, 01 Jan 2024 00:00:00 +0000\r\n"+ketchup, inbox.Msgs[0].Text)
	require.Equal(t, int64(1), srv.Stats().Deposited)
	require.Equal(t, 0, w.stack.Live().ConnEnds)
}

func mustAccount(t *testing.T, s *Store, user string) *Account {
	t.Helper()
	a, ok := s.Account(user)
	require.True(t, ok)
	return a
}

func inboxOf(t *testing.T, s *Store, user string) *Folder {
	t.Helper()
	f, _ := mustAccount(t, s, user).Folder(Inbox)
	return f
}

// RFC 5321 §4.5.2, transparency, end to end: messages whose lines begin with dots,
// hold a lone "." or end without a CRLF go through a real session (the agent stuffs,
// the server unstuffs) and land in Bob's mailbox as they were sent (with the final
// CRLF added and the server's trace fields above them); the session's one DATA per
// message shows no line was taken for the end of the data.
func TestDotStuffingRoundTripsThroughSMTP(t *testing.T) {
	bodies := []string{".\r\n", "..\r\n.\r\n...\r\n", "a\r\n.\r\nb", ".hidden\r\n\r\n.\r\n\r\n", ketchup + ".\r\n" + ketchup}
	w := newWorld(t, map[string]sim.Time{"crepes.fr": 25 * sim.Millisecond, "hamburger.edu": 25 * sim.Millisecond}, "crepes.fr", "hamburger.edu")
	store := NewStore()
	store.AddUser("bob", "hungry", 0)
	_, err := NewServer(w.host(t, "hamburger.edu"), ServerConfig{Domain: "hamburger.edu", Store: store}, nil)
	require.NoError(t, err)
	var out []Outgoing
	for _, b := range bodies {
		out = append(out, Outgoing{To: []string{"bob@hamburger.edu"}, Data: b})
	}
	var res SendResult
	require.NoError(t, Sender(SenderConfig{Server: w.addr(t, "hamburger.edu", SMTPPort), Hello: "crepes.fr",
		From: "alice@crepes.fr", Messages: out}, &res)(w.host(t, "crepes.fr")))
	w.k.Run()
	msgs := inboxOf(t, store, "bob").Msgs
	require.Len(t, msgs, len(bodies))
	for i, b := range bodies {
		if !strings.HasSuffix(b, "\r\n") {
			b += "\r\n"
		}
		trace := strings.SplitAfterN(msgs[i].Text, "\r\n", 3)
		require.Len(t, trace, 3)
		require.Equal(t, "Return-Path: <alice@crepes.fr>\r\n", trace[0])
		require.True(t, strings.HasPrefix(trace[1], "Received: from crepes.fr by hamburger.edu; "), trace[1])
		require.Equal(t, b, trace[2], "message %d", i)
	}
	require.Equal(t, int64(2+3*len(bodies)), res.Stats.Commands, "HELO, QUIT, and MAIL, RCPT and DATA per message")
	require.Equal(t, int64(3+4*len(bodies)), res.Stats.Replies, "220, HELO's, 221, and per message MAIL's, RCPT's, 354 and one 250 after the data")
}
