package sim_test

import (
	"fmt"

	"netsim/sim"
)

// A timer that is rescheduled and one that is cancelled: only the moved one runs,
// at its new time.
func ExampleKernel() {
	k := sim.NewKernel()
	retry := k.At(30*sim.Minute, func() { fmt.Println("retry at", k.Now()) })
	giveUp := k.At(5*sim.Hour, func() { fmt.Println("give up") })
	k.At(10*sim.Minute, func() {
		k.Reschedule(retry, k.Now()+30*sim.Minute)
		k.Cancel(giveUp)
	})
	k.Run()
	// Output: retry at 40m0s
}
