package webcache

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"netsim/capture/capturetest"
)

// Kurose & Ross §2.2.5's web cache, captured on the cache's host (host0) and on a
// browser (host1): every exchange is HTTP over its own TCP connection, browser to
// cache and cache to origin, and decodes as such. Each GET the browsers send reaches
// the cache; the cache's own GETs (misses and revalidations) go to the origin, and
// each is answered.
func TestPcapOfAWebCache(t *testing.T) {
	cfg := DefaultSimConfig()
	cfg.Requests, cfg.Warmup, cfg.Browsers, cfg.Origins = 40, 0, 2, 1
	cfg.ObjectBytes = 20_000
	cfg.Net.InternetDelay = cfg.Net.InternetDelay / 10
	var res Result
	c := capturetest.Run(t, []string{"host0", "host1"}, func(attach capturetest.Attach) error {
		cfg.Attach = attach
		var err error
		res, err = Simulate(context.Background(), cfg, 1, nil)
		return err
	})
	c.Check(t)
	cache := c.IP(t, "host0")
	inbound := c.Fields(t, "host0", "http.request && ip.dst == "+cache, "http.request.uri")
	outbound := c.Fields(t, "host0", "http.request && ip.src == "+cache, "http.request.uri")
	responses := c.Fields(t, "host0", "http.response", "http.response.code")
	require.Len(t, inbound, int(res.Requests))
	require.Equal(t, len(inbound)+len(outbound), len(responses))
	require.Equal(t, int(res.Requests-res.Outcomes[Hit]), len(outbound), "a fresh hit is answered without asking the origin")
}
