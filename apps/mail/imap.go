package mail

import (
	"fmt"
	"strconv"
	"strings"

	"netsim/apps/crlf"
	"netsim/sim"
	"netsim/topology"
)

// IMAP limits: RFC 9051 §4 asks servers to take lines of 8192 octets; literals are
// bounded so that a peer cannot make the server hold without limit. The autologout
// timer is at least 30 minutes (§5.4).
const (
	MaxIMAPLineBytes    = 8192
	MaxIMAPLiteralBytes = 64 << 10
	IMAPIdle            = 30 * sim.Minute
)

// imapd is one IMAP session of the server (RFC 9051; Kurose & Ross §2.4.4): a user
// logs in, selects a folder (INBOX, or one of the folders the user created), fetches
// a message's header alone or one of its MIME parts, searches by sender and subject,
// moves messages between folders. The folders are on the server's disk, so they are
// the same at the next session and from any machine. Commands are numbered by
// sequence number; UID commands, IDLE and authentication other than LOGIN are not
// modelled (they answer BAD).
type imapd struct {
	s        *Server
	c        topology.Conn
	in       crlf.Reader
	pending  string // a command cut by a literal, so far
	literal  int    // octets of a literal still to come
	acct     *Account
	sel      *Folder // the selected folder, nil if none
	readOnly bool    // EXAMINE
	exists   int     // what the client was last told EXISTS
	out      strings.Builder
	idle     *idleTimer
	done     bool
}

func (s *Server) acceptIMAP(c topology.Conn) {
	s.stats.Sessions[ProtoIMAP]++
	d := &imapd{s: s, c: c, in: crlf.Reader{Max: MaxIMAPLineBytes}}
	c.SetHandler(sessionHandler(d))
	d.line("* OK [CAPABILITY IMAP4rev2 MOVE] IMAP4rev2 server ready")
	d.flush()
	d.arm()
}

func (d *imapd) arm() {
	d.idle = newIdleTimer(d.s.h, IMAPIdle, func() {
		d.line("* BYE Autologout; idle for too long")
		d.flush()
		d.end()
		d.c.Close()
	})
}

func (d *imapd) end() {
	d.done = true
	d.idle.stop()
}

// line adds a response line; flush sends what the command produced, as one message.
func (d *imapd) line(s string) {
	d.out.WriteString(s)
	d.out.WriteString("\r\n")
}

func (d *imapd) flush() {
	if d.out.Len() == 0 || d.done {
		d.out.Reset()
		return
	}
	m := crlf.Message(d.out.String())
	d.out.Reset()
	d.s.countOut(ProtoIMAP, m.SizeBytes)
	d.c.Send(m)
}

func (d *imapd) input(m topology.Message) {
	if d.done {
		return
	}
	d.s.countIn(ProtoIMAP, m.SizeBytes)
	d.idle.touch()
	text, ok := crlf.Text(m)
	if !ok {
		d.line("* BAD Not an IMAP command")
		d.flush()
		return
	}
	d.in.Feed(text, func(piece string, tooLong bool) bool {
		switch {
		case d.literal > 0:
			d.literal = 0
			d.pending += piece
		case tooLong:
			d.pending = ""
			d.line("* BAD Command line too long")
		default:
			d.pending += piece
			if n, ok := literalAtEnd(piece); ok {
				if n > MaxIMAPLiteralBytes || len(d.pending) > MaxIMAPLiteralBytes {
					tag, _, _ := strings.Cut(d.pending, " ")
					d.pending = ""
					if !validTag(tag) {
						tag = "*"
					}
					d.line(tag + " BAD Literal too large")
					break
				}
				d.pending += "\r\n"
				if n > 0 {
					d.literal = n
					d.in.Literal(n)
					d.line("+ Ready for literal data")
				}
				break
			}
			cmd := d.pending
			d.pending = ""
			d.command(cmd)
		}
		d.flush()
		return !d.done
	})
}

