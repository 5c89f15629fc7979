package sim

import "time"

// Progress is what the progress hook reports: how far a run has got.
type Progress struct {
	Events       uint64        // events executed so far
	Now          Time          // virtual time
	Wall         time.Duration // wall-clock time since Run started
	EventsPerSec float64       // over the whole run so far
}
