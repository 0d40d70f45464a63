package workspace

import (
	"context"
	"strings"

	"github.com/concordia-party/concordia/internal/wire"
)

// Git's rename detection pairs a secret with at most one new file, and finds no copy of a
// file that is still there: a tester's `cp .env copy.conf` had its diff, the secret's
// lines, shown to every member at the default level, and so did the second of two
// identical copies once the secret was moved. A new file that is a copy of a secret — the
// same bytes as one at the start or now, or, for a few new files, one git finds copied
// from a secret — is marked as made from it (From), which Changes and Diff treat as they
// treat a rename from a secret: listed as added, its diff refused.

// maxCopySearch bounds the new files searched for near-copies of secrets (git compares
// each with each secret); beyond it, only exact copies are found.
const maxCopySearch = 200

// markCopiesOfSecrets sets From on each new file in files (From unset) that is a copy of
// a file that usually holds credentials; each file's Rev is still git's id of its blob
// (changes() makes it the Rev members see after this). The caller holds mu or owns w.
func (w *Workspace) markCopiesOfSecrets(ctx context.Context, now string, files []wire.FileChange) error {
	var added []int
	for i, f := range files {
		if f.Status == "added" && f.From == "" && !IsSecret(f.Path) {
			added = append(added, i)
		}
	}
	if len(added) == 0 {
		return nil
	}
	// The secrets' blobs, at the start (kept: the start does not change) and now.
	if w.baseSecrets == nil {
		base, err := w.secretBlobs(ctx, w.base)
		if err != nil {
			return err
		}
		w.baseSecrets = base
	}
	secrets, err := w.secretBlobs(ctx, now)
	if err != nil {
		return err
	}
	for blob, path := range w.baseSecrets {
		secrets[blob] = path
	}
	if len(secrets) == 0 {
		return nil
	}
	// Exact copies, by the new files' blobs (their Rev, still git's blob id: changes()).
	var unmatched []int
	for _, i := range added {
		if src, ok := secrets[files[i].Rev]; ok && files[i].Rev != "" {
			files[i].From = src
		} else {
			unmatched = append(unmatched, i)
		}
	}
	if len(unmatched) == 0 || len(unmatched) > maxCopySearch {
		return nil
	}
	// Near copies: git's copy detection among the secrets and these new files alone.
	args := []string{"diff-tree", "-r", "-z", "--name-status", "-C", "--find-copies-harder", w.base, now, "--"}
	seen := map[string]bool{}
	for _, p := range secrets {
		if !seen[p] {
			seen[p] = true
			args = append(args, literal(p))
		}
	}
	for _, i := range unmatched {
		args = append(args, literal(files[i].Path))
	}
	out, err := w.run(ctx, w.dir, nil, args...)
	if err != nil {
		return err
	}
	madeFrom := map[string]string{}
	for _, f := range parseNameStatus(out) {
		if f.From != "" && IsSecret(f.From) {
			madeFrom[f.Path] = f.From
		}
	}
	for _, i := range unmatched {
		if src, ok := madeFrom[files[i].Path]; ok {
			files[i].From = src
		}
	}
	return nil
}

// secretBlobs are the blobs of tree's files that usually hold credentials, each with its
// path.
func (w *Workspace) secretBlobs(ctx context.Context, tree string) (map[string]string, error) {
	out, err := w.run(ctx, w.dir, nil, "ls-tree", "-r", "-z", "--full-tree", tree)
	if err != nil {
		return nil, err
	}
	secrets := map[string]string{}
	for _, entry := range strings.Split(string(out), "\x00") {
		meta, path, ok := strings.Cut(entry, "\t")
		if fields := strings.Fields(meta); ok && len(fields) == 3 && fields[1] == "blob" && IsSecret(path) {
			secrets[fields[2]] = path
		}
	}
	return secrets, nil
}
