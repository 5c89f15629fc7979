// Package http models the Web's application protocol (Kurose & Ross §2.2) over
// netsim's simulated TCP: HTTP/1.1 messages as their exact wire text (message.go), an
// origin server with a catalogue, 200/301/304/404, HEAD, PUT, DELETE, POST, cookies
// and an idle timeout for persistent connections (server.go), and a browser that
// loads a page — a base HTML file and the objects it links — non-persistent (serial or
// P parallel connections) or persistent (with or without pipelining), follows 301s,
// keeps a cookie file per host, and measures each load (browser.go). Simulate builds
// the two-host network a scenario needs; theory.go holds the closed forms it is held
// against. Each model sees only its own Host: what it knows of the other end came in
// a message.
package http
