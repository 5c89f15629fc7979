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

// A host's timers in its group: a periodic stabilize round and a one-shot retry. The
// host crashes at 25 s, and both die with it.
func ExampleKernel_CancelGroup() {
	k := sim.NewKernel()
	host := k.NewGroup()
	k.EveryIn(host, 10*sim.Second, 10*sim.Second, func() { fmt.Println("stabilize at", k.Now()) })
	k.AtIn(host, 40*sim.Second, func() { fmt.Println("retry") })
	k.At(25*sim.Second, func() {
		fmt.Println("crash:", k.CancelGroup(host), "timers cancelled")
	})
	k.Run()
	fmt.Println("pending:", k.Len(), k.GroupLen(host))
	// Output:
	// stabilize at 10s
	// stabilize at 20s
	// crash: 2 timers cancelled
	// pending: 0 0
}
