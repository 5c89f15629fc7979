package scenarios_test

import (
	"math"
	"reflect"
	"strings"
	"testing"

	. "netsim/scenarios"
	"netsim/scenarios/units"
	"netsim/sim"
)

func withTopology(t *testing.T, section string) *Scenario {
	t.Helper()
	s, err := Parse("testdata/topo.yaml", []byte("kind: toy\n"+section))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Each builder's section decodes into its typed struct, with the builder's defaults
// for what it leaves out and unconstrained rates where none is given; the hosts and
// links a schedule may name follow the builders' naming.
func TestTopologySections(t *testing.T) {
	s := withTopology(t, `topology:
  star:
    hosts:
      - {name: server, upload: 30Mbps, download: 30Mbps, delay: 10ms}
      - {name: peer, count: 3, upload: 1Mbps}
`)
	star := s.Topology.Star
	want := []StarHost{
		{Name: "server", Upload: 30e6, Download: 30e6, Delay: units.Duration(10 * sim.Millisecond)},
		{Name: "peer", Count: 3, Upload: 1e6, Download: Unconstrained},
	}
	if !reflect.DeepEqual(star.Hosts, want) {
		t.Errorf("star hosts %+v, want %+v", star.Hosts, want)
	}
	if got := strings.Join(s.Topology.Hosts(), " "); got != "server peer0 peer1 peer2" {
		t.Errorf("star hosts %s", got)
	}

	s = withTopology(t, "topology:\n  institution: {hosts: 2, access_rate: 20Mbps}\n")
	inst := *s.Topology.Institution
	if inst != (InstitutionTopology{Hosts: 2, Servers: 1, LANRate: 100e6, AccessRate: 20e6, InternetDelay: units.Duration(2 * sim.Second)}) {
		t.Errorf("institution %+v", inst)
	}
	if got := strings.Join(s.Topology.Links(), " "); got != "access host0 host1 server0" {
		t.Errorf("institution links %s", got)
	}

	s = withTopology(t, "topology:\n  dumbbell: {left: 2, bottleneck_loss: 0.02}\n")
	db := *s.Topology.Dumbbell
	if db.Left != 2 || db.Right != 1 || db.BottleneckRate != 10e6 || db.BottleneckLoss != 0.02 || db.AccessRate != 1e9 {
		t.Errorf("dumbbell %+v", db)
	}
	if got := strings.Join(s.Topology.Links(), " "); got != "bottleneck left0 left1 right0" {
		t.Errorf("dumbbell links %s", got)
	}

	for _, section := range []string{
		"topology:\n  file: campus.yaml\n",
		"topology:\n  nodes: [a, b, r]\n  links:\n    - {from: a, to: r, capacity: 100Mbps, delay: 1ms, duplex: true}\n    - {name: wan, from: r, to: b, capacity: 10Mbps, delay: 20ms, loss: 0.01, duplex: true}\n",
	} {
		s = withTopology(t, section)
		ex := s.Topology.Explicit
		if strings.Join(ex.Nodes, " ") != "a b r" || len(ex.Links) != 2 || ex.Links[0].Name != "a-r" || ex.Links[1].Name != "wan" ||
			ex.Links[1].Loss != 0.01 || !ex.Links[1].Duplex || ex.Links[0].Capacity != 100e6 {
			t.Errorf("%s: %+v", section, ex)
		}
		// The resolved scenario holds the graph itself, never the name of a file.
		out, _ := s.Resolved()
		if !strings.Contains(string(out), "nodes: [a, b, r]") || strings.Contains(string(out), "campus.yaml") {
			t.Errorf("resolved:\n%s", out)
		}
		back, err := Parse("elsewhere/resolved.yaml", out)
		if err != nil || !reflect.DeepEqual(back.Topology, s.Topology) {
			t.Errorf("the resolved topology does not read back: %v", err)
		}
	}
	s = withTopology(t, "topology:\n  nodes: [a, b]\n  links:\n    - {from: a, to: b, duplex: true}\n")
	if c := s.Topology.Explicit.Links[0].Capacity; !math.IsInf(c.Bps(), 1) {
		t.Errorf("a link without capacity: %v, want unconstrained", c)
	}
}

// The given events of a schedule come out in time order, with their parameters; a
// churn pool is a star group.
func TestScheduleSection(t *testing.T) {
	s := withTopology(t, `topology:
  star:
    hosts:
      - {name: server}
      - {name: peer, count: 4}
schedule:
  horizon: 1h
  events:
    - {at: 30s, recover: server}
    - {at: 10s, crash: server}
    - {at: 40s, leave: server, grace: 2s}
    - {at: 50s, loss: peer3, p: 0.5}
  churn:
    - hosts: [peer0, peer1, peer2]
      rate: 2/min
      lifetime: {weibull: {mean: 10min, shape: 0.5}}
      departure: leave
      grace: 1s
      initial: 1
`)
	var got []string
	for _, e := range s.Schedule.Events {
		got = append(got, units.Duration(e.At).String()+" "+string(e.Action)+" "+e.Target)
	}
	if strings.Join(got, ", ") != "10s crash server, 30s recover server, 40s leave server, 50s loss peer3" ||
		s.Schedule.Events[2].Grace != 2*sim.Second || s.Schedule.Events[3].Loss != 0.5 {
		t.Errorf("events %s", strings.Join(got, ", "))
	}
	c := s.Schedule.Churn[0]
	if strings.Join(c.Hosts, " ") != "peer0 peer1 peer2" || c.Rate.PerSecond() != 2.0/60 || c.Departure != Leave || c.Grace != sim.Second ||
		c.Initial != 1 || c.Lifetime.String() != "{weibull: {mean: 10min, shape: 0.5}}" || s.Schedule.Horizon != sim.Hour {
		t.Errorf("churn %+v", c)
	}
	// Expand is a pure function of the run's streams.
	a, b := s.Schedule.Expand(sim.NewStreams(9)), s.Schedule.Expand(sim.NewStreams(9))
	if !reflect.DeepEqual(a, b) || len(a) <= 4 || a[0].Action != Join || a[0].Target != "peer0" || a[0].At != 0 {
		t.Errorf("expand: %d events, first %+v", len(a), a[0])
	}
}
