//go:build linux

package app

import (
	"os"
	"syscall"
)

// hideLink keeps an invite link out of the process list. The desktop opens a concordia://
// link by starting the app with it as an argument, and a process's arguments are anyone's
// on the machine to read (ps, /proc/PID/cmdline) for as long as it runs: a tester found
// the token there for the whole life of the window, where `concordia join` keeps it out.
// So the app starts itself again at once without it, the link handed over in its
// environment, which only its own user reads; the new process takes it from there and out
// of the environment its children (the agent) get. It returns the arguments to go on with
// (the link last), or args as they were when starting again fails.
func hideLink(args []string) []string {
	if link, ok := os.LookupEnv(openedLinkEnv); ok {
		os.Unsetenv(openedLinkEnv)
		if link != "" {
			return append(args, link)
		}
		return args
	}
	rest, link := withoutLinks(args)
	if len(rest) == len(args) {
		return args // no link: nothing to hide
	}
	argv := append([]string{os.Args[0]}, rest...)
	env := append(os.Environ(), openedLinkEnv+"="+link)
	// /proc/self/exe: this very program, even if its file was replaced since it started.
	err := syscall.Exec("/proc/self/exe", argv, env)
	_ = err // not started again (a seccomp policy, a full process table): the link stays visible
	return args
}
