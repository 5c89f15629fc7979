package http

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// Reference: Kurose & Ross §2.2.2: a non-persistent connection carries one object, so
// a page of a base file and K objects takes K + 1 connections, serial or P at once; a
// persistent one carries them all. (TestPageLoadMatchesRTTFormulas checks the
// simulated counts against this for K = 1..20.)
func TestConnectionsPerPage(t *testing.T) {
	for _, c := range []struct {
		mode Mode
		k    int
		want int
	}{
		{NonPersistent, 0, 1}, {NonPersistent, 10, 11}, {Parallel, 10, 11}, {Parallel, 1, 2},
		{Persistent, 10, 1}, {Pipelined, 0, 1}, {Pipelined, 20, 1},
	} {
		require.Equal(t, c.want, ConnectionsPerPage(c.mode, c.k), "%s, K = %d", c.mode, c.k)
	}
	require.Panics(t, func() { ConnectionsPerPage("spdy", 3) })
}
