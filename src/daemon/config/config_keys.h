/*
 * config_keys.h: the configuration as the keys of the daemon's map
 * (icmap.h), with corosync's names and types (services-reference §2.8).
 *
 * Every item of the file becomes a key, as corosync's parser makes it: a
 * section's path and the item's name ("totem.token"), typed by its name
 * (the timing and size keys of totem, quorum's votes and flags, ...: the
 * numbers corosync reads as numbers; everything else a string, kept as
 * written). Sections that name their entries are renamed as corosync
 * names them: totem.interface.<linknumber>.*, nodelist.node.<position
 * in the file>.*, logging.logger_subsys.<subsys>.*. The uidgid sections
 * of the file and of uidgid.d become uidgid.config.uid.<uid> and
 * uidgid.config.gid.<gid>, u8 1.
 *
 * Then what the daemon computes from it: nodelist.local_node_pos (this
 * node's position in the nodelist) and runtime.config.totem.* (the
 * effective timing and the links' effective ping timers).
 */
#ifndef COHORT_DAEMON_CONFIG_KEYS_H
#define COHORT_DAEMON_CONFIG_KEYS_H

#include <stddef.h>

struct cohort_config;
struct icmap;

/*
 * Writes the keys of `cfg` (loaded from cfg->path, which is read again;
 * none for a configuration without a file) into `m`. Returns 0, or a
 * negative errno with one line in `err`: -EINVAL for a value that does
 * not fit its key's type (corosync refuses such a file too) or a key the
 * map refuses, -ENOSPC when the map is full, -ENOMEM, or the errno of
 * reading the file.
 */
int cohort_config_keys(const struct cohort_config *cfg, struct icmap *m,
    char *err, size_t errlen);

#endif /* COHORT_DAEMON_CONFIG_KEYS_H */
