package main

import (
	"bytes"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// newTestServer serves netsim's real engine on a loopback test server.
func newTestServer(t *testing.T, change func(*serveOptions)) (*server, *httptest.Server) {
	t.Helper()
	o := defaultServeOptions()
	o.workers = 2
	o.tick = 100 * time.Millisecond
	if change != nil {
		change(&o)
	}
	srv, err := newServer(backend{}, o)
	require.NoError(t, err)
	ts := httptest.NewServer(srv)
	t.Cleanup(func() {
		ts.Close()
		srv.Close()
	})
	return srv, ts
}

// noRedirect is a client that shows redirects instead of following them.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// submitForm posts the scenario's form with the given fields changed, as a browser
// without JavaScript does, and returns the response's status and location or body.
func submitForm(t *testing.T, ts *httptest.Server, name string, fields map[string]string) (int, string) {
	t.Helper()
	form := url.Values{}
	for k, v := range fields {
		form.Set("p."+k, v)
	}
	resp, err := noRedirect.PostForm(ts.URL+"/s/"+name, form)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	if resp.StatusCode == http.StatusSeeOther {
		return resp.StatusCode, resp.Header.Get("Location")
	}
	return resp.StatusCode, string(body)
}

func get(t *testing.T, u string) (int, string) {
	t.Helper()
	resp, err := http.Get(u)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(body)
}

var cellRE = regexp.MustCompile(`<t[hd]>(.*?)</t[hd]>`)

// tableCells reads the summary table of a result page.
func tableCells(page string) [][]string {
	i := strings.Index(page, `<table id="summary"`)
	if i < 0 {
		return nil
	}
	page = page[i:]
	page = page[:strings.Index(page, "</table>")]
	var rows [][]string
	for _, row := range strings.Split(page, "<tr>")[1:] {
		var cells []string
		for _, m := range cellRE.FindAllStringSubmatch(row, -1) {
			cells = append(cells, html.UnescapeString(m[1]))
		}
		rows = append(rows, cells)
	}
	return rows
}

// cliTable runs netsim run with args and returns the table of means it prints.
func cliTable(t *testing.T, args ...string) [][]string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	args = append([]string{"run", "-q", "-o", t.TempDir()}, args...)
	require.Equal(t, 0, run(args, &stdout, &stderr), stderr.String())
	_, table, ok := strings.Cut(stdout.String(), "Means per point")
	require.True(t, ok, stdout.String())
	var rows [][]string
	for _, line := range strings.Split(table, "\n")[1:] {
		if f := strings.Fields(line); len(f) > 0 {
			rows = append(rows, f)
		}
	}
	return rows
}

// waitFinished loads a campaign's page, as the page itself does without JavaScript,
// until it has finished, and returns it.
func waitFinished(t *testing.T, ts *httptest.Server, location string) string {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		_, page := get(t, ts.URL+location)
		if !strings.Contains(page, `http-equiv="refresh"`) {
			return page
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("%s did not finish in 2 minutes", location)
	return ""
}

// Without JavaScript the form runs the campaign and the result page shows the table
// netsim run prints for the same settings, cell by cell (issue 17, items 1 and 4).
func TestServeWithoutJavaScriptMatchesRun(t *testing.T) {
	_, ts := newTestServer(t, nil)
	status, loc := submitForm(t, ts, "filedist", map[string]string{"peers": "20", "server_upload": "5Mbps"})
	require.Equal(t, http.StatusSeeOther, status, loc)
	page := waitFinished(t, ts, loc)
	got := tableCells(page)
	want := cliTable(t, "filedist", "--set", "peers=20", "--set", "server_upload=5Mbps")
	require.Len(t, want, 3) // the header, client-server and p2p at N = 20
	require.Equal(t, want, got)
	// D_cs = max(NF/u_s, F/d_min) = 20 · 3600 Mbit / 5 Mbps = 14400 s (K&R §2.5.1).
	require.Equal(t, "14400", got[1][3])

	// The files and the resolved scenario are there to download, and the resolved file
	// runs to the same table.
	for _, f := range []string{"summary.csv", "runs.csv", "manifest.json", "distribution-time.svg", "distribution-time.png", "distribution-time.csv"} {
		require.Contains(t, page, "/files/"+f)
		status, _ := get(t, ts.URL+loc+"/files/"+f)
		require.Equal(t, http.StatusOK, status, f)
	}
	status, yaml := get(t, ts.URL+loc+"/scenario.yaml")
	require.Equal(t, http.StatusOK, status)
	file := t.TempDir() + "/resolved.yaml"
	require.NoError(t, os.WriteFile(file, []byte(yaml), 0o644))
	require.Equal(t, want, cliTable(t, file))

	// A second result of the scenario is drawn over the first.
	status, loc2 := submitForm(t, ts, "filedist", map[string]string{"peers": "[10, 20]"})
	require.Equal(t, http.StatusSeeOther, status)
	page2 := waitFinished(t, ts, loc2)
	require.Contains(t, page2, loc2+"/compare/distribution-time.svg")
	status, svg := get(t, ts.URL+loc2+"/compare/distribution-time.svg")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, svg, "previous: mode=p2p")
	require.Contains(t, svg, "this run: mode=p2p")
}

