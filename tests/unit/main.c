// SPDX-License-Identifier: GPL-2.0
#include "unit.h"

int main(void)
{
	int failed = 0;

	failed += run_options_tests();
	failed += run_rows_tests();
	failed += run_output_tests();
	failed += run_procfs_tests();
	failed += run_sock_tests();
	failed += run_formats_tests();
	failed += run_tui_view_tests();
	failed += run_signal_tests();
	failed += run_sanitize_tests();
	return failed ? 1 : 0;
}
