//go:build linux

package app

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// hideLinkChild: set in the environment of this test binary started by TestHideLink, which
// then runs hideLink as the app's Run does and says what it sees.
const hideLinkChild = "CONCORDIA_TEST_HIDELINK_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(hideLinkChild) == "1" {
		args := hideLink(os.Args[1:])
		cmdline, err := os.ReadFile("/proc/self/cmdline")
		if err != nil {
			fmt.Println(err)
			os.Exit(1)
		}
		_, inEnv := os.LookupEnv(openedLinkEnv)
		out, _ := json.Marshal(map[string]any{"args": args, "cmdline": string(cmdline), "env": inEnv, "pid": os.Getpid()})
		fmt.Println(string(out))
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// A link the desktop opened the app with is in no process's arguments once the app runs
// (a tester read the token in ps for the window's whole life): the app starts itself again
// without it, and finds it in its environment, which its children do not inherit.
func TestHideLink(t *testing.T) {
	const link = "concordia://127.0.0.1:1/SECRETTOKEN0123456789abcdef?fp=00"
	for _, c := range []struct {
		name string
		args []string
		want []string
	}{
		{"a link", []string{"-test.run=^$", link}, []string{"-test.run=^$", link}},
		{"a broken link, and another word", []string{"concordia://SECRETTOKEN x", "-test.run=^$", "--x"}, []string{"-test.run=^$", "--x", "concordia://SECRETTOKEN x"}},
		{"no link", []string{"-test.run=^$"}, []string{"-test.run=^$"}},
	} {
		cmd := exec.Command(os.Args[0], c.args...)
		cmd.Env = append(os.Environ(), hideLinkChild+"=1")
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s: %v: %s", c.name, err, out)
		}
		var got struct {
			Args    []string
			Cmdline string
			Env     bool
			Pid     int
		}
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("%s: %q: %v", c.name, out, err)
		}
		if !slices.Equal(got.Args, c.want) || strings.Contains(got.Cmdline, "SECRETTOKEN") || got.Env {
			t.Errorf("%s: args %q, cmdline %q, link left in the environment: %v", c.name, got.Args, got.Cmdline, got.Env)
		}
		if got.Pid != cmd.Process.Pid {
			t.Errorf("%s: pid %d, started as %d (exec keeps the process)", c.name, got.Pid, cmd.Process.Pid)
		}
	}
}

func TestWithoutLinks(t *testing.T) {
	rest, link := withoutLinks([]string{"a", " CONCORDIA://h:1/tok\n", "concordia:", "b"})
	if !slices.Equal(rest, []string{"a", "b"}) || link != "CONCORDIA://h:1/tok" {
		t.Fatalf("withoutLinks = %q, %q", rest, link)
	}
}
