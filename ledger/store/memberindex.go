package store

import (
	"bytes"
	"slices"

	bolt "go.etcd.io/bbolt"
)

// The member index (member seq | date | entry seq → minutes and state)
// keeps each member's entries together, so a member's month or day is one
// range. That also scatters writes: a commit of entries by 32 members
// touched 32 leaves of it, most of the pages the commit wrote. So new keys
// go first to a small bucket of their own, bucketEntriesMemberNew, whose
// few leaves a commit shares, and move into bucketEntriesMember in one
// go once memberNewMax have gathered, touching each member's leaf once
// for many entries. A key is in one of the two, never both; readers walk
// both merged (memberRange).

// memberNewMax is how many keys gather before they move into the member
// index: small enough that the bucket has a few leaves, large enough that
// a move is rare.
const memberNewMax = 256

// putMemberIndex sets key's value where the key is, or adds it to the new
// keys, moving them into the index when memberNewMax have gathered. isNew
// says the key cannot be indexed yet (its entry was just numbered), which
// spares a search of the index.
func (tx *Tx) putMemberIndex(key, value []byte, isNew bool) error {
	if !isNew {
		main := tx.tx.Bucket(bucketEntriesMember)
		// A cursor rather than Get: keys indexed before index values
		// carried minutes and state have empty values, which Get may not
		// tell from absent ones.
		if k, _ := main.Cursor().Seek(key); bytes.Equal(k, key) {
			return main.Put(key, value)
		}
	}
	fresh := tx.tx.Bucket(bucketEntriesMemberNew)
	if err := fresh.Put(key, value); err != nil {
		return err
	}
	// The bucket's sequence counts the keys added since it was emptied
	// (deleted ones too: a move then comes a little early).
	n, err := fresh.NextSequence()
	if err != nil || n < memberNewMax {
		return err
	}
	return tx.moveMemberIndex()
}

// moveMemberIndex moves the new keys into the member index and empties
// their bucket.
func (tx *Tx) moveMemberIndex() error {
	main := tx.tx.Bucket(bucketEntriesMember)
	err := tx.tx.Bucket(bucketEntriesMemberNew).ForEach(func(k, v []byte) error {
		return main.Put(bytes.Clone(k), bytes.Clone(v))
	})
	if err != nil {
		return err
	}
	if err := tx.tx.DeleteBucket(bucketEntriesMemberNew); err != nil {
		return err
	}
	_, err = tx.tx.CreateBucket(bucketEntriesMemberNew)
	return err
}

// deleteMemberIndex removes key from wherever it is.
func (tx *Tx) deleteMemberIndex(key []byte) error {
	if err := tx.tx.Bucket(bucketEntriesMember).Delete(key); err != nil {
		return err
	}
	return tx.tx.Bucket(bucketEntriesMemberNew).Delete(key)
}

// memberRange calls fn with the member index's keys that start with prefix
// and their values, in key order from start (at least prefix), or with
// reverse in descending order from the last, until fn returns false. The
// keys and values are valid only in the transaction.
func (tx *Tx) memberRange(start, prefix []byte, reverse bool, fn func(k, v []byte) bool) {
	// The new keys are few: read the matching ones first.
	type kv struct{ k, v []byte }
	var fresh []kv
	c := tx.tx.Bucket(bucketEntriesMemberNew).Cursor()
	for k, v := c.Seek(start); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		fresh = append(fresh, kv{k, v})
	}
	if reverse {
		slices.Reverse(fresh)
	}
	first := func(a, b []byte) bool {
		if reverse {
			return bytes.Compare(a, b) > 0
		}
		return bytes.Compare(a, b) < 0
	}
	i, more := 0, true
	bucketRange(tx.tx.Bucket(bucketEntriesMember), start, prefix, reverse, func(k, v []byte) bool {
		for ; i < len(fresh) && first(fresh[i].k, k); i++ {
			if !fn(fresh[i].k, fresh[i].v) {
				more = false
				return false
			}
		}
		more = fn(k, v)
		return more
	})
	for ; more && i < len(fresh); i++ {
		more = fn(fresh[i].k, fresh[i].v)
	}
}

// bucketRange calls fn with b's keys that start with prefix and their
// values, in key order from start (at least prefix), or with reverse in
// descending order from the last, until fn returns false.
func bucketRange(b *bolt.Bucket, start, prefix []byte, reverse bool, fn func(k, v []byte) bool) {
	c := b.Cursor()
	var k, v []byte
	if reverse {
		k, v = seekLast(c, prefix)
	} else {
		k, v = c.Seek(start)
	}
	for ; k != nil && bytes.HasPrefix(k, prefix); k, v = step(c, reverse) {
		if !fn(k, v) {
			return
		}
	}
}

func step(c *bolt.Cursor, reverse bool) ([]byte, []byte) {
	if reverse {
		return c.Prev()
	}
	return c.Next()
}

// seekLast positions c on the last key with prefix (or where it would be).
func seekLast(c *bolt.Cursor, prefix []byte) ([]byte, []byte) {
	if len(prefix) == 0 {
		return c.Last()
	}
	end := append([]byte(nil), prefix...)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xff {
			end[i]++
			end = end[:i+1]
			if k, _ := c.Seek(end); k == nil {
				return c.Last()
			}
			return c.Prev()
		}
	}
	return c.Last()
}