// A bad value is answered with the message --set gives, beside its field; a campaign
// over the run cap is refused above the form.
func TestServeBadValueBesideField(t *testing.T) {
	_, ts := newTestServer(t, func(o *serveOptions) { o.maxRuns = 100 })
	status, page := submitForm(t, ts, "filedist", map[string]string{"peers": "-3", "server_upload": "5Mbs"})
	require.Equal(t, http.StatusUnprocessableEntity, status)
	require.Contains(t, page, `<div class="error" id="err-peers">--set peers=-3: peers: must be at least 1, got -3</div>`)
	require.Regexp(t, `id="err-server_upload">--set server_upload=5Mbs: server_upload: [^<]+</div>`, page)
	require.Contains(t, page, `value="-3"`, "the form keeps what was typed")

	status, page = submitForm(t, ts, "filedist", map[string]string{"replications": "2"})
	require.Equal(t, http.StatusUnprocessableEntity, status)
	require.Contains(t, page, "this campaign has 140 runs (sweep points × replications); this server runs at most 100")
}

// Scenarios are taken by name only and files by their name in the listing: no path
// from a request is opened.
func TestServeOpensNoPathFromARequest(t *testing.T) {
	_, ts := newTestServer(t, func(o *serveOptions) { o.dir = "testdata/serve" })
	_, index := get(t, ts.URL+"/")
	require.Contains(t, index, `<a class="scenario" href="/s/two-peers.yaml">two-peers.yaml</a>`)
	status, loc := submitForm(t, ts, "two-peers.yaml", nil)
	require.Equal(t, http.StatusSeeOther, status)
	require.Equal(t, want2peers(t), tableCells(waitFinished(t, ts, loc)))

	for _, p := range []string{
		"/s/..%2f..%2fscenarios%2ffiledist.yaml", "/s/%2fetc%2fpasswd", "/s/nosuch",
		"/job/99", "/job/..%2f..%2f/files/x", "/static/../serve.go",
	} {
		status, _ := get(t, ts.URL+p)
		require.Equal(t, http.StatusNotFound, status, p)
	}
	for _, f := range []string{"..%2fmanifest.json", "%2e%2e", ".lock", "x%2f..%2f..%2fserve.go", "%2e%2e%2f1%2fsummary.csv"} {
		status, _ := get(t, ts.URL+loc+"/files/"+f)
		require.Equal(t, http.StatusNotFound, status, f)
	}
}

// 50 concurrent submissions to a server that runs one campaign and queues 8: 9 are
// taken, 41 are told the server is busy, nothing fails otherwise, and once they are
// cancelled no campaign runs and the memory is what it was (issue 17, item 3).
func TestServeHammered(t *testing.T) {
	srv, ts := newTestServer(t, func(o *serveOptions) { o.maxCampaigns, o.maxQueue = 1, 8 })
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)

	const clients = 50
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		statuses = map[int]int{}
		accepted []string
	)
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// 1750 runs: none finishes while the others arrive.
			status, loc := submitForm(t, ts, "filedist", map[string]string{"replications": "25"})
			mu.Lock()
			defer mu.Unlock()
			statuses[status]++
			if status == http.StatusSeeOther {
				accepted = append(accepted, loc)
			}
			if status == http.StatusServiceUnavailable {
				require.Contains(t, loc, "the server is busy")
			}
		}()
	}
	wg.Wait()
	require.Equal(t, map[int]int{http.StatusSeeOther: 9, http.StatusServiceUnavailable: 41}, statuses)
	st := serverStatus(t, ts)
	require.Equal(t, 1, st["running"])
	require.Equal(t, 8, st["queued"])
	_, index := get(t, ts.URL+"/")
	require.Contains(t, index, "1 running, 8 waiting")

	for _, loc := range accepted {
		resp, err := noRedirect.Post(ts.URL+loc+"/cancel", "", nil)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	}
	waitIdle(t, ts)
	for _, loc := range accepted {
		_, page := get(t, ts.URL+loc)
		require.Contains(t, page, "cancelled: cancelled by its Cancel button")
	}
	srv.mu.Lock()
	require.Zero(t, srv.running)
	srv.mu.Unlock()

	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)
	require.Less(t, int64(after.HeapInuse)-int64(before.HeapInuse), int64(64<<20), "heap grew by more than 64 MiB")
}

// A campaign whose page is closed is cancelled once it has been closed for the
// abandon time.
func TestServeCancelsAnAbandonedCampaign(t *testing.T) {
	_, ts := newTestServer(t, func(o *serveOptions) { o.abandon = 500 * time.Millisecond })
	status, loc := submitForm(t, ts, "filedist", map[string]string{"replications": "25"})
	require.Equal(t, http.StatusSeeOther, status)
	// Nobody loads the page.
	waitIdle(t, ts)
	_, page := get(t, ts.URL+loc)
	require.Contains(t, page, "cancelled: its page was closed for more than 500ms")
}

func serverStatus(t *testing.T, ts *httptest.Server) map[string]int {
	t.Helper()
	_, body := get(t, ts.URL+"/status")
	var st map[string]int
	require.NoError(t, json.Unmarshal([]byte(body), &st))
	return st
}

// waitIdle waits, boundedly, until no campaign runs or waits.
func waitIdle(t *testing.T, ts *httptest.Server) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		st := serverStatus(t, ts)
		if st["running"] == 0 && st["queued"] == 0 {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("campaigns still running after a minute")
}

func want2peers(t *testing.T) [][]string { return cliTable(t, "testdata/serve/two-peers.yaml") }
