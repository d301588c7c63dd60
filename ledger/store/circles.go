package store

import (
	"fmt"
	"strings"

	"github.com/coopledger/coopledger/ledger"
)

// CreateCircle adds a circle; names are unique ignoring case. Admins only.
func (tx *Tx) CreateCircle(actor ledger.Member, in ledger.CircleInput) (ledger.Circle, error) {
	if !actor.IsAdmin() {
		return ledger.Circle{}, fmt.Errorf("create circle: %w", ledger.ErrForbidden)
	}
	if err := in.Validate(); err != nil {
		return ledger.Circle{}, err
	}
	names := tx.tx.Bucket(bucketCircleNames)
	key := []byte(strings.ToLower(in.Name))
	if names.Get(key) != nil {
		return ledger.Circle{}, ledger.FieldError("name", "a circle named "+in.Name+" already exists")
	}
	b := tx.tx.Bucket(bucketCircles)
	seq, err := b.NextSequence()
	if err != nil {
		return ledger.Circle{}, err
	}
	c := ledger.Circle{ID: formatID(prefixCircle, seq), Name: in.Name, CreatedAt: tx.now.UTC()}
	if err := put(b, u64(seq), c); err != nil {
		return ledger.Circle{}, err
	}
	if err := names.Put(key, []byte(c.ID)); err != nil {
		return ledger.Circle{}, err
	}
	return c, tx.audit(actor, "circle.create", c.ID, c)
}

// Circle returns the circle with id, or ErrNotFound.
func (tx *Tx) Circle(id string) (ledger.Circle, error) {
	var c ledger.Circle
	seq, ok := parseID(prefixCircle, id)
	if !ok {
		return c, fmt.Errorf("circle %q: %w", id, ledger.ErrNotFound)
	}
	key := u64(seq)
	raw := tx.tx.Bucket(bucketCircles).Get(key)
	if raw == nil {
		return c, fmt.Errorf("circle %q: %w", id, ledger.ErrNotFound)
	}
	if c, ok := tx.db.circles.get(key, raw); ok {
		return c, nil
	}
	if err := jsonUnmarshal(raw, &c); err != nil {
		return c, err
	}
	tx.db.circles.put(key, raw, c)
	return c, nil
}

// CircleByName finds a circle by name, ignoring case.
func (tx *Tx) CircleByName(name string) (ledger.Circle, error) {
	id := tx.tx.Bucket(bucketCircleNames).Get([]byte(strings.ToLower(strings.TrimSpace(name))))
	if id == nil {
		return ledger.Circle{}, fmt.Errorf("circle named %q: %w", name, ledger.ErrNotFound)
	}
	return tx.Circle(string(id))
}

// Circles lists every circle in id order.
func (tx *Tx) Circles() ([]ledger.Circle, error) {
	out := []ledger.Circle{}
	err := tx.tx.Bucket(bucketCircles).ForEach(func(_, v []byte) error {
		var c ledger.Circle
		if err := jsonUnmarshal(v, &c); err != nil {
			return err
		}
		out = append(out, c)
		return nil
	})
	return out, err
}

// CreateCircle adds a circle in a transaction of its own.
func (db *DB) CreateCircle(actor ledger.Member, in ledger.CircleInput) (c ledger.Circle, err error) {
	err = db.Write(func(tx *Tx) error { c, err = tx.CreateCircle(actor, in); return err })
	return c, err
}

// Circles lists every circle.
func (db *DB) Circles() (cs []ledger.Circle, err error) {
	err = db.View(func(tx *Tx) error { cs, err = tx.Circles(); return err })
	return cs, err
}
