package apikey

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// MasterKeyFile is the file in the data directory that holds a generated
// master key when BT_MASTER_KEY is not set.
const MasterKeyFile = "master.key"

// Sealer encrypts keys for later reveal with AES-256-GCM under the master key.
// The key entry's row id is the associated data, so a ciphertext copied onto
// another row does not open.
type Sealer struct{ aead cipher.AEAD }

// NewSealer returns a Sealer for a 32-byte master key.
func NewSealer(masterKey []byte) (*Sealer, error) {
	if len(masterKey) != 32 {
		return nil, fmt.Errorf("master key must be 32 bytes, got %d", len(masterKey))
	}
	block, err := aes.NewCipher(masterKey)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Sealer{aead: aead}, nil
}

// Seal encrypts key for the row id; the output is nonce || ciphertext.
func (s *Sealer) Seal(id int, key string) ([]byte, error) {
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return s.aead.Seal(nonce, nonce, []byte(key), ad(id)), nil
}

// Open decrypts what Seal returned for the same row id.
func (s *Sealer) Open(id int, sealed []byte) (string, error) {
	n := s.aead.NonceSize()
	if len(sealed) < n {
		return "", errors.New("sealed key too short")
	}
	plain, err := s.aead.Open(nil, sealed[:n], sealed[n:], ad(id))
	if err != nil {
		return "", errors.New("sealed key does not open under this master key")
	}
	return string(plain), nil
}

func ad(id int) []byte { return []byte("businesstools/apikey/" + strconv.Itoa(id)) }

// LoadMasterKey decodes BT_MASTER_KEY (standard base64 of 32 bytes) or, when
// it is empty, reads dataDir/master.key, generating it with mode 0600 on
// first start.
func LoadMasterKey(fromEnv, dataDir string) ([]byte, error) {
	if fromEnv != "" {
		return decodeMasterKey(fromEnv)
	}
	path := filepath.Join(dataDir, MasterKeyFile)
	if b, err := os.ReadFile(path); err == nil {
		return decodeMasterKey(strings.TrimSpace(string(b)))
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("read master key: %w", err)
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create data dir: %w", err)
	}
	// O_EXCL: two processes starting at once must not overwrite each other's key.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return LoadMasterKey("", dataDir)
	}
	if err != nil {
		return nil, fmt.Errorf("create master key: %w", err)
	}
	defer f.Close()
	if _, err := f.WriteString(base64.StdEncoding.EncodeToString(key) + "\n"); err != nil {
		return nil, fmt.Errorf("write master key: %w", err)
	}
	return key, nil
}

func decodeMasterKey(s string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(key) != 32 {
		// Never echo the value: it is the master key.
		return nil, errors.New("BT_MASTER_KEY must be the standard base64 encoding of 32 bytes")
	}
	return key, nil
}
