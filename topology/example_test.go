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

// Two downloads share the server's 10 Mbit/s uplink (5 each); at 0.4 s bob's downlink
// fails. His flow fails at once and alice's gets the whole uplink for her other
// 6 Mbit, 0.6 s more.
func ExampleNetwork_FailLink() {
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
	for _, name := range []string{"alice", "bob"} {
		id, _ := n.Node(name)
		r, _ := n.Route(s, id)
		n.StartFlow(r, 1_000_000, topology.FlowOptions{}, func(f *topology.Flow) {
			fmt.Printf("%s: failed %v at %v\n", name, f.Failed(), k.Now())
		})
	}
	bob, _ := n.Node("bob")
	_, in := n.NodeLinks(bob)
	k.At(400*sim.Millisecond, func() { n.FailLink(in[0]) })
	k.Run()
	if _, err := n.Route(s, bob); err != nil {
		fmt.Println(err)
	}
	// Output:
	// bob: failed true at 400ms
	// alice: failed false at 1s
	// topology: no route from "server" to "bob"
}
