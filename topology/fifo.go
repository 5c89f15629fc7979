package topology

// fifo is a first-in, first-out queue over one array that is reused: popping moves a
// head rather than reslicing (which would lose the array's capacity to the appends that
// follow), the live part is moved down once the head has passed half of it, and an
// emptied queue drops an array a burst grew past keptQueue entries, so that an idle
// socket or connection does not hold it. A socket's datagrams waiting to leave
// (udp.go) and a connection's segments in propagation (tcp.go) wait in one.
type fifo[T any] struct {
	items []T
	head  int
}

// keptQueue is the most entries an empty queue keeps room for: a burst (a peer's haves
// to its neighbours) may grow one far past what a connection needs at rest.
const keptQueue = 8

func (q *fifo[T]) len() int { return len(q.items) - q.head }

// last returns the newest entry; the queue must not be empty.
func (q *fifo[T]) last() *T { return &q.items[len(q.items)-1] }

func (q *fifo[T]) push(v T) {
	if q.head >= 32 && 2*q.head >= len(q.items) {
		n := copy(q.items, q.items[q.head:])
		clear(q.items[n:])
		q.items, q.head = q.items[:n], 0
	}
	q.items = append(q.items, v)
}

// pop removes and returns the oldest entry; the queue must not be empty.
func (q *fifo[T]) pop() T {
	v := q.items[q.head]
	var zero T
	q.items[q.head] = zero
	q.head++
	if q.head == len(q.items) {
		q.items, q.head = q.items[:0], 0
		if cap(q.items) > keptQueue {
			q.items = nil
		}
	}
	return v
}

// popLast removes the newest entry; the queue must not be empty.
func (q *fifo[T]) popLast() T {
	i := len(q.items) - 1
	v := q.items[i]
	var zero T
	q.items[i] = zero
	q.items = q.items[:i]
	if len(q.items) == q.head {
		q.items, q.head = q.items[:0], 0
	}
	return v
}

// reset empties the queue and lets its array go.
func (q *fifo[T]) reset() {
	clear(q.items)
	q.items, q.head = nil, 0
}
