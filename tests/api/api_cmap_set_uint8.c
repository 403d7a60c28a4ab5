/* API test: cmap_set_uint8 (the test body is CMAP_TYPED_TESTS in
 * cmap_harness.h, shared by every typed setter and getter). */
#include "cmap_harness.h"

CMAP_TYPED_TESTS(uint8, uint8_t, CMAP_VALUETYPE_UINT8, 0, UINT8_MAX, cmap_set_uint32)

int main(void)
{
	return typed_set_main();
}
