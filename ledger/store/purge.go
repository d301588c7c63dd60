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
	err = db.Update(func(tx *Tx) error {
		sessions, err := deleteEnded(tx.tx.Bucket(bucketSessions), func(s Session) bool { return s.ended(tx.now, idle) })
		if err != nil {
			return err
		}
		links, err := deleteEnded(tx.tx.Bucket(bucketLoginLinks), func(l loginLink) bool { return l.ended(tx.now) })
		if err != nil {
			return err
		}
		if n = sessions + links; n == 0 {
			return nil
		}
		return tx.audit(ledger.System, "auth.purge", "", map[string]int{"sessions": sessions, "links": links})
	})
	return n, err
}

// deleteEnded deletes the records of b (JSON of a T) that ended says
// have ended, and returns how many.
func deleteEnded[T any](b *bolt.Bucket, ended func(T) bool) (int, error) {
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
	if err != nil {
		return 0, err
	}
	for _, k := range dead {
		if err := b.Delete(k); err != nil {
			return 0, err
		}
	}
	return len(dead), nil
}
