/*
 * quorum/vq_keys.c: the runtime.votequorum.* keys (reference §4.7) from
 * the rules' state, written after every step of the rules. Setting a key
 * to the value it has changes nothing and notifies no one (icmap.h), so
 * writing them all each time costs no spurious notification.
 */
#include "daemon/icmap.h"
#include "daemon/quorum/vq_keys.h"

#define KEY(name) "runtime.votequorum." name

/* A failure to write (the map full, out of memory) leaves the key as it
 * was: the keys are informative, the quorum does not depend on them. */
int vq_keys_update(struct icmap *m, const struct vq_rules *r, bool device)
{
	int rc = 0;

	rc |= icmap_set_u32(m, KEY("this_node_id"), r->us->nodeid);
	rc |= icmap_set_u32(m, KEY("atb_type"), (uint32_t)r->set.atb);
	rc |= icmap_set_u8(m, KEY("two_node"), r->set.two_node);
	rc |= icmap_set_u32(m, KEY("ev_barrier"), r->ev_barrier);
	/* Refreshed each time the node is quorate, as corosync does. */
	if (r->lowest) {
		rc |= icmap_set_u32(m, KEY("lowest_node_id"), r->lowest);
		rc |= icmap_set_u32(m, KEY("highest_node_id"), r->highest);
	}
	if (r->set.wait_for_all)
		rc |= icmap_set_u8(m, KEY("wait_for_all_status"),
		    r->wfa_status);
	if (r->set.ev_tracking)
		rc |= icmap_set_u32(m, KEY("ev_tracking_barrier"),
		    r->ev_tracking_barrier);
	/* A quorum device is configured, and accepted by the checks of the
	 * configuration; Cohort itself never registers one. */
	if (device)
		rc |= icmap_set_u8(m, KEY("qdevice_can_operate"), 1);
	return rc ? -1 : 0;
}
