# private_daemon.sh NAME (sourced): what a script that starts its own
# daemons shares: DIR, a scratch directory /tmp/cohort-NAME.*, which is
# also the daemons' socket and state directory (COHORT_SOCKET,
# COHORT_STATE_DIR); pids, the processes to stop at exit (each killed,
# then waited for, before DIR is removed); fail MESSAGE.
DIR=$(mktemp -d "/tmp/cohort-$1.XXXXXX")
export COHORT_SOCKET=$DIR/cohort.sock COHORT_STATE_DIR=$DIR
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	rm -rf "$DIR"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
