/*
 * bench-client.c — many agents running one statement as fast as they can.
 *
 * Each of C threads opens its own connection (as its own login, so that the
 * server sees C different agents, as at a real desk), prepares the statement,
 * waits for the others, then executes it in autocommit until TOTAL non-NULL
 * results were returned altogether or SECONDS have passed. It prints
 *   results elapsed_seconds results_per_second empty errors
 * and, with -o FILE, the first column of every non-NULL result, one per line,
 * so the caller can check that no ticket was claimed twice.
 *
 * Parameters are text; in them "{i}" is replaced by the thread's number
 * (0-based), "{n}" by the thread's iteration and "{login}" by its login.
 *
 * Not part of the build: tests/bench/run compiles it with cc and libpq.
 * Usage: bench-client -d CONNINFO -c C (-n TOTAL | -T SECONDS) -s SQL
 *                     [-u LOGIN,LOGIN…] [-p PARAM]… [-o FILE]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#define MAX_PARAMS 16
#define MAX_CLIENTS 256

struct client {
	pthread_t thread;
	int index;
	const char *login;
	PGconn *conn;
	char **ids; /* the values returned, kept for -o */
	size_t nids;
	size_t capids;
	long ok; /* executions with a result (a non-NULL value or a command) */
	long empty;
	long errors;
};

static const char *conninfo = "";
static const char *sql;
static const char *params[MAX_PARAMS];
static int nparams;
static long total = -1;
static double seconds = -1;
static pthread_barrier_t start_line;
static atomic_long done;
static atomic_int stop;
static struct timespec started;

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A parameter with {i}, {n} and {login} replaced. */
static char *
expand(const char *template, const struct client *c, long n)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	const char *p;

	if (f == NULL) {
		fputs("bench-client: out of memory\n", stderr);
		exit(EX_OSERR);
	}
	for (p = template; *p != '\0'; p++) {
		if (strncmp(p, "{i}", 3) == 0) {
			fprintf(f, "%d", c->index);
			p += 2;
		} else if (strncmp(p, "{n}", 3) == 0) {
			fprintf(f, "%ld", n);
			p += 2;
		} else if (strncmp(p, "{login}", 7) == 0) {
			fputs(c->login, f);
			p += 6;
		} else
			fputc(*p, f);
	}
	fclose(f);
	return out;
}

static void
keep_id(struct client *c, const char *value)
{
	if (c->nids == c->capids) {
		c->capids = c->capids ? c->capids * 2 : 1024;
		c->ids = realloc(c->ids, c->capids * sizeof *c->ids);
		if (c->ids == NULL) {
			fputs("bench-client: out of memory\n", stderr);
			exit(EX_OSERR);
		}
	}
	c->ids[c->nids++] = strdup(value);
}

/* One execution; returns 1 for a non-NULL result, 0 for NULL or no row, -1 on error. */
static int
execute_once(struct client *c, long n)
{
	char *values[MAX_PARAMS];
	PGresult *res;
	int i, got = -1;

	for (i = 0; i < nparams; i++)
		values[i] = expand(params[i], c, n);
	res = PQexecPrepared(c->conn, "bench", nparams, (const char *const *)values, NULL, NULL, 0);
	for (i = 0; i < nparams; i++)
		free(values[i]);
	switch (PQresultStatus(res)) {
	case PGRES_TUPLES_OK:
		if (PQntuples(res) > 0 && !PQgetisnull(res, 0, 0)) {
			keep_id(c, PQgetvalue(res, 0, 0));
			got = 1;
		} else
			got = 0;
		break;
	case PGRES_COMMAND_OK:
		got = 1;
		break;
	default:
		if (c->errors < 3)
			fprintf(
			    stderr, "bench-client: %s: %s", c->login, PQresultErrorMessage(res));
		break;
	}
	PQclear(res);
	return got;
}

static void *
client_run(void *arg)
{
	struct client *c = arg;
	long n = 0;
	int got;

	pthread_barrier_wait(&start_line);
	while (!atomic_load(&stop)) {
		/* Reserve a slot first so that exactly TOTAL results are asked for. */
		if (total >= 0 && atomic_fetch_add(&done, 1) >= total)
			break;
		got = execute_once(c, n++);
		if (got != 1 && total >= 0)
			atomic_fetch_sub(&done, 1);
		if (got == 1)
			c->ok++;
		else if (got == 0)
			c->empty++;
		else if (got < 0)
			c->errors++;
		if (c->errors > 50) {
			/* A statement that fails every time: no figure to be had. */
			atomic_store(&stop, 1);
		}
		if (got == 0 && c->empty > 100 && total >= 0) {
			/* The queue is empty: nothing more to claim. */
			atomic_store(&stop, 1);
		}
		if (seconds > 0 && (n & 15) == 0) {
			struct timespec ts;

			clock_gettime(CLOCK_MONOTONIC, &ts);
			if ((ts.tv_sec - started.tv_sec) + (ts.tv_nsec - started.tv_nsec) / 1e9 >=
			    seconds)
				atomic_store(&stop, 1);
		}
	}
	return NULL;
}

