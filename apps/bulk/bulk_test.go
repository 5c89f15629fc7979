package bulk

import (
	"math"
	"testing"

	"netsim/sim"
	"netsim/topology"
)

// A transfer alone on a link takes the handshake's RTT, then its bits at the link's
// rate, then the one-way delay for the last bit to arrive: with free control segments
// (the fluid model) 2·(10 + 10) ms + 8 Mbit / 1 Mbps + 20 ms = 8.06 s, exactly.
func TestTransferAloneTakesRTTPlusTransmission(t *testing.T) {
	k := sim.NewKernel()
	net, err := topology.BuildStar(k, []topology.StarHost{
		{Name: "a", UploadBps: math.Inf(1), DownloadBps: math.Inf(1), Delay: 10 * sim.Millisecond},
		{Name: "b", UploadBps: math.Inf(1), DownloadBps: 1e6, Delay: 10 * sim.Millisecond},
	})
	if err != nil {
		t.Fatal(err)
	}
	stack := topology.NewStack(net, sim.NewStreams(1))
	stack.TCP.ControlBytes = 0
	a, _ := net.Node("a")
	b, _ := net.Node("b")
	var got []sim.Time
	if err := Receiver(0, func(from topology.Addr, size int64, at sim.Time) {
		if from.Node != a || size != 1_000_000 {
			t.Errorf("received %d bytes from %v", size, from)
		}
		got = append(got, at)
	})(stack.Host(b)); err != nil {
		t.Fatal(err)
	}
	if err := Sender(Transfer{To: topology.Addr{Node: b, Port: DefaultPort}, SizeBytes: 1_000_000})(stack.Host(a)); err != nil {
		t.Fatal(err)
	}
	k.Run()
	if want := 8060 * sim.Millisecond; len(got) != 1 || got[0] != want {
		t.Fatalf("received at %v, want [%v]", got, want)
	}
	if l := stack.Live(); l.ConnEnds != 0 || l.Flows != 0 {
		t.Errorf("left behind %+v", l)
	}
}
