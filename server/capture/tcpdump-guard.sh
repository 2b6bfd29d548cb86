#!/bin/sh
# Usage: sh tcpdump-guard.sh GRACE_SECONDS TCPDUMP [ARGUMENT...]
#
# Runs tcpdump so that it cannot outlive the server that started it. tcpdump drops root for its own
# user once capturing, which clears a parent-death signal, and it notices a closed output pipe only
# when a packet arrives, which on a dead session's port may be never. So this script holds the
# other end of a pipe from the server on its standard input: that pipe reaches end of file however
# the server ends (exit, crash, SIGKILL, the OOM killer), and then tcpdump is stopped, with
# SIGKILL after GRACE_SECONDS if it ignores SIGTERM. The server stops a capture the same way, by
# closing the pipe.
grace=$1
shift
command -v "$1" >/dev/null 2>&1 || exit 127

# Set before tcpdump starts, so a stop that comes at once is not missed.
pid=
stopping=
trap 'stopping=1; [ -z "$pid" ] || kill -TERM "$pid" 2>/dev/null' TERM INT

exec 3<&0
"$@" 0</dev/null 3<&- &
pid=$!
[ -z "$stopping" ] || kill -TERM "$pid" 2>/dev/null
{
  # The server never writes to the pipe: read returns only at end of file.
  read -r _ <&3
  kill -TERM "$pid" 2>/dev/null
  sleep "$grace"
  kill -KILL "$pid" 2>/dev/null
} >/dev/null 2>&1 &
watcher=$!
exec 3<&-

wait "$pid" 2>/dev/null
status=$?
# A signal ends `wait` early: wait on until tcpdump is gone and reaped, however long it resists.
while kill -0 "$pid" 2>/dev/null; do
  wait "$pid" 2>/dev/null
  status=$?
done
# tcpdump is reaped: the watcher must not signal its process id, which may be reused.
kill "$watcher" 2>/dev/null
exit "$status"
