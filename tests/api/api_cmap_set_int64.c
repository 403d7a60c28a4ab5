/* API test: cmap_set_int64 (the test body is CMAP_TYPED_TESTS in
 * cmap_harness.h, shared by every typed setter and getter). */
#include "cmap_harness.h"

CMAP_TYPED_TESTS(int64, int64_t, CMAP_VALUETYPE_INT64, INT64_MIN, INT64_MAX, cmap_set_uint32)

int main(void)
{
	return typed_set_main();
}
