package plots_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"netsim/plots"
)

// A sweep over the number of peers, drawn against the textbook's lower bound
// (Kurose & Ross, section 2.5, figure 2.23).
func ExampleSave() {
	dir, err := os.MkdirTemp("", "plots-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	n := []float64{1, 10, 100}
	fig := plots.Figure{
		Title:  "Client-server distribution, F = 15 Gbit, us = 30 Mbps, d = 2 Mbps",
		XLabel: "N (peers)",
		YLabel: "Distribution time (s)",
		XLog:   true,
		YLog:   true,
		Points: []plots.Series{{
			Label: "simulated",
			X:     n,
			Y:     []float64{7512, 7530, 50210},
			YLo:   []float64{7501, 7508, 50020},
			YHi:   []float64{7523, 7552, 50400},
		}},
		Curves: []plots.Curve{{
			Label: "D_cs (lower bound)",
			X:     n,
			Y:     []float64{7500, 7500, 50000},
		}},
	}
	if err := plots.Save(fig, filepath.Join(dir, "dcs")); err != nil {
		log.Fatal(err)
	}
	csv, err := os.ReadFile(filepath.Join(dir, "dcs.csv"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(string(csv))
	// Output:
	// kind,label,x,y,ylo,yhi
	// sim,simulated,1,7512,7501,7523
	// sim,simulated,10,7530,7508,7552
	// sim,simulated,100,50210,50020,50400
	// theory,D_cs (lower bound),1,7500,,
	// theory,D_cs (lower bound),10,7500,,
	// theory,D_cs (lower bound),100,50000,,
}
