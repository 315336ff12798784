/*
 * import-batch.c — one batch of messages, one transaction, pipelined (libpq
 * pipeline mode): BEGIN, the partition lock, an ingest_message() call per
 * message, COMMIT, all sent before the first result is read, so that parsing
 * here and inserting there overlap and no message waits for a round trip.
 * Only after COMMIT are the source's messages removed: a crash in between
 * leaves them in place, and the next run finds their bytes already stored.
 *
 * A batch that fails is sent again when the failure was transient (a
 * deadlock with the other worker), else one message per transaction, so
 * that one bad message spoils nothing but itself. Each message is parsed
 * once, by the parser child (import-parser.c); a batch sent again reuses
 * the documents.
 *
 * A message read only in part (over 4 × mail.max_size) is refused: never
 * sent, never stored cut, left in its source (an MTA gets 69 and bounces it).
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

#define BATCH_BYTES (48 * 1024 * 1024)

static const char sql_ingest[] =
    "SELECT o_outcome, o_raw, o_ticket, o_article, o_rule, o_new, o_detail "
    "FROM guichet.ingest_message($1, $2, $3::jsonb, $4, $5::bigint)";
static const char sql_lock_batch[] = "SELECT pg_advisory_xact_lock(" LOCK_CLASS ", k) "
				     "FROM generate_series(1, " PARTITIONS_SQL ") k";
static const char sql_lock_partition[] = "SELECT pg_advisory_xact_lock(" LOCK_CLASS
					 ", 1 + $1::integer)";
static const char sql_store_raw[] = "SELECT guichet.store_raw($1, $2, $3, $4) AS id";

static int
send_simple(PGconn *conn, const char *sql)
{
	return PQsendQueryParams(conn, sql, 0, NULL, NULL, NULL, NULL, 0) ? 0 : -1;
}

static int
send_begin(struct import *im)
{
	char part[16];
	const char *values[1] = { part };

	if (send_simple(im->conn, "BEGIN") != 0)
		return -1;
	if (im->worker < 0)
		return send_simple(im->conn, sql_lock_batch);
	snprintf(part, sizeof part, "%d", im->worker);
	return PQsendQueryParams(im->conn, sql_lock_partition, 1, NULL, values, NULL, NULL, 0) ? 0 :
												 -1;
}

/*
 * The document of a message the parser died on: quarantined with the reason.
 * Its Message-ID and sender are read here, where nothing else is, so that
 * the quarantine list can show them.
 */
