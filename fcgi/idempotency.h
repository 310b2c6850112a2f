/* SPDX-License-Identifier: MIT */
/* idempotency.h: the Idempotency-Key header on routes flagged
 * RF_IDEMPOTENT. The dispatcher calls idem_begin before the handler and
 * idem_end after it; the handler knows nothing about it. */
#ifndef KILN_IDEMPOTENCY_H
#define KILN_IDEMPOTENCY_H

#include "request.h"

#define IDEM_KEY_MAX 255

/* Claims the request's key. Returns 0 when the handler should run (no key,
 * or a new one), 1 when a response was set instead: the stored answer of
 * the same request (replayed, with Idempotent-Replayed: true), 422 for the
 * key reused with another request, 409 while the first is still running,
 * 400 for a malformed key. */
int idem_begin(struct request *req);

/* Stores the handler's answer for the claimed key. A 5xx, or a refusal
 * of the request as sent (400, 413, 415, 422: nothing was done), frees
 * the key instead, so the client may retry or correct the request under
 * the same key. No-op without a claim. */
void idem_end(struct request *req);

#endif
