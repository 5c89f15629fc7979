package webcache

import (
	"fmt"

	"netsim/sim"
)

// Policy is how a full store chooses what to evict.
type Policy string

const (
	// LRU evicts the least recently used object.
	LRU Policy = "lru"
	// LFU evicts the object used least often since it entered the store, the least
	// recently used among equals ("in-cache LFU").
	LFU Policy = "lfu"
)

// Key names a cached object as a proxy does: the origin (the Host field) and the
// request target.
type Key struct {
	Host, Target string
}

// Entry is a stored response: what the cache needs to answer from its copy and to
// decide whether the copy is fresh (RFC 7234 §4.2).
type Entry struct {
	Key       Key
	BodyBytes int64 // Content-Length of the stored representation
	// Validator and freshness information from the response that stored or last
	// validated the copy.
	LastModified    sim.Time
	HasLastModified bool
	Date            sim.Time // the response's Date: when the origin generated it
	MaxAge          sim.Time
	HasMaxAge       bool
	ContentType     string
	Server          string
}

// node is an Entry in the store, with the bookkeeping of both policies.
type node struct {
	Entry
	prev, next int32  // LRU list, towards the most and least recently used
	heapAt     int32  // LFU heap position
	uses       uint64 // LFU: accesses since it entered
	tick       uint64 // LFU: when last used, to break ties by recency
}

const none = -1

// Store is a cache's storage: objects up to a capacity in bytes, evicted by LRU or
// LFU. Lookups are O(1); an LRU access is O(1) and an LFU access O(log n), n the
// number of objects stored. Nodes live in one slice with a free list, so a steady
// state allocates nothing but map growth.
type Store struct {
	policy    Policy
	capacity  int64
	used      int64
	nodes     []node
	free      []int32
	index     map[Key]int32
	head      int32 // most recently used (LRU)
	tail      int32 // least recently used (LRU)
	heap      []int32
	tick      uint64
	evictions int64
}

// NewStore returns an empty store of capacityBytes (≥ 0) evicting by policy. It panics
// on a bad policy or a negative capacity.
func NewStore(capacityBytes int64, policy Policy) *Store {
	if capacityBytes < 0 || (policy != LRU && policy != LFU) {
		panic(fmt.Sprintf("webcache: NewStore(%d, %q)", capacityBytes, policy))
	}
	return &Store{policy: policy, capacity: capacityBytes, index: map[Key]int32{}, head: none, tail: none}
}

// Len returns the number of objects stored.
func (s *Store) Len() int { return len(s.index) }

// UsedBytes returns the bytes stored.
func (s *Store) UsedBytes() int64 { return s.used }

// CapacityBytes returns the capacity.
func (s *Store) CapacityBytes() int64 { return s.capacity }

// Evictions returns how many objects were evicted to make room.
func (s *Store) Evictions() int64 { return s.evictions }

// Get returns a copy of the entry for k and records a use of it, or false. O(1) for
// LRU, O(log n) for LFU.
func (s *Store) Get(k Key) (Entry, bool) {
	i, ok := s.index[k]
	if !ok {
		return Entry{}, false
	}
	s.use(i)
	return s.nodes[i].Entry, true
}

// Peek returns a copy of the entry for k without recording a use.
func (s *Store) Peek(k Key) (Entry, bool) {
	i, ok := s.index[k]
	if !ok {
		return Entry{}, false
	}
	return s.nodes[i].Entry, true
}

// Contains reports whether k is stored.
func (s *Store) Contains(k Key) bool {
	_, ok := s.index[k]
	return ok
}

// Update replaces the validator and freshness information of a stored entry (after a
// 304, RFC 7234 §4.3.4) without recording a use; it reports whether k was stored.
func (s *Store) Update(e Entry) bool {
	i, ok := s.index[e.Key]
	if !ok {
		return false
	}
	n := &s.nodes[i]
	if e.BodyBytes != n.BodyBytes {
		panic("webcache: Store.Update may not change an entry's size")
	}
	n.Entry = e
	return true
}

// Resize changes the size of the entry for k without recording a use, evicting other
// objects by the policy until it fits (a response whose length the cache learns as it
// arrives); an entry larger than the whole capacity is dropped. It reports whether k
// is still stored.
func (s *Store) Resize(k Key, bytes int64) bool {
	i, ok := s.index[k]
	if !ok {
		return false
	}
	if bytes > s.capacity || bytes < 0 {
		s.remove(i)
		return false
	}
	s.used += bytes - s.nodes[i].BodyBytes
	s.nodes[i].BodyBytes = bytes
	for s.used > s.capacity {
		s.evictBut(i)
	}
	return true
}

