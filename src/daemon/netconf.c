/*
 * netconf.c: node identity, addresses and key from the configuration.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <limits.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "common/log.h"
#include "daemon/netconf.h"

#define DEFAULT_KEYFILE "/etc/cohort/authkey"
#define KEYFILE_READ_MAX 4097u
#define LOCAL_ADDRS_MAX 64

uint32_t netconf_cluster_id(const char *cluster_name)
{
	uint32_t h = 0x811c9dc5u;   /* FNV-1a */

	for (const char *p = cluster_name; p && *p; p++)
		h = (h ^ (uint8_t)*p) * 16777619u;
	return h;
}

static size_t local_addresses(char out[][INET6_ADDRSTRLEN], size_t max)
{
	struct ifaddrs *ifa, *i;
	size_t n = 0;

	if (getifaddrs(&ifa) < 0)
		return 0;
	for (i = ifa; i && n < max; i = i->ifa_next) {
		const void *a;

		if (!i->ifa_addr)
			continue;
		if (i->ifa_addr->sa_family == AF_INET)
			a = &((struct sockaddr_in *)i->ifa_addr)->sin_addr;
		else if (i->ifa_addr->sa_family == AF_INET6)
			a = &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr;
		else
			continue;
		if (inet_ntop(i->ifa_addr->sa_family, a, out[n], INET6_ADDRSTRLEN))
			n++;
	}
	freeifaddrs(ifa);
	return n;
}

static bool in_nodelist(const struct cohort_config *cfg, uint32_t id)
{
	for (size_t i = 0; i < cfg->n_nodes; i++)
		if (cfg->nodes[i].nodeid == id)
			return true;
	return false;
}

uint32_t netconf_local_nodeid(const struct cohort_config *cfg, uint32_t forced,
    char *err, size_t errlen)
{
	char addrs[LOCAL_ADDRS_MAX][INET6_ADDRSTRLEN];
	const char *ptrs[LOCAL_ADDRS_MAX];
	size_t n;
	int idx;

	if (cfg->n_nodes == 0)
		return forced ? forced : 1;
	if (forced) {
		if (in_nodelist(cfg, forced))
			return forced;
		snprintf(err, errlen, "node id %u (-n) is not in the nodelist",
		    forced);
		return 0;
	}
	if (cfg->n_nodes == 1)
		return cfg->nodes[0].nodeid;
	n = local_addresses(addrs, LOCAL_ADDRS_MAX);
	for (size_t i = 0; i < n; i++)
		ptrs[i] = addrs[i];
	idx = cohort_config_find_local(cfg, ptrs, n);
	if (idx >= 0)
		return cfg->nodes[idx].nodeid;
	snprintf(err, errlen, idx == -EEXIST ?
	    "several nodelist entries have this host's addresses; use -n NODEID" :
	    "none of this host's addresses is in the nodelist; use -n NODEID");
	return 0;
}

/* Resolves one ring0_addr with the cluster port. */
static int resolve(const char *host, uint16_t port, struct transport_peer *p)
{
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM }, *res;
	char service[8];
	int rc;

	snprintf(service, sizeof(service), "%u", port);
	rc = getaddrinfo(host, service, &hints, &res);
	if (rc != 0)
		return -EHOSTUNREACH;
	memcpy(&p->addr, res->ai_addr, res->ai_addrlen);
	p->addr_len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

/*
 * transport udp: the multicast group, mcastaddr or, without it, one
 * derived from the cluster id (239.192.X.Y for IPv4, ff15::c0:X:Y for
 * IPv6, X.Y the id's low 16 bits), in the local node's family.
 */
static int mcast_group(const struct cohort_config *cfg,
    struct transport_config *tc, uint16_t port, char *err, size_t errlen)
{
	const struct transport_peer *self = NULL;
	struct transport_peer g;
	char derived[INET6_ADDRSTRLEN];
	const char *addr = cfg->links[0].mcastaddr;
	bool ok;

