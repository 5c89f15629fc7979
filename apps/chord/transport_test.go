package chord

import (
	"fmt"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"netsim/sim"
)

// transportRing is a stable ring of n nodes with 32-bit ids (SHA-1 of node0,
// node1, ...) and ideal state, over the transport given.
func transportRing(t *testing.T, n int, tr Transport, style Style, stabilize sim.Time) (*netRing, []uint64) {
	s := NewSpace(32)
	var ids []uint64
	for i := range n {
		ids = append(ids, s.Hash(fmt.Sprintf("node%d", i)).Uint64())
	}
	cfg := &Config{Space: s, Mode: Chord, Style: style, Port: 4000, Transport: tr, Successors: 3, Fingers: true,
		RPCTimeout: 500 * sim.Millisecond, LookupTimeout: 2 * sim.Second, Stats: &Stats{}}
	if stabilize > 0 {
		cfg.Stabilize = Period{stabilize, stabilize}
		cfg.FixFingers, cfg.CheckPred = cfg.Stabilize, cfg.Stabilize
	}
	r := newNetRing(t, cfg, ids, nil, nil)
	r.quiet = true
	return r, ids
}

// trueOwner is key's successor among ids (SIGCOMM'01 §4.2: the first node whose id
// is equal to or follows the key).
func trueOwner(ids []uint64, key uint64) uint64 {
	s := slices.Sorted(slices.Values(ids))
	for _, id := range s {
		if id >= key {
			return id
		}
	}
	return s[0]
}

// RPC over UDP and over TCP (issue 13: "or TCP — a parameter") find the same
// owners by the same paths on a stable ring, iterative and recursive: 200 lookups
// from every node in turn, each reaching the key's true successor, with the same
// hops and no timeouts. TCP costs a connection's handshake the first time a node
// talks to a peer, and its 4-byte length prefix a message.
func TestUDPAndTCPFindTheSameOwners(t *testing.T) {
	for _, style := range []Style{Iterative, Recursive} {
		t.Run(string(style), func(t *testing.T) {
			results := map[Transport][]Result{}
			stats := map[Transport]*Stats{}
			for _, tr := range []Transport{UDP, TCP} {
				r, ids := transportRing(t, 32, tr, style, 0)
				res := make([]Result, 200)
				for i := range res {
					key := r.cfg.Space.Hash(fmt.Sprintf("key%d", i))
					r.nodes[ids[i%len(ids)]].Lookup(key, func(x Result) { res[i] = x })
				}
				r.run(10 * sim.Second)
				for i, x := range res {
					key := r.cfg.Space.Hash(fmt.Sprintf("key%d", i)).Uint64()
					require.True(t, x.OK, "%s lookup %d failed", tr, i)
					require.Equal(t, trueOwner(ids, key), x.Owner.ID.Uint64(), "%s lookup %d", tr, i)
					require.Zero(t, x.Timeouts)
				}
				results[tr], stats[tr] = res, r.cfg.Stats
				var opened, datagrams int64
				for _, id := range ids {
					st := r.st.Stats(r.hosts[id])
					opened += st.ConnsOpened
					datagrams += st.MessagesSent
				}
				if tr == TCP {
					// At most one connection dialled per ordered pair of nodes.
					require.Positive(t, opened)
					require.LessOrEqual(t, opened, int64(len(ids)*(len(ids)-1)))
				} else {
					require.Zero(t, opened)
				}
			}
			// The same messages; each 4 bytes longer over TCP.
			require.Equal(t, stats[UDP].Messages, stats[TCP].Messages)
			for ty, k := range stats[UDP].Messages {
				require.Equal(t, stats[UDP].Bytes[ty]+tcpPrefixBytes*k, stats[TCP].Bytes[ty], "%s", MsgType(ty))
			}
			for i := range results[UDP] {
				u, c := results[UDP][i], results[TCP][i]
				require.Equal(t, []any{u.Owner, u.Hops, u.Path}, []any{c.Owner, c.Hops, c.Path}, "lookup %d", i)
			}
		})
	}
}

