package chord

import (
	"slices"
	"sort"
)

// Ideal returns the routing state every node of a stable ring has once stabilization
// has converged: each node's predecessor, its r successors and, with fingers, its
// finger table (finger[i] = successor(n + 2^(i−1)), SIGCOMM'01 Table 1). ring is every
// node, in any order; the states come back in ring's order. It is how the papers'
// static experiments start (SIGCOMM'01 §6.2–6.4: a network "with ideal fingers"),
// computed once from the whole membership instead of by N·log N lookups.
// O(N·log² N): log N distinct fingers a node, each found by a binary search.
func Ideal(s Space, ring []Peer, r int, fingers bool) []State {
	sorted := slices.Clone(ring)
	slices.SortFunc(sorted, func(a, b Peer) int { return Cmp(a.ID, b.ID) })
	rank := make(map[Peer]int, len(sorted))
	for i, p := range sorted {
		rank[p] = i
	}
	n := len(sorted)
	// successor returns the index of the first node at or after x, clockwise.
	successor := func(x ID) int {
		i := sort.Search(n, func(i int) bool { return Cmp(sorted[i].ID, x) >= 0 })
		return i % n
	}
	out := make([]State, len(ring))
	for k, p := range ring {
		i := rank[p]
		st := State{Pred: sorted[(i+n-1)%n]}
		if n == 1 {
			st.Pred = None
		}
		for j := 1; j <= min(r, max(n-1, 1)); j++ {
			st.Succs = append(st.Succs, sorted[(i+j)%n])
		}
		if fingers && n > 1 {
			for f := 0; f < s.Bits; {
				fi := successor(s.Add(p.ID, s.Pow2(f)))
				q := sorted[fi]
				if q == p {
					// The starts from here on wrap round to p itself: it is
					// their successor.
					st.Fingers = append(st.Fingers, FingerRun{Start: uint8(f), Peer: p})
					break
				}
				hi := min(s.Sub(q.ID, p.ID).Log2(), s.Bits-1)
				st.Fingers = append(st.Fingers, FingerRun{Start: uint8(f), Peer: q})
				f = max(hi+1, f+1)
			}
			st.Fingers = mergeRuns(st.Fingers)
		}
		out[k] = st
	}
	return out
}
