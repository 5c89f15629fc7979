package topology

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"netsim/sim"
)

// chaosProgram is what every host of the chaos test runs: a server on port 7 that
// answers each message with one of the size it asks for and closes when the client
// does (or after 30 s idle); a client that every `period` dials a random host, sends a
// few requests, closes, and gives up (aborts) after 30 s; and a UDP socket that sends
// a datagram to a random host every period. It stops starting work at stopAt, so that
// once every host is up again, everything it opened must close.
type chaosProgram struct {
	hosts  []NodeID
	period sim.Time
	stopAt sim.Time
	seed   uint64
}

func (p chaosProgram) start(h Host) {
	rng := rand.New(rand.NewPCG(p.seed, uint64(h.Node())))
	const idle = 30 * sim.Second
	_, err := h.Listen(7, func(c Conn) {
		var timer sim.EventID
		arm := func() {
			if timer != 0 {
				h.Cancel(timer)
			}
			timer = h.After(idle, func() { timer = 0; c.Abort() })
		}
		arm()
		c.SetHandler(&ConnHandler{
			OnMessage: func(c Conn, m Message) {
				c.Send(Message{SizeBytes: m.Payload.(int64)})
				arm()
			},
			OnClose: func(c Conn) { h.Cancel(timer); c.Close() },
			OnReset: func(Conn, error) { h.Cancel(timer) },
		})
	})
	if err != nil {
		panic(err)
	}
	sock, err := h.BindUDP(9, func(Addr, Message) {})
	if err != nil {
		panic(err)
	}
	var tick sim.EventID
	tick = h.Every(p.period, func() {
		if h.Now() >= p.stopAt {
			h.Cancel(tick)
			return
		}
		to := p.hosts[rng.IntN(len(p.hosts))]
		if to == h.Node() {
			return
		}
		sock.SendTo(Addr{to, 9}, Message{SizeBytes: int64(rng.IntN(3000))})
		n := 1 + rng.IntN(3)
		sizes := make([]int64, n)
		for i := range sizes {
			sizes[i] = int64(rng.IntN(200_000))
		}
		port := 7
		if rng.IntN(10) == 0 {
			port = 8 // nobody listens: refused
		}
		h.Dial(Addr{to, port}, TCPOptions{}, func(c Conn, err error) {
			if err != nil {
				return
			}
			var timer sim.EventID
			timer = h.After(idle, func() { timer = 0; c.Abort() })
			c.SetHandler(&ConnHandler{
				OnClose: func(Conn) { h.Cancel(timer) },
				OnReset: func(Conn, error) { h.Cancel(timer) },
			})
			for _, s := range sizes {
				c.Send(Message{SizeBytes: int64(rng.IntN(50_000)), Payload: s})
			}
			c.Close()
		})
	})
}

// activeFlows lists every flow the stack has on the wire: its ends' messages, its
// sockets' datagrams and its control segments.
func (s *Stack) activeFlows() []*Flow {
	var fs []*Flow
	for _, h := range s.hosts {
		if h == nil {
			continue
		}
		for _, b := range h.ports {
			if b.u != nil && b.u.sending != nil {
				fs = append(fs, b.u.sending)
			}
		}
		if h.t == nil {
			continue
		}
		for _, e := range h.t.conns {
			if e.sending != nil {
				fs = append(fs, e.sending)
			}
		}
		for _, sg := range h.t.segs {
			fs = append(fs, sg.flow)
		}
	}
	return fs
}

