/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --graph: who talks to whom, as a Graphviz DOT digraph. Processes are nodes
 * (a remote socket endpoint is one too); an edge joins two processes over
 * one channel, with an arrowhead at each end that received data, labelled
 * with the channel's type, its object and the bytes each way.
 */
#ifndef IPCTRACE_GRAPH_H
#define IPCTRACE_GRAPH_H

#include <stdio.h>
#include "output/output.h"

void output_graph(FILE *out, const struct frame *f);

/* s as the body of a DOT quoted string (no quotes around it). */
void graph_dot_escape(FILE *out, const char *s);

#endif
