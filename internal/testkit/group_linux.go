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

// OwnGroup makes cmd, once started, the leader of a new process group, so that a test can
// kill it together with every child it started (KillGroup) and wait for them all
// (WaitGroupGone). Killing only the leader leaves its children running: a host's git,
// for one, may still be writing into the test's temporary directory when it is removed.
func OwnGroup(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
}

// KillGroup sends SIGKILL to the process group pgid (a leader started with OwnGroup).
func KillGroup(pgid int) error {
	return syscall.Kill(-pgid, syscall.SIGKILL)
}

// WaitGroupGone waits up to timeout until no live process is left in group pgid (zombies
// do not count: a child re-parented to a PID 1 that never reaps stays one) and reports
// whether that happened.
func WaitGroupGone(pgid int, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for groupAlive(pgid) {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
	return true
}

// groupAlive reports whether /proc shows a process of group pgid that is not a zombie.
func groupAlive(pgid int) bool {
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, name := range stats {
		b, err := os.ReadFile(name)
		if err != nil {
			continue // ended meanwhile
		}
		// "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses, so the
		// fields are counted from its last ')'.
		i := bytes.LastIndexByte(b, ')')
		if i < 0 {
			continue
		}
		f := bytes.Fields(b[i+1:])
		if len(f) < 3 || string(f[0]) == "Z" || string(f[0]) == "X" {
			continue
		}
		if g, err := strconv.Atoi(string(f[2])); err == nil && g == pgid {
			return true
		}
	}
	return false
}
