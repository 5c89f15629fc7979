package plots

import (
	"encoding/csv"
	"io"
	"math"
	"strconv"
)

// CSVHeader is the first row of a figure's CSV.
var CSVHeader = []string{"kind", "label", "x", "y", "ylo", "yhi", "of"}

// WriteCSV writes the data of fig as CSV: a header (CSVHeader), then one row per point,
// series first (kind "sim"), lines next (kind "line", ylo and yhi their band) and curves
// after (kind "theory", with "of" the series it is the theory of), each in the order
// given. Floats are formatted with strconv's 'g' format and the shortest precision that
// reads back exactly; ylo and yhi are empty where there is no interval (nil, or NaN at
// that point). The output is a pure function of fig.
func WriteCSV(w io.Writer, fig Figure) error {
	if err := fig.Validate(); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	for _, s := range fig.Points {
		for i := range s.X {
			lo, hi := interval(s.YLo, s.YHi, i)
			row := []string{"sim", s.Label, formatFloat(s.X[i]), formatFloat(s.Y[i]), lo, hi, ""}
			if err := cw.Write(row); err != nil {
				return err
			}
		}
	}
	for _, l := range fig.Lines {
		for i := range l.X {
			lo, hi := interval(l.YLo, l.YHi, i)
			if err := cw.Write([]string{"line", l.Label, formatFloat(l.X[i]), formatFloat(l.Y[i]), lo, hi, ""}); err != nil {
				return err
			}
		}
	}
	for _, c := range fig.Curves {
		for i := range c.X {
			row := []string{"theory", c.Label, formatFloat(c.X[i]), formatFloat(c.Y[i]), "", "", c.Of}
			if err := cw.Write(row); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// interval is the cells of point i's interval: empty where there is none.
func interval(lo, hi []float64, i int) (string, string) {
	if lo == nil || math.IsNaN(lo[i]) || math.IsNaN(hi[i]) {
		return "", ""
	}
	return formatFloat(lo[i]), formatFloat(hi[i])
}

func formatFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
