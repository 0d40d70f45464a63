package bench

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Report is a benchmark's results summarised: medians over repetitions.
type Report struct {
	Opts    Options
	Results []Result
	Rows    []Row
	When    time.Time
	Machine string
}

// Row is one scenario's median figures over its repetitions.
type Row struct {
	Scenario
	Reps        int
	Failed      int // repetitions that failed (their error is in Results)
	P50, P99    float64
	Max         float64
	LostWorst   int // the most deltas lost in one repetition
	Expected    int
	Dropped     int // the most connections dropped in one repetition
	Frames      float64
	WireB       float64
	CPUms       float64
	CPUPerUS    float64
	HWMKiB      float64
	RSSPerKiB   float64
	GoMemPerKiB float64
	Joined      int
	RefusedCode int
	MaxMembers  int
}

// NewReport summarises results.
func NewReport(o Options, results []Result) *Report {
	o.defaults()
	r := &Report{Opts: o, Results: results, When: time.Now(), Machine: machine()}
	for _, sc := range o.Scenarios() {
		var runs []Result
		row := Row{Scenario: sc}
		for _, res := range results {
			if res.Scenario != sc {
				continue
			}
			row.Reps++
			if res.Err != "" {
				row.Failed++
				continue
			}
			runs = append(runs, res)
		}
		if len(runs) == 0 {
			r.Rows = append(r.Rows, row)
			continue
		}
		med := func(f func(Result) float64) float64 {
			v := make([]float64, len(runs))
			for i, res := range runs {
				v[i] = f(res)
			}
			slices.Sort(v)
			if len(v)%2 == 1 {
				return v[len(v)/2]
			}
			return (v[len(v)/2-1] + v[len(v)/2]) / 2
		}
		row.P50 = med(func(x Result) float64 { return x.P50MS })
		row.P99 = med(func(x Result) float64 { return x.P99MS })
		row.Max = med(func(x Result) float64 { return x.MaxMS })
		row.Frames = med(func(x Result) float64 { return float64(x.Frames) })
		row.WireB = med(func(x Result) float64 { return float64(x.WireB) })
		row.CPUms = med(func(x Result) float64 { return x.CPUms })
		row.CPUPerUS = med(func(x Result) float64 { return x.CPUPerUS })
		row.HWMKiB = med(func(x Result) float64 { return float64(x.HWMKiB) })
		row.RSSPerKiB = med(func(x Result) float64 { return x.RSSPerKiB })
		row.GoMemPerKiB = med(func(x Result) float64 { return x.GoMemPerKiB })
		row.Joined = runs[0].Joined
		row.RefusedCode = runs[0].RefusedCode
		row.MaxMembers = runs[0].MaxMembers
		for _, res := range runs {
			row.LostWorst = max(row.LostWorst, res.Lost)
			row.Dropped = max(row.Dropped, res.Dropped)
			row.Expected = res.Expected
			row.Joined = min(row.Joined, res.Joined)
			if res.RefusedCode != row.RefusedCode {
				row.RefusedCode = res.RefusedCode // show a disagreement rather than hide it
			}
		}
		r.Rows = append(r.Rows, row)
	}
	return r
}

// find returns the row of a scenario, if it ran.
func (r *Report) find(sc Scenario) (Row, bool) {
	for _, row := range r.Rows {
		if row.Scenario == sc && row.Reps > row.Failed {
			return row, true
		}
	}
	return Row{}, false
}

// Markers around the generated part of the Markdown file; the rest is left as it is.
const (
	mdBegin = "<!-- bench:begin (written by make bench; edits here are overwritten) -->"
	mdEnd   = "<!-- bench:end -->"
)

