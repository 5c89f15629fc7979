package bittorrent

import (
	"encoding/binary"
	"math/rand/v2"
	"net/url"
	"strconv"
	"strings"

	"netsim/apps/http"
	"netsim/sim"
	"netsim/topology"
)

// The tracker (BEP 3, "trackers"; Kurose & Ross §2.6.1): peers announce themselves
// over HTTP, a GET of /announce whose query names the torrent and the peer, and get
// back a bencoded dictionary with a random subset of the other peers, as a compact
// list (BEP 23: 4 bytes of IPv4 address and 2 of port a peer).

// DefaultTrackerPort is the customary port of an HTTP tracker.
const DefaultTrackerPort = 6969

// Defaults of the tracker: mainline's re-announce interval of 30 minutes, and the
// texts' "say 50" peers an answer (Kurose & Ross §2.6.1).
const (
	DefaultInterval    = 30 * sim.Minute
	DefaultMinInterval = 1 * sim.Minute
	DefaultNumWant     = 50
)

// TrackerConfig is a tracker's settings.
type TrackerConfig struct {
	Port int // 0: DefaultTrackerPort
	// Interval is the re-announce interval the tracker asks for, MinInterval the
	// shortest it allows (0: the defaults). A peer not heard from for two intervals is
	// dropped from the list.
	Interval, MinInterval sim.Time
	// MaxNumWant caps a peer's numwant (0: DefaultNumWant).
	MaxNumWant int
}

// TrackerStats are a tracker's counts, kept across its crashes by the caller.
type TrackerStats struct {
	Announces     int64
	Started       int64
	Completed     int64
	Stopped       int64
	ResponseBytes int64 // bencoded bodies sent
}

// trackedPeer is one peer in the tracker's list.
type trackedPeer struct {
	id   string
	addr topology.Addr
	left int64
	seen sim.Time
}

type tracker struct {
	h     topology.Host
	cfg   TrackerConfig
	stats *TrackerStats
	peers []*trackedPeer
	byID  map[string]int // index in peers
	seeds int
	rng   *rand.Rand
}

// Tracker returns the tracker's program; its counts go to stats.
func Tracker(cfg TrackerConfig, stats *TrackerStats) func(topology.Host) error {
	if cfg.Port == 0 {
		cfg.Port = DefaultTrackerPort
	}
	if cfg.Interval == 0 {
		cfg.Interval = DefaultInterval
	}
	if cfg.MinInterval == 0 {
		cfg.MinInterval = min(DefaultMinInterval, cfg.Interval)
	}
	if cfg.MaxNumWant == 0 {
		cfg.MaxNumWant = DefaultNumWant
	}
	return func(h topology.Host) error {
		t := &tracker{h: h, cfg: cfg, stats: stats, byID: map[string]int{}, rng: h.Rand()}
		_, err := http.NewServer(h, http.ServerConfig{Port: cfg.Port, IdleTimeout: -1, Name: trackerName, Handler: t.serve})
		if err != nil {
			return err
		}
		h.Every(cfg.Interval, t.expire)
		return nil
	}
}

// trackerName is the tracker's Server header.
const trackerName = "netsim-tracker"

// serve answers a request: an announce, or 404 for any other path.
func (t *tracker) serve(req *http.Request, w *http.Reply) {
	resp := &http.Response{Version: http.Version11, Status: http.StatusNotFound}
	if path, query, _ := strings.Cut(req.Target, "?"); path == "/announce" {
		resp = t.announce(query, w.Client())
	}
	resp.Date, resp.Server = t.h.Now(), trackerName
	w.Send(resp)
}