static void
connect_client(struct client *c)
{
	char *info;
	PGresult *res;

	if (asprintf(&info, "%s user=%s application_name=bench-client", conninfo, c->login) < 0) {
		fputs("bench-client: out of memory\n", stderr);
		exit(EX_OSERR);
	}
	c->conn = PQconnectdb(info);
	free(info);
	if (PQstatus(c->conn) != CONNECTION_OK) {
		fprintf(stderr, "bench-client: %s: %s", c->login, PQerrorMessage(c->conn));
		exit(EX_UNAVAILABLE);
	}
	res = PQprepare(c->conn, "bench", sql, nparams, NULL);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		fprintf(stderr, "bench-client: %s", PQresultErrorMessage(res));
		exit(EX_DATAERR);
	}
	PQclear(res);
}

static void
usage(void)
{
	fputs("usage: bench-client -d CONNINFO -c C (-n TOTAL | -T SECONDS) -s SQL\n"
	      "                    [-u LOGIN,LOGIN...] [-p PARAM]... [-o FILE]\n",
	    stderr);
	exit(EX_USAGE);
}

/* Split a comma-separated list of logins. */
static int
split_logins(char *list, const char **logins, int max)
{
	int n = 0;
	char *tok, *save = NULL;

	for (tok = strtok_r(list, ",", &save); tok != NULL && n < max;
	     tok = strtok_r(NULL, ",", &save))
		logins[n++] = tok;
	return n;
}

static void
write_ids(const char *path, struct client *clients, int nclients)
{
	FILE *f = fopen(path, "w");
	int i;
	size_t j;

	if (f == NULL) {
		fprintf(stderr, "bench-client: %s: %s\n", path, strerror(errno));
		exit(EX_CANTCREAT);
	}
	for (i = 0; i < nclients; i++)
		for (j = 0; j < clients[i].nids; j++)
			fprintf(f, "%s\n", clients[i].ids[j]);
	if (fclose(f) != 0) {
		fprintf(stderr, "bench-client: %s: %s\n", path, strerror(errno));
		exit(EX_IOERR);
	}
}

int
main(int argc, char **argv)
{
	static struct client clients[MAX_CLIENTS];
	const char *logins[MAX_CLIENTS];
	const char *ids_path = NULL;
	char *login_list = NULL;
	int nclients = 1, nlogins, ch, i;
	long results = 0, empty = 0, errors = 0;
	double t0, elapsed;

	while ((ch = getopt(argc, argv, "c:d:n:o:p:s:T:u:")) != -1) {
		switch (ch) {
		case 'c':
			nclients = atoi(optarg);
			break;
		case 'd':
			conninfo = optarg;
			break;
		case 'n':
			total = atol(optarg);
			break;
		case 'o':
			ids_path = optarg;
			break;
		case 'p':
			if (nparams == MAX_PARAMS)
				usage();
			params[nparams++] = optarg;
			break;
		case 's':
			sql = optarg;
			break;
		case 'T':
			seconds = atof(optarg);
			break;
		case 'u':
			login_list = optarg;
			break;
		default:
			usage();
		}
	}
	if (sql == NULL || nclients < 1 || nclients > MAX_CLIENTS || (total < 0 && seconds <= 0))
		usage();
	if (login_list == NULL) {
		const char *user = getenv("PGUSER");

		logins[0] = user != NULL ? user : "postgres";
		nlogins = 1;
	} else
		nlogins = split_logins(login_list, logins, MAX_CLIENTS);
	if (nlogins < 1)
		usage();

	pthread_barrier_init(&start_line, NULL, nclients + 1);
	for (i = 0; i < nclients; i++) {
		clients[i].index = i;
		clients[i].login = logins[i % nlogins];
		connect_client(&clients[i]);
	}
	for (i = 0; i < nclients; i++)
		if (pthread_create(&clients[i].thread, NULL, client_run, &clients[i]) != 0) {
			fputs("bench-client: cannot start a thread\n", stderr);
			return EX_OSERR;
		}
	clock_gettime(CLOCK_MONOTONIC, &started);
	t0 = now();
	pthread_barrier_wait(&start_line);
	for (i = 0; i < nclients; i++)
		pthread_join(clients[i].thread, NULL);
	elapsed = now() - t0;

	for (i = 0; i < nclients; i++) {
		results += clients[i].ok;
		empty += clients[i].empty;
		errors += clients[i].errors;
		PQfinish(clients[i].conn);
	}
	if (ids_path != NULL)
		write_ids(ids_path, clients, nclients);
	printf("%ld %.6f %.1f %ld %ld\n", results, elapsed, results / elapsed, empty, errors);
	return errors > 0 ? EX_SOFTWARE : 0;
}
