package config

import (
	"strings"
	"testing"
	"time"
)

// Ensure BT_REDIS_URL is read from the environment (unset: no Redis), must
// be a redis:// or rediss:// URL, and is never echoed in the error (it may
// hold a password); and that BT_MAIL_LEASE parses a positive duration.
func TestRedisURLAndMailLease(t *testing.T) {
	getenv := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	c, err := Load(nil, getenv(nil))
	if err != nil || c.RedisURL != "" || c.MailLease != 0 {
		t.Fatalf("defaults: %q %v %v", c.RedisURL, c.MailLease, err)
	}
	c, err = Load(nil, getenv(map[string]string{"BT_REDIS_URL": "redis://127.0.0.1:6379/3", "BT_MAIL_LEASE": "2s"}))
	if err != nil || c.RedisURL != "redis://127.0.0.1:6379/3" || c.MailLease != 2*time.Second {
		t.Fatalf("set: %q %v %v", c.RedisURL, c.MailLease, err)
	}
	_, err = Load(nil, getenv(map[string]string{"BT_REDIS_URL": "http://:s3cret@redis:6379"}))
	if err == nil || !strings.Contains(err.Error(), "BT_REDIS_URL") || strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("bad URL: %v", err)
	}
	for _, bad := range []string{"soon", "-1s", "0"} {
		if _, err := Load(nil, getenv(map[string]string{"BT_MAIL_LEASE": bad})); err == nil || !strings.Contains(err.Error(), "BT_MAIL_LEASE") {
			t.Errorf("BT_MAIL_LEASE=%q: %v", bad, err)
		}
	}
}
