/*
 * Fuzz target: the configuration reader (corosync.conf syntax), on any
 * bytes as a file. Every input must end in a loaded configuration or one
 * error line, never a crash or a leak.
 *
 * FUZZ_SOURCES: src/daemon/config/config.c src/daemon/config/config_link.c src/daemon/config/config_quorum.c src/daemon/config/config_log.c src/daemon/config/config_load.c src/daemon/config/config_out.c src/proto/timing.c src/daemon/config/config_parse.c src/daemon/config/config_uidgid.c src/common/log.c
 */
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "daemon/config/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cohort_config cfg;
	char path[64], err[512];
	int fd = memfd_create("cohort-fuzz-conf", MFD_CLOEXEC);

	if (fd < 0 || write(fd, data, size) != (ssize_t)size) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (cohort_config_load(path, &cfg, err, sizeof(err)) == 0) {
		FILE *null = fopen("/dev/null", "w");

		if (null) {
			cohort_config_print(&cfg, null);
			fclose(null);
		}
		cohort_config_free(&cfg);
	}
	close(fd);
	return 0;
}
