package mail

import "netsim/sim"

// The closed forms the mail models are held against, when transmission time is
// negligible.

// FirstSYNAfter is when a server that queued a message at queued first reaches a
// destination server that is down until up: the first SYN it sends at or after up
// (an earlier one is lost with the crashed host, and answers nothing even after it
// recovers). Its delivery attempts begin at queued + k·interval, k = 0, 1, ... (Kurose
// & Ross §2.4: "every 30 minutes"), and each sends its SYN at 0, rto, 3·rto, 7·rto, ...
// — synRetries retransmissions, the RTO doubling each time (RFC 6298 §5.5) — before
// the dial fails. The interval must be longer than a dial's whole life.
func FirstSYNAfter(queued, up, interval, rto sim.Time, synRetries int) sim.Time {
	for a := queued; ; a += interval {
		for i := 0; i <= synRetries; i++ {
			if s := a + rto*(1<<i-1); s >= up {
				return s
			}
		}
	}
}

// SMTPDepositHalfRTTs counts the half round trips from an SMTP client's SYN to the
// message's arrival in the server's mailbox, for a message of rcpts recipients sent
// with HELO as the texts do: the handshake (2), the server's 220 (2), HELO (2), MAIL
// (2), each RCPT (2), DATA (2), and the message on its way (1).
func SMTPDepositHalfRTTs(rcpts int) int { return 11 + 2*rcpts }

// GiveUpTime is when a message queued at queued for a server that never answers is
// given up and bounced: its last attempt is the one that starts at or before queued +
// giveUp, and it gives up when that attempt's dial fails, after its synRetries
// retransmissions.
func GiveUpTime(queued, interval, giveUp, rto sim.Time, synRetries int) sim.Time {
	last := queued + giveUp/interval*interval
	return last + rto*(1<<(synRetries+1)-1)
}
