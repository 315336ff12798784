/*
 * import.c — guichet-mail import: connect, take the source's lock, import
 * the messages an admin asked to retry, then drain the source in batches
 * (import-batch.c), in one process or, for a maildir, one per partition of
 * senders; the summary and the exit status at the end.
 *
 * Concurrency: every batch takes a transaction-level advisory lock, so
 * imports from any number of runs and sources are serialised batch by batch
 * (threading and the rate cap see a consistent picture). A second run on the
 * same source waits mail.lock_wait seconds at most (long enough for the
 * server side of a run just killed to end), then exits 75 without importing
 * anything: cron runs never pile up, each holding a connection, behind one
 * long import.
 *
 * Behind a pooler (PgBouncer) in transaction mode a session lock would stay
 * with whichever server connection ran the statement, held for ever and
 * handed to other clients: there the source's lock is a transaction lock,
 * in a transaction left open on a second connection for the run, which pins
 * one server connection and ends with the process.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"
#include "db.h"
#include "mail.h"

static const char sql_try_lock_source[] = "SELECT pg_try_advisory_lock(" LOCK_CLASS
					  ", hashtext($1)) AS locked";
static const char sql_lock_wait[] = "SELECT set_config('lock_timeout', $1, true)";
static const char sql_lock_source[] = "SELECT pg_advisory_lock(" LOCK_CLASS ", hashtext($1))";
static const char sql_try_lock_source_xact[] = "SELECT pg_try_advisory_xact_lock(" LOCK_CLASS
					       ", hashtext($1)) AS locked";
static const char sql_lock_source_xact[] = "SELECT pg_advisory_xact_lock(" LOCK_CLASS
					   ", hashtext($1))";
static const char sql_pending[] = "SELECT id, source, bytes FROM guichet.mail_pending(100)";
static const char sql_tag_prefix[] = "SELECT value FROM guichet.setting WHERE key = 'tag_prefix'";

/* An exit status for a statement that failed with sqlstate. */
static int
failure_status(const char *sqlstate)
{
	/* Refused rights will be refused again: the MTA must not retry forever. */
	if (strcmp(sqlstate, "42501") == 0 || strcmp(sqlstate, GU_DENIED) == 0)
		return EX_NOPERM;
	return EX_TEMPFAIL;
}

static double
elapsed(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) + (b->tv_nsec - a->tv_nsec) / 1e9;
}

void
import_progress(struct import *im, bool final)
{
	struct timespec now;
	double secs, rate;
	size_t total = im->src->total, done = im->st.seen;
	char eta[32] = "";

	if (!im->o.progress)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!final && im->drawn && elapsed(&im->last_draw, &now) < 0.2)
		return;
	im->last_draw = now;
	im->drawn = true;
	secs = elapsed(&im->start, &now);
	rate = secs > 0 ? done / secs : 0;
	if (total > done && rate > 0) {
		long left = (long)((total - done) / rate);

		snprintf(eta, sizeof eta, "  ETA %ld:%02ld", left / 60, left % 60);
	}
	if (total > 0)
		fprintf(stderr, "\r%s %zu/%zu  %.0f msg/s%s   ", _("importing"), done, total, rate,
		    eta);
	else
		fprintf(stderr, "\r%s %zu  %.0f msg/s   ", _("importing"), done, rate);
	if (final)
		fputc('\n', stderr);
}

/* Messages an admin asked to retry (guichet-admin quarantine retry). */
struct pending {
	PGresult *res;
	int row;
};

static int
pending_next(struct source *src, struct source_msg *msg, char **cause)
{
	struct pending *p = src->data;
	unsigned char *bytes;
	size_t len;

	if (p->row >= PQntuples(p->res))
		return 0;
	memset(msg, 0, sizeof *msg);
	bytes = PQunescapeBytea((const unsigned char *)db_value(p->res, p->row, "bytes"), &len);
	if (bytes == NULL)
		fatalx("out of memory");
	msg->data = xmalloc(len + 1);
	memcpy(msg->data, bytes, len);
	msg->data[len] = '\0';
	msg->len = len;
	PQfreemem(bytes);
	msg->raw_id = db_int(p->res, p->row, "id", 0);
	xasprintf(&msg->id, "raw #%lld", (long long)msg->raw_id);
	p->row++;
	return 1;
}

