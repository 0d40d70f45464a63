// Command concordia-bench measures the host's fan-out against a minimal relay (issue 9)
// and writes the results into docs/PERFORMANCE.md and docs/bench-p99.png. `make bench`
// runs it; see docs/PERFORMANCE.md for what it measures.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"

	"github.com/concordia-party/concordia/internal/bench"
)

func main() {
	if spec, ok := os.LookupEnv(bench.ChildEnv); ok {
		if err := bench.RunChild(spec, os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "bench child:", err)
			os.Exit(1)
		}
		return
	}
	os.Exit(run())
}

func run() int {
	var (
		o          bench.Options
		counts     = flag.String("participants", "10,100,300,1000", "participant counts, comma-separated")
		rates      = flag.String("rates", "200,2000", "deltas per second, comma-separated")
		stallAt    = flag.String("stall-at", "100", "participant counts also run with one participant that never reads")
		mdPath     = flag.String("md", "docs/PERFORMANCE.md", "Markdown file whose bench section is (re)written; empty: none")
		pngPath    = flag.String("png", "docs/bench-p99.png", "the plot of p99 against participants; empty: none")
		jsonPath   = flag.String("json", "build/bin/bench-results.json", "every run's figures; empty: none")
		systemList = flag.String("systems", "", "systems to run, comma-separated: concordia (the party in-process), concordia-bin (the real program, with -binary), concordia-bin-b (a second build, with -binary-b), relay (the minimal relay), relay-bin (the relay with fakeclaude as its agent, with -fake-agent; default: all that can run)")
	)
	flag.IntVar(&o.Deltas, "deltas", 400, "deltas per run")
	flag.IntVar(&o.DeltaBytes, "delta-bytes", 32, "bytes per delta, its stamp included")
	flag.IntVar(&o.Reps, "reps", 3, "runs of each scenario (the table shows medians)")
	flag.IntVar(&o.IdleAt, "idle", 1000, "participants held in the idle-memory run (0: skip)")
	flag.DurationVar(&o.Drain, "drain", 0, "how long to wait for deliveries after the last delta (default 15s)")
	flag.StringVar(&o.Binary, "binary", "", "the concordia program for the concordia-bin system (make cli builds one); empty: that system is skipped")
	flag.StringVar(&o.BinaryB, "binary-b", "", "a second concordia program, run as concordia-bin-b beside concordia-bin in every repetition, for comparing two builds (writes no document or plot unless -md or -png is given)")
	flag.StringVar(&o.Samples, "samples", "", "a directory (created) for every run's deliveries: one TSV file per run (replacing one of the same name), a line per delivery: participant, delta, latency in ns; empty: none")
	flag.StringVar(&o.FakeAgent, "fake-agent", "", "fakeclaude, the agent of the concordia-bin and relay-bin systems (go build ./internal/fakeclaude)")
	flag.Parse()
	var err error
	if o.Participants, err = ints(*counts); err == nil {
		if o.Rates, err = ints(*rates); err == nil {
			o.StallAt, err = ints(*stallAt)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "concordia-bench:", err)
		return 2
	}
	if *systemList != "" {
		o.Systems = strings.Split(*systemList, ",")
	}
	if (o.Binary == "") != (o.FakeAgent == "") {
		fmt.Fprintln(os.Stderr, "concordia-bench: -binary and -fake-agent go together (make bench-bins builds both)")
		return 2
	}
	if o.BinaryB != "" {
		if o.Binary == "" {
			fmt.Fprintln(os.Stderr, "concordia-bench: -binary-b is compared with -binary: give both")
			return 2
		}
		// A comparison of two builds is an experiment: the document keeps the last full run.
		given := map[string]bool{}
		flag.Visit(func(f *flag.Flag) { given[f.Name] = true })
		if !given["md"] {
			*mdPath = ""
		}
		if !given["png"] {
			*pngPath = ""
		}
	}

	o.Log = os.Stderr

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	results, err := bench.Run(ctx, o)
	if ctx.Err() != nil {
		fmt.Fprintln(os.Stderr, "concordia-bench: interrupted; docs/PERFORMANCE.md and the plot were left as they were")
		return 130
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "concordia-bench:", err)
		return 2 // what was asked for cannot run
	}
	rep := bench.NewReport(o, results)
	failed := 0
	for _, r := range results {
		if r.Err != "" {
			failed++
		}
	}
	if failed > 0 {
		// Every run's figures are kept in the JSON; the document and the plot are not
		// replaced by a table with holes in it.
		*mdPath, *pngPath = "", ""
	}
	if err := rep.WriteFiles(*mdPath, *pngPath, *jsonPath); err != nil {
		fmt.Fprintln(os.Stderr, "concordia-bench:", err)
		return 1
	}
	fmt.Print(rep.Markdown())
	if failed > 0 {
		fmt.Fprintf(os.Stderr, "concordia-bench: %d of %d runs failed (see above); docs/PERFORMANCE.md and the plot were left as they were\n", failed, len(results))
		return 1
	}
	return 0
}

func ints(s string) ([]int, error) {
	var out []int
	for f := range strings.SplitSeq(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("%q is not a count", f)
		}
		out = append(out, n)
	}
	return out, nil
}
