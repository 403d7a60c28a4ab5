/*
 * addr_util.c: a node's addresses as corosync's tools print them.
 */
#include <arpa/inet.h>
#include <stdio.h>

#include "tools/corosync/addr_util.h"

void addr_print(const corosync_cfg_node_address_t *addrs, int n)
{
	for (int i = 0; i < n; i++) {
		const struct sockaddr_in *s4 = (const void *)addrs[i].address;
		const struct sockaddr_in6 *s6 = (const void *)addrs[i].address;
		char text[INET6_ADDRSTRLEN] = "";

		if (s4->sin_family == AF_INET6)
			inet_ntop(AF_INET6, &s6->sin6_addr, text, sizeof(text));
		else
			inet_ntop(AF_INET, &s4->sin_addr, text, sizeof(text));
		printf("%s%s", i ? " " : "", text);
	}
}
