#!/bin/bash
# join-memory.sh BIN FAKECLAUDE TRANSCRIPT(0|1) [N]: a headless host (BIN) with fakeclaude
# streams N deltas (default 40,000, at 2,000/s) to one `concordia join` terminal, with
# --transcript or without; prints the terminal's resident memory before and after
# (docs/PERFORMANCE.md, "A joined terminal's copy of the history"). Build first:
#   CGO_ENABLED=0 go build -tags headless -o /tmp/concordia . && go build -o /tmp/fakeclaude ./internal/fakeclaude
set -u
BIN=$1; FAKE=$2; T=$3; N=${4:-40000}
W=$(mktemp -d); export HOME=$W/home; mkdir -p $HOME $W/repo
mkfifo $W/hin $W/jin
exec 3<>$W/hin 4<>$W/jin
cd $W/repo
$BIN host --listen 127.0.0.1:0 --insecure --window 1ms --merge local --permission-mode all --share-workspace off --claude $FAKE <&3 >$W/host.out 2>&1 &
HP=$!
for i in $(seq 100); do INV=$(grep -o 'concordia://[^ ]*' $W/host.out | head -1); [ -n "$INV" ] && break; sleep 0.1; done
ARGS=(join "$INV" --name bob); [ "$T" = 1 ] && ARGS+=(--transcript $W/t.md)
$BIN "${ARGS[@]}" <&4 >$W/join.out 2>&1 &
JP=$!
for i in $(seq 100); do grep -q "joined" $W/join.out && break; sleep 0.1; done
sleep 1
grep VmRSS /proc/$JP/status | sed 's/^/before /'
echo "FAKE_STAMPS=$N:2000:80" >&3
for i in $(seq 600); do grep -q "claude finished" $W/host.out && break; sleep 0.2; done
sleep 2
grep -E "VmRSS|VmHWM" /proc/$JP/status
kill -INT $JP; sleep 1; kill -INT $HP; wait
[ "$T" = 1 ] && ls -la $W/t.md
rm -rf $W
