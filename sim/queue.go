package sim

import "math/bits"

// queue is the kernel's event set: a multi-level radix heap keyed on time alone. The
// radix heap is Ahuja, Mehlhorn, Orlin and Tarjan's ("Faster algorithms for the
// shortest path problem", JACM 37(2), 1990); splitting times into digits, one level
// of buckets per digit, is the multi-level bucket structure of Denardo and Fox
// ("Shortest-route methods: 1. Reaching, pruning, and buckets", Operations Research
// 27(1), 1979; analysed by Cherkassky, Goldberg and Silverstein, "Buckets, heaps,
// lists, and monotone priority queues", SIAM J. Computing 28(4), 1999).
//
// It relies on the queue being monotone: nothing is ever put before last, the time of
// the last entry taken out. Times are split into digits of digitBits bits. An entry
// whose time differs from last lives in bucket (d, v): d is the highest digit where
// the two differ and v is the entry's own digit there (always above last's). Buckets
// in order of (d, v) hold ever larger times, so the lowest non-empty one holds the
// minimum. Taking it out empties bucket (d, v): its minimum becomes the new last and
// its entries move to levels below d, while every other bucket stays valid as it is,
// because the new last agrees with the old one on digit d and above. An entry moves
// at most once per level, 8 levels for 63-bit times; on the hold model with a 1 ms
// mean delay it moves 1.3 times on average at P = 10^3 pending events and 2.6 times
// at P = 10^6, where the one-bucket-per-bit radix heap this replaced moved it 5.7
// and 10.5 times.
//
// Bucket (0, 0) is never used by that rule (a time above last has a non-zero digit
// where it first differs), so it serves as bucket 0: the entries whose time equals
// last, taken from the front. Ties need no sequence number: an entry is appended
// behind every entry already in its bucket; entries of equal time always share a
// bucket; and a bucket is split only into buckets that are empty at that moment (all
// lower buckets are), in the order its entries were appended. So equal times come
// out in the order they were put in, and an entry is 16 bytes, not 24.
//
// Buckets are lists of fixed-size chunks drawn from one free list, so memory follows
// the number of queued entries, not the peak size of every bucket: beyond the
// entries, each bucket holds at most one part-filled chunk (at most nbuckets chunks,
// 2 MiB, in all) and the free list at most an eighth of the chunks in use.
type queue struct {
	last   Time
	b      [nbuckets]bucket
	full   [nbuckets / 64]uint64 // bit i set when b[i] holds entries
	sum    uint64                // bit w set when full[w] is not 0
	n      int                   // queued entries, live or dead
	spare  *chunk                // free list of chunks
	nspare int
	nheld  int // chunks held by buckets

	// slots are the kernel's, read by split to warm the caches; see there. warm
	// sums what split and Kernel.warmNext read, so that the compiler keeps the reads.
	slots  *paged[slot]
	xslots *paged[xslot]
	warm   uint32
}

const (
	// digitBits is measured: on BenchmarkHold 8-bit digits (2048 buckets) were the
	// fastest of 4, 6, 7, 8 and 9 at every P from 10^3 to 10^6, 1.1 to 1.5 times
	// faster than 4-bit ones, whose entries move 2 to 2.7 times as often.
	digitBits = 8
	digitMask = 1<<digitBits - 1
	// Times are never negative, so a difference from last has at most 63 bits.
	levels   = (63 + digitBits - 1) / digitBits
	nbuckets = levels << digitBits

	// A chunk is a next pointer and chunkLen entries: 1016 bytes, and with the 8-byte
	// header Go puts before every object above 512 bytes that holds a pointer, 1 KiB,
	// a size class whose 8 KiB spans hold 8 chunks without waste. The pointer comes
	// first, so the garbage collector scans 8 bytes of each chunk, not 1 KiB.
	chunkLen = (1024 - 8 - 8) / 16

	// minSpare chunks are kept on the free list whatever the queue's size, so a small
	// queue that breathes does not allocate.
	minSpare = 64
)

// entry is one event in the queue: its time, a reference to its slot, and the slot's
// version when it was queued. It is live while ver equals its slot's ver.
type entry struct {
	at  Time
	ref uint32
	ver uint32
}

