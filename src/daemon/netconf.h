/*
 * netconf.h: from the configuration to the network: which node this is,
 * the nodes' addresses, the cluster key.
 */
#ifndef COHORT_NETCONF_H
#define COHORT_NETCONF_H

#include <stddef.h>
#include <stdint.h>

#include "daemon/config/config.h"
#include "daemon/transport/transport.h"

/* This node's id: `forced` (-n) if non-zero, else the nodelist entry with
 * one of this host's addresses, else the one named like this host; 1
 * without a nodelist. 0 and a message in `err` when none can be chosen. */
uint32_t netconf_local_nodeid(const struct cohort_config *cfg, uint32_t forced,
    char *err, size_t errlen);

/* Fills the transport's peers (addresses resolved, the configured port),
 * cluster id and payload size. 0 or -errno with a message in `err`. */
int netconf_transport(const struct cohort_config *cfg, uint32_t nodeid,
    struct transport_config *tc, char *err, size_t errlen);

/* The key file's path into `buf`: `keyfile` when given, else `authkey`
 * in the configuration file's directory (corosync's /etc/corosync/authkey
 * when run on /etc/corosync/corosync.conf), else /etc/cohort/authkey.
 * 0, or -ENAMETOOLONG when it does not fit in `len` bytes. */
int netconf_keyfile(const struct cohort_config *cfg, char *buf, size_t len);

/* Reads the key file (netconf_keyfile) and derives the cluster key.
 * 0 or -errno, `err`. */
int netconf_key(const struct cohort_config *cfg, uint8_t key[TRANSPORT_KEY_LEN],
    char *err, size_t errlen);

/* The 32-bit cluster id carried in every datagram (from the name). */
uint32_t netconf_cluster_id(const char *cluster_name);

#endif /* COHORT_NETCONF_H */
