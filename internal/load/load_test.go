package load

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/concordia-party/concordia/internal/agent"
	"github.com/concordia-party/concordia/internal/client"
	"github.com/concordia-party/concordia/internal/host"
	"github.com/concordia-party/concordia/internal/invite"
	"github.com/concordia-party/concordia/internal/party"
	"github.com/concordia-party/concordia/internal/rpc"
	"github.com/concordia-party/concordia/internal/testkit"
	"github.com/concordia-party/concordia/internal/wire"
)

// Knobs, each overridable from the environment (CONCORDIA_LOAD_MEMBERS and so on).
var (
	members  = envInt("CONCORDIA_LOAD_MEMBERS", 200)
	duration = time.Duration(envInt("CONCORDIA_LOAD_SECONDS", 60)) * time.Second
	// Each member prompts about this often (exponentially distributed waits).
	meanGap = time.Duration(envInt("CONCORDIA_LOAD_PROMPT_EVERY_S", 20)) * time.Second
)

// streamPrompt makes each batch a long streamed reply: 150 deltas of 256 bytes, 20 ms apart
// (3 s per batch), so that a reply is always streaming while prompts arrive.
const streamPrompt = "FAKE_STREAM=150:20:256"

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// memStats is what the host process reports about itself.
type memStats struct {
	HeapAlloc  uint64 `json:"heap_alloc"` // live heap after a GC
	HeapSys    uint64 `json:"heap_sys"`
	RSS        uint64 `json:"rss"` // VmRSS
	Goroutines int    `json:"goroutines"`
	Seq        int64  `json:"seq"`
}

func (m memStats) String() string {
	return fmt.Sprintf("heap %.1f MiB (sys %.1f), RSS %.1f MiB, %d goroutines, seq %d",
		mib(m.HeapAlloc), mib(m.HeapSys), mib(m.RSS), m.Goroutines, m.Seq)
}

func mib(b uint64) float64 { return float64(b) / (1 << 20) }

// TestLoadHost is the host process of TestLoad (this test binary, run again): it prints the
// invite, answers "stats" lines on stdin with a memStats line, and ends the party when stdin
// closes.
func TestLoadHost(t *testing.T) {
	if os.Getenv("CONCORDIA_LOAD_HOST") == "" {
		t.Skip("the host side of TestLoad")
	}
	h, err := host.Start(context.Background(), host.Config{
		Listen: "127.0.0.1:0", Insecure: true, DataDir: t.TempDir(), Name: "loadhost",
		Window: 500 * time.Millisecond,
		Agent:  agent.Config{Path: os.Getenv("CONCORDIA_LOAD_CLAUDE"), WorkDir: t.TempDir()},
		Party:  party.Config{MaxParticipants: members + 10},
	})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("invite code: %s\n", h.Invite())
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		if sc.Text() != "stats" {
			continue
		}
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		st, _ := h.Party().State(math.MaxInt64) // the seq, no events
		b, _ := json.Marshal(memStats{HeapAlloc: ms.HeapAlloc, HeapSys: ms.HeapSys, RSS: rss(),
			Goroutines: runtime.NumGoroutine(), Seq: st.Seq})
		fmt.Printf("stats %s\n", b)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := h.Shutdown(ctx); err != nil {
		t.Error(err)
	}
}

// rss is this process's resident set (VmRSS), 0 where /proc is missing.
func rss() uint64 {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// hostProc is the host process and its stdin/stdout.
type hostProc struct {
	cmd   *exec.Cmd
	in    io.WriteCloser
	lines chan string
}

func startHost(t *testing.T) (*hostProc, invite.Invite) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestLoadHost$", "-test.count=1", "-test.timeout=30m")
	cmd.Env = append(os.Environ(), "CONCORDIA_LOAD_HOST=1", "CONCORDIA_LOAD_CLAUDE="+testkit.FakeClaude(t))
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	hp := &hostProc{cmd: cmd, in: in, lines: make(chan string, 16)}
	go func() {
		defer close(hp.lines)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			hp.lines <- sc.Text()
		}
	}()
	t.Cleanup(func() {
		in.Close()
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(40 * time.Second):
			_ = cmd.Process.Kill()
			t.Error("the host process did not end")
		}
	})
	for line := range hp.lines {
		if s, ok := strings.CutPrefix(line, "invite code: "); ok {
			inv, err := invite.Parse(s)
			if err != nil {
				t.Fatal(err)
			}
			return hp, inv
		}
	}
	t.Fatal("the host process ended without an invite")
	return nil, invite.Invite{}
}

