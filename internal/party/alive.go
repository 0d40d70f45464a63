package party

import "time"

// Alive records. While a turn runs, the journal may go quiet for a long time: a tool request
// waits for a host (§7), a tool runs without output. A host killed then leaves the turn's
// last event as the journal's last word, and a resume times the cut turn to it ("after at
// least 0.1 s" of a turn that had waited ten minutes). So the party journals an alive record
// whenever the journal has been quiet for aliveStep, or for a tenth of the turn's time so
// far when that is longer: a resume then knows the turn ran to within that much of the
// kill, and a quiet turn of T adds about 10 + 10·ln(T/50 s) lines, not T/5 s (a day of
// waiting: under 90). A turn that streams writes none: its events say the time.

// aliveStep is the least quiet time that an alive record follows.
const aliveStep = 5 * time.Second

// aliveGap is how long the journal may stay quiet in a turn that has run for ran.
func aliveGap(ran time.Duration) time.Duration {
	return max(aliveStep, ran/10)
}

// lastJournalled is when the journal last said the party was alive: its last event, or
// the turn's last alive record. Loop-owned.
func (p *Party) lastJournalled(t *runningTurn) time.Time {
	last := t.aliveAt
	if n := len(p.win); n > 0 && p.win[n-1].ev.TS.After(last) {
		last = p.win[n-1].ev.TS
	}
	return last
}

// armAlive (re)starts t's look at the journal, for when it will have been quiet too long.
// Runs on the loop.
func (p *Party) armAlive(t *runningTurn) {
	if p.cfg.Journal == nil {
		return
	}
	if t.aliveTimer != nil {
		t.aliveTimer.Stop()
	}
	now := p.cfg.Now()
	wait := max(p.lastJournalled(t).Add(aliveGap(now.Sub(t.started))).Sub(now), time.Millisecond)
	t.aliveTimer = time.AfterFunc(wait, func() { p.post(func() { p.alive(t) }) })
}

// alive writes an alive record when t still runs and the journal has been quiet too long,
// then looks again. Runs on the loop.
func (p *Party) alive(t *runningTurn) {
	if p.turn != t {
		return // ended meanwhile
	}
	now := p.cfg.Now()
	if now.Sub(p.lastJournalled(t)) >= aliveGap(now.Sub(t.started)) {
		if p.journalErr == nil {
			// Not while the journal is behind: it skips them (journal.Writer.Alive), and a
			// success here must not read as its catching up.
			if err := p.cfg.Journal.Alive(now); err != nil {
				p.log.Warn("journal an alive record", "err", err)
				p.journaled(err)
			}
		}
		t.aliveAt = now // looked: the next look is a gap from now
	}
	p.armAlive(t)
}
