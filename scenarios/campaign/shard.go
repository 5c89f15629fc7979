package campaign

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// A campaign too big for one machine is split into parts that a cluster scheduler runs
// (a Slurm job array, a Kubernetes indexed Job), each into its own folder; Merge joins
// the folders. A run's seed depends only on (master seed, run index), so a run gives the
// same numbers in whichever part it runs.

// Subset is the part of a campaign one output folder holds: shard Shard of Of (the runs
// whose index ≡ Shard−1 mod Of), or the listed run indices. The zero Subset is not valid;
// a whole campaign has no Subset at all (a nil *Subset).
type Subset struct {
	Shard int   `json:"shard,omitempty"` // 1 ≤ Shard ≤ Of
	Of    int   `json:"of,omitempty"`
	Runs  []int `json:"runs,omitempty"` // sorted, without duplicates
}

// RunIndices returns the Subset of the listed runs, sorted and without duplicates.
func RunIndices(runs []int) *Subset {
	rs := slices.Clone(runs)
	slices.Sort(rs)
	return &Subset{Runs: slices.Compact(rs)}
}

// String is "shard 2/8", "run 5" or "runs 3,5".
func (u *Subset) String() string {
	if u.Of > 0 {
		return fmt.Sprintf("shard %d/%d", u.Shard, u.Of)
	}
	if len(u.Runs) == 1 {
		return "run " + strconv.Itoa(u.Runs[0])
	}
	return "runs " + joinInts(u.Runs, ",")
}

// check says whether the part fits a campaign of total runs.
func (u *Subset) check(total int) error {
	for _, k := range u.Runs {
		if k >= total {
			return fmt.Errorf("run index %d is out of range: the campaign has %d runs, 0 to %d", k, total, total-1)
		}
	}
	return nil
}

// Indices returns the run indices of the part in a campaign of total runs, in order;
// for a nil Subset, every run.
func (u *Subset) Indices(total int) []int {
	if u == nil {
		out := make([]int, total)
		for i := range out {
			out[i] = i
		}
		return out
	}
	if u.Of == 0 {
		return u.Runs
	}
	var out []int
	for i := u.Shard - 1; i < total; i += u.Of {
		out = append(out, i)
	}
	return out
}

func (u *Subset) equal(v *Subset) bool {
	if u == nil || v == nil {
		return u == v
	}
	return u.Shard == v.Shard && u.Of == v.Of && slices.Equal(u.Runs, v.Runs)
}

// describe names the part a folder holds, for messages: "shard 2/8" or "the whole campaign".
func (u *Subset) describe() string {
	if u == nil {
		return "the whole campaign"
	}
	return u.String()
}

func joinInts(xs []int, sep string) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = strconv.Itoa(x)
	}
	return strings.Join(parts, sep)
}
