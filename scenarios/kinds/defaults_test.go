package kinds

import (
	"testing"

	"github.com/stretchr/testify/require"

	"netsim/apps/http"
	"netsim/scenarios"
	"netsim/sim"
	"netsim/topology"
)

// The apps' Configs document the texts' defaults; the kinds' default tags must say
// the same, so a file that sets nothing runs the app's own experiment.
func TestDefaultsAreTheApps(t *testing.T) {
	k, _ := scenarios.LookupKind("webcache")
	wp := k.NewParams().(*webcacheParams)
	inst, def := wp.platform(nil).Institution, topology.DefaultInstitution()
	require.Equal(t, []float64{def.LANBps, def.AccessBps}, []float64{inst.LANRate.Bps(), inst.AccessRate.Bps()})
	require.Equal(t, []sim.Time{def.LANDelay, def.AccessDelay, def.InternetDelay}, []sim.Time{inst.LANDelay.Time(), inst.AccessDelay.Time(), inst.InternetDelay.Time()})
	k, _ = scenarios.LookupKind("http")
	require.Equal(t, http.DefaultIdleTimeout, k.NewParams().(*httpParams).IdleTimeout.Time())
}
