//go:build unix

package topology

import (
	"math/rand/v2"
	"runtime"
	"strconv"
	"syscall"
	"testing"

	"netsim/sim"
)

// BenchmarkMessages is the message path under a swarm's traffic, the cost issue 12
// measured: 200 hosts on a star (1 Mbps up, 10 Mbps down), each with connections to
// 10 others, on which it keeps one 16 KiB block leaving (the next queued from OnSent,
// as a BitTorrent peer does) and, every 50 ms, sends a 9-byte message (a have) on
// each; and every host sends a 60-byte datagram to a random host every 10 ms (a DHT
// lookup). Five simulated seconds. Reported per message: the process's CPU time (user
// + sys, which a shared machine's load inflates less than wall time), heap
// allocations (the program's own, the network's build included), flows started and
// solves. flow-per-segment is the fluid model as it was, a flow for every segment;
// fluid, a stream's back-to-back segments on one flow (drain); packets, the small ones
// as packets (PacketBytes = 1460).
func BenchmarkMessages(b *testing.B) {
	for _, mode := range []string{"flow-per-segment", "fluid", "packets"} {
		b.Run(mode, func(b *testing.B) {
			var msgs, flows, solves uint64
			var ms0, ms1 runtime.MemStats
			runtime.ReadMemStats(&ms0)
			cpu0 := cpuTime()
			for range b.N {
				m, st := runMessages(b, mode)
				msgs += m
				flows += st.Starts
				solves += st.Solves
			}
			b.ReportMetric(float64(cpuTime()-cpu0)/float64(msgs), "cpu-ns/msg")
			runtime.ReadMemStats(&ms1)
			b.ReportMetric(float64(ms1.Mallocs-ms0.Mallocs)/float64(msgs), "allocs/msg")
			b.ReportMetric(float64(flows)/float64(msgs), "flows/msg")
			b.ReportMetric(float64(solves)/float64(msgs), "solves/msg")
		})
	}
}

func runMessages(b *testing.B, mode string) (uint64, FlowStats) {
	const (
		n       = 200
		degree  = 10
		horizon = 5 * sim.Second
	)
	k := sim.NewKernel()
	hs := make([]StarHost, n)
	for i := range hs {
		hs[i] = StarHost{Name: "h" + strconv.Itoa(i), UploadBps: 1e6, DownloadBps: 1e7, Delay: 10 * sim.Millisecond}
	}
	net, err := BuildStar(k, hs)
	if err != nil {
		b.Fatal(err)
	}
	st := NewStack(net, sim.NewStreams(1))
	st.TCP.ControlBytes = 0
	st.noDrain = mode == "flow-per-segment"
	if mode == "packets" {
		st.TCP.PacketBytes = st.TCP.MSSBytes
		st.UDP.PacketBytes = st.TCP.MSSBytes
	}
	var msgs uint64
	count := func(Conn, Message) { msgs++ }
	block := Message{SizeBytes: 13 + 16<<10}
	inSocket := map[Conn]SendID{} // the block each connection has queued
	blocks := &ConnHandler{
		OnMessage: count,
		OnSent: func(c Conn, id SendID) {
			if inSocket[c] == id {
				inSocket[c], _ = c.Send(block)
			}
		},
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range n {
		h := st.Host(NodeID(i))
		if _, err := h.Listen(6881, func(c Conn) { c.SetHandler(&ConnHandler{OnMessage: count}) }); err != nil {
			b.Fatal(err)
		}
		u, err := h.BindUDP(4000, func(Addr, Message) { msgs++ })
		if err != nil {
			b.Fatal(err)
		}
		h.Every(10*sim.Millisecond, func() { u.SendTo(Addr{NodeID(rng.IntN(n)), 4000}, Message{SizeBytes: 60}) })
		for d := 1; d <= degree; d++ {
			h.Dial(Addr{NodeID((i + d*7) % n), 6881}, TCPOptions{}, func(c Conn, err error) {
				if err != nil {
					b.Fatal(err)
				}
				c.SetHandler(blocks)
				inSocket[c], _ = c.Send(block)
				h.Every(50*sim.Millisecond, func() { c.Send(Message{SizeBytes: 9}) })
			})
		}
	}
	k.RunUntil(horizon)
	if msgs == 0 {
		b.Fatal("no message arrived")
	}
	return msgs, net.Stats()
}

// cpuTime is the process's user + system CPU time so far, in ns.
func cpuTime() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
