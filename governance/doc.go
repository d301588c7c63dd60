// Package governance holds the co-op's democracy: requests and their votes,
// polls and their tallies, bounties and all-hands meetings. Its rules are
// plain functions on plain values; package governance/store keeps the
// records in the same bbolt file as the books, and posts bounty payouts
// through the ledger's journal.
package governance