func (hp *hostProc) stats(t *testing.T) memStats {
	t.Helper()
	if _, err := io.WriteString(hp.in, "stats\n"); err != nil {
		t.Fatal(err)
	}
	for line := range hp.lines {
		if s, ok := strings.CutPrefix(line, "stats "); ok {
			var m memStats
			if err := json.Unmarshal([]byte(s), &m); err != nil {
				t.Fatal(err)
			}
			return m
		}
	}
	t.Fatal("the host process ended")
	return memStats{}
}

// member is one joined participant and what it saw: only the seq it is at, and any gap or
// repeat. The first member also keeps every event (the observer).
type member struct {
	c          *client.Client
	mu         sync.Mutex
	last       int64
	gaps, reps int
	reconnects int
	keep       bool
	evs        []wire.Event
	wake       chan struct{}
}

func (m *member) onEvent(ev wire.Event) {
	m.mu.Lock()
	first := ev.Seq // an output event may stand for first_seq..seq (merged for a busy connection)
	if ev.FirstSeq > 0 {
		first = ev.FirstSeq
	}
	switch {
	case first <= m.last:
		m.reps++
	case first != m.last+1:
		m.gaps++
	}
	m.last = max(m.last, ev.Seq)
	if m.keep {
		m.evs = append(m.evs, ev)
	}
	m.mu.Unlock()
	select {
	case m.wake <- struct{}{}:
	default:
	}
}

