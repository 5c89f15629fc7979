package mail

import (
	"sort"
	"strings"

	"netsim/sim"
)

// Store is a mail server's disk: its users' mailboxes and folders, its queue of
// messages to relay, and its log of deliveries. It outlives the server program, so a
// crashed server recovers with its mail intact (a kind keeps one per server and hands
// it to every boot); what is in memory only — sessions, POP3 locks, retry timers — is
// lost with the program.
type Store struct {
	accounts map[string]*Account // by lower-case user name (the address's local part)
	queue    []*queued           // messages waiting to be relayed, oldest first
	nextID   uint64
	// Log lists every message deposited in a mailbox, in order: how a kind measures
	// delivery (the message's Message-ID and when it arrived).
	Log []Delivery
}

// NewStore returns an empty store.
func NewStore() *Store { return &Store{accounts: map[string]*Account{}} }

// Delivery is a message deposited in a mailbox.
type Delivery struct {
	User      string
	MessageID string // its Message-ID field, "" if none
	At        sim.Time
	Bytes     int64 // as stored, trace fields included
	Bounce    bool  // a delivery status notification the server wrote
}

// Account is one user's mailboxes: INBOX, where mail arrives (Kurose & Ross §2.4.4:
// "when a message first arrives at the server, it is associated with the recipient's
// INBOX folder"), and the folders the user creates.
type Account struct {
	Name, Password string
	// QuotaBytes, if > 0, is the most the user's folders may hold: a message beyond it
	// is refused with a temporary failure (452), and the sender retries.
	QuotaBytes int64
	folders    map[string]*Folder // by upper-case name for INBOX, else as given
	order      []string           // creation order
}

// Folder is a mailbox folder (an IMAP mailbox, RFC 9051 §2.3).
type Folder struct {
	Name    string
	Msgs    []*Stored
	UIDNext uint32
}

// Stored is a message in a folder.
type Stored struct {
	UID     uint32 // unique in its folder, increasing (RFC 9051 §2.3.1.1)
	ID      uint64 // unique on the server, kept when the message moves (POP3's UIDL)
	Text    string // the message, CRLF lines
	Arrived sim.Time
	Seen    bool // \Seen
	Deleted bool // \Deleted, until EXPUNGE
}

// AddUser gives the server a user with an empty INBOX; it replaces any account of the
// same name.
func (s *Store) AddUser(name, password string, quotaBytes int64) *Account {
	a := &Account{Name: name, Password: password, QuotaBytes: quotaBytes, folders: map[string]*Folder{}}
	a.Create(Inbox)
	s.accounts[strings.ToLower(name)] = a
	return a
}

// Account returns the account of user name (case-insensitive).
func (s *Store) Account(name string) (*Account, bool) {
	a, ok := s.accounts[strings.ToLower(name)]
	return a, ok
}

// Inbox is the name of the folder mail arrives in (RFC 9051 §5.1: case-insensitive).
const Inbox = "INBOX"

func folderKey(name string) string {
	if strings.EqualFold(name, Inbox) {
		return Inbox
	}
	return name
}

// Folder returns the folder name.
func (a *Account) Folder(name string) (*Folder, bool) {
	f, ok := a.folders[folderKey(name)]
	return f, ok
}

// Create makes a folder; false if it exists.
func (a *Account) Create(name string) bool {
	key := folderKey(name)
	if _, ok := a.folders[key]; ok {
		return false
	}
	a.folders[key] = &Folder{Name: key, UIDNext: 1}
	a.order = append(a.order, key)
	return true
}

// Folders returns the folders' names, INBOX first, then in creation order.
func (a *Account) Folders() []string {
	out := append([]string(nil), a.order...)
	sort.SliceStable(out, func(i, j int) bool { return out[i] == Inbox && out[j] != Inbox })
	return out
}

// Bytes is what the user's folders hold.
func (a *Account) Bytes() int64 {
	var n int64
	for _, f := range a.folders {
		for _, m := range f.Msgs {
			n += int64(len(m.Text))
		}
	}
	return n
}

// Fits reports whether a message of size bytes fits in the quota.
func (a *Account) Fits(size int64) bool {
	return a.QuotaBytes <= 0 || a.Bytes()+size <= a.QuotaBytes
}

// add appends a message to f.
func (f *Folder) add(m *Stored) {
	m.UID = f.UIDNext
	f.UIDNext++
	f.Msgs = append(f.Msgs, m)
}

// Deposit puts a message in user's INBOX at time at and logs it; the store gives it
// its server-wide ID. false if there is no such user.
func (s *Store) Deposit(user, text string, at sim.Time, bounce bool) bool {
	a, ok := s.Account(user)
	if !ok {
		return false
	}
	s.nextID++
	f, _ := a.Folder(Inbox)
	f.add(&Stored{ID: s.nextID, Text: text, Arrived: at})
	id := ""
	if h, err := Header(text); err == nil {
		id = h.Get("Message-Id")
	}
	s.Log = append(s.Log, Delivery{User: a.Name, MessageID: id, At: at, Bytes: int64(len(text)), Bounce: bounce})
	return true
}

// Queued returns how many messages wait to be relayed.
func (s *Store) Queued() int { return len(s.queue) }
