/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Who holds each IPC object open, from /proc/PID/fd. This is how an idle peer
 * (a reader that has not read yet) still shows, and how -p finds the peers of
 * channels that were opened before ipctrace started.
 */
#ifndef IPCTRACE_HOLDERS_H
#define IPCTRACE_HOLDERS_H

#include <sys/types.h>
#include "model/rows.h"

/* Replace the holders of every object already in the store. */
void holders_refresh(struct store *s, unsigned int type_mask, pid_t self);

/* Add to the store every object pid holds open, with pid as a holder. */
void holders_of_process(struct store *s, unsigned int type_mask, pid_t pid);

/* Give an object its readable name: the kernel's if it recorded one. */
void object_set_name(struct object *o, const char *kernel_name);

#endif
