package wire

import (
	"math/rand/v2"
	"slices"
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
	r := rand.New(rand.NewPCG(1, 2))
	const alphabet = "0019a/.-b"
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