// literalAtEnd reports a line that ends with a literal's announcement, {n} (or
// LITERAL-'s {n+}, which this server also answers with a continuation).
func literalAtEnd(line string) (int, bool) {
	if !strings.HasSuffix(line, "}") {
		return 0, false
	}
	i := strings.LastIndexByte(line, '{')
	if i < 0 {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimSuffix(line[i+1:len(line)-1], "+"))
	if err != nil || n < 0 || len(line)-i > 12 {
		return 0, false
	}
	return n, true
}

// command answers one whole command.
func (d *imapd) command(cmd string) {
	tag, name, args, err := parseIMAP(cmd)
	if err != nil {
		if tag == "" || !validTag(tag) {
			tag = "*"
		}
		d.line(tag + " BAD Syntax error in command")
		return
	}
	ok := func(text string) { d.line(tag + " OK " + text) }
	no := func(text string) { d.line(tag + " NO " + text) }
	bad := func(text string) { d.line(tag + " BAD " + text) }
	switch name {
	case "CAPABILITY":
		d.line("* CAPABILITY IMAP4rev2 MOVE")
		ok("CAPABILITY completed")
		return
	case "NOOP":
		d.news()
		ok("NOOP completed")
		return
	case "LOGOUT":
		d.line("* BYE IMAP4rev2 server logging out")
		ok("LOGOUT completed")
		d.flush()
		d.end()
		d.c.Close()
		return
	case "LOGIN":
		if d.acct != nil {
			bad("Already logged in")
			return
		}
		if len(args) != 2 || args[0].kind == 'l' || args[1].kind == 'l' {
			bad("LOGIN needs a user name and a password")
			return
		}
		a, found := d.s.store.Account(args[0].s)
		if !found || a.Password != args[1].s {
			no("[AUTHENTICATIONFAILED] Invalid credentials")
			return
		}
		d.acct = a
		ok("LOGIN completed")
		return
	}
	if d.acct == nil {
		switch name {
		case "SELECT", "EXAMINE", "CREATE", "LIST", "FETCH", "SEARCH", "STORE", "MOVE", "COPY", "EXPUNGE", "CLOSE", "UNSELECT", "STATUS":
			bad("Log in first")
		default:
			bad("Unknown command")
		}
		return
	}
	switch name {
	case "SELECT", "EXAMINE":
		if len(args) != 1 || args[0].kind == 'l' {
			bad(name + " needs a mailbox name")
			return
		}
		f, found := d.acct.Folder(args[0].s)
		if !found {
			d.sel = nil
			no("[NONEXISTENT] Mailbox does not exist")
			return
		}
		d.sel, d.readOnly, d.exists = f, name == "EXAMINE", len(f.Msgs)
		d.line(fmt.Sprintf("* %d EXISTS", len(f.Msgs)))
		d.line(`* FLAGS (\Seen \Deleted)`)
		d.line(`* OK [PERMANENTFLAGS (\Seen \Deleted)] Limited`)
		d.line("* OK [UIDVALIDITY 1] UIDs valid")
		d.line(fmt.Sprintf("* OK [UIDNEXT %d] Predicted next UID", f.UIDNext))
		d.line("* LIST () \"/\" " + imapQuote(f.Name))
		if d.readOnly {
			ok("[READ-ONLY] EXAMINE completed")
		} else {
			ok("[READ-WRITE] SELECT completed")
		}
	case "CREATE":
		if len(args) != 1 || args[0].kind == 'l' || args[0].s == "" || strings.ContainsAny(args[0].s, "*%") {
			bad("CREATE needs a mailbox name")
			return
		}
		if !d.acct.Create(args[0].s) {
			no("[ALREADYEXISTS] Mailbox already exists")
			return
		}
		ok("CREATE completed")
	case "LIST":
		if len(args) != 2 || args[0].kind == 'l' || args[1].kind == 'l' {
			bad("LIST needs a reference and a pattern")
			return
		}
		for _, name := range d.acct.Folders() {
			if listMatch(args[1].s, name) {
				d.line("* LIST () \"/\" " + imapQuote(name))
			}
		}
		ok("LIST completed")
	case "STATUS":
		bad("STATUS is not supported")
	case "FETCH", "SEARCH", "STORE", "MOVE", "COPY", "EXPUNGE", "CLOSE", "UNSELECT":
		if d.sel == nil {
			bad("No mailbox selected")
			return
		}
		d.selected(name, args, ok, no, bad)
	case "UID":
		bad("UID commands are not supported")
	default:
		bad("Unknown command")
	}
}

