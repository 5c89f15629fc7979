package plots_test

import (
	"testing"

	"gonum.org/v1/plot/cmpimg"
)

// The house style against golden images, as gonum/plot tests its own: each Example
// writes testdata/NAME.png, compared pixel for pixel with testdata/NAME_golden.png;
// go test -regen rewrites the golden files (look at every one before committing it).
func TestFourSeriesLinearGolden(t *testing.T) {
	cmpimg.CheckPlot(Example_fourSeriesLinear, t, "four-linear.png")
}
func TestFourSeriesLogGolden(t *testing.T) {
	cmpimg.CheckPlot(Example_fourSeriesLog, t, "four-log.png")
}
func TestBoundAndTermsGolden(t *testing.T) {
	cmpimg.CheckPlot(Example_boundAndTerms, t, "bound-terms.png")
}
func TestCoincidingGolden(t *testing.T) { cmpimg.CheckPlot(Example_coinciding, t, "coinciding.png") }