static void
crashed_json(struct import *im, struct item *it, const char *why)
{
	struct headers h;
	char **ids = NULL, *addr = NULL, *name = NULL;
	size_t n = 0, i;
	bool first = true;

	headers_parse(&h, it->msg.data, it->msg.len);
	header_msgids(headers_get(&h, "Message-ID"), &ids, &n);
	if (n > 0 && utf8_valid(ids[0], strlen(ids[0])))
		it->message_id = xstrdup(ids[0]);
	for (i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
	header_mailbox(headers_get(&h, "From"), &addr, &name);
	headers_free(&h);
	strbuf_addch(&it->js, '{');
	json_key(&it->js, &first, "error");
	json_string(&it->js, why);
	json_key(&it->js, &first, "message_id");
	json_string(&it->js, it->message_id);
	json_key(&it->js, &first, "from_addr");
	json_string(&it->js, addr != NULL && utf8_valid(addr, strlen(addr)) ? addr : NULL);
	json_key(&it->js, &first, "options");
	strbuf_puts(&it->js, im->options_json);
	strbuf_addch(&it->js, '}');
	free(addr);
	free(name);
}

/* The message's document, from the parser child, once. */
static void
parse_item(struct import *im, struct item *it)
{
	char *why = NULL, *id;

	if (it->parsed)
		return;
	strbuf_init(&it->js);
	strbuf_init(&it->att);
	if (parser_parse(im, it->msg.data, it->msg.len, &it->js, &it->att, &it->message_id, &why) !=
	    0) {
		id = sanitize_text(it->msg.id, 0);
		log_warnx(_("%s: %s: quarantined"), id, why);
		free(id);
		crashed_json(im, it, why);
		free(why);
	}
	it->parsed = true;
}

/* Parse one message (once) and queue its ingest_message call. */
static int
send_item(struct import *im, struct item *it)
{
	const char *values[5];
	int lengths[5] = { 0 }, formats[5] = { 1, 0, 0, 1, 0 };
	char rawid[32];

	parse_item(im, it);
	values[0] = it->msg.data;
	lengths[0] = (int)it->msg.len;
	values[1] = im->src->label;
	values[2] = it->js.buf;
	values[3] = it->att.len > 0 ? it->att.buf : NULL;
	lengths[3] = (int)it->att.len;
	if (it->msg.raw_id > 0) {
		snprintf(rawid, sizeof rawid, "%lld", (long long)it->msg.raw_id);
		values[4] = rawid;
	} else
		values[4] = NULL;
	return PQsendQueryParams(im->conn, sql_ingest, 5, NULL, values, lengths, formats, 0) ? 0 :
											       -1;
}

/* Read only in part: refused, left in its source; the run's status says so. */
static void
refuse(struct import *im, struct source_msg *msg)
{
	char *id = sanitize_text(msg->id, 0);

	log_warnx(_("%s: %zu bytes, over the limit of %zu (4 times mail.max_size): refused, "
		    "left where it is"),
	    id, msg->real_size, im->o.max_size * 4);
	free(id);
	im->st.refused++;
}

static void
count(struct import *im, struct item *it, const PGresult *res)
{
	const char *outcome = db_value(res, 0, "o_outcome");
	const char *rule = db_value(res, 0, "o_rule");
	const char *ticket = db_value(res, 0, "o_ticket");
	const char *detail = db_value(res, 0, "o_detail");
	bool created = db_bool(res, 0, "o_new");
	char *id;

	if (strcmp(outcome, "duplicate") == 0)
		im->st.duplicates++;
	else if (strcmp(outcome, "quarantined") == 0)
		im->st.quarantined++;
	else if (strcmp(outcome, "ignored_loop") == 0)
		im->st.loops++;
	else if (strcmp(outcome, "held") == 0)
		im->st.held++;
	else {
		im->st.imported++;
		if (strcmp(outcome, "oversized") == 0)
			im->st.oversized++;
		if (created)
			im->st.created++;
		else
			im->st.threaded++;
	}
	id = sanitize_text(it->msg.id, 0);
	if (strcmp(outcome, "quarantined") == 0) {
		char *d = sanitize_text(detail ? detail : "", 0);

		log_warnx(
		    _("%s: quarantined as raw message #%s: %s"), id, db_value(res, 0, "o_raw"), d);
		free(d);
	} else
		log_info("%s: %s%s%s%s%s", id, outcome, ticket ? " ticket #" : "",
		    ticket ? ticket : "", rule ? " by " : "", rule ? rule : "");
	free(id);
}

/*
 * Read the results of one pipelined batch: BEGIN, lock, n ingests, COMMIT,
 * then the sync. Returns 0, -1 when a statement failed (rolled back), -2
 * when the connection is gone.
 */
static int
read_batch(struct import *im, size_t n, char **cause)
{
	PGresult *res;
	size_t q, nq = n + 3;
	int rc = 0;
	ExecStatusType st;

	im->failed_state[0] = '\0';
	for (q = 0; q < nq; q++) {
		if ((res = PQgetResult(im->conn)) == NULL) {
			xasprintf(cause, "%s", PQerrorMessage(im->conn));
			return -2;
		}
		st = PQresultStatus(res);
		if (st == PGRES_PIPELINE_ABORTED) {
			rc = -1;
		} else if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
			if (rc == 0) {
				const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);

				free(*cause);
				*cause = db_error_message(res);
				snprintf(im->failed_state, sizeof im->failed_state, "%s",
				    state != NULL ? state : "");
			}
			rc = -1;
		} else if (q >= 2 && q < n + 2 && rc == 0) {
			count(im, &im->items[q - 2], res);
		}
		PQclear(res);
		/* Each query's results end with a NULL. */
		while ((res = PQgetResult(im->conn)) != NULL)
			PQclear(res);
	}
	res = PQgetResult(im->conn);
	if (res == NULL || PQresultStatus(res) != PGRES_PIPELINE_SYNC) {
		if (res != NULL)
			PQclear(res);
		if (PQstatus(im->conn) != CONNECTION_OK) {
			xasprintf(cause, "%s", PQerrorMessage(im->conn));
			return -2;
		}
	} else
		PQclear(res);
	if (PQstatus(im->conn) != CONNECTION_OK)
		return -2;
	return rc;
}

