package scenarios_test

import (
	"context"
	"reflect"
	"testing"

	. "netsim/scenarios"
	"netsim/sim"
	"netsim/topology"
)

func platformOf(t *testing.T, file string) *Platform {
	t.Helper()
	s, err := Parse("platform.yaml", []byte("kind: toy\n"+file))
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewPlatform(RunEnv{Seed: 1, Topology: s.Topology, Schedule: s.Schedule})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// The schedule drives the platform: each event at its time, through the stack's and
// the network's failure API; a host starts its program at boot and again when it
// comes back (a recovery after a crash, a join after a leave's grace, a first join),
// and the hosts-up series is the stack's own state after every change.
func TestPlatformFollowsSchedule(t *testing.T) {
	p := platformOf(t, `topology:
  nodes: [a, b, c, r]
  links:
    - {from: a, to: r, capacity: 10Mbps, delay: 1ms, duplex: true}
    - {from: b, to: r, capacity: 10Mbps, delay: 1ms, duplex: true}
    - {name: wan, from: c, to: r, capacity: 10Mbps, delay: 1ms, duplex: true}
schedule:
  horizon: 100s
  events:
    - {at: 10s, crash: a}
    - {at: 30s, recover: a}
    - {at: 40s, leave: b, grace: 5s}
    - {at: 60s, join: b}
    - {at: 50s, join: c}
    - {at: 20s, fail: wan}
    - {at: 25s, restore: wan}
    - {at: 25s, loss: wan, p: 0.25}
`)
	starts := map[string][]sim.Time{}
	for _, name := range []string{"a", "b", "c"} {
		p.Boot(name, func(h topology.Host) error {
			starts[h.Name()] = append(starts[h.Name()], h.Now())
			return nil
		})
	}
	wan := p.Links("wan")
	if len(wan) != 2 {
		t.Fatalf("wan is %v, want both directions", wan)
	}
	var linkUp []bool
	for _, at := range []sim.Time{19 * sim.Second, 21 * sim.Second, 26 * sim.Second} {
		p.Kernel.At(at, func() { linkUp = append(linkUp, p.Network.LinkUp(wan[0]), p.Network.LinkUp(wan[1])) })
	}
	if err := p.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	want := map[string][]sim.Time{"a": {0, 30 * sim.Second}, "b": {0, 60 * sim.Second}, "c": {50 * sim.Second}}
	if !reflect.DeepEqual(starts, want) {
		t.Errorf("program starts %v, want %v", starts, want)
	}
	if want := []bool{true, true, false, false, true, true}; !reflect.DeepEqual(linkUp, want) {
		t.Errorf("wan up at 19 s, 21 s, 26 s: %v, want %v", linkUp, want)
	}
	if p.Network.LinkLoss(wan[0]) != 0.25 || p.Network.LinkLoss(wan[1]) != 0.25 {
		t.Errorf("wan loss %v, %v, want 0.25 both ways", p.Network.LinkLoss(wan[0]), p.Network.LinkLoss(wan[1]))
	}
	// a: down 10-30 s; b: down from 45 s (40 s + 5 s of grace) to 60 s; c: down until 50 s.
	ts := p.UpSeries([]string{"a", "b", "c"}, p.End())
	wantTS := TimeSeries{Time: []float64{0, 10, 30, 45, 50, 60, 100}, Value: []float64{2, 1, 2, 1, 2, 3, 3}}
	if !reflect.DeepEqual(ts, wantTS) {
		t.Errorf("up series %+v, want %+v", ts, wantTS)
	}
	// (2·10 + 1·20 + 2·15 + 1·5 + 2·10 + 3·40) / 100
	if got := TimeAverage(ts); got != 2.15 {
		t.Errorf("mean hosts up %v, want 2.15", got)
	}
}

// A join during a leave's grace (a churn process may pick a leaving host for the next
// arrival) brings the host back when the grace ends, just after it went down: it does
// not stay down, and its program starts once more.
func TestPlatformJoinDuringGrace(t *testing.T) {
	p := platformOf(t, `topology:
  nodes: [a, r]
  links: [{from: a, to: r, capacity: 10Mbps, duplex: true}]
schedule:
  events:
    - {at: 40s, leave: a, grace: 5s}
    - {at: 42s, join: a}
`)
	var starts []sim.Time
	p.Boot("a", func(h topology.Host) error { starts = append(starts, h.Now()); return nil })
	if err := p.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if want := []sim.Time{0, 45 * sim.Second}; !reflect.DeepEqual(starts, want) {
		t.Errorf("starts %v, want %v", starts, want)
	}
	if !p.Stack.Up(p.Node("a")) {
		t.Error("a is down at the end")
	}
}

// A builder's links go by the schedule's names: a host's access link (both ways), the
// dumbbell's bottleneck and the institution's access link (both ways, between the
// routers); the dumbbell's bottleneck_loss is on both directions.
func TestPlatformBuilderLinkNames(t *testing.T) {
	ends := func(p *Platform, name string) []string {
		var out []string
		for _, l := range p.Links(name) {
			info := p.Network.Link(l)
			out = append(out, p.Network.NodeName(info.From)+">"+p.Network.NodeName(info.To))
		}
		return out
	}
	p := platformOf(t, "topology:\n  dumbbell: {left: 2, bottleneck_loss: 0.1}\n")
	for name, want := range map[string][]string{
		"bottleneck": {"left-router>right-router", "right-router>left-router"},
		"left1":      {"left1>left-router", "left-router>left1"},
		"nowhere":    nil,
	} {
		if got := ends(p, name); !reflect.DeepEqual(got, want) {
			t.Errorf("dumbbell %s: %v, want %v", name, got, want)
		}
	}
	for _, l := range p.Links("bottleneck") {
		if p.Network.LinkLoss(l) != 0.1 {
			t.Errorf("bottleneck loss %v", p.Network.LinkLoss(l))
		}
	}
	p = platformOf(t, "topology:\n  institution: {hosts: 2}\n")
	for name, want := range map[string][]string{
		"access":  {"institution>internet", "internet>institution"},
		"server0": {"server0>internet", "internet>server0"},
	} {
		if got := ends(p, name); !reflect.DeepEqual(got, want) {
			t.Errorf("institution %s: %v, want %v", name, got, want)
		}
	}
	p = platformOf(t, "topology:\n  star:\n    hosts: [{name: a, upload: 1Mbps}, {name: b}]\n")
	if got, want := ends(p, "a"), []string{"a>core", "core>a"}; !reflect.DeepEqual(got, want) {
		t.Errorf("star a: %v, want %v", got, want)
	}
}
