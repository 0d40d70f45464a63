// Package bench measures the host's fan-out, as issue 9 asks: a party on loopback, a fake
// agent streaming stamped deltas at a set rate, and many raw WebSocket participants that
// record, for every delta, the time from the agent's write to their receipt. The same run
// measures a minimal relay (relay.go) as the baseline.
//
// The host side of each run is a child process (this program re-executed with ChildEnv),
// so that its CPU time and memory are read apart from the participants'; the participants
// are goroutines in the parent, one per connection, each the only reader of its socket.
// Both processes stamp and read CLOCK_MONOTONIC. Report turns results into the Markdown
// table and the PNG plot.
package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gorilla/websocket"

	"github.com/concordia-party/concordia/internal/stamp"
)

// Scenario is the shape of one run.
type Scenario struct {
	System       string `json:"system"` // one of the System constants (child.go)
	Participants int    `json:"participants"`
	Rate         int    `json:"rate"`    // deltas per second (0 for an idle run)
	Stalled      bool   `json:"stalled"` // one more participant that says hello and never reads
	Idle         bool   `json:"idle"`    // no stream: hold the participants and measure memory
}

// Result is what one run measured. Latencies are over the participants that read (the
// stalled one aside), in milliseconds.
type Result struct {
	Scenario
	Rep      int     `json:"rep"`
	Joined   int     `json:"joined"`  // participants connected (and, for Concordia, joined) before the stream
	P50MS    float64 `json:"p50_ms"`  // delivery latency, agent's write to a participant's receipt
	P99MS    float64 `json:"p99_ms"`  //
	MaxMS    float64 `json:"max_ms"`  //
	Samples  int     `json:"samples"` // deltas received, summed over participants
	Expected int     `json:"expected"`
	Lost     int     `json:"lost"`    // Expected − Samples
	Dropped  int     `json:"dropped"` // participants whose connection ended before the stream did
	Frames   int64   `json:"frames"`  // frames the participants read during the stream
	Bytes    int64   `json:"bytes"`   // their payload bytes
	Writes   int64   `json:"writes"`  // host: write calls on the sockets during the stream
	WireB    int64   `json:"wire_b"`  // host: bytes written during the stream, framing included
	CPUms    float64 `json:"cpu_ms"`  // host: user+sys CPU during the stream
	SysMS    float64 `json:"sys_ms"`  // host: of which in the kernel
	CtxSw    int64   `json:"ctx_sw"`  // host: context switches during the stream (voluntary + involuntary)
	CPUPerUS float64 `json:"cpu_per_delta_us"`
	HWMKiB   int64   `json:"hwm_kib"` // host: peak resident memory of the child
	// Idle runs: host memory per participant held (after a GC), and the code a hello one
	// past MaxParticipants got.
	RSSPerKiB    float64 `json:"rss_per_kib,omitempty"`
	GoMemPerKiB  float64 `json:"gomem_per_kib,omitempty"` // heap + goroutine stacks
	RefusedCode  int     `json:"refused_code,omitempty"`
	Seconds      float64 `json:"seconds"` // the run's wall time, set-up included
	Err          string  `json:"err,omitempty"`
	SentSeconds  float64 `json:"sent_seconds"` // first to last delta written
	MaxMembers   int     `json:"max_members"`  // MaxParticipants the host ran with
	DeltaBytes   int     `json:"delta_bytes"`
	DeltasPerRun int     `json:"deltas"`
	Load1        float64 `json:"load1"` // the machine's 1-minute load average when the run ended
}

// Options configures a whole benchmark.
type Options struct {
	Exe          string        // the program re-executed as the host child (this one)
	Participants []int         // e.g. 10, 100, 300, 1000
	Rates        []int         // deltas per second, e.g. 200, 2000
	Deltas       int           // deltas per run
	DeltaBytes   int           // bytes per delta (stamp included)
	Reps         int           // runs of each scenario; the report shows medians
	StallAt      []int         // participant counts also run with one stalled participant
	IdleAt       int           // participants held in the idle run (0: none)
	Systems      []string      // default concordia and relay, and concordia-bin and relay-bin when Binary is set
	Binary       string        // the concordia program, for SystemBinary
	BinaryB      string        // a second one, for SystemBinaryB (added after SystemBinary when set)
	FakeAgent    string        // fakeclaude, for SystemBinary and SystemRelayBin
	Drain        time.Duration // how long to wait for deliveries after the last delta
	Samples      string        // a directory for every run's deliveries, one TSV file each (empty: none)
	Log          io.Writer     // progress lines (nil: none)
}

