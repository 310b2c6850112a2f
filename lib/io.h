/* SPDX-License-Identifier: MIT */
/* io.h: writing a whole buffer to a descriptor, through short writes and
 * EINTR, for every program (uploads, CSV shards, kiln-render's files). Not
 * for: sockets that must not block (fcgi/fcgi_io.c). */
#ifndef KILN_IO_H
#define KILN_IO_H

#include <stddef.h>

/* Writes the n bytes at p to fd. 0, or -1 with errno (a write of 0 bytes
 * is reported as EIO). */
int io_write_all(int fd, const void *p, size_t n);

#endif
