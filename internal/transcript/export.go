package transcript

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/concordia-party/concordia/internal/journal"
	"github.com/concordia-party/concordia/internal/wire"
)

// Journal is a party's journal opened to be exported: `concordia export` and the window's
// Export of a recent party read it the same way.
type Journal struct {
	// Summary is what the journal's end says (how the party ended, how many events).
	Summary *journal.Summary
	// Salvaged: the journal lost its first line (its header), so the party cannot be
	// resumed; what it holds is read all the same (a tester's journal kept 1,470 events no
	// command would give back).
	Salvaged bool
	path     string
}

// OpenJournal reads the end of the journal at path (not its events: a long party's are
// read as they are written out, by Events).
func OpenJournal(path string) (*Journal, error) {
	s, err := journal.ReadEnd(path)
	salvaged := false
	if errors.Is(err, journal.ErrNoHeader) {
		if s, err = journal.Salvage(path, nil); err == nil && s.Events == 0 {
			err = journal.ErrNoHeader
		}
		salvaged = err == nil
	}
	if err != nil {
		return nil, err
	}
	return &Journal{Summary: s, Salvaged: salvaged, path: path}, nil
}

// Events calls fn with each event of the journal, in order, as it was sent (raw).
func (j *Journal) Events(ctx context.Context, fn func(ev wire.Event, raw json.RawMessage)) error {
	var err error
	if j.Salvaged {
		_, err = journal.Salvage(j.path, fn)
	} else {
		_, err = journal.ReadContext(ctx, j.path, fn)
	}
	return err
}

// Meta is what the document says of the party above its events: id names it when the
// journal lost the header that does.
func (j *Journal) Meta(id string) Meta {
	s := j.Summary
	m := Meta{Host: s.Header.Host, Party: s.Header.Party, Saved: time.Now()}
	switch {
	case j.Salvaged:
		m.Party, m.Ended = id, "not known: the party's journal lost its first line, which names the party and its host"
	case s.Ended:
		m.Ended = "the host ended the party"
	case journal.InUse(s.Path):
		m.Running = true // a host holds it: what came after is not here
	case s.Incomplete:
		// Not "it can be resumed", as a tester's export of a journal cut short said while
		// concordia parties and --resume said it cannot.
		m.Ended = "the host stopped without ending the party; its journal could not be written to its end, so it cannot be resumed"
	case s.LostEnd:
		m.Ended = fmt.Sprintf("the host stopped without ending the party; its journal could not be written after event %d, so what happened after it is missing here (it can be resumed, past what it lost)", s.LastSeq)
	default:
		m.Ended = "the host stopped without ending the party (it can be resumed)"
	}
	return m
}

// WriteMarkdown writes the party's transcript to w as Markdown (Writer), its events as
// they are read: a tester's 226 MB journal took 1.5 GB to export when every event, then
// the document, was held in memory. id is the party's, as Meta takes it. A read error
// comes first; else the first write error.
func (j *Journal) WriteMarkdown(ctx context.Context, w io.Writer, id string) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	doc := NewWriter(bw, j.Meta(id))
	rerr := j.Events(ctx, func(ev wire.Event, _ json.RawMessage) { doc.Event(ev) })
	werr := doc.Close()
	if werr == nil {
		werr = bw.Flush()
	}
	if rerr != nil {
		return fmt.Errorf("read the party's journal: %w", rerr)
	}
	if werr != nil {
		return fmt.Errorf("write the transcript: %w", werr)
	}
	return nil
}
