package plots

import (
	"encoding/csv"
	"io"
	"strconv"
)

// CSVHeader is the first row of a figure's CSV.
var CSVHeader = []string{"kind", "label", "x", "y", "ylo", "yhi"}

// WriteCSV writes the data of fig as CSV: a header (CSVHeader), then one row per point,
// series first (kind "sim"), lines next (kind "line", ylo and yhi their band) and curves
// after (kind "theory"), each in the order given.
// Floats are formatted with strconv's 'g' format and the shortest precision that reads
// back exactly; ylo and yhi are empty where there is no interval. The output is a pure
// function of fig.
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
			lo, hi := "", ""
			if s.YLo != nil {
				lo, hi = formatFloat(s.YLo[i]), formatFloat(s.YHi[i])
			}
			row := []string{"sim", s.Label, formatFloat(s.X[i]), formatFloat(s.Y[i]), lo, hi}
			if err := cw.Write(row); err != nil {
				return err
			}
		}
	}
	for _, l := range fig.Lines {
		for i := range l.X {
			lo, hi := "", ""
			if l.YLo != nil {
				lo, hi = formatFloat(l.YLo[i]), formatFloat(l.YHi[i])
			}
			if err := cw.Write([]string{"line", l.Label, formatFloat(l.X[i]), formatFloat(l.Y[i]), lo, hi}); err != nil {
				return err
			}
		}
	}
	for _, c := range fig.Curves {
		for i := range c.X {
			row := []string{"theory", c.Label, formatFloat(c.X[i]), formatFloat(c.Y[i]), "", ""}
			if err := cw.Write(row); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

func formatFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
