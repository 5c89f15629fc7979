package main

import (
	"encoding/csv"
	"fmt"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
)

// summaryRows is how many parameter points `netsim run` prints; the rest are in the file.
const summaryRows = 20

// spreadColumns name the columns of summary.csv that describe spread rather than the
// mean; the short table at the end of `netsim run` leaves them out. A column is one if
// its name is one of these or ends in "_" and one of these.
var spreadColumns = []string{"sd", "std", "stddev", "n", "lo", "hi", "ci", "ci95", "ci_lo", "ci_hi", "ci95_lo", "ci95_hi", "half_width"}

func isSpreadColumn(name string) bool {
	name = strings.ToLower(name)
	for _, s := range spreadColumns {
		if name == s || strings.HasSuffix(name, "_"+s) {
			return true
		}
	}
	return false
}

// printSummary prints the per-point means of a summary.csv as an aligned table.
func (c *cli) printSummary(path string) error {
	rows, more, err := summaryTable(path, summaryRows)
	if err != nil || len(rows) == 0 {
		return err
	}
	fmt.Fprintf(c.stdout, "\nMeans per point (%s has the spread and 95%% intervals):\n", path)
	tw := tabwriter.NewWriter(c.stdout, 0, 8, 2, ' ', tabwriter.AlignRight)
	for _, cells := range rows {
		fmt.Fprintf(tw, "%s\t\n", strings.Join(cells, "\t"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if more > 0 {
		fmt.Fprintf(c.stdout, "... and %d more points in %s\n", more, path)
	}
	return nil
}

// summaryTable reads the per-point means of a summary.csv: the header, then at most
// limit points (limit < 0: all), the spread columns left out and numbers rounded for
// display; more is how many points were left out. netsim run prints it, and netsim
// serve shows it, so that the two agree cell by cell.
func summaryTable(path string, limit int) (rows [][]string, more int, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, fmt.Errorf("reading the summary: %w", err)
	}
	defer f.Close()
	all, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, 0, fmt.Errorf("reading %s: %w", path, err)
	}
	if len(all) == 0 {
		return nil, 0, nil
	}
	var keep []int
	for i, name := range all[0] {
		if !isSpreadColumn(name) {
			keep = append(keep, i)
		}
	}
	if len(keep) == 0 {
		for i := range all[0] {
			keep = append(keep, i)
		}
	}
	for r, row := range all {
		if limit >= 0 && r > limit {
			more = len(all) - 1 - limit
			break
		}
		cells := make([]string, 0, len(keep))
		for _, i := range keep {
			cell := ""
			if i < len(row) {
				cell = row[i]
			}
			if r > 0 {
				cell = shortNumber(cell)
			}
			cells = append(cells, cell)
		}
		rows = append(rows, cells)
	}
	return rows, more, nil
}

// shortNumber rounds a number to 5 significant digits for display; other text is left
// as it is.
func shortNumber(s string) string {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return s
	}
	return strconv.FormatFloat(v, 'g', 5, 64)
}