// listMatch matches LIST's pattern: "*" and "%" match any run of characters (the
// model has no hierarchy), the rest itself; INBOX case-insensitively.
func listMatch(pattern, name string) bool {
	if strings.EqualFold(name, Inbox) && strings.EqualFold(pattern, Inbox) {
		return true
	}
	if pattern == "" {
		return false
	}
	parts := strings.FieldsFunc(pattern, func(r rune) bool { return r == '*' || r == '%' })
	wild := strings.ContainsAny(pattern, "*%")
	if !wild {
		return pattern == name
	}
	rest := name
	for i, p := range parts {
		j := strings.Index(rest, p)
		if j < 0 || i == 0 && !strings.HasPrefix(pattern, "*") && !strings.HasPrefix(pattern, "%") && j != 0 {
			return false
		}
		rest = rest[j+len(p):]
	}
	last := pattern[len(pattern)-1]
	return rest == "" || last == '*' || last == '%'
}

// news tells the client of messages that arrived in the selected folder.
func (d *imapd) news() {
	if d.sel != nil && len(d.sel.Msgs) != d.exists {
		d.exists = len(d.sel.Msgs)
		d.line(fmt.Sprintf("* %d EXISTS", d.exists))
	}
}

// selected runs the commands of the selected state.
func (d *imapd) selected(name string, args []imapArg, ok, no, bad func(string)) {
	f := d.sel
	d.news()
	set := func() ([]int, bool) {
		if len(args) == 0 || args[0].kind != 'a' {
			return nil, false
		}
		return seqSet(args[0].s, len(f.Msgs))
	}
	switch name {
	case "FETCH":
		nums, valid := set()
		if !valid || len(args) != 2 {
			bad("Invalid sequence set or items")
			return
		}
		items, valid := fetchItems(args[1])
		if !valid {
			bad("Invalid fetch items")
			return
		}
		for _, n := range nums {
			d.fetch(n, f.Msgs[n-1], items)
		}
		ok("FETCH completed")
	case "SEARCH":
		match, valid := searchCriteria(args)
		if !valid {
			bad("Invalid search criteria")
			return
		}
		var hits []int
		for i, m := range f.Msgs {
			if match(m) {
				hits = append(hits, i+1)
			}
		}
		// RFC 9051 §7.3.4: IMAP4rev2 answers SEARCH with ESEARCH.
		resp := "* ESEARCH"
		if len(hits) > 0 {
			resp += " ALL " + formatSeqSet(hits)
		}
		d.line(resp)
		ok("SEARCH completed")
	case "STORE":
		nums, valid := set()
		if !valid || len(args) != 3 || args[1].kind != 'a' {
			bad("Invalid STORE")
			return
		}
		op := strings.ToUpper(args[1].s)
		silent := strings.HasSuffix(op, ".SILENT")
		op = strings.TrimSuffix(op, ".SILENT")
		flags := args[2].list
		if args[2].kind == 'a' {
			flags = []imapArg{args[2]}
		}
		if op != "FLAGS" && op != "+FLAGS" && op != "-FLAGS" {
			bad("Invalid STORE")
			return
		}
		if d.readOnly {
			no("Mailbox is read-only")
			return
		}
		for _, n := range nums {
			m := f.Msgs[n-1]
			if op == "FLAGS" {
				m.Seen, m.Deleted = false, false
			}
			for _, fl := range flags {
				switch strings.ToLower(fl.s) {
				case `\seen`:
					m.Seen = op != "-FLAGS"
				case `\deleted`:
					m.Deleted = op != "-FLAGS"
				}
			}
			if !silent {
				d.line(fmt.Sprintf("* %d FETCH (FLAGS %s)", n, flagList(m)))
			}
		}
		ok("STORE completed")
	case "MOVE", "COPY":
		nums, valid := set()
		if !valid || len(args) != 2 || args[1].kind == 'l' {
			bad("Invalid " + name)
			return
		}
		to, found := d.acct.Folder(args[1].s)
		if !found {
			no("[TRYCREATE] No such mailbox")
			return
		}
		switch {
		case name == "MOVE" && d.readOnly:
			no("Mailbox is read-only")
			return
		case name == "MOVE" && to == f:
			no("[CANNOT] The message is in that mailbox already")
			return
		}
		moved := map[*Stored]bool{}
		for _, n := range nums {
			m := f.Msgs[n-1]
			cp := *m
			to.add(&cp)
			moved[m] = true
		}
		if name == "MOVE" {
			d.remove(func(m *Stored) bool { return moved[m] }, true)
		}
		ok(name + " completed")
	case "EXPUNGE":
		if d.readOnly {
			no("Mailbox is read-only")
			return
		}
		d.remove(func(m *Stored) bool { return m.Deleted }, true)
		ok("EXPUNGE completed")
	case "CLOSE", "UNSELECT":
		if name == "CLOSE" && !d.readOnly {
			d.remove(func(m *Stored) bool { return m.Deleted }, false)
		}
		d.sel = nil
		ok(name + " completed")
	}
}

