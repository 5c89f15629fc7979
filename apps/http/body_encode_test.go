package http

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// A message that carries its body's bytes (Body) gives them in its encoding, after
// its text, so a capture shows them rather than filler (topology.Encoder); one that
// only counts its body (BodyBytes) gives its text alone, and a HEAD response, whose
// body is not sent, never its Body.
func TestEncodeCarriesTheBody(t *testing.T) {
	req := &Request{Method: MethodPost, Target: "/alice/send", Version: Version11, Host: "crepes.fr", Body: "Do you like ketchup?\r\n", BodyBytes: 22}
	require.Equal(t, req.Text()+req.Body, string(req.Encode()))
	require.Equal(t, MessageOfRequest(req).SizeBytes, int64(len(req.Encode())))
	resp := &Response{Version: Version11, Status: StatusOK, ContentLength: 5, BodyBytes: 5, Body: "hello"}
	require.Equal(t, resp.Text()+"hello", string(resp.Encode()))
	resp.BodyBytes = 0
	require.Equal(t, resp.Text(), string(resp.Encode()), "a body not sent is not encoded")
	counted := &Response{Version: Version11, Status: StatusOK, ContentLength: 1000, BodyBytes: 1000}
	require.Equal(t, counted.Text(), string(counted.Encode()))
}
