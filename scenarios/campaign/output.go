package campaign

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"math"
	"netsim/scenarios"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// Version is netsim's version, recorded in every manifest. Release builds set it with
// -ldflags "-X netsim/scenarios/campaign.Version=v1.2.3".
var Version = "devel"

// Manifest is manifest.json: what a campaign's output folder holds and how it was made.
// Times appear here only, never in the CSV files, so that those are reproducible.
type Manifest struct {
	NetsimVersion string     `json:"netsim_version"`
	GoVersion     string     `json:"go_version"`
	Kind          string     `json:"kind"`
	Name          string     `json:"name"`
	ScenarioHash  string     `json:"scenario_hash"` // scenarios.Scenario.Hash
	Seed          uint64     `json:"seed"`
	Points        int        `json:"points"`
	Replications  int        `json:"replications"`
	Runs          int        `json:"runs"`             // in the whole campaign
	Subset        *Subset    `json:"subset,omitempty"` // the part this folder holds; nil: every run
	Started       time.Time  `json:"started"`
	Finished      *time.Time `json:"finished,omitempty"` // nil until every run is done
	Scenario      string     `json:"scenario"`           // the resolved scenario, YAML
}

// ReadManifest reads dir/manifest.json.
func ReadManifest(dir string) (*Manifest, error) {
	data, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		return nil, err
	}
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, err
	}
	return &m, nil
}

func writeManifest(dir string, m *Manifest) error {
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(dir, "manifest.json"), append(data, '\n'))
}

// writeFileAtomic writes data to path so that a reader sees the old file or the new
// one, never part of one: a temporary file in the same folder, synced, then renamed over
// path, then the folder synced so the rename itself survives a crash. The file is
// readable by all (0644), as the figures are: os.CreateTemp makes it 0600.
func writeFileAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Chmod(0o644); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return err
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync() // best effort: not every file system syncs folders
		d.Close()
	}
	return nil
}

func formatFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// formatValue is a metric's cell: empty when the run has no value (NaN).
func formatValue(v float64) string {
	if math.IsNaN(v) {
		return ""
	}
	return formatFloat(v)
}

// runsCSV is runs.csv: run, point, replication, seed, status (ok, or the limit the run
// stopped at), the variant and the keys variants set (if the file has variants), each
// swept key (its value as written in a scenario, e.g. 30Mbps), then each metric in the
// kind's order, empty for a run that stopped at a limit or that has no value.
func runsCSV(s *scenarios.Scenario, runs []RunResult) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	header := append([]string{"run", "point", "replication", "seed", "status"}, labelColumns(s)...)
	for _, m := range s.Kind.Metrics() {
		header = append(header, m.Name)
	}
	w.Write(header)
	pts := describePoints(s)
	for _, r := range runs {
		row := []string{strconv.Itoa(r.Run), strconv.Itoa(r.Point), strconv.Itoa(r.Replication), strconv.FormatUint(r.Seed, 10), r.Status}
		row = append(row, pts[r.Point].labels()...)
		for _, m := range s.Kind.Metrics() {
			cell := ""
			if r.Status == StatusOK {
				cell = formatValue(r.Values[m.Name])
			}
			row = append(row, cell)
		}
		w.Write(row)
	}
	w.Flush()
	return b.Bytes()
}

// summaryCSV is summary.csv: point, the point's columns as in runs.csv, n (the runs of
// the point that ended: a run stopped at a limit is left out), then for each metric its
// mean, sd and the ends of its 95% interval, whose column names say the method:
// <metric>_t_ci95_lo and _hi for Student's t, <metric>_wilson_ci95_lo and _hi for a
// proportion's Wilson interval (see Stats). With n = 1 the sd and the interval are
// empty cells: one run has no spread. An optional metric adds the runs left out of
// them, <name>_excluded.
func summaryCSV(s *scenarios.Scenario, sum []PointSummary) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	header := append([]string{"point"}, labelColumns(s)...)
	header = append(header, "n")
	for _, m := range s.Kind.Metrics() {
		ci := m.Name + "_" + intervalMethod(m) + "_ci95_"
		header = append(header, m.Name+"_mean", m.Name+"_sd", ci+"lo", ci+"hi")
		if m.Optional {
			header = append(header, m.Name+"_excluded")
		}
	}
	w.Write(header)
	for _, ps := range sum {
		row := append([]string{strconv.Itoa(ps.Point)}, ps.labels()...)
		row = append(row, strconv.Itoa(ps.N))
		for _, m := range s.Kind.Metrics() {
			st := ps.Stats[m.Name]
			row = append(row, formatValue(st.Mean), formatValue(st.SD), formatValue(st.Lo), formatValue(st.Hi))
			if m.Optional {
				row = append(row, strconv.Itoa(st.Excluded))
			}
		}
		w.Write(row)
	}
	w.Flush()
	return b.Bytes()
}

// samplesCSV is samples.csv: one row per value of every sample set of every run, in
// run order: run, variable, value. nil if the kind declares no samples.
func samplesCSV(s *scenarios.Scenario, runs []RunResult) []byte {
	if len(s.Kind.Samples()) == 0 {
		return nil
	}
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write([]string{"run", "variable", "value"})
	for _, r := range runs {
		for _, m := range s.Kind.Samples() {
			for _, v := range r.Samples[m.Name] {
				w.Write([]string{strconv.Itoa(r.Run), m.Name, formatFloat(v)})
			}
		}
	}
	w.Flush()
	return b.Bytes()
}

// seriesCSV is series.csv: one row per point of every time series of every run, in run
// order: run, variable, time (s), value. nil if the kind declares no series.
func seriesCSV(s *scenarios.Scenario, runs []RunResult) []byte {
	if len(s.Kind.Series()) == 0 {
		return nil
	}
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write([]string{"run", "variable", "time", "value"})
	for _, r := range runs {
		for _, m := range s.Kind.Series() {
			ts := r.Series[m.Name]
			for i := range ts.Time {
				w.Write([]string{strconv.Itoa(r.Run), m.Name, formatFloat(ts.Time[i]), formatFloat(ts.Value[i])})
			}
		}
	}
	w.Flush()
	return b.Bytes()
}
