package clientip_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"

	"businesstools/internal/clientip"
)

func prefixes(t *testing.T, ss ...string) []netip.Prefix {
	t.Helper()
	var out []netip.Prefix
	for _, s := range ss {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
}

// Ensure the client address is the peer unless the peer is a trusted proxy,
// and then the right-most X-Forwarded-For entry that is not a trusted proxy.
func TestResolve(t *testing.T) {
	r := clientip.New(prefixes(t, "10.0.0.0/8", "fd00::/8", "::ffff:192.168.1.0/120"))
	for _, c := range []struct {
		name, peer string
		xff        []string
		want       string
	}{
		{"NoHeader", "10.0.0.1:5000", nil, "10.0.0.1"},
		{"UntrustedPeerIgnoresHeader", "203.0.113.9:5000", []string{"198.51.100.1"}, "203.0.113.9"},
		{"UntrustedPeerIgnoresTrustedLookingHeader", "203.0.113.9:5000", []string{"10.0.0.2"}, "203.0.113.9"},
		{"TrustedPeer", "10.0.0.1:5000", []string{"198.51.100.1"}, "198.51.100.1"},
		{"SpoofedLeftEntriesIgnored", "10.0.0.1:5000", []string{"1.1.1.1, 2.2.2.2, 198.51.100.1"}, "198.51.100.1"},
		{"ChainOfProxies", "10.0.0.1:5000", []string{"1.1.1.1, 198.51.100.1, 10.0.0.3, 10.0.0.2"}, "198.51.100.1"},
		{"SeveralHeaderLines", "10.0.0.1:5000", []string{"1.1.1.1, 198.51.100.1", "10.0.0.3", "10.0.0.2"}, "198.51.100.1"},
		{"AllTrusted", "10.0.0.1:5000", []string{"10.0.0.3, 10.0.0.2"}, "10.0.0.3"},
		{"EmptyHeader", "10.0.0.1:5000", []string{""}, "10.0.0.1"},
		{"BlankEntriesSkipped", "10.0.0.1:5000", []string{"198.51.100.1, , 10.0.0.2,"}, "198.51.100.1"},
		{"MalformedRightMost", "10.0.0.1:5000", []string{"198.51.100.1, not-an-ip"}, "10.0.0.1"},
		{"MalformedBehindProxy", "10.0.0.1:5000", []string{"198.51.100.1, 999.1.1.1, 10.0.0.2"}, "10.0.0.2"},
		{"MalformedLeftOfClientIgnored", "10.0.0.1:5000", []string{"<script>, 198.51.100.1"}, "198.51.100.1"},
		{"EntryWithPort", "10.0.0.1:5000", []string{"198.51.100.1:4711"}, "198.51.100.1"},
		{"IPv6Peer", "[fd00::1]:443", []string{"2001:db8::7"}, "2001:db8::7"},
		{"IPv6Bracketed", "[fd00::1]:443", []string{"[2001:db8::7]"}, "2001:db8::7"},
		{"IPv6BracketedWithPort", "[fd00::1]:443", []string{"[2001:db8::7]:9000"}, "2001:db8::7"},
		{"IPv6ZoneDropped", "[fd00::1]:443", []string{"fe80::1%eth0"}, "fe80::1"},
		{"IPv6ChainWithIPv4Client", "[fd00::1]:443", []string{"198.51.100.1, fd00::2"}, "198.51.100.1"},
		{"IPv6UntrustedPeer", "[2001:db8::1]:443", []string{"198.51.100.1"}, "2001:db8::1"},
		{"MappedPeerIsIPv4", "[::ffff:10.0.0.1]:5000", []string{"198.51.100.1"}, "198.51.100.1"},
		{"MappedPrefixTrustsIPv4", "192.168.1.20:5000", []string{"198.51.100.1"}, "198.51.100.1"},
		{"MappedEntryIsIPv4", "10.0.0.1:5000", []string{"::ffff:198.51.100.1"}, "198.51.100.1"},
		{"MappedTrustedEntry", "10.0.0.1:5000", []string{"198.51.100.1, ::ffff:10.0.0.9"}, "198.51.100.1"},
		{"PeerWithoutPort", "10.0.0.1", []string{"198.51.100.1"}, "198.51.100.1"},
		{"UnparsablePeer", "@", []string{"198.51.100.1"}, "@"},
	} {
		t.Run(c.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", "/", nil)
			req.RemoteAddr = c.peer
			for _, v := range c.xff {
				req.Header.Add("X-Forwarded-For", v)
			}
			if got := r.Resolve(req); got != c.want {
				t.Fatalf("Resolve(%s, %q) = %q, want %q", c.peer, c.xff, got, c.want)
			}
		})
	}
}

// Ensure a resolver that trusts no proxy never reads the header.
func TestResolveTrustsNothingByDefault(t *testing.T) {
	for _, r := range []*clientip.Resolver{clientip.New(nil), {}} {
		req := httptest.NewRequest("GET", "/", nil)
		req.RemoteAddr = "127.0.0.1:1234"
		req.Header.Set("X-Forwarded-For", "198.51.100.1")
		if got := r.Resolve(req); got != "127.0.0.1" {
			t.Fatalf("got %q", got)
		}
	}
}

// Ensure the middleware puts the resolved address in the request context,
// as an address (AddrFrom) and as text (FromContext), and NewContext too.
func TestMiddleware(t *testing.T) {
	var got string
	var ok bool
	var addr netip.Addr
	h := clientip.New(prefixes(t, "127.0.0.1/32")).Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, ok = clientip.FromContext(r.Context())
		addr, _ = clientip.AddrFrom(r.Context())
	}))
	req := httptest.NewRequest("GET", "/", nil)
	req.RemoteAddr = "127.0.0.1:1234"
	req.Header.Set("X-Forwarded-For", "198.51.100.1")
	h.ServeHTTP(httptest.NewRecorder(), req)
	if !ok || got != "198.51.100.1" || addr != netip.MustParseAddr("198.51.100.1") {
		t.Fatalf("context holds %q (%v), %s", got, ok, addr)
	}
	if _, ok := clientip.FromContext(context.Background()); ok {
		t.Fatal("an empty context holds an address")
	}
	if a, ok := clientip.AddrFrom(clientip.NewContext(context.Background(), "::ffff:203.0.113.9")); !ok || a != netip.MustParseAddr("203.0.113.9") {
		t.Fatalf("NewContext: %s %v", a, ok)
	}
	req.RemoteAddr = "@" // not an IP address: no address, rather than a wrong one
	h.ServeHTTP(httptest.NewRecorder(), req)
	if ok || addr.IsValid() {
		t.Fatalf("unparsable peer: %q %v %s", got, ok, addr)
	}
}