// Markdown is the generated section: set-up, the latency table, the targets.
func (r *Report) Markdown() string {
	var b strings.Builder
	o := r.Opts
	fmt.Fprintf(&b, "Run on %s, %s, by `concordia-bench %s` (`make bench` runs it).\n", r.When.UTC().Format("2006-01-02 15:04 MST"), r.Machine, commandLine())
	fmt.Fprintf(&b, "Each run: a fresh host process, the participants connected and their joins delivered, then %d deltas of %d bytes;\n", o.Deltas, o.DeltaBytes)
	if o.Reps == 1 {
		b.WriteString("each scenario ran once (the figures are that run's). The machine is noisy;\n")
	} else {
		fmt.Fprintf(&b, "each scenario ran %d times and every figure is the **median** over those runs (lost and dropped: the worst run). The machine is noisy;\n", o.Reps)
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, res := range r.Results {
		lo, hi = math.Min(lo, res.Load1), math.Max(hi, res.Load1)
	}
	if len(r.Results) > 0 {
		fmt.Fprintf(&b, "compare the two systems within one run rather than figures across runs (1-minute load average during the runs: %.1f to %.1f on %d cores).\n\n", lo, hi, runtime.NumCPU())
	}

	b.WriteString("| participants | deltas/s | system | p50 ms | p99 ms | max ms | lost | dropped | frames | host bytes | host CPU ms | CPU µs/delta | host peak RSS MiB |\n")
	b.WriteString("| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	for _, row := range r.Rows {
		if row.Idle {
			continue
		}
		name := row.System
		if row.Stalled {
			name += " + 1 stalled"
		}
		if row.Reps == row.Failed {
			fmt.Fprintf(&b, "| %d | %d | %s | failed | | | | | | | | | |\n", row.Participants, row.Rate, name)
			continue
		}
		hostBytes := bytesIEC(row.WireB)
		if realProgram(row.System) {
			hostBytes = "–" // another process's sockets: not counted
		}
		fmt.Fprintf(&b, "| %d | %d | %s | %s | %s | %s | %d/%d | %d | %.0f | %s | %.0f | %.1f | %.1f |\n",
			row.Participants, row.Rate, name, ms(row.P50), ms(row.P99), ms(row.Max),
			row.LostWorst, row.Expected, row.Dropped, row.Frames, hostBytes, row.CPUms, row.CPUPerUS, row.HWMKiB/1024)
	}
	b.WriteString("\n")
	b.WriteString(r.targets())
	b.WriteString(r.compareBuilds())
	if failed := r.failures(); failed != "" {
		b.WriteString("\nRuns that failed:\n\n" + failed)
	}
	return b.String()
}

// pairedRatio is the median, over the repetitions in which both a and b ran, of a's
// figure divided by b's in that repetition. Both ran minutes apart at most (a repetition
// runs every scenario once), so a slow spell of the shared machine weighs on both sides
// of each ratio instead of on one side of the medians' ratio.
func (r *Report) pairedRatio(a, b Scenario, f func(Result) float64) (float64, int) {
	byRep := map[int]Result{}
	for _, res := range r.Results {
		if res.Scenario == b && res.Err == "" {
			byRep[res.Rep] = res
		}
	}
	var ratios []float64
	for _, res := range r.Results {
		if res.Scenario != a || res.Err != "" {
			continue
		}
		if other, ok := byRep[res.Rep]; ok && f(other) > 0 {
			ratios = append(ratios, f(res)/f(other))
		}
	}
	if len(ratios) == 0 {
		return 0, 0
	}
	slices.Sort(ratios)
	if len(ratios)%2 == 1 {
		return ratios[len(ratios)/2], len(ratios)
	}
	return (ratios[len(ratios)/2-1] + ratios[len(ratios)/2]) / 2, len(ratios)
}

// targets checks issue 9's point 2. Figures are the medians above; a comparison is judged
// by its paired ratio (pairedRatio), and the medians' ratio is shown beside it.
func (r *Report) targets() string {
	var b strings.Builder
	b.WriteString("Issue 9's targets. Concordia and relay are the medians above; *ratio* is theirs; *paired* is the median of the\n")
	b.WriteString("per-repetition ratios (each repetition runs both, close in time), which the verdict uses. The relay is the relay\n")
	b.WriteString("fed by a goroutine, except in the rows \"against relay-bin\": the relay fed by fakeclaude through a pipe, as the real program is:\n\n")
	b.WriteString("| target | scenario | Concordia | relay | ratio | paired | met |\n| --- | --- | ---: | ---: | ---: | ---: | --- |\n")
	yes := func(ok bool) string {
		if ok {
			return "yes"
		}
		return "**no**"
	}
	p99 := func(x Result) float64 { return x.P99MS }
	cpu := func(x Result) float64 { return x.CPUPerUS }
	// Each Concordia system against its baselines: the party in-process against the relay
	// (both get their deltas from a goroutine); the real program against the same relay,
	// and against relay-bin, which gets its deltas as the real program does, from
	// fakeclaude through a pipe.
	pairs := []struct{ sys, baseline, where string }{
		{SystemConcordia, SystemRelay, ""},
		{SystemBinary, SystemRelay, ", the real program"},
		{SystemBinary, SystemRelayBin, ", the real program against relay-bin"},
		{SystemBinaryB, SystemRelay, ", build B"},
		{SystemBinaryB, SystemRelayBin, ", build B against relay-bin"},
	}
	for _, rate := range r.Opts.Rates {
		for _, pair := range pairs {
			sys := pair.sys
			for _, n := range r.Opts.Participants {
				csc := Scenario{System: sys, Participants: n, Rate: rate}
				rsc := Scenario{System: pair.baseline, Participants: n, Rate: rate}
				c, okc := r.find(csc)
				rl, okr := r.find(rsc)
				if !okc || (!okr && pair.baseline != SystemRelay) {
					continue
				}
				where := fmt.Sprintf("%d at %d/s%s", n, rate, pair.where)
				if n < 1000 && okr {
					pr, _ := r.pairedRatio(csc, rsc, p99)
					fmt.Fprintf(&b, "| p99 ≤ 1.0× relay | %s | %s ms | %s ms | %.2f× | %.2f× | %s |\n",
						where, ms(c.P99), ms(rl.P99), c.P99/rl.P99, pr, yes(pr > 0 && pr <= 1))
				}
				if n >= 1000 && pair.baseline == SystemRelay {
					relay := "–"
					if okr {
						relay = ms(rl.P99) + " ms"
					}
					fmt.Fprintf(&b, "| p99 < 100 ms, nothing lost | %s | %s ms, lost %d | %s | | | %s |\n",
						where, ms(c.P99), c.LostWorst, relay, yes(c.P99 < 100 && c.LostWorst == 0 && c.Dropped == 0))
				}
				if okr && c.CPUPerUS > 0 && rl.CPUPerUS > 0 {
					pr, _ := r.pairedRatio(csc, rsc, cpu)
					fmt.Fprintf(&b, "| host CPU per delivered delta ≤ relay | %s | %.1f µs | %.1f µs | %.2f× | %.2f× | %s |\n",
						where, c.CPUPerUS, rl.CPUPerUS, c.CPUPerUS/rl.CPUPerUS, pr, yes(pr > 0 && pr <= 1))
				}
			}
		}
		for _, n := range r.Opts.StallAt {
			for _, sys := range r.Opts.Systems {
				bsc := Scenario{System: sys, Participants: n, Rate: rate}
				ssc := Scenario{System: sys, Participants: n, Rate: rate, Stalled: true}
				base, ok1 := r.find(bsc)
				st, ok2 := r.find(ssc)
				if !ok1 || !ok2 {
					continue
				}
				pr, _ := r.pairedRatio(ssc, bsc, p99)
				cell := fmt.Sprintf("%s → %s ms", ms(base.P99), ms(st.P99))
				cc, rc := cell, ""
				if !speaksProtocol(sys) {
					cc, rc = "", cell
				}
				fmt.Fprintf(&b, "| a stalled reader moves the others' p99 < 10%% | %d at %d/s, %s | %s | %s | %+.0f%% | %+.0f%% | %s |\n",
					n, rate, sys, cc, rc, (st.P99/base.P99-1)*100, (pr-1)*100, yes(pr > 0.9 && pr < 1.1))
			}
		}
	}
	if r.Opts.IdleAt > 0 {
		c, okc := r.find(Scenario{System: SystemConcordia, Participants: r.Opts.IdleAt, Idle: true})
		rl, okr := r.find(Scenario{System: SystemRelay, Participants: r.Opts.IdleAt, Idle: true})
		if okc {
			relayRSS, relayGo := "–", "–"
			if okr {
				relayRSS, relayGo = fmt.Sprintf("%.1f KiB", rl.RSSPerKiB), fmt.Sprintf("%.1f KiB", rl.GoMemPerKiB)
			}
			fmt.Fprintf(&b, "| < 64 KiB host memory per idle participant (RSS) | %d idle | %.1f KiB | %s | | | %s |\n",
				r.Opts.IdleAt, c.RSSPerKiB, relayRSS, yes(c.RSSPerKiB < 64))
			fmt.Fprintf(&b, "| (Go heap + stacks per idle participant) | %d idle | %.1f KiB | %s | | | |\n",
				r.Opts.IdleAt, c.GoMemPerKiB, relayGo)
			fmt.Fprintf(&b, "| %d participants held at once | max-participants %d | %d joined | | | | %s |\n",
				r.Opts.IdleAt, c.MaxMembers, c.Joined, yes(c.Joined >= r.Opts.IdleAt))
			fmt.Fprintf(&b, "| -32005 one past --max-participants | hello number %d | %d | | | | %s |\n",
				c.MaxMembers+1, c.RefusedCode, yes(c.RefusedCode == -32005))
		}
	}
	return b.String()
}

func (r *Report) failures() string {
	var b strings.Builder
	for _, res := range r.Results {
		if res.Err != "" {
			fmt.Fprintf(&b, "- %s, %d participants, %d/s, rep %d: %s\n", res.System, res.Participants, res.Rate, res.Rep+1, res.Err)
		}
	}
	return b.String()
}

// WriteFiles writes the Markdown section into mdPath (keeping the rest of the file), the
// plot to pngPath and every run to jsonPath; an empty path is skipped.
func (r *Report) WriteFiles(mdPath, pngPath, jsonPath string) error {
	if mdPath != "" {
		if err := writeSection(mdPath, r.Markdown()); err != nil {
			return err
		}
	}
	if pngPath != "" {
		png, err := r.Plot()
		if err != nil {
			return fmt.Errorf("plot: %w", err)
		}
		if err := os.WriteFile(pngPath, png, 0o644); err != nil {
			return fmt.Errorf("write the plot: %w", err)
		}
	}
	if jsonPath != "" {
		b, _ := json.MarshalIndent(r.Results, "", "  ")
		if err := os.MkdirAll(filepath.Dir(jsonPath), 0o755); err != nil {
			return fmt.Errorf("write results: %w", err)
		}
		if err := os.WriteFile(jsonPath, b, 0o644); err != nil {
			return fmt.Errorf("write results: %w", err)
		}
	}
	return nil
}

// writeSection replaces what lies between the markers in path, or appends the markers
// and section when the file has none (or does not exist).
func writeSection(path, section string) error {
	old, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("read %s: %w", path, err)
	}
	block := mdBegin + "\n\n" + section + "\n" + mdEnd
	var out []byte
	i, j := bytes.Index(old, []byte(mdBegin)), bytes.Index(old, []byte(mdEnd))
	if i >= 0 && j > i {
		out = append(append(append([]byte{}, old[:i]...), block...), old[j+len(mdEnd):]...)
	} else {
		if len(old) > 0 && !bytes.HasSuffix(old, []byte("\n")) {
			old = append(old, '\n')
		}
		if len(old) > 0 {
			old = append(old, '\n')
		}
		out = append(append(old, block...), '\n')
	}
	if err := os.WriteFile(path, out, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

func ms(v float64) string {
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.2f", v)
	}
}

func bytesIEC(v float64) string {
	switch {
	case v >= 1<<20:
		return fmt.Sprintf("%.1f MiB", v/(1<<20))
	case v >= 1<<10:
		return fmt.Sprintf("%.0f KiB", v/(1<<10))
	default:
		return fmt.Sprintf("%.0f B", v)
	}
}

// machine describes this computer in one line: CPU model, cores, kernel, Go.
func machine() string {
	model := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.SplitSeq(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	kernel := ""
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		kernel = ", Linux " + strings.TrimSpace(string(b))
	}
	return fmt.Sprintf("%s, %d cores%s, %s", model, runtime.NumCPU(), kernel, runtime.Version())
}

func commandLine() string {
	args := os.Args[1:]
	if len(args) == 0 {
		return "with its defaults"
	}
	quoted := make([]string, len(args))
	for i, a := range args {
		quoted[i] = a
		if a == "" {
			quoted[i] = "''" // an empty value: written as the shell needs it
		}
	}
	return strings.Join(quoted, " ")
}

// compareBuilds is the A/B table when a second concordia program ran (-binary-b): build B
// (concordia-bin-b) against build A (concordia-bin), paired per repetition like the
// targets.
func (r *Report) compareBuilds() string {
	if !slices.Contains(r.Opts.Systems, SystemBinaryB) {
		return ""
	}
	var b strings.Builder
	b.WriteString("\nBuild B (`-binary-b`, concordia-bin-b) against build A (`-binary`, concordia-bin), paired per repetition:\n\n")
	b.WriteString("| participants | deltas/s | p99 A ms | p99 B ms | p99 B/A | CPU A µs/delta | CPU B µs/delta | CPU B/A |\n")
	b.WriteString("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	p99 := func(x Result) float64 { return x.P99MS }
	cpu := func(x Result) float64 { return x.CPUPerUS }
	for _, rate := range r.Opts.Rates {
		for _, n := range r.Opts.Participants {
			for _, stalled := range []bool{false, true} {
				asc := Scenario{System: SystemBinary, Participants: n, Rate: rate, Stalled: stalled}
				bsc := Scenario{System: SystemBinaryB, Participants: n, Rate: rate, Stalled: stalled}
				a, oka := r.find(asc)
				bb, okb := r.find(bsc)
				if !oka || !okb {
					continue
				}
				where := strconv.Itoa(n)
				if stalled {
					where += " + 1 stalled"
				}
				pp, _ := r.pairedRatio(bsc, asc, p99)
				pc, _ := r.pairedRatio(bsc, asc, cpu)
				fmt.Fprintf(&b, "| %s | %d | %s | %s | %.2f× | %.1f | %.1f | %.2f× |\n",
					where, rate, ms(a.P99), ms(bb.P99), pp, a.CPUPerUS, bb.CPUPerUS, pc)
			}
		}
	}
	return b.String()
}
