// Package e2e holds end-to-end tests of the built concordia binary: the command line of
// PROTOCOL.md §1 driven as a user would (processes, pipes, signals) and the wire contract
// of §3–§6 spoken with raw JSON, knowing nothing of the code behind it.
package e2e
