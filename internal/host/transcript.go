package host

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/concordia-party/concordia/internal/wire"
)

// transcript appends the party's events, one JSON line each, to a file in the data
// directory. write runs on the party loop; close on the shutdown path: mu guards both.
type transcript struct {
	dir  string
	path string
	mu   sync.Mutex
	f    *os.File
	w    *bufio.Writer
	err  error
}

func openTranscript(dir string) (*transcript, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create transcript directory: %w", err)
	}
	return &transcript{dir: dir}, nil
}

// name opens the file once the party id is known.
func (t *transcript) name(partyID string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.path = filepath.Join(t.dir, time.Now().UTC().Format("20060102-150405")+"-"+partyID+".jsonl")
	t.f, t.err = os.OpenFile(t.path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if t.err == nil {
		t.w = bufio.NewWriterSize(t.f, 64<<10)
	}
}

func (t *transcript) write(ev wire.Event, raw json.RawMessage) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.w == nil {
		return
	}
	t.w.Write(raw)
	t.w.WriteByte('\n')
	if ev.Kind != wire.KindOutput {
		t.w.Flush()
	}
}

func (t *transcript) close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.f == nil {
		return t.err
	}
	ferr := t.w.Flush()
	cerr := t.f.Close()
	t.f, t.w = nil, nil
	if ferr != nil {
		return fmt.Errorf("write transcript: %w", ferr)
	}
	if cerr != nil {
		return fmt.Errorf("close transcript: %w", cerr)
	}
	return nil
}
