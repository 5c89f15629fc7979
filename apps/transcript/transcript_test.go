package transcript

import (
	"fmt"

	"netsim/sim"
)

// The texts' transcript style (Kurose & Ross §2.4.1), with the connection marked and
// the bytes that are not plain text escaped so that nothing on the wire is hidden.
func Example() {
	var r Recorder
	n := r.Open(100*sim.Millisecond, "", "crepes.fr:49152", "hamburger.edu:25")
	r.Text("S", "220 hamburger.edu\r\n")
	r.Text("C", "HELO crepes.fr\r\n")
	r.Text("C", "tab\there, bare\nLF, back\\slash, \x80, no end")
	r.Data("D", 1000, "a.txt")
	r.Closed(200*sim.Millisecond, n)
	fmt.Print(r.String())
	// Output:
	// === connection 1 opened at 100ms: crepes.fr:49152 → hamburger.edu:25
	// S: 220 hamburger.edu
	// C: HELO crepes.fr
	// C: tab\there, bare\nLF, back\\slash, \x80, no end [no CRLF]
	// D: [1000 bytes of a.txt]
	// === connection 1 closed at 200ms
}

// A nil recorder records nothing, so a model calls it without checking.
func ExampleRecorder_nil() {
	var r *Recorder
	r.Text("C", "QUIT\r\n")
	fmt.Printf("%q %d\n", r.String(), r.Open(0, "", "a", "b"))
	// Output: "" 0
}
