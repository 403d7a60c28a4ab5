/* API test: cmap_set_int8 (the test body is CMAP_TYPED_TESTS in
 * cmap_harness.h, shared by every typed setter and getter). */
#include "cmap_harness.h"

CMAP_TYPED_TESTS(int8, int8_t, CMAP_VALUETYPE_INT8, INT8_MIN, INT8_MAX, cmap_set_uint32)

int main(void)
{
	return typed_set_main();
}
