/*
 * compat_cmap.c: a cmap program as corosync users write them. t_compat.sh
 * builds it against corosync's headers and libcmap (Debian's
 * libcmap-dev) and runs the binary on Cohort's libcmap.so.4 and daemon:
 * set, get, list, track and delete through the 3.1.7 ABI.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <corosync/cmap.h>

#define WAIT_MS 20000

static int events;
static uint32_t last_new;

static void fail(const char *what, cs_error_t err)
{
	fprintf(stderr, "compat_cmap: %s: error %d\n", what, err);
	exit(1);
}

static void notify(cmap_handle_t h, cmap_track_handle_t t, int32_t event,
    const char *key, struct cmap_notify_value nv,
    struct cmap_notify_value ov, void *user_data)
{
	if (event == CMAP_TRACK_MODIFY && nv.len == sizeof(last_new) &&
	    ov.data != NULL && strcmp(key, "compat.value") == 0)
		memcpy(&last_new, nv.data, sizeof(last_new));
	events++;
}

int main(void)
{
	char key[CMAP_KEYNAME_MAXLEN + 1];
	cmap_handle_t h;
	cmap_iter_handle_t it;
	cmap_track_handle_t t;
	cmap_value_types_t type;
	size_t len;
	uint32_t v = 0;
	char *s = NULL;
	int n = 0, fd;
	cs_error_t err;

	if ((err = cmap_initialize(&h)) != CS_OK)
		fail("cmap_initialize", err);
	if ((err = cmap_set_uint32(h, "compat.value", 41)) != CS_OK)
		fail("cmap_set_uint32", err);
	if ((err = cmap_set_string(h, "compat.name", "drop-in")) != CS_OK)
		fail("cmap_set_string", err);
	if ((err = cmap_get_uint32(h, "compat.value", &v)) != CS_OK || v != 41)
		fail("cmap_get_uint32", err);
	if ((err = cmap_get_string(h, "compat.name", &s)) != CS_OK ||
	    strcmp(s, "drop-in") != 0)
		fail("cmap_get_string", err);
	free(s);
	if ((err = cmap_iter_init(h, "compat.", &it)) != CS_OK)
		fail("cmap_iter_init", err);
	while (cmap_iter_next(h, it, key, &len, &type) == CS_OK)
		n++;
	if (n != 2 || (err = cmap_iter_finalize(h, it)) != CS_OK)
		fail("iteration", err);
	if ((err = cmap_track_add(h, "compat.", CMAP_TRACK_MODIFY |
	    CMAP_TRACK_PREFIX, notify, NULL, &t)) != CS_OK)
		fail("cmap_track_add", err);
	if ((err = cmap_inc(h, "compat.value")) != CS_OK)
		fail("cmap_inc", err);
	if ((err = cmap_fd_get(h, &fd)) != CS_OK)
		fail("cmap_fd_get", err);
	while (events == 0) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (poll(&p, 1, WAIT_MS) != 1)
			fail("no notification", CS_ERR_TIMEOUT);
		if ((err = cmap_dispatch(h, CS_DISPATCH_ALL)) != CS_OK)
			fail("cmap_dispatch", err);
	}
	if (last_new != 42)
		fail("notified value", CS_ERR_MESSAGE_ERROR);
	if ((err = cmap_track_delete(h, t)) != CS_OK)
		fail("cmap_track_delete", err);
	if ((err = cmap_delete(h, "compat.value")) != CS_OK ||
	    (err = cmap_delete(h, "compat.name")) != CS_OK)
		fail("cmap_delete", err);
	if ((err = cmap_finalize(h)) != CS_OK)
		fail("cmap_finalize", err);
	printf("compat_cmap: ok\n");
	return 0;
}
