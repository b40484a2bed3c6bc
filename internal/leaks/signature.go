package leaks

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"
)

// Headers of a secret scanning report (GitHub's partner program).
const (
	HeaderKeyID     = "Github-Public-Key-Identifier"
	HeaderSignature = "Github-Public-Key-Signature"
)

// PublicKeysFile is the form in which GitHub publishes its secret scanning
// keys (https://api.github.com/meta/public_keys/secret_scanning), and the
// form of the file BT_SECRET_SCANNING_KEYS names.
type PublicKeysFile struct {
	PublicKeys []PublicKeyEntry `json:"public_keys"`
}

// PublicKeyEntry is one key of a PublicKeysFile; Key is a PEM "PUBLIC KEY".
type PublicKeyEntry struct {
	KeyIdentifier string `json:"key_identifier"`
	Key           string `json:"key"`
	IsCurrent     bool   `json:"is_current"`
}

// errSignature is every reason a report's signature is refused; the client
// learns only that it was (401).
var errSignature = errors.New("the report's signature is missing or does not verify")

// ParsePublicKeys reads a PublicKeysFile: every key must be an ECDSA P-256
// public key in PEM, with a distinct identifier.
func ParsePublicKeys(raw []byte) (map[string]*ecdsa.PublicKey, error) {
	var f PublicKeysFile
	if err := json.Unmarshal(raw, &f); err != nil {
		return nil, fmt.Errorf("not a public keys file: %w", err)
	}
	out := make(map[string]*ecdsa.PublicKey, len(f.PublicKeys))
	for i, e := range f.PublicKeys {
		if e.KeyIdentifier == "" {
			return nil, fmt.Errorf("public_keys[%d] has no key_identifier", i)
		}
		if _, dup := out[e.KeyIdentifier]; dup {
			return nil, fmt.Errorf("public_keys[%d]: key_identifier %q appears twice", i, e.KeyIdentifier)
		}
		block, _ := pem.Decode([]byte(e.Key))
		if block == nil {
			return nil, fmt.Errorf("public_keys[%d] (%s): key is not PEM", i, e.KeyIdentifier)
		}
		pub, err := x509.ParsePKIXPublicKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("public_keys[%d] (%s): %w", i, e.KeyIdentifier, err)
		}
		ec, ok := pub.(*ecdsa.PublicKey)
		if !ok || ec.Curve != elliptic.P256() {
			return nil, fmt.Errorf("public_keys[%d] (%s): not an ECDSA P-256 key", i, e.KeyIdentifier)
		}
		out[e.KeyIdentifier] = ec
	}
	return out, nil
}

// keyring holds the public keys of BT_SECRET_SCANNING_KEYS. A report signed
// with an identifier it does not know makes it read the file again (at most
// every reloadEvery), so a key GitHub rotates in works without a restart.
type keyring struct {
	path string
	now  func() time.Time

	mu        sync.Mutex
	keys      map[string]*ecdsa.PublicKey
	modTime   time.Time
	lastCheck time.Time
}

const reloadEvery = 30 * time.Second

// newKeyring loads path; an empty path is an empty keyring (every report
// is refused).
func newKeyring(path string, now func() time.Time) (*keyring, error) {
	k := &keyring{path: path, now: now, keys: map[string]*ecdsa.PublicKey{}}
	if path == "" {
		return k, nil
	}
	if err := k.load(); err != nil {
		return nil, fmt.Errorf("BT_SECRET_SCANNING_KEYS: %w", err)
	}
	return k, nil
}

func (k *keyring) load() error {
	st, err := os.Stat(k.path)
	if err != nil {
		return err
	}
	raw, err := os.ReadFile(k.path)
	if err != nil {
		return err
	}
	keys, err := ParsePublicKeys(raw)
	if err != nil {
		return err
	}
	k.keys, k.modTime = keys, st.ModTime()
	return nil
}

// get returns the key named id, reloading a changed file for an unknown id.
func (k *keyring) get(id string) *ecdsa.PublicKey {
	k.mu.Lock()
	defer k.mu.Unlock()
	if pub := k.keys[id]; pub != nil || k.path == "" {
		return pub
	}
	if now := k.now(); now.Sub(k.lastCheck) >= reloadEvery {
		k.lastCheck = now
		if st, err := os.Stat(k.path); err == nil && !st.ModTime().Equal(k.modTime) {
			_ = k.load() // a broken file keeps the keys we have
		}
	}
	return k.keys[id]
}

// verify checks the signature headers over the raw body.
func (k *keyring) verify(body []byte, keyID, signature string) error {
	if keyID == "" || signature == "" || len(keyID) > 512 || len(signature) > 1024 {
		return errSignature
	}
	pub := k.get(keyID)
	if pub == nil {
		return errSignature
	}
	sig, err := base64.StdEncoding.DecodeString(strings.TrimSpace(signature))
	if err != nil {
		return errSignature
	}
	digest := sha256.Sum256(body)
	if !ecdsa.VerifyASN1(pub, digest[:], sig) {
		return errSignature
	}
	return nil
}