	for (size_t i = 0; i < tc->n_peers; i++)
		if (tc->peers[i].nodeid == tc->local_nodeid)
			self = &tc->peers[i];
	if (!self)
		return 0;   /* transport_new refuses it */
	if (!addr) {
		uint32_t id = tc->cluster_id;

		if (self->addr.ss_family == AF_INET)
			snprintf(derived, sizeof(derived), "239.192.%u.%u",
			    (id >> 8) & 0xff, id & 0xff);
		else
			snprintf(derived, sizeof(derived), "ff15::c0:%x:%x",
			    (id >> 8) & 0xff, id & 0xff);
		addr = derived;
	}
	ok = resolve(addr, port, &g) == 0 && g.addr.ss_family ==
	    self->addr.ss_family && transport_is_multicast(&g.addr);
	if (!ok) {
		snprintf(err, errlen, "transport udp: mcastaddr '%s' is not a "
		    "multicast address of this node's address family", addr);
		return -EINVAL;
	}
	tc->mcast = g.addr;
	tc->mcast_len = g.addr_len;
	return 0;
}

/* The links: each node's ringN_addr with link N's port, each link's
 * heartbeat settings, the link mode. Link 0 (every transport) has
 * heartbeats too; udp and udpu have no other link (config_link.c). */
static int netconf_links(const struct cohort_config *cfg,
    struct transport_config *tc, char *err, size_t errlen)
{
	static const enum links_mode modes[] = {
		[COHORT_LINK_PASSIVE] = LINKS_PASSIVE,
		[COHORT_LINK_ACTIVE] = LINKS_ACTIVE,
		[COHORT_LINK_RR] = LINKS_RR,
	};

	tc->link_mode = modes[cfg->link_mode];
	for (unsigned l = 0; l < LINKS_MAX && l < COHORT_CONFIG_MAX_LINKS; l++) {
		const struct cohort_interface *i = &cfg->links[l];
		uint16_t port = i->mcastport ? i->mcastport :
		    (uint16_t)(COHORT_CONFIG_DEFAULT_PORT + l);

		if (l > 0 && !i->n_addrs)
			continue;
		tc->link_timing[l] = (struct links_timing){
			.priority = i->knet_link_priority,
			.ping_interval_ms = i->knet_ping_interval,
			.ping_timeout_ms = i->knet_ping_timeout,
			.pong_count = i->knet_pong_count ? i->knet_pong_count : 1,
			.precision = i->knet_ping_precision ?
			    i->knet_ping_precision : 1,
		};
		for (size_t n = 0; l > 0 && n < cfg->n_nodes; n++) {
			const char *a = cfg->nodes[n].addr[l];

			if (a && resolve(a, port, &tc->link_addr[n][l]) < 0) {
				snprintf(err, errlen, "node %u: cannot resolve "
				    "ring%u_addr '%s'", cfg->nodes[n].nodeid, l,
				    a);
				return -EHOSTUNREACH;
			}
			tc->link_addr[n][l].nodeid = cfg->nodes[n].nodeid;
		}
	}
	return 0;
}

int netconf_transport(const struct cohort_config *cfg, uint32_t nodeid,
    struct transport_config *tc, char *err, size_t errlen)
{
	uint16_t port = cfg->links[0].mcastport ? cfg->links[0].mcastport :
	    COHORT_CONFIG_DEFAULT_PORT;
	size_t ip_udp = 48;   /* IPv6 + UDP headers: the larger case */

