/* SPDX-License-Identifier: MIT */
/* validate.h: JSON request bodies into C values, collecting every problem
 * as a {loc, msg, type} entry for one 422 answer (DESIGN.md section 3).
 * A handler creates the list, reads its fields, and answers 422 with
 * resp_validation_new when the list is not empty. */
#ifndef KILN_VALIDATE_H
#define KILN_VALIDATE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "request.h"

/* A new empty error list (freed with the arena). */
json_t *v_new(struct request *req);

/* Appends {loc: ["body", field], msg, type} to errs. */
void v_err(json_t *errs, const char *field, const char *msg, const char *type);

/* Appends {loc: ["query", field], msg, type}: a bad query parameter. */
void v_qerr(json_t *errs, const char *field, const char *msg, const char *type);

/* Puts parent after "body" in the loc of every detail errs gained since
 * it held from: what was checked inside the object parent names
 * (["body", "config", "fps"]). */
void v_nest(json_t *errs, size_t from, const char *parent);

/* The body as an object (borrowed), or NULL after adding an error. A
 * missing body counts as an empty object when allow_empty is set. */
json_t *v_object(struct request *req, json_t *errs, int allow_empty);

/* Adds an error for every key of obj not in allowed (NULL-terminated). */
void v_unknown(json_t *obj, const char *const *allowed, json_t *errs);

/* String field: returns it (borrowed) or NULL when absent or null. Errors
 * for a required one that is missing, a non-string, or more than max bytes
 * or an embedded NUL. OUT (optional): *len. */
const char *v_str(json_t *obj, const char *name, int required, size_t max, json_t *errs,
		  size_t *len);

/* Integer field within [min, max]. Returns 1 when present with a value,
 * 0 when absent, -1 when null (and nullable), -2 after adding an error. */
int v_int(json_t *obj, const char *name, int required, int nullable, int64_t min, int64_t max,
	  int64_t *out, json_t *errs);

/* Boolean field. Returns 1 when present, 0 when absent, -2 on error. */
int v_bool(json_t *obj, const char *name, int required, int *out, json_t *errs);

#define V_PAGE_SIZE_DEFAULT 20
#define V_PAGE_SIZE_MAX 100

/* ?page (>= 1, default 1) and ?page_size (1..100, default 20; "limit" is
 * an alias) from the query into OUT: *page, *page_size. Errors go to errs
 * with loc ["query", name]. */
void v_paging(struct request *req, json_t *errs, int64_t *page, int64_t *page_size);

/* Answers 422 when errs is not empty; returns 1 then, else 0. */
int v_reject(struct request *req, json_t *errs);

/* For an action that takes no fields (cancel, drain): a body, when there
 * is one, must be an empty JSON object. 1 when it was not and a 422
 * answered (the caller returns KILN_OK and changes nothing), else 0. */
int v_no_fields(struct request *req);

#endif
