package cli

import (
	"context"
	"os"

	"github.com/concordia-party/concordia/internal/keycmd"
	"github.com/concordia-party/concordia/internal/secrets"
)

func runKey(ctx context.Context, args []string, io IO) int {
	store := secrets.New(secrets.Options{Getenv: io.Getenv})
	in := io.In
	if in == nil {
		in = os.Stdin
	}
	return keycmd.Run(ctx, args, in, io.Out, io.Err, store, io.Getenv)
}
