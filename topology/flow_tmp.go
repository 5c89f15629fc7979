package topology

// TEMPORARY stand-ins for the flow layer's failure API, being built in parallel;
// replaced at the merge.

func (f *Flow) Failed() bool { return false }

var tmpLoss = map[*Network]map[LinkID]float64{}

func (n *Network) SetLinkLoss(id LinkID, p float64) {
	if tmpLoss[n] == nil {
		tmpLoss[n] = map[LinkID]float64{}
	}
	tmpLoss[n][id] = p
}
func (n *Network) LinkLoss(id LinkID) float64             { return tmpLoss[n][id] }
func (n *Network) FailEpoch() uint64                      { return 0 }
func (n *Network) RouteBroken(r Route, since uint64) bool { return false }
