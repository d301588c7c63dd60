package sso

import (
	"sync"
	"time"
)

// FlowTTL is how long a browser has to come back from the provider.
const FlowTTL = 10 * time.Minute

// maxPending bounds the sign-ins in progress kept in memory; past it the
// oldest is dropped (its browser is asked to start again).
const maxPending = 10_000

// Pending holds the sign-ins in progress on the server, by state: the
// browser keeps only the state, in an HttpOnly cookie, and the provider
// echoes it. The nonce and the PKCE verifier never leave the server, and
// Take removes a flow, so a state works once. The record is in memory: a
// restart (or a second process) asks people mid-sign-in to start again.
type Pending struct {
	now   func() time.Time
	mu    sync.Mutex
	flows map[string]pendingFlow
}

type pendingFlow struct {
	flow    Flow
	next    string
	expires time.Time
}

// NewPending returns an empty record reading time from now (time.Now when
// nil).
func NewPending(now func() time.Time) *Pending {
	if now == nil {
		now = time.Now
	}
	return &Pending{now: now, flows: map[string]pendingFlow{}}
}

// Put records f, and next, the page to land on afterwards.
func (p *Pending) Put(f Flow, next string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	if len(p.flows) >= maxPending {
		var oldest string
		var at time.Time
		for s, pf := range p.flows {
			if !now.Before(pf.expires) {
				delete(p.flows, s)
			} else if oldest == "" || pf.expires.Before(at) {
				oldest, at = s, pf.expires
			}
		}
		if len(p.flows) >= maxPending {
			delete(p.flows, oldest)
		}
	}
	p.flows[f.State] = pendingFlow{flow: f, next: next, expires: now.Add(FlowTTL)}
}

// Take removes and returns the flow of state; ok is false for an unknown,
// used or expired state.
func (p *Pending) Take(state string) (f Flow, next string, ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	pf, ok := p.flows[state]
	if !ok {
		return Flow{}, "", false
	}
	delete(p.flows, state)
	if !p.now().Before(pf.expires) {
		return Flow{}, "", false
	}
	return pf.flow, pf.next, true
}
