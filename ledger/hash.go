package ledger

import (
	"crypto/hmac"
	"crypto/sha256"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// Hash is a keyed hash (HMAC-SHA256 under the ledger's salt).
type Hash [32]byte

// NormalizeKey is the form of a key that is hashed: Unicode NFC, surrounding
// space trimmed, lower case. "Anna@Example.se " and "anna@example.se" are
// one key.
func NormalizeKey(key string) string {
	return strings.ToLower(norm.NFC.String(strings.TrimSpace(key)))
}

// KeyHash is the ledger's keyed hash of key (normalised). Only this hash
// is stored; the salt lives in the ledger, so another ledger's hash of the
// same key differs.
func (l *Ledger) KeyHash(key string) Hash {
	return l.mac("key\x00", NormalizeKey(key))
}

// Fingerprint identifies an integration without holding its uuid: an HMAC
// of the uuid (trimmed, lower case) under the ledger's salt.
func (l *Ledger) Fingerprint(uuid string) Hash {
	return l.mac("integration\x00", strings.ToLower(strings.TrimSpace(uuid)))
}

func (l *Ledger) mac(domain, s string) Hash {
	m := hmac.New(sha256.New, l.salt)
	m.Write([]byte(domain))
	m.Write([]byte(s))
	var h Hash
	copy(h[:], m.Sum(nil))
	return h
}
