package kinds

import (
	"math"
	"slices"

	"netsim/apps/bittorrent"
	"netsim/scenarios"
	"netsim/sim"
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
	scenarios.Series("replication_min", "", "copies of the rarest piece among the peers in the swarm (from each peer's record of the pieces it announced)", func(r *bittorrentRun) scenarios.TimeSeries { return r.replication()[0] }),
	scenarios.Series("replication_mean", "", "mean copies of a piece among the peers in the swarm", func(r *bittorrentRun) scenarios.TimeSeries { return r.replication()[1] }),
	scenarios.Series("replication_max", "", "copies of the most replicated piece among the peers in the swarm", func(r *bittorrentRun) scenarios.TimeSeries { return r.replication()[2] }),
	scenarios.Scalar("contributor_completion_s", "s", "mean download time of the leechers that upload, that finished", func(r *bittorrentRun) float64 { return r.completionOf(false) }).Optional().Named("Contributors' download time"),
}

// replication is the piece-replication spread over time: at each step of a grid of
// at most 2000 steps (1 s or coarser) to the end, the fewest, mean and most copies of
// a piece among the peers in the swarm. It is read after the run from each peer's own
// record of when it verified, and announced, each piece (Record.PieceAt), and of when
// it joined and quit; a crashed peer's time down is counted as in the swarm.
func (r *bittorrentRun) replication() [3]scenarios.TimeSeries {
	var out [3]scenarios.TimeSeries
	if r.pieces == 0 || r.end <= 0 {
		return out
	}
	pieces := r.pieces
	step := max(sim.Second, (r.end+1999)/2000)
	steps := int(r.end/step) + 1
	diff := make([]int32, pieces*(steps+1))
	slot := func(t sim.Time) int { return min(int((t+step-1)/step), steps) } // the first grid step at or after t
	add := func(piece int, from, to sim.Time) {
		if a, b := slot(from), slot(to); a < b {
			diff[piece*(steps+1)+a]++
			diff[piece*(steps+1)+b]--
		}
	}
	for _, group := range [][]bittorrent.Record{r.seeds, r.leechers} {
		for i := range group {
			l := &group[i]
			if l.Starts == 0 {
				continue
			}
			quit := r.end + 1
			if !l.Active {
				quit = l.QuitAt
			}
			for k := range pieces {
				switch {
				case l.PieceAt != nil && l.HasPiece(k):
					add(k, max(l.JoinedAt, l.PieceAt[k]), quit)
				case l.PieceAt == nil && l.HasPiece(k): // an initial seed
					add(k, l.JoinedAt, quit)
				}
			}
		}
	}
	copies := make([]int32, pieces)
	for s := range steps {
		lo, hi, sum := int32(math.MaxInt32), int32(0), 0.0
		for k := range copies {
			copies[k] += diff[k*(steps+1)+s]
			lo, hi, sum = min(lo, copies[k]), max(hi, copies[k]), sum+float64(copies[k])
		}
		t := (sim.Time(s) * step).Seconds()
		for j, v := range [3]float64{float64(lo), sum / float64(pieces), float64(hi)} {
			ts := &out[j]
			if n := len(ts.Value); n == 0 || ts.Value[n-1] != v || s == steps-1 {
				ts.Time, ts.Value = append(ts.Time, t), append(ts.Value, v)
			}
		}
	}
	return out
}
