package mail

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"netsim/apps/transcript"
	"netsim/sim"
)

// sized composes a message from alice to bob of exactly n octets, its body the texts'
// "(blah blah ... ..... blah)", padded; its lines starting with "." are byte-stuffed
// on the wire.
func sized(t *testing.T, i, n int) string {
	t.Helper()
	head, err := Compose(Draft{From: "alice@crepes.fr", To: []string{"bob@hamburger.edu"},
		Subject: fmt.Sprintf("Searching for the meaning of life, part %d", i), Date: sim.Time(i) * sim.Hour,
		MessageID: fmt.Sprintf("<%d@crepes.fr>", i), Body: "(blah blah ...\n.....\n"})
	require.NoError(t, err)
	const last = "..... blah)\r\n"
	pad := n - len(head) - len(last)
	require.GreaterOrEqual(t, pad, 0)
	var b strings.Builder
	for pad > 0 {
		k := min(pad, 60)
		if pad-k > 0 && pad-k < 3 {
			k = pad - 3 // leave room for a line of at least one character and CRLF
		}
		line := strings.Repeat("blah ", 12)[:k-2]
		b.WriteString(line + "\r\n")
		pad -= k
	}
	msg := head + b.String() + last
	require.Len(t, msg, n)
	require.NoError(t, Check7Bit(msg))
	return msg
}

// bobsServer is hamburger.edu with Bob's two messages of the texts' POP3 example, of
// 498 and 912 octets, and Bob's agent's host.
func bobsServer(t *testing.T) (*world, *Store, *ServerStats) {
	w := newWorld(t, map[string]sim.Time{"bob-pc": 10 * sim.Millisecond, "hamburger.edu": 15 * sim.Millisecond}, "bob-pc", "hamburger.edu")
	store := NewStore()
	store.AddUser("bob", "hungry", 0)
	store.Deposit("bob", sized(t, 1, 498), 0, false)
	store.Deposit("bob", sized(t, 2, 912), 0, false)
	stats := newServerStats()
	_, err := NewServer(w.host(t, "hamburger.edu"), ServerConfig{Domain: "hamburger.edu", Store: store}, stats)
	require.NoError(t, err)
	return w, store, stats
}

// The texts' POP3 download-and-delete session (Kurose & Ross §2.4.4), in the
// RFC 1939 dialogue the texts abridge: a greeting, user and pass, then list, retr and
// dele for each of the two messages, and quit (testdata/pop3-download-and-delete.txt,
// byte for byte). The texts' lines all appear, in order; LIST's sizes are theirs; the
// "....." lines come byte-stuffed and are unstuffed by the agent; the messages leave
// the maildrop only in the update phase, after quit. One connection, 8 commands
// (user, pass, list, two retr, two dele, quit) and 9 responses (the greeting too).
func TestGoldenPOP3DownloadAndDelete(t *testing.T) {
	w, store, stats := bobsServer(t)
	want := []string{inboxOf(t, store, "bob").Msgs[0].Text, inboxOf(t, store, "bob").Msgs[1].Text}
	var tr transcript.Recorder
	var res AccessResult
	require.NoError(t, POP3Reader(POP3Config{Server: w.addr(t, "hamburger.edu", POP3Port), ServerName: "hamburger.edu",
		User: "bob", Pass: "hungry", Trace: &tr}, &res)(w.host(t, "bob-pc")))
	w.k.Run()
	require.NoError(t, res.Err)
	golden(t, "pop3-download-and-delete.txt", tr.String())

	texts := []string{"C: user bob", "S: +OK", "C: pass hungry", "S: +OK user successfully logged on",
		"C: list", "S: 1 498", "S: 2 912", "S: .", "C: retr 1", "S: .", "C: dele 1", "C: retr 2", "S: .",
		"C: dele 2", "C: quit", "S: +OK POP3 server signing off"}
	lines := strings.Split(tr.String(), "\n")
	i := 0
	for _, l := range lines {
		if i < len(texts) && l == texts[i] {
			i++
		}
	}
	require.Equal(t, len(texts), i, "the texts' lines in order; missing from %q", texts[min(i, len(texts)-1)])
	require.Equal(t, want, res.Messages)
	require.Equal(t, int64(498+912), res.ContentBytes)
	require.Empty(t, inboxOf(t, store, "bob").Msgs)
	require.Equal(t, 1, tr.Conns())
	require.Equal(t, 8, res.Commands)
	require.Equal(t, 9, res.Replies)
	require.Equal(t, res.BytesOut, stats.BytesIn[ProtoPOP3])
	require.Equal(t, res.BytesIn, stats.BytesOut[ProtoPOP3])
	// 1 RTT to connect and 1 for the greeting, then one per command: 10 RTTs.
	require.Equal(t, 10*w.rtt(t, "bob-pc", "hamburger.edu"), res.Done-res.Start)
}

// RFC 1939 §6: a session that ends without quit does not enter the update state, so
// the messages marked with dele stay; download-and-keep leaves them too, so a second
// machine reads them again (Kurose & Ross §2.4.4: the user "can reread messages from
// different machines"), and with UIDL a machine fetches only what it has not seen.
func TestPOP3DeletesOnlyInTheUpdatePhase(t *testing.T) {
	w, store, _ := bobsServer(t)
	bob := w.host(t, "bob-pc")
	server := w.addr(t, "hamburger.edu", POP3Port)
	// A session that marks message 1 and vanishes.
	var cut AccessResult
	require.NoError(t, POP3Reader(POP3Config{Server: server, User: "bob", Pass: "hungry"}, &cut)(bob))
	rtt := w.rtt(t, "bob-pc", "hamburger.edu")
	w.k.RunUntil(6*rtt + rtt/2 + sim.Millisecond) // message 1 downloaded, its dele at the server
	w.k.At(w.k.Now(), func() { w.stack.Crash(bob.Node()) })
	w.k.RunUntil(sim.Hour)
	require.Len(t, inboxOf(t, store, "bob").Msgs, 2, "nothing deleted without quit")
	w.stack.Recover(bob.Node())

	seen := map[string]bool{}
	for i := range 2 {
		var keep AccessResult
		require.NoError(t, POP3Reader(POP3Config{Server: server, User: "bob", Pass: "hungry", Keep: true, Seen: seen}, &keep)(bob))
		w.k.Run()
		require.NoError(t, keep.Err)
		if i == 0 {
			require.Len(t, keep.Messages, 2)
		} else {
			require.Empty(t, keep.Messages, "UIDL: nothing new")
		}
	}
	var other AccessResult
	require.NoError(t, POP3Reader(POP3Config{Server: server, User: "bob", Pass: "hungry", Keep: true}, &other)(bob))
	w.k.Run()
	require.Len(t, other.Messages, 2, "another machine reads them again")
	require.Len(t, inboxOf(t, store, "bob").Msgs, 2)
}