func (o *Options) defaults() {
	if o.Deltas <= 0 {
		o.Deltas = 400
	}
	if o.DeltaBytes <= 0 {
		o.DeltaBytes = 32
	}
	if o.Reps <= 0 {
		o.Reps = 1
	}
	if len(o.Systems) == 0 {
		o.Systems = []string{SystemConcordia, SystemRelay}
		if o.Binary != "" {
			o.Systems = []string{SystemConcordia, SystemBinary, SystemRelay, SystemRelayBin}
		}
	}
	if o.BinaryB != "" && slices.Contains(o.Systems, SystemBinary) && !slices.Contains(o.Systems, SystemBinaryB) {
		i := slices.Index(o.Systems, SystemBinary)
		o.Systems = slices.Insert(o.Systems, i+1, SystemBinaryB)
	}
	if o.Drain <= 0 {
		o.Drain = 15 * time.Second
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
}

// Scenarios lists the runs o asks for, in the order they run: repetitions outermost, so
// that a slow spell of the machine spreads over all scenarios instead of one.
func (o Options) Scenarios() []Scenario {
	o.defaults()
	var list []Scenario
	for _, rate := range o.Rates {
		for _, n := range o.Participants {
			for _, sys := range o.Systems {
				list = append(list, Scenario{System: sys, Participants: n, Rate: rate})
			}
		}
		for _, n := range o.StallAt {
			for _, sys := range o.Systems {
				list = append(list, Scenario{System: sys, Participants: n, Rate: rate, Stalled: true})
			}
		}
	}
	if o.IdleAt > 0 {
		for _, sys := range o.Systems {
			if agentProcess(sys) {
				continue // the concordia and relay idle runs measure the same servers' memory
			}
			list = append(list, Scenario{System: sys, Participants: o.IdleAt, Idle: true})
		}
	}
	return list
}

// Run runs every scenario o.Reps times and returns the results in run order. A run that
// fails is recorded with Err and the benchmark goes on.
func Run(ctx context.Context, o Options) ([]Result, error) {
	o.defaults()
	for _, sys := range o.Systems {
		switch sys {
		case SystemConcordia, SystemRelay:
		case SystemBinary:
			if o.Binary == "" || o.FakeAgent == "" {
				return nil, errors.New("the concordia-bin system needs the concordia program and fakeclaude (-binary, -fake-agent; make bench-bins builds both)")
			}
		case SystemBinaryB:
			if o.BinaryB == "" || o.FakeAgent == "" {
				return nil, errors.New("the concordia-bin-b system needs a second concordia program and fakeclaude (-binary-b, -fake-agent)")
			}
		case SystemRelayBin:
			if o.FakeAgent == "" {
				return nil, errors.New("the relay-bin system needs fakeclaude (-fake-agent; make bench-bins builds it)")
			}
		default:
			return nil, fmt.Errorf("unknown system %q (concordia, concordia-bin, concordia-bin-b, relay or relay-bin)", sys)
		}
	}
	if o.Samples != "" {
		if err := os.MkdirAll(o.Samples, 0o755); err != nil {
			return nil, fmt.Errorf("the samples' directory: %w", err)
		}
	}
	if o.Exe == "" {
		exe, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("find this program: %w", err)
		}
		o.Exe = exe
	}
	var results []Result
	scs := o.Scenarios()
	for rep := range o.Reps {
		for i, sc := range scs {
			if err := ctx.Err(); err != nil {
				return results, err
			}
			r := runOne(ctx, o, sc, rep)
			results = append(results, r)
			fmt.Fprintf(o.Log, "[%d/%d rep %d] %s\n", i+1, len(scs), rep+1, r.line())
		}
	}
	return results, nil
}

