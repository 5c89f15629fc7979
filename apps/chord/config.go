package chord

import (
	"fmt"

	"netsim/sim"
)

// Mode is which of the two protocols a node speaks.
type Mode string

const (
	// Ring is the texts' circular DHT (Kurose & Ross §2.6.2): each peer knows its
	// successor and predecessor, optionally a set of shortcuts, and tracks two
	// successors that it pings; queries travel clockwise, node to node, to the peer
	// responsible for the key, which answers the querier; a peer joins by asking a
	// peer it knows who its predecessor and successor will be.
	Ring Mode = "ring"
	// Chord is the protocol of Stoica et al. (SIGCOMM'01, IEEE/ACM ToN'03): finger
	// tables, a successor list of r entries, stabilize, notify, fix_fingers and
	// check_predecessor.
	Chord Mode = "chord"
)

// Style is how a Chord lookup travels.
type Style string

const (
	// Iterative: the querier asks each node in turn for the next one (SIGCOMM'01
	// Fig. 4's n'.find_successor as RPCs from the querier), and detects a dead one by
	// the RPC's timeout, then routes around it (ToN'03 §IV-E).
	Iterative Style = "iterative"
	// Recursive: each node forwards the query to the next, and the key's successor
	// answers the querier; a query lost on a dead node is retried by the querier
	// after its lookup timeout. The texts' ring is always recursive.
	Recursive Style = "recursive"
)

// Period is a timer's period, drawn uniformly in [Min, Max] at every round (ToN'03
// §V: stabilization "at intervals uniformly distributed in [15, 45] seconds"); Min =
// Max is a fixed period, and 0 turns the task off.
type Period struct{ Min, Max sim.Time }

func (p Period) on() bool { return p.Max > 0 }

// Config is what every node of a ring shares: the protocol and its parameters, the
// workload and where measurements go. Nodes keep a pointer to it, never a copy, so a
// million nodes pay for it once.
type Config struct {
	Space Space
	Mode  Mode
	Style Style // Chord mode only; the ring is recursive
	// Port is the port a node listens on (its first; virtual node j uses Port+j).
	Port int
	// Transport is UDP (the default, also for "") or TCP.
	Transport Transport
	// Successors is r, the successor list's length: 2 in the texts' ring ("each peer
	// tracks its first and second successors"), 2·log2 N in ToN'03's experiments.
	Successors int
	// Fingers turns Chord's finger table on (finger[i] = successor(n + 2^(i−1)),
	// SIGCOMM'01 Table 1); the ring uses Spec.Shortcuts instead.
	Fingers bool
	// Stabilize is the period of stabilize (Chord) or of the pings of the two
	// successors (the ring); FixFingers of fix_fingers, CheckPred of
	// check_predecessor. Zero: no maintenance traffic at all.
	Stabilize, FixFingers, CheckPred Period
	// EveryFinger makes a fix_fingers round refresh one entry of the m, the next in
	// turn, as ToN'03 Fig. 6 has it (next = next + 1; finger[next] =
	// find_successor(n + 2^(next−1))): with m = 160 and N = 1000 about 150 rounds
	// go to the low entries, which all point at the successor, so a distinct finger
	// is refreshed every m rounds. Off: a round refreshes the next distinct finger
	// (every start up to the answer shares it), the whole table in about log2 N
	// rounds.
	EveryFinger bool
	// CopyFingers has a joining node ask its new successor for its finger table and
	// take it as its own until fix_fingers refreshes it (SIGCOMM'01 §4.4: "as an
	// optimization, n can ask its immediate neighbor for a copy of its complete
	// finger table"): a nearby node's fingers are good hints for n's.
	CopyFingers bool
	// RPCTimeout is how long a request waits for its reply before it is sent again,
	// Retries times, and then the peer is taken for dead (ToN'03 §V: 500 ms).
	RPCTimeout sim.Time
	Retries    int
	// LookupTimeout is how long a recursive lookup waits for its answer before it is
	// tried again (once), then failed.
	LookupTimeout sim.Time
	// LookupRate is the lookups each node starts per second, as a Poisson process
	// (ToN'03 §V: one per second); keys are drawn uniformly from Keys, or from the
	// whole space if Keys is empty. 0: none.
	LookupRate float64
	Keys       []ID
	// ValueBytes is the size of the values put by Node.Put's callers' workload.
	ValueBytes int

	// Stats counts the ring's messages by type; nil: not counted.
	Stats *Stats
	// OnLookup is told of every lookup the workload or Node.Lookup completes.
	OnLookup func(n *Node, r Result)
}

