package merge

import (
	"context"
	"fmt"
	"testing"

	"github.com/concordia-party/concordia/internal/wire"
)

// BenchmarkLocalMerge100 merges the largest batch a party can plausibly cut: 100 prompts,
// the corpus's prompts in order (its batches are of people asking related and conflicting
// things), renumbered so that ids stay unique.
func BenchmarkLocalMerge100(b *testing.B) {
	var batch []wire.Prompt
	for _, cb := range loadCorpus(b) {
		for _, pr := range cb.Prompts {
			if len(batch) == 100 {
				break
			}
			pr.ID = fmt.Sprintf("p%d", len(batch)+1)
			batch = append(batch, pr)
		}
	}
	if len(batch) < 100 {
		b.Fatalf("the corpus has %d prompts, want 100", len(batch))
	}
	l := NewLocal()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := l.Merge(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
}
