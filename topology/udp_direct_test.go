package topology

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"netsim/sim"
)

// Direct datagrams (udp.go): one kernel event a datagram, no allocation, and the
// times, losses and queueing of the two-event path.

// directStar is n hosts on a star with the given access rates (+Inf: unconstrained)
// and a 10 ms delay host to core, each with a UDP socket on port 9 that records what
// arrives and when.
type directStar struct {
	k     *sim.Kernel
	net   *Network
	st    *Stack
	socks []UDPSocket
	got   []directGot
}

type directGot struct {
	at       sim.Time
	from, to int // host indices
	size     int64
}

func newDirectStar(t testing.TB, n int, upBps, downBps float64) *directStar {
	d := &directStar{k: sim.NewKernel()}
	hs := make([]StarHost, n)
	for i := range hs {
		hs[i] = StarHost{Name: "h" + strconv.Itoa(i), UploadBps: upBps, DownloadBps: downBps, Delay: 10 * sim.Millisecond}
	}
	var err error
	d.net, err = BuildStar(d.k, hs)
	require.NoError(t, err)
	d.st = NewStack(d.net, sim.NewStreams(1))
	for i := range n {
		to := NodeID(i + 1) // node 0 is the core
		u, err := d.st.Host(to).BindUDP(9, func(from Addr, m Message) {
			d.got = append(d.got, directGot{d.k.Now(), int(from.Node) - 1, int(to) - 1, m.SizeBytes})
		})
		require.NoError(t, err)
		d.socks = append(d.socks, u)
	}
	return d
}

func (d *directStar) send(t testing.TB, from, to int, size int64) {
	require.NoError(t, d.socks[from].SendTo(Addr{NodeID(to + 1), 9}, Message{SizeBytes: size}))
}

// On unconstrained links a datagram's flow ends at once (an infinite rate), so it
// arrives the route's delay (2 × 10 ms) after it leaves, in one event: the arrival.
func TestDirectDatagramIsOneEvent(t *testing.T) {
	d := newDirectStar(t, 3, math.Inf(1), math.Inf(1))
	d.k.At(5*sim.Millisecond, func() {
		d.send(t, 0, 1, 100)
		d.send(t, 0, 2, 200) // the same instant: behind the first, which took no time
		d.send(t, 1, 0, 0)
	})
	d.k.Run()
	require.Equal(t, []directGot{
		{25 * sim.Millisecond, 0, 1, 100},
		{25 * sim.Millisecond, 0, 2, 200},
		{25 * sim.Millisecond, 1, 0, 0},
	}, d.got)
	require.Equal(t, uint64(1+3), d.k.Events(), "the sending event and one arrival a datagram")
	require.Zero(t, d.net.Stats().Starts, "no flow")
}

// A packet (UDPParams.PacketBytes) takes T = ⌈8·S/C⌉ on the wire at the route's
// bottleneck C (packet.go) and arrives T + delay after it leaves; one sent while it is
// on the wire waits for it, and one wake event sends it: three datagrams back to back
// cost three arrivals and one wake.
func TestDirectPacketsQueueBehindTheWire(t *testing.T) {
	d := newDirectStar(t, 2, 1e6, 1e7) // 1 Mbps up: 1000 bytes take 8 ms
	d.st.UDP.PacketBytes = 1500
	d.k.At(0, func() {
		d.send(t, 0, 1, 1000)
		d.send(t, 0, 1, 500)  // 4 ms, after the first's 8
		d.send(t, 0, 1, 1000) // 8 ms more
	})
	d.k.Run()
	ms := sim.Millisecond
	require.Equal(t, []directGot{
		{8*ms + 20*ms, 0, 1, 1000},
		{12*ms + 20*ms, 0, 1, 500},
		{20*ms + 20*ms, 0, 1, 1000},
	}, d.got)
	require.Equal(t, uint64(1+3+2), d.k.Events(), "the sending event, three arrivals, a wake at 8 ms and one at 12 ms")
}

// A socket that dies while its datagram's last bit has not left aborts it, as it
// aborts a flow or a packet; the datagram waiting behind it is dropped with the queue.
// Once the last bit has left, the datagram flies on.
func TestDirectDatagramDiesWithItsSocketOnTheWire(t *testing.T) {
	d := newDirectStar(t, 3, 1e6, 1e7)
	d.st.UDP.PacketBytes = 1500
	d.k.At(0, func() {
		d.send(t, 0, 2, 1000) // on the wire until 8 ms
		d.send(t, 0, 2, 1000)
	})
	d.k.At(7*sim.Millisecond, func() { require.NoError(t, d.socks[0].Close()) })
	d.send(t, 1, 2, 1000)
	d.k.At(8*sim.Millisecond, func() { require.NoError(t, d.socks[1].Close()) })
	d.k.Run()
	require.Equal(t, []directGot{{28 * sim.Millisecond, 1, 2, 1000}}, d.got)
	require.Zero(t, d.st.Stats(1).DatagramsLost, "an aborted datagram is not counted lost")
}

