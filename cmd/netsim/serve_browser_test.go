package main

import (
	"bytes"
	"context"
	"flag"
	"image/png"
	"os"
	osexec "os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

var updateScreenshots = flag.Bool("update-screenshots", false, "rewrite the README's screenshots of netsim serve in docs/serve/")

// browser starts a headless Chromium (Debian's chromium package) at 1280×720, the
// projector's size.
func browser(t *testing.T) context.Context {
	t.Helper()
	path, err := osexec.LookPath("chromium")
	if err != nil {
		t.Fatalf("chromium is not installed (apt-get install chromium; .ci/run does): %v", err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox, // CI runs as root, where Chromium's sandbox will not start
		chromedp.WindowSize(1280, 720),
		chromedp.Flag("disable-dev-shm-usage", true),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(alloc)
	ctx, cancelTimeout := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() {
		cancelTimeout()
		cancelCtx()
		cancelAlloc()
	})
	return ctx
}

// screenshot keeps a PNG the test took: in docs/serve/ with -update-screenshots (the
// README shows them), in a temporary folder otherwise. Either way it must be a
// 1280×720 image.
func screenshot(t *testing.T, name string, data []byte) {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(data))
	require.NoError(t, err, name)
	require.Equal(t, 1280, img.Bounds().Dx(), name)
	require.Equal(t, 720, img.Bounds().Dy(), name)
	dir := t.TempDir()
	if *updateScreenshots {
		dir = filepath.Join("..", "..", "docs", "serve")
		require.NoError(t, os.MkdirAll(dir, 0o755))
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, name), data, 0o644))
}

// A teacher's session in a real browser (issue 17, items 1 and 2): the start page,
// filedist's form with N = 20 and u_s = 5u, the result page whose table equals netsim
// run's cell by cell, a bad value answered beside its field, and a long campaign
// followed by its progress stream and stopped by Cancel with no worker left.
func TestServeInBrowser(t *testing.T) {
	srv, ts := newTestServer(t, nil)
	ctx := browser(t)
	do := func(steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		_, err := chromedp.Run(ctx, chromedp.Steps(steps...))
		require.NoError(t, err)
	}
	shot := func(name string) {
		t.Helper()
		data, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		require.NoError(t, err)
		screenshot(t, name, data)
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(sel))
		require.NoError(t, err)
		return strings.TrimSpace(s)
	}

	do(chromedp.EmulateViewport(1280, 720), chromedp.Navigate(ts.URL+"/"), chromedp.WaitVisible(`a[href="/s/filedist"]`))
	shot("start.png")
	do(
		chromedp.Click(`a[href="/s/filedist"]`),
		chromedp.WaitVisible(`#f-peers`),
		chromedp.SetValue(`#f-peers`, "20"),
		chromedp.SetValue(`#f-server_upload`, "5Mbps"), // u_s = 5u, u = 1 Mbps
	)
	shot("form.png")
	do(chromedp.Click(`#run`), chromedp.WaitVisible(`#summary`))
	cells, err := chromedp.Run(ctx, chromedp.Evaluate[[][]string](`Array.from(document.querySelectorAll("#summary tr")).map(r => Array.from(r.children).map(c => c.textContent))`))
	require.NoError(t, err)
	shot("result.png")
	want := cliTable(t, "filedist", "--set", "peers=20", "--set", "server_upload=5Mbps")
	require.Equal(t, want, cells)

	// A bad value: the message --set gives, beside the field.
	do(
		chromedp.Navigate(ts.URL+"/s/filedist"),
		chromedp.WaitVisible(`#f-peers`),
		chromedp.SetValue(`#f-peers`, "0"),
		chromedp.Click(`#run`),
		chromedp.WaitVisible(`#err-peers`),
	)
	require.Equal(t, "--set peers=0: peers: must be at least 1, got 0", text(`#err-peers`))

	// A long campaign (1750 runs): its progress comes through the event stream, and
	// Cancel stops it.
	do(
		chromedp.Navigate(ts.URL+"/s/filedist"),
		chromedp.WaitVisible(`#f-replications`),
		chromedp.SetValue(`#f-replications`, "25"),
		chromedp.Click(`#run`),
		chromedp.WaitVisible(`#cancel`),
	)
	_, err = chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById("status").textContent.includes("runs/s")`, chromedp.WithPollingTimeout(time.Minute)))
	require.NoError(t, err, "the progress stream never reported a rate")
	do(chromedp.Click(`#cancel`), chromedp.WaitVisible(`p.state-cancelled`))
	status := text(`#status`)
	require.Contains(t, status, "cancelled: cancelled by its Cancel button")
	require.NotContains(t, status, "(1750 of 1750", "it stopped before the end")
	waitIdle(t, ts)
	srv.mu.Lock()
	defer srv.mu.Unlock()
	require.Zero(t, srv.running, "no campaign left running")
}
