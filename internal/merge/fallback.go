package merge

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/concordia-party/concordia/internal/wire"
)

// Fallback is the party's merger: Gemini while it is usable, the local merger
// otherwise (DESIGN.md, "A bad Gemini key is not a transient error").
//
//   - One prompt goes through verbatim, without a call.
//   - A transient failure (timeout, 429, 5xx, network), an unusable answer or
//     a rejected request: this batch is merged locally, with a system notice;
//     the next batch tries Gemini again.
//   - A refused key: this batch and every later one are merged locally, with an
//     error notice, until SetGemini supplies a new client. The key itself is
//     not touched: deleting it is the key owner's decision.
//
// Safe for concurrent use: mu guards gemini and off; the network call runs
// without the lock.
type Fallback struct {
	local *Local

	mu     sync.Mutex
	gemini *Gemini // nil: no key
	off    bool    // gemini's key was refused
}

var _ Merger = (*Fallback)(nil)

// Notice texts of Fallback.
const (
	noticeKeyRefused = "Gemini refused the API key; merging locally until the key is replaced (concordia key set)"
	noticeFellBack   = "Gemini %s; merged locally"
)

// NewFallback composes g (nil when there is no key) and local (nil: NewLocal()).
func NewFallback(g *Gemini, local *Local) *Fallback {
	if local == nil {
		local = NewLocal()
	}
	return &Fallback{local: local, gemini: g}
}

// Name is wire.MergerGemini while Gemini is usable, else wire.MergerLocal.
func (f *Fallback) Name() string {
	if f.usable() != nil {
		return wire.MergerGemini
	}
	return wire.MergerLocal
}

// SetGemini replaces the Gemini client (a new key) and re-enables Gemini;
// nil turns Gemini off.
func (f *Fallback) SetGemini(g *Gemini) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.gemini, f.off = g, false
}

func (f *Fallback) usable() *Gemini {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.off {
		return nil
	}
	return f.gemini
}

// disable turns Gemini off after g's key was refused, unless g has been
// replaced meanwhile (a SetGemini during the call wins).
func (f *Fallback) disable(g *Gemini) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.gemini == g {
		f.off = true
	}
}

// Merge merges prompts; it fails only when ctx ends. Result.Merger says who
// produced the text; Result.Notices say why Gemini was not used, if it failed.
func (f *Fallback) Merge(ctx context.Context, prompts []wire.Prompt) (Result, error) {
	g := f.usable()
	if g == nil || len(prompts) <= 1 {
		return f.local.Merge(ctx, prompts)
	}
	res, err := g.Merge(ctx, prompts)
	if err == nil {
		return res, nil
	}
	if ctx.Err() != nil {
		return Result{}, fmt.Errorf("merge: %w", ctx.Err())
	}
	var notice Notice
	if errors.Is(err, ErrInvalidKey) {
		f.disable(g)
		notice = Notice{Kind: wire.KindError, Text: noticeKeyRefused}
	} else {
		notice = Notice{Kind: wire.KindSystem, Text: fmt.Sprintf(noticeFellBack, reasonOf(err))}
	}
	res, lerr := f.local.Merge(ctx, prompts)
	if lerr != nil {
		return Result{}, lerr
	}
	res.Notices = append([]Notice{notice}, res.Notices...)
	return res, nil
}
