package mail

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"netsim/apps/transcript"
	"netsim/sim"
	"netsim/topology"
)

// relayWorld is Alice's agent, her server crepes.fr and Bob's server hamburger.edu:
// the path of Kurose & Ross §2.4.1. One-way delays 5, 10 and 15 ms to the core: the
// agent's RTT to crepes.fr is 30 ms, crepes.fr's to hamburger.edu 50 ms.
type relayWorld struct {
	*world
	alice, bob         *Store
	crepes, hamburger  *ServerStats
	crepesCfg, hambCfg ServerConfig
}

func newRelayWorld(t *testing.T) *relayWorld {
	w := newWorld(t, map[string]sim.Time{"alice-pc": 5 * sim.Millisecond, "crepes.fr": 10 * sim.Millisecond, "hamburger.edu": 15 * sim.Millisecond},
		"alice-pc", "crepes.fr", "hamburger.edu")
	r := &relayWorld{world: w, alice: NewStore(), bob: NewStore(), crepes: newServerStats(), hamburger: newServerStats()}
	r.alice.AddUser("alice", "wonderland", 0)
	r.bob.AddUser("bob", "hungry", 0)
	mx := w.mx(t, "crepes.fr", "hamburger.edu")
	r.crepesCfg = ServerConfig{Domain: "crepes.fr", Store: r.alice, MX: mx}
	r.hambCfg = ServerConfig{Domain: "hamburger.edu", Store: r.bob, MX: mx}
	return r
}

// boot starts both servers; they start again when they recover.
func (r *relayWorld) boot(t *testing.T) {
	for _, s := range []struct {
		name  string
		cfg   *ServerConfig
		stats *ServerStats
	}{{"crepes.fr", &r.crepesCfg, r.crepes}, {"hamburger.edu", &r.hambCfg, r.hamburger}} {
		r.stack.Boot(r.host(t, s.name).Node(), func(h topology.Host) {
			_, err := NewServer(h, *s.cfg, s.stats)
			require.NoError(t, err)
		})
	}
}

func (r *relayWorld) send(t *testing.T, msgs []Outgoing, trace *transcript.Recorder) *SendResult {
	res := &SendResult{}
	require.NoError(t, Sender(SenderConfig{Server: r.addr(t, "crepes.fr", SMTPPort), ServerName: "crepes.fr",
		From: "alice@crepes.fr", Messages: msgs, Trace: trace}, res)(r.host(t, "alice-pc")))
	return res
}

func draft(t *testing.T, i int, to ...string) string {
	msg, err := Compose(Draft{From: "alice@crepes.fr", To: to, Subject: fmt.Sprintf("Message %d", i),
		MessageID: fmt.Sprintf("<%d@crepes.fr>", i), Body: "Do you like ketchup?\nHow about pickles?\n"})
	require.NoError(t, err)
	return msg
}

// Kurose & Ross §2.4.1: "If the sending mail server has several messages to send to
// the same receiving mail server, it can send all of the messages over the same TCP
// connection." k messages of r recipients each, submitted at once: one connection
// from the agent, and one from crepes.fr to hamburger.edu; on each, the client sends
// HELO, then MAIL, r RCPTs and DATA per message, and QUIT — 2 + k(r + 2) commands —
// and gets the 220, HELO's 250, then MAIL's, the RCPTs', DATA's 354 and the message's
// 250, and the 221 — 3 + k(r + 3) replies. Every recipient gets every message.
func TestKMessagesOnOneConnection(t *testing.T) {
	for _, k := range []int{1, 2, 5} {
		for _, rc := range []int{1, 3} {
			t.Run(fmt.Sprintf("k=%d,r=%d", k, rc), func(t *testing.T) {
				r := newRelayWorld(t)
				var rcpts []string
				for i := range rc {
					name := fmt.Sprintf("user%d", i)
					r.bob.AddUser(name, "pw", 0)
					rcpts = append(rcpts, name+"@hamburger.edu")
				}
				var msgs []Outgoing
				for i := range k {
					msgs = append(msgs, Outgoing{To: rcpts, Data: draft(t, i, rcpts...)})
				}
				r.boot(t)
				res := r.send(t, msgs, nil)
				r.k.Run()
				require.Len(t, res.Submissions, k)
				require.Equal(t, int64(1), res.Stats.Sessions)
				require.Equal(t, int64(2+k*(rc+2)), res.Stats.Commands)
				require.Equal(t, int64(3+k*(rc+3)), res.Stats.Replies)
				require.Equal(t, int64(1), r.crepes.Attempts)
				require.Equal(t, int64(0), r.crepes.Retries)
				require.Equal(t, int64(k*rc), r.crepes.Relayed)
				require.Equal(t, int64(1), r.hamburger.Sessions[ProtoSMTP], "one connection between the servers")
				require.Equal(t, int64(k*rc), r.hamburger.Deposited)
				for _, name := range rcpts {
					require.Len(t, inboxOf(t, r.bob, strings.TrimSuffix(name, "@hamburger.edu")).Msgs, k)
				}
				require.Equal(t, 0, r.alice.Queued())
			})
		}
	}
}

