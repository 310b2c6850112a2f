/* SPDX-License-Identifier: MIT */
/* scope.h: who may see and change a user's object, and the caller's paged
 * lists, once for every resource (jobs, batches, projects, data sets,
 * transactions). Every object statement used here answers the object's
 * owner (user id) in its second column. */
#ifndef KILN_SCOPE_H
#define KILN_SCOPE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "err.h"
#include "request.h"

/* 1 when the caller may read every user's objects (viewer, operator, admin). */
int scope_reads_all(const struct request *req);

/* 1 when the caller may see an object of owner: their own, or they read
 * everything (scope_load's rule). */
int scope_may_see(const struct request *req, int64_t owner);

/* Whose objects a list shows, from ?all=true and ?user_id= (viewers,
 * operators and admins only, but anyone may name themself): OUT: *user,
 * the caller's id by default, 0 for everyone. Bad values add 422 details
 * to errs; a plain user asking for another scope is answered 403 and 1
 * is returned. */
int scope_whose(struct request *req, json_t *errs, int64_t *user);

/* Loads object id with stmt (one id parameter) into OUT: *res (new) when
 * the caller may see it: its owner, or a role that reads everything; else
 * KILN_ERR_NOT_FOUND, so another user's ids never show they exist. With
 * write, a caller who may only read it (not the owner, no role in
 * writers) gets KILN_ERR_FORBIDDEN. */
enum kiln_err scope_load(struct request *req, enum db_stmt_id stmt, int64_t id, int write,
			 unsigned writers, struct db_res **res);

/* One item of a list, from row of res. New. */
typedef json_t *(*scope_view_fn)(struct request *req, const struct db_res *res, size_t row);

/* Answers the caller's page (?page, ?page_size) of list (parameters:
 * user id, limit, offset) with total from count (parameter: user id), each
 * row shaped by view; 422 for bad paging. */
enum kiln_err scope_list(struct request *req, enum db_stmt_id list, enum db_stmt_id count,
			 scope_view_fn view);

/* The same for lists of other shapes: list takes the n parameters p, the
 * last two being limit and offset; count takes the first n - 2. */
enum kiln_err scope_page(struct request *req, enum db_stmt_id list, enum db_stmt_id count,
			 const struct db_val *p, size_t n, int64_t page, int64_t size,
			 scope_view_fn view);

#endif
