// Package http models the Web's application protocol (Kurose & Ross §2.2) over
// netsim's simulated TCP: HTTP/1.1 messages as their exact wire text (message.go), an
// origin server with a catalogue, 200/301/304/404, HEAD, PUT, DELETE, POST, cookies
// and an idle timeout for persistent connections (server.go), and a browser that
// loads a page — a base HTML file and the objects it links — non-persistent (serial or
// P parallel connections) or persistent (with or without pipelining), follows 301s,
// keeps a cookie file per host, and measures each load (browser.go); Visits is the
// program of a user loading one page session after session (visit.go). The network
// they run on is the caller's: a scenario's platform, or a test's. theory.go holds the
// closed forms the models are held against. Each model sees only its own Host: what
// it knows of the other end came in a message.
package http
