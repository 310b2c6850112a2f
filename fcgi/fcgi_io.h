/* SPDX-License-Identifier: MIT */
/* fcgi_io.h: kiln-api's narrow view of libfcgi. fcgi_io.c is the only file
 * that includes <fcgiapp.h>; everything else sees a struct req_io. */
#ifndef KILN_FCGI_IO_H
#define KILN_FCGI_IO_H

#include "request.h"

struct fio;

/* Library set-up; call once in each worker after fork. 0 or -1. */
int fio_init(void);

/* A request slot accepting on listen_fd; never NULL. Free with fio_free. */
struct fio *fio_new(int listen_fd);
void fio_free(struct fio *f);

/* Waits for the next request. 0 on success; a negative errno-style value
 * when accept failed (EINTR, or EINVAL once the worker has been told to
 * stop and its listening descriptor replaced). */
int fio_accept(struct fio *f);

/* The request's CGI variables ("KEY=VALUE", NULL-terminated). Borrowed
 * until fio_finish. */
char *const *fio_env(struct fio *f);

/* Body reads and response writes for the accepted request. */
struct req_io fio_io(struct fio *f);

/* Flushes and ends the current request. */
void fio_finish(struct fio *f);

#endif