// announce answers one announce, from the peer at from.
func (t *tracker) announce(query string, from topology.Addr) *http.Response {
	t.stats.Announces++
	q, err := url.ParseQuery(query)
	port, perr := strconv.Atoi(q.Get("port"))
	left, lerr := strconv.ParseInt(q.Get("left"), 10, 64)
	id := q.Get("peer_id")
	if err != nil || perr != nil || lerr != nil || len(id) != 20 || len(q.Get("info_hash")) != 20 {
		return t.answer(map[string]any{"failure reason": "bad announce"})
	}
	now := t.h.Now()
	i, known := t.byID[id]
	switch q.Get("event") {
	case "stopped":
		t.stats.Stopped++
		if known {
			t.remove(i)
		}
		return t.answer(map[string]any{"interval": int64(t.cfg.Interval / sim.Second)})
	case "started":
		t.stats.Started++
	case "completed":
		t.stats.Completed++
	}
	self := &trackedPeer{id: id, addr: topology.Addr{Node: from.Node, Port: port}, left: left, seen: now}
	if known {
		p := t.peers[i]
		t.seeds -= b2i(p.left == 0)
		p.addr, p.left, p.seen = self.addr, left, now
		self = p
	} else {
		t.byID[id] = len(t.peers)
		t.peers = append(t.peers, self)
	}
	t.seeds += b2i(left == 0)
	want := t.cfg.MaxNumWant
	if n, err := strconv.Atoi(q.Get("numwant")); err == nil && n >= 0 {
		want = min(n, want)
	}
	return t.answer(map[string]any{
		"interval":     int64(t.cfg.Interval / sim.Second),
		"min interval": int64(t.cfg.MinInterval / sim.Second),
		"complete":     int64(t.seeds),
		"incomplete":   int64(len(t.peers) - t.seeds),
		"peers":        t.compact(self, want),
	})
}

// compact returns up to want other peers, a uniform random subset (Kurose & Ross
// §2.6.1: "the tracker randomly selects a subset of peers"), as BEP 23's compact list.
// A seed is not sent other seeds, which it has nothing to trade with.
func (t *tracker) compact(self *trackedPeer, want int) []byte {
	var picked []int
	others := len(t.peers) - 1
	if others <= want {
		for i := range t.peers {
			picked = append(picked, i)
		}
	} else {
		// Floyd's sampling of want distinct indices of [0, len(t.peers)); self, if
		// drawn, is dropped below, so the list may be one short.
		n := len(t.peers)
		for j := n - want; j < n; j++ {
			r := t.rng.IntN(j + 1)
			dup := false
			for _, x := range picked {
				if x == r {
					dup = true
					break
				}
			}
			if dup {
				r = j
			}
			picked = append(picked, r)
		}
	}
	out := make([]byte, 0, 6*len(picked))
	for _, i := range picked {
		p := t.peers[i]
		if p == self || (self.left == 0 && p.left == 0) {
			continue
		}
		ip := nodeIP(p.addr.Node)
		out = append(out, ip[:]...)
		out = binary.BigEndian.AppendUint16(out, uint16(p.addr.Port))
	}
	return out
}

func (t *tracker) answer(dict map[string]any) *http.Response {
	body := Bencode(dict)
	t.stats.ResponseBytes += int64(len(body))
	return &http.Response{Version: http.Version11, Status: http.StatusOK, ContentType: "text/plain",
		ContentLength: int64(len(body)), BodyBytes: int64(len(body)), Body: string(body)}
}

func (t *tracker) remove(i int) {
	p := t.peers[i]
	t.seeds -= b2i(p.left == 0)
	delete(t.byID, p.id)
	last := len(t.peers) - 1
	if i != last {
		t.peers[i] = t.peers[last]
		t.byID[t.peers[i].id] = i
	}
	t.peers[last] = nil
	t.peers = t.peers[:last]
}

// expire drops the peers not heard from for two intervals: they crashed, or left
// without a word.
func (t *tracker) expire() {
	cut := t.h.Now() - 2*t.cfg.Interval
	for i := 0; i < len(t.peers); {
		if t.peers[i].seen < cut {
			t.remove(i)
			continue
		}
		i++
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Hosts have IPv4 addresses in 10.0.0.0/8, node n at 10.0.0.0 + n + 1: what a compact
// peer list carries.
func nodeIP(n topology.NodeID) [4]byte {
	var ip [4]byte
	binary.BigEndian.PutUint32(ip[:], 0x0A000001+uint32(n))
	return ip
}

func ipNode(ip []byte) topology.NodeID {
	return topology.NodeID(binary.BigEndian.Uint32(ip) - 0x0A000001)
}
