/* SPDX-License-Identifier: MIT */
/* streams.c: the host's live-stream slots (see streams.h). */
#include "streams.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

static int32_t *slots; /* pid of the holder, 0 when free */
static size_t nslots;
static size_t mine = SIZE_MAX;

int
streams_init(size_t max)
{
	void *p;

	if (max == 0)
		max = 1;
	p = mmap(NULL, max * sizeof(*slots), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1,
		 0);
	if (p == MAP_FAILED)
		return -1;
	slots = p;
	nslots = max;
	return 0;
}

/* Frees the slots of processes that are gone (a worker killed mid-stream). */
static void
streams_sweep(void)
{
	size_t i;

	for (i = 0; i < nslots; i++) {
		int32_t pid = __atomic_load_n(&slots[i], __ATOMIC_ACQUIRE);

		if (pid > 0 && kill(pid, 0) != 0 && errno == ESRCH)
			__atomic_compare_exchange_n(&slots[i], &pid, 0, 0, __ATOMIC_ACQ_REL,
						    __ATOMIC_ACQUIRE);
	}
}

int
streams_enter(void)
{
	int32_t me = (int32_t)getpid();
	int pass;
	size_t i;

	if (slots == NULL)
		return -1;
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < nslots; i++) {
			int32_t free_slot = 0;

			if (__atomic_compare_exchange_n(&slots[i], &free_slot, me, 0,
							__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
				mine = i;
				return 0;
			}
		}
		streams_sweep();
	}
	return -1;
}

void
streams_leave(void)
{
	if (slots != NULL && mine < nslots)
		__atomic_store_n(&slots[mine], 0, __ATOMIC_RELEASE);
	mine = SIZE_MAX;
}