	memset(tc, 0, sizeof(*tc));
	tc->local_nodeid = nodeid;
	tc->cluster_id = netconf_cluster_id(cfg->cluster_name);
	if (cfg->netmtu < COHORT_CONFIG_NETMTU_MIN) {
		snprintf(err, errlen, "netmtu %u is too small (at least %zu)",
		    cfg->netmtu, (size_t)COHORT_CONFIG_NETMTU_MIN);
		return -EINVAL;
	}
	tc->max_payload = cfg->netmtu - ip_udp - TRANSPORT_OVERHEAD;
	if (tc->max_payload < proto_mtu_for_nodes(cfg->n_nodes)) {
		snprintf(err, errlen, "a nodelist of %zu nodes needs "
		    "totem.netmtu %zu or more (it is %u): the commit token, "
		    "an entry per node, must fit one datagram", cfg->n_nodes,
		    proto_mtu_for_nodes(cfg->n_nodes) + ip_udp +
		    TRANSPORT_OVERHEAD, cfg->netmtu);
		return -EINVAL;
	}
	/* knet: datagrams cut into frames that fit the link. */
	if (cfg->transport == COHORT_TRANSPORT_KNET)
		tc->frame_max = (cfg->knet_mtu ? cfg->knet_mtu :
		    COHORT_CONFIG_DEFAULT_KNET_MTU) - ip_udp;
	for (size_t i = 0; i < cfg->n_nodes; i++) {
		struct transport_peer *p = &tc->peers[tc->n_peers];

		p->nodeid = cfg->nodes[i].nodeid;
		if (resolve(cfg->nodes[i].ring0_addr, port, p) < 0) {
			snprintf(err, errlen, "node %u: cannot resolve ring0_addr "
			    "'%s'", p->nodeid, cfg->nodes[i].ring0_addr);
			return -EHOSTUNREACH;
		}
		tc->n_peers++;
	}
	if (netconf_links(cfg, tc, err, errlen) < 0)
		return -EHOSTUNREACH;
	if (cfg->transport == COHORT_TRANSPORT_UDP)
		return mcast_group(cfg, tc, port, err, errlen);
	return 0;
}

/* Warns, as ssh does of a private key, about a key file that others may
 * read or replace, or that is not the daemon's own: the cluster key is
 * what keeps every other host out of the membership. */
static void check_key_file(int fd, const char *path)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return;
	if (st.st_mode & (S_IRWXG | S_IRWXO))
		log_warnx("key file %s: permissions %04o are too open: the "
		    "group or others may read or change the cluster key "
		    "(chmod 0400 or 0600)", path,
		    (unsigned)(st.st_mode & 07777));
	if (st.st_uid != geteuid())
		log_warnx("key file %s: owned by uid %u, not by the daemon's "
		    "user (uid %u)", path, (unsigned)st.st_uid,
		    (unsigned)geteuid());
}

int netconf_keyfile(const struct cohort_config *cfg, char *buf, size_t len)
{
	const char *slash;
	int n;

	if (cfg->keyfile)
		n = snprintf(buf, len, "%s", cfg->keyfile);
	else if (!cfg->path)
		n = snprintf(buf, len, "%s", DEFAULT_KEYFILE);
	else if (!(slash = strrchr(cfg->path, '/')))
		n = snprintf(buf, len, "authkey");
	else
		n = snprintf(buf, len, "%.*s/authkey",
		    (int)(slash - cfg->path), cfg->path);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int netconf_key(const struct cohort_config *cfg, uint8_t key[TRANSPORT_KEY_LEN],
    char *err, size_t errlen)
{
	char path[PATH_MAX];
	uint8_t *buf;
	ssize_t n;
	int fd, rc;

	if (netconf_keyfile(cfg, path, sizeof(path)) < 0) {
		snprintf(err, errlen, "key file: path longer than %d bytes",
		    PATH_MAX - 1);
		return -ENAMETOOLONG;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "key file %s: %s", path, strerror(errno));
		return -errno;
	}
	check_key_file(fd, path);
	/* The file's bytes in locked memory, wiped when freed. */
	if (sodium_init() < 0 || !(buf = sodium_malloc(KEYFILE_READ_MAX))) {
		close(fd);
		snprintf(err, errlen, "key file %s: no locked memory to read "
		    "it into", path);
		return -ENOMEM;
	}
	n = read(fd, buf, KEYFILE_READ_MAX);
	close(fd);
	if (n < 0) {
		snprintf(err, errlen, "key file %s: %s", path, strerror(errno));
		sodium_free(buf);
		return -EIO;
	}
	rc = transport_derive_key(buf, (size_t)n, cfg->cluster_name, key);
	sodium_free(buf);
	if (rc < 0)
		snprintf(err, errlen, "key file %s: %zd bytes; a key file has "
		    "128 to 4096 bytes", path, n);
	return rc;
}
