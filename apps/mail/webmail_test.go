package mail

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"netsim/apps/http"
	"netsim/sim"
)

// Kurose & Ross §2.4.4, web mail: "the user agent is an ordinary Web browser, and the
// user communicates with its remote mailbox via HTTP", while "mail servers still send
// messages to, and receive messages from, other mail servers using SMTP". Alice posts
// a message to crepes.fr's web front end over HTTP; crepes.fr pushes it to
// hamburger.edu over SMTP; Bob's browser loads his inbox page and opens the message.
// The times are the RTT formulas (one connection each, persistent: 1 RTT to connect,
// 1 per request); the bytes on each side are the HTTP messages' wire bytes, equal at
// client and server; Bob reads exactly the text deposited; a page that is not one is
// 404.
func TestWebmailOverHTTPAndSMTPBetweenServers(t *testing.T) {
	w := newWorld(t, map[string]sim.Time{"alice-pc": 5 * sim.Millisecond, "bob-pc": 10 * sim.Millisecond,
		"crepes.fr": 10 * sim.Millisecond, "hamburger.edu": 15 * sim.Millisecond}, "alice-pc", "bob-pc", "crepes.fr", "hamburger.edu")
	alice, bob := NewStore(), NewStore()
	alice.AddUser("alice", "wonderland", 0)
	bob.AddUser("bob", "hungry", 0)
	mx := w.mx(t, "crepes.fr", "hamburger.edu")
	cs, hs := newServerStats(), newServerStats()
	_, err := NewServer(w.host(t, "crepes.fr"), ServerConfig{Domain: "crepes.fr", Store: alice, MX: mx, WebPort: WebPort}, cs)
	require.NoError(t, err)
	_, err = NewServer(w.host(t, "hamburger.edu"), ServerConfig{Domain: "hamburger.edu", Store: bob, MX: mx, WebPort: WebPort}, hs)
	require.NoError(t, err)

	msg := draft(t, 1, "bob@hamburger.edu")
	var sent, read AccessResult
	require.NoError(t, WebmailUser(WebmailConfig{Server: w.addr(t, "crepes.fr", WebPort), ServerName: "crepes.fr",
		User: "alice", Send: []string{msg}}, &sent)(w.host(t, "alice-pc")))
	const readAt = 10 * sim.Second
	require.NoError(t, WebmailUser(WebmailConfig{Server: w.addr(t, "hamburger.edu", WebPort), ServerName: "hamburger.edu",
		User: "bob", Read: true, Start: readAt}, &read)(w.host(t, "bob-pc")))
	w.k.Run()
	require.NoError(t, sent.Err)
	require.NoError(t, read.Err)

	ua, relay, br := w.rtt(t, "alice-pc", "crepes.fr"), w.rtt(t, "crepes.fr", "hamburger.edu"), w.rtt(t, "bob-pc", "hamburger.edu")
	require.Equal(t, 2*ua, sent.Done-sent.Start, "connect, then the POST")
	require.Len(t, bob.Log, 1)
	require.Equal(t, ua+ua/2+sim.Time(SMTPDepositHalfRTTs(1))*relay/2, bob.Log[0].At,
		"the POST lands at 1.5 RTTs; then the SMTP dialogue between the servers")
	require.Equal(t, int64(1), cs.Accepted)
	require.Equal(t, int64(1), cs.Relayed)
	require.Equal(t, int64(0), cs.Sessions[ProtoSMTP], "no SMTP from Alice's browser")
	require.Equal(t, int64(1), hs.Sessions[ProtoSMTP], "SMTP between the servers")

	require.Equal(t, 3*br, read.Done-read.Start, "connect, the inbox page, the message")
	require.Equal(t, 1, read.Conns)
	require.Equal(t, 2, read.Commands)
	stored := inboxOf(t, bob, "bob").Msgs[0]
	require.Equal(t, []string{stored.Text}, read.Messages)
	require.True(t, stored.Seen)
	require.Equal(t, read.BytesOut, hs.BytesIn[ProtoHTTP])
	require.Equal(t, read.BytesIn, hs.BytesOut[ProtoHTTP])
	require.Equal(t, sent.BytesOut, cs.BytesIn[ProtoHTTP])
	// The POST is its request text (with the browser's User-Agent) and the message.
	post := &http.Request{Method: http.MethodPost, Target: "/alice/send", Version: http.Version11, Host: "crepes.fr",
		UserAgent: http.DefaultUserAgent, Body: msg, BodyBytes: int64(len(msg))}
	require.Equal(t, int64(len(post.Text())+len(msg)), sent.BytesOut)
	require.Equal(t, int64(len(post.Text())+len(msg)), http.MessageOfRequest(post).SizeBytes)

	var missing AccessResult
	require.NoError(t, WebmailUser(WebmailConfig{Server: w.addr(t, "hamburger.edu", WebPort), ServerName: "hamburger.edu",
		User: "carol", Read: true, Start: w.k.Now()}, &missing)(w.host(t, "bob-pc")))
	w.k.Run()
	require.EqualError(t, missing.Err, fmt.Sprintf("webmail: GET /carol/inbox: %d", http.StatusNotFound))
}
