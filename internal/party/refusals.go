package party

import (
	"net"
	"sync"
	"time"
)

// refusalLimiter spaces out refused hellos per remote address: after a burst, at most rate
// a second (virtual scheduling: each address has a theoretical arrival time; a refusal
// ahead of it waits). A right token is never looked at here, so it joins at once.
type refusalLimiter struct {
	burst    int
	interval time.Duration

	mu  sync.Mutex // guards tat
	tat map[string]time.Time
}

func newRefusalLimiter(burst int, rate float64) *refusalLimiter {
	if burst <= 0 {
		burst = 20
	}
	if rate <= 0 {
		rate = 20
	}
	return &refusalLimiter{burst: burst, interval: time.Duration(float64(time.Second) / rate), tat: map[string]time.Time{}}
}

// reserve books one refusal for addr at now and says how long it must wait.
func (l *refusalLimiter) reserve(addr string, now time.Time) time.Duration {
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
	l.tat[addr] = t
	wait := t.Sub(now) - time.Duration(l.burst)*l.interval
	if wait < 0 {
		return 0
	}
	return wait
}

func remoteAddr(hostport string) string {
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		return h
	}
	return hostport
}
