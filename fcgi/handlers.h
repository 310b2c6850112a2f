/* SPDX-License-Identifier: MIT */
/* handlers.h: every route handler, h_<resource>_<action>, one file per
 * resource (h_<resource>.c). Each follows validate -> one transaction ->
 * one JSON response, and sees only requests that passed the pipeline. */
#ifndef KILN_HANDLERS_H
#define KILN_HANDLERS_H

#include "err.h"
#include "request.h"

/* h_health.c */
enum kiln_err h_health_get(struct request *req);

#endif
