package bittorrent

import "netsim/sim"

// rateMeter estimates a transfer rate over a sliding window as mainline's
// RateMeasure does: a running average since a start that follows the clock, never
// more than the window behind it, and that begins one second before the first
// measurement (mainline's "fudge") so that a first burst is not an infinite rate.
type rateMeter struct {
	since, last sim.Time
	bps         float64 // bytes per second
}

func newRateMeter(now sim.Time) rateMeter {
	return rateMeter{since: now - sim.Second, last: now}
}

// add counts bytes transferred now.
func (r *rateMeter) add(now sim.Time, bytes int64, window sim.Time) {
	r.update(now, float64(bytes), window)
}

// rate is the estimate at now, in bytes per second.
func (r *rateMeter) rate(now sim.Time, window sim.Time) float64 {
	r.update(now, 0, window)
	return r.bps
}

func (r *rateMeter) update(now sim.Time, bytes float64, window sim.Time) {
	if now < r.last {
		now = r.last
	}
	r.bps = (r.bps*(r.last-r.since).Seconds() + bytes) / (now - r.since).Seconds()
	r.last = now
	if r.since < now-window {
		r.since = now - window
	}
}