type chunk struct {
	next *chunk
	e    [chunkLen]entry
}

// bucket is a FIFO of entries: head.e[first:] … tail.e[:end]. An empty bucket keeps
// its last chunk (head == tail, first == end == 0), so a bucket that fills and empties
// once per event, as bucket 0 does, never touches the free list. A bucket without a
// chunk has end == chunkLen, so the first put fetches one.
type bucket struct {
	head, tail *chunk
	first, end int32
	min        uint64 // smallest time queued; empty when the bucket is
}

// empty is a bucket's min when it holds nothing: above every time, even Never, so the
// first put always lowers min, and marks the bucket full then and only then.
const empty = ^uint64(0)

func (q *queue) init() {
	for i := range q.b {
		q.b[i] = bucket{first: chunkLen, end: chunkLen, min: empty}
	}
}

// index returns the bucket of time at, which must not be before last.
func (q *queue) index(at Time) int {
	x := uint64(at ^ q.last)
	if x == 0 {
		return 0
	}
	level := uint(bits.Len64(x)-1) / digitBits
	return int(level<<digitBits | uint(at)>>(level*digitBits)&digitMask)
}

// put queues e behind every entry already queued at its time. O(1).
func (q *queue) put(e entry) {
	q.n++
	i := q.index(e.at)
	b := &q.b[i]
	if b.end == chunkLen {
		q.grow(b)
	}
	b.tail.e[b.end] = e
	b.end++
	if uint64(e.at) < b.min {
		if b.min == empty {
			q.mark(i)
		}
		b.min = uint64(e.at)
	}
}

// grow gives b an empty chunk at its tail.
func (q *queue) grow(b *bucket) {
	c := q.spare
	if c != nil {
		q.spare = c.next
		q.nspare--
		c.next = nil
	} else {
		c = new(chunk)
	}
	q.nheld++
	if b.tail == nil {
		b.head, b.first = c, 0
	} else {
		b.tail.next = c
	}
	b.tail, b.end = c, 0
}

// release returns a chunk a bucket no longer holds to the free list, which is kept
// to at most minSpare chunks or an eighth of those in use, whichever is more; beyond
// that, chunks go back to the garbage collector.
func (q *queue) release(c *chunk) {
	q.nheld--
	limit := max(minSpare, q.nheld/8)
	if q.nspare < limit {
		c.next = q.spare
		q.spare = c
		q.nspare++
		return
	}
	for q.nspare > limit {
		q.spare = q.spare.next
		q.nspare--
	}
}

// lowest returns the lowest non-empty bucket, or -1 when the queue is empty. O(1):
// two bit scans.
func (q *queue) lowest() int {
	if q.sum == 0 {
		return -1
	}
	w := bits.TrailingZeros64(q.sum)
	return w<<6 | bits.TrailingZeros64(q.full[w])
}

func (q *queue) mark(i int) {
	q.full[i>>6] |= 1 << (i & 63)
	q.sum |= 1 << (i >> 6)
}

func (q *queue) unmark(i int) {
	if q.full[i>>6] &^= 1 << (i & 63); q.full[i>>6] == 0 {
		q.sum &^= 1 << (i >> 6)
	}
}

// peek returns the next entry to be taken out, when it is known without a split: the
// first at the time of the last one, or a bucket's only entry.
func (q *queue) peek() (entry, bool) {
	if q.full[0]&1 != 0 {
		b := &q.b[0]
		return b.head.e[b.first], true
	}
	i := q.lowest()
	if i < 0 {
		return entry{}, false
	}
	if b := &q.b[i]; b.head == b.tail && b.end == 1 {
		return b.head.e[0], true
	}
	return entry{}, false
}

// pop takes the first entry out of bucket 0, which must not be empty.
func (q *queue) pop() entry {
	b := &q.b[0]
	e := b.head.e[b.first]
	b.first++
	q.n--
	if b.head == b.tail {
		if b.first == b.end {
			b.first, b.end, b.min = 0, 0, empty
			q.unmark(0)
		}
	} else if b.first == chunkLen {
		c := b.head
		b.head, b.first = c.next, 0
		q.release(c)
	}
	return e
}

