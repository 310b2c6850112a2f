/* SPDX-License-Identifier: MIT */
/* node.c: this host's resources (see node.h). */
#include "node.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parse.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "0"
#endif

/* Copies field [s, e) trimmed into out (cut to n - 1). */
static void
node_field(const char *s, const char *e, char *out, size_t n)
{
	size_t len;

	while (s < e && (*s == ' ' || *s == '\t'))
		s++;
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		e--;
	len = (size_t)(e - s) < n - 1 ? (size_t)(e - s) : n - 1;
	memcpy(out, s, len);
	out[len] = '\0';
}

int
node_parse_smi(const char *text, struct node_info *n)
{
	const char *line = text;

	n->ngpus = 0;
	while (line != NULL && *line != '\0' && n->ngpus < POLICY_GPUS_MAX) {
		const char *end = strchr(line, '\n'), *f[5];
		char idx[16], mem[32];
		struct node_gpu *g = &n->gpus[n->ngpus];
		int k = 1;

		if (end == NULL)
			end = line + strlen(line);
		f[0] = line;
		for (const char *p = line; p < end && k < 4; p++)
			if (*p == ',')
				f[k++] = p + 1;
		f[k] = end + 1;
		if (k == 4) {
			node_field(f[0], f[1] - 1, idx, sizeof(idx));
			node_field(f[1], f[2] - 1, g->name, sizeof(g->name));
			node_field(f[2], f[3] - 1, mem, sizeof(mem));
			node_field(f[3], end, g->uuid, sizeof(g->uuid));
			int64_t index = -1;

			/* "81559 MiB": the number before the unit */
			if (strchr(mem, ' ') != NULL)
				*strchr(mem, ' ') = '\0';
			if (parse_i64(mem, 0, INT64_MAX, &g->memory_mb) != KILN_OK)
				g->memory_mb = 0;
			if (parse_i64(idx, 0, POLICY_GPUS_MAX - 1, &index) == KILN_OK &&
			    g->name[0] != '\0') {
				g->index = (int)index;
				n->ngpus++;
			}
		}
		line = *end == '\n' ? end + 1 : NULL;
	}
	return n->ngpus;
}

/* nvidia-smi's answer, when there is one. */
static void
node_query_smi(struct node_info *n)
{
	char buf[16384];
	size_t len = 0, got;
	FILE *p = popen("nvidia-smi --query-gpu=index,name,memory.total,uuid "
			"--format=csv,noheader 2>/dev/null",
			"r");

	if (p == NULL)
		return;
	while (len < sizeof(buf) - 1 && (got = fread(buf + len, 1, sizeof(buf) - 1 - len, p)) > 0)
		len += got;
	buf[len] = '\0';
	if (pclose(p) == 0)
		node_parse_smi(buf, n);
}

enum kiln_err
node_detect(const struct kiln_config *cfg, struct node_info *n)
{
	long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);
	int i;

	memset(n, 0, sizeof(*n));
	if (cfg->node_name[0] != '\0')
		snprintf(n->name, sizeof(n->name), "%.127s", cfg->node_name);
	else if (gethostname(n->name, sizeof(n->name) - 1) != 0)
		snprintf(n->name, sizeof(n->name), "localhost");
	if (cfg->gpus < 0) {
		node_query_smi(n);
	} else {
		n->ngpus = (int)cfg->gpus;
		for (i = 0; i < n->ngpus; i++) {
			n->gpus[i].index = i;
			snprintf(n->gpus[i].name, sizeof(n->gpus[i].name), "simulated");
		}
	}
	n->cpus = cfg->cpus > 0 ? cfg->cpus : sysconf(_SC_NPROCESSORS_ONLN);
	n->memory_bytes = cfg->memory > 0 ? cfg->memory : (int64_t)pages * psize;
	return KILN_OK;
}

int64_t
node_gap_seconds(int64_t lost)
{
	return lost / 3 > 5 ? lost / 3 : 5;
}

enum kiln_err
node_heartbeat(struct db *db, const struct node_info *n, int64_t gap, int64_t *id)
{
	json_t *gpus = json_array();
	char *gj;
	uint64_t got = 0;
	enum kiln_err rc;
	int i;

	for (i = 0; gpus != NULL && i < n->ngpus; i++)
		json_array_append_new(gpus, json_pack("{s:i, s:s, s:I, s:s}", "index",
						      n->gpus[i].index, "name", n->gpus[i].name,
						      "memory_mb", (json_int_t)n->gpus[i].memory_mb,
						      "uuid", n->gpus[i].uuid));
	if (gpus == NULL || (gj = json_dumps(gpus, JSON_COMPACT)) == NULL)
		abort();
	json_decref(gpus);
	{
		struct db_val p[8] = {DBV_STR(n->name),
				      DBV_I64(n->ngpus),
				      n->ngpus > 0 ? DBV_STR(n->gpus[0].name) : DBV_NULL,
				      DBV_STR(gj),
				      DBV_I64(n->cpus),
				      DBV_I64(n->memory_bytes),
				      DBV_STR(PACKAGE_VERSION),
				      DBV_I64(gap)};

		rc = db_exec(db, STMT_NODE_UPSERT, p, 8, NULL, NULL, &got);
	}
	free(gj);
	*id = (int64_t)got;
	return rc;
}
