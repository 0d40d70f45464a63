package netkey

import "testing"

func TestOf(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"203.0.113.7:5000", "203.0.113.7"},
		{"203.0.113.7", "203.0.113.7"},
		{"[::ffff:203.0.113.7]:5000", "203.0.113.7"},
		// Two addresses of one /64 are one; the next /64 is another.
		{"[2001:db8:1:2::1]:5000", "2001:db8:1:2::/64"},
		{"[2001:db8:1:2:ffff:ffff:ffff:ffff]:1", "2001:db8:1:2::/64"},
		{"[2001:db8:1:3::1]:1", "2001:db8:1:3::/64"},
		{"[fd12:3456:789a:1::9]:1", "fd12:3456:789a:1::/64"},
		// Only this machine can use it: its own.
		{"[::1]:5000", "::1"},
		// A machine on the link may give itself any number of these: all of them are one.
		{"[fe80::1%eth0]:5000", "fe80::/10"},
		{"[fe80::2]:5000", "fe80::/10"},
		{"169.254.1.2:1", "169.254.1.2"},
		{"not an address", "not an address"},
		{"@:1", "@"},
	} {
		if got := Of(c.in); got != c.want {
			t.Errorf("Of(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