void
import_free_items(struct import *im)
{
	size_t i;

	for (i = 0; i < im->nitems; i++) {
		source_msg_free(&im->items[i].msg);
		free(im->items[i].message_id);
		if (im->items[i].parsed) {
			strbuf_free(&im->items[i].js);
			strbuf_free(&im->items[i].att);
		}
	}
	im->nitems = 0;
}

/*
 * Send a batch. With fetch, messages come from the source (up to the batch
 * size) into im->items; otherwise im->items[first, first+n) are resent.
 * Returns the number of messages, -1 on a source error.
 */
static long
send_batch(struct import *im, bool fetch, size_t first, size_t n, char **cause)
{
	size_t bytes = 0, i;
	int r;

	if (send_begin(im) != 0)
		return -2;
	if (fetch) {
		while (im->nitems < (size_t)im->o.batch && bytes < BATCH_BYTES) {
			struct item *it = &im->items[im->nitems];

			memset(it, 0, sizeof *it);
			r = im->src->ops->next(im->src, &it->msg, cause);
			if (r < 0)
				return -1;
			if (r == 0)
				break;
			if (im->worker >= 0 && plan_partition(im, &it->msg) != im->worker) {
				/* The other worker's: left for it. */
				source_msg_free(&it->msg);
				continue;
			}
			if (it->msg.truncated) {
				im->st.seen++;
				refuse(im, &it->msg);
				source_msg_free(&it->msg);
				continue;
			}
			im->nitems++;
			im->st.seen++;
			bytes += it->msg.len;
			if (send_item(im, it) != 0)
				return -2;
			import_progress(im, false);
		}
		n = im->nitems;
	} else {
		for (i = first; i < first + n; i++)
			if (send_item(im, &im->items[i]) != 0)
				return -2;
	}
	if (send_simple(im->conn, "COMMIT") != 0 || PQpipelineSync(im->conn) != 1)
		return -2;
	return (long)n;
}

static int
rollback(struct import *im)
{
	PGresult *res;

	if (send_simple(im->conn, "ROLLBACK") != 0 || PQpipelineSync(im->conn) != 1)
		return -1;
	while ((res = PQgetResult(im->conn)) != NULL)
		PQclear(res);
	res = PQgetResult(im->conn); /* the sync */
	if (res != NULL)
		PQclear(res);
	return PQstatus(im->conn) == CONNECTION_OK ? 0 : -1;
}

/* Last resort for a message whose ingest failed outright: keep it raw. */
static int
quarantine_item(struct import *im, struct item *it, const char *error)
{
	const char *values[4] = { it->msg.data, im->src->label, it->message_id, error };
	int lengths[4] = { (int)it->msg.len, 0, 0, 0 }, formats[4] = { 1, 0, 0, 0 };
	PGresult *res;
	char *cause = NULL;

	if (send_begin(im) != 0 ||
	    !PQsendQueryParams(im->conn, sql_store_raw, 4, NULL, values, lengths, formats, 0) ||
	    send_simple(im->conn, "COMMIT") != 0 || PQpipelineSync(im->conn) != 1)
		return -1;
	{
		int i, bad = 0;

		for (i = 0; i < 4; i++) {
			if ((res = PQgetResult(im->conn)) == NULL)
				return -1;
			if (PQresultStatus(res) != PGRES_COMMAND_OK &&
			    PQresultStatus(res) != PGRES_TUPLES_OK) {
				if (!bad)
					cause = db_error_message(res);
				bad = 1;
			}
			PQclear(res);
			while ((res = PQgetResult(im->conn)) != NULL)
				PQclear(res);
		}
		if ((res = PQgetResult(im->conn)) != NULL)
			PQclear(res);
		if (bad) {
			log_warnx("%s", cause);
			free(cause);
			rollback(im);
			return -1;
		}
	}
	im->st.quarantined++;
	log_warnx(_("%s: quarantined: %s"), it->msg.id, error);
	return 0;
}

