/* API test: cmap_get_int32 (the test body is CMAP_TYPED_TESTS in
 * cmap_harness.h, shared by every typed setter and getter). */
#include "cmap_harness.h"

CMAP_TYPED_TESTS(int32, int32_t, CMAP_VALUETYPE_INT32, INT32_MIN, INT32_MAX, cmap_set_uint32)

int main(void)
{
	return typed_get_main();
}
