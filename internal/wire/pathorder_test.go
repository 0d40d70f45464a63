package wire

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func TestComparePathsReadsNumbersAndFolders(t *testing.T) {
	want := []string{
		"a.go",
		"r1/x",
		"r2/x",
		"r10/x",
		"r10.txt",
		"src/a.go",
		"src/b/c.go",
		"src-old/a.go",
		"src.txt",
		"v1.2.go",
		"v1.10.go",
		"x007",
		"x7",
		"x08",
	}
	// Folders whose names differ only in leading zeros are two folders, each together (a
	// reviewer's img/01 and img/1 were interleaved).
	imgs := []string{"img/1/d.png", "img/01/c.png", "img/1/b.png", "img/01/a.png"}
	slices.SortFunc(imgs, ComparePaths)
	if want := []string{"img/01/a.png", "img/01/c.png", "img/1/b.png", "img/1/d.png"}; !slices.Equal(imgs, want) {
		t.Errorf("folders that differ in leading zeros: %q, want %q", imgs, want)
	}
	got := slices.Clone(want)
	slices.Reverse(got)
	slices.SortFunc(got, ComparePaths)
	if !slices.Equal(got, want) {
		t.Fatalf("order:\n got %q\nwant %q", got, want)
	}
	for _, p := range want {
		if ComparePaths(p, p) != 0 {
			t.Errorf("%q is not equal to itself", p)
		}
	}
	for i := range want {
		for j := i + 1; j < len(want); j++ {
			if ComparePaths(want[i], want[j]) >= 0 || ComparePaths(want[j], want[i]) <= 0 {
				t.Errorf("%q and %q are not ordered both ways", want[i], want[j])
			}
		}
	}
}

// TestComparePathsIsAnOrder checks, over random paths of digits, letters and separators,
// that ComparePaths is antisymmetric and that a sorted list is sorted pairwise (a cmp
// function that is not transitive leaves slices.SortFunc's result out of order).
func TestComparePathsIsAnOrder(t *testing.T) {
	for seed := range uint64(20) {
		orderOf(t, rand.New(rand.NewPCG(seed, 2)))
	}
}

func orderOf(t *testing.T, r *rand.Rand) {
	const alphabet = "0019a/.-b\xff"
	paths := make([]string, 400)
	for i := range paths {
		b := make([]byte, 1+r.IntN(7))
		for j := range b {
			b[j] = alphabet[r.IntN(len(alphabet))]
		}
		paths[i] = string(b)
	}
	for _, a := range paths[:60] {
		for _, b := range paths[:60] {
			if sign(ComparePaths(a, b)) != -sign(ComparePaths(b, a)) {
				t.Fatalf("%q and %q: not antisymmetric", a, b)
			}
			if (ComparePaths(a, b) == 0) != (a == b) {
				t.Fatalf("%q and %q: equal is not the same path", a, b)
			}
		}
	}
	for _, a := range paths {
		for _, b := range paths[:80] {
			if sign(ComparePaths(a, b)) != sign(comparePaths(a, b)) {
				t.Fatalf("%q and %q: the fast way says %d, name by name %d", a, b, ComparePaths(a, b), comparePaths(a, b))
			}
		}
	}
	slices.SortFunc(paths, ComparePaths)
	for i := range paths {
		for j := i + 1; j < len(paths); j++ {
			if ComparePaths(paths[i], paths[j]) > 0 {
				t.Fatalf("sorted, yet %q comes before %q", paths[i], paths[j])
			}
		}
	}
}

func sign(n int) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}

// BenchmarkComparePaths sorts 20,000 paths of a generated tree (names with numbers), as
// the host sorts a long change list; "bytes" is the byte order it replaced.
//
//	go test -run '^$' -bench ComparePaths ./internal/wire
func BenchmarkComparePaths(b *testing.B) {
	var paths []string
	for i := range 20000 {
		paths = append(paths, fmt.Sprintf("src/module%d/pkg%d/file_%d.go", i%37, i%101, i))
	}
	for _, c := range []struct {
		name string
		cmp  func(a, b string) int
	}{{"paths", ComparePaths}, {"bytes", strings.Compare}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				p := slices.Clone(paths)
				rand.New(rand.NewPCG(1, 2)).Shuffle(len(p), func(i, j int) { p[i], p[j] = p[j], p[i] })
				slices.SortFunc(p, c.cmp)
			}
		})
	}
}
