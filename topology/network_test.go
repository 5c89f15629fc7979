package topology

import (
	"math"
	"testing"

	"netsim/sim"
)

func TestLinkLoss(t *testing.T) {
	n, err := BuildExplicit(sim.NewKernel(), []string{"a", "b"}, []LinkSpec{
		{From: "a", To: "b", CapacityBps: 1e6, Loss: 0.25, Duplex: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	if n.LinkLoss(0) != 0.25 || n.LinkLoss(1) != 0.25 || n.Link(1).Loss != 0.25 {
		t.Fatalf("losses %v %v %v, want 0.25", n.LinkLoss(0), n.LinkLoss(1), n.Link(1).Loss)
	}
	n.SetLinkLoss(1, 1)
	if n.LinkLoss(1) != 1 || n.LinkLoss(0) != 0.25 {
		t.Fatalf("after SetLinkLoss(1, 1): %v %v", n.LinkLoss(0), n.LinkLoss(1))
	}
	m := New(sim.NewKernel())
	l := m.AddLink(m.AddNode("x"), m.AddNode("y"), 1e6, 0)
	if m.LinkLoss(l) != 0 {
		t.Fatalf("default loss %v, want 0", m.LinkLoss(l))
	}
	for _, p := range []float64{-0.1, 1.5, math.NaN()} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("SetLinkLoss(%v): no panic", p)
				}
			}()
			m.SetLinkLoss(l, p)
		}()
	}
}
