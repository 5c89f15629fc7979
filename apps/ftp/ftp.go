// Package ftp models the File Transfer Protocol (RFC 959; Kurose & Ross §2.3) over
// netsim's simulated TCP: a server with users, a directory tree and each session's
// current directory (server.go), and a client that logs in and lists, gets and puts
// files (client.go). FTP sends its control information out of band: commands and
// replies travel on a control connection to port 21 that lasts the whole session,
// and every file and every directory listing on a data connection of its own, opened
// for it and closed after it. In active mode (the default, RFC 959 §3.2) the server
// dials the port the client announced with PORT, from its port 20; in passive mode
// (PASV) the client dials a port the server opened for it.
//
// Commands and replies are their real text, CRLF-ended 7-bit ASCII lines, so their
// byte counts are true; a listing is the real text of `ls -l`, and a file's data is
// counted, not modelled. A malformed command gets 500 or 501, never a panic.
package ftp

import (
	"fmt"
	"strconv"
	"strings"

	"netsim/topology"
)

// Well-known ports (RFC 959 §3.2, §5.3; IANA).
const (
	ControlPort = 21
	DataPort    = 20 // L−1: the port an active-mode server dials data connections from
)

// Replies (RFC 959 §4.2.2), in the texts' words where they give them (Kurose & Ross
// §2.3.1: 331, 125, 425, 452).
const (
	ReplyDataOpen       = "125 Data connection already open; transfer starting"
	ReplyOpening        = "150 File status okay; about to open data connection."
	ReplyOK             = "200 Command okay."
	ReplySystem         = "215 UNIX Type: L8"
	ReplyReady          = "220 Service ready for new user."
	ReplyBye            = "221 Service closing control connection."
	ReplyTransferDone   = "226 Closing data connection."
	ReplyLoggedIn       = "230 User logged in, proceed."
	ReplyFileActionDone = "250 Requested file action okay, completed."
	ReplyNeedPassword   = "331 Username OK, password required"
	ReplyCantOpenData   = "425 Can't open data connection"
	ReplyAborted        = "426 Connection closed; transfer aborted."
	ReplyWriteError     = "452 Error writing file"
	ReplyUnknown        = "500 Syntax error, command unrecognized."
	ReplyLineTooLong    = "500 Syntax error, line too long."
	ReplyBadArguments   = "501 Syntax error in parameters or arguments."
	ReplyNotImplemented = "502 Command not implemented."
	ReplyBadSequence    = "503 Bad sequence of commands."
	ReplyBadParameter   = "504 Command not implemented for that parameter."
	ReplyNotLoggedIn    = "530 Not logged in."
	ReplyUnavailable    = "550 Requested action not taken. File unavailable."
)

// MaxLineBytes is the longest command line the server reads, CRLF included; a longer
// one is answered with 500 and skipped. RFC 959 sets no limit; servers do
// (vsftpd reads 4096 bytes), and a simulated one must not buffer without bound.
const MaxLineBytes = 4096

// The model's hosts have IPv4 addresses for PORT and PASV, which carry them (RFC 959
// §4.1.2: h1,h2,h3,h4,p1,p2): node i is 10.0.0.0 + i + 1, as in netsim's captures.

// hostPort is an address as PORT and PASV write it.
func hostPort(a topology.Addr) string {
	ip := uint32(10)<<24 + uint32(a.Node) + 1
	return fmt.Sprintf("%d,%d,%d,%d,%d,%d", ip>>24, ip>>16&255, ip>>8&255, ip&255, a.Port>>8, a.Port&255)
}

// parseHostPort reads h1,h2,h3,h4,p1,p2 back into an address of the model's network.
func parseHostPort(s string) (topology.Addr, bool) {
	f := strings.Split(strings.TrimSpace(s), ",")
	if len(f) != 6 {
		return topology.Addr{}, false
	}
	var n [6]uint32
	for i, x := range f {
		v, err := strconv.ParseUint(x, 10, 8)
		if err != nil {
			return topology.Addr{}, false
		}
		n[i] = uint32(v)
	}
	ip := n[0]<<24 | n[1]<<16 | n[2]<<8 | n[3]
	port := int(n[4]<<8 | n[5])
	if ip>>24 != 10 || ip&0xffffff == 0 || port == 0 {
		return topology.Addr{}, false
	}
	return topology.Addr{Node: topology.NodeID(ip&0xffffff - 1), Port: port}, true
}

// FileData is the payload of a file on a data connection: its bytes are counted
// (SizeBytes), not carried.
type FileData struct {
	Name string
}

// Encode is the file's bytes as far as the model carries them: none; a capture
// writes the file's SizeBytes as filler (topology.Encoder).
func (FileData) Encode() []byte { return nil }

// Label names the data in a sequence chart: "data of ketchup.txt" (topology.Labeler).
func (d FileData) Label() string { return "data of " + d.Name }
