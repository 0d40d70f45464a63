// The workspace methods of PROTOCOL.md §9, delegated to the current party.

package session

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/concordia-party/concordia/internal/settings"
	"github.com/concordia-party/concordia/internal/wire"
)

// workspace runs a §9 method on the current party (any member may; the party checks the
// sharing level).
func (m *Manager) workspace(op string, f func(Workspace) error) error {
	a, err := m.current()
	if err != nil {
		return err
	}
	var ws Workspace = a.c
	if a.role == wire.RoleHost {
		ws = a.local
	}
	if err := f(ws); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return nil
}

// Changes lists the files the agent changed since the party began.
func (m *Manager) Changes(ctx context.Context) (wire.ChangesResult, error) {
	var res wire.ChangesResult
	err := m.workspace("list changes", func(w Workspace) (err error) {
		res, err = w.Changes(ctx)
		return err
	})
	if res.Files == nil {
		res.Files = []wire.FileChange{}
	}
	return res, err
}

// Diff is one changed file's unified diff against the party's start.
func (m *Manager) Diff(ctx context.Context, path string) (wire.FileDiff, error) {
	if strings.TrimSpace(path) == "" {
		return wire.FileDiff{}, badRequest(errors.New("choose a file to show"))
	}
	var res wire.FileDiff
	err := m.workspace("show diff", func(w Workspace) (err error) {
		res, err = w.Diff(ctx, path)
		return err
	})
	return res, err
}

// Tree lists one folder of the working directory ("" is its top); only when the host
// shares the whole folder.
func (m *Manager) Tree(ctx context.Context, path string) (wire.TreeResult, error) {
	var res wire.TreeResult
	err := m.workspace("list folder", func(w Workspace) (err error) {
		res, err = w.Tree(ctx, path)
		return err
	})
	if res.Entries == nil {
		res.Entries = []wire.TreeEntry{}
	}
	return res, err
}

// SetWorkspace changes what the party sees of the working directory (a host): off,
// changes or tree.
func (m *Manager) SetWorkspace(ctx context.Context, level string) error {
	level = strings.ToLower(strings.TrimSpace(level))
	if err := settings.CheckShareWorkspace(level); err != nil {
		return badRequest(err)
	}
	return m.workspace("change workspace sharing", func(w Workspace) error { return w.SetWorkspace(ctx, level) })
}
