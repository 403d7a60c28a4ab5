/* API test: cmap_dec (the test body, shared with cmap_inc, is
 * cmap_adjust_test in cmap_harness.c). */
#include "cmap_harness.h"

int main(void)
{
	cmap_adjust_test(cmap_dec, -1);
	return 0;
}
