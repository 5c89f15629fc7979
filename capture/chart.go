package capture

import (
	"fmt"
	"math"
	"regexp"

	"netsim/plots/msc"
	"netsim/sim"
	"netsim/topology"
)

// ChartOptions choose what a sequence chart shows of a long run.
type ChartOptions struct {
	Title string
	// From and To are the time window; To <= From shows the whole run. A message is
	// drawn if it is on the wire at some time in the window.
	From, To sim.Time
	// Messages, if not nil, keeps only the messages whose label matches: "^GET|^HTTP"
	// leaves TCP's control segments out.
	Messages *regexp.Regexp
}

// Chart returns the sequence chart of what passed between the hosts named (in that
// order, left to right; each must have been tapped): every message, control segment
// and datagram between two of them, labelled with its Label or first line, and a
// bracket on the dialling host's line for each round trip it waited on — the
// handshake (SYN to SYN-ACK), and each request to the first bit of its answer (the
// i-th message one way to the i-th the other way on a connection, a datagram to the
// next one back).
func (r *Recorder) Chart(hosts []string, opts ChartOptions) (*msc.Chart, error) {
	if r.err != nil {
		return nil, r.err
	}
	col := map[topology.NodeID]int{}
	for i, h := range hosts {
		id, err := r.node(h)
		if err != nil {
			return nil, err
		}
		if !r.hosts[id] {
			return nil, fmt.Errorf("capture: host %s was not tapped", h)
		}
		if _, dup := col[id]; dup {
			return nil, fmt.Errorf("capture: host %s is on the chart twice", h)
		}
		col[id] = i
	}
	c := &msc.Chart{Title: opts.Title, Hosts: hosts}
	if opts.To > opts.From {
		c.FromMs, c.ToMs = ms(opts.From), ms(opts.To)
	}
	shown := func(rec *record) bool {
		_, a := col[rec.From.Node]
		_, b := col[rec.To.Node]
		if !a || !b || rec.Cut && rec.Bytes == 0 {
			return false
		}
		if opts.To > opts.From && (rec.End+rec.Delay < opts.From || rec.Start > opts.To) {
			return false
		}
		return opts.Messages == nil || opts.Messages.MatchString(rec.label)
	}
	for _, rec := range r.trs {
		if !shown(rec) {
			continue
		}
		label := rec.label
		if rec.Dropped {
			label += " (lost)"
		}
		c.Messages = append(c.Messages, msc.Message{
			From: col[rec.From.Node], To: col[rec.To.Node],
			SendMs: ms(rec.Start), SentMs: ms(rec.End), DelayMs: ms(rec.Delay),
			Label: label, Control: rec.Kind != topology.TapData && rec.Kind != topology.TapDatagram,
		})
	}
	c.Brackets = r.roundTrips(col, shown)
	return c, nil
}

func ms(t sim.Time) float64 { return float64(t) / float64(sim.Millisecond) }

// roundTrips finds the round trips the dialling end of each connection (or the
// first sender of each pair of UDP ports) waited on, among the records shown.
func (r *Recorder) roundTrips(col map[topology.NodeID]int, shown func(*record) bool) []msc.Bracket {
	type pairing struct {
		dialler     topology.Addr
		syn, synack *record   // the first of each
		out, in     []*record // messages from and to the dialler, in order
	}
	var order []any
	pairs := map[any]*pairing{}
	for _, rec := range r.trs {
		var key any = rec.Conn
		if rec.Kind == topology.TapDatagram {
			a, b := rec.From, rec.To
			if b.Node < a.Node || b.Node == a.Node && b.Port < a.Port {
				a, b = b, a
			}
			key = [2]topology.Addr{a, b}
		}
		p, ok := pairs[key]
		if !ok {
			p = &pairing{dialler: rec.From}
			pairs[key] = p
			order = append(order, key)
		}
		if !shown(rec) {
			continue
		}
		switch rec.Kind {
		case topology.TapSYN:
			if p.syn == nil {
				p.syn = rec
			}
		case topology.TapSYNACK:
			if p.syn != nil && p.synack == nil {
				p.synack = rec
			}
		case topology.TapData, topology.TapDatagram:
			if rec.Offset > 0 {
				continue // the rest of a message sent again
			}
			if rec.From == p.dialler {
				p.out = append(p.out, rec)
			} else {
				p.in = append(p.in, rec)
			}
		}
	}
	var bs []msc.Bracket
	for _, key := range order {
		p := pairs[key]
		host := col[p.dialler.Node]
		// The handshake: the dialler's SYN to its SYN-ACK's arrival.
		if s, a := p.syn, p.synack; s != nil && a != nil {
			bs = append(bs, bracket(host, s.Start, a.End+a.Delay, s.Delay+a.Delay))
		}
		for i := range min(len(p.out), len(p.in)) {
			q, a := p.out[i], p.in[i]
			if a.Start < q.End+q.Delay {
				break // not an answer: it left before the question had arrived
			}
			bs = append(bs, bracket(host, q.Start, a.Start+a.Delay, a.Delay+q.Delay))
		}
	}
	return bs
}

// bracket marks [from, to] on host's line, labelled RTT when it lasts one round trip
// of propagation within 5% (the texts' label), else with its length alone.
func bracket(host int, from, to, rtt sim.Time) msc.Bracket {
	d := ms(to - from)
	label := fmt.Sprintf("%.4g ms", d)
	if rtt > 0 && math.Abs(float64(to-from-rtt)) <= 0.05*float64(rtt) {
		label = "RTT " + label
	}
	return msc.Bracket{Host: host, FromMs: ms(from), ToMs: ms(to), Label: label}
}
