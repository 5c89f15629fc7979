package topology

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"netsim/sim"
)

// peakRSSMB is the process's peak resident set so far (Linux's VmHWM), in MB; 0
// where /proc does not tell.
func peakRSSMB() float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1000
		}
	}
	return 0
}

// heapNow is the live heap after a collection, in bytes.
func heapNow() float64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return float64(ms.HeapInuse)
}

// BenchmarkIdleHosts builds an access-link star of 10^6 hosts, each with one UDP
// socket bound and nothing else: the floor under a 10^6-node DHT. It reports the live
// heap per host (the network's node and two links, the stack's host and socket) and
// the process's peak RSS. Target (issue 6): ≤ 600 MB of RSS in all. Run it alone
// (-run XXX -bench IdleHosts -benchtime 1x) so that the peak is its own.
func BenchmarkIdleHosts(b *testing.B) {
	const n = 1_000_000
	for range b.N {
		before := heapNow()
		k := sim.NewKernel()
		hs := make([]StarHost, n)
		for i := range hs {
			hs[i] = StarHost{Name: "h" + strconv.Itoa(i), UploadBps: 1e6, DownloadBps: 1e7, Delay: sim.Millisecond}
		}
		net, err := BuildStar(k, hs)
		if err != nil {
			b.Fatal(err)
		}
		hs = nil
		st := NewStack(net, sim.NewStreams(1))
		for i := 1; i <= n; i++ {
			if _, err := st.Host(NodeID(i)).BindUDP(5000, nil); err != nil {
				b.Fatal(err)
			}
		}
		perHost := (heapNow() - before) / n
		runtime.KeepAlive(st)
		b.ReportMetric(perHost, "B/host")
		b.ReportMetric(peakRSSMB(), "MB-peak-RSS")
	}
}

// BenchmarkRelayConnections opens a connection between every ordered pair of N peers
// on a star, each carrying one message as a relay of the message arriving at its
// dialler (the pattern of P2P file distribution), and reports the live heap per
// connection while all are on the wire: both ends, the flow, the arrival, the queued
// message and the kernel's events.
func BenchmarkRelayConnections(b *testing.B) {
	for _, peers := range []int{300} {
		b.Run(fmt.Sprintf("peers=%d", peers), func(b *testing.B) {
			for range b.N {
				benchRelayConnections(b, peers)
			}
		})
	}
}

func benchRelayConnections(b *testing.B, peers int) {
	k := sim.NewKernel()
	hs := []StarHost{{Name: "server", UploadBps: 1e9, DownloadBps: 1e9, Delay: sim.Millisecond}}
	for i := range peers {
		hs = append(hs, StarHost{Name: fmt.Sprintf("p%d", i), UploadBps: 1e6, DownloadBps: 1e8, Delay: 10 * sim.Millisecond})
	}
	net, err := BuildStar(k, hs)
	if err != nil {
		b.Fatal(err)
	}
	st := NewStack(net, sim.NewStreams(1))
	st.TCP.ControlBytes = 0
	before := heapNow()
	server := st.Host(1)
	arrivals := make([]*Arrival, peers)
	for i := range peers {
		p := st.Host(NodeID(i + 2))
		h := &ConnHandler{OnArriving: func(_ Conn, a *Arrival) {
			if arrivals[i] == nil {
				arrivals[i] = a
			}
		}}
		if _, err := p.Listen(7, func(c Conn) { c.SetHandler(h) }); err != nil {
			b.Fatal(err)
		}
		server.Dial(Addr{p.Node(), 7}, TCPOptions{}, func(c Conn, err error) {
			c.(RelayConn).SetPacingRate(1e6 / float64(peers-1))
			c.Send(Message{SizeBytes: 1 << 40})
		})
	}
	k.RunUntil(100 * sim.Millisecond)
	for i := range peers {
		p := st.Host(NodeID(i + 2))
		for j := range peers {
			if j == i {
				continue
			}
			p.Dial(Addr{NodeID(j + 2), 7}, TCPOptions{}, func(c Conn, err error) {
				c.(RelayConn).Forward(Message{SizeBytes: 1 << 40}, arrivals[i])
			})
		}
	}
	k.RunUntil(200 * sim.Millisecond)
	conns := peers * (peers - 1)
	if got := net.ActiveFlows(); got != conns+peers {
		b.Fatalf("%d flows on the wire, want %d", got, conns+peers)
	}
	b.ReportMetric((heapNow()-before)/float64(conns), "B/conn")
	runtime.KeepAlive(st)
}
