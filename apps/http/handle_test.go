package http

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// A request whose Body disagrees with its Content-Length does not check (RFC 7230
// §3.3.2: Content-Length is the body's length in octets).
func TestRequestBodyMustMatchContentLength(t *testing.T) {
	r := &Request{Method: MethodPost, Target: "/send", Version: Version11, Host: "mail.example", Body: "hello", BodyBytes: 4}
	require.Error(t, r.Check())
	r.BodyBytes = 5
	require.NoError(t, r.Check())
}
