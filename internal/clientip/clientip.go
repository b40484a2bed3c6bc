// Package clientip finds a request's client address. Behind trusted reverse
// proxies (BT_TRUSTED_PROXIES) that is the right-most X-Forwarded-For entry
// that is not itself a trusted proxy; otherwise it is the TCP peer, and
// forwarding headers are ignored, since any client can write them.
package clientip

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"strings"

	"businesstools/internal/reqstate"
)

// Header is the forwarding header read from trusted proxies.
const Header = "X-Forwarded-For"

// Resolver resolves client addresses; its zero value trusts no proxy.
type Resolver struct {
	trusted []netip.Prefix
}

// New returns a resolver trusting the proxies inside the prefixes (none:
// forwarding headers are never read).
func New(trusted []netip.Prefix) *Resolver {
	r := &Resolver{}
	for _, p := range trusted {
		if !p.IsValid() {
			continue
		}
		if p.Addr().Is4In6() && p.Bits() >= 96 { // ::ffff:10.0.0.0/104 is 10.0.0.0/8
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		r.trusted = append(r.trusted, p.Masked())
	}
	return r
}

// Trusted reports whether addr is a trusted proxy.
func (r *Resolver) Trusted(addr netip.Addr) bool {
	for _, p := range r.trusted {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// Resolve returns the client address of req as text (see ResolveAddr); a
// peer address that is not an IP address is returned as it is.
func (r *Resolver) Resolve(req *http.Request) string {
	if addr, ok := r.ResolveAddr(req); ok {
		return addr.String()
	}
	return peerHost(req.RemoteAddr)
}

// ResolveAddr returns the client address of req: the peer, or, when the
// peer is a trusted proxy, the X-Forwarded-For entries walked from the right
// while they are trusted proxies too, ending at the first that is not (the
// client). Should the walk meet a malformed entry or run out of entries, the
// last address it reached is the answer: everything to the right of it was
// added by trusted proxies, nothing to the left can be believed. It reports
// false when the peer address itself is not an IP address.
func (r *Resolver) ResolveAddr(req *http.Request) (netip.Addr, bool) {
	peer, ok := parse(peerHost(req.RemoteAddr))
	if !ok {
		return netip.Addr{}, false
	}
	if len(r.trusted) == 0 || !r.Trusted(peer) {
		return peer, true
	}
	client := peer
	values := req.Header.Values(Header)
	for i := len(values) - 1; i >= 0; i-- { // several lines are one list, in order
		list := values[i]
		for list != "" {
			var entry string
			if j := strings.LastIndexByte(list, ','); j >= 0 {
				list, entry = list[:j], list[j+1:]
			} else {
				list, entry = "", list
			}
			entry = strings.TrimSpace(entry)
			if entry == "" {
				continue
			}
			addr, ok := parse(entry)
			if !ok {
				return client, true
			}
			client = addr
			if !r.Trusted(addr) {
				return client, true
			}
		}
	}
	return client, true
}

// ProtoHeader is the header in which a trusted proxy says which scheme the
// client used.
const ProtoHeader = "X-Forwarded-Proto"

// HTTPS reports whether req came over TLS: to this server, or to a trusted
// proxy that says so in X-Forwarded-Proto (its right-most value, the one
// the proxy next to us wrote). From anyone else the header is ignored.
func (r *Resolver) HTTPS(req *http.Request) bool {
	if req.TLS != nil {
		return true
	}
	peer, ok := parse(peerHost(req.RemoteAddr))
	if !ok || !r.Trusted(peer) {
		return false
	}
	values := req.Header.Values(ProtoHeader)
	if len(values) == 0 {
		return false
	}
	last := values[len(values)-1]
	if i := strings.LastIndexByte(last, ','); i >= 0 {
		last = last[i+1:]
	}
	return strings.EqualFold(strings.TrimSpace(last), "https")
}

// Middleware starts each request's state (see reqstate: the one context copy
// the outer layers make) and stores the client address in it, for AddrFrom
// and FromContext, and whether it came over TLS, for HTTPSFromContext.
func (r *Resolver) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		w, req, st := reqstate.New(w, req)
		st.ClientIP, _ = r.ResolveAddr(req)
		st.HTTPS = r.HTTPS(req)
		st.HTTPSKnown = true
		next.ServeHTTP(w, req)
	})
}

// HTTPSFromContext returns what Middleware found with HTTPS; ok is false
// when the request did not pass through Middleware.
func HTTPSFromContext(ctx context.Context) (https, ok bool) {
	st := reqstate.From(ctx)
	if st == nil || !st.HTTPSKnown {
		return false, false
	}
	return st.HTTPS, true
}

// NewContext returns ctx carrying the client address ip (text, as
// FromContext returns it), for handlers mounted without Middleware.
func NewContext(ctx context.Context, ip string) context.Context {
	ctx, st := reqstate.NewContext(ctx)
	st.ClientIP, _ = parse(ip)
	return ctx
}

// AddrFrom returns the client address stored by Middleware or NewContext,
// without converting it to text (the REST hot path's IP allow-list check).
func AddrFrom(ctx context.Context) (netip.Addr, bool) {
	st := reqstate.From(ctx)
	if st == nil || !st.ClientIP.IsValid() {
		return netip.Addr{}, false
	}
	return st.ClientIP, true
}

// FromContext returns the address stored by Middleware or NewContext as
// text (audit events, login throttling).
func FromContext(ctx context.Context) (string, bool) {
	addr, ok := AddrFrom(ctx)
	if !ok {
		return "", false
	}
	return addr.String(), true
}

// peerHost is RemoteAddr without its port.
func peerHost(remoteAddr string) string {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		return remoteAddr
	}
	return host
}

// parse reads an address as proxies write it: bare, or with a port
// ("1.2.3.4:5", "[::1]:5"), bracketed ("[::1]"); IPv4-mapped IPv6 becomes
// IPv4 and zones are dropped.
func parse(s string) (netip.Addr, bool) {
	if len(s) > 2 && s[0] == '[' && s[len(s)-1] == ']' {
		s = s[1 : len(s)-1]
	}
	addr, err := netip.ParseAddr(s)
	if err != nil {
		ap, perr := netip.ParseAddrPort(s)
		if perr != nil {
			return netip.Addr{}, false
		}
		addr = ap.Addr()
	}
	return addr.Unmap().WithZone(""), true
}