// Check reports the first impossible setting.
func (c *Config) Check() error {
	switch {
	case c.Space.Bits < 1:
		return fmt.Errorf("chord: no identifier space")
	case c.Mode != Ring && c.Mode != Chord:
		return fmt.Errorf("chord: mode %q, want ring or chord", c.Mode)
	case c.Mode == Chord && c.Style != Iterative && c.Style != Recursive:
		return fmt.Errorf("chord: lookup style %q, want iterative or recursive", c.Style)
	case c.Successors < 1 || c.Successors > 255:
		return fmt.Errorf("chord: %d successors, want 1..255", c.Successors)
	case c.RPCTimeout <= 0:
		return fmt.Errorf("chord: RPC timeout must be positive")
	case c.Retries < 0:
		return fmt.Errorf("chord: negative retries")
	case c.Port < 1 || c.Port > 65535:
		return fmt.Errorf("chord: port %d", c.Port)
	}
	if err := c.Transport.check(); err != nil {
		return err
	}
	for _, p := range []Period{c.Stabilize, c.FixFingers, c.CheckPred} {
		if p.Min < 0 || p.Max < p.Min {
			return fmt.Errorf("chord: period [%v, %v]", p.Min, p.Max)
		}
	}
	return nil
}

// Stats are a ring's message counts by type, all nodes together: the sent messages
// and their bytes, and how many requests timed out.
type Stats struct {
	Messages [numMsgTypes]int64
	Bytes    [numMsgTypes]int64
	Timeouts int64
	// MaintLookupMessages and MaintLookupBytes are the messages of lookup types
	// (find-next, next, get, value; lookup, found) that belong to the ring's own
	// lookups, fix_fingers' and joins': every one sent, requests, resends, forwards
	// and replies, late ones too (Msg.maint). They are maintenance; Messages and
	// Bytes count them as well, by type.
	MaintLookupMessages, MaintLookupBytes int64
}

// MaintenanceBytes is the bytes of maintenance: messages of maintenance types
// (MsgType.Maintenance) and the ring's own lookups.
func (s *Stats) MaintenanceBytes() int64 {
	n := s.MaintLookupBytes
	for t := MsgType(1); t < numMsgTypes; t++ {
		if t.Maintenance() {
			n += s.Bytes[t]
		}
	}
	return n
}

// MaintenanceMessages counts the messages MaintenanceBytes is of.
func (s *Stats) MaintenanceMessages() int64 {
	n := s.MaintLookupMessages
	for t := MsgType(1); t < numMsgTypes; t++ {
		if t.Maintenance() {
			n += s.Messages[t]
		}
	}
	return n
}

// Count returns the messages sent of type t.
func (s *Stats) Count(t MsgType) int64 { return s.Messages[t] }

// Result is one completed lookup, as its querier saw it.
type Result struct {
	Key ID
	// Owner is the node the lookup found responsible for Key (its successor), None if
	// it failed.
	Owner Peer
	// Hops is the number of nodes the query visited, the querier excluded, up to and
	// including the one that answered: for an iterative lookup the nodes asked for the
	// next hop (the last of them, the key's predecessor, names the owner), for a
	// recursive one the nodes it was forwarded to (the last, the owner, answers).
	Hops int
	// Path is the nodes visited up to and including the owner, the querier excluded:
	// Hops, plus one for an iterative lookup's contact with the owner it was named.
	Path     int
	Timeouts int // requests of this lookup that timed out
	Start    sim.Time
	Latency  sim.Time
	OK       bool // an owner was found
	// Value and Found are the key's value at the owner, which an iterative lookup
	// fetches as its last step.
	Value []byte
	Found bool
}
