package app

import (
	"context"

	"github.com/concordia-party/concordia/internal/wire"
)

// ---- the workspace (PROTOCOL.md §9): every member, at the level the host shares ----

// Changes lists the files the agent changed since the party began.
func (a *App) Changes() (wire.ChangesResult, error) {
	var res wire.ChangesResult
	err := a.control("list changes", func(ctx context.Context) (err error) {
		res, err = a.session.Changes(ctx)
		return err
	})
	return res, err
}

// Diff is one changed file's unified diff (truncated past 256 KiB; binary files named).
func (a *App) Diff(path string) (wire.FileDiff, error) {
	var res wire.FileDiff
	err := a.control("show diff", func(ctx context.Context) (err error) {
		res, err = a.session.Diff(ctx, path)
		return aboutPath(path, err)
	})
	return res, err
}

// Tree lists a folder of the working directory ("" is its top) when the host shares it.
func (a *App) Tree(path string) (wire.TreeResult, error) {
	var res wire.TreeResult
	err := a.control("list folder", func(ctx context.Context) (err error) {
		res, err = a.session.Tree(ctx, path)
		return aboutPath(path, err)
	})
	return res, err
}

// SetWorkspace changes what the party sees of the working folder (a host): off, changes
// or tree.
func (a *App) SetWorkspace(level string) error {
	return a.control("set workspace sharing", func(ctx context.Context) error { return a.session.SetWorkspace(ctx, level) })
}
