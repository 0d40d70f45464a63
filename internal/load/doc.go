// Package load holds the party's load test: 200 participants joined for a minute while
// prompts flow and long replies stream, against a host in its own process (so that its
// memory can be measured alone) running the fake claude. It is not a unit test: it runs
// only with CONCORDIA_LOAD=1 (`make load`), and reports what it measured.
package load
