/* SPDX-License-Identifier: MIT */
/* io.h: writing a whole buffer to a descriptor, through short writes and
 * EINTR, for every program (uploads, CSV shards, kiln-render's files); the
 * descriptors a child that drops its privileges keeps; and listing a
 * folder by its descriptor. Not for:
 * sockets that must not block (fcgi/fcgi_io.c). */
#ifndef KILN_IO_H
#define KILN_IO_H

#include <dirent.h>
#include <stddef.h>

/* Writes the n bytes at p to fd. 0, or -1 with errno (a write of 0 bytes
 * is reported as EIO). */
int io_write_all(int fd, const void *p, size_t n);

/* Closes every descriptor from 3 up but a and b (-1: none), in a child
 * about to run as another user or to read what a user sent: nothing of
 * the parent's (its database connection above all) stays open in it. */
void io_close_but(int a, int b);

/* A listing of the folder open at fd, from its start, with an offset of
 * its own ("." opened again: a dup would share the offset of a
 * descriptor the caller has read to its end). NULL with errno. */
DIR *io_list_dir(int fd);

#endif