// Put stores e, replacing any entry with the same key, and evicts objects by the
// policy until it fits. An object larger than the whole capacity is not stored (and an
// old copy of it is dropped); Put reports whether e was stored. A new entry counts as
// used once.
func (s *Store) Put(e Entry) bool {
	if i, ok := s.index[e.Key]; ok {
		s.remove(i)
	}
	if e.BodyBytes > s.capacity || e.BodyBytes < 0 {
		return false
	}
	for s.used+e.BodyBytes > s.capacity {
		s.evict()
	}
	var i int32
	if n := len(s.free); n > 0 {
		i = s.free[n-1]
		s.free = s.free[:n-1]
	} else {
		i = int32(len(s.nodes))
		s.nodes = append(s.nodes, node{})
	}
	s.nodes[i] = node{Entry: e, prev: none, next: none, heapAt: none}
	s.index[e.Key] = i
	s.used += e.BodyBytes
	switch s.policy {
	case LRU:
		s.pushFront(i)
	case LFU:
		s.tick++
		n := &s.nodes[i]
		n.uses, n.tick = 1, s.tick
		n.heapAt = int32(len(s.heap))
		s.heap = append(s.heap, i)
		s.up(int(n.heapAt))
	}
	return true
}

// Remove drops k if stored.
func (s *Store) Remove(k Key) {
	if i, ok := s.index[k]; ok {
		s.remove(i)
	}
}

func (s *Store) use(i int32) {
	switch s.policy {
	case LRU:
		if s.head != i {
			s.unlink(i)
			s.pushFront(i)
		}
	case LFU:
		s.tick++
		n := &s.nodes[i]
		n.uses++
		n.tick = s.tick
		s.down(int(n.heapAt)) // its key grew
	}
}

// evict removes the policy's victim.
func (s *Store) evict() { s.evictBut(none) }

// evictBut removes the policy's victim other than keep: the next one if keep is it.
func (s *Store) evictBut(keep int32) {
	var victim int32
	switch {
	case s.policy == LRU:
		victim = s.tail
		if victim == keep {
			victim = s.nodes[victim].prev
		}
	default:
		victim = s.heap[0]
		if victim == keep {
			victim = s.heap[1]
			if len(s.heap) > 2 && s.lfuLess(s.heap[2], victim) {
				victim = s.heap[2]
			}
		}
	}
	s.remove(victim)
	s.evictions++
}

func (s *Store) remove(i int32) {
	n := &s.nodes[i]
	delete(s.index, n.Key)
	s.used -= n.BodyBytes
	switch s.policy {
	case LRU:
		s.unlink(i)
	case LFU:
		at := int(n.heapAt)
		last := len(s.heap) - 1
		if at != last {
			s.heap[at] = s.heap[last]
			s.nodes[s.heap[at]].heapAt = int32(at)
		}
		s.heap = s.heap[:last]
		if at != last {
			s.down(at)
			s.up(at)
		}
	}
	s.nodes[i] = node{} // drop the strings for the GC
	s.free = append(s.free, i)
}

func (s *Store) pushFront(i int32) {
	n := &s.nodes[i]
	n.prev, n.next = none, s.head
	if s.head != none {
		s.nodes[s.head].prev = i
	}
	s.head = i
	if s.tail == none {
		s.tail = i
	}
}

func (s *Store) unlink(i int32) {
	n := &s.nodes[i]
	if n.prev != none {
		s.nodes[n.prev].next = n.next
	} else {
		s.head = n.next
	}
	if n.next != none {
		s.nodes[n.next].prev = n.prev
	} else {
		s.tail = n.prev
	}
	n.prev, n.next = none, none
}

// lfuLess orders the LFU heap: fewer uses first, then older last use.
func (s *Store) lfuLess(a, b int32) bool {
	x, y := &s.nodes[a], &s.nodes[b]
	return x.uses < y.uses || (x.uses == y.uses && x.tick < y.tick)
}

func (s *Store) swap(a, b int) {
	s.heap[a], s.heap[b] = s.heap[b], s.heap[a]
	s.nodes[s.heap[a]].heapAt = int32(a)
	s.nodes[s.heap[b]].heapAt = int32(b)
}

func (s *Store) up(j int) {
	for j > 0 {
		p := (j - 1) / 2
		if !s.lfuLess(s.heap[j], s.heap[p]) {
			return
		}
		s.swap(j, p)
		j = p
	}
}

func (s *Store) down(j int) {
	n := len(s.heap)
	for {
		c := 2*j + 1
		if c >= n {
			return
		}
		if c+1 < n && s.lfuLess(s.heap[c+1], s.heap[c]) {
			c++
		}
		if !s.lfuLess(s.heap[c], s.heap[j]) {
			return
		}
		s.swap(j, c)
		j = c
	}
}
