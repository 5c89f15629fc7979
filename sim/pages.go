package sim

// paged is a growable array in fixed pages of pageLen elements, so growing it never
// copies and never leaves more than one part-used page: memory follows the peak
// number of elements without append's up-to-25% slack, and element pointers stay
// valid across growth.
type paged[T any] struct {
	p []*[pageLen]T
	n uint32
}

const (
	pageBits = 12
	pageLen  = 1 << pageBits
)

// at returns element i, which must be below len.
func (a *paged[T]) at(i uint32) *T { return &a.p[i>>pageBits][i&(pageLen-1)] }

func (a *paged[T]) len() uint32 { return a.n }

// add appends a zero element and returns its index.
func (a *paged[T]) add() uint32 {
	if a.n&(pageLen-1) == 0 {
		a.p = append(a.p, new([pageLen]T))
	}
	a.n++
	return a.n - 1
}
