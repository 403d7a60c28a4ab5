/*
 * addr_util.h: a node's addresses as corosync's tools print them.
 */
#ifndef COHORT_ADDR_UTIL_H
#define COHORT_ADDR_UTIL_H

#include <corosync/cfg.h>

/* Prints the first `n` of `addrs` (as corosync_cfg_get_node_addrs()
 * fills them) in text form, one space apart, without a newline. */
void addr_print(const corosync_cfg_node_address_t *addrs, int n);

#endif /* COHORT_ADDR_UTIL_H */