// remove takes the messages gone(m) out of the selected folder, telling the client
// each one's sequence number as it goes (the later ones move down, RFC 9051 §7.5.1).
func (d *imapd) remove(gone func(*Stored) bool, tell bool) {
	f := d.sel
	kept := f.Msgs[:0]
	for _, m := range f.Msgs {
		if gone(m) {
			if tell {
				d.line(fmt.Sprintf("* %d EXPUNGE", len(kept)+1))
			}
			continue
		}
		kept = append(kept, m)
	}
	clear(f.Msgs[len(kept):])
	f.Msgs = kept
	d.exists = len(kept)
}

func flagList(m *Stored) string {
	var fl []string
	if m.Seen {
		fl = append(fl, `\Seen`)
	}
	if m.Deleted {
		fl = append(fl, `\Deleted`)
	}
	return "(" + strings.Join(fl, " ") + ")"
}

// fetchItem is one item a FETCH asks for.
type fetchItem struct {
	name    string // FLAGS, RFC822.SIZE, UID, INTERNALDATE, BODY
	section string // BODY's: "", HEADER, TEXT, or a part number
	peek    bool
}

// fetchItems reads FETCH's items: one item or a list, or the macros ALL and FAST.
func fetchItems(a imapArg) ([]fetchItem, bool) {
	list := a.list
	if a.kind == 'a' {
		switch strings.ToUpper(a.s) {
		case "ALL", "FAST":
			return []fetchItem{{name: "FLAGS"}, {name: "INTERNALDATE"}, {name: "RFC822.SIZE"}}, true
		}
		list = []imapArg{a}
	}
	if len(list) == 0 {
		return nil, false
	}
	var out []fetchItem
	for _, it := range list {
		if it.kind != 'a' {
			return nil, false
		}
		s := strings.ToUpper(it.s)
		switch s {
		case "FLAGS", "RFC822.SIZE", "UID", "INTERNALDATE":
			out = append(out, fetchItem{name: s})
			continue
		}
		peek := strings.HasPrefix(s, "BODY.PEEK[")
		if !peek && !strings.HasPrefix(s, "BODY[") || !strings.HasSuffix(s, "]") {
			return nil, false
		}
		sec := s[strings.IndexByte(s, '[')+1 : len(s)-1]
		if sec != "" && sec != "HEADER" && sec != "TEXT" {
			if n, err := strconv.Atoi(sec); err != nil || n < 1 || len(sec) > 6 {
				return nil, false
			}
		}
		out = append(out, fetchItem{name: "BODY", section: sec, peek: peek})
	}
	return out, true
}