// The whole path of Kurose & Ross §2.4.1, both hops in one transcript
// (testdata/smtp-relay.txt): Alice's agent pushes the message to crepes.fr, which
// queues it, adds its Received line (RFC 5321 §4.4) and pushes it on to
// hamburger.edu at once, on a connection of its own. The message arrives 6.5 RTTs
// after each hop's dial (SMTPDepositHalfRTTs): at 195 ms at crepes.fr, 325 ms later at
// hamburger.edu.
func TestGoldenRelay(t *testing.T) {
	r := newRelayWorld(t)
	var tr transcript.Recorder
	r.crepesCfg.Trace = &tr
	r.boot(t)
	res := r.send(t, []Outgoing{{To: []string{"bob@hamburger.edu"}, Data: draft(t, 1, "bob@hamburger.edu")}}, &tr)
	r.k.Run()
	golden(t, "smtp-relay.txt", tr.String())
	require.Equal(t, 2, tr.Conns())
	ua, relay := r.rtt(t, "alice-pc", "crepes.fr"), r.rtt(t, "crepes.fr", "hamburger.edu")
	half := sim.Time(SMTPDepositHalfRTTs(1))
	require.Equal(t, half*ua/2, res.Submissions[0].Done-sim.Time(0)-ua/2, "the 250 comes half an RTT after the message lands")
	require.Len(t, r.bob.Log, 1)
	require.Equal(t, half*ua/2+half*relay/2, r.bob.Log[0].At)
	require.Equal(t, "<1@crepes.fr>", r.bob.Log[0].MessageID)
}

// Reference: Kurose & Ross §2.4 ("If Alice's server cannot deliver mail to Bob's
// server, Alice's server holds the message in a message queue and attempts to transfer
// the message later. Reattempts are often done every 30 minutes") and RFC 5321
// §4.5.4.1. hamburger.edu is down from time 0 until 2 h: crepes.fr tries at t0 (the
// message's arrival), t0 + 30 min, ..., each dial failing after its SYN
// retransmissions (127 s); the attempt at t0 + 2 h is the first after the recovery,
// and the message lands 6.5 RTTs after its SYN. Five attempts, four of them retries,
// nothing bounced.
func TestDeliveryAfterTwoHourOutage(t *testing.T) {
	r := newRelayWorld(t)
	r.boot(t)
	hamb := r.host(t, "hamburger.edu").Node()
	r.stack.Crash(hamb)
	r.stack.RecoverAt(2*sim.Hour, hamb)
	r.send(t, []Outgoing{{To: []string{"bob@hamburger.edu"}, Data: draft(t, 1, "bob@hamburger.edu")}}, nil)
	r.k.Run()
	ua, relay := r.rtt(t, "alice-pc", "crepes.fr"), r.rtt(t, "crepes.fr", "hamburger.edu")
	t0 := sim.Time(SMTPDepositHalfRTTs(1)) * ua / 2
	syn := FirstSYNAfter(t0, 2*sim.Hour, DefaultRetryInterval, sim.Second, 6)
	require.Equal(t, t0+4*30*sim.Minute, syn, "the fifth attempt, at t0 + 2 h")
	require.Len(t, r.bob.Log, 1)
	require.Equal(t, syn+sim.Time(SMTPDepositHalfRTTs(1))*relay/2, r.bob.Log[0].At)
	require.Equal(t, int64(5), r.crepes.Attempts)
	require.Equal(t, int64(4), r.crepes.Retries)
	require.Equal(t, int64(0), r.crepes.Bounced)
	require.Equal(t, 0, r.alice.Queued())
}

