//go:build unix

package topology

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"netsim/sim"
)

// BenchmarkDatagrams is a DHT's datagram traffic on its own: 10^4 hosts on an
// unconstrained star (Chord's platform), each sending a 60-byte datagram to a random
// host every 100 ms, for 2 simulated seconds (2·10^5 datagrams). Reported per
// datagram: the process's CPU time, kernel events (the sending timer's one included)
// and allocations; two-event is the path every datagram took before the direct one
// (a flow, its end, then the arrival):
//
//	go test ./topology -run '^$' -bench Datagrams -benchtime 1x
func BenchmarkDatagrams(b *testing.B) {
	for _, mode := range []string{"two-event", "direct"} {
		b.Run(mode, func(b *testing.B) {
			const n = 10000
			var sent, events uint64
			var allocs uint64
			var cpu int64
			for range b.N {
				d := newDirectStar(b, n, math.Inf(1), math.Inf(1))
				d.st.noDirect = mode == "two-event"
				rng := rand.New(rand.NewPCG(1, 2))
				m := Message{SizeBytes: 60}
				for i := range n {
					u := d.socks[i]
					d.st.Host(NodeID(i+1)).Every(100*sim.Millisecond, func() {
						_ = u.SendTo(Addr{NodeID(1 + rng.IntN(n)), 9}, m)
						sent++
					})
				}
				d.got = make([]directGot, 0, 3*n*20)
				var ms0, ms1 runtime.MemStats
				runtime.ReadMemStats(&ms0)
				cpu0, ev0 := cpuTime(), d.k.Events()
				d.k.RunUntil(2 * sim.Second)
				cpu += cpuTime() - cpu0
				events += d.k.Events() - ev0
				runtime.ReadMemStats(&ms1)
				allocs += ms1.Mallocs - ms0.Mallocs
			}
			b.ReportMetric(float64(cpu)/float64(sent), "cpu-ns/datagram")
			b.ReportMetric(float64(events)/float64(sent), "events/datagram")
			b.ReportMetric(float64(allocs)/float64(sent), "allocs/datagram")
		})
	}
}