// TestLoad keeps 200 participants joined for a minute while prompts flow and long replies
// stream, against a host in its own process. It checks that no acknowledged prompt is lost
// (each is in exactly one batch, each batch has a turn), that every participant got every
// event once and in order, and reports the host's memory at the start, middle and end.
func TestLoad(t *testing.T) {
	if os.Getenv("CONCORDIA_LOAD") == "" {
		t.Skip("a load test: run with CONCORDIA_LOAD=1 (make load)")
	}
	hp, inv := startHost(t)

	t0 := time.Now()
	ms := make([]*member, members)
	var wg sync.WaitGroup
	var joinErr atomic.Value
	for i := range members {
		ms[i] = &member{keep: i == 0, wake: make(chan struct{}, 1)}
		wg.Add(1)
		go func() {
			defer wg.Done()
			m := ms[i]
			c, err := client.Join(context.Background(), client.Config{
				Invite: inv, Name: fmt.Sprintf("p%03d", i), OnEvent: m.onEvent,
				Backoff: []time.Duration{100 * time.Millisecond, 500 * time.Millisecond},
				OnStatus: func(s client.Status) {
					if s.State == client.StatusReconnecting {
						m.mu.Lock()
						m.reconnects++
						m.mu.Unlock()
					}
				},
			})
			if err != nil {
				joinErr.Store(fmt.Errorf("p%03d: %w", i, err))
				return
			}
			m.c = c
		}()
	}
	wg.Wait()
	if err, _ := joinErr.Load().(error); err != nil {
		t.Fatalf("join: %v", err)
	}
	for _, m := range ms {
		t.Cleanup(m.c.Close)
	}
	t.Logf("%d participants joined in %s", members, time.Since(t0).Round(time.Millisecond))
	start := hp.stats(t)
	t.Logf("host at the start:  %s", start)

	// Prompts flow for the whole duration.
	var (
		ackMu   sync.Mutex
		acked   = map[string]bool{}
		refused atomic.Int64 // -32003: the party's own limits, answered as errors (not lost)
		failed  atomic.Int64
	)
	ctx, stop := context.WithTimeout(context.Background(), duration)
	defer stop()
	for i, m := range ms {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(i), 8))
			for k := 0; ; k++ {
				wait := time.Duration(r.ExpFloat64() * float64(meanGap))
				select {
				case <-ctx.Done():
					return
				case <-time.After(wait):
				}
				res, err := m.c.Prompt(context.Background(), fmt.Sprintf("%s note %d from p%03d", streamPrompt, k, i))
				var re *rpc.Error
				switch {
				case err == nil:
					ackMu.Lock()
					acked[res.ID] = true
					ackMu.Unlock()
				case errors.As(err, &re) && re.Code == wire.CodeRateLimited:
					refused.Add(1)
				default:
					failed.Add(1)
					t.Errorf("p%03d prompt: %v", i, err)
				}
			}
		}()
	}
	mid := time.NewTimer(duration / 2)
	var middle memStats
	select {
	case <-mid.C:
		middle = hp.stats(t)
		t.Logf("host at the middle: %s", middle)
	case <-ctx.Done():
	}
	wg.Wait()
	end := hp.stats(t)
	t.Logf("host at the end:    %s", end)
	t.Logf("%d prompts acknowledged, %d refused by the party's limits (-32003), %d failed", len(acked), refused.Load(), failed.Load())

	// Drain: every acknowledged prompt reaches a batch, every batch a turn, the agent idles.
	obs := ms[0]
	drained := func() bool {
		obs.mu.Lock()
		defer obs.mu.Unlock()
		carried := map[string]int{}
		batches, turns := map[string]bool{}, map[string]bool{}
		idle := false
		for _, ev := range obs.evs {
			switch ev.Kind {
			case wire.KindBatch:
				batches[ev.Batch.ID] = true
				for _, id := range ev.Batch.Prompts {
					carried[id]++
				}
			case wire.KindTurn:
				turns[ev.Turn.Batch] = true
			case wire.KindPhase:
				idle = ev.Phase == wire.PhaseIdle
			}
		}
		for id := range acked {
			if carried[id] != 1 {
				return false
			}
		}
		return idle && len(batches) == len(turns)
	}
	deadline := time.NewTimer(5 * time.Minute)
	for !drained() {
		select {
		case <-obs.wake:
		case <-deadline.C:
			t.Fatalf("not drained within 5 minutes of the end")
		}
	}
	idle := hp.stats(t)
	t.Logf("host drained:       %s", idle)

	// Every participant reaches the host's seq with no gap and no repeat.
	var reconnects int
	for i, m := range ms {
		for {
			m.mu.Lock()
			last, gaps, reps := m.last, m.gaps, m.reps
			m.mu.Unlock()
			if gaps != 0 || reps != 0 {
				t.Fatalf("p%03d: %d gaps, %d repeats", i, gaps, reps)
			}
			if last >= idle.Seq {
				break
			}
			select {
			case <-m.wake:
			case <-deadline.C:
				t.Fatalf("p%03d is at seq %d of %d", i, last, idle.Seq)
			}
		}
		m.mu.Lock()
		reconnects += m.reconnects
		m.mu.Unlock()
	}
	var turns, errs, outputs int
	obs.mu.Lock() // a changes event may still be coming in
	seen := slices.Clone(obs.evs)
	obs.mu.Unlock()
	for _, ev := range seen {
		switch ev.Kind {
		case wire.KindTurn:
			turns++
			if ev.Turn.Status != wire.TurnDone {
				errs++
			}
		case wire.KindOutput:
			outputs++
		}
	}
	t.Logf("%d events (%d output), %d turns (%d not done), every participant at seq %d with 0 gaps and 0 repeats; %d reconnects",
		idle.Seq, outputs, turns, errs, idle.Seq, reconnects)
	if errs != 0 {
		t.Errorf("%d turns did not end done", errs)
	}
	// Stable memory: the host's live heap and RSS do not run away while the party goes on.
	// (The event log grows with the party by design, about 1 KB per event here.)
	if middle.HeapAlloc > 0 && end.HeapAlloc > 2*middle.HeapAlloc+32<<20 {
		t.Errorf("heap grew from %.1f MiB (middle) to %.1f MiB (end)", mib(middle.HeapAlloc), mib(end.HeapAlloc))
	}
}
