package reap

import (
	"fmt"
	"testing"
)

func TestDescribe(t *testing.T) {
	procs := func(n int) []Proc {
		ps := make([]Proc, n)
		for i := range ps {
			ps[i] = Proc{PID: 100 + i, Command: fmt.Sprintf("job %d", i+1)}
		}
		return ps
	}
	for _, c := range []struct {
		n          int
		what, cmds string
	}{
		{1, "1 process", "job 1"},
		{2, "2 processes", "job 1, job 2"},
		{7, "7 processes", "job 1, job 2, job 3, job 4, job 5, and 2 more"},
	} {
		what, cmds := Describe(procs(c.n))
		if what != c.what || cmds != c.cmds {
			t.Errorf("%d: %q, %q; want %q, %q", c.n, what, cmds, c.what, c.cmds)
		}
	}
}
