package campaign_test

import (
	"bufio"
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"netsim/scenarios"
	"netsim/scenarios/campaign"
	_ "netsim/scenarios/internal/testkinds"
)

// samplerCampaign is a campaign of the test kind sampler: per run, 200 exponential
// delays of mean 1/rate, and the count of Poisson(rate) arrivals at each second.
const samplerCampaign = `kind: sampler
name: sampler
seed: 3
replications: 4
sweep:
  rate: [1, 2]
plots:
  - name: cdf
    title: Delays, pooled over 4 replications, with 95% DKW bands
    type: cdf
    y: delay_s
    series: rate
  - name: arrivals
    title: Arrivals against time, mean of 4 replications with 95% bands
    type: timeseries
    y: arrivals
    series: rate
  - name: density
    type: pdf
    y: delay_s
    series: rate
    bins: 10
`

// runExample runs samplerCampaign into a temporary folder, copies the figure name.png
// to testdata (where cmpimg.CheckPlot compares it with name_golden.png) and prints the
// first lines of the figure's CSV.
func runExample(name string, lines int) {
	dir, err := os.MkdirTemp("", "campaign-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	s, err := scenarios.Parse("sampler.yaml", []byte(samplerCampaign))
	if err != nil {
		log.Fatal(err)
	}
	if _, err := campaign.Run(context.Background(), s, campaign.RunOptions{OutDir: dir, Workers: 2}); err != nil {
		log.Fatal(err)
	}
	png, err := os.ReadFile(filepath.Join(dir, name+".png"))
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join("testdata", name+".png"), png, 0o644); err != nil {
		log.Fatal(err)
	}
	f, err := os.Open(filepath.Join(dir, name+".csv"))
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for i := 0; i < lines && sc.Scan(); i++ {
		fmt.Println(sc.Text())
	}
}

// The empirical CDF of a sample set, one line per value of the series key, pooled over
// the replications: a staircase with its 95% Dvoretzky–Kiefer–Wolfowitz band, which is
// ±sqrt(ln(2/0.05)/(2·800)) = ±0.0480 around each step for 4 × 200 values, clipped to
// [0, 1].
func Example_cdf() {
	runExample("cdf", 4)
	// Output:
	// kind,label,x,y,ylo,yhi,of
	// line,λ = 1,0.0009078550076434266,0.00125,0,0.04926613956599604,
	// line,λ = 1,0.0018585334269121574,0.0025,0,0.05051613956599604,
	// line,λ = 1,0.003773446072722453,0.00375,0,0.051766139565996044,
}

// A time series, averaged over the replications at each time, with the 95% Student-t
// interval of the mean as a band, which stops at 0 (a count is never negative). At
// t = 0 s no arrival has happened yet in any run.
func Example_timeseries() {
	runExample("arrivals", 4)
	// Output:
	// kind,label,x,y,ylo,yhi,of
	// line,λ = 1,0,0,0,0,
	// line,λ = 1,1,1.25,0,3.2522452253359257,
	// line,λ = 1,2,2.5,0,5.812395134417856,
}
