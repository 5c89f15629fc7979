package filedist

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"netsim/sim"
	"netsim/topology"
)

const mbps = 1e6

// peers builds n peers whose rates spread evenly around the given means, from
// (1-spread)·mean to (1+spread)·mean, so no two are alike.
func spreadPeers(n int, upMean, downMean, spread float64, delay sim.Time) []testPeer {
	out := make([]testPeer, n)
	for i := range out {
		f := 1.0
		if n > 1 {
			f = 1 - spread + 2*spread*float64(i)/float64(n-1)
		}
		out[i] = testPeer{UploadBps: upMean * f, DownloadBps: downMean * (2 - f), Delay: delay}
	}
	return out
}

func rates(ps []testPeer) (up, down []float64) {
	for _, p := range ps {
		up = append(up, p.UploadBps)
		down = append(down, p.DownloadBps)
	}
	return up, down
}

// The regimes of Kurose & Ross §2.5. Each case names the term of the bound that
// should dominate; the test checks that it does, so the grid really covers them all.
var boundCases = []struct {
	name            string
	serverUploadBps float64
	peers           []testPeer
	csTerm, p2pTerm string
	skipCS, skipP2P bool
}{
	{name: "one peer", serverUploadBps: 10 * mbps, peers: spreadPeers(1, 1*mbps, 20*mbps, 0, sim.Millisecond),
		csTerm: "N·F/u_s", p2pTerm: "F/u_s"},
	{name: "server-limited", serverUploadBps: 1 * mbps, peers: spreadPeers(8, 8*mbps, 30*mbps, 0.5, 2*sim.Millisecond),
		csTerm: "N·F/u_s", p2pTerm: "F/u_s"},
	{name: "slowest-download-limited", serverUploadBps: 20 * mbps,
		peers:  append(spreadPeers(6, 10*mbps, 40*mbps, 0.4, sim.Millisecond), testPeer{UploadBps: 3 * mbps, DownloadBps: 2 * mbps, Delay: 5 * sim.Millisecond}),
		csTerm: "F/d_min", p2pTerm: "F/d_min"},
	{name: "client-server download-limited", serverUploadBps: 100 * mbps,
		peers:  append(spreadPeers(4, 1*mbps, 40*mbps, 0.4, sim.Millisecond), testPeer{UploadBps: 1 * mbps, DownloadBps: 5 * mbps}),
		csTerm: "F/d_min", p2pTerm: "F/d_min"},
	{name: "aggregate-upload-limited, many peers", serverUploadBps: 10 * mbps, peers: spreadPeers(20, 1*mbps, 30*mbps, 0.5, 3*sim.Millisecond),
		csTerm: "N·F/u_s", p2pTerm: "N·F/(u_s+Σu_i)"},
	{name: "aggregate-upload-limited, few peers", serverUploadBps: 10 * mbps, peers: spreadPeers(5, 1*mbps, 30*mbps, 0.8, sim.Millisecond),
		csTerm: "N·F/u_s", p2pTerm: "N·F/(u_s+Σu_i)"},
	{name: "textbook figure, N=30", serverUploadBps: 10 * mbps, peers: spreadPeers(30, 1*mbps, 10*mbps, 0, 0),
		csTerm: "N·F/u_s", p2pTerm: "N·F/(u_s+Σu_i)"},
}

// Kurose & Ross §2.5, equations 2.1 and 2.2: D_cs and D_P2P are lower bounds, and the
// client-server and constructive P2P schemes attain them in the fluid model. The
// simulated distribution time must never be below its bound and must equal it within
// 0.1% (handshakes and propagation add milliseconds to runs of tens of minutes).
func TestDistributionTimeMatchesBounds(t *testing.T) {
	const fileBits = 1e9
	for _, tc := range boundCases {
		up, down := rates(tc.peers)
		for _, mode := range []Mode{ClientServer, P2P} {
			t.Run(fmt.Sprintf("%s/%s", tc.name, mode), func(t *testing.T) {
				var bound float64
				var term string
				if mode == ClientServer {
					bound, term = ClientServerBound(fileBits, tc.serverUploadBps, down)
					require.Equal(t, tc.csTerm, term)
				} else {
					bound, term = P2PBound(fileBits, tc.serverUploadBps, up, down)
					require.Equal(t, tc.p2pTerm, term)
				}
				res, err := simulate(context.Background(), star{
					Mode: mode, FileBits: fileBits, ServerUploadBps: tc.serverUploadBps,
					ServerDelay: sim.Millisecond, Peers: tc.peers,
				}, 1)
				require.NoError(t, err)
				got := res.DistributionTime.Seconds()
				require.GreaterOrEqual(t, got, bound, "never below the bound")
				require.InEpsilon(t, bound, got, 1e-3, "within 0.1%% of %s = %.3f s", term, bound)
			})
		}
	}
}

