/*
 * cmap_value.c: libcmap's reads and writes of keys, and the iterators
 * (cmap.h; the wire is common/ipc_cmap.h).
 *
 * The library checks only what corosync's library checks before sending
 * (NULL arguments, a key or prefix of CS_MAX_NAME_LENGTH characters or
 * more); the daemon checks names, types, lengths and read-only keys and
 * its error is passed through.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cmap/cmap_int.h"

#define KEY_WIRE (4u + CMAP_KEYNAME_MAXLEN)

/* The library's check of a key name: INVALID_PARAM or NAME_TOO_LONG, or
 * CS_OK. */
static cs_error_t check_key(const char *key_name)
{
	if (!key_name)
		return CS_ERR_INVALID_PARAM;
	if (strlen(key_name) > CMAP_KEYNAME_MAXLEN)
		return CS_ERR_NAME_TOO_LONG;
	return CS_OK;
}

cs_error_t cmap_set(cmap_handle_t handle, const char *key_name,
    const void *value, size_t value_len, cmap_value_types_t type)
{
	struct wbuf wb;
	uint8_t *body;
	cs_error_t err = check_key(key_name);

	if (err != CS_OK)
		return err;
	if (!value)
		return CS_ERR_INVALID_PARAM;
	/* A value over the daemon's limit gets the daemon's answer without
	 * being sent: the frame would only carry it to be refused. */
	if (value_len > IPC_CMAP_VALUE_MAX) {
		struct cmap_inst *ci = svc_get(&cmap_handles, handle);

		if (!ci)
			return CS_ERR_BAD_HANDLE;
		hdb_put(&cmap_handles, handle);
		return CS_ERR_INVALID_PARAM;
	}
	body = malloc(KEY_WIRE + 8 + value_len);
	if (!body)
		return CS_ERR_NO_MEMORY;
	wbuf_init(&wb, body, KEY_WIRE + 8 + value_len);
	cmap_put_str(&wb, key_name);
	wbuf_u32(&wb, (uint32_t)type);
	wbuf_u32(&wb, (uint32_t)value_len);
	wbuf_copy(&wb, value, value_len);
	err = cmap_call(handle, CMAP_REQ_SET, body, wb.len, NULL, NULL);
	free(body);
	return err;
}

#define SET_TYPED(name, ctype, vtype)					\
cs_error_t cmap_set_##name(cmap_handle_t handle, const char *key_name,	\
    ctype value)							\
{									\
	return cmap_set(handle, key_name, &value, sizeof(value), vtype);\
}

SET_TYPED(int8, int8_t, CMAP_VALUETYPE_INT8)
SET_TYPED(uint8, uint8_t, CMAP_VALUETYPE_UINT8)
SET_TYPED(int16, int16_t, CMAP_VALUETYPE_INT16)
SET_TYPED(uint16, uint16_t, CMAP_VALUETYPE_UINT16)
SET_TYPED(int32, int32_t, CMAP_VALUETYPE_INT32)
SET_TYPED(uint32, uint32_t, CMAP_VALUETYPE_UINT32)
SET_TYPED(int64, int64_t, CMAP_VALUETYPE_INT64)
SET_TYPED(uint64, uint64_t, CMAP_VALUETYPE_UINT64)
SET_TYPED(float, float, CMAP_VALUETYPE_FLOAT)
SET_TYPED(double, double, CMAP_VALUETYPE_DOUBLE)

cs_error_t cmap_set_string(cmap_handle_t handle, const char *key_name,
    const char *value)
{
	if (!value)
		return CS_ERR_INVALID_PARAM;
	return cmap_set(handle, key_name, value, strlen(value),
	    CMAP_VALUETYPE_STRING);
}

/* Requests whose body is just the key. */
static cs_error_t key_request(cmap_handle_t handle, uint16_t type,
    const char *key_name, const int32_t *step)
{
	uint8_t body[KEY_WIRE + 4];
	struct wbuf wb;
	cs_error_t err = check_key(key_name);

	if (err != CS_OK)
		return err;
	wbuf_init(&wb, body, sizeof(body));
	cmap_put_str(&wb, key_name);
	if (step)
		wbuf_u32(&wb, (uint32_t)*step);
	return cmap_call(handle, type, body, wb.len, NULL, NULL);
}

