/*
 * import.c — the import loop: messages from a source, parsed, shipped to
 * ingest_message() in batches of one transaction each, pipelined (libpq
 * pipeline mode) so that parsing here and inserting there overlap and no
 * message waits for a round trip. Only after COMMIT are the source's
 * messages removed: a crash in between leaves them in place, and the next
 * run finds their bytes already stored (duplicates, no new rows).
 *
 * Concurrency: every batch takes a transaction-level advisory lock, so
 * imports from any number of runs and sources are serialised batch by batch
 * (threading and the rate cap see a consistent picture); a second run on
 * the same source waits for the first one, then takes what is left.
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

#define LOCK_CLASS "1735289203" /* "guic": guichet-mail's advisory locks */
#define BATCH_BYTES (48 * 1024 * 1024)

static const char sql_ingest[] =
    "SELECT o_outcome, o_raw, o_ticket, o_article, o_rule, o_new, o_detail "
    "FROM guichet.ingest_message($1, $2, $3::jsonb, $4, $5::bigint)";
/*
 * Messages are partitioned by sender (PARTITIONS); a batch locks the
 * partitions it may touch, in order. Parallel maildir workers each take one,
 * so they run side by side, while one sender's messages stay serialised.
 */
#define PARTITIONS 2
static const char sql_lock_batch[] = "SELECT pg_advisory_xact_lock(" LOCK_CLASS ", 1), "
				     "pg_advisory_xact_lock(" LOCK_CLASS ", 2)";
static const char sql_lock_partition[] = "SELECT pg_advisory_xact_lock(" LOCK_CLASS
					 ", 1 + $1::integer)";
static const char sql_try_lock_source[] = "SELECT pg_try_advisory_lock(" LOCK_CLASS
					  ", hashtext($1)) AS locked";
static const char sql_lock_source[] = "SELECT pg_advisory_lock(" LOCK_CLASS ", hashtext($1))";
static const char sql_store_raw[] = "SELECT guichet.store_raw($1, $2, $3, $4) AS id";
static const char sql_pending[] = "SELECT id, source, bytes FROM guichet.mail_pending(100)";
static const char sql_tag_prefix[] = "SELECT value FROM guichet.setting WHERE key = 'tag_prefix'";

struct stats {
	size_t seen, imported, threaded, created, duplicates, quarantined, loops, held;
	size_t oversized;
};

struct item {
	struct source_msg msg;
	char *message_id;
};

struct import {
	struct mail_options o;
	struct source *src;
	PGconn *conn;
	char *options_json;
	struct stats st;
	struct item *items;
	size_t nitems;
	struct timespec start, last_draw;
	bool drawn;
	int worker;	      /* the partition this process imports, or -1 for all */
	char failed_state[6]; /* SQLSTATE of the statement that failed a batch */
};

static double
elapsed(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) + (b->tv_nsec - a->tv_nsec) / 1e9;
}

static void
progress(struct import *im, bool final)
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

static char *
options_json(const struct mail_options *o)
{
	struct strbuf sb;
	bool first = true, f2 = true;
	const char *own = config_get(o->config, "mail.own_addresses");
	char *copy, *tok, *save = NULL;

	strbuf_init(&sb);
	strbuf_addch(&sb, '{');
	json_key(&sb, &first, "default_queue");
	json_string(&sb, o->default_queue);
	json_key(&sb, &first, "rate_cap");
	strbuf_printf(&sb, "%lld", o->rate_cap);
	json_key(&sb, &first, "ack_template");
	json_string(&sb, o->ack_template);
	json_key(&sb, &first, "own_addresses");
	strbuf_addch(&sb, '[');
	if (own != NULL) {
		copy = xstrdup(own);
		for (tok = strtok_r(copy, ", \t", &save); tok;
		     tok = strtok_r(NULL, ", \t", &save)) {
			if (!f2)
				strbuf_addch(&sb, ',');
			f2 = false;
			json_string(&sb, tok);
		}
		free(copy);
	}
	strbuf_puts(&sb, "]}");
	return strbuf_detach(&sb);
}