static int
pending_nothing(struct source *src, struct source_msg *msg, char **cause)
{
	return 0;
}

static int
pending_sync(struct source *src, char **cause)
{
	return 0;
}

static void
pending_close(struct source *src)
{
}

static const struct source_ops pending_ops = {
	.name = "retry",
	.next = pending_next,
	.done = pending_nothing,
	.sync = pending_sync,
	.close = pending_close,
};

static int
retry_pending(struct import *im, char **cause)
{
	struct pending p = { NULL, 0 };
	struct source src;
	char sqlstate[6] = "";
	int ex;

	if ((p.res = db_exec(im->conn, sql_pending, 0, NULL, cause, sqlstate)) == NULL)
		return failure_status(sqlstate);
	if (PQntuples(p.res) == 0) {
		PQclear(p.res);
		return 0;
	}
	memset(&src, 0, sizeof src);
	src.ops = &pending_ops;
	src.options = &im->o;
	src.label = (char *)"retry";
	src.data = &p;
	if (PQenterPipelineMode(im->conn) != 1) {
		PQclear(p.res);
		return EX_TEMPFAIL;
	}
	ex = import_drain(im, &src, cause);
	PQexitPipelineMode(im->conn);
	PQclear(p.res);
	return ex;
}

static void
summary(struct import *im)
{
	char *line;

	xasprintf(&line,
	    _("%zu messages: %zu imported (%zu new tickets, %zu threaded), "
	      "%zu duplicates, %zu quarantined, %zu loops, %zu held"),
	    im->st.seen, im->st.imported, im->st.created, im->st.threaded, im->st.duplicates,
	    im->st.quarantined, im->st.loops, im->st.held);
	if (im->st.refused > 0) {
		char *more;

		xasprintf(
		    &more, _("%s, %zu refused (too big, left in place)"), line, im->st.refused);
		free(line);
		line = more;
	}
	if (im->o.summary)
		printf("%s\n", line);
	log_info("%s", line);
	free(line);
}

/* The same on the lock connection, whose transaction stays open. */
static int
wait_for_source_xact(
    struct import *im, const char *label, const char *wait, char **cause, char *sqlstate)
{
	PGresult *res;
	const char *values[1] = { wait };

	if (im->o.lock_wait <= 0)
		return 1;
	if ((res = db_exec(im->lock_conn, sql_lock_wait, 1, values, cause, sqlstate)) == NULL)
		return -1;
	PQclear(res);
	values[0] = label;
	if ((res = db_exec(im->lock_conn, sql_lock_source_xact, 1, values, cause, sqlstate)) ==
	    NULL)
		return strcmp(sqlstate, "55P03") == 0 ? 1 : -1;
	PQclear(res);
	return 0;
}

/*
 * Behind a pooler, the connection that holds the source's lock in an open
 * transaction (see the top of this file). 0, or an exit status.
 */
static int
open_lock_conn(struct import *im, char **cause, char *sqlstate)
{
	int pooled;

	if ((pooled = db_pooled(im->conn, cause, sqlstate)) != 1)
		return pooled == 0 ? 0 : failure_status(sqlstate);
	if ((im->lock_conn = db_connect(im->o.conninfo, cause)) == NULL)
		return EX_TEMPFAIL;
	if (db_command(im->lock_conn, "BEGIN", 0, NULL, cause) == -1)
		return EX_TEMPFAIL;
	return 0;
}

/*
 * Wait for the source's lock a bounded time, in a transaction of its own so
 * that lock_timeout applies to this statement only. 0 when taken, 1 when
 * another run kept it, -1 on another failure.
 */
