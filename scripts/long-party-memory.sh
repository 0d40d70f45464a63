#!/bin/bash
# long-party-memory.sh BIN DATA_DIR PARTY_ID: resume a stopped party with a long history
# (its journal in DATA_DIR/parties) with BIN as a headless host (--no-local-repl), have
# one piped `concordia join` join it, and print the host's resident memory after its own
# replay and after the join, the time until the join is live, and the join's memory
# (docs/PERFORMANCE.md, "A long party resumed, and joined"). The party's working folder
# and Claude Code path must exist as its journal names them. Build first:
#   CGO_ENABLED=0 go build -tags headless -o /tmp/concordia .
set -u
BIN=$1; DATA=$2; ID=$3
W=$(mktemp -d); export HOME=$W/home XDG_CONFIG_HOME=$W/home/.config; mkdir -p $HOME
$BIN host --resume "$ID" --data-dir "$DATA" --no-local-repl --insecure >$W/host.out 2>&1 &
HP=$!
for i in $(seq 300); do INV=$(grep -o 'concordia://[^ ]*' $W/host.out | head -1); [ -n "$INV" ] && break; sleep 0.1; done
[ -n "${INV:-}" ] || { echo "the host did not start:"; cat $W/host.out; kill $HP; exit 1; }
sleep 5 # its own replay of the history
echo "host after its replay: $(grep -E 'VmRSS' /proc/$HP/status | tr -s ' \t' ' ') (peak $(grep VmHWM /proc/$HP/status | awk '{print $2, $3}'))"
mkfifo $W/jin; exec 4<>$W/jin
S=$(date +%s.%N)
$BIN join "$INV" --name measure <&4 >$W/join.out 2>&1 &
JP=$!
for i in $(seq 600); do grep -q -- '— live —' $W/join.out && break; sleep 0.1; done
E=$(date +%s.%N)
sleep 2
echo "join to live: $(echo "$E - $S" | bc) s"
echo "host after the join: $(grep -E 'VmRSS' /proc/$HP/status | tr -s ' \t' ' ')"
echo "join after its replay: $(grep -E 'VmRSS' /proc/$JP/status | tr -s ' \t' ' ') (peak $(grep VmHWM /proc/$JP/status | awk '{print $2, $3}'))"
kill $JP $HP; wait $JP $HP 2>/dev/null
rm -rf $W
