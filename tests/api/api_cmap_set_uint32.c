/* API test: cmap_set_uint32 (the test body is CMAP_TYPED_TESTS in
 * cmap_harness.h, shared by every typed setter and getter). */
#include "cmap_harness.h"

CMAP_TYPED_TESTS(uint32, uint32_t, CMAP_VALUETYPE_UINT32, 0, UINT32_MAX, cmap_set_uint8)

int main(void)
{
	return typed_set_main();
}
