// Package testredis gives tests the machine's Redis (TEST_REDIS_ADDR,
// default 127.0.0.1:6379) under a key prefix of their own, and a proxy in
// front of it that can go away and come back: shared rate limits across
// processes, and what happens when Redis is lost. Without Redis a test
// fails when CI is set and skips loudly otherwise.
package testredis

import (
	"context"
	"crypto/rand"
	"io"
	"net"
	"os"
	"sync"
	"testing"

	"github.com/redis/go-redis/v9"
)

// DefaultAddr is the machine's Redis.
const DefaultAddr = "127.0.0.1:6379"

// Addr returns the address of the machine's Redis; a test without it fails
// in CI and skips loudly otherwise.
func Addr(tb testing.TB) string {
	tb.Helper()
	addr := os.Getenv("TEST_REDIS_ADDR")
	if addr == "" {
		addr = DefaultAddr
	}
	rdb := redis.NewClient(&redis.Options{Addr: addr, DisableIdentity: true})
	defer rdb.Close()
	if err := rdb.Ping(context.Background()).Err(); err != nil {
		if os.Getenv("CI") != "" {
			tb.Fatalf("Redis is required in CI but not reachable at %s: %v", addr, err)
		}
		tb.Skipf("SKIPPING: Redis not reachable at %s (%v); set TEST_REDIS_ADDR", addr, err)
	}
	return addr
}

// URL returns a BT_REDIS_URL for addr with a key prefix of its own, so that
// tests sharing the machine's Redis never see each other's limits; its keys
// are deleted when tb ends.
func URL(tb testing.TB, addr string) string {
	tb.Helper()
	prefix := "bt-test-" + rand.Text()[:12] + ":"
	tb.Cleanup(func() {
		rdb := redis.NewClient(&redis.Options{Addr: addr, DisableIdentity: true})
		defer rdb.Close()
		ctx := context.Background()
		keys, _ := rdb.Keys(ctx, "rate:"+prefix+"*").Result()
		if len(keys) > 0 {
			rdb.Del(ctx, keys...)
		}
	})
	return "redis://" + addr + "/0?prefix=" + prefix
}

// Proxy forwards TCP connections to a target until stopped: Redis going
// away and coming back at the same address.
type Proxy struct {
	addr, target string
	mu           sync.Mutex
	l            net.Listener
	conns        []net.Conn
}

// StartProxy listens on a free port of 127.0.0.1 and forwards to target
// until tb ends.
func StartProxy(tb testing.TB, target string) *Proxy {
	tb.Helper()
	p := &Proxy{target: target}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	p.addr = l.Addr().String()
	p.serve(l)
	tb.Cleanup(p.Stop)
	return p
}

// Addr is where the proxy listens.
func (p *Proxy) Addr() string { return p.addr }

func (p *Proxy) serve(l net.Listener) {
	p.mu.Lock()
	p.l = l
	p.mu.Unlock()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", p.target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, up)
			p.mu.Unlock()
			go func() { _, _ = io.Copy(up, c); up.Close() }()
			go func() { _, _ = io.Copy(c, up); c.Close() }()
		}
	}()
}

// Stop closes the listener and every connection: Redis went away.
func (p *Proxy) Stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.l != nil {
		p.l.Close()
		p.l = nil
	}
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// Restart listens again on the same address: Redis is back.
func (p *Proxy) Restart(tb testing.TB) {
	tb.Helper()
	l, err := net.Listen("tcp", p.addr)
	if err != nil {
		tb.Fatal(err)
	}
	p.serve(l)
}
