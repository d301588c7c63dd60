package store

import (
	"sync"
	"sync/atomic"

	"github.com/coopledger/coopledger/ledger"
)

// tokenCache remembers which member each bearer token signed in, so an
// API request usually opens no read transaction to authenticate: at 32
// concurrent writers that read was a twelfth of the server's work. An
// entry holds while no member record has changed since it was read
// (generation); tokens are never changed in place, and the member's
// membership dates are checked against today on every use.
type tokenCache struct {
	generation atomic.Uint64
	entries    sync.Map // sha256(token) as string → tokenEntry
}

type tokenEntry struct {
	generation uint64
	member     ledger.Member
}

// membersChanged invalidates every cached sign-in once tx commits; tx
// changed a member record.
func (tx *Tx) membersChanged() {
	tx.tx.OnCommit(func() { tx.db.tokenHits.generation.Add(1) })
}

// lookup returns the member a token signed in as, when still valid.
func (c *tokenCache) lookup(key []byte, today string) (ledger.Member, bool) {
	g := c.generation.Load()
	v, ok := c.entries.Load(string(key))
	if !ok {
		return ledger.Member{}, false
	}
	e := v.(tokenEntry)
	if e.generation != g || !e.member.Active(today) {
		return ledger.Member{}, false
	}
	return ownCopy(e.member), true
}

// remember records what a read that started at generation g found.
func (c *tokenCache) remember(key []byte, g uint64, m ledger.Member) {
	c.entries.Store(string(key), tokenEntry{generation: g, member: ownCopy(m)})
}
