/*
 * cmap/version.c: the nodes' configuration versions (services-reference
 * §2.10). On every regular configuration change each node multicasts
 * its totem.config_version (0 when it has none), and again whenever the
 * key changes; every node stores what it receives from node N in
 * runtime.members.<N>.config_version.
 *
 * At the first configuration with other nodes after start, a node whose
 * version is not 0 waits for the versions of all the members of that
 * configuration; when one of them has a higher version, the node's
 * configuration is out of date and it shuts down, as corosync does. A
 * later configuration change before all have arrived starts the wait
 * again with the new members.
 *
 * The message: the wire tag (WIRE_TAG_CMAP), CMAP_WIRE_VERSION, the
 * reason (sync or changed), the version (u64, little-endian).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "daemon/cmap/cmap_int.h"
#include "daemon/ordering.h"

static uint64_t my_version(const struct cmap_svc *svc)
{
	uint64_t v = 0;

	icmap_get_u64(svc->map, "totem.config_version", &v);
	return v;
}

static void send_version(struct cmap_svc *svc, enum version_reason why)
{
	uint8_t buf[CMAP_WIRE_LEN];
	struct wbuf wb;

	if (!svc->ordering)
		return;
	wbuf_init(&wb, buf, sizeof(buf));
	wbuf_u8(&wb, WIRE_TAG_CMAP);
	wbuf_u8(&wb, CMAP_WIRE_VERSION);
	wbuf_u8(&wb, (uint8_t)why);
	wbuf_u64(&wb, my_version(svc));
	if (ordering_submit(svc->ordering, NULL, buf, wb.len, PROTO_AGREED,
	    0) < 0)
		log_warnx("cmap: cannot tell the other nodes this node's "
		    "configuration version: out of memory");
}

void cmap_version_confchg(struct cmap_svc *svc, const struct proto_conf *conf)
{
	if (conf->type != PROTO_CONF_REGULAR)
		return;
	if (svc->first_sync && conf->n_members > 1) {
		/* (Again) wait for every member's version. */
		svc->n_waiting = conf->n_members;
		memcpy(svc->waiting, conf->members,
		    conf->n_members * sizeof(conf->members[0]));
		svc->highest = my_version(svc);
	}
	send_version(svc, VERSION_SYNC);
}

/* The first multi-node configuration's versions are all in: shut down
 * when another node's is higher (this node's file is out of date). */
static void first_sync_done(struct cmap_svc *svc)
{
	uint64_t mine = my_version(svc);

	svc->first_sync = false;
	if (mine == 0 || svc->highest == mine)
		return;
	log_warnx("Received config version (%" PRIu64 ") is different than "
	    "my config version (%" PRIu64 ")! Exiting", svc->highest, mine);
	if (svc->loop)
		loop_stop(svc->loop);
}

void cmap_version_deliver(struct cmap_svc *svc, uint32_t sender,
    const uint8_t *msg, size_t len)
{
	char key[ICMAP_KEY_MAX + 1];
	uint8_t why;
	uint64_t v;

	if (cmap_version_decode(msg, len, &why, &v) < 0) {
		svc->bad_messages++;
		log_debug("cmap: undecodable message from node %" PRIu32
		    " dropped", sender);
		return;
	}
	snprintf(key, sizeof(key), "runtime.members.%" PRIu32
	    ".config_version", sender);
	icmap_set_u64(svc->map, key, v);
	if (!svc->first_sync || why != VERSION_SYNC)
		return;
	for (size_t i = 0; i < svc->n_waiting; i++) {
		if (svc->waiting[i] != sender)
			continue;
		if (sender != svc->nodeid && v > svc->highest)
			svc->highest = v;
		svc->waiting[i] = svc->waiting[--svc->n_waiting];
		if (svc->n_waiting == 0)
			first_sync_done(svc);
		return;
	}
}

/* totem.config_version changed: tell the others, from the loop (a
 * tracker function may not lead to a change of the map, and on a
 * one-node ring the message is delivered at once). */
static void on_version_key(void *arg, struct icmap_track *t, int event,
    const char *key, const struct icmap_value *now,
    const struct icmap_value *old)
{
	struct cmap_svc *svc = arg;

	if (svc->loop)
		loop_timer_arm(svc->loop, &svc->announce,
		    loop_now(svc->loop));
}

static void announce(void *arg)
{
	send_version(arg, VERSION_CHANGED);
}

int cmap_version_start(struct cmap_svc *svc)
{
	svc->first_sync = true;
	svc->announce = (struct loop_timer){ .fn = announce, .arg = svc };
	return icmap_track_add(svc->map, "totem.config_version",
	    ICMAP_TRACK_ADD | ICMAP_TRACK_MODIFY | ICMAP_TRACK_DELETE,
	    on_version_key, svc, &svc->version_track);
}

void cmap_version_stop(struct cmap_svc *svc)
{
	if (svc->version_track)
		icmap_track_delete(svc->map, svc->version_track);
	if (svc->loop)
		loop_timer_disarm(svc->loop, &svc->announce);
}