func (r Result) line() string {
	name := fmt.Sprintf("%-9s n=%-4d", r.System, r.Participants)
	switch {
	case r.Err != "":
		return fmt.Sprintf("%s rate=%d: error: %s", name, r.Rate, r.Err)
	case r.Idle:
		refused := "" // the relay has no cap
		if speaksProtocol(r.System) {
			refused = fmt.Sprintf(", hello %d past the cap: %d", r.MaxMembers+1, r.RefusedCode)
		}
		return fmt.Sprintf("%s idle: joined %d, %.1f KiB RSS and %.1f KiB Go memory per participant%s, %.1fs",
			name, r.Joined, r.RSSPerKiB, r.GoMemPerKiB, refused, r.Seconds)
	}
	stall := ""
	if r.Stalled {
		stall = " +stalled"
	}
	return fmt.Sprintf("%s rate=%d%s: p50 %.2f p99 %.2f max %.2f ms, lost %d/%d, dropped %d, frames %d, host cpu %.0f ms (%.1f µs/delta), hwm %d KiB, %.1fs",
		name, r.Rate, stall, r.P50MS, r.P99MS, r.MaxMS, r.Lost, r.Expected, r.Dropped, r.Frames, r.CPUms, r.CPUPerUS, r.HWMKiB, r.Seconds)
}

// runOne runs one scenario against a fresh child.
func runOne(ctx context.Context, o Options, sc Scenario, rep int) (res Result) {
	began := time.Now()
	res = Result{Scenario: sc, Rep: rep, DeltaBytes: o.DeltaBytes, DeltasPerRun: o.Deltas}
	defer func() { res.Seconds, res.Load1 = time.Since(began).Seconds(), load1() }()
	fail := func(err error) Result {
		res.Err = err.Error()
		if ctx.Err() != nil {
			res.Err = "interrupted" // the child was stopped under us: its error says nothing more
		}
		return res
	}
	spec := childSpec{System: sc.System, Rate: sc.Rate, Deltas: o.Deltas, DeltaBytes: o.DeltaBytes,
		MaxParticipants: sc.Participants + 8, Binary: o.Binary, FakeAgent: o.FakeAgent}
	if sc.System == SystemBinaryB {
		spec.Binary = o.BinaryB
	}
	if sc.Idle {
		spec.MaxParticipants = sc.Participants // one more is refused: the -32005 check
	}
	res.MaxMembers = spec.MaxParticipants
	ch, err := startChild(ctx, o.Exe, spec)
	if err != nil {
		return fail(err)
	}
	defer ch.stop()

	before, err := ch.stats(true)
	if err != nil {
		return fail(err)
	}
	var started atomic.Bool
	pts, err := connect(ctx, ch.ep, sc.Participants, o.Deltas, &started)
	defer func() {
		for _, pt := range pts {
			pt.conn.Close()
		}
	}()
	if err != nil {
		return fail(err)
	}
	res.Joined = len(pts)
	var stalled *websocket.Conn
	if sc.Stalled {
		stalled, err = dialParticipant(ctx, ch.ep, sc.Participants, 4096)
		if err != nil {
			return fail(fmt.Errorf("stalled participant: %w", err))
		}
		defer stalled.Close()
	}
	waitQuiet(pts, 300*time.Millisecond, 60*time.Second)

	if sc.Idle {
		held, err := ch.stats(true)
		if err != nil {
			return fail(err)
		}
		res.Joined = held.Members
		n := float64(max(held.Members, 1))
		res.RSSPerKiB = float64(held.RSSKiB-before.RSSKiB) / n
		res.GoMemPerKiB = float64(held.HeapInuse+held.StackInuse-before.HeapInuse-before.StackInuse) / 1024 / n
		res.HWMKiB = held.HWMKiB
		if speaksProtocol(sc.System) {
			res.RefusedCode = oneTooMany(ctx, ch.ep, sc.Participants)
		}
		return res
	}

	cpu0, err := ch.stats(false)
	if err != nil {
		return fail(err)
	}
	started.Store(true)
	sent, err := ch.run(time.Duration(o.Deltas)*time.Second/time.Duration(max(sc.Rate, 1)) + 60*time.Second)
	if err != nil {
		return fail(err)
	}
	res.SentSeconds = float64(sent.LastNS-sent.FirstNS) / 1e9 // the real program's: from the stamps, below
	deadline := time.After(o.Drain)
	for _, pt := range pts {
		select {
		case <-pt.done:
		case <-deadline:
		}
	}
	cpu1, err := ch.stats(false)
	if err != nil {
		return fail(err)
	}
	for _, pt := range pts {
		select {
		case <-pt.done:
			if pt.readErr != nil { // the host closed it before the stream's end
				res.Dropped++
			}
		default:
		}
		pt.conn.Close() // a reader still waiting stops now
		<-pt.done
	}
	if o.Samples != "" {
		if err := writeSamples(o.Samples, res, pts); err != nil {
			return fail(err)
		}
	}
	var lat []int64
	first, last := int64(math.MaxInt64), int64(0)
	for _, pt := range pts {
		lat = append(lat, pt.lat...)
		res.Frames += pt.frames
		res.Bytes += pt.bytes
		if pt.lastAt > 0 {
			first, last = min(first, pt.firstAt), max(last, pt.lastAt)
		}
	}
	if agentProcess(sc.System) && last > 0 {
		res.SentSeconds = float64(last-first) / 1e9
	}
	slices.Sort(lat)
	res.Samples = len(lat)
	res.Expected = len(pts) * o.Deltas
	res.Lost = res.Expected - res.Samples
	res.P50MS, res.P99MS, res.MaxMS = quantile(lat, 0.50), quantile(lat, 0.99), quantile(lat, 1)
	res.Writes = cpu1.Writes - cpu0.Writes
	res.WireB = cpu1.WriteBytes - cpu0.WriteBytes
	res.CPUms = float64(cpu1.UserUS+cpu1.SysUS-cpu0.UserUS-cpu0.SysUS) / 1e3
	res.SysMS = float64(cpu1.SysUS-cpu0.SysUS) / 1e3
	res.CtxSw = cpu1.VolCS + cpu1.InvolCS - cpu0.VolCS - cpu0.InvolCS
	if res.Samples > 0 {
		res.CPUPerUS = res.CPUms * 1e3 / float64(res.Samples)
	}
	res.HWMKiB = cpu1.HWMKiB
	return res
}

