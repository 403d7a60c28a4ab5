/* API test: quorum_getquorate. */
#include "quorum_help.h"

int main(void)
{
	struct daemon_proc d;
	quorum_handle_t h;
	int q = -1;

	/* No provider: always quorate. */
	harness_start(&d, NULL);
	CHECK_CS(quorum_getquorate(0, &q), CS_ERR_BAD_HANDLE);
	CHECK_CS(quorum_initialize(&h, NULL, NULL), CS_OK);
	CHECK_CS(quorum_getquorate(h, NULL), CS_ERR_INVALID_PARAM);
	CHECK_CS(quorum_getquorate(h, &q), CS_OK);
	CHECK(q == 1);
	CHECK_CS(quorum_finalize(h), CS_OK);
	CHECK_CS(quorum_getquorate(h, &q), CS_ERR_BAD_HANDLE);
	harness_stop(&d);

	/* votequorum, one vote of three expected: not quorate. */
	quorum_start(&d, CONF_INQUORATE);
	CHECK_CS(quorum_initialize(&h, NULL, NULL), CS_OK);
	q = -1;
	CHECK_CS(quorum_getquorate(h, &q), CS_OK);
	CHECK(q == 0);
	CHECK_CS(quorum_finalize(h), CS_OK);
	harness_stop(&d);

	/* votequorum, one vote of one: quorate. */
	quorum_start(&d, CONF_VOTEQUORUM);
	CHECK_CS(quorum_initialize(&h, NULL, NULL), CS_OK);
	q = -1;
	CHECK_CS(quorum_getquorate(h, &q), CS_OK);
	CHECK(q == 1);
	CHECK_CS(quorum_finalize(h), CS_OK);
	harness_stop(&d);
	return 0;
}
