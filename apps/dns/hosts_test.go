package dns

import (
	"testing"

	"github.com/stretchr/testify/require"

	"netsim/topology"
)

// HostNamespace's hierarchy for a Web server and two mail domains: one root letter,
// one server per TLD, one per domain, and every host's A record in its domain's zone;
// Roles sorts the servers as a platform places them.
func TestHostNamespace(t *testing.T) {
	nodes := map[string]topology.NodeID{"www.someschool.edu": 1, "hamburger.edu": 2, "crepes.fr": 3}
	ns, err := HostNamespace([]string{"www.someschool.edu", "hamburger.edu", "crepes.fr"}, func(h string) topology.NodeID { return nodes[h] }, 60)
	require.NoError(t, err)
	root, tld, auth := ns.Roles()
	require.Equal(t, []string{"a.root-servers.net."}, root)
	require.Equal(t, []string{"a.nic.edu.", "a.nic.fr."}, tld)
	require.Equal(t, []string{"ns.someschool.edu.", "ns.hamburger.edu.", "ns.crepes.fr."}, auth)
	require.Equal(t, []RR{{Name: "www.someschool.edu.", Type: TypeA, TTL: 60, Addr: AddrOfNode(1)}}, ns.Zones[2].Records)
	require.Equal(t, "crepes.fr.", ns.Zones[5].Origin)
	require.Equal(t, []RR{{Name: "crepes.fr.", Type: TypeA, TTL: 60, Addr: AddrOfNode(3)}}, ns.Zones[5].Records)
	for _, bad := range []string{"server", "a..edu", ".edu"} {
		_, err := HostNamespace([]string{bad}, func(string) topology.NodeID { return 0 }, 60)
		require.Error(t, err, bad)
	}
}
