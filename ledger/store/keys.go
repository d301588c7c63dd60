package store

import (
	"encoding/binary"
	"strconv"
)

// Bucket names. Every bucket is created by a migration (open.go); code that
// runs later may assume it exists.
var (
	bucketMeta           = []byte("meta")
	bucketMembers        = []byte("members")         // seq → Member
	bucketMemberEmails   = []byte("member_emails")   // lower-case email → member id
	bucketCircles        = []byte("circles")         // seq → Circle
	bucketCircleNames    = []byte("circle_names")    // lower-case name → circle id
	bucketEntries        = []byte("entries")         // seq → TimeEntry
	bucketEntriesMember  = []byte("entries_member")  // member seq | date | entry seq → nil
	bucketEntriesDate    = []byte("entries_date")    // date | entry seq → nil
	bucketEntriesPending = []byte("entries_pending") // entry seq → nil, while submitted
	bucketCorrections    = []byte("corrections")     // corrected entry seq → correcting entry id
	bucketLockedMonths   = []byte("locked_months")   // YYYY-MM → close id, once a month is posted
	bucketCredentials    = []byte("credentials")     // member seq → argon2id hash
	bucketSessions       = []byte("sessions")        // sha256(session token) → session
	bucketTokens         = []byte("tokens")          // sha256(api token) → token
	bucketLoginLinks     = []byte("login_links")     // sha256(link token) → login link
	bucketAudit          = []byte("audit")           // seq → audit event

	// Added in schema version 2: money.
	bucketRates        = []byte("rates")         // member seq | from date → Rate
	bucketJournal      = []byte("journal")       // seq → Transaction
	bucketBalances     = []byte("balances")      // account | 0x00 | month → Balance (the month's movement)
	bucketAccounts     = []byte("accounts")      // account → Balance over all time
	bucketDebtLots     = []byte("debt_lots")     // member seq | accrual month → outstanding Balance
	bucketMemberMonths = []byte("member_months") // member seq | month → MemberMonth
	bucketIncome       = []byte("income_months") // month → IncomeMonth (tiers, subscribers)
	bucketReversals    = []byte("reversals")     // reversed tx seq → reversing tx id
	bucketDebtDraws    = []byte("debt_draws")    // tx seq | member seq → []debtDraw

	// Added in schema version 3: the monthly close.
	bucketPolicies = []byte("policies")        // seq → Policy
	bucketCloses   = []byte("closes")          // YYYY-MM → MonthClose
	bucketActivity = []byte("activity_months") // YYYY-MM → nil: months with approved hours, income or costs
)

// GovernanceVersion is the schema version that added the governance
// buckets; a file older than that has no governance records to check.
const GovernanceVersion = 4

// Added in schema version 4: governance. Package governance/store keeps
// these buckets; they are created here so one schema version describes the
// whole file, and governance/store refuses to start if one is missing.
var governanceBuckets = [][]byte{
	[]byte("gov_requests"), []byte("gov_request_votes"), []byte("gov_request_counts"), []byte("gov_comments"),
	[]byte("gov_bounties"), []byte("gov_polls"), []byte("gov_poll_electorate"), []byte("gov_poll_voted"),
	[]byte("gov_ballots"), []byte("gov_poll_keys"), []byte("gov_poll_results"), []byte("gov_meetings"),
	[]byte("gov_activity_rules"),
}

// Added in schema version 5: the member index's keys not yet moved into
// it (memberindex.go), keyed and valued as in bucketEntriesMember.
var bucketEntriesMemberNew = []byte("entries_member_new")

var keySchemaVersion = []byte("schema_version")
var keyAuditHead = []byte("audit_head")
var keyBaseCurrency = []byte("base_currency")

// appendFill is the fill factor of buckets whose keys mostly grow at the
// end (entries, audit, the date index). bbolt splits pages half full by
// default, which suits random inserts; appends would then write twice the
// pages each commit and leave the file half empty.
const appendFill = 0.95

// Id prefixes. Ids are opaque outside the store, but they are fixed-width
// so that ascending id is creation order also as text (the close's
// largest-remainder tie-break sorts member ids).
const (
	prefixMember = "m"
	prefixCircle = "c"
	prefixEntry  = "e"
	prefixTx     = "t"
	prefixPolicy = "p"
	idDigits     = 6
)

// formatID is prefix and seq in at least idDigits digits, zero-padded.
func formatID(prefix string, seq uint64) string {
	var buf [24]byte
	b := append(buf[:0], prefix...)
	var digits [20]byte
	d := strconv.AppendUint(digits[:0], seq, 10)
	for range idDigits - len(d) {
		b = append(b, '0')
	}
	return string(append(b, d...))
}

// parseID turns an outside id back into its sequence number, refusing ids
// of another kind. ok is false for anything malformed, and for any id
// formatID would not write (a zero, or padding it would not add).
func parseID(prefix, id string) (uint64, bool) {
	if len(id) <= len(prefix) || id[:len(prefix)] != prefix || len(id) > len(prefix)+20 {
		return 0, false
	}
	digits := id[len(prefix):]
	for i := 0; i < len(digits); i++ {
		if c := digits[i]; c < '0' || c > '9' {
			return 0, false
		}
	}
	if len(digits) < idDigits || (len(digits) > idDigits && digits[0] == '0') {
		return 0, false
	}
	n, err := strconv.ParseUint(digits, 10, 64)
	if err != nil || n == 0 {
		return 0, false
	}
	return n, true
}

func u64(n uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, n)
	return b
}

func fromU64(b []byte) uint64 { return binary.BigEndian.Uint64(b) }

// concat builds a composite key. Parts are fixed-width (8-byte sequences,
// 10-byte dates), so a prefix of parts is a range.
func concat(parts ...[]byte) []byte {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	out := make([]byte, 0, n)
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}
