package testkit

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// OwnGroup makes cmd, once started, the leader of a new session (and process group), so
// that a test can kill it together with every process it started (KillGroup) and wait for
// them all (WaitGroupGone). A session rather than a group: a host starts its agent in a
// group of its own, but in the same session. Killing only the leader leaves its children
// running: a host's git, for one, may still be writing into the test's temporary
// directory when it is removed. The leader is also killed if the test binary dies.
func OwnGroup(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setsid = true
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
}

// KillGroup sends SIGKILL to every process of the session sid (a leader started with
// OwnGroup, whose pid is the session's id).
func KillGroup(sid int) error {
	var first error
	for _, pid := range sessionMembers(sid) {
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil && err != syscall.ESRCH && first == nil {
			first = err
		}
	}
	return first
}

// WaitGroupGone waits up to timeout until no live process is left in session sid (zombies
// do not count: a child re-parented to a PID 1 that never reaps stays one) and reports
// whether that happened.
func WaitGroupGone(sid int, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for len(sessionMembers(sid)) > 0 {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
	return true
}

// sessionMembers lists the live (not zombie) processes of session sid, from /proc.
func sessionMembers(sid int) []int {
	var pids []int
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, name := range stats {
		b, err := os.ReadFile(name)
		if err != nil {
			continue // ended meanwhile
		}
		// "pid (comm) state ppid pgrp session ...": comm may hold spaces and parentheses,
		// so the fields are counted from its last ')'.
		i := bytes.LastIndexByte(b, ')')
		if i < 0 {
			continue
		}
		f := bytes.Fields(b[i+1:])
		if len(f) < 4 || string(f[0]) == "Z" || string(f[0]) == "X" {
			continue
		}
		if s, err := strconv.Atoi(string(f[3])); err != nil || s != sid {
			continue
		}
		if pid, err := strconv.Atoi(filepath.Base(filepath.Dir(name))); err == nil {
			pids = append(pids, pid)
		}
	}
	return pids
}

// Alive reports whether process pid exists and is not a zombie (a zombie has ended; it
// waits only for a parent that may never reap it).
func Alive(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return false
	}
	f := bytes.Fields(b[i+1:])
	return len(f) > 0 && string(f[0]) != "Z" && string(f[0]) != "X"
}

// ChildrenWith lists the live children of process ppid whose command line holds arg as
// one of its words, from /proc.
func ChildrenWith(ppid int, arg string) []int {
	var pids []int
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, name := range stats {
		b, err := os.ReadFile(name)
		if err != nil {
			continue
		}
		i := bytes.LastIndexByte(b, ')')
		if i < 0 {
			continue
		}
		f := bytes.Fields(b[i+1:]) // state, ppid, …
		if len(f) < 2 || string(f[0]) == "Z" || string(f[1]) != strconv.Itoa(ppid) {
			continue
		}
		cmdline, err := os.ReadFile(filepath.Join(filepath.Dir(name), "cmdline"))
		if err != nil {
			continue
		}
		for _, word := range bytes.Split(cmdline, []byte{0}) {
			if string(word) == arg {
				if pid, err := strconv.Atoi(filepath.Base(filepath.Dir(name))); err == nil {
					pids = append(pids, pid)
				}
				break
			}
		}
	}
	return pids
}
