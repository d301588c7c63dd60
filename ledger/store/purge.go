package store

import (
	"time"

	"github.com/coopledger/coopledger/ledger"
)

// PurgeExpired deletes the sessions that can no longer sign anybody in
// (past their absolute end, or unused for idle when idle > 0) and the
// one-time sign-in links past their end. They are refused when presented
// anyway; purging keeps the file from holding every sign-in ever made.
// The scheduler runs it hourly. It returns how many records it deleted,
// and records one audit event when it deleted any.
func (db *DB) PurgeExpired(idle time.Duration) (n int, err error) {
	err = db.Update(func(tx *Tx) error {
		n = 0
		var dead [][]byte
		sessions := tx.tx.Bucket(bucketSessions)
		err := sessions.ForEach(func(k, v []byte) error {
			var s Session
			if err := jsonUnmarshal(v, &s); err != nil {
				return err
			}
			if s.ended(tx.now, idle) {
				dead = append(dead, append([]byte(nil), k...))
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, k := range dead {
			if err := sessions.Delete(k); err != nil {
				return err
			}
		}
		sessionsGone := len(dead)
		dead = dead[:0]
		links := tx.tx.Bucket(bucketLoginLinks)
		err = links.ForEach(func(k, v []byte) error {
			var l loginLink
			if err := jsonUnmarshal(v, &l); err != nil {
				return err
			}
			if l.ended(tx.now) {
				dead = append(dead, append([]byte(nil), k...))
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, k := range dead {
			if err := links.Delete(k); err != nil {
				return err
			}
		}
		n = sessionsGone + len(dead)
		if n == 0 {
			return nil
		}
		return tx.audit(ledger.System, "auth.purge", "", map[string]int{"sessions": sessionsGone, "links": len(dead)})
	})
	return n, err
}
