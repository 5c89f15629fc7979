package bittorrent

import (
	"errors"
	"fmt"

	"netsim/sim"
	"netsim/topology"
)

// Selection is how a peer picks the next piece to download.
type Selection string

const (
	// RarestFirst picks, among the pieces a neighbour has and this peer lacks, one of
	// those with the fewest copies among its neighbours (Kurose & Ross §2.6.1), after
	// RandomFirst random pieces.
	RarestFirst Selection = "rarest-first"
	Random      Selection = "random"     // uniformly among the neighbour's pieces
	Sequential  Selection = "sequential" // the lowest-numbered one
)

// Choking is how a leecher chooses whom to upload to.
type Choking string

const (
	// TitForTat unchokes, every ChokeInterval, the UnchokeSlots interested neighbours
	// that gave this peer the highest download rate (Kurose & Ross §2.6.1), plus one
	// optimistic unchoke rotated every OptimisticInterval.
	TitForTat Choking = "tit-for-tat"
	// RoundRobin turns tit-for-tat off: the slots go round the interested neighbours
	// in turn, whatever they give back.
	RoundRobin Choking = "round-robin"
	// BlockTFT is tit-for-tat with Bharambe, Herley & Padmanabhan's block-level rule
	// (INFOCOM 2006, §V-B): a leecher uploads to a neighbour only while what it has
	// sent it exceeds what it received from it by less than BlockTFTDelta blocks.
	BlockTFT Choking = "block"
)

// SeedChoking is how a seed, which downloads nothing, chooses whom to upload to.
type SeedChoking string

const (
	// ByUploadRate unchokes the neighbours that download from it fastest (mainline
	// before 4.0).
	ByUploadRate SeedChoking = "upload-rate"
	// ByRecency keeps the most recently unchoked neighbours and gives a slot to a
	// random other one in two rounds of three (mainline 4.0 on; Legout et al., "Rarest
	// first and choke algorithms are enough", IMC 2006, §II-C.2).
	ByRecency SeedChoking = "recency"
)

// Config is a BitTorrent client's settings, the same for every peer of a swarm: the
// torrent, where its tracker is, and the protocol's knobs, whose defaults are
// mainline's and the texts' (Kurose & Ross §2.6.1).
type Config struct {
	Torrent Torrent
	// Tracker is the tracker's HTTP address; TrackerHost the announce URL's host.
	Tracker     topology.Addr
	TrackerHost string
	Port        int // the peer's listening port (0: DefaultPeerPort)
	// NumWant is how many peers an announce asks for (0: 50, the texts' figure).
	NumWant int
	// MinPeers: a peer with fewer neighbours re-announces early, as soon as the
	// tracker's min interval allows (mainline's min_peers, 20; negative: never).
	MinPeers int
	// MaxConns caps the connections a peer keeps, dialled and accepted (0: 80,
	// mainline's max_allow_in).
	MaxConns int
	// Pipeline is the number of requests kept outstanding on a connection (0: 5).
	Pipeline int
	// RandomFirst is how many complete pieces a peer gets by random choice before
	// rarest first takes over (0: 4; negative: none).
	RandomFirst int
	Selection   Selection // "": RarestFirst
	// NoEndGame turns end-game mode off: the last blocks are requested once only.
	NoEndGame bool
	// UnchokeSlots are the regular upload slots (0: 4, the texts' figure); one more
	// is the optimistic unchoke.
	UnchokeSlots int
	// ChokeInterval (0: 10 s), OptimisticInterval (0: 30 s, a multiple of it),
	// RateWindow (0: 20 s) and SnubTimeout (0: 60 s) time the choker.
	ChokeInterval, OptimisticInterval, RateWindow, SnubTimeout sim.Time
	Choking                                                    Choking     // "": TitForTat
	SeedChoking                                                SeedChoking // "": ByUploadRate
	BlockTFTDelta                                              int         // blocks, with BlockTFT (0: 2)
	// KeepAlive is the idle time after which a keep-alive is sent (0: 2 min, BEP 3);
	// IdleTimeout closes a connection that received nothing for that long (0: 5
	// min, mainline's timeout).
	KeepAlive, IdleTimeout sim.Time
	// SuppressHaves does not send a have to a neighbour that has the piece
	// (libtorrent's send_redundant_have off); by default every neighbour gets one, as
	// BEP 3 has it.
	SuppressHaves bool
	TCP           topology.TCPOptions
}

// DefaultPeerPort is the first of BitTorrent's customary ports.
const DefaultPeerPort = 6881

