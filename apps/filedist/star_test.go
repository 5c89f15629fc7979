package filedist

import (
	"context"
	"fmt"

	"netsim/sim"
	"netsim/topology"
)

// The tests run the programs on the textbook's platform, an access-link star, built
// here as a scenario's kind builds it (the package itself builds no network).

// testPeer is a peer of a test's star: its rates and its delay to the core.
type testPeer struct {
	UploadBps, DownloadBps float64
	Delay                  sim.Time
}

// star is one distribution on a star: the server and N peers.
type star struct {
	Mode            Mode
	FileBits        int64
	ServerUploadBps float64
	ServerDelay     sim.Time
	Peers           []testPeer
}

type result struct {
	DistributionTime sim.Time
	Completion       []sim.Time
	ServerBytesSent  int64
	PeerBytesSent    int64
}

func simulate(ctx context.Context, st star, seed uint64) (result, error) {
	cfg := Config{Mode: st.Mode, FileBits: st.FileBits, ServerUploadBps: st.ServerUploadBps, ExpectedPeers: len(st.Peers)}
	k := sim.NewKernel()
	hosts := []topology.StarHost{{Name: "server", UploadBps: st.ServerUploadBps, DownloadBps: st.ServerUploadBps, Delay: st.ServerDelay}}
	for i, p := range st.Peers {
		hosts = append(hosts, topology.StarHost{Name: fmt.Sprintf("peer%d", i+1), UploadBps: p.UploadBps, DownloadBps: p.DownloadBps, Delay: p.Delay})
	}
	net, err := topology.BuildStar(k, hosts)
	if err != nil {
		return result{}, err
	}
	stack := topology.NewStack(net, sim.NewStreams(seed))
	stack.TCP.ControlBytes = 0 // the fluid model of the bounds, as the kind runs it
	var bootErr error
	boot := func(id topology.NodeID, program func(topology.Host) error) {
		stack.Boot(id, func(h topology.Host) {
			if err := program(h); err != nil && bootErr == nil {
				bootErr = fmt.Errorf("%s: %w", h.Name(), err)
			}
		})
	}
	srv, _ := net.Node("server")
	boot(srv, Server(cfg))
	recs := make([]Record, len(st.Peers))
	for i, p := range st.Peers {
		id, _ := net.Node(hosts[i+1].Name)
		boot(id, Peer(cfg, PeerSpec{p.UploadBps, p.DownloadBps}, topology.Addr{Node: srv, Port: DefaultPort}, &recs[i]))
	}
	if bootErr != nil {
		return result{}, bootErr
	}
	if err := k.RunContext(ctx, nil); err != nil {
		return result{}, err
	}
	res := result{ServerBytesSent: stack.Stats(srv).BytesSent}
	for i, r := range recs {
		if !r.Done {
			return result{}, fmt.Errorf("peer %d never received the whole file (%d of %d bytes)", i+1, r.GotBytes, r.FileBytes)
		}
		res.Completion = append(res.Completion, r.DoneAt)
		res.DistributionTime = max(res.DistributionTime, r.DoneAt)
		id, _ := net.Node(hosts[i+1].Name)
		res.PeerBytesSent += stack.Stats(id).BytesSent
	}
	return res, nil
}
