package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/coopledger/coopledger/ledger"
	bolt "go.etcd.io/bbolt"
)

// AuditEvent is one write, recorded in the same transaction as the write
// itself. Each event's Hash covers its content and the previous event's
// hash, so editing or removing any stored event breaks the chain from there
// on (`coopledger verify` walks it).
type AuditEvent struct {
	Seq     uint64          `json:"seq"`
	At      time.Time       `json:"at"`
	Actor   string          `json:"actor"`
	Action  string          `json:"action"`
	Subject string          `json:"subject"`
	Data    json.RawMessage `json:"data,omitempty"`
	Prev    string          `json:"prev"`
	// Hash is the SHA-256 of the event's JSON without this field; it comes
	// last so the stored record is that JSON with the hash appended.
	Hash string `json:"hash,omitempty"`
}

// encodedJSON is JSON as json.Marshal writes it: valid, compact and
// HTML-escaped, so an event can carry it as its data unchanged.
type encodedJSON []byte

// sealEvent encodes e once and appends its hash, so recording an event
// costs one encoding inside the write transaction. dataEncoded says e.Data
// is as json.Marshal writes it (or empty), so the event is encoded by
// hand (appendAuditJSON) rather than through reflection.
func sealEvent(e AuditEvent, dataEncoded bool) (record []byte, hash string, err error) {
	e.Hash = ""
	var body []byte
	if dataEncoded {
		// Room for the hash too: the record is this buffer.
		body, err = appendAuditJSON(make([]byte, 0, 256+len(e.Data)+len(`,"hash":"`)+2*sha256.Size+len(`"}`)), &e)
	} else {
		body, err = json.Marshal(e)
	}
	if err != nil {
		return nil, "", err
	}
	sum := sha256.Sum256(body)
	hash = hex.EncodeToString(sum[:])
	// The body ends with its closing brace; the hash goes in its place.
	record = append(body[:len(body)-1], `,"hash":"`...)
	record = append(record, hash...)
	record = append(record, `"}`...)
	return record, hash, nil
}

// audit appends an event for a write made by actor in this transaction.
// data may be JSON the caller already encoded: an encodedJSON, or any
// json.RawMessage (which json.Marshal then compacts and checks).
func (tx *Tx) audit(actor ledger.Member, action, subject string, data any) error {
	b := tx.tx.Bucket(bucketAudit)
	b.FillPercent = appendFill
	seq, err := b.NextSequence()
	if err != nil {
		return err
	}
	var raw json.RawMessage
	encoded := true
	switch d := data.(type) {
	case nil:
	case encodedJSON:
		raw = json.RawMessage(d)
	case json.RawMessage:
		raw, encoded = d, false
	default:
		if raw, err = json.Marshal(data); err != nil {
			return fmt.Errorf("audit %s: %w", action, err)
		}
	}
	who := actor.ID
	if who == "" {
		who = "system"
	}
	meta := tx.tx.Bucket(bucketMeta)
	e := AuditEvent{Seq: seq, At: tx.now.UTC().Truncate(time.Second), Actor: who, Action: action,
		Subject: subject, Data: raw, Prev: string(meta.Get(keyAuditHead))}
	record, hash, err := sealEvent(e, encoded)
	if err != nil {
		return err
	}
	if err := b.Put(u64(seq), record); err != nil {
		return err
	}
	return meta.Put(keyAuditHead, []byte(hash))
}

// AuditBreak describes where the audit chain stops holding.
type AuditBreak struct {
	Seq    uint64
	Reason string
}

func (b *AuditBreak) Error() string {
	return fmt.Sprintf("audit chain broken at event %d: %s", b.Seq, b.Reason)
}

