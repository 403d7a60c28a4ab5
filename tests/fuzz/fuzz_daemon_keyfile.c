/*
 * Fuzz target: the key-file reader and the key derivation, on any bytes
 * as a key file (corosync-keygen output is 128..4096 random bytes).
 *
 * FUZZ_SOURCES: src/daemon/netconf.c src/daemon/transport/transport.c src/daemon/transport/links.c src/daemon/transport/transport_links.c src/daemon/transport/transport_frame.c src/daemon/transport/transport_frag.c src/daemon/transport/transport_rx.c src/daemon/transport/transport_tx.c src/daemon/transport/transport_icmp.c src/daemon/transport/unreach.c src/daemon/transport/replay.c src/daemon/loop.c src/daemon/config/config.c src/daemon/config/config_load.c src/daemon/config/config_out.c src/proto/timing.c src/daemon/config/config_parse.c src/daemon/config/config_uidgid.c src/daemon/config/config_link.c src/daemon/config/config_quorum.c src/daemon/config/config_log.c src/common/log.c
 * FUZZ_LIBS: -lsodium
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/netconf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cohort_config cfg;
	uint8_t key[TRANSPORT_KEY_LEN];
	char path[64], err[256];
	int fd = memfd_create("cohort-fuzz-key", MFD_CLOEXEC);
	int rc;

	if (fd < 0 || write(fd, data, size) != (ssize_t)size) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	/* A private key file: the reader's permission warning is not what
	 * is fuzzed here. */
	fchmod(fd, 0600);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	cohort_config_defaults(&cfg);
	cfg.keyfile = path;
	rc = netconf_key(&cfg, key, err, sizeof(err));
	/* The length rule is the whole of the reader's judgement. */
	if ((size >= 128 && size <= 4096) != (rc == 0))
		__builtin_trap();
	close(fd);
	return 0;
}
