package apikey

import (
	"context"
	"errors"
	"fmt"

	"businesstools/ent"
	"businesstools/ent/apikey"
	"businesstools/internal/tenant"
)

// ErrMasterKeyMismatch means the master key does not open the keys stored
// in the database: another process generated its own, or BT_MASTER_KEY changed.
var ErrMasterKeyMismatch = errors.New("the master key does not open the API keys stored in this database: " +
	"set BT_MASTER_KEY to the key they were sealed with (every process sharing a database needs the same one), " +
	"or set BT_ALLOW_REVEAL=false")

// PrepareStorage makes the stored ciphertexts agree with the reveal setting
// at start-up. With reveal off it deletes every ciphertext (DESIGN.md: a copy
// is kept only while reveal is allowed) and returns how many it cleared; with
// reveal on it checks that the master key opens a stored one, so a wrong key
// stops the start instead of failing reveals later.
func PrepareStorage(ctx context.Context, c *ent.Client, sealer *Sealer, allowReveal bool) (int, error) {
	ctx = tenant.Unscoped(ctx) // start-up: every account's keys
	if !allowReveal {
		n, err := c.ApiKey.Update().Where(apikey.KeyCiphertextNotNil()).ClearKeyCiphertext().Save(ctx)
		if err != nil {
			return 0, fmt.Errorf("clear sealed keys: %w", err)
		}
		return n, nil
	}
	keys, err := c.ApiKey.Query().Where(apikey.KeyCiphertextNotNil()).Limit(1).All(ctx)
	if err != nil {
		return 0, fmt.Errorf("check master key: %w", err)
	}
	for _, k := range keys {
		if len(*k.KeyCiphertext) == 0 {
			continue
		}
		if _, err := sealer.Open(k.ID, *k.KeyCiphertext); err != nil {
			return 0, ErrMasterKeyMismatch
		}
	}
	return 0, nil
}
