/* API test: cmap_set_double (the test body is CMAP_TYPED_TESTS in
 * cmap_harness.h, shared by every typed setter and getter). */
#include "cmap_harness.h"

CMAP_TYPED_TESTS(double, double, CMAP_VALUETYPE_DOUBLE, -DBL_MAX, DBL_MAX, cmap_set_uint32)

int main(void)
{
	return typed_set_main();
}