// On unconstrained links a datagram's last bit leaves as it is sent, so a socket
// closed in the same event no longer holds it: it arrives. (The two-event path
// aborted it: its flow's end, an event at the same instant, had not yet run.)
func TestDirectDatagramSentAtOnceOutlivesItsSocket(t *testing.T) {
	d := newDirectStar(t, 2, math.Inf(1), math.Inf(1))
	d.send(t, 0, 1, 100)
	require.NoError(t, d.socks[0].Close())
	d.k.Run()
	require.Equal(t, []directGot{{20 * sim.Millisecond, 0, 1, 100}}, d.got)
}

// A link of the route that fails while the datagram is on the wire or in flight loses
// it, counted lost at its sender; one that fails after it has arrived does not.
func TestDirectDatagramLostToALinkFailure(t *testing.T) {
	d := newDirectStar(t, 3, math.Inf(1), math.Inf(1))
	d.send(t, 0, 1, 100) // arrives at 20 ms
	d.send(t, 2, 1, 100)
	_, in := d.net.NodeLinks(2)
	down := in[0]
	d.k.At(10*sim.Millisecond, func() { d.net.FailLink(down) })
	d.k.At(15*sim.Millisecond, func() { d.net.RestoreLink(down) })
	d.k.At(30*sim.Millisecond, func() { d.send(t, 0, 1, 100) })
	d.k.Run()
	require.Equal(t, []directGot{{50 * sim.Millisecond, 0, 1, 100}}, d.got)
	require.Equal(t, int64(1), d.st.Stats(1).DatagramsLost)
	require.Equal(t, int64(1), d.st.Stats(3).DatagramsLost)
}

// Loss drawn as the datagram leaves: with p = 1 on the uplink every datagram is lost,
// counted at once (no event) on an unconstrained link.
func TestDirectDatagramLoss(t *testing.T) {
	d := newDirectStar(t, 2, math.Inf(1), math.Inf(1))
	out, _ := d.net.NodeLinks(1)
	d.net.SetLinkLoss(out[0], 1)
	for range 5 {
		d.send(t, 0, 1, 100)
	}
	d.k.Run()
	require.Empty(t, d.got)
	require.Equal(t, int64(5), d.st.Stats(1).DatagramsLost)
	require.Zero(t, d.k.Events())
}

// A datagram to a host that is down, or that rebooted while it flew, is not delivered
// (and not counted lost: the network delivered it).
func TestDirectDatagramToAHostThatRebooted(t *testing.T) {
	d := newDirectStar(t, 2, math.Inf(1), math.Inf(1))
	d.send(t, 0, 1, 100)
	d.k.At(5*sim.Millisecond, func() { d.st.Crash(2) })
	d.k.At(6*sim.Millisecond, func() { d.st.Recover(2) })
	d.k.Run()
	require.Empty(t, d.got)
	require.Zero(t, d.st.Stats(1).DatagramsLost)
}

// The direct path allocates nothing a datagram once its pools are warm: neither the
// record of the datagram in flight (pooled by the stack), nor its route (held in the
// record), nor its event (the kernel's slots and chunks are reused).
func TestDirectDatagramAllocatesNothing(t *testing.T) {
	d := newDirectStar(t, 2, math.Inf(1), math.Inf(1))
	m := Message{SizeBytes: 60}
	allocs := testing.AllocsPerRun(1000, func() {
		_ = d.socks[0].SendTo(Addr{2, 9}, m)
		_ = d.socks[1].SendTo(Addr{1, 9}, m)
		d.got = d.got[:0]
		d.k.Run()
	})
	require.Zero(t, allocs)
}

