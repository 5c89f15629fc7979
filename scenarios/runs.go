package scenarios

// A campaign numbers its runs replication by replication: run i is replication
// i / points of point i mod points. Raising replications in a file therefore adds runs
// after the old ones and renumbers none of them, so every old run keeps its index, its
// seed (RunSeed depends on the index only) and its shard (--shard i/n goes by index),
// and a re-run into the same folder runs only the new replications (OMNeT++ users ask
// for exactly this: omnetpp#97). Numbering point by point would renumber every run
// but those of point 0.

// RunIndex is the index of replication rep of point: rep × points + point.
func (s *Scenario) RunIndex(point, rep int) int { return rep*s.NumPoints() + point }

// RunPoint is the point and the replication of run i, the inverse of RunIndex.
func (s *Scenario) RunPoint(i int) (point, rep int) {
	n := s.NumPoints()
	return i % n, i / n
}
