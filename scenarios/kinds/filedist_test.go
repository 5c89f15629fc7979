package kinds

import (
	"context"
	"netsim/scenarios"
	"netsim/scenarios/campaign"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// The built-in filedist campaign reproduces Kurose & Ross §2.5's figure: every
// simulated distribution time, client-server and P2P, for N = 1..35, is at or above its
// lower bound (D_cs or D_P2P, eq. 2.1 and 2.2) and within 0.1% of it.
func TestBuiltinFiledistMeetsItsBounds(t *testing.T) {
	s, err := scenarios.Load("filedist")
	require.NoError(t, err)
	res, err := campaign.Run(context.Background(), s, campaign.RunOptions{Workers: 2})
	require.NoError(t, err)
	require.Len(t, res.Runs, 70)
	for _, r := range res.Runs {
		got, bound := r.Values["distribution_time_s"], r.Values["bound_s"]
		require.GreaterOrEqual(t, got, bound, "run %d below its bound", r.Run)
		require.InEpsilon(t, bound, got, 1e-3, "run %d", r.Run)
	}
}

// Issue 2, acceptance 5: the same scenario and seed give byte-identical runs.csv and
// summary.csv whatever the number of workers.
func TestFiledistOutputIndependentOfWorkers(t *testing.T) {
	var outputs [][]byte
	for _, workers := range []int{1, 2} {
		s, err := scenarios.Load("filedist")
		require.NoError(t, err)
		require.NoError(t, s.Set("replications=2"))
		require.NoError(t, s.Set("download_spread=0.3"))
		dir := filepath.Join(t.TempDir(), "out")
		_, err = campaign.Run(context.Background(), s, campaign.RunOptions{OutDir: dir, Workers: workers})
		require.NoError(t, err)
		for _, name := range []string{"runs.csv", "summary.csv", "distribution-time.csv"} {
			b, err := os.ReadFile(filepath.Join(dir, name))
			require.NoError(t, err)
			outputs = append(outputs, b)
		}
	}
	require.Equal(t, string(outputs[0]), string(outputs[3]), "runs.csv")
	require.Equal(t, string(outputs[1]), string(outputs[4]), "summary.csv")
	require.Equal(t, string(outputs[2]), string(outputs[5]), "distribution-time.csv")
	require.Greater(t, len(outputs[0]), 1000)
}
