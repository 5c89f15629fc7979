package filedist

import (
	"errors"

	"netsim/sim"
	"netsim/topology"
)

// Mode is the architecture being simulated.
type Mode string

const (
	ClientServer Mode = "client-server"
	P2P          Mode = "p2p"
)

// Config is one file distribution, as the server and every peer are set up for it.
// The programs are started on hosts with Server and Peer; the platform they run on is
// the caller's (the textbook's model is an access-link star, topology.BuildStar), as
// is checking its values (the filedist kind's parameter table does).
type Config struct {
	Mode     Mode
	FileBits int64 // F; sent as whole bytes, F/8 rounded up
	// ServerUploadBps is u_s, the server's upload rate: in P2P mode the server plans the
	// scheme with it and the rates the peers announce.
	ServerUploadBps float64
	// ExpectedPeers is how many hellos the P2P server waits for before it plans: the
	// peers there from the start. With none, every peer gets the whole file from the
	// server, as a late one does.
	ExpectedPeers int
	// Port is the server's and the peers' TCP port (0: DefaultPort).
	Port int
	// TCP shapes every connection; the zero value is the fluid model of the bounds.
	TCP topology.TCPOptions
}

// DefaultPort is the TCP port of the server and the peers (BitTorrent's 6881).
const DefaultPort = 6881

// PeerSpec is the rates a peer announces to the server in P2P mode (its access link's,
// as a user configures a BitTorrent client's limits).
type PeerSpec struct {
	UploadBps   float64 // bit/s, > 0
	DownloadBps float64 // bit/s, > 0
}

// Record is what a peer measured, kept across its host's crashes as the run's metric
// (a rebooted peer has lost the file's bytes, not the experimenter's notes).
type Record struct {
	// Done is set when the peer first had the whole file, at DoneAt.
	Done   bool
	DoneAt sim.Time
	// GotBytes and FileBytes are the last incarnation's progress.
	GotBytes, FileBytes int64
}

func (s PeerSpec) check() error {
	if !(s.UploadBps > 0) || !(s.DownloadBps > 0) {
		return errors.New("upload and download rates must be positive")
	}
	return nil
}

func (cfg Config) withDefaults() Config {
	if cfg.Port == 0 {
		cfg.Port = DefaultPort
	}
	return cfg
}
