package webcache

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func key(i int) Key { return Key{"h", Target(int64(i))} }

func stored(s *Store, n int) []int {
	var out []int
	for i := range n {
		if s.Contains(key(i)) {
			out = append(out, i)
		}
	}
	return out
}

// LRU evicts the least recently used; capacity is in bytes, so a large object pushes
// out several small ones, and one larger than the cache is not stored.
func TestLRUEviction(t *testing.T) {
	s := NewStore(300, LRU)
	for i := range 3 {
		require.True(t, s.Put(Entry{Key: key(i), BodyBytes: 100}))
	}
	_, ok := s.Get(key(0)) // 0 is now the most recently used; 1 the least
	require.True(t, ok)
	s.Put(Entry{Key: key(3), BodyBytes: 100})
	require.Equal(t, []int{0, 2, 3}, stored(s, 5))
	s.Put(Entry{Key: key(4), BodyBytes: 200}) // least recently used first: 2, then 0
	require.Equal(t, []int{3, 4}, stored(s, 5))
	require.Equal(t, int64(300), s.UsedBytes())
	require.False(t, s.Put(Entry{Key: key(5), BodyBytes: 301}))
	require.Equal(t, int64(3), s.Evictions())
	// Replacing an entry keeps one copy and its new size.
	s.Put(Entry{Key: key(3), BodyBytes: 50})
	require.Equal(t, int64(250), s.UsedBytes())
	require.Equal(t, 2, s.Len())
}

// LFU evicts the least often used since entry, the least recently used among equals.
func TestLFUEviction(t *testing.T) {
	s := NewStore(3, LFU)
	for i := range 3 {
		s.Put(Entry{Key: key(i), BodyBytes: 1})
	}
	for range 3 {
		s.Get(key(0))
	}
	s.Get(key(2)) // uses: 0→4, 1→1, 2→2
	s.Put(Entry{Key: key(3), BodyBytes: 1})
	require.Equal(t, []int{0, 2, 3}, stored(s, 5))
	s.Put(Entry{Key: key(4), BodyBytes: 1}) // 3 has 1 use, older than 4's: 3 goes
	require.Equal(t, []int{0, 2, 4}, stored(s, 5))
	s.Remove(key(0))
	s.Put(Entry{Key: key(1), BodyBytes: 1})
	s.Put(Entry{Key: key(3), BodyBytes: 1}) // 4 (1 use, older) goes before 1
	require.Equal(t, []int{1, 2, 3}, stored(s, 5))
}

// A steady-state access and replacement allocate nothing.
func TestStoreAllocations(t *testing.T) {
	for _, p := range []Policy{LRU, LFU} {
		s := NewStore(1000, p)
		keys := make([]Key, 2000)
		for i := range keys {
			keys[i] = key(i)
		}
		for i := range 1000 {
			s.Put(Entry{Key: keys[i], BodyBytes: 1})
		}
		i := 0
		allocs := testing.AllocsPerRun(1000, func() {
			if _, ok := s.Get(keys[i%2000]); !ok {
				s.Put(Entry{Key: keys[i%2000], BodyBytes: 1})
			}
			i += 7
		})
		require.Zero(t, allocs, string(p))
	}
}

func BenchmarkStoreLRU(b *testing.B) { benchStore(b, LRU) }
func BenchmarkStoreLFU(b *testing.B) { benchStore(b, LFU) }

func benchStore(b *testing.B, p Policy) {
	const n = 100000
	keys := make([]Key, n)
	for i := range keys {
		keys[i] = key(i)
	}
	s := NewStore(n/10, p)
	b.ResetTimer()
	for i := range b.N {
		k := keys[(i*7919)%n]
		if _, ok := s.Get(k); !ok {
			s.Put(Entry{Key: k, BodyBytes: 1})
		}
	}
}
