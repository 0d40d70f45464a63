package party

import (
	"encoding/json"
	"runtime"

	"github.com/concordia-party/concordia/internal/wire"
)

// splitMembers is the smallest party whose events two goroutines send: the loop-owned code
// and a helper, each to half of the members. Sending an event to an idle participant is
// one write(2) made by the sender (rpc.Peer.SendPrepared), so one goroutine would write to
// every member in turn while the machine's other cores idled, and the last member of a
// large party would wait for all the others. Below this size the wake-up of the helper
// costs more than the halved wait saves; with one core there is nothing to gain.
const splitMembers = 64

// fanout is the helper's side: it sends each job's event to theirs and reports back.
// The loop-owned code fills theirs before handing over a job and reads failed after the
// job is finished; the helper touches them only in between.
type fanout struct {
	jobs     chan fanJob
	finished chan struct{}
	done     chan struct{} // closed when the helper has returned
	theirs   []*member
	mine     []*member
	failed   []*member
}

type fanJob struct {
	ev  wire.Event
	raw json.RawMessage
}

func startFanout() *fanout {
	// finished has room for the one report, so that a helper whose loop panicked mid-event
	// still returns when Run's deferred stop closes jobs.
	f := &fanout{jobs: make(chan fanJob), finished: make(chan struct{}, 1), done: make(chan struct{})}
	go f.run()
	return f
}

// run sends each job's event to the helper's half; it ends when stop closes jobs.
func (f *fanout) run() {
	defer close(f.done)
	for job := range f.jobs {
		f.failed = f.failed[:0]
		for _, m := range f.theirs {
			if !m.sub.Send(job.ev, job.raw) {
				f.failed = append(f.failed, m)
			}
		}
		f.finished <- struct{}{}
	}
}

func (f *fanout) stop() {
	close(f.jobs)
	<-f.done
}

// sendToMembers sends an event to every connected member (loop-owned code). A large
// party's members are split between this goroutine and the fan-out helper; a member
// whose connection refuses the event is dropped (m.sub = nil, see emit).
func (p *Party) sendToMembers(ev wire.Event, raw json.RawMessage) {
	if !p.looping || len(p.members) < splitMembers || runtime.GOMAXPROCS(0) < 2 {
		for _, m := range p.members {
			if m.sub != nil && !m.sub.Send(ev, raw) {
				p.dropSlow(m)
			}
		}
		return
	}
	if p.fan == nil {
		p.fan = startFanout() // stopped when Run returns
	}
	f := p.fan
	f.theirs, f.mine = f.theirs[:0], f.mine[:0]
	for _, m := range p.members {
		if m.sub == nil {
			continue
		}
		if len(f.theirs) <= len(f.mine) {
			f.theirs = append(f.theirs, m)
		} else {
			f.mine = append(f.mine, m)
		}
	}
	f.jobs <- fanJob{ev, raw}
	for _, m := range f.mine {
		if !m.sub.Send(ev, raw) {
			p.dropSlow(m)
		}
	}
	<-f.finished
	for _, m := range f.failed {
		p.dropSlow(m)
	}
	clear(f.theirs) // hold no member past its leaving
	clear(f.mine)
	clear(f.failed)
}

// dropSlow forgets a member's connection that refused an event: too slow or gone. The
// member stays until it leaves; a reconnect with the same client_id catches up from since.
//
// Logged at debug level and without saying which: most refusals are of connections that
// have just closed (at a party's end, every member's that has not yet left), and a
// connection dropped for being slow is logged as such where its queue filled (rpc). A
// window tester read "dropping slow subscriber" fourteen times in the host's log at the
// clean end of a party of sixteen.
func (p *Party) dropSlow(m *member) {
	p.log.Debug("stopped sending to a member's connection (closed, or too slow); it catches up when it reconnects", "member", m.ID)
	m.sub = nil
}