static const char *
loop_name(enum mail_loop l)
{
	switch (l) {
	case LOOP_AUTOREPLY:
		return "autoreply";
	case LOOP_BULK:
		return "bulk";
	case LOOP_BOUNCE:
		return "bounce";
	default:
		return NULL;
	}
}

static void
json_list(struct strbuf *js, bool *first, const char *key, char **list, size_t n)
{
	size_t i;

	json_key(js, first, key);
	strbuf_addch(js, '[');
	for (i = 0; i < n; i++) {
		if (i > 0)
			strbuf_addch(js, ',');
		json_string(js, list[i]);
	}
	strbuf_addch(js, ']');
}

/* The parsed message as ingest_message's p_mail, attachments end to end in att. */
static void
mail_json(const struct import *im, const struct mail *m, struct strbuf *js, struct strbuf *att)
{
	bool first = true, f;
	size_t i;
	char *route;

	strbuf_addch(js, '{');
	if (m->error != NULL) {
		json_key(js, &first, "error");
		json_string(js, m->error);
	}
	json_key(js, &first, "message_id");
	json_string(js, m->message_id);
	json_key(js, &first, "in_reply_to");
	json_string(js, m->in_reply_to);
	json_list(js, &first, "refs", m->refs, m->nrefs);
	json_key(js, &first, "from_addr");
	json_string(js, m->from_addr);
	json_key(js, &first, "from_name");
	json_string(js, m->from_name);
	json_key(js, &first, "from");
	json_string(js, m->from);
	json_key(js, &first, "to");
	json_string(js, m->to);
	json_key(js, &first, "cc");
	json_string(js, m->cc);
	json_list(js, &first, "recipients", m->recipients, m->nrecipients);
	json_key(js, &first, "subject");
	json_string(js, m->subject);
	json_key(js, &first, "body");
	json_string(js, m->body.buf ? m->body.buf : "");
	json_key(js, &first, "notes");
	json_string(js, m->notes.buf);
	strbuf_printf(js, ",\"lossy\":%s,\"oversized\":%s,\"tag\":%lld",
	    m->lossy ? "true" : "false", m->oversized ? "true" : "false", m->tag);
	json_key(js, &first, "loop");
	json_string(js, loop_name(m->loop));
	json_key(js, &first, "loop_reason");
	json_string(js, m->loop_reason);
	if (m->loop == LOOP_BOUNCE) {
		json_key(js, &first, "bounce");
		strbuf_addch(js, '{');
		f = true;
		json_key(js, &f, "msgid");
		json_string(js, m->bounce_msgid);
		json_key(js, &f, "recipient");
		json_string(js, m->bounce_recipient);
		json_key(js, &f, "status");
		json_string(js, m->bounce_status);
		strbuf_printf(js, ",\"permanent\":%s}", m->bounce_permanent ? "true" : "false");
	}
	json_key(js, &first, "attachments");
	strbuf_addch(js, '[');
	for (i = 0; i < m->nattachments; i++) {
		const struct mail_attachment *a = &m->attachments[i];

		f = true;
		strbuf_puts(js, i > 0 ? ",{" : "{");
		json_key(js, &f, "name");
		json_string(js, a->filename);
		json_key(js, &f, "type");
		json_string(js, a->content_type);
		strbuf_printf(js, ",\"inline\":%s,\"oversized\":%s,\"offset\":%zu,\"size\":%zu}",
		    a->is_inline ? "true" : "false", a->oversized ? "true" : "false", att->len,
		    a->oversized ? 0 : a->size);
		if (!a->oversized)
			strbuf_add(att, a->data, a->size);
	}
	strbuf_addch(js, ']');
	if ((route = route_match(im->o.config, m)) != NULL) {
		json_key(js, &first, "route");
		strbuf_puts(js, route);
		free(route);
	}
	json_key(js, &first, "options");
	strbuf_puts(js, im->options_json);
	strbuf_addch(js, '}');
}

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