/* A batch failed: each message on its own, so one bad one spoils nothing. */
static int
one_by_one(struct import *im, char **cause)
{
	size_t i;
	int rc;
	long n;

	for (i = 0; i < im->nitems; i++) {
		int attempt;

		/* A deadlock with a concurrent run is worth another try or two. */
		for (attempt = 0, rc = -1; attempt < 3 && rc == -1; attempt++) {
			free(*cause);
			*cause = NULL;
			if (attempt > 0 && rollback(im) != 0)
				return -2;
			if ((n = send_batch(im, false, i, 1, cause)) < 0)
				return -2;
			/* read_batch counts into items[q - 2]: point it at this item. */
			{
				struct item *save = im->items;

				im->items = &save[i];
				rc = read_batch(im, 1, cause);
				im->items = save;
			}
		}
		if (rc == -2)
			return -2;
		if (rc == -1) {
			if (rollback(im) != 0 ||
			    quarantine_item(im, &im->items[i], *cause ? *cause : "error") != 0)
				return -2;
		}
	}
	return 0;
}

static int
finish_batch(struct import *im, char **cause)
{
	size_t i;

	for (i = 0; i < im->nitems; i++) {
		if (im->src->ops->done(im->src, &im->items[i].msg, cause) != 0)
			return -1;
	}
	return im->src->ops->sync(im->src, cause);
}

/* Did the last batch fail for a reason that another attempt may not meet? */
static bool
transient(const struct import *im)
{
	return strcmp(im->failed_state, "40P01") == 0 || strcmp(im->failed_state, "40001") == 0 ||
	    strcmp(im->failed_state, "55P03") == 0;
}

/*
 * Was the last batch refused for want of rights? Then every message would
 * be, one by one too: the run stops with EX_NOPERM, which an MTA does not
 * retry forever, and the messages stay where they are.
 */
static bool
denied(const struct import *im)
{
	return strcmp(im->failed_state, "42501") == 0 || strcmp(im->failed_state, GU_DENIED) == 0;
}

/* Run batches from one source until it is empty. */
int
import_drain(struct import *im, struct source *src, char **cause)
{
	struct stats saved;
	long n;
	int rc, attempt;

	for (;;) {
		im->src = src;
		import_free_items(im);
		n = send_batch(im, true, 0, 0, cause);
		if (n == -1) {
			/* The source failed mid-batch: commit what was read. */
			char *scause = *cause;

			*cause = NULL;
			if (send_simple(im->conn, "COMMIT") != 0 || PQpipelineSync(im->conn) != 1 ||
			    read_batch(im, im->nitems, cause) != 0) {
				free(scause);
				return EX_TEMPFAIL;
			}
			finish_batch(im, cause);
			*cause = scause;
			return EX_TEMPFAIL;
		}
		if (n == -2) {
			xasprintf(cause, "%s", PQerrorMessage(im->conn));
			return EX_TEMPFAIL;
		}
		if (n == 0) {
			/* An empty transaction went out: BEGIN, the lock, COMMIT. */
			if (read_batch(im, 0, cause) != 0)
				return EX_TEMPFAIL;
			return 0;
		}
		saved = im->st;
		rc = read_batch(im, (size_t)n, cause);
		/*
		 * A deadlock with the other worker (two senders writing to one
		 * ticket) is no fault of any message: the whole batch is sent
		 * again, under every partition's lock, so that it waits for the
		 * other worker's transaction to end and keeps its next one out:
		 * sent again beside it, it would meet the same locks in the same
		 * order. One message per transaction is the last resort: 200
		 * commits instead of one.
		 */
		for (attempt = 0; rc == -1 && attempt < 3 && transient(im); attempt++) {
			int worker = im->worker;
			long sent;

			log_debug("batch failed (%s): sent again", *cause);
			im->st = saved;
			free(*cause);
			*cause = NULL;
			if (rollback(im) != 0)
				return EX_TEMPFAIL;
			im->worker = -1;
			sent = send_batch(im, false, 0, (size_t)n, cause);
			im->worker = worker;
			if (sent < 0)
				return EX_TEMPFAIL;
			rc = read_batch(im, (size_t)n, cause);
		}
		if (rc == -2)
			return EX_TEMPFAIL;
		if (rc == -1 && denied(im)) {
			rollback(im);
			return EX_NOPERM;
		}
		if (rc == -1) {
			/* What was counted before the failure was rolled back. */
			im->st = saved;
			log_debug("batch failed (%s): one message at a time", *cause);
			if (rollback(im) != 0 || one_by_one(im, cause) != 0)
				return EX_TEMPFAIL;
		}
		if (finish_batch(im, cause) != 0)
			return EX_TEMPFAIL;
	}
}
