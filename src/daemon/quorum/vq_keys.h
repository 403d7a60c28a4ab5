/*
 * quorum/vq_keys.h: votequorum's runtime.votequorum.* keys in the
 * daemon's map (icmap.h), from the rules' state (rules.h).
 */
#ifndef COHORT_QUORUM_VQ_KEYS_H
#define COHORT_QUORUM_VQ_KEYS_H

#include <stdbool.h>

#include "daemon/quorum/rules.h"

struct icmap;

/* Writes this_node_id, atb_type, two_node, ev_barrier, and when they
 * apply lowest_node_id / highest_node_id (once quorate), wait_for_all_status
 * (with wait_for_all), ev_tracking_barrier (with expected_votes_tracking)
 * and qdevice_can_operate (`device`: a quorum device is configured).
 * 0, or -1 when some key could not be written (left as it was). */
int vq_keys_update(struct icmap *m, const struct vq_rules *r, bool device);

#endif /* COHORT_QUORUM_VQ_KEYS_H */
