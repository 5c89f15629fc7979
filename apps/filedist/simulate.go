package filedist

import (
	"context"
	"errors"
	"fmt"

	"netsim/sim"
	"netsim/topology"
)

// Mode is the architecture being simulated.
type Mode string

const (
	ClientServer Mode = "client-server"
	P2P          Mode = "p2p"
)

// PeerSpec is one peer's access link.
type PeerSpec struct {
	UploadBps   float64  // bit/s, > 0
	DownloadBps float64  // bit/s, > 0
	Delay       sim.Time // one-way delay to the core
}

// Config is one file distribution.
type Config struct {
	Mode              Mode
	FileBits          int64    // F; sent as whole bytes, F/8 rounded up
	ServerUploadBps   float64  // u_s
	ServerDownloadBps float64  // carries only the peers' requests
	ServerDelay       sim.Time // one-way delay from the server to the core
	Peers             []PeerSpec
	// ExpectedPeers is how many hellos the P2P server waits for before it plans;
	// Simulate sets it to len(Peers).
	ExpectedPeers int
	// Port is the server's and the peers' TCP port (BitTorrent's 6881 by default).
	Port int
	// TCP shapes every connection; the zero value is the fluid model of the bounds.
	TCP topology.TCPOptions
	// Attach, if set, is called with the stack once the network is built and before
	// anything runs: where a capture attaches its taps (package capture). An error
	// stops the simulation before it starts.
	Attach func(*topology.Stack) error
}

// DefaultPort is the TCP port of the server and the peers.
const DefaultPort = 6881

// Result is what a distribution measured.
type Result struct {
	// DistributionTime is when the last peer had the whole file (Kurose & Ross: "the
	// time it takes to get a copy of the file to all N peers"), from the start.
	DistributionTime sim.Time
	Completion       []sim.Time // when each peer had the whole file
	ServerBytesSent  int64      // every byte the server sent, headers included
	PeerBytesSent    int64      // every byte the peers sent, together
	Events           uint64     // kernel events the run took
}

// MeanCompletion is the mean of the per-peer completion times.
func (r Result) MeanCompletion() sim.Time {
	var sum float64
	for _, t := range r.Completion {
		sum += float64(t)
	}
	return sim.Time(sum/float64(len(r.Completion)) + 0.5)
}

// Check reports the first impossible value in cfg.
func (cfg Config) Check() error {
	switch {
	case cfg.Mode != ClientServer && cfg.Mode != P2P:
		return fmt.Errorf("mode %q: want %q or %q", cfg.Mode, ClientServer, P2P)
	case cfg.FileBits <= 0:
		return errors.New("file size must be positive")
	case !(cfg.ServerUploadBps > 0):
		return errors.New("server upload rate must be positive")
	case len(cfg.Peers) == 0:
		return errors.New("at least one peer is needed")
	}
	for i, p := range cfg.Peers {
		if !(p.UploadBps > 0) || !(p.DownloadBps > 0) {
			return fmt.Errorf("peer %d: upload and download rates must be positive", i+1)
		}
		if p.Delay < 0 {
			return fmt.Errorf("peer %d: negative delay", i+1)
		}
	}
	return nil
}

// Simulate runs one distribution on an access-link star (the textbook's model: only
// the hosts' access links constrain) and returns what it measured. seed names the
// run's random streams; the fluid model itself draws nothing. It stops early, with an
// error, if ctx is cancelled; progress, if not nil, is the kernel's progress hook.
func Simulate(ctx context.Context, cfg Config, seed uint64, progress func(sim.Progress)) (Result, error) {
	if err := cfg.Check(); err != nil {
		return Result{}, err
	}
	if cfg.Port == 0 {
		cfg.Port = DefaultPort
	}
	if cfg.ServerDownloadBps == 0 {
		cfg.ServerDownloadBps = cfg.ServerUploadBps
	}
	cfg.ExpectedPeers = len(cfg.Peers)
	k := sim.NewKernel()
	hosts := []topology.StarHost{{
		Name: "server", UploadBps: cfg.ServerUploadBps, DownloadBps: cfg.ServerDownloadBps, Delay: cfg.ServerDelay,
	}}
	for i, p := range cfg.Peers {
		hosts = append(hosts, topology.StarHost{
			Name: fmt.Sprintf("peer%d", i+1), UploadBps: p.UploadBps, DownloadBps: p.DownloadBps, Delay: p.Delay,
		})
	}
	net, err := topology.BuildStar(k, hosts)
	if err != nil {
		return Result{}, err
	}
	stack := topology.NewStack(net, sim.NewStreams(seed))
	// The fluid model the bounds are proven in (Kurose & Ross §2.5) has no control
	// packets: TCP's handshake and FIN cost propagation only. Charged as 40-byte
	// flows they would change the times by parts in 10^7 and make every one of a
	// large swarm's 10^6 handshakes re-solve a saturated uplink.
	stack.TCP.ControlBytes = 0
	if cfg.Attach != nil {
		if err := cfg.Attach(stack); err != nil {
			return Result{}, err
		}
	}
	srvHost, _ := stack.HostNamed("server")
	if err := startServer(srvHost, cfg); err != nil {
		return Result{}, err
	}
	peers := make([]*peer, len(cfg.Peers))
	for i, spec := range cfg.Peers {
		h, _ := stack.HostNamed(hosts[i+1].Name)
		if peers[i], err = startPeer(h, cfg, spec, topology.Addr{Node: srvHost.Node(), Port: cfg.Port}); err != nil {
			return Result{}, err
		}
	}
	if err := k.RunContext(ctx, progress); err != nil {
		return Result{}, err
	}
	res := Result{Events: k.Events(), ServerBytesSent: stack.Stats(srvHost.Node()).BytesSent}
	for i, p := range peers {
		if p.doneAt < 0 {
			return Result{}, fmt.Errorf("peer %d never received the whole file (%d of %d bytes)", i+1, p.gotBytes, p.fileBytes)
		}
		res.Completion = append(res.Completion, p.doneAt)
		res.DistributionTime = max(res.DistributionTime, p.doneAt)
		res.PeerBytesSent += stack.Stats(p.h.Node()).BytesSent
	}
	return res, nil
}
