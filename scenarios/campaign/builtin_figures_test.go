package campaign_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"netsim/scenarios"
	"netsim/scenarios/campaign"
	_ "netsim/scenarios/kinds"
)

var updateDocs = flag.Bool("update-docs", false, "run every built-in scenario and rewrite docs/figures (minutes)")

// docsDir holds, per built-in scenario, the output of its netsim run that the README
// shows: the inputs netsim plot needs (manifest.json, runs.csv, samples.csv,
// series.csv), summary.csv, each figure's PNG, and SHA256SUMS, the hashes of every
// figure file (PNG, SVG, CSV) as netsim run wrote them.
const docsDir = "../../docs/figures"

// netsim plot redraws every built-in figure from its CSVs byte for byte as netsim run
// drew it: each figure of docs/figures, replotted from the folder's CSVs and manifest,
// has the hashes netsim run's files had, and the README's PNG. The folder must also be
// the current built-in's (the manifest's scenario is the built-in, resolved), so that
// the README never shows a stale figure. After changing a built-in or the figures'
// code: go test ./scenarios/campaign -run TestBuiltinFigures -update-docs, and look at
// every PNG before committing it.
func TestBuiltinFiguresReplot(t *testing.T) {
	for _, b := range scenarios.Builtins() {
		t.Run(b.Name, func(t *testing.T) {
			s, err := scenarios.Load(b.Name)
			if err != nil {
				t.Fatal(err)
			}
			dir := filepath.Join(docsDir, b.Name)
			if *updateDocs {
				writeDocs(t, s, dir)
			}
			m, err := campaign.ReadManifest(dir)
			if err != nil {
				t.Fatalf("%v (run go test -run TestBuiltinFigures -update-docs)", err)
			}
			resolved, err := s.Resolved()
			if err != nil {
				t.Fatal(err)
			}
			if m.Scenario != string(resolved) {
				t.Fatalf("%s is not the built-in %s's output: regenerate it (go test -run TestBuiltinFigures -update-docs)", dir, b.Name)
			}
			tmp := t.TempDir()
			for _, f := range []string{"manifest.json", "runs.csv", "samples.csv", "series.csv"} {
				if data, err := os.ReadFile(filepath.Join(dir, f)); err == nil {
					writeFile(t, filepath.Join(tmp, f), data)
				}
			}
			names, err := campaign.Replot(tmp, "")
			if err != nil {
				t.Fatal(err)
			}
			want := readSums(t, filepath.Join(dir, "SHA256SUMS"))
			got := sums(t, tmp, names)
			if len(got) != len(want) {
				t.Errorf("replot wrote %d figure files, SHA256SUMS lists %d", len(got), len(want))
			}
			for f, h := range got {
				if want[f] != h {
					t.Errorf("%s: replotted %s, netsim run wrote %s", f, h, want[f])
				}
			}
			for _, name := range names {
				png, err := os.ReadFile(filepath.Join(dir, name+".png"))
				if err != nil || !bytes.Equal(png, readFileT(t, filepath.Join(tmp, name+".png"))) {
					t.Errorf("%s.png differs from the README's (%v)", name, err)
				}
			}
		})
	}
}

// The README shows every figure of every built-in, from docs/figures (acceptance 1
// of issue 10: a teacher finds each one there).
func TestReadmeShowsBuiltinFigures(t *testing.T) {
	readme := string(readFileT(t, "../../README.md"))
	for _, b := range scenarios.Builtins() {
		s, err := scenarios.Load(b.Name)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range s.Plots {
			if img := fmt.Sprintf("](docs/figures/%s/%s.png)", b.Name, p.Name); !strings.Contains(readme, img) {
				t.Errorf("README.md shows no %s", img[2:len(img)-1])
			}
		}
	}
}

// writeDocs runs s and keeps, in dir, what TestBuiltinFiguresReplot reads.
func writeDocs(t *testing.T, s *scenarios.Scenario, dir string) {
	t.Helper()
	out := t.TempDir()
	res, err := campaign.Run(context.Background(), s, campaign.RunOptions{OutDir: out, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	keep := []string{"manifest.json", "runs.csv", "summary.csv", "samples.csv", "series.csv"}
	var names []string
	for _, p := range s.Plots {
		names = append(names, p.Name)
		keep = append(keep, p.Name+".png")
	}
	for _, f := range keep {
		if data, err := os.ReadFile(filepath.Join(out, f)); err == nil {
			writeFile(t, filepath.Join(dir, f), data)
		}
	}
	var b strings.Builder
	got := sums(t, out, names)
	files := make([]string, 0, len(got))
	for f := range got {
		files = append(files, f)
	}
	sort.Strings(files)
	for _, f := range files {
		fmt.Fprintf(&b, "%s  %s\n", got[f], f)
	}
	writeFile(t, filepath.Join(dir, "SHA256SUMS"), []byte(b.String()))
	t.Logf("%s: %d runs into %s", s.Name, len(res.Runs), dir)
}

// sums hashes the PNG, SVG and CSV of each figure in dir.
func sums(t *testing.T, dir string, names []string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, name := range names {
		for _, ext := range []string{".png", ".svg", ".csv"} {
			h := sha256.Sum256(readFileT(t, filepath.Join(dir, name+ext)))
			out[name+ext] = hex.EncodeToString(h[:])
		}
	}
	return out
}

// readSums reads a file in sha256sum's format.
func readSums(t *testing.T, path string) map[string]string {
	t.Helper()
	out := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(readFileT(t, path)))
	for sc.Scan() {
		if h, f, ok := strings.Cut(sc.Text(), "  "); ok {
			out[f] = h
		}
	}
	return out
}

func readFileT(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