cs_error_t cmap_delete(cmap_handle_t handle, const char *key_name)
{
	return key_request(handle, CMAP_REQ_DELETE, key_name, NULL);
}

cs_error_t cmap_inc(cmap_handle_t handle, const char *key_name)
{
	int32_t step = 1;

	return key_request(handle, CMAP_REQ_ADJUST, key_name, &step);
}

cs_error_t cmap_dec(cmap_handle_t handle, const char *key_name)
{
	int32_t step = -1;

	return key_request(handle, CMAP_REQ_ADJUST, key_name, &step);
}

struct get_out {
	void *value;             /* NULL: only type and length */
	size_t room;
	size_t len;
	cmap_value_types_t type;
};

static int decode_get(void *arg, struct rbuf *rb)
{
	struct get_out *g = arg;
	uint32_t len;

	g->type = (cmap_value_types_t)rbuf_u32(rb);
	len = rbuf_u32(rb);
	g->len = len;
	if (g->value) {
		/* The daemon refuses a value longer than the room we gave. */
		if (len > g->room)
			return -EBADMSG;
		rbuf_copy(rb, g->value, len);
	}
	return rb->err || rb->left ? -EBADMSG : 0;
}

cs_error_t cmap_get(cmap_handle_t handle, const char *key_name, void *value,
    size_t *value_len, cmap_value_types_t *type)
{
	uint8_t body[KEY_WIRE + 8];
	struct get_out g = { .value = value };
	struct wbuf wb;
	cs_error_t err = check_key(key_name);

	if (err != CS_OK)
		return err;
	if (value && !value_len)
		return CS_ERR_INVALID_PARAM;
	if (value)
		g.room = *value_len > UINT32_MAX ? UINT32_MAX : *value_len;
	wbuf_init(&wb, body, sizeof(body));
	cmap_put_str(&wb, key_name);
	wbuf_u32(&wb, value ? 1 : 0);
	wbuf_u32(&wb, (uint32_t)g.room);
	err = cmap_call(handle, CMAP_REQ_GET, body, wb.len, decode_get, &g);
	if (err != CS_OK)
		return err;
	if (type)
		*type = g.type;
	if (value_len)
		*value_len = g.len;
	return CS_OK;
}

/* The typed getters read into room for the widest type and accept only
 * a key of exactly their type. */
#define GET_ROOM 16

static cs_error_t get_typed(cmap_handle_t handle, const char *key_name,
    void *out, size_t size, cmap_value_types_t want)
{
	union { uint8_t b[GET_ROOM]; double d; uint64_t u; } v;
	size_t len = sizeof(v);
	cmap_value_types_t type;
	cs_error_t err;

	memset(&v, 0, sizeof(v));
	err = cmap_get(handle, key_name, &v, &len, &type);
	if (err != CS_OK)
		return err;
	if (type != want)
		return CS_ERR_INVALID_PARAM;
	if (out)
		memcpy(out, &v, size);
	return CS_OK;
}

#define GET_TYPED(name, ctype, vtype)					\
cs_error_t cmap_get_##name(cmap_handle_t handle, const char *key_name,	\
    ctype *out)								\
{									\
	return get_typed(handle, key_name, out, sizeof(*out), vtype);	\
}

GET_TYPED(int8, int8_t, CMAP_VALUETYPE_INT8)
GET_TYPED(uint8, uint8_t, CMAP_VALUETYPE_UINT8)
GET_TYPED(int16, int16_t, CMAP_VALUETYPE_INT16)
GET_TYPED(uint16, uint16_t, CMAP_VALUETYPE_UINT16)
GET_TYPED(int32, int32_t, CMAP_VALUETYPE_INT32)
GET_TYPED(uint32, uint32_t, CMAP_VALUETYPE_UINT32)
GET_TYPED(int64, int64_t, CMAP_VALUETYPE_INT64)
GET_TYPED(uint64, uint64_t, CMAP_VALUETYPE_UINT64)
GET_TYPED(float, float, CMAP_VALUETYPE_FLOAT)
GET_TYPED(double, double, CMAP_VALUETYPE_DOUBLE)

