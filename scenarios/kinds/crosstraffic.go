package kinds

import (
	"fmt"

	"netsim/apps/bulk"
	"netsim/scenarios"
	"netsim/scenarios/units"
	"netsim/topology"
)

// crossTraffic is a kind's bulk: parameter: transfers of apps/bulk between hosts of
// the platform, competing with the kind's own traffic for the links they share. It
// binds one app to the format for any kind that embeds it, as a kind binds its own.
type crossTraffic []bulkSpec

// bulkSpec is one bulk transfer.
type bulkSpec struct {
	From  string         `yaml:"from" help:"the sending host"`
	To    string         `yaml:"to" help:"the receiving host"`
	Size  units.Size     `yaml:"size" help:"how much it moves"`
	Start units.Duration `yaml:"start" help:"when the sender dials"`
}

// String is the transfer as a file writes it, for runs.csv's column of a variant.
func (b bulkSpec) String() string {
	return fmt.Sprintf("{from: %s, to: %s, size: %s, start: %s}", b.From, b.To, b.Size, b.Start)
}

// check is the rule a parameter's tags cannot say: each transfer moves something.
func (c crossTraffic) check(key string) []error {
	var errs []error
	for i, b := range c {
		if b.Size <= 0 {
			errs = append(errs, scenarios.Errorf(fmt.Sprintf("%s[%d].size", key, i), "must be positive, got %s", b.Size))
		}
		if b.Start < 0 {
			errs = append(errs, scenarios.Errorf(fmt.Sprintf("%s[%d].start", key, i), "must not be negative, got %s", b.Start))
		}
	}
	return errs
}

// deploy adds each transfer's sender and receiver to dep, checking that both are hosts
// of t (an unknown one is named at its key, and not placed), and different.
func (c crossTraffic) deploy(key string, t *scenarios.Topology, dep scenarios.Deployment) (scenarios.Deployment, []error) {
	var errs []error
	for i, b := range c {
		for _, end := range []struct{ key, host, role string }{{"from", b.From, "bulk sender"}, {"to", b.To, "bulk receiver"}} {
			if !t.Has(end.host) {
				errs = append(errs, scenarios.Errorf(fmt.Sprintf("params.%s[%d].%s", key, i, end.key), "unknown host %q", end.host))
				continue
			}
			dep = append(dep, scenarios.Placement{Host: end.host, Role: end.role})
		}
		if b.From == b.To {
			errs = append(errs, scenarios.Errorf(fmt.Sprintf("params.%s[%d].to", key, i), "a transfer joins two different hosts, not %q to itself", b.From))
		}
	}
	return dep, errs
}

// boot starts the transfers: a receiver on each host that receives, a sender for each.
func (c crossTraffic) boot(pl *scenarios.Platform) {
	receiving := map[string]bool{}
	for _, b := range c {
		if !receiving[b.To] {
			receiving[b.To] = true
			pl.Boot(b.To, bulk.Receiver(bulk.DefaultPort, nil))
		}
		pl.Boot(b.From, bulk.Sender(bulk.Transfer{To: topology.Addr{Node: pl.Node(b.To), Port: bulk.DefaultPort}, SizeBytes: b.Size.Bytes(), Start: b.Start.Time()}))
	}
}
