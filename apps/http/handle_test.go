package http

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// A program's own resources (ServerConfig.Handle): the request's body reaches it, its
// response's body reaches the client, and the sizes on the wire are the texts' and
// the bodies' lengths. Paths it leaves (nil) fall to the catalogue.
func TestHandlerServesAProgramsResources(t *testing.T) {
	var posted string
	p, _, to := clientPeer(t, ServerConfig{Handle: func(req *Request) *Response {
		switch req.Target {
		case "/echo":
			posted = req.Body
			return &Response{Status: StatusOK, ContentType: "text/plain", Body: "got " + req.Body}
		}
		return nil
	}})
	cl := NewClient(p.client, ClientConfig{})
	var xs []Exchange
	post := &Request{Method: MethodPost, Target: "/echo", Version: Version11, Host: ServerHost, Body: "hello", BodyBytes: 5}
	cl.Do(to, post, func(x Exchange) {
		xs = append(xs, x)
		cl.Do(to, get("/a"), func(x Exchange) { xs = append(xs, x) })
	})
	bad := &Request{Method: MethodPost, Target: "/echo", Version: Version11, Host: ServerHost, Body: "hello", BodyBytes: 4}
	cl.Do(to, bad, func(x Exchange) { xs = append(xs, x) })
	p.k.Run()
	require.Len(t, xs, 3)
	require.Equal(t, "hello", posted)
	var ok, cat, refused Exchange
	for _, x := range xs {
		switch {
		case x.Req == bad:
			refused = x
		case x.Req == post:
			ok = x
		default:
			cat = x
		}
	}
	require.Equal(t, StatusOK, ok.Resp.Status)
	require.Equal(t, "got hello", ok.Resp.Body)
	require.Equal(t, int64(9), ok.Resp.ContentLength)
	require.Equal(t, int64(len(ok.Resp.Text())+9), ok.RespBytes)
	require.Equal(t, int64(len(post.Text())+5), ok.ReqBytes)
	require.Equal(t, StatusOK, cat.Resp.Status)
	require.Equal(t, int64(1000), cat.Resp.BodyBytes)
	require.Equal(t, StatusBadRequest, refused.Resp.Status, "a body whose length is not its Content-Length")
}
