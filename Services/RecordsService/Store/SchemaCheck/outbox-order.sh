#!/usr/bin/env bash
# Proves the feed's ordering rule: an outbox row whose transaction commits
# after a later row's gets a position after it, never a gap a reader skips.
# Arguments: the psql command line to use.
set -euo pipefail
psql=("$@")
person=00000000-0000-4000-8000-000000000001
"${psql[@]}" -c "SELECT records.sequence_outbox(1000)" >/dev/null
# Transaction A draws an event_id first and stays open.
fifo=$(mktemp -u); mkfifo "$fifo"
"${psql[@]}" -At <"$fifo" >/tmp/outbox-order-a.out 2>&1 &
reader=$!
exec 3>"$fifo"
echo "BEGIN; INSERT INTO records.outbox (person_id, change_type, payload) VALUES ('$person', 'exit_ban_placed', '\\x0a') RETURNING event_id;" >&3
sleep 1
# Transaction B draws a later event_id and commits; the sequencer runs.
"${psql[@]}" -c "INSERT INTO records.outbox (person_id, change_type, payload) VALUES ('$person', 'exit_ban_lifted', '\\x0b')" >/dev/null
b_position=$("${psql[@]}" -At -c "SELECT records.sequence_outbox(1000)")
unsequenced_a=$("${psql[@]}" -At -c "SELECT count(*) FROM records.outbox WHERE change_type = 'exit_ban_placed' AND position IS NULL")
# A commits after B was numbered; the next run numbers it after B.
echo "COMMIT;" >&3; exec 3>&-; wait "$reader"; rm -f "$fifo"
a_position=$("${psql[@]}" -At -c "SELECT records.sequence_outbox(1000)")
read -r a_event b_event < <("${psql[@]}" -At -F ' ' -c "SELECT (SELECT event_id FROM records.outbox WHERE change_type = 'exit_ban_placed'), (SELECT event_id FROM records.outbox WHERE change_type = 'exit_ban_lifted')")
echo "event ids: A=$a_event (committed last) B=$b_event; positions: B=$b_position A=$a_position; rows of A the sequencer saw while A was open: $unsequenced_a"
[ "$a_event" -lt "$b_event" ] || { echo "setup failed: A should draw the smaller event id"; exit 1; }
[ "$a_position" -gt "$b_position" ] || { echo "FAIL: the late commit got a position before an already delivered one"; exit 1; }
echo "outbox ordering: a late commit is positioned after what readers already saw"