// Check reports the first impossible value.
func (c *Config) Check() error {
	if err := c.Torrent.Check(); err != nil {
		return err
	}
	d := c.withDefaults()
	switch {
	case d.Selection != RarestFirst && d.Selection != Random && d.Selection != Sequential:
		return fmt.Errorf("selection %q: want %s, %s or %s", d.Selection, RarestFirst, Random, Sequential)
	case d.Choking != TitForTat && d.Choking != RoundRobin && d.Choking != BlockTFT:
		return fmt.Errorf("choking %q: want %s, %s or %s", d.Choking, TitForTat, RoundRobin, BlockTFT)
	case d.SeedChoking != ByUploadRate && d.SeedChoking != ByRecency:
		return fmt.Errorf("seed choking %q: want %s or %s", d.SeedChoking, ByUploadRate, ByRecency)
	case d.Pipeline < 1 || d.UnchokeSlots < 1 || d.NumWant < 1 || d.MaxConns < 1 || d.BlockTFTDelta < 1:
		return errors.New("pipeline, unchoke slots, numwant, max connections and the block-TFT Δ must be positive")
	case d.ChokeInterval <= 0 || d.RateWindow <= 0 || d.SnubTimeout <= 0 || d.KeepAlive <= 0 || d.IdleTimeout <= 0:
		return errors.New("the choker's and the connections' times must be positive")
	case d.OptimisticInterval < d.ChokeInterval || d.OptimisticInterval%d.ChokeInterval != 0:
		return fmt.Errorf("the optimistic interval (%v) must be a multiple of the choke interval (%v)", d.OptimisticInterval, d.ChokeInterval)
	}
	return nil
}

func (c *Config) withDefaults() Config {
	d := *c
	set := func(v *int, def int) {
		if *v == 0 {
			*v = def
		}
	}
	setT := func(v *sim.Time, def sim.Time) {
		if *v == 0 {
			*v = def
		}
	}
	set(&d.Port, DefaultPeerPort)
	set(&d.NumWant, DefaultNumWant)
	set(&d.MinPeers, 20)
	set(&d.MaxConns, 80)
	set(&d.Pipeline, 5)
	set(&d.RandomFirst, 4)
	set(&d.UnchokeSlots, 4)
	set(&d.BlockTFTDelta, 2)
	setT(&d.ChokeInterval, 10*sim.Second)
	setT(&d.OptimisticInterval, 30*sim.Second)
	setT(&d.RateWindow, 20*sim.Second)
	setT(&d.SnubTimeout, 60*sim.Second)
	setT(&d.KeepAlive, 2*sim.Minute)
	setT(&d.IdleTimeout, 5*sim.Minute)
	if d.Selection == "" {
		d.Selection = RarestFirst
	}
	if d.Choking == "" {
		d.Choking = TitForTat
	}
	if d.SeedChoking == "" {
		d.SeedChoking = ByUploadRate
	}
	if d.TrackerHost == "" {
		d.TrackerHost = "tracker"
	}
	return d
}

// PeerSpec is what differs between the peers of a swarm: the users' behaviour.
type PeerSpec struct {
	// FreeRider never uploads: it chokes every neighbour, always.
	FreeRider bool
	// SeedTime is how long the peer stays once it has the whole file: < 0 for ever,
	// 0 not at all (it leaves at once).
	SeedTime sim.Time
	// AbortAfter > 0: a leecher that still lacks pieces this long after it first
	// joined gives up for good — it says stopped to the tracker, closes its
	// connections and does not come back, not even after a crash and recovery (Qiu &
	// Srikant's aborting downloaders, rate θ: the caller draws the time). 0: never.
	AbortAfter sim.Time
}

// Record is one peer's disk and the experimenter's notes on it: kept by the caller
// across the host's crashes, since a crashed machine's disk survives (Kurose & Ross
// §2.6.1: a peer may "leave the torrent at any time with only a subset of chunks, and
// later rejoin"). A record whose Pieces are all set before the first start is an
// initial seed.
type Record struct {
	Pieces []uint64 // the pieces on disk, verified (nil until the first start)
	// PieceAt is when each piece was verified, and announced with a have (nil until
	// the first one; an initial seed's, which it had from the start, stay nil).
	PieceAt []sim.Time
	Starts  int // the program's starts: 1, plus one per recovery or rejoin
	// JoinedAt is the first start; Done is set when the peer first had the whole
	// file, at DoneAt (at its first start for an initial seed, which is Seed).
	JoinedAt     sim.Time
	Done, Seed   bool
	DoneAt       sim.Time
	Active       bool     // the program is running: started and not quit
	QuitAt       sim.Time // when it last quit (seeded its time, left, or gave up)
	Aborted      bool     // it gave up before it had the whole file (PeerSpec.AbortAfter), at QuitAt
	UpBytes      int64    // block bytes uploaded: counted when a piece message is put in the socket, less those taken back (a cancel, a choke)
	UpAtDone     int64    // UpBytes at DoneAt: what it uploaded as a leecher
	DownBytes    int64    // block bytes received, duplicates included
	DupBytes     int64    // of them, blocks received again (end game, a late choke)
	WireSent     int64    // every message byte this peer sent: wire and tracker
	WireReceived int64    // every message byte it received
}

// HasPiece reports whether the peer's disk holds piece i.
func (r *Record) HasPiece(i int) bool { return r.Pieces != nil && bitset(r.Pieces).has(i) }

// PieceCount is the number of pieces on disk.
func (r *Record) PieceCount() int { return bitset(r.Pieces).count() }

// NewSeedRecord returns the record of an initial seed of t: every piece on disk.
func NewSeedRecord(t Torrent) Record {
	b := newBitset(t.Pieces())
	b.fill(t.Pieces())
	return Record{Pieces: b, Seed: true}
}