// Reference: issue 6, acceptance 3. Random crashes, recoveries, aborts, link failures
// and repairs, and lossy links mixed into random TCP and UDP traffic on random
// networks keep the max-min allocation (every rate equal to progressive filling from
// scratch, no link over capacity), and leak
// nothing: every flow on the wire belongs to a socket, and once every host is up and
// the programs have stopped, no connection end, timer or flow is left.
func TestChaosKeepsMaxMinAndLeaksNothing(t *testing.T) {
	rounds := 40
	if testing.Short() {
		rounds = 10
	}
	var total HostStats
	defer func() {
		// The faults really happened: connections reset, timed out and refused,
		// segments sent again, datagrams lost to failures.
		t.Logf("over %d rounds: %+v", rounds, total)
		require.Positive(t, total.ConnsReset)
		require.Positive(t, total.ConnsTimedOut)
		require.Positive(t, total.ConnsRefused)
		require.Positive(t, total.Retransmissions)
		require.Positive(t, total.DatagramsLost)
	}()
	for round := range rounds {
		t.Run(fmt.Sprint(round), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(99, uint64(round)))
			k := sim.NewKernel()
			var n *Network
			var hosts []NodeID
			if round%2 == 0 {
				n, hosts = randomStar(rng, k)
			} else {
				n, hosts = randomGraph(rng, k)
			}
			st := NewStack(n, sim.NewStreams(uint64(round)))
			st.TCP.ControlBytes = []int64{0, 40}[rng.IntN(2)]
			// Small retry budgets, so that TCP's own timeouts fire within the test's
			// 20 s of traffic, before the programs' 30 s ones.
			st.TCP.SYNRetries = rng.IntN(4)
			st.TCP.DataRetries = 1 + rng.IntN(5)
			for l := range n.NumLinks() {
				if rng.IntN(4) == 0 {
					n.SetLinkLoss(LinkID(l), 0.2*rng.Float64())
				}
			}
			const stopAt = 20 * sim.Second
			prog := chaosProgram{hosts: hosts, period: sim.Time(50+rng.IntN(450)) * sim.Millisecond, stopAt: stopAt, seed: uint64(round)}
			for _, id := range hosts {
				st.Boot(id, prog.start)
			}
			// Faults at random times before stopAt.
			for i := 0; i < 5+rng.IntN(15); i++ {
				at := sim.Time(rng.Int64N(int64(stopAt)))
				id := hosts[rng.IntN(len(hosts))]
				l := LinkID(rng.IntN(n.NumLinks()))
				switch rng.IntN(5) {
				case 0:
					st.CrashAt(at, id)
				case 1:
					st.RecoverAt(at, id)
				case 2:
					k.At(at, func() { n.FailLink(l) })
				case 3:
					k.At(at, func() { n.RestoreLink(l) })
				default:
					k.At(at, func() {
						if h := st.host(id); h.t != nil && len(h.t.conns) > 0 {
							e := h.t.conns[rng.IntN(len(h.t.conns))]
							if e.state == endOpen {
								e.Abort()
							}
						}
					})
				}
			}
			for _, id := range hosts {
				st.RecoverAt(stopAt, id)
			}
			k.At(stopAt, func() {
				for l := range n.NumLinks() {
					n.RestoreLink(LinkID(l))
				}
			})
			ref := relayRef{feederOf: map[*Flow]*Flow{}, lastRate: map[*Flow]float64{}}
			checks := 0
			for k.Len() > 0 {
				k.RunUntil(k.Now() + sim.Time(1+rng.IntN(20))*sim.Millisecond)
				flows := st.activeFlows()
				require.Equal(t, n.ActiveFlows(), len(flows), "every flow on the wire belongs to a socket")
				checkAllocation(t, n, flows, ref, 1e-6)
				checks++
				if k.Now() > stopAt+2*sim.Hour {
					t.Fatalf("still %d events pending at %v\n%s", k.Len(), k.Now(), st.debugDump())
				}
			}
			require.Greater(t, checks, 100)
			for _, id := range hosts {
				hs := st.Stats(id)
				total.ConnsReset += hs.ConnsReset
				total.ConnsTimedOut += hs.ConnsTimedOut
				total.ConnsRefused += hs.ConnsRefused
				total.Retransmissions += hs.Retransmissions
				total.DatagramsLost += hs.DatagramsLost
				total.ConnsOpened += hs.ConnsOpened
				total.MessagesSent += hs.MessagesSent
			}
			require.Equal(t, Live{Listeners: len(hosts), UDPSockets: len(hosts)}, st.Live())
		})
	}
}

// debugDump describes every host and connection end, for a failure message.
func (s *Stack) debugDump() string {
	out := ""
	for _, h := range s.hosts {
		if h == nil {
			continue
		}
		tl := 0
		if h.group != 0 {
			tl = s.k.GroupLen(h.group)
		}
		var t hostTCP
		if h.t != nil {
			t = *h.t
		}
		out += fmt.Sprintf("%s up=%v conns=%d segs=%d timers=%d\n", h.Name(), h.up, len(t.conns), len(t.segs), tl)
		for _, e := range t.conns {
			out += fmt.Sprintf("   end dialling=%v state=%d closing=%v finSent=%v finRcvd=%v q=%d sending=%v rtx=%v waiting=%v stalled=%v peerstate=%d\n", e.dialling(), e.state, e.closing, e.finSent, e.finRcvd, len(e.queue), e.sending != nil, e.rtx, e.waiting, e.stalled, e.peer().state)
		}
	}
	return out
}