// A crash is detected over TCP as over UDP (ToN'03 §IV-E: by the RPC's timeout):
// node X crashes on a ring stabilizing every second; its predecessor's stabilize
// times out, drops X for the next successor on its list and aborts its connection to
// X, and X's successor learns its new predecessor by notify and check_predecessor.
// A lookup of X's own id then reaches X's successor, the key's owner now. Then X's
// successor crashes and reboots at once (an empty host, listening again): its
// predecessor, which still holds a connection to the old incarnation, pings it and
// is answered by a reset (topology's failure model), so the ping fails before the
// RPC timeout (240 ms here: the data's retransmission, then the reset's way back);
// the next ping dials afresh and is answered.
func TestCrashDetectedOverTCP(t *testing.T) {
	r, ids := transportRing(t, 32, TCP, Iterative, sim.Second)
	sorted := slices.Sorted(slices.Values(ids))
	pred, x, succ := sorted[4], sorted[5], sorted[6]
	r.run(3 * sim.Second) // connections between neighbours are open
	require.Contains(t, r.nodes[pred].tcp.conns, r.peer(x).Addr())
	r.st.Crash(r.hosts[x])
	r.run(5 * sim.Second)
	require.Equal(t, succ, r.nodes[pred].Successor().ID.Uint64(), "the predecessor's successor")
	require.Equal(t, pred, r.nodes[succ].Pred().ID.Uint64(), "the successor's predecessor")
	require.NotContains(t, r.nodes[pred].tcp.conns, r.peer(x).Addr(), "the connection to the dead node")
	require.Positive(t, r.cfg.Stats.Timeouts)
	var res Result
	r.nodes[sorted[20]].Lookup(r.cfg.Space.FromUint(x), func(v Result) { res = v })
	r.run(2 * sim.Second)
	require.True(t, res.OK)
	require.Equal(t, succ, res.Owner.ID.Uint64())

	p := r.nodes[pred]
	require.Contains(t, p.tcp.conns, r.peer(succ).Addr())
	r.st.Crash(r.hosts[succ])
	r.st.Recover(r.hosts[succ])
	ping := func() (ok bool, took sim.Time) {
		start, done := r.k.Now(), false
		p.rpc(r.peer(succ), &Msg{Type: MsgPing}, func(*Msg) { ok, done, took = true, true, r.k.Now()-start },
			func() { done, took = true, r.k.Now()-start })
		for !done {
			r.run(10 * sim.Millisecond)
		}
		return ok, took
	}
	ok, took := ping()
	require.False(t, ok, "a ping over the old incarnation's connection")
	require.Less(t, took, r.cfg.RPCTimeout, "the reset comes before the RPC timeout")
	ok, _ = ping()
	require.True(t, ok, "a ping over a new connection")
}

// An iterative querier talks to every hop of its lookups, in time most of the ring:
// it keeps at most maxDialled connections, closing the least recently used idle one
// (and its peer closes the other end), and its lookups still all find their owners.
func TestTCPConnectionCacheIsBounded(t *testing.T) {
	r, ids := transportRing(t, 300, TCP, Iterative, 0)
	q := r.nodes[ids[0]]
	most := 0
	for i := range 300 {
		key := r.cfg.Space.Hash(fmt.Sprintf("key%d", i))
		var res Result
		q.Lookup(key, func(x Result) { res = x })
		r.run(sim.Second)
		require.True(t, res.OK)
		require.Equal(t, trueOwner(ids, key.Uint64()), res.Owner.ID.Uint64(), "lookup %d", i)
		most = max(most, q.tcp.dialled)
	}
	require.Equal(t, maxDialled, most, "the querier's dialled connections at most")
	accepted := 0
	for _, id := range ids[1:] {
		accepted += len(r.nodes[id].tcp.conns)
	}
	require.LessOrEqual(t, accepted, maxDialled, "the others' connections from the querier, once the closed ones are gone")
}
