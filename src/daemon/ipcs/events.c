/*
 * ipcs/events.c: the event channel: queueing events, flow-control
 * notices (the high and low watermarks of a connection's event queue),
 * credit, and the eviction of a client that stopped reading its events.
 */
#include <errno.h>
#include <stdio.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>

#include "common/log.h"
#include "daemon/ipcs/ipcs_int.h"
#include "daemon/sockdiag.h"

_Static_assert(COHORT_EVQ_MIN_PROGRESS == IPC_EV_DELIVER_LEN(0),
    "the least progress is the smallest event");

/*
 * Whether the client consumed events since the last look, measured where
 * it cannot be faked. Whether a write succeeds says little: a unix stream
 * socket turns writable only once most of its buffer has drained, which a
 * reader of one large event a second may take longer than
 * COHORT_EVQ_STALL_MS to do. What was written minus what the client's end
 * still holds unread (socket diagnostics, sockdiag.c) is what it
 * consumed, to the byte, and only grows: the stall check compares it.
 * The bytes our end holds unread (SIOCOUTQ) fall only when the kernel
 * frees a buffer the client has read to its end (each up to about 36 KiB,
 * tens of small events), and our writes raise them; they are looked at
 * too, also around every write to a congested connection's event socket
 * (`around_write`), lest a write hide what was taken before it. Either
 * falling is real consumption; SIOCOUTQ alone decides where diagnostics
 * cannot see the client (another network namespace, no unix_diag).
 */
void ev_look(struct ipcs *srv, struct conn *c, bool around_write)
{
	uint64_t unread, consumed;
	int outq, rc;

	if (!c->ev)
		return;
	if (ioctl(c->ev->fd, SIOCOUTQ, &outq) == 0 && outq >= 0) {
		if ((uint64_t)outq < c->ev_unread)
			c->ev_progress = loop_now(srv->loop);
		c->ev_unread = (uint64_t)outq;
	}
	if (around_write || c->ev_outq_only)
		return;
	rc = unix_peer_unread(c->ev->fd, &c->ev_peer_ino, &unread);
	if (rc == 0 && unread <= c->ev_written) {
		/* At least an event's worth since the last progress, or all
		 * there was: a byte now and then is not reading. */
		consumed = c->ev_written - unread;
		if (consumed >= c->ev_consumed + COHORT_EVQ_MIN_PROGRESS ||
		    (unread == 0 && consumed > c->ev_consumed)) {
			c->ev_progress = loop_now(srv->loop);
			c->ev_consumed = consumed;
		}
		return;
	}
	/* Short of descriptors or memory: only this look goes without. */
	if (rc != -EMFILE && rc != -ENFILE && rc != -ENOMEM && rc != -ENOBUFS)
		c->ev_outq_only = true;
}

/* A connection's event queue passes a watermark. */
void set_fc_evq(struct ipcs *srv, struct conn *c, bool on)
{
	if (c->fc_evq == on)
		return;
	c->fc_evq = on;
	if (on) {
		c->n_fc++;
		srv->n_congested++;
		/* The stall clock starts now at the latest: a client idle
		 * for a while below the watermark gets its full grace. */
		c->ev_progress = loop_now(srv->loop);
		c->ev_unread = UINT64_MAX;
		ev_look(srv, c, false);
	} else {
		srv->n_congested--;
	}
}

void ipcs_event(struct conn *c, struct frame *f)
{
	struct sock *ev = c->ev;

	if (c->dead || !c->wants_events)
		return;
	/* Between HELLO and ATTACH (inside cpg_initialize) the handle has
	 * joined nothing, so only a totem confchg can come here; the handle
	 * learns the membership from the ones that follow. */
	if (!ev)
		return;
	c->n_events++;
	sock_send(ev, f);
	if (c->dead)
		return;
	if (ev->out_bytes > COHORT_EVQ_HARD) {
		ev->srv->evicted++;
		ipcs_close_conn(ev->srv, c, "stopped reading events "
		    "(queue above the hard limit)");
		return;
	}
	if (!c->fc_evq && (ev->out_bytes > COHORT_EVQ_HIGH ||
	    ev->out_n > COHORT_EVQ_HIGH_EVENTS))
		set_fc_evq(ev->srv, c, true);
}

size_t ipcs_conn_queued(const struct conn *c)
{
	return c->ev ? c->ev->out_n : 0;
}

void ipcs_credit(struct conn *c, uint64_t cost)
{
	if (cost > c->inflight)
		fatalx("credit returned beyond what was consumed");
	c->inflight -= cost;
	c->credit_total += cost;
	mark_dirty(c);
}

/* Writes a connection's queued frames, unless the socket is waiting for
 * room (EPOLLOUT will resume it). */
void conn_flush(struct ipcs *srv, struct conn *c, struct sock *s)
{
	if (!c->dead && s && s->out_n > 0 && !s->want_out &&
	    sock_flush(s) < 0)
		conn_gone(srv, c, "write failed");
}

/* Tells credit and flow control in the ring's page: two stores, no
 * system call. */
void conn_notices(struct conn *c)
{
	if (c->dead)
		return;
	if (c->fc_evq && c->ev && c->ev->out_bytes < COHORT_EVQ_LOW &&
	    c->ev->out_n < COHORT_EVQ_LOW_EVENTS)
		set_fc_evq(c->ev->srv, c, false);
	if (!c->ring.sh)
		return;
	atomic_store_explicit(&c->ring.sh->credit, c->credit_total,
	    memory_order_release);
	atomic_store_explicit(&c->ring.sh->fc, c->fc_evq, memory_order_release);
}

/* Every COHORT_EVQ_STALL_MS / 5 while some queue is above the high
 * watermark: a client that has consumed nothing for COHORT_EVQ_STALL_MS
 * holds the cluster back for nothing and is disconnected. One that
 * consumes, however slowly, stays and sets the pace. */
void on_stall_check(void *arg)
{
	struct ipcs *srv = arg;
	uint64_t now = loop_now(srv->loop);
	char why[96];

	snprintf(why, sizeof(why), "stopped reading events (nothing read "
	    "for %u ms above the high watermark)", COHORT_EVQ_STALL_MS);
	for (struct conn *c = srv->conns; c; c = c->next) {
		if (!c->fc_evq || c->dead)
			continue;
		ev_look(srv, c, false);
		if (now - c->ev_progress >= COHORT_EVQ_STALL_MS) {
			srv->evicted++;
			ipcs_close_conn(srv, c, why);
		}
	}
	/* Not reaped here: a closed connection may still be on the dirty
	 * list, which ipcs_before_sleep() empties first and then reaps. */
	if (srv->n_congested)
		loop_timer_arm(srv->loop, &srv->stall,
		    now + COHORT_EVQ_STALL_MS / 5);
}
