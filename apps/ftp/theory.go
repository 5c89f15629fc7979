package ftp

// SessionRTTs is how many RTTs an FTP session takes, from the client's dial to the end
// of its last transfer, when transmission time is negligible:
//
//   - 2 for the control connection: the handshake, then the server's 220, which it
//     sends once it has accepted the connection (on the handshake's ACK);
//   - 1 for USER and 331, 1 for PASS and 230;
//   - 1 for CWD and 250, if the session changes directory;
//   - 3 per transfer (LIST, RETR or STOR), on a data connection of its own. Passive:
//     PASV and 227, the client's handshake to the announced port, then the command
//     and the data. Active: PORT and 200, then the command: the server dials back
//     from port 20 as it answers 150 (half an RTT to reach the client, half for the
//     SYN-ACK to return) and its data arrives half an RTT after the SYN-ACK.
//
// QUIT and 221 add one more. Compare HTTP (Kurose & Ross §2.2.2): non-persistent,
// 2 RTT per object; persistent, 1 RTT per object after the first connection's 2.
func SessionRTTs(transfers int, cwd bool) int {
	n := 4 + 3*transfers
	if cwd {
		n++
	}
	return n
}
