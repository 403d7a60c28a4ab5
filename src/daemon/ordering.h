/*
 * ordering.h: the glue between the protocol engine and the services.
 *
 * Owns the engine, its timer and the submission queue: messages the
 * engine has no room for yet wait here, in order, and their senders get
 * their credit back (the `credit` hook, which main.c points at the IPC
 * server) when they are handed over. The queue is bounded by the
 * connections' credit windows plus the daemon's own messages (one
 * JOINLIST per ring, one PROCDOWN per closing connection).
 *
 * What the engine orders goes to the services through their tables
 * (service.h): every ordered message and configuration change to each
 * service that takes them.
 *
 * While a service synchronises a new ring it holds the queue
 * (ordering_hold): what is submitted then waits, behind what was queued
 * before, until the synchronisation ends; only its own synchronisation
 * messages go ahead (ordering_submit_sync).
 */
#ifndef COHORT_ORDERING_H
#define COHORT_ORDERING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/service.h"
#include "proto/proto.h"

struct conn;
struct loop;
struct ordering;
struct statedir;
struct transport;

struct ordering_config {
	struct loop *loop;
	const struct proto_config *proto;
	struct transport *transport;       /* NULL for a one-node cluster */
	const struct services *services;   /* borrowed */
	const struct statedir *state;      /* the ring sequence's files (ringseq.h) */
	/* A submitted message of `owner` went to the engine: `cost` of its
	 * credit comes back. */
	void (*credit)(void *arg, struct conn *owner, uint64_t cost);
	void *arg;
};

int ordering_new(const struct ordering_config *cfg, struct ordering **out);
void ordering_free(struct ordering *o);
int ordering_start(struct ordering *o);
/* Hands a message to the protocol, in order after everything queued
 * before it. `owner` gets `cost` credit back once it is handed over
 * (NULL: a message of the daemon's own). The bytes are copied. 0 or
 * -errno. */
int ordering_submit(struct ordering *o, struct conn *owner,
    const uint8_t *msg, size_t len, enum proto_guarantee g, uint64_t cost);
/* From inside a service's deliver() only: takes the storage of the
 * message being delivered (proto_take_delivered): the block that holds
 * the bytes at `msg`, to free() once done with them, or NULL (copy
 * them). */
void *ordering_take_delivered(struct ordering *o, const uint8_t *msg);
/* The same for a message in two pieces (a header and a payload). */
int ordering_submit2(struct ordering *o, struct conn *owner,
    const uint8_t *hdr, size_t hlen, const uint8_t *payload, size_t plen,
    enum proto_guarantee g, uint64_t cost);
/* A message of a synchronisation: to the engine ahead of the messages
 * held by ordering_hold, behind any queued before them. */
int ordering_submit_sync(struct ordering *o, const uint8_t *msg, size_t len);
/* On: messages submitted from now on wait in the queue (behind those
 * queued before) until it is turned off; then they go in order. */
void ordering_hold(struct ordering *o, bool on);
/* A connection is going away: its queued messages stay, unowned. */
void ordering_forget_owner(struct ordering *o, struct conn *c);
/* After the loop's I/O: hands queued messages over, rearms the timer. */
void ordering_after_io(struct ordering *o);
/* New timing for the engine (proto_reconfigure), given to it at once,
 * or, from inside a call into it (a service's delivery), as soon as
 * that call has returned, before anything else reaches the engine. 0,
 * or -EINVAL for what proto_reconfigure refuses (nothing changes). */
int ordering_reconfigure(struct ordering *o, const struct proto_timing *t);
/* Nodes added to the nodelist (proto_add_nodes), given to the engine
 * as ordering_reconfigure's timing is, before it. 0, or -EINVAL for
 * more than PROTO_MAX_NODES waiting. */
int ordering_add_nodes(struct ordering *o, const uint32_t *ids, size_t n);
/* Nodes removed from the nodelist (proto_remove_nodes), the same way,
 * before the nodes added. 0, or -EINVAL for more than PROTO_MAX_NODES
 * waiting. */
int ordering_remove_nodes(struct ordering *o, const uint32_t *ids, size_t n);
/* Tells the engine whether a local client's event queue is above the
 * high watermark (the ring then holds new messages back). Whether that
 * changed. */
bool ordering_set_congested(struct ordering *o, bool on);
/* A datagram from the transport. */
void ordering_receive(struct ordering *o, uint32_t from, const uint8_t *buf,
    size_t len);
/* The transport saw a closed port at `nodeid`'s address. */
void ordering_peer_unreachable(struct ordering *o, uint32_t nodeid);

/* Getters for the status. */
void ordering_status(const struct ordering *o, struct proto_status *st);
bool ordering_congested(const struct ordering *o);
size_t ordering_queued(const struct ordering *o);

#endif /* COHORT_ORDERING_H */
