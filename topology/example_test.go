package topology_test

import (
	"fmt"

	"netsim/sim"
	"netsim/topology"
)

// Two downloads from one server in the access-link star share its 10 Mbit/s uplink
// (5 each); the 2 Mbit one ends at 0.4 s, then the 8 Mbit one has the whole uplink.
func ExampleNetwork_StartFlow() {
	k := sim.NewKernel()
	n, err := topology.BuildStar(k, []topology.StarHost{
		{Name: "server", UploadBps: 10e6, DownloadBps: 10e6, Delay: 10 * sim.Millisecond},
		{Name: "alice", UploadBps: 1e6, DownloadBps: 50e6, Delay: 20 * sim.Millisecond},
		{Name: "bob", UploadBps: 1e6, DownloadBps: 50e6, Delay: 5 * sim.Millisecond},
	})
	if err != nil {
		panic(err)
	}
	s, _ := n.Node("server")
	for _, c := range []struct {
		name      string
		sizeBytes int64
	}{{"alice", 1_000_000}, {"bob", 250_000}} {
		id, _ := n.Node(c.name)
		r, _ := n.Route(s, id)
		n.StartFlow(r, c.sizeBytes, topology.FlowOptions{}, func(f *topology.Flow) {
			// The last bit arrives one propagation delay after it leaves.
			fmt.Printf("%s: sent at %v, received at %v\n", c.name, k.Now(), k.Now()+r.Delay)
		})
	}
	k.Run()
	// Output:
	// bob: sent at 400ms, received at 415ms
	// alice: sent at 1s, received at 1.03s
}