/* The partition of a message: a hash of its sender's address. */
static int
partition_of(const struct source_msg *msg)
{
	struct headers h;
	char *addr = NULL, *name = NULL;
	unsigned int hash = 2166136261u;
	const char *p;

	headers_parse(&h, msg->data, msg->len);
	if (header_mailbox(headers_get(&h, "From"), &addr, &name) == 0) {
		for (p = addr; *p != '\0'; p++)
			hash = (hash ^ (unsigned char)*p) * 16777619u;
		free(addr);
		free(name);
	}
	headers_free(&h);
	return (int)(hash % PARTITIONS);
}

/* Parse one message and queue its ingest_message call. */
static int
send_item(struct import *im, struct item *it)
{
	struct mail m;
	struct strbuf js, att;
	const char *values[5];
	int lengths[5] = { 0 }, formats[5] = { 1, 0, 0, 1, 0 };
	char rawid[32];
	int ok;

	mail_parse(&m, it->msg.data, it->msg.len, &im->o);
	if (it->msg.truncated && m.error == NULL) {
		/* Bigger than the hard limit: not even kept raw here; reported. */
		xasprintf(
		    &m.error, "message of %zu bytes is over the hard limit", it->msg.real_size);
	}
	it->message_id = m.message_id ? xstrdup(m.message_id) : NULL;
	strbuf_init(&js);
	strbuf_init(&att);
	mail_json(im, &m, &js, &att);
	mail_free(&m);
	values[0] = it->msg.data;
	lengths[0] = (int)it->msg.len;
	values[1] = im->src->label;
	values[2] = js.buf;
	values[3] = att.len > 0 ? att.buf : NULL;
	lengths[3] = (int)att.len;
	if (it->msg.raw_id > 0) {
		snprintf(rawid, sizeof rawid, "%lld", (long long)it->msg.raw_id);
		values[4] = rawid;
	} else
		values[4] = NULL;
	ok = PQsendQueryParams(im->conn, sql_ingest, 5, NULL, values, lengths, formats, 0);
	strbuf_free(&js);
	strbuf_free(&att);
	return ok ? 0 : -1;
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

static void
free_items(struct import *im)
{
	size_t i;

	for (i = 0; i < im->nitems; i++) {
		source_msg_free(&im->items[i].msg);
		free(im->items[i].message_id);
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
			if (im->worker >= 0 && partition_of(&it->msg) != im->worker) {
				/* The other worker's: left for it. */
				source_msg_free(&it->msg);
				continue;
			}
			im->nitems++;
			im->st.seen++;
			bytes += it->msg.len;
			if (send_item(im, it) != 0)
				return -2;
			progress(im, false);
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

/* Run batches from one source until it is empty. */
static int
drain(struct import *im, struct source *src, char **cause)
{
	struct stats saved;
	long n;
	int rc, attempt;

	for (;;) {
		im->src = src;
		free_items(im);
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
	int ex;

	if ((p.res = db_exec(im->conn, sql_pending, 0, NULL, cause, NULL)) == NULL)
		return EX_TEMPFAIL;
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
	ex = drain(im, &src, cause);
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
	if (im->o.summary)
		printf("%s\n", line);
	log_info("%s", line);
	free(line);
}

/* Connect, check the schema, take the source lock. 0, or an exit status. */
static int
prepare(struct import *im, char **cause, bool *busy)
{
	PGresult *res;
	char *label;
	const char *values[1];
	int ex;

	*busy = false;
	if ((im->conn = db_connect(im->o.conninfo, cause)) == NULL)
		return EX_TEMPFAIL;
	if ((ex = db_check_schema(im->conn, cause)) != 0)
		return ex;
	if (config_get(im->o.config, "mail.tag_prefix") == NULL &&
	    (res = db_exec(im->conn, sql_tag_prefix, 0, NULL, cause, NULL)) != NULL) {
		if (PQntuples(res) == 1)
			im->o.tag_prefix = xstrdup(db_value(res, 0, "value"));
		PQclear(res);
	}
	if (strcmp(im->src->label, "stdin") == 0)
		return 0;
	if (im->worker >= 0)
		xasprintf(&label, "%s#%d", im->src->label, im->worker);
	else
		label = xstrdup(im->src->label);
	values[0] = label;
	if ((res = db_exec(im->conn, sql_try_lock_source, 1, values, cause, NULL)) == NULL) {
		free(label);
		return EX_TEMPFAIL;
	}
	*busy = !db_bool(res, 0, "locked");
	PQclear(res);
	if (*busy) {
		/*
		 * Another run (or the server side of one just killed) is on this
		 * source: wait for it, then take what it left.
		 */
		log_info(_("another import from %s is running: waiting"), im->src->label);
		if ((res = db_exec(im->conn, sql_lock_source, 1, values, cause, NULL)) == NULL) {
			free(label);
			return EX_TEMPFAIL;
		}
		PQclear(res);
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
	return drain(im, src, cause);
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

/* The worst of two exit statuses: unreachable, then quarantined, then fine. */
static int
worse(int a, int b)
{
	if (a == EX_TEMPFAIL || b == EX_TEMPFAIL)
		return EX_TEMPFAIL;
	if (a != 0 && a != EX_DATAERR)
		return a;
	if (b != 0 && b != EX_DATAERR)
		return b;
	return a != 0 ? a : b;
}

/*
 * A maildir is imported by PARTITIONS processes side by side, one per
 * partition of senders: the server does the work, and it has more than one
 * core. Each child reports its counts through a pipe.
 */
static int
import_parallel(struct import *im, char **cause)
{
	pid_t pids[PARTITIONS];
	int fds[PARTITIONS], k, status, ex = 0;

	for (k = 0; k < PARTITIONS; k++) {
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
			report_cause(cause);
			if (write(p[1], &im->st, sizeof im->st) != sizeof im->st)
				_exit(EX_SOFTWARE);
			if (im->conn != NULL)
				PQfinish(im->conn);
			_exit(ex);
		}
		close(p[1]);
		fds[k] = p[0];
	}
	for (k = 0; k < PARTITIONS; k++) {
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
	im.options_json = options_json(o);
	im.items = xcalloc(o->batch, sizeof *im.items);
	clock_gettime(CLOCK_MONOTONIC, &im.start);

	if (o->workers > 1 && strcmp(src->ops->name, "maildir") == 0)
		ex = import_parallel(&im, &cause);
	else
		ex = import_one(&im, &cause);
	progress(&im, true);
	if (ex == 0 && im.st.quarantined > 0)
		ex = EX_DATAERR;
	if (ex == 0 || ex == EX_DATAERR)
		summary(&im);
	report_cause(&cause);
	free_items(&im);
	free(im.items);
	free(im.options_json);
	if (im.conn != NULL)
		PQfinish(im.conn);
	return ex;
}

/*
 * guichet-mail parse: one message on stdin, printed as the JSON that
 * ingest_message() would receive. No database: for tests and for admins
 * wondering what the gateway makes of a message.
 */
int
parse_run(const struct mail_options *o)
{
	struct import im;
	struct source_msg msg;
	struct mail m;
	struct strbuf js, att;
	bool truncated;

	memset(&im, 0, sizeof im);
	im.o = *o;
	im.options_json = options_json(o);
	memset(&msg, 0, sizeof msg);
	if (read_fd(STDIN_FILENO, o->max_size * 4, &msg.data, &msg.len, &truncated,
		&msg.real_size) != 0)
		die(EX_IOERR, "stdin: %s", strerror(errno));
	mail_parse(&m, msg.data, msg.len, o);
	strbuf_init(&js);
	strbuf_init(&att);
	mail_json(&im, &m, &js, &att);
	printf("%s\n", js.buf);
	strbuf_free(&js);
	strbuf_free(&att);
	mail_free(&m);
	free(msg.data);
	free(im.options_json);
	return 0;
}
