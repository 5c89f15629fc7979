package http

import (
	"testing"

	"github.com/stretchr/testify/require"

	"netsim/sim"
	"netsim/topology"
)

// clientPeer is a client and a server on unconstrained links, 10 ms each from the
// core: an RTT of 40 ms, and no transmission times, so every time below is a count of
// one-way delays (20 ms).
func clientPeer(t *testing.T, cfg ServerConfig) (*rawPeer, *Server, topology.Addr) {
	t.Helper()
	p := newRawPeer(t, ServerHost)
	if cfg.Objects == nil {
		cfg.Objects = map[string]Object{"/a": {SizeBytes: 1000, LastModified: -sim.Hour}}
	}
	srv, err := NewServer(p.host(t, ServerHost), cfg)
	require.NoError(t, err)
	return p, srv, topology.Addr{Node: p.host(t, ServerHost).Node(), Port: DefaultPort}
}

func get(path string) *Request {
	return &Request{Method: MethodGet, Target: path, Version: Version11, Host: ServerHost}
}

// Reference: RFC 7230 §6.3 (persistence) and Kurose & Ross §2.2.2: a request on a new
// connection is answered after 2 RTT, one on a kept connection after 1 RTT.
func TestClientReusesAPersistentConnection(t *testing.T) {
	p, _, to := clientPeer(t, ServerConfig{})
	cl := NewClient(p.client, ClientConfig{})
	var xs []Exchange
	cl.Do(to, get("/a"), func(x Exchange) { xs = append(xs, x) })
	p.client.After(sim.Second, func() { cl.Do(to, get("/a"), func(x Exchange) { xs = append(xs, x) }) })
	p.k.RunUntil(2 * sim.Second)
	require.Len(t, xs, 2)
	require.NoError(t, xs[0].Err)
	require.True(t, xs[0].NewConn)
	require.Equal(t, 80*sim.Millisecond, xs[0].Done)
	require.Equal(t, 200, xs[0].Resp.Status)
	require.Equal(t, xs[0].Resp.WireBytes(), xs[0].RespBytes)
	require.Equal(t, MessageOfRequest(xs[0].Req).SizeBytes, xs[0].ReqBytes)
	require.Equal(t, DefaultUserAgent, xs[0].Req.UserAgent)
	require.False(t, xs[1].NewConn)
	require.Equal(t, sim.Second+40*sim.Millisecond, xs[1].Done)
	require.Equal(t, 1, cl.Idle(to))
}

// The server closes an idle persistent connection after 15 s (Apache's
// KeepAliveTimeout: the connection's request arrived at 60 ms, its timer fires at
// 15.06 s and the FIN arrives at 15.08 s): the client drops it from its pool, and a
// later request opens a new connection.
func TestClientForgetsAConnectionTheServerClosed(t *testing.T) {
	p, _, to := clientPeer(t, ServerConfig{})
	cl := NewClient(p.client, ClientConfig{})
	var xs []Exchange
	cl.Do(to, get("/a"), func(x Exchange) { xs = append(xs, x) })
	p.k.RunUntil(15*sim.Second + 79*sim.Millisecond)
	require.Equal(t, 1, cl.Idle(to))
	p.k.RunUntil(15*sim.Second + 81*sim.Millisecond)
	require.Zero(t, cl.Idle(to), "the FIN arrived at 15.08 s")
	p.client.After(20*sim.Second-p.k.Now(), func() { cl.Do(to, get("/a"), func(x Exchange) { xs = append(xs, x) }) })
	p.k.RunUntil(21 * sim.Second)
	require.Len(t, xs, 2)
	require.True(t, xs[1].NewConn)
	require.Equal(t, 20*sim.Second+80*sim.Millisecond, xs[1].Done)
}

// RFC 7230 §6.3.1: the server closes the idle connection (FIN at the client at
// 15.08 s) just after the client sent a request on it (at 15.07 s). The server ignores
// the request; the FIN tells the client the request was not answered, and it sends it
// again, once, on a new connection: connected at 15.12 s, answered at 15.16 s.
func TestClientRetriesARequestTheServerClosedUnder(t *testing.T) {
	p, _, to := clientPeer(t, ServerConfig{})
	cl := NewClient(p.client, ClientConfig{})
	var xs []Exchange
	cl.Do(to, get("/a"), func(x Exchange) { xs = append(xs, x) })
	p.client.After(15*sim.Second+70*sim.Millisecond, func() { cl.Do(to, get("/a"), func(x Exchange) { xs = append(xs, x) }) })
	p.k.RunUntil(16 * sim.Second)
	require.Len(t, xs, 2)
	require.NoError(t, xs[1].Err)
	require.True(t, xs[1].Retried)
	require.True(t, xs[1].NewConn)
	require.Equal(t, 15*sim.Second+160*sim.Millisecond, xs[1].Done)
	require.Equal(t, 15*sim.Second+70*sim.Millisecond, xs[1].Sent)
}

// A crashed server sends nothing: the request sent at 40 ms (on the new connection)
// is never answered, and the client gives up at its response timeout, 10 s later.
func TestClientGivesUpOnACrashedServer(t *testing.T) {
	p, _, to := clientPeer(t, ServerConfig{})
	cl := NewClient(p.client, ClientConfig{ResponseTimeout: 10 * sim.Second})
	var xs []Exchange
	cl.Do(to, get("/a"), func(x Exchange) { xs = append(xs, x) })
	p.stack.CrashAt(50*sim.Millisecond, to.Node)
	p.k.Run()
	require.Len(t, xs, 1)
	require.ErrorIs(t, xs[0].Err, ErrResponseTimeout)
	require.Equal(t, 10*sim.Second+40*sim.Millisecond, xs[0].Done)
	require.Nil(t, xs[0].Resp)
	require.Zero(t, cl.Idle(to))
}

// A refused dial is an exchange with the dial's error, one RTT after Do.
func TestClientReportsARefusedDial(t *testing.T) {
	p, _, to := clientPeer(t, ServerConfig{})
	cl := NewClient(p.client, ClientConfig{})
	var xs []Exchange
	cl.Do(topology.Addr{Node: to.Node, Port: 8080}, get("/a"), func(x Exchange) { xs = append(xs, x) })
	p.k.Run()
	require.Len(t, xs, 1)
	require.ErrorIs(t, xs[0].Err, topology.ErrRefused)
	require.Equal(t, 40*sim.Millisecond, xs[0].Done)
}

// A non-persistent client asks for Connection: close and opens a connection per
// request: 2 RTT each, nothing kept.
func TestNonPersistentClientOpensAConnectionPerRequest(t *testing.T) {
	p, srv, to := clientPeer(t, ServerConfig{})
	cl := NewClient(p.client, ClientConfig{NonPersistent: true})
	var xs []Exchange
	cl.Do(to, get("/a"), func(x Exchange) {
		xs = append(xs, x)
		cl.Do(to, get("/a"), func(x Exchange) { xs = append(xs, x) })
	})
	p.k.Run()
	require.Len(t, xs, 2)
	require.Equal(t, "close", xs[0].Req.Connection)
	require.True(t, xs[1].NewConn)
	require.Equal(t, 160*sim.Millisecond, xs[1].Done)
	require.Zero(t, cl.Idle(to))
	require.Equal(t, int64(2), srv.Stats().ConnsAccepted)
	require.Equal(t, topology.Live{Listeners: 1}, p.stack.Live(), "every connection closed both ways")
}