// writeSamples writes one run's deliveries to dir as SYSTEM-nN-rRATE[-stalled]-repK.tsv:
// a line per delivery, "participant<TAB>delta<TAB>latency in ns", participants numbered
// in the order they connected, deltas by their stamp's number. It is for looking at
// what the medians hide: which deltas were late, and for whom. A file of the same name
// (an earlier run into the same directory) is replaced.
func writeSamples(dir string, r Result, pts []*participant) error {
	stall := ""
	if r.Stalled {
		stall = "-stalled"
	}
	name := fmt.Sprintf("%s-n%d-r%d%s-rep%d.tsv", r.System, r.Participants, r.Rate, stall, r.Rep+1)
	var b bytes.Buffer
	b.WriteString("participant\tdelta\tlatency_ns\n")
	for i, pt := range pts {
		for j, l := range pt.lat {
			fmt.Fprintf(&b, "%d\t%d\t%d\n", i, pt.latSeq[j], l)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, name), b.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write the samples: %w", err)
	}
	return nil
}

// quantile is the q-quantile of sorted ns values, in ms (nearest rank).
func quantile(sorted []int64, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.5) - 1
	i = min(max(i, 0), len(sorted)-1)
	return float64(sorted[i]) / 1e6
}

// connect dials n participants, a few at a time, and starts their readers.
func connect(ctx context.Context, ep endpoint, n, deltas int, started *atomic.Bool) ([]*participant, error) {
	pts := make([]*participant, n)
	errs := make([]error, n)
	sem := make(chan struct{}, 8)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			conn, err := dialParticipant(ctx, ep, i, 0)
			if err == nil && speaksProtocol(ep.system) {
				if err = helloReply(conn); err != nil {
					conn.Close()
				}
			}
			if err != nil {
				errs[i] = fmt.Errorf("participant %d: %w", i, err)
				return
			}
			pt := newParticipant(conn, deltas)
			pts[i] = pt
			go pt.read(started)
		}()
	}
	wg.Wait()
	ok := pts[:0]
	for _, pt := range pts {
		if pt != nil {
			ok = append(ok, pt)
		}
	}
	return ok, errors.Join(errs...)
}

// waitQuiet waits until no participant has read a frame for quiet (the joins' events have
// been delivered), or at most limit.
func waitQuiet(pts []*participant, quiet, limit time.Duration) {
	end := time.Now().Add(limit)
	for time.Now().Before(end) {
		var last int64
		for _, pt := range pts {
			last = max(last, pt.lastFrame.Load())
		}
		if time.Duration(stamp.Monotonic()-last) >= quiet {
			return
		}
		time.Sleep(quiet / 4)
	}
}

