package dns

import (
	"math/rand/v2"

	"netsim/sim"
)

// Population is a workload of clients: lookups arriving as a Poisson process of
// RatePerS over all clients, each from a client chosen uniformly, of a question Pick
// draws (a name of a Zipf catalogue, A or MX). The users are not a host's program:
// they drive the clients' stubs from the kernel, as webcache's users do its browsers.
type Population struct {
	RatePerS float64
	Queries  int // lookups in all, the first Warmup left out of the measurements
	Warmup   int
	Pick     func(r *rand.Rand) Question
	// Stub returns client i's stub, nil while its host is down (the lookup is lost).
	Stub    func(i int) *Stub
	Clients int
	// Measured is called with each measured lookup's result; MeasureStart once, when
	// the first measured lookup is asked (the start of the measurement window).
	Measured     func(Result)
	MeasureStart func()
}

// Start schedules the lookups on k, drawing arrivals, clients and questions from r.
func (p *Population) Start(k *sim.Kernel, r *rand.Rand) {
	n := 0
	var arrive func()
	arrive = func() {
		i := n
		n++
		if i == p.Warmup && p.MeasureStart != nil {
			p.MeasureStart()
		}
		if s := p.Stub(r.IntN(p.Clients)); s != nil {
			q := p.Pick(r)
			s.Lookup(q, func(res Result) {
				if i >= p.Warmup && p.Measured != nil {
					p.Measured(res)
				}
			})
		}
		if n < p.Queries {
			k.At(k.Now()+sim.Seconds(r.ExpFloat64()/p.RatePerS), arrive)
		}
	}
	if p.Queries > 0 {
		k.At(k.Now()+sim.Seconds(r.ExpFloat64()/p.RatePerS), arrive)
	}
}
