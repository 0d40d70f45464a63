package party

import (
	"sync"
	"time"
)

// addrLimiter spaces out hellos per remote address: after a burst, at most rate a second
// (virtual scheduling: each address has a theoretical arrival time; one ahead of it
// waits). The server has two: refused hellos (a right token is never looked at there, so
// it joins at once), and hellos that present an invite or session the party knows
// (waitToJoin, server.go).
type addrLimiter struct {
	burst    int
	interval time.Duration

	mu  sync.Mutex // guards tat
	tat map[string]time.Time
}

func newAddrLimiter(burst int, rate float64) *addrLimiter {
	return &addrLimiter{burst: burst, interval: time.Duration(float64(time.Second) / rate), tat: map[string]time.Time{}}
}

// reserve books one hello for addr at now and says how long it must wait.
func (l *addrLimiter) reserve(addr string, now time.Time) time.Duration {
	wait, _ := l.reserveWithin(addr, now, -1)
	return wait
}

// reserveWithin is reserve, but books nothing and says false when the wait would be
// longer than maxWait (< 0: any wait).
func (l *addrLimiter) reserveWithin(addr string, now time.Time, maxWait time.Duration) (time.Duration, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.tat) > 4096 {
		for a, t := range l.tat { // forget addresses that are quiet again
			if t.Before(now) {
				delete(l.tat, a)
			}
		}
	}
	t := l.tat[addr]
	if t.Before(now) {
		t = now
	}
	t = t.Add(l.interval)
	wait := max(0, t.Sub(now)-time.Duration(l.burst)*l.interval)
	if maxWait >= 0 && wait > maxWait {
		return 0, false
	}
	l.tat[addr] = t
	return wait, true
}

// unreserve gives back a booking that was not used (a hello whose connection ended while
// it waited): turns booked and never used would push everyone's after them further out.
func (l *addrLimiter) unreserve(addr string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if t, ok := l.tat[addr]; ok {
		l.tat[addr] = t.Add(-l.interval)
	}
}
