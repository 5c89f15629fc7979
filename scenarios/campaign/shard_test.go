package campaign

import (
	"fmt"
	_ "netsim/scenarios/internal/testkinds"
	"testing"
)

// Shard i of n holds the runs whose index is i−1 mod n; the shards of a campaign hold
// every run once.
func TestSubsetIndices(t *testing.T) {
	tests := []struct {
		u     *Subset
		total int
		want  string
	}{
		{nil, 4, "[0 1 2 3]"},
		{&Subset{Shard: 1, Of: 3}, 10, "[0 3 6 9]"},
		{&Subset{Shard: 2, Of: 3}, 10, "[1 4 7]"},
		{&Subset{Shard: 3, Of: 3}, 10, "[2 5 8]"},
		{&Subset{Shard: 1, Of: 1}, 3, "[0 1 2]"},
		{&Subset{Shard: 5, Of: 8}, 4, "[]"},
		{RunIndices([]int{7, 2}), 10, "[2 7]"},
	}
	for _, tt := range tests {
		if got := fmt.Sprint(tt.u.Indices(tt.total)); got != tt.want {
			t.Errorf("%s of %d runs: %s, want %s", tt.u.describe(), tt.total, got, tt.want)
		}
	}
	if err := RunIndices([]int{3, 18}).check(18); err == nil || err.Error() != "run index 18 is out of range: the campaign has 18 runs, 0 to 17" {
		t.Errorf("check: %v", err)
	}
	for u, want := range map[*Subset]string{{Shard: 2, Of: 8}: "shard 2/8", RunIndices([]int{4}): "run 4", RunIndices([]int{5, 3, 5}): "runs 3,5"} {
		if u.String() != want {
			t.Errorf("%s, want %s", u, want)
		}
	}
}
