/* SPDX-License-Identifier: MIT */
/* rmtree.h: removing a folder and everything in it, as deep as it goes
 * (a job can make a tree 100 000 folders deep: a walk that recurses, as
 * nftw does, runs out of stack, and paths out of PATH_MAX), through
 * descriptors, one level at a time with O_NOFOLLOW: a link is removed,
 * never followed. Folders shut by their owner (mode 0) are opened up.
 *
 * Below 64 levels the walk climbs back through "..", and stops (ESTALE)
 * when that is not the folder it came down from. Someone who can move a
 * folder of the tree while it runs could still race that check, so run
 * it only on a tree nobody else can change (kiln's own), or as a user who
 * may do no more than the tree's owner could (storage_job_remove's child,
 * as the job user). */
#ifndef KILN_RMTREE_H
#define KILN_RMTREE_H

/* Removes everything in the folder open at fd, not the folder. 0, or -1
 * with errno when something stayed. */
int rmtree_empty(int fd);

/* Removes name in the folder open at pfd, and everything in it when it is
 * a folder; a missing one is fine. 0, or -1 with errno. */
int rmtree_at(int pfd, const char *name);

#endif
