package store

import (
	"time"

	"github.com/coopledger/coopledger/ledger"
	bolt "go.etcd.io/bbolt"
)

// PurgeExpired deletes the sessions that can no longer sign anybody in
// (past their absolute end, or unused for idle when idle > 0) and the
// one-time sign-in links past their end. They are refused when presented
// anyway; purging keeps the file from holding every sign-in ever made.
// The scheduler runs it hourly. It returns how many records it deleted,
// and records one audit event when it deleted any.
func (db *DB) PurgeExpired(idle time.Duration) (n int, err error) {
	// Look in a read first: most hours nothing has ended, and then the
	// sweep commits nothing.
	err = db.View(func(tx *Tx) error {
		sessions, links, err := tx.ended(idle)
		n = len(sessions) + len(links)
		return err
	})
	if err != nil || n == 0 {
		return 0, err
	}
	err = db.Update(func(tx *Tx) error {
		sessions, links, err := tx.ended(idle)
		if err != nil {
			return err
		}
		for _, k := range sessions {
			if err := tx.tx.Bucket(bucketSessions).Delete(k); err != nil {
				return err
			}
		}
		for _, k := range links {
			if err := tx.tx.Bucket(bucketLoginLinks).Delete(k); err != nil {
				return err
			}
		}
		if n = len(sessions) + len(links); n == 0 {
			return nil
		}
		return tx.audit(ledger.System, "auth.purge", "", map[string]int{"sessions": len(sessions), "links": len(links)})
	})
	return n, err
}

// ended returns the keys of the sessions and sign-in links that have ended.
func (tx *Tx) ended(idle time.Duration) (sessions, links [][]byte, err error) {
	sessions, err = endedKeys(tx.tx.Bucket(bucketSessions), func(s Session) bool { return s.ended(tx.now, idle) })
	if err != nil {
		return nil, nil, err
	}
	links, err = endedKeys(tx.tx.Bucket(bucketLoginLinks), func(l loginLink) bool { return l.ended(tx.now) })
	return sessions, links, err
}

// endedKeys returns the keys of the records of b (JSON of a T) that ended
// says have ended.
func endedKeys[T any](b *bolt.Bucket, ended func(T) bool) ([][]byte, error) {
	var dead [][]byte
	err := b.ForEach(func(k, v []byte) error {
		var r T
		if err := jsonUnmarshal(v, &r); err != nil {
			return err
		}
		if ended(r) {
			dead = append(dead, append([]byte(nil), k...))
		}
		return nil
	})
	return dead, err
}
