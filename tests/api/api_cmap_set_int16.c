/* API test: cmap_set_int16 (the test body is CMAP_TYPED_TESTS in
 * cmap_harness.h, shared by every typed setter and getter). */
#include "cmap_harness.h"

CMAP_TYPED_TESTS(int16, int16_t, CMAP_VALUETYPE_INT16, INT16_MIN, INT16_MAX, cmap_set_uint32)

int main(void)
{
	return typed_set_main();
}
