package kinds

import (
	"math"
	"slices"

	"netsim/scenarios"
)

// The incentives' readings: what each bandwidth class of the contributing leechers
// gets back for what it gives, and how long free riders take (Bharambe, Herley &
// Padmanabhan, INFOCOM 2006, §V). Tit-for-tat ties a leecher's download to its upload,
// so every class's ratio tends to 1; without it (round-robin) the slow download more
// than they upload and the fast less; block-level tit-for-tat bounds each pair's
// imbalance to a few blocks. A free rider gets only optimistic unchokes and the
// seeds' slots (under block-level tit-for-tat, the seeds' alone).

// btClass is a third of the contributing leechers by upload rate: 0 the slowest
// third, 2 the fastest (ties of an even spread fall in file order).
func (r *bittorrentRun) classOf() []int {
	var idx []int
	for i := range r.leechers {
		if !r.free[i] {
			idx = append(idx, i)
		}
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		switch {
		case r.classes[a] < r.classes[b]:
			return -1
		case r.classes[a] > r.classes[b]:
			return 1
		}
		return 0
	})
	class := make([]int, len(r.leechers))
	for i := range class {
		class[i] = -1
	}
	for k, i := range idx {
		class[i] = k * 3 / len(idx)
	}
	return class
}

// classRatio is the block bytes a class downloaded over those it uploaded, to the end
// of the run (seeding included: what the swarm got back from it).
func (r *bittorrentRun) classRatio(c int) float64 {
	var down, up float64
	for i, k := range r.classOf() {
		if k == c {
			down += float64(r.leechers[i].DownBytes)
			up += float64(r.leechers[i].UpBytes)
		}
	}
	if up == 0 {
		return math.NaN()
	}
	return down / up
}

// completionOf is the mean download time of the finished leechers that are (free) or
// are not free riders.
func (r *bittorrentRun) completionOf(free bool) float64 {
	var ts []float64
	for i, l := range r.leechers {
		if l.Done && r.free[i] == free {
			ts = append(ts, (l.DoneAt - l.JoinedAt).Seconds())
		}
	}
	return meanOf(ts)
}

var incentiveReadings = []scenarios.Reading[bittorrentRun]{
	scenarios.Scalar("ratio_slow", "", "download/upload ratio (block bytes) of the slowest third of the contributing leechers by upload rate", func(r *bittorrentRun) float64 { return r.classRatio(0) }).Optional().Named("Download/upload, slowest third"),
	scenarios.Scalar("ratio_middle", "", "download/upload ratio of the middle third by upload rate", func(r *bittorrentRun) float64 { return r.classRatio(1) }).Optional().Named("Download/upload, middle third"),
	scenarios.Scalar("ratio_fast", "", "download/upload ratio of the fastest third by upload rate", func(r *bittorrentRun) float64 { return r.classRatio(2) }).Optional().Named("Download/upload, fastest third"),
	scenarios.Scalar("free_rider_completion_s", "s", "mean download time of the free riders that finished", func(r *bittorrentRun) float64 { return r.completionOf(true) }).Optional().Named("Free riders' download time"),
	scenarios.Scalar("contributor_completion_s", "s", "mean download time of the leechers that upload, that finished", func(r *bittorrentRun) float64 { return r.completionOf(false) }).Optional().Named("Contributors' download time"),
}