// fetch answers FETCH for message n: "* n FETCH (...)", each section as a literal.
func (d *imapd) fetch(n int, m *Stored, items []fetchItem) {
	var b strings.Builder
	fmt.Fprintf(&b, "* %d FETCH (", n)
	seen := m.Seen
	for i, it := range items {
		if i > 0 {
			b.WriteByte(' ')
		}
		switch it.name {
		case "FLAGS":
			b.WriteString("FLAGS " + flagList(m))
		case "RFC822.SIZE":
			fmt.Fprintf(&b, "RFC822.SIZE %d", len(m.Text))
		case "UID":
			fmt.Fprintf(&b, "UID %d", m.UID)
		case "INTERNALDATE":
			b.WriteString(`INTERNALDATE "` + Epoch.Add(m.Arrived.Duration()).Format("02-Jan-2006 15:04:05 -0700") + `"`)
		case "BODY":
			var part string
			switch it.section {
			case "":
				part = m.Text
			case "HEADER":
				part, _ = SplitHeader(m.Text)
			case "TEXT":
				_, part = SplitHeader(m.Text)
			default:
				k, _ := strconv.Atoi(it.section)
				part, _ = Part(m.Text, k) // a part that does not exist is empty (§6.4.5)
			}
			fmt.Fprintf(&b, "BODY[%s] {%d}\r\n%s", it.section, len(part), part)
			if !it.peek && !d.readOnly {
				m.Seen = true
			}
		}
	}
	if m.Seen != seen {
		b.WriteString(" FLAGS " + flagList(m))
	}
	b.WriteByte(')')
	d.line(b.String())
}

// searchCriteria reads SEARCH's keys, all of which must hold (RFC 9051 §6.4.4): ALL,
// FROM, TO, SUBJECT and BODY with a string (contained, case-insensitive), SEEN,
// UNSEEN, DELETED, UNDELETED; a leading CHARSET and RETURN () are accepted.
func searchCriteria(args []imapArg) (func(*Stored) bool, bool) {
	var tests []func(*Stored) bool
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a.kind != 'a' {
			return nil, false
		}
		key := strings.ToUpper(a.s)
		str := func() (string, bool) {
			if i+1 >= len(args) || args[i+1].kind == 'l' {
				return "", false
			}
			i++
			return strings.ToLower(args[i].s), true
		}
		switch key {
		case "RETURN":
			if i+1 >= len(args) || args[i+1].kind != 'l' {
				return nil, false
			}
			i++
		case "CHARSET":
			if _, ok := str(); !ok {
				return nil, false
			}
		case "ALL":
		case "FROM", "TO", "SUBJECT":
			s, ok := str()
			if !ok {
				return nil, false
			}
			field := key
			tests = append(tests, func(m *Stored) bool {
				h, err := Header(m.Text)
				return err == nil && strings.Contains(strings.ToLower(h.Get(field)), s)
			})
		case "BODY":
			s, ok := str()
			if !ok {
				return nil, false
			}
			tests = append(tests, func(m *Stored) bool {
				_, text := SplitHeader(m.Text)
				return strings.Contains(strings.ToLower(text), s)
			})
		case "SEEN", "UNSEEN", "DELETED", "UNDELETED":
			k := key
			tests = append(tests, func(m *Stored) bool {
				switch k {
				case "SEEN":
					return m.Seen
				case "UNSEEN":
					return !m.Seen
				case "DELETED":
					return m.Deleted
				}
				return !m.Deleted
			})
		default:
			return nil, false
		}
	}
	return func(m *Stored) bool {
		for _, t := range tests {
			if !t(m) {
				return false
			}
		}
		return true
	}, true
}
