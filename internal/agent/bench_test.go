package agent_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/concordia-party/concordia/internal/agent"
	"github.com/concordia-party/concordia/internal/testkit"
)

// BenchmarkBatchToStdinFake is the agent's half of "from a batch being cut to its text on
// the agent's stdin" (the party's half is party.BenchmarkBatchToRunner): from Turn being
// called with a merged batch of about 10 prompts' length until the fake claude's first
// delta is back. That bounds the stdin write from above: it adds the fake's read and
// parse of the line, its first stream event and our read and translation of it. ns/op is
// the whole turn; the figure is the µs-to-first-delta metric.
func BenchmarkBatchToStdinFake(b *testing.B) {
	a := agent.New(agent.Config{Path: testkit.FakeClaude(b)})
	ctx := context.Background()
	if err := a.Start(ctx); err != nil {
		b.Fatal(err)
	}
	defer a.Close(ctx)
	prompt := strings.Repeat("alice asked: make the parser handle empty input and add a test that shows it.\n", 10)
	var toFirst atomic.Int64 // ns, summed; written by the agent's reader
	b.ReportAllocs()
	for b.Loop() {
		start := time.Now()
		var first atomic.Bool
		_, err := a.Turn(ctx, prompt, func(agent.Output) {
			if first.CompareAndSwap(false, true) {
				toFirst.Add(int64(time.Since(start)))
			}
		})
		if err != nil {
			b.Fatal(err)
		}
		if !first.Load() {
			b.Fatal("the turn streamed nothing")
		}
	}
	b.ReportMetric(float64(toFirst.Load())/1e3/float64(b.N), "µs-to-first-delta")
}