// oneTooMany says hello one past the cap and returns the error code it got (0: joined).
func oneTooMany(ctx context.Context, ep endpoint, i int) int {
	conn, err := dialParticipant(ctx, ep, i+1, 0)
	if err != nil {
		return -1
	}
	defer conn.Close()
	var re *rpcError
	if err := helloReply(conn); errors.As(err, &re) {
		return re.Code
	} else if err != nil {
		return -1
	}
	return 0
}

// child is the host side of one run, as a process.
type child struct {
	cmd    *exec.Cmd
	in     io.WriteCloser
	ep     endpoint
	statsC chan string
	sent   chan string
	exit   chan struct{}
	mu     sync.Mutex // one command at a time
}

func startChild(ctx context.Context, exe string, spec childSpec) (*child, error) {
	b, _ := json.Marshal(spec)
	cmd := exec.CommandContext(ctx, exe)
	cmd.Env = append(os.Environ(), ChildEnv+"="+string(b))
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("child stdin: %w", err)
	}
	// Stopped (Ctrl-C, a deadline): closing its stdin lets the child clean up what it
	// started; it is killed only if it has not gone within WaitDelay.
	cmd.Cancel = in.Close
	cmd.WaitDelay = 15 * time.Second
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("child stdout: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start the host child: %w", err)
	}
	c := &child{cmd: cmd, in: in, statsC: make(chan string, 1), sent: make(chan string, 1), exit: make(chan struct{})}
	ready := make(chan string, 1)
	go func() {
		defer close(c.exit)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			kind, rest, _ := strings.Cut(sc.Text(), " ")
			switch kind {
			case "ready":
				ready <- rest
			case "stats":
				c.statsC <- rest
			case "sent":
				c.sent <- rest
			default:
				fmt.Fprintln(os.Stderr, "bench child:", sc.Text())
			}
		}
	}()
	select {
	case line := <-ready:
		addr, token, _ := strings.Cut(line, " ")
		c.ep = endpoint{system: spec.System, addr: addr, token: token}
		return c, nil
	case <-c.exit:
		c.stop()
		return nil, errors.New("the host child exited before listening")
	case <-time.After(30 * time.Second):
		c.stop()
		return nil, errors.New("the host child did not start listening within 30s")
	}
}

func (c *child) stats(gc bool) (hostStats, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	cmd := "stats\n"
	if gc {
		cmd = "gc-stats\n"
	}
	var st hostStats
	if _, err := io.WriteString(c.in, cmd); err != nil {
		return st, fmt.Errorf("ask the host child: %w", err)
	}
	select {
	case line := <-c.statsC:
		return st, json.Unmarshal([]byte(line), &st)
	case <-c.exit:
		return st, errors.New("the host child exited")
	case <-time.After(60 * time.Second):
		return st, errors.New("the host child did not answer within 60s")
	}
}

// run starts the stream and waits for the agent's last delta.
func (c *child) run(limit time.Duration) (sentReport, error) {
	var rep sentReport
	c.mu.Lock()
	_, err := io.WriteString(c.in, "go\n")
	c.mu.Unlock()
	if err != nil {
		return rep, fmt.Errorf("start the stream: %w", err)
	}
	select {
	case line := <-c.sent:
		return rep, json.Unmarshal([]byte(line), &rep)
	case <-c.exit:
		return rep, errors.New("the host child exited during the stream")
	case <-time.After(limit):
		return rep, fmt.Errorf("the stream did not end within %s", limit)
	}
}

// stop asks the child to quit and waits; it kills a child that does not within 10s.
func (c *child) stop() {
	c.mu.Lock()
	io.WriteString(c.in, "quit\n")
	c.in.Close()
	c.mu.Unlock()
	select {
	case <-c.exit:
	case <-time.After(10 * time.Second):
		c.cmd.Process.Signal(syscall.SIGKILL)
		<-c.exit
	}
	c.cmd.Wait()
}

// load1 is the 1-minute load average (0 when unknown): other work on the machine skews
// every figure, so the report says how busy it was.
func load1() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	f, _, _ := strings.Cut(string(b), " ")
	v, _ := strconv.ParseFloat(f, 64)
	return v
}
