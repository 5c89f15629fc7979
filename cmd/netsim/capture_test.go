package main

import (
	"os"
	osexec "os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// netsim run --pcap and --msc write, for each run, a pcap file per host and a sequence
// chart; tshark reads the browser's capture of Kurose & Ross §2.2.2's non-persistent
// page load (a base file and 2 objects): three connections, three GETs. A host that
// is not in the network is refused before anything runs.
func TestRunWritesCaptures(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "page.yaml")
	require.NoError(t, os.WriteFile(file, []byte("kind: http\nname: page\nparams: {mode: nonpersistent, objects: 2}\n"), 0o644))
	out := filepath.Join(dir, "out")
	code, stdout, stderr := exec1(t, "run", file, "-o", out, "-q",
		"--pcap", "browser,www.someschool.edu", "--msc", "browser,www.someschool.edu")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stdout, "capture/")
	for _, f := range []string{"run-0-browser.pcap", "run-0-www.someschool.edu.pcap", "run-0-msc.svg", "run-0-msc.png"} {
		st, err := os.Stat(filepath.Join(out, "capture", f))
		require.NoError(t, err)
		require.Positive(t, st.Size(), f)
	}
	tshark, err := osexec.LookPath("tshark")
	require.NoError(t, err, "tshark is needed: apt-get install tshark (.ci/run does)")
	gets, err := osexec.Command(tshark, "-r", filepath.Join(out, "capture", "run-0-browser.pcap"), "-n", "-Y", "http.request", "-T", "fields", "-e", "http.request.uri").Output()
	require.NoError(t, err)
	require.Equal(t, "/index.html\n/img/1.jpg\n/img/2.jpg\n", string(gets))
	svg, err := os.ReadFile(filepath.Join(out, "capture", "run-0-msc.svg"))
	require.NoError(t, err)
	require.Equal(t, 3, strings.Count(string(svg), "GET /"))

	code, _, stderr = exec1(t, "run", file, "-o", filepath.Join(dir, "x"), "-q", "--pcap", "brwser")
	require.Equal(t, 1, code)
	require.Contains(t, stderr, `capture: no host "brwser" in the network (there are: core, browser, www.someschool.edu)`)
}

func exec1(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	return exec(t, backend{}, args...)
}