// Kurose & Ross §2.4: "if there is no success after several days, the server removes
// the message and notifies the sender (Alice) with an e-mail message." hamburger.edu
// never comes back: crepes.fr tries every 30 minutes for 5 days (241 attempts, the
// last at t0 + 120 h), gives up when that one's dial fails 127 s later, and Alice
// finds a delivery status notification (RFC 3464) in her INBOX, from MAILER-DAEMON,
// naming Bob with status 4.4.7 and returning her message's header. Nothing is lost:
// the message is delivered or bounced.
func TestBounceAfterGiveUp(t *testing.T) {
	r := newRelayWorld(t)
	r.boot(t)
	r.stack.Crash(r.host(t, "hamburger.edu").Node())
	msg := draft(t, 1, "bob@hamburger.edu")
	r.send(t, []Outgoing{{To: []string{"bob@hamburger.edu"}, Data: msg}}, nil)
	r.k.Run()
	t0 := sim.Time(SMTPDepositHalfRTTs(1)) * r.rtt(t, "alice-pc", "crepes.fr") / 2
	when := GiveUpTime(t0, DefaultRetryInterval, DefaultGiveUpAfter, sim.Second, 6)
	require.Equal(t, t0+120*sim.Hour+127*sim.Second, when)
	require.Equal(t, int64(241), r.crepes.Attempts)
	require.Equal(t, int64(240), r.crepes.Retries)
	require.Equal(t, int64(1), r.crepes.Bounced)
	require.Equal(t, int64(1), r.crepes.Bounces)
	require.Equal(t, 0, r.alice.Queued())
	require.Len(t, r.alice.Log, 1)
	require.Equal(t, when, r.alice.Log[0].At)
	require.True(t, r.alice.Log[0].Bounce)
	bounce := inboxOf(t, r.alice, "alice").Msgs[0].Text
	h, err := Header(bounce)
	require.NoError(t, err)
	require.Equal(t, "Mail Delivery System <MAILER-DAEMON@crepes.fr>", h.Get("From"))
	require.Equal(t, "Undelivered Mail Returned to Sender", h.Get("Subject"))
	require.True(t, strings.HasPrefix(bounce, "Return-Path: <>\r\n"), "a bounce has the null reverse-path")
	status, ok := Part(bounce, 2)
	require.True(t, ok)
	require.Equal(t, "Reporting-MTA: dns; crepes.fr\r\nArrival-Date: Mon, 01 Jan 2024 00:00:00 +0000\r\n\r\n"+
		"Final-Recipient: rfc822; bob@hamburger.edu\r\nAction: failed\r\nStatus: 4.4.7\r\n", status)
	returned, _ := Part(bounce, 3)
	header, _ := SplitHeader(msg)
	require.Equal(t, "Received: from alice-pc by crepes.fr; Mon, 01 Jan 2024 00:00:00 +0000\r\n"+header, returned)
	require.NoError(t, Check7Bit(bounce))
}

