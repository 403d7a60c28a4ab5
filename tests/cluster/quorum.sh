# quorum.sh: what the quorum cluster tests share (sourced after lib.sh):
# a votequorum configuration and a bounded wait until nodes report a
# given quorum in `cohortctl --json status`.

# The quorum section of the tests' configuration: votequorum with the
# extra keys given ("two_node: 1" ...), one a line.
cl_votequorum() {
	local k
	CL_QUORUM="quorum {"$'\n'"    provider: corosync_votequorum"
	for k in "$@"; do CL_QUORUM+=$'\n'"    $k"; done
	CL_QUORUM+=$'\n'"}"
}

# The quorum as node I reports it: "quorate quorum total expected flags".
quorum_of() {
	ctl "$1" --json status 2>/dev/null | jq -r '[."quorum.quorate",
	    ."quorum.quorum", ."quorum.total_votes", ."quorum.expected_votes",
	    ."quorum.flags"] | map(tostring) | join(" ")'
}

# wait_quorum "NODES" "QUORATE QUORUM TOTAL EXPECTED FLAGS": until every
# listed node reports exactly that. Bounded (CL_WAIT s).
wait_quorum() {
	local deadline=$((SECONDS + ${CL_WAIT:-60})) i ok
	while [ $SECONDS -lt $deadline ]; do
		ok=1
		for i in $1; do
			[ "$(quorum_of "$i")" = "$2" ] || { ok=0; break; }
		done
		[ $ok = 1 ] && return 0
		sleep 0.1
	done
	echo "nodes $1 did not report quorum '$2' within ${CL_WAIT:-60}s:"
	for i in $1; do echo "  node $i: $(quorum_of "$i")"; done
	return 1
}

# nodes_start NODES...: starts each daemon.
nodes_start() {
	local i
	for i in "$@"; do node_start "$i" || fail "start of node $i"; done
}