// The direct path and the two-event path give the same network: on random traffic
// (packets and datagrams of size 0 on 1 Mbps / 10 Mbps access links, unconstrained
// ones, and lossy links), with links failing and coming back and hosts crashing and
// closing sockets, every datagram arrives at the same instant from the same sender,
// or is lost or dropped at both, and every host counts the same. Only the order of
// arrivals at one instant may differ (an arrival is queued when its datagram leaves,
// not when its last bit does), so arrivals are compared as sorted lists.
func TestDirectMatchesTwoEventPath(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		run := func(noDirect bool) ([]directGot, []HostStats, uint64) {
			const n = 12
			up, down := 1e6, 1e7
			if seed%3 == 0 {
				up, down = math.Inf(1), math.Inf(1)
			}
			d := newDirectStar(t, n, up, down)
			d.st.noDirect = noDirect
			d.st.UDP.PacketBytes = 1500
			rng := rand.New(rand.NewPCG(seed, 7))
			if seed%4 == 0 {
				out, _ := d.net.NodeLinks(1)
				d.net.SetLinkLoss(out[0], 0.3)
			}
			for range 400 {
				at := sim.Time(rng.IntN(int(2 * sim.Second)))
				from, to := rng.IntN(n), rng.IntN(n)
				size := int64(rng.IntN(1500))
				if rng.IntN(10) == 0 {
					size = 0
				}
				burst := 1 + rng.IntN(3) // several at one instant queue behind each other
				d.k.At(at, func() {
					for range burst {
						_ = d.socks[from].SendTo(Addr{NodeID(to + 1), 9}, Message{SizeBytes: size})
					}
				})
			}
			for range 6 {
				at := sim.Time(rng.IntN(int(2 * sim.Second)))
				node := NodeID(1 + rng.IntN(n))
				out, in := d.net.NodeLinks(node)
				l := out[0]
				if rng.IntN(2) == 0 {
					l = in[0]
				}
				d.k.At(at, func() { d.net.FailLink(l) })
				d.k.At(at+sim.Time(rng.IntN(int(100*sim.Millisecond))), func() { d.net.RestoreLink(l) })
			}
			for range 3 {
				at := sim.Time(rng.IntN(int(2 * sim.Second)))
				h := rng.IntN(n)
				d.k.At(at, func() { d.st.Crash(NodeID(h + 1)) })
			}
			d.k.Run()
			slices.SortFunc(d.got, func(a, b directGot) int {
				return cmp.Or(cmp.Compare(a.at, b.at), cmp.Compare(a.from, b.from), cmp.Compare(a.to, b.to), cmp.Compare(a.size, b.size))
			})
			var stats []HostStats
			for i := range n {
				stats = append(stats, d.st.Stats(NodeID(i+1)))
			}
			return d.got, stats, d.k.Events()
		}
		got2, stats2, ev2 := run(true)
		got1, stats1, ev1 := run(false)
		require.NotEmpty(t, got1)
		require.Equal(t, got2, got1, "seed %d", seed)
		require.Equal(t, stats2, stats1, "seed %d", seed)
		require.Less(t, ev1, ev2, "seed %d: fewer events", seed)
	}
}

// accessRoute, a route read from the two hosts' access links, is Route's route between
// hosts of a star, and declines where Route must decide: a host with two links out, the
// router itself, a link down, the same host; and it follows links added later.
func TestAccessRouteIsRoute(t *testing.T) {
	k := sim.NewKernel()
	net, err := BuildStar(k, []StarHost{
		{Name: "a", UploadBps: 1e6, DownloadBps: 2e6, Delay: 3 * sim.Millisecond},
		{Name: "b", UploadBps: math.Inf(1), DownloadBps: 5e6, Delay: 7 * sim.Millisecond},
		{Name: "c", UploadBps: 4e6, DownloadBps: math.Inf(1), Delay: 11 * sim.Millisecond},
	})
	require.NoError(t, err)
	st := NewStack(net, sim.NewStreams(1))
	check := func(what string) (read int) {
		for from := range NodeID(4) {
			for to := range NodeID(4) {
				var buf [2]LinkID
				r, bps, ok := st.accessRoute(st.host(from), st.host(to), buf[:0])
				want, err := net.Route(from, to)
				if !ok {
					continue
				}
				require.NoError(t, err, "%s: %d -> %d", what, from, to)
				require.Equal(t, want, r, "%s: %d -> %d", what, from, to)
				require.Equal(t, net.bottleneckBps(want), bps, "%s: %d -> %d", what, from, to)
				read++
			}
		}
		return read
	}
	require.Equal(t, 6, check("star"), "every ordered pair of the three hosts")
	var buf [2]LinkID
	_, _, ok := st.accessRoute(st.host(1), st.host(0), buf[:0])
	require.False(t, ok, "to the router")
	_, _, ok = st.accessRoute(st.host(1), st.host(1), buf[:0])
	require.False(t, ok, "to itself")
	out, _ := net.NodeLinks(2)
	net.FailLink(out[0])
	_, _, ok = st.accessRoute(st.host(2), st.host(1), buf[:0])
	require.False(t, ok, "uplink down")
	net.RestoreLink(out[0])
	require.Equal(t, 6, check("restored"))
	net.AddLink(1, 3, 1e9, sim.Millisecond) // a's shortcut to c: a has two links out
	_, _, ok = st.accessRoute(st.host(1), st.host(3), buf[:0])
	require.False(t, ok, "two links out")
	r, err := net.Route(1, 3)
	require.NoError(t, err)
	require.Len(t, r.Links, 1)
	require.Equal(t, 3, check("after AddLink"), "b → a, c → a, c → b: a has two links out, c two in")
}
