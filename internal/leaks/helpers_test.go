package leaks_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"businesstools/ent"
	"businesstools/ent/auditevent"
	"businesstools/internal/apptest"
	"businesstools/internal/config"
	"businesstools/internal/leaks"
	"businesstools/internal/notify/notifytest"
	"businesstools/internal/tenant"
)

// scanner plays GitHub: it holds the private keys whose public halves are
// in the file BT_SECRET_SCANNING_KEYS names.
type scanner struct {
	keys map[string]*ecdsa.PrivateKey
	path string
}

// newScanner generates a P-256 key per identifier and writes the public
// keys file (the first one is_current).
func newScanner(t *testing.T, ids ...string) *scanner {
	t.Helper()
	s := &scanner{keys: map[string]*ecdsa.PrivateKey{}, path: filepath.Join(t.TempDir(), "secret_scanning_keys.json")}
	var f leaks.PublicKeysFile
	for i, id := range ids {
		priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		der, err := x509.MarshalPKIXPublicKey(&priv.PublicKey)
		if err != nil {
			t.Fatal(err)
		}
		s.keys[id] = priv
		f.PublicKeys = append(f.PublicKeys, leaks.PublicKeyEntry{KeyIdentifier: id, IsCurrent: i == 0,
			Key: string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))})
	}
	raw, _ := json.Marshal(f)
	if err := os.WriteFile(s.path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	return s
}

// option points a test server at the scanner's public keys.
func (s *scanner) option() apptest.Option {
	return func(c *config.Config) { c.SecretScanningKeys = s.path }
}

// sign returns the base64 ASN.1 signature of body by key id.
func (s *scanner) sign(t *testing.T, id string, body []byte) string {
	t.Helper()
	digest := sha256.Sum256(body)
	sig, err := ecdsa.SignASN1(rand.Reader, s.keys[id], digest[:])
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(sig)
}

// tok is one reported token.
type tok struct {
	Token  string `json:"token"`
	Type   string `json:"type"`
	URL    string `json:"url"`
	Source string `json:"source"`
}

func leak(secret, url string) tok {
	return tok{Token: secret, Type: leaks.TokenType, URL: url, Source: "commit"}
}

func body(t *testing.T, toks ...tok) []byte {
	t.Helper()
	raw, err := json.Marshal(toks)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// post sends a report with the given headers (empty: left out).
func post(app *apptest.App, raw []byte, keyID, sig string) *http.Response {
	var opts []apptest.RequestOption
	if keyID != "" {
		opts = append(opts, apptest.WithHeader(leaks.HeaderKeyID, keyID))
	}
	if sig != "" {
		opts = append(opts, apptest.WithHeader(leaks.HeaderSignature, sig))
	}
	return app.REST("POST", leaks.PathSecretScanning, "", raw, opts...)
}

// report signs raw with id and posts it, expecting 200 and returning the labels.
func (s *scanner) report(t *testing.T, app *apptest.App, id string, raw []byte) []leaks.TokenLabel {
	t.Helper()
	resp := post(app, raw, id, s.sign(t, id, raw))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("report: %d", resp.StatusCode)
	}
	var labels []leaks.TokenLabel
	apptest.ReadJSON(t, resp, &labels)
	return labels
}

func hashHex(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// keyState is what a test reads back about a key over GraphQL.
type keyState struct {
	Status   string
	Warnings []string
}

func state(t *testing.T, app *apptest.App, token, id string) keyState {
	t.Helper()
	var data struct{ ApiKey keyState }
	app.GQL(token, `query($id:ID!){apiKey(id:$id){status warnings}}`, map[string]any{"id": id}).Decode(t, &data)
	return data.ApiKey
}

// audits returns the key's audit events with the action, oldest first.
func audits(t *testing.T, env *notifytest.Env, action auditevent.Action) []*ent.AuditEvent {
	t.Helper()
	evs, err := env.DB.Client.AuditEvent.Query().Where(auditevent.ActionEQ(action)).Order(auditevent.ByID()).
		All(tenant.Unscoped(context.Background()))
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

func has(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
