package kinds

import (
	"testing"

	"github.com/stretchr/testify/require"

	"netsim/apps/http"
	"netsim/apps/webcache"
	"netsim/scenarios"
)

// The apps' Configs document the texts' defaults; the kinds' default tags must say
// the same, so a file that sets nothing runs the app's own experiment.
func TestDefaultsAreTheApps(t *testing.T) {
	k, _ := scenarios.LookupKind("webcache")
	require.Equal(t, webcache.DefaultSimConfig(), k.NewParams().(*webcacheParams).config())
	k, _ = scenarios.LookupKind("http")
	require.Equal(t, http.DefaultIdleTimeout, k.NewParams().(*httpParams).IdleTimeout.Time())
}