// next takes out the first entry, if its time is at or before until.
func (q *queue) next(until Time) (entry, bool) {
	if q.full[0]&1 != 0 {
		return q.pop(), true
	}
	i := q.lowest()
	if i < 0 {
		return entry{}, false
	}
	b := &q.b[i]
	if b.min > uint64(until) {
		// Look before splitting, so a RunUntil that stops here leaves last at or
		// before now and events may again be scheduled anywhere from now on.
		return entry{}, false
	}
	if b.head == b.tail && b.end == 1 {
		// A bucket of one (37% of takes on the hold model at P = 10^6, 71 to 88%
		// at smaller P): its entry is the minimum, and it need not pass through
		// bucket 0. (Buckets above 0 are never read from the front, so their
		// first is 0.)
		e := b.head.e[0]
		b.end, b.min = 0, empty
		q.unmark(i)
		q.last = e.at
		q.n--
		return e, true
	}
	q.split(i)
	return q.pop(), true
}

// split empties bucket i > 0, the lowest non-empty one: its minimum becomes last and
// its entries move, in order, to lower buckets (bucket 0 among them).
//
// The slot of every entry that lands in level 0, and so runs within the next 256 ns
// of virtual time, is read here, while the loop goes on: the reads miss the caches
// in parallel, not one per event when each runs. At P = 10^6 the slots are 24 MB and
// every event's slot is a miss; reading them early made BenchmarkHold 1.45 times
// faster there (CPU time 276 ns an event down to 190), and changed nothing
// measurable at P <= 10^5.
func (q *queue) split(i int) {
	src := q.b[i]
	warm := uint32(0)
	last := Time(src.min)
	q.last = last
	q.unmark(i)
	for c := src.head; ; {
		hi := int32(chunkLen)
		if c == src.tail {
			hi = src.end
		}
		// put, by hand: the compiler does not inline it.
		for _, e := range c.e[:hi] {
			j := 0
			if x := uint64(e.at ^ last); x != 0 {
				level := uint(bits.Len64(x)-1) / digitBits
				j = int(level<<digitBits | uint(e.at)>>(level*digitBits)&digitMask)
			}
			if j < 1<<digitBits {
				if e.ref&extRef == 0 {
					warm += q.slots.at(e.ref).ver
				} else {
					warm += q.xslots.at(e.ref &^ extRef).ver
				}
			}
			b := &q.b[j]
			if b.end == chunkLen {
				q.grow(b)
			}
			b.tail.e[b.end] = e
			b.end++
			if uint64(e.at) < b.min {
				if b.min == empty {
					q.mark(j)
				}
				b.min = uint64(e.at)
			}
		}
		if c == src.tail {
			break
		}
		next := c.next
		q.release(c)
		c = next
	}
	q.b[i] = bucket{head: src.tail, tail: src.tail, min: empty}
	q.warm += warm // so the compiler keeps the reads
}

// filter drops the entries for which live reports false, keeping the order of the
// rest. O(queued entries).
func (q *queue) filter(live func(entry) bool) {
	for w := range q.full {
		for m := q.full[w]; m != 0; m &= m - 1 {
			i := w<<6 | bits.TrailingZeros64(m)
			q.filterBucket(i, live)
		}
	}
}

func (q *queue) filterBucket(i int, live func(entry) bool) {
	b := &q.b[i]
	// Compact in place along the chunk chain: the write position never passes the
	// read position.
	w, wi, m := b.head, int32(0), empty
	for c := b.head; ; c = c.next {
		lo, hi := int32(0), int32(chunkLen)
		if c == b.head {
			lo = b.first
		}
		if c == b.tail {
			hi = b.end
		}
		for _, e := range c.e[lo:hi] {
			if !live(e) {
				q.n--
				continue
			}
			if wi == chunkLen {
				w, wi = w.next, 0
			}
			w.e[wi] = e
			wi++
			m = min(m, uint64(e.at))
		}
		if c == b.tail {
			break
		}
	}
	for c := w.next; c != nil; {
		next := c.next
		q.release(c)
		c = next
	}
	w.next = nil
	b.first, b.tail, b.end, b.min = 0, w, wi, m
	if w == b.head && wi == 0 {
		q.unmark(i)
	}
}