cs_error_t cmap_get_string(cmap_handle_t handle, const char *key_name,
    char **str)
{
	cmap_value_types_t type;
	size_t len;
	char *s;
	cs_error_t err;

	if (!str)
		return CS_ERR_INVALID_PARAM;
	/* Two round trips, as corosync's: the length, then the value. */
	err = cmap_get(handle, key_name, NULL, &len, &type);
	if (err != CS_OK)
		return err;
	if (type != CMAP_VALUETYPE_STRING || len == 0)
		return CS_ERR_INVALID_PARAM;
	s = malloc(len);
	if (!s)
		return CS_ERR_NO_MEMORY;
	err = cmap_get(handle, key_name, s, &len, &type);
	if (err == CS_OK && (type != CMAP_VALUETYPE_STRING || len == 0))
		err = CS_ERR_INVALID_PARAM;   /* changed in between */
	if (err != CS_OK) {
		free(s);
		return err;
	}
	s[len - 1] = '\0';
	*str = s;
	return CS_OK;
}

/* ----------------------------------------------------------- iterators */

cs_error_t cmap_iter_init(cmap_handle_t handle, const char *prefix,
    cmap_iter_handle_t *cmap_iter_handle)
{
	uint8_t body[KEY_WIRE];
	struct wbuf wb;
	uint64_t iter = 0;
	cs_error_t err;

	if (!cmap_iter_handle)
		return CS_ERR_INVALID_PARAM;
	if (prefix && strlen(prefix) > CMAP_KEYNAME_MAXLEN) {
		/* corosync looks the handle up first. */
		struct cmap_inst *ci = svc_get(&cmap_handles, handle);

		if (!ci)
			return CS_ERR_BAD_HANDLE;
		hdb_put(&cmap_handles, handle);
		return CS_ERR_NAME_TOO_LONG;
	}
	wbuf_init(&wb, body, sizeof(body));
	cmap_put_str(&wb, prefix);
	err = cmap_call(handle, CMAP_REQ_ITER_INIT, body, wb.len, cmap_decode_u64,
	    &iter);
	if (err == CS_OK)
		*cmap_iter_handle = iter;
	return err;
}

struct next_out {
	char *key;
	uint32_t type, len;
};

static int decode_next(void *arg, struct rbuf *rb)
{
	struct next_out *n = arg;
	uint32_t klen = rbuf_u32(rb);

	if (klen > CMAP_KEYNAME_MAXLEN)
		return -EBADMSG;
	rbuf_copy(rb, n->key, klen);
	n->type = rbuf_u32(rb);
	n->len = rbuf_u32(rb);
	if (rb->err || rb->left)
		return -EBADMSG;
	n->key[klen] = '\0';
	return 0;
}

cs_error_t cmap_iter_next(cmap_handle_t handle,
    cmap_iter_handle_t iter_handle, char key_name[], size_t *value_len,
    cmap_value_types_t *type)
{
	char key[CMAP_KEYNAME_MAXLEN + 1];
	struct next_out n = { .key = key };
	uint8_t body[8];
	struct wbuf wb;
	cs_error_t err;

	if (!key_name)
		return CS_ERR_INVALID_PARAM;
	wbuf_init(&wb, body, sizeof(body));
	wbuf_u64(&wb, iter_handle);
	err = cmap_call(handle, CMAP_REQ_ITER_NEXT, body, wb.len, decode_next,
	    &n);
	if (err != CS_OK)
		return err;
	memcpy(key_name, key, strlen(key) + 1);
	if (value_len)
		*value_len = n.len;
	if (type)
		*type = (cmap_value_types_t)n.type;
	return CS_OK;
}

cs_error_t cmap_iter_finalize(cmap_handle_t handle,
    cmap_iter_handle_t iter_handle)
{
	uint8_t body[8];
	struct wbuf wb;

	wbuf_init(&wb, body, sizeof(body));
	wbuf_u64(&wb, iter_handle);
	return cmap_call(handle, CMAP_REQ_ITER_FINALIZE, body, wb.len, NULL,
	    NULL);
}
