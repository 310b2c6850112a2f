/* SPDX-License-Identifier: MIT */
/* node.h: what this host offers: its name, GPUs (nvidia-smi, or the
 * [scheduler] gpus line for simulated ones), CPUs and memory; its row in
 * nodes. Not for: deciding what runs (policy.h). */
#ifndef KILN_NODE_H
#define KILN_NODE_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "db.h"
#include "err.h"
#include "policy.h"

struct node_gpu {
	int index;
	char name[96];
	int64_t memory_mb;
	char uuid[64];
};

struct node_info {
	char name[128];
	struct node_gpu gpus[POLICY_GPUS_MAX];
	int ngpus;
	int64_t cpus, memory_bytes;
};

/* Parses `nvidia-smi --query-gpu=index,name,memory.total,uuid
 * --format=csv,noheader` output (memory as "81920 MiB") into OUT: n's
 * gpus. Lines that do not parse are skipped. Returns the GPU count. */
int node_parse_smi(const char *text, struct node_info *n);

/* Fills OUT: n from cfg and the host. */
enum kiln_err node_detect(const struct kiln_config *cfg, struct node_info *n);

/* Upserts this node's row and heartbeat; OUT: *id. A heartbeat more than
 * gap seconds after the one before starts the node's up_since again
 * (sql/020). */
enum kiln_err node_heartbeat(struct db *db, const struct node_info *n, int64_t gap, int64_t *id);

/* The gap node_heartbeat tolerates for a job_lost_seconds of lost:
 * max(5, lost / 3), so that a supervisor silent through an outage of up
 * to the gap is still well inside lost when it writes again (from 15 s
 * of lost on), and a tick's own start (a timer, nvidia-smi) never counts
 * as a gap. The tick touches the heartbeat again when it ends. */
int64_t node_gap_seconds(int64_t lost);

#endif
