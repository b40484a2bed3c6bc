package apikey_test

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"businesstools/internal/apikey"
)

// Ensure generated keys have the documented shape and pass Parse.
func TestGenerate(t *testing.T) {
	seen := map[string]bool{}
	for range 200 {
		k, err := apikey.Generate()
		if err != nil {
			t.Fatal(err)
		}
		if len(k) != apikey.Len || !strings.HasPrefix(k, "bt_") || apikey.Parse(k) != nil || seen[k] {
			t.Fatalf("bad key %q", k)
		}
		seen[k] = true
	}
}

// Ensure Parse refuses anything but an intact key.
func TestParse_Errors(t *testing.T) {
	k, _ := apikey.Generate()
	flip := func(i int) string {
		b := []byte(k)
		if b[i] == 'a' {
			b[i] = 'b'
		} else {
			b[i] = 'a'
		}
		return string(b)
	}
	bad := map[string]string{
		"Empty":        "",
		"NoPrefix":     "xx_" + k[3:],
		"Short":        k[:len(k)-1],
		"Long":         k + "0",
		"BodyTypo":     flip(10),
		"ChecksumTypo": flip(len(k) - 1),
		"NotBase62":    k[:10] + "-" + k[11:],
	}
	for name, s := range bad {
		if apikey.Parse(s) == nil {
			t.Errorf("%s: %q accepted", name, s)
		}
	}
}

// Ensure the masked view shows only the prefix, 4 characters and the last 4.
func TestMask(t *testing.T) {
	k, _ := apikey.Generate()
	m := apikey.Mask(apikey.Start(k), apikey.End(k))
	if m != k[:7]+"…"+k[len(k)-4:] {
		t.Fatalf("mask %q", m)
	}
}

// Ensure sealed keys open only for their own row and master key.
func TestSealer(t *testing.T) {
	master := make([]byte, 32)
	s, err := apikey.NewSealer(master)
	if err != nil {
		t.Fatal(err)
	}
	sealed, _ := s.Seal(7, "bt_secret")
	if strings.Contains(string(sealed), "bt_secret") {
		t.Fatal("plaintext in ciphertext")
	}
	if got, err := s.Open(7, sealed); err != nil || got != "bt_secret" {
		t.Fatalf("open = %q, %v", got, err)
	}
	if _, err := s.Open(8, sealed); err == nil {
		t.Fatal("ciphertext opened for another row")
	}
	other := make([]byte, 32)
	other[0] = 1
	s2, _ := apikey.NewSealer(other)
	if _, err := s2.Open(7, sealed); err == nil {
		t.Fatal("ciphertext opened under another master key")
	}
	if _, err := apikey.NewSealer(make([]byte, 16)); err == nil {
		t.Fatal("16-byte master key accepted")
	}
}

// Ensure a master key is generated once, mode 0600, and reused.
func TestLoadMasterKey(t *testing.T) {
	dir := t.TempDir()
	k1, err := apikey.LoadMasterKey("", dir)
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(filepath.Join(dir, apikey.MasterKeyFile))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("master key file: %v %v", info, err)
	}
	k2, _ := apikey.LoadMasterKey("", dir)
	if string(k1) != string(k2) || len(k1) != 32 {
		t.Fatal("master key not reused")
	}
	fromEnv := base64.StdEncoding.EncodeToString(make([]byte, 32))
	if k, err := apikey.LoadMasterKey(fromEnv, dir); err != nil || len(k) != 32 {
		t.Fatalf("env key: %v", err)
	}
	secretish := base64.StdEncoding.EncodeToString([]byte("sixteen byte key"))
	_, err = apikey.LoadMasterKey(secretish, dir)
	if err == nil || strings.Contains(err.Error(), secretish) {
		t.Fatalf("bad env key: err %v must exist and not echo the value", err)
	}
}