static int
wait_for_source(struct import *im, const char *label, char **cause, char *sqlstate)
{
	PGresult *res;
	char wait[32];
	const char *values[1] = { wait };
	char *end_cause = NULL;
	int rc = 0;

	snprintf(wait, sizeof wait, "%llds", im->o.lock_wait);
	if (im->lock_conn != NULL)
		return wait_for_source_xact(im, label, wait, cause, sqlstate);
	if ((res = db_exec(im->conn, "BEGIN", 0, NULL, cause, sqlstate)) == NULL)
		return -1;
	PQclear(res);
	if (im->o.lock_wait > 0) {
		if ((res = db_exec(im->conn, sql_lock_wait, 1, values, cause, sqlstate)) == NULL)
			return -1;
		PQclear(res);
		values[0] = label;
		res = db_exec(im->conn, sql_lock_source, 1, values, cause, sqlstate);
		if (res == NULL)
			rc = strcmp(sqlstate, "55P03") == 0 ? 1 : -1;
		else
			PQclear(res);
	} else
		rc = 1;
	res = db_exec(im->conn, rc == 0 ? "COMMIT" : "ROLLBACK", 0, NULL, &end_cause, NULL);
	if (res == NULL) {
		free(end_cause);
		return -1;
	}
	PQclear(res);
	return rc;
}

/* Connect, check the schema, take the source lock. 0, or an exit status. */
static int
prepare(struct import *im, char **cause, bool *busy)
{
	PGresult *res;
	char *label, sqlstate[6] = "";
	const char *values[1];
	int ex, rc;

	*busy = false;
	if ((im->conn = db_connect(im->o.conninfo, cause)) == NULL)
		return EX_TEMPFAIL;
	if ((ex = db_check_schema(im->conn, cause)) != 0)
		return ex;
	if (config_get(im->o.config, "mail.tag_prefix") == NULL &&
	    (res = db_exec(im->conn, sql_tag_prefix, 0, NULL, cause, NULL)) != NULL) {
		if (PQntuples(res) == 1) {
			free(im->tag_prefix);
			im->tag_prefix = xstrdup(db_value(res, 0, "value"));
			im->o.tag_prefix = im->tag_prefix;
		}
		PQclear(res);
	}
	if (strcmp(im->src->label, "stdin") == 0)
		return 0;
	if (im->worker >= 0)
		xasprintf(&label, "%s#%d", im->src->label, im->worker);
	else
		label = xstrdup(im->src->label);
	values[0] = label;
	if ((ex = open_lock_conn(im, cause, sqlstate)) != 0) {
		free(label);
		return ex;
	}
	res = im->lock_conn != NULL ?
	    db_exec(im->lock_conn, sql_try_lock_source_xact, 1, values, cause, sqlstate) :
	    db_exec(im->conn, sql_try_lock_source, 1, values, cause, sqlstate);
	if (res == NULL) {
		free(label);
		return failure_status(sqlstate);
	}
	*busy = !db_bool(res, 0, "locked");
	PQclear(res);
	/*
	 * Another run is on this source, or the server side of one just
	 * killed: a moment for the latter to end, no more.
	 */
	if (*busy && (rc = wait_for_source(im, label, cause, sqlstate)) != 0) {
		free(label);
		if (rc < 0)
			return failure_status(sqlstate);
		free(*cause);
		xasprintf(cause,
		    _("another import from %s is running (waited %lld s): nothing imported, "
		      "the next run takes over"),
		    im->src->label, im->o.lock_wait);
		return EX_TEMPFAIL;
	}
	free(label);
	return 0;
}

/* One importing process: all partitions (worker -1) or one. */
static int
import_one(struct import *im, char **cause)
{
	struct source *src = im->src;
	bool busy;
	int ex;

	if ((ex = prepare(im, cause, &busy)) != 0)
		return ex;
	if (busy && src->ops->rescan != NULL && src->ops->rescan(src, cause) != 0)
		return EX_TEMPFAIL;
	if (im->worker <= 0) {
		/* Retries take every partition's lock: done by one worker only. */
		int worker = im->worker;

		im->worker = -1;
		ex = retry_pending(im, cause);
		im->worker = worker;
		if (ex != 0)
			return ex;
	}
	if (PQenterPipelineMode(im->conn) != 1) {
		xasprintf(cause, "%s", PQerrorMessage(im->conn));
		return EX_TEMPFAIL;
	}
	return import_drain(im, src, cause);
}

static void
report_cause(char **cause)
{
	if (*cause != NULL) {
		char *c = sanitize_text(*cause, 0);

		log_warnx("%s", c);
		free(c);
		free(*cause);
		*cause = NULL;
	}
}

/*
 * The worst of two exit statuses: unreachable, then refused rights or a bad
 * configuration, then a message refused for its size, then quarantined.
 */
