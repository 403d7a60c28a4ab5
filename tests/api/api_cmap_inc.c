/* API test: cmap_inc (the test body, shared with cmap_dec, is
 * cmap_adjust_test in cmap_harness.c). */
#include "cmap_harness.h"

int main(void)
{
	cmap_adjust_test(cmap_inc, 1);
	return 0;
}
