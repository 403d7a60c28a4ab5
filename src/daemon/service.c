/*
 * service.c: the registry of services (service.h).
 */
#include "common/log.h"
#include "daemon/service.h"

void services_add(struct services *ss, enum service_id id,
    const struct service_ops *ops, void *svc)
{
	ss->s[id] = (struct service){ ops, svc };
	for (size_t i = 0; i < ops->n_types; i++) {
		uint16_t t = ops->types[i];

		if (t >= sizeof(ss->by_type) || ss->by_type[t])
			fatalx("service %s: request type %u taken or out of "
			    "range", ops->name, t);
		ss->by_type[t] = (uint8_t)(id + 1);
	}
}

const struct service *services_for_type(const struct services *ss,
    uint16_t type)
{
	if (type >= sizeof(ss->by_type) || !ss->by_type[type])
		return NULL;
	return &ss->s[ss->by_type[type] - 1];
}

bool services_ready(const struct services *ss)
{
	for (size_t i = 0; i < SERVICE_MAX; i++)
		if (ss->s[i].ops && ss->s[i].ops->ready &&
		    !ss->s[i].ops->ready(ss->s[i].svc))
			return false;
	return true;
}
