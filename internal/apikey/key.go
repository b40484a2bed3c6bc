// Package apikey is the heart of businesstools: the key format, its storage
// (hash, masked parts, optional sealed copy) and the lifecycle service.
package apikey

import (
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"hash/crc32"
	"strings"
	"unsafe"
)

// Key format: Prefix + BodyLen random base62 characters (43 × log2(62) ≈
// 256.03 bits) + ChecksumLen base62 characters of the CRC32 of everything
// before it. The checksum lets us refuse typos and forgeries without touching
// the database, and lets secret scanners recognise our keys.
const (
	Prefix      = "bt_"
	BodyLen     = 43
	ChecksumLen = 6
	Len         = len(Prefix) + BodyLen + ChecksumLen
	// StartLen is how much of the key (prefix included) the masked view shows.
	StartLen = len(Prefix) + 4
	// EndLen is how many final characters the masked view shows.
	EndLen = 4
)

const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// ErrMalformed is returned by Parse for anything that is not a well-formed key.
var ErrMalformed = errors.New("malformed API key")

// Generate returns a new random key.
func Generate() (string, error) {
	var b strings.Builder
	b.Grow(Len)
	b.WriteString(Prefix)
	// Rejection sampling keeps every character uniform: bytes ≥ 248 (= 4×62)
	// would bias the first characters of the alphabet.
	buf := make([]byte, 64)
	for n := 0; n < BodyLen; {
		if _, err := rand.Read(buf); err != nil {
			return "", err
		}
		for _, c := range buf {
			if c < 248 && n < BodyLen {
				b.WriteByte(alphabet[c%62])
				n++
			}
		}
	}
	b.WriteString(checksum(b.String()))
	return b.String(), nil
}

// Parse checks a key's shape and checksum. It does no I/O and takes time
// independent of which character is wrong only up to the checksum compare,
// which is fine: the checksum is public information.
func Parse(key string) error {
	if len(key) != Len || !strings.HasPrefix(key, Prefix) {
		return ErrMalformed
	}
	for i := len(Prefix); i < Len; i++ {
		if !isBase62(key[i]) {
			return ErrMalformed
		}
	}
	sum := checksumOf(key[:Len-ChecksumLen])
	if string(sum[:]) != key[Len-ChecksumLen:] { // compared in place: no allocation
		return ErrMalformed
	}
	return nil
}

func isBase62(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z'
}

// checksum encodes CRC32(s) as exactly ChecksumLen base62 characters.
func checksum(s string) string {
	sum := checksumOf(s)
	return string(sum[:])
}

// checksumOf is checksum without allocating: Parse runs on every request,
// invalid keys included. The CRC reads the string in place (stringBytes),
// where crc32.ChecksumIEEE([]byte(s)) would copy it to the heap first.
func checksumOf(s string) [ChecksumLen]byte {
	v := uint64(crc32.ChecksumIEEE(stringBytes(s)))
	var out [ChecksumLen]byte
	for i := ChecksumLen - 1; i >= 0; i-- {
		out[i] = alphabet[v%62]
		v /= 62
	}
	return out
}

// stringBytes is s's bytes, read in place. Only for functions that read
// their argument and keep nothing of it (CRC32, SHA-256): their arguments
// escape, so []byte(s) would copy the key to the heap on every request.
func stringBytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// Hash is the SHA-256 of the whole key: what the database stores and indexes.
// A fast hash is right here: keys carry 256 random bits, so there is nothing
// to brute-force, and verification is on every request's path.
func Hash(key string) []byte {
	h := sha256.Sum256([]byte(key))
	return h[:]
}

// Start returns the non-secret beginning shown in the masked view.
func Start(key string) string { return key[:StartLen] }

// End returns the non-secret end shown in the masked view.
func End(key string) string { return key[len(key)-EndLen:] }

// Mask renders the masked view, e.g. bt_AbCd…x9Zq.
func Mask(start, end string) string { return start + "…" + end }
