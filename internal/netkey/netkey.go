// Package netkey says which remote addresses count as one for the host's per-address
// limits (connections, joins, refused hellos, waiting prompts): an IPv4 address, or an
// IPv6 address's /64 network. One IPv6 machine is usually given a whole /64, and picks any
// address in it, so counting IPv6 addresses one by one would let one machine be millions.
package netkey

import (
	"net"
	"net/netip"
)

// Of returns the key of a remote address given as "host:port" (as http.Request.RemoteAddr
// and net.Addr.String give it) or as a bare host. An IPv4 address (also one mapped into
// IPv6) is its own key; a global or unique-local IPv6 address is keyed by its /64
// ("2001:db8:1:2::/64"), so that every machine of a network that shares one /64 counts as
// one, as behind an IPv4 NAT; every IPv6 link-local address is one key ("fe80::/10"): a
// machine on the host's link may give itself any number of them, and invites never name
// one. The IPv6 loopback address is its own key. Anything else is returned as it is.
func Of(addr string) string {
	host := addr
	if h, _, err := net.SplitHostPort(addr); err == nil {
		host = h
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	return OfAddr(ip)
}

// OfAddr is Of for a parsed address.
func OfAddr(ip netip.Addr) string {
	ip = ip.Unmap()
	if ip.Is6() && ip.IsLinkLocalUnicast() {
		return "fe80::/10"
	}
	if ip.Is4() || ip.IsLoopback() || ip.IsUnspecified() {
		return ip.WithZone("").String()
	}
	return netip.PrefixFrom(ip, 64).Masked().String()
}
