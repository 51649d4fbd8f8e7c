// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the command line. The input is the arguments, split at
 * NUL bytes. Whatever they are, parse_options answers: 0 with a usable
 * configuration, or an error with the one line ipctrace prints for it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <argp.h>
#include "cli/options.h"
#include "fuzz.h"

#define MAX_ARGS 32

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *argv[MAX_ARGS + 2];
	struct config cfg;
	int argc = 1, err;

	memcpy(text, data, size);
	text[size] = '\0';
	argv[0] = "ipctrace";
	for (size_t i = 0; i < size && argc <= MAX_ARGS; i += strlen(text + i) + 1)
		argv[argc++] = text + i;
	argv[argc] = NULL;

	config_defaults(&cfg);
	/* ARGP_SILENT: --help and --version return instead of exiting. */
	err = parse_options(argc, argv, &cfg, ARGP_SILENT);
	if (err) {
		FUZZ_CHECK(cfg.error[0] && !strchr(cfg.error, '\n'));
	} else {
		FUZZ_CHECK(cfg.interval_s > 0 && cfg.npids >= 0 && cfg.npids <= MAX_TARGET_PIDS);
		FUZZ_CHECK(cfg.type_mask != 0);
	}
	free(text);
	return 0;
}
