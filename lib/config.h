/* SPDX-License-Identifier: MIT */
/* config.h: kiln.conf, an INI file shared by kiln-api, kiln-scheduler and
 * kilnctl. Every key is declared once in config.c's table with its type,
 * range and default; docs/kiln.conf.example lists them for operators.
 * Not for: per-request settings or anything stored in the database. */
#ifndef KILN_CONFIG_H
#define KILN_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define CONFIG_STR_MAX 512
#define CONFIG_ERR_MAX 512

struct kiln_config {
	/* [database] */
	char db_socket[CONFIG_STR_MAX]; /* unix socket; wins over host/port */
	char db_host[CONFIG_STR_MAX];
	int64_t db_port;
	char db_user[CONFIG_STR_MAX];
	char db_password[CONFIG_STR_MAX]; /* secret */
	char db_name[CONFIG_STR_MAX];
	int64_t db_connect_timeout; /* seconds */
	int64_t db_rw_timeout;      /* seconds, per read or write */
	/* [api] */
	char listen[CONFIG_STR_MAX]; /* unix path, "tcp:HOST:PORT" or "fd:N" */
	int64_t socket_mode;         /* permission bits of a unix socket */
	int64_t workers;             /* 0: 2 x online CPUs */
	int64_t max_requests;        /* per worker before it recycles; 0: never */
	int64_t max_body;            /* bytes, default cap for request bodies */
	int64_t max_upload;          /* bytes, cap for an uploaded file */
	int64_t access_log;          /* bool */
	int64_t sse_max_seconds;     /* a live log stream closes after this (the client resumes) */
	int64_t
	    sse_max_streams; /* live streams holding workers at once, per host; 0: half the workers */
	int64_t sse_keepalive_seconds;     /* a silent live stream gets a comment after this */
	char metrics_from[CONFIG_STR_MAX]; /* addresses that may read /metrics unauthenticated */
	char public_url
	    [CONFIG_STR_MAX]; /* "https://kiln.example.com": signed links absolute; "" relative */
	/* [storage] */
	char storage_root[CONFIG_STR_MAX];
	/* [auth] */
	int64_t access_ttl;   /* seconds an access token lives */
	int64_t refresh_ttl;  /* seconds a refresh token lives */
	int64_t password_ops; /* argon2id passes */
	int64_t password_mem; /* argon2id memory, bytes */
	/* [ratelimit] per principal, shared by the host's workers */
	int64_t rl_short_window; /* seconds */
	int64_t rl_short_limit;  /* requests per short window */
	int64_t rl_long_window;  /* seconds */
	int64_t rl_long_limit;   /* requests per long window */
	int64_t rl_login_window; /* seconds over which failed logins count */
	int64_t rl_login_per_email;
	int64_t rl_login_per_address;
	int64_t rl_slots; /* counters in the shared table */
	/* [credits], micro-credits */
	int64_t max_topup; /* largest single top-up or grant */
	/* [limits]: defaults until an admin sets them (settings table) */
	int64_t max_concurrent_jobs; /* per user */
	int64_t daily_cost_cap;      /* micro-credits per user per UTC day */
	int64_t max_job_cost;        /* micro-credits per job */
	/* [results] */
	int64_t url_ttl;        /* seconds a signed link lives unless asked */
	int64_t max_url_ttl;    /* the longest expires_in allowed */
	int64_t retention_days; /* a finished job's files are removed after; 0: never */
	/* [jobs] */
	int64_t default_shards; /* POST /jobs/upload without shards */
	/* [scheduler] */
	char node_name[CONFIG_STR_MAX]; /* "" for the host name */
	int64_t gpus;                   /* -1: ask nvidia-smi; N: N simulated GPUs */
	int64_t cpus;                   /* 0: the host's */
	int64_t memory;                 /* bytes, 0: the host's */
	char executor[CONFIG_STR_MAX];  /* local | systemd */
	char run_path[CONFIG_STR_MAX];  /* kiln-run; "" for the one beside kiln-scheduler */
	int64_t job_lost_seconds;       /* a supervisor silent this long is lost */
	int64_t min_hold_seconds;       /* the smallest hold, in seconds of the job's rate */
	int64_t max_start;              /* jobs a tick starts at most */
	int64_t kill_grace_seconds;     /* SIGTERM, then SIGKILL after this */
	int64_t fence_seconds; /* kill a job after this long without a heartbeat (0: never) */
	/* [sandbox] */
	char images[CONFIG_STR_MAX];   /* the image map (images.h) */
	char trainers[CONFIG_STR_MAX]; /* [training] trainers: the trainer map (trainers.h) */
	char sandbox[CONFIG_STR_MAX];  /* bwrap | none */
	int64_t network;               /* bool: jobs may use the network */
	int64_t allow_pip;             /* bool: requirements.txt is installed */
	char job_user[CONFIG_STR_MAX]; /* who jobs run as when kiln-run is root */
	int64_t max_log_bytes;         /* per stream */
	int64_t max_dataset_bytes;     /* a data set archive unpacks to at most this */
	int64_t max_dataset_entries;   /* files and folders in one */
	/* [render] */
	char render_path[CONFIG_STR_MAX];     /* kiln-render; "" for the one beside kiln-run */
	char image_generator[CONFIG_STR_MAX]; /* a command per scene, or "" (built-in cards) */
	char render_font[CONFIG_STR_MAX];     /* a font file, or "" (kiln-render's defaults) */
	/* [moderation] */
	char blocked_words[CONFIG_STR_MAX]; /* comma-separated */
	int64_t moderation_threshold;       /* percent: a score at or above rejects */
	/* [secrets] */
	char jwt_secret[CONFIG_STR_MAX];  /* secret */
	char signing_key[CONFIG_STR_MAX]; /* secret */
};

/* Fills OUT: cfg with every default. */
void config_defaults(struct kiln_config *cfg);

/* Parses INI text (len bytes, need not be NUL-terminated) over the values
 * already in cfg (call config_defaults first). name is used in messages.
 * Returns KILN_OK or KILN_ERR_CONFIG with OUT: err ("name:LINE: why"). */
enum kiln_err config_parse(const char *text, size_t len, const char *name, struct kiln_config *cfg,
			   char err[CONFIG_ERR_MAX]);

/* Loads defaults then the file at path. A file that sets a secret and is
 * readable by group or others is refused. KILN_ERR_CONFIG with OUT: err. */
enum kiln_err config_load(const char *path, struct kiln_config *cfg, char err[CONFIG_ERR_MAX]);

/* The path to use: explicit (from -c) if non-NULL, else $KILN_CONFIG, else
 * the compiled-in default. Borrowed. */
const char *config_path(const char *explicit_path);

/* A kiln program's path into OUT: out: configured when not "", else name
 * in the folder of the running program (kiln-run beside kiln-scheduler,
 * kiln-render beside kiln-run). */
void config_program_path(const char *configured, const char *name, char *out, size_t n);

/* How often kiln-run writes a running job's heartbeat when its progress
 * stays put: well inside job_lost_seconds (a third), and at most every
 * 5 s, because every write of the row moves its row_version (sql/019) and
 * so the ETag that pollers of GET /jobs/{id} hold. */
int64_t config_heartbeat_seconds(const struct kiln_config *cfg);

#endif
