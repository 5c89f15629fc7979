package topology

import "hash/maphash"

// nameIndex finds a node by its name. It is an open-addressing hash table of node IDs
// whose keys are the names the nodes already hold, so an entry costs 4 bytes a slot
// (2 to 4 slots a node) instead of a map entry's copy of the string header and its
// value (about 40 bytes): a million-host star spends 8 to 16 MB on it, not 40.
// Lookups compare names, so the table's seed, random per process, changes nothing
// but where entries sit.
type nameIndex struct {
	seed  maphash.Seed
	slots []int32 // 1 + NodeID, 0 for an empty slot; len is 0 or a power of 2
	used  int
}

// find returns the slot where name is, or the empty slot where it would go.
func (x *nameIndex) find(nodes []node, name string) int {
	mask := len(x.slots) - 1
	i := int(maphash.String(x.seed, name)) & mask
	for {
		s := x.slots[i]
		if s == 0 || nodes[s-1].name == name {
			return i
		}
		i = (i + 1) & mask // linear probing: at most half the slots are used
	}
}

// lookup returns the node called name.
func (x *nameIndex) lookup(nodes []node, name string) (NodeID, bool) {
	if x.used == 0 {
		return 0, false
	}
	s := x.slots[x.find(nodes, name)]
	return NodeID(s - 1), s != 0
}

// insert adds node id, whose name is not in the index; nodes[id] must hold it.
func (x *nameIndex) insert(nodes []node, id NodeID) {
	x.reserve(nodes, x.used+1)
	x.slots[x.find(nodes, nodes[id].name)] = int32(id) + 1
	x.used++
}

// reserve makes room for n names without a rehash (load at most 1/2).
func (x *nameIndex) reserve(nodes []node, n int) {
	if 2*n <= len(x.slots) {
		return
	}
	size := 16
	for size < 2*n {
		size *= 2
	}
	if x.slots == nil {
		x.seed = maphash.MakeSeed()
	}
	old := x.slots
	x.slots = make([]int32, size)
	for _, s := range old {
		if s != 0 {
			x.slots[x.find(nodes, nodes[s-1].name)] = s
		}
	}
}