// The constructive scheme never asks a link for more than its capacity, and every peer
// receives at exactly the rate that makes the distribution take D_P2P.
func TestSchemeFitsEveryLinkAndAttainsTheBound(t *testing.T) {
	for _, tc := range boundCases {
		up, down := rates(tc.peers)
		s := PlanScheme(tc.serverUploadBps, up, down)
		n := float64(len(up))
		serverLoad := n * s.DirectBps
		receive := s.DirectBps
		for i, r := range s.PartBps {
			serverLoad += r
			receive += r
			require.LessOrEqual(t, (n-1)*r, up[i]*(1+1e-12), "%s: peer %d uploads within its rate", tc.name, i)
		}
		require.LessOrEqual(t, serverLoad, tc.serverUploadBps*(1+1e-12), tc.name)
		require.InEpsilon(t, s.ReceiveBps, receive, 1e-12, tc.name)
		bound, _ := P2PBound(1, tc.serverUploadBps, up, down)
		require.InEpsilon(t, bound, 1/s.ReceiveBps, 1e-12, tc.name)
	}
}

func TestSplitBytesIsExact(t *testing.T) {
	require.Equal(t, []int64{3, 3, 4}, splitBytes(10, []float64{1, 1, 1.2}))
	require.Equal(t, []int64{0, 7}, splitBytes(7, []float64{0, 2}))
	parts := splitBytes(1_000_000_007, []float64{0.1, 0.2, 0.3, 0.15, 0.25})
	var sum int64
	for _, p := range parts {
		sum += p
	}
	require.Equal(t, int64(1_000_000_007), sum)
}

// Byte counts are true: in client-server mode the server sends N copies of the file
// plus a piece header each, and the peers send only their requests.
func TestByteCounts(t *testing.T) {
	peers := spreadPeers(3, 1*mbps, 10*mbps, 0.2, sim.Millisecond)
	res, err := simulate(context.Background(), star{
		Mode: ClientServer, FileBits: 8_000_000, ServerUploadBps: 3 * mbps, Peers: peers,
	}, 1)
	require.NoError(t, err)
	require.Equal(t, int64(3*(1_000_000+pieceHeaderBytes)), res.ServerBytesSent)
	require.Equal(t, int64(3*headerBytes), res.PeerBytesSent)

	res, err = simulate(context.Background(), star{
		Mode: P2P, FileBits: 8_000_000, ServerUploadBps: 3 * mbps, Peers: peers,
	}, 1)
	require.NoError(t, err)
	// Each peer relays its part to the 2 others; the parts and the direct share make
	// one file, which the server sends once in all, plus plans and headers.
	require.Greater(t, res.PeerBytesSent, int64(0))
	require.Less(t, res.ServerBytesSent, int64(3*1_000_000), "P2P: the server sends less than N copies")
}

// Parts that finish minutes apart all reach every peer. With uploads of about 1 bit/s,
// a piece's 25-byte header lengthens a 45-byte part by half, so the slowest peer's
// part (the smallest, relayed the slowest) ends some ten minutes after the others,
// and a peer that closed its connection once its own part had gone out was released
// by the FIN timeout before that part came (found by FuzzRunAccepted). With no
// propagation delay the time is the slowest peer's hello, 21 bytes over u_1, then its
// part with its header at u_1/(N−1), which the server paces and the peer relays at
// (K&R §2.5's second case, the scheme of PlanScheme), and the time the plans take on
// the server's uplink before the relays can start: N plans beside N direct shares,
// each at the max-min share u_s/(2N), below the direct shares' pacing.
func TestPartsFinishingMinutesApart(t *testing.T) {
	peers := spreadPeers(10, 1, 10*mbps, 0.1, 0)
	st := star{Mode: P2P, FileBits: 450e6 * 8, ServerUploadBps: 10 * mbps, Peers: peers}
	up, down := rates(peers)
	sch := PlanScheme(st.ServerUploadBps, up, down)
	part0 := splitBytes(450e6, append(sch.PartBps, sch.DirectBps))[0]
	require.Equal(t, int64(45), part0)
	res, err := simulate(context.Background(), st, 1)
	require.NoError(t, err)
	u1 := peers[0].UploadBps
	planBits := float64(plan{Peers: make([]topology.Addr, len(peers))}.wireBytes() * 8)
	want := (float64(hello{}.wireBytes()*8)+9*float64(piece{Length: part0}.wireBytes()*8))/u1 +
		planBits/(st.ServerUploadBps/20)
	require.InDelta(t, want, res.DistributionTime.Seconds(), 1e-6)
}
