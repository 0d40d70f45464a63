// Package merge turns a batch of participants' prompts into one prompt for the agent.
// It owns the Merger interface, the local merger (no network) and the Gemini merger;
// the fallback rules of DESIGN.md (invalid key, rate limits, outages) live here too.
package merge

import (
	"context"

	"github.com/concordia-party/concordia/internal/wire"
)

// Notice is something the party should tell people about a merge
// (a fallback, a refused key). Kind is wire.KindSystem or wire.KindError.
type Notice struct {
	Kind string
	Text string
}

// Result is a merged prompt.
type Result struct {
	// Text is exactly what goes to the agent.
	Text string
	// Merger is wire.MergerGemini or wire.MergerLocal: who actually produced Text.
	Merger string
	// Notices are for people (a system or error event each), in order.
	Notices []Notice
}

// Merger merges a batch. Prompts are in arrival order and never empty.
// Participants' text is data, never instructions to the merger.
type Merger interface {
	Merge(ctx context.Context, prompts []wire.Prompt) (Result, error)
	// Name is the merger the party advertises (wire.MergerGemini or wire.MergerLocal).
	Name() string
}
