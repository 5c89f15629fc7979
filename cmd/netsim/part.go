package main

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// part is the --shard or --run-index of `netsim run`: which runs of a campaign to run,
// so that a cluster scheduler can spread a campaign over machines (a Slurm job array, a
// Kubernetes indexed Job). The zero part is the whole campaign.
type part struct {
	shard, of int   // --shard shard/of: the runs whose index ≡ shard−1 mod of
	runs      []int // --run-index: these runs
}

func (p *part) whole() bool { return p.of == 0 && len(p.runs) == 0 }

// String is "shard 2/8", "run 5" or "runs 3,5", as the run's report says it.
func (p *part) String() string {
	switch {
	case p.of > 0:
		return fmt.Sprintf("shard %d/%d", p.shard, p.of)
	case len(p.runs) == 1:
		return "run " + strconv.Itoa(p.runs[0])
	}
	return "runs " + joinInts(p.runs, ",")
}

// dirName is what the part adds to its default folder's name, out/<scenario
// name>-shard-2-of-8, -run-5, -run-3_5 or, for more than a few runs, -runs-3-97-n40
// (first, last, count): "" for the whole campaign. A part's folder is beside the
// campaign's, not in it, so that a later whole run of the same scenario finds
// out/<name> as it left it.
func (p *part) dirName() string {
	switch {
	case p.of > 0:
		return fmt.Sprintf("shard-%d-of-%d", p.shard, p.of)
	case len(p.runs) > 4:
		return fmt.Sprintf("runs-%d-%d-n%d", p.runs[0], p.runs[len(p.runs)-1], len(p.runs))
	case len(p.runs) > 0:
		return "run-" + joinInts(p.runs, "_")
	}
	return ""
}

// check says whether the run indices fit a campaign of total runs, and sorts them; the
// error is a usage error.
func (p *part) check(total int) error {
	slices.Sort(p.runs)
	p.runs = slices.Compact(p.runs)
	for _, k := range p.runs {
		if k >= total {
			return usagef(nil, "--run-index %d: out of range: the campaign has %s, 0 to %d", k, plural(total, "run"), total-1)
		}
	}
	return nil
}

// shardFlag is the flag.Value of --shard i/n.
type shardFlag struct{ p *part }

func (f shardFlag) String() string {
	if f.p == nil || f.p.of == 0 {
		return ""
	}
	return fmt.Sprintf("%d/%d", f.p.shard, f.p.of)
}

func (f shardFlag) Set(text string) error {
	is, ns, ok := strings.Cut(text, "/")
	i, err1 := strconv.Atoi(is)
	n, err2 := strconv.Atoi(ns)
	switch {
	case !ok || err1 != nil || err2 != nil:
		return fmt.Errorf("want i/n, e.g. 2/8")
	case n < 1 || i < 1 || i > n:
		return fmt.Errorf("want i/n with 1 ≤ i ≤ n")
	}
	f.p.shard, f.p.of = i, n
	return nil
}

// runIndexFlag is the flag.Value of --run-index K, which may be repeated or list
// several indices separated by commas.
type runIndexFlag struct{ p *part }

func (f runIndexFlag) String() string {
	if f.p == nil {
		return ""
	}
	return joinInts(f.p.runs, ",")
}

func (f runIndexFlag) Set(text string) error {
	for field := range strings.SplitSeq(text, ",") {
		k, err := strconv.Atoi(strings.TrimSpace(field))
		if err != nil || k < 0 {
			return fmt.Errorf("want run indices 0, 1, ... (as in runs.csv's run column), separated by commas")
		}
		f.p.runs = append(f.p.runs, k)
	}
	return nil
}

func joinInts(xs []int, sep string) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = strconv.Itoa(x)
	}
	return strings.Join(parts, sep)
}
