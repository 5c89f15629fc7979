package chord

import (
	"crypto/sha1"
	"encoding/binary"
	"fmt"
	"math/big"
	"math/bits"
)

// MaxBits is the widest identifier space: SHA-1's 160 bits, as Chord uses (SIGCOMM'01
// §4.2: "the identifier length m must be large enough to make the probability of two
// nodes or keys hashing to the same identifier negligible").
const MaxBits = 160

// ID is an identifier in [0, 2^m) for the ring's m (1 ≤ m ≤ 160): a node's or a key's
// place on the circle. Three little-endian 64-bit words, w[0] the least significant,
// so that the arithmetic mod 2^m costs a few instructions at any m. An ID is a value
// (24 bytes), comparable and usable as a map key.
type ID struct{ w [3]uint64 }

// Space is an identifier space of Bits bits: the ring of the texts' n (4 in their
// 16-id examples) or Chord's m (160 with SHA-1).
type Space struct {
	Bits int
	mask ID
}

// NewSpace returns the space of m-bit identifiers; m outside [1, 160] is a bug.
func NewSpace(m int) Space {
	if m < 1 || m > MaxBits {
		panic(fmt.Sprintf("chord: identifier width %d bits, want 1..%d", m, MaxBits))
	}
	s := Space{Bits: m}
	for i := range s.mask.w {
		lo := i * 64
		switch {
		case m >= lo+64:
			s.mask.w[i] = ^uint64(0)
		case m > lo:
			s.mask.w[i] = 1<<(m-lo) - 1
		}
	}
	return s
}

// Bytes is the size of an identifier on the wire: ⌈m/8⌉ bytes, big-endian.
func (s Space) Bytes() int { return (s.Bits + 7) / 8 }

// FromUint returns x mod 2^m.
func (s Space) FromUint(x uint64) ID { return s.norm(ID{w: [3]uint64{x}}) }

func (s Space) norm(a ID) ID {
	for i := range a.w {
		a.w[i] &= s.mask.w[i]
	}
	return a
}

// Hash maps a name (a host's, or a key's) to the space: the first m bits of its SHA-1
// digest, as Chord's consistent hashing does (SIGCOMM'01 §4.2, with m = 160 the whole
// digest).
func (s Space) Hash(name string) ID {
	d := sha1.Sum([]byte(name))
	// The digest as a 160-bit big-endian number, shifted right to keep its top m bits.
	var x ID
	x.w[2] = uint64(binary.BigEndian.Uint32(d[0:4]))
	x.w[1] = binary.BigEndian.Uint64(d[4:12])
	x.w[0] = binary.BigEndian.Uint64(d[12:20])
	return s.norm(shr(x, MaxBits-s.Bits))
}

func shr(a ID, k int) ID {
	for k >= 64 {
		a.w[0], a.w[1], a.w[2] = a.w[1], a.w[2], 0
		k -= 64
	}
	if k > 0 {
		a.w[0] = a.w[0]>>k | a.w[1]<<(64-k)
		a.w[1] = a.w[1]>>k | a.w[2]<<(64-k)
		a.w[2] >>= k
	}
	return a
}

// Add returns a + b mod 2^m.
func (s Space) Add(a, b ID) ID {
	var c uint64
	a.w[0], c = bits.Add64(a.w[0], b.w[0], 0)
	a.w[1], c = bits.Add64(a.w[1], b.w[1], c)
	a.w[2], _ = bits.Add64(a.w[2], b.w[2], c)
	return s.norm(a)
}

// Sub returns a − b mod 2^m: the clockwise distance from b to a.
func (s Space) Sub(a, b ID) ID {
	var c uint64
	a.w[0], c = bits.Sub64(a.w[0], b.w[0], 0)
	a.w[1], c = bits.Sub64(a.w[1], b.w[1], c)
	a.w[2], _ = bits.Sub64(a.w[2], b.w[2], c)
	return s.norm(a)
}

// Pow2 returns 2^k mod 2^m (0 ≤ k < m): the offset of finger k+1, n + 2^k (SIGCOMM'01
// Table 1 numbers fingers from 1: finger[i].start = n + 2^(i−1)).
func (s Space) Pow2(k int) ID {
	var x ID
	x.w[k/64] = 1 << (k % 64)
	return s.norm(x)
}

// Cmp compares a and b as integers: −1, 0 or +1.
func Cmp(a, b ID) int {
	for i := 2; i >= 0; i-- {
		switch {
		case a.w[i] < b.w[i]:
			return -1
		case a.w[i] > b.w[i]:
			return 1
		}
	}
	return 0
}

// Less reports a < b as integers.
func Less(a, b ID) bool { return Cmp(a, b) < 0 }

// Between reports whether x is in the ring interval (a, b]: going clockwise from a
// (excluded) to b (included). With a = b the interval is the whole ring, the
// convention that makes a lone node the successor of every key.
func (s Space) Between(x, a, b ID) bool {
	if a == b {
		return true
	}
	dx, db := s.Sub(x, a), s.Sub(b, a)
	return !dx.IsZero() && Cmp(dx, db) <= 0
}

// Open reports whether x is in the open ring interval (a, b); with a = b, every x but a.
func (s Space) Open(x, a, b ID) bool {
	if a == b {
		return x != a
	}
	dx, db := s.Sub(x, a), s.Sub(b, a)
	return !dx.IsZero() && Cmp(dx, db) < 0
}

// IsZero reports whether a is 0.
func (a ID) IsZero() bool { return a.w == [3]uint64{} }

// Uint64 returns the low 64 bits of a: the whole id when m ≤ 64.
func (a ID) Uint64() uint64 { return a.w[0] }

// Log2 returns ⌊log2 a⌋, or −1 for 0.
func (a ID) Log2() int {
	for i := 2; i >= 0; i-- {
		if a.w[i] != 0 {
			return i*64 + 63 - bits.LeadingZeros64(a.w[i])
		}
	}
	return -1
}

// Big returns a as a big integer.
func (a ID) Big() *big.Int {
	x := new(big.Int).SetUint64(a.w[2])
	x.Lsh(x, 64).Or(x, new(big.Int).SetUint64(a.w[1]))
	x.Lsh(x, 64).Or(x, new(big.Int).SetUint64(a.w[0]))
	return x
}

// String prints a in decimal when it fits 64 bits (the texts' and the papers' small
// examples), else as 40 hex digits.
func (a ID) String() string {
	if a.w[1] == 0 && a.w[2] == 0 {
		return fmt.Sprint(a.w[0])
	}
	return fmt.Sprintf("%08x%016x%016x", a.w[2], a.w[1], a.w[0])
}

// put writes a in s's wire form, big-endian in ⌈m/8⌉ bytes.
func (s Space) put(b []byte, a ID) []byte {
	n := s.Bytes()
	b = append(b, make([]byte, n)...)
	out := b[len(b)-n:]
	for i := range n {
		word, shift := i/8, (i%8)*8
		out[n-1-i] = byte(a.w[word] >> shift)
	}
	return b
}

// get reads an id written by put.
func (s Space) get(b []byte) (ID, []byte, error) {
	n := s.Bytes()
	if len(b) < n {
		return ID{}, nil, errShort
	}
	var a ID
	for i := range n {
		word, shift := i/8, (i%8)*8
		a.w[word] |= uint64(b[n-1-i]) << shift
	}
	if s.norm(a) != a {
		return ID{}, nil, fmt.Errorf("chord: id %v is outside the %d-bit space", a, s.Bits)
	}
	return a, b[n:], nil
}