// A recipient the destination does not know is refused for good (550): the sender's
// server bounces at once, with the server's reply as the diagnostic; the known
// recipient of the same message gets it, on the same transaction.
func TestUnknownUserBouncesAtOnce(t *testing.T) {
	r := newRelayWorld(t)
	r.boot(t)
	msg := draft(t, 1, "bob@hamburger.edu", "carol@hamburger.edu")
	r.send(t, []Outgoing{{To: []string{"bob@hamburger.edu", "carol@hamburger.edu"}, Data: msg}}, nil)
	r.k.Run()
	require.Len(t, inboxOf(t, r.bob, "bob").Msgs, 1)
	require.Equal(t, int64(1), r.crepes.Relayed)
	require.Equal(t, int64(1), r.crepes.Bounced)
	require.Equal(t, int64(1), r.crepes.Attempts)
	bounce := inboxOf(t, r.alice, "alice").Msgs[0].Text
	status, _ := Part(bounce, 2)
	require.Contains(t, status, "Final-Recipient: rfc822; carol@hamburger.edu\r\nAction: failed\r\nStatus: 5.0.0\r\n"+
		"Diagnostic-Code: smtp; 550 carol@hamburger.edu ... User unknown\r\n")
	require.Less(t, r.alice.Log[0].At, sim.Second, "bounced on the first attempt")
}

// A full mailbox is a temporary failure (452, RFC 5321 §4.2.2): the sender keeps the
// message and tries again 30 minutes after the attempt began; Bob has made room by
// then (he read and deleted his mail at 10 min), and the retry delivers it.
func TestFullMailboxIsRetried(t *testing.T) {
	r := newRelayWorld(t)
	r.bob.AddUser("bob", "hungry", 100)
	inbox := inboxOf(t, r.bob, "bob")
	inbox.add(&Stored{Text: strings.Repeat("x", 100)})
	r.boot(t)
	r.send(t, []Outgoing{{To: []string{"bob@hamburger.edu"}, Data: draft(t, 1, "bob@hamburger.edu")}}, nil)
	r.k.At(10*sim.Minute, func() { inbox.Msgs = nil })
	r.k.Run()
	t0 := sim.Time(SMTPDepositHalfRTTs(1)) * r.rtt(t, "alice-pc", "crepes.fr") / 2
	require.Len(t, r.bob.Log, 1)
	require.Equal(t, t0+30*sim.Minute+sim.Time(SMTPDepositHalfRTTs(1))*r.rtt(t, "crepes.fr", "hamburger.edu")/2, r.bob.Log[0].At)
	require.Equal(t, int64(2), r.crepes.Attempts)
	require.Equal(t, int64(1), r.hamburger.Replies[452])
	require.Equal(t, int64(0), r.crepes.Bounced)
}

// A domain with no mail exchanger (ErrNoDomain from the MX lookup) bounces at once
// with status 5.1.2.
func TestUnknownDomainBounces(t *testing.T) {
	r := newRelayWorld(t)
	r.boot(t)
	r.send(t, []Outgoing{{To: []string{"x@nowhere.example"}, Data: draft(t, 1, "x@nowhere.example")}}, nil)
	r.k.Run()
	require.Equal(t, int64(1), r.crepes.Bounced)
	status, _ := Part(inboxOf(t, r.alice, "alice").Msgs[0].Text, 2)
	require.Contains(t, status, "Status: 5.1.2\r\n")
	require.Equal(t, 0, r.alice.Queued())
}

// Mail that arrives while a session to its domain is open joins that session before
// its QUIT: SMTP's persistence for a stream of messages. Two messages submitted 30 ms
// apart on two connections from the agent go to hamburger.edu on one.
func TestLaterMessageJoinsTheOpenSession(t *testing.T) {
	r := newRelayWorld(t)
	r.boot(t)
	r.send(t, []Outgoing{
		{At: 0, To: []string{"bob@hamburger.edu"}, Data: draft(t, 1, "bob@hamburger.edu")},
		{At: 250 * sim.Millisecond, To: []string{"bob@hamburger.edu"}, Data: draft(t, 2, "bob@hamburger.edu")},
	}, nil)
	r.k.Run()
	require.Len(t, inboxOf(t, r.bob, "bob").Msgs, 2)
	require.Equal(t, int64(2), r.crepes.Sessions[ProtoSMTP])
	require.Equal(t, int64(1), r.hamburger.Sessions[ProtoSMTP])
}