// VerifyAudit walks the whole audit chain and returns the number of events,
// or an *AuditBreak naming the first event that does not hold. A record is
// its event's JSON with the hash appended (sealEvent), so each check is one
// SHA-256 over the stored bytes, without decoding the event's data.
func (db *DB) VerifyAudit() (int, error) {
	n := 0
	err := db.bolt.View(func(btx *bolt.Tx) error {
		prev := ""
		var want uint64 = 1
		c := btx.Bucket(bucketAudit).Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			seq := fromU64(k)
			if seq != want {
				return &AuditBreak{Seq: want, Reason: "event missing"}
			}
			body, hash, ok := unseal(v)
			if !ok {
				return &AuditBreak{Seq: seq, Reason: "unreadable record"}
			}
			sum := sha256.Sum256(body)
			if hex.EncodeToString(sum[:]) != hash {
				return &AuditBreak{Seq: seq, Reason: "content does not match its hash"}
			}
			// The hash covers the bytes, so reading seq and prev straight
			// from them is as safe as decoding: sealEvent writes seq first
			// and prev last.
			recSeq, recPrev, ok := chainFields(body)
			switch {
			case !ok:
				return &AuditBreak{Seq: seq, Reason: "unreadable record"}
			case recSeq != seq:
				return &AuditBreak{Seq: seq, Reason: "sequence number altered"}
			case recPrev != prev:
				return &AuditBreak{Seq: seq, Reason: "does not follow the previous event"}
			}
			prev = hash
			want++
			n++
		}
		if head := string(btx.Bucket(bucketMeta).Get(keyAuditHead)); head != prev {
			return &AuditBreak{Seq: want, Reason: "events after the last one were removed"}
		}
		return nil
	})
	return n, err
}

// unseal splits a stored record into the event's JSON (as hashed) and the
// hash sealEvent appended.
func unseal(record []byte) (body []byte, hash string, ok bool) {
	const tail = len(`,"hash":"`) + 64 + len(`"}`)
	if len(record) < tail+2 || !bytes.HasSuffix(record, []byte(`"}`)) {
		return nil, "", false
	}
	cut := len(record) - tail
	if !bytes.HasPrefix(record[cut:], []byte(`,"hash":"`)) {
		return nil, "", false
	}
	hash = string(record[cut+len(`,"hash":"`) : len(record)-2])
	body = make([]byte, 0, cut+1)
	body = append(append(body, record[:cut]...), '}')
	return body, hash, true
}

// chainFields reads seq (the first field) and prev (the last) of an
// event's JSON as sealEvent writes it.
func chainFields(body []byte) (seq uint64, prev string, ok bool) {
	rest, found := bytes.CutPrefix(body, []byte(`{"seq":`))
	if !found {
		return 0, "", false
	}
	i := bytes.IndexByte(rest, ',')
	if i <= 0 {
		return 0, "", false
	}
	seq, err := strconv.ParseUint(string(rest[:i]), 10, 64)
	if err != nil {
		return 0, "", false
	}
	j := bytes.LastIndex(body, []byte(`,"prev":"`))
	if j < 0 || !bytes.HasSuffix(body, []byte(`"}`)) {
		return 0, "", false
	}
	prev = string(body[j+len(`,"prev":"`) : len(body)-2])
	if strings.ContainsAny(prev, `"\`) {
		return 0, "", false
	}
	return seq, prev, true
}

// Audit records a write that another package (governance) made in this
// transaction through Bolt, so its events join the same hash chain.
func (tx *Tx) Audit(actor ledger.Member, action, subject string, data any) error {
	return tx.audit(actor, action, subject, data)
}

// AuditEncoded is Audit for data that json.Marshal already encoded (or
// nil), so a caller can encode it before the write transaction, which
// every writer waits for.
func (tx *Tx) AuditEncoded(actor ledger.Member, action, subject string, data []byte) error {
	if data == nil {
		return tx.audit(actor, action, subject, nil)
	}
	return tx.audit(actor, action, subject, encodedJSON(data))
}

// appendAuditJSON appends e as json.Marshal encodes it when e.Data is
// encodedJSON (a test holds it to that, byte for byte).
func appendAuditJSON(b []byte, e *AuditEvent) ([]byte, error) {
	b = append(b, `{"seq":`...)
	b = strconv.AppendUint(b, e.Seq, 10)
	b = append(b, `,"at":`...)
	b, err := appendJSONTime(b, e.At)
	if err != nil {
		return nil, err
	}
	b = append(b, `,"actor":`...)
	b = appendJSONString(b, e.Actor)
	b = append(b, `,"action":`...)
	b = appendJSONString(b, e.Action)
	b = append(b, `,"subject":`...)
	b = appendJSONString(b, e.Subject)
	if len(e.Data) > 0 {
		b = append(b, `,"data":`...)
		b = append(b, e.Data...)
	}
	b = append(b, `,"prev":`...)
	b = appendJSONString(b, e.Prev)
	if e.Hash != "" {
		b = append(b, `,"hash":`...)
		b = appendJSONString(b, e.Hash)
	}
	return append(b, '}'), nil
}
