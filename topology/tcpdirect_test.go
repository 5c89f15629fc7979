package topology

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"netsim/sim"
)

// Direct segments (tcpdirect.go): a small message in one event, with the times,
// retransmissions and counts of the two-event path.

// segGot is a message landing, or (seq < 0) an OnSent or a reset heard by host to.
type segGot struct {
	at       sim.Time
	from, to int
	seq      int
	size     int64
}

// segStar is n hosts on a star, each listening on port 7, every pair of hosts joined
// by a connection dialled at time 0 by the lower-numbered one.
type segStar struct {
	k    *sim.Kernel
	net  *Network
	st   *Stack
	ends [][]Conn // ends[i][j]: host i's end of its connection with j, once open
	got  []segGot
}

func newSegStar(t *testing.T, n int, noDirect bool, onSent func(i, j int) bool) *segStar {
	d := &segStar{k: sim.NewKernel()}
	hs := make([]StarHost, n)
	for i := range hs {
		hs[i] = StarHost{Name: "h" + strconv.Itoa(i), UploadBps: 1e6 * float64(1+i%3), DownloadBps: 1e7, Delay: 10 * sim.Millisecond}
	}
	var err error
	d.net, err = BuildStar(d.k, hs)
	require.NoError(t, err)
	d.st = NewStack(d.net, sim.NewStreams(1))
	d.st.noDirect = noDirect
	d.st.TCP.PacketBytes = 1500
	d.ends = make([][]Conn, n)
	for i := range n {
		d.ends[i] = make([]Conn, n)
	}
	handler := func(i, j int) *ConnHandler {
		h := &ConnHandler{
			OnMessage: func(_ Conn, m Message) {
				d.got = append(d.got, segGot{d.k.Now(), j, i, m.Payload.(int), m.SizeBytes})
			},
			OnClose: func(c Conn) { c.Close() },
			OnReset: func(Conn, error) { d.got = append(d.got, segGot{d.k.Now(), j, i, -1, 0}) },
		}
		if onSent(i, j) {
			h.OnSent = func(_ Conn, id SendID) { d.got = append(d.got, segGot{d.k.Now(), j, i, -2, int64(id)}) }
		}
		return h
	}
	for i := range n {
		_, err := d.st.Host(NodeID(i+1)).Listen(7, func(c Conn) {
			j := int(c.Remote().Node) - 1
			c.SetHandler(handler(i, j))
			d.ends[i][j] = c
		})
		require.NoError(t, err)
	}
	for i := range n {
		for j := i + 1; j < n; j++ {
			d.st.Host(NodeID(i+1)).Dial(Addr{NodeID(j + 1), 7}, TCPOptions{}, func(c Conn, err error) {
				if err == nil {
					c.SetHandler(handler(i, j))
					d.ends[i][j] = c
				}
			})
		}
	}
	return d
}

// Random schedules of small and large messages, bursts, closes, link failures and
// crashes give the same landings, OnSents, resets and host counts by both paths, in
// fewer events direct.
func TestDirectSegmentsMatchTwoEventPath(t *testing.T) {
	for seed := uint64(1); seed <= 30; seed++ {
		run := func(noDirect bool) ([]segGot, []HostStats, uint64) {
			const n = 6
			rng := rand.New(rand.NewPCG(seed, 11))
			sentOn := make([]bool, n*n)
			for i := range sentOn {
				sentOn[i] = rng.IntN(4) == 0
			}
			d := newSegStar(t, n, noDirect, func(i, j int) bool { return sentOn[i*n+j] })
			seq := 0
			for range 600 {
				at := 100*sim.Millisecond + sim.Time(rng.IntN(int(3*sim.Second)))
				from, to := rng.IntN(n), rng.IntN(n)
				size := int64(1 + rng.IntN(1400))
				if rng.IntN(8) == 0 {
					size = int64(1500 + rng.IntN(30000)) // a flow
				}
				burst := 1 + rng.IntN(3)
				first := seq
				seq += burst
				d.k.At(at, func() {
					if c := d.ends[from][to]; c != nil {
						for b := range burst {
							_, _ = c.Send(Message{SizeBytes: size, Payload: first + b})
						}
					}
				})
			}
			for range 8 {
				at := 100*sim.Millisecond + sim.Time(rng.IntN(int(3*sim.Second)))
				out, in := d.net.NodeLinks(NodeID(1 + rng.IntN(n)))
				l := out[0]
				if rng.IntN(2) == 0 {
					l = in[0]
				}
				d.k.At(at, func() { d.net.FailLink(l) })
				d.k.At(at+sim.Time(rng.IntN(int(300*sim.Millisecond))), func() { d.net.RestoreLink(l) })
			}
			for range 2 {
				at := 100*sim.Millisecond + sim.Time(rng.IntN(int(3*sim.Second)))
				h := NodeID(1 + rng.IntN(n))
				d.k.At(at, func() { d.st.Crash(h) })
				d.k.At(at+sim.Second, func() { d.st.Recover(h) })
			}
			for range 3 {
				at := 100*sim.Millisecond + sim.Time(rng.IntN(int(3*sim.Second)))
				from, to := rng.IntN(n), rng.IntN(n)
				d.k.At(at, func() {
					if c := d.ends[from][to]; c != nil {
						c.Close()
					}
				})
			}
			d.k.Run()
			slices.SortFunc(d.got, func(a, b segGot) int {
				return cmp.Or(cmp.Compare(a.at, b.at), cmp.Compare(a.from, b.from), cmp.Compare(a.to, b.to), cmp.Compare(a.seq, b.seq), cmp.Compare(a.size, b.size))
			})
			var stats []HostStats
			for i := range n {
				stats = append(stats, d.st.Stats(NodeID(i+1)))
			}
			return d.got, stats, d.k.Events()
		}
		got2, stats2, ev2 := run(true)
		got1, stats1, ev1 := run(false)
		require.Greater(t, len(got1), 500, "seed %d", seed)
		require.Equal(t, got2, got1, "seed %d", seed)
		require.Equal(t, stats2, stats1, "seed %d", seed)
		require.Less(t, ev1, ev2, "seed %d: fewer events", seed)
	}
}