static int
worse(int a, int b)
{
	if (a == EX_TEMPFAIL || b == EX_TEMPFAIL)
		return EX_TEMPFAIL;
	if (a != 0 && a != EX_DATAERR && a != EX_UNAVAILABLE)
		return a;
	if (b != 0 && b != EX_DATAERR && b != EX_UNAVAILABLE)
		return b;
	if (a == EX_UNAVAILABLE || b == EX_UNAVAILABLE)
		return EX_UNAVAILABLE;
	return a != 0 ? a : b;
}

/*
 * A maildir is imported by mail.workers processes side by side, one per
 * partition of threads: the server does the work, and it has more than one
 * core. Each child reports its counts through a pipe.
 */
static int
import_parallel(struct import *im, char **cause)
{
	pid_t pids[PARTITIONS];
	int fds[PARTITIONS], k, status, ex = 0;

	if (plan_make(im, cause) != 0)
		return EX_TEMPFAIL;
	for (k = 0; k < (int)im->o.workers; k++) {
		int p[2];

		if (pipe(p) != 0)
			fatalx("pipe: %s", strerror(errno));
		fflush(NULL);
		if ((pids[k] = fork()) < 0)
			fatalx("fork: %s", strerror(errno));
		if (pids[k] == 0) {
			/* A worker dies with its parent (cron or a test may kill it). */
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() == 1)
				_exit(EX_TEMPFAIL);
			close(p[0]);
			im->worker = k;
			im->o.progress = im->o.progress && k == 0;
			ex = import_one(im, cause);
			parser_stop(im);
			report_cause(cause);
			if (write(p[1], &im->st, sizeof im->st) != sizeof im->st)
				_exit(EX_SOFTWARE);
			if (im->conn != NULL)
				PQfinish(im->conn);
			if (im->lock_conn != NULL)
				PQfinish(im->lock_conn);
			_exit(ex);
		}
		close(p[1]);
		fds[k] = p[0];
	}
	for (k = 0; k < (int)im->o.workers; k++) {
		struct stats st;

		if (read(fds[k], &st, sizeof st) == sizeof st) {
			im->st.seen += st.seen;
			im->st.imported += st.imported;
			im->st.threaded += st.threaded;
			im->st.created += st.created;
			im->st.duplicates += st.duplicates;
			im->st.quarantined += st.quarantined;
			im->st.loops += st.loops;
			im->st.held += st.held;
			im->st.oversized += st.oversized;
			im->st.refused += st.refused;
		}
		close(fds[k]);
		while (waitpid(pids[k], &status, 0) < 0 && errno == EINTR)
			;
		ex = worse(ex, WIFEXITED(status) ? WEXITSTATUS(status) : EX_SOFTWARE);
	}
	return ex == EX_DATAERR ? 0 : ex;
}

int
import_run(const struct mail_options *o, struct source *src)
{
	struct import im;
	char *cause = NULL;
	int ex;

	memset(&im, 0, sizeof im);
	im.o = *o;
	im.src = src;
	im.worker = -1;
	im.options_json = import_options_json(o);
	im.items = xcalloc(o->batch, sizeof *im.items);
	clock_gettime(CLOCK_MONOTONIC, &im.start);

	if (o->workers > 1 && strcmp(src->ops->name, "maildir") == 0)
		ex = import_parallel(&im, &cause);
	else
		ex = import_one(&im, &cause);
	parser_stop(&im);
	import_progress(&im, true);
	/* Refused: an MTA bounces it (permanent: it will always be too big). */
	if (ex == 0 && im.st.refused > 0)
		ex = EX_UNAVAILABLE;
	else if (ex == 0 && im.st.quarantined > 0)
		ex = EX_DATAERR;
	if (ex == 0 || ex == EX_DATAERR || ex == EX_UNAVAILABLE)
		summary(&im);
	report_cause(&cause);
	import_free_items(&im);
	plan_free(&im);
	free(im.items);
	free(im.options_json);
	free(im.tag_prefix);
	if (im.conn != NULL)
		PQfinish(im.conn);
	if (im.lock_conn != NULL)
		PQfinish(im.lock_conn);
	return ex;
}
