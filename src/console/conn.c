/*
 * conn.c — the console's one connection to the database.
 *
 * Statements are queued and sent one at a time with PQsendQueryParams on a
 * non-blocking connection; the main loop polls PQsocket() and hands us the socket
 * when it is readable, so the console never waits on the network while it draws.
 * The server puts the connection on the channels of the queues the agent may see
 * (guichet.listen()); their NOTIFY payloads ("<ticket id>": the ticket changed,
 * "p<ticket id>": someone opened or left it; "n<count>": the agent's unread
 * notifications, on her own channel) are handed to the events registered at
 * start (the views' dispatcher and the notification count, in practice). A lost connection is
 * retried with a growing delay; the
 * statements that were pending fail with "connection lost" and the views reload
 * once the connection is back.
 *
 * Statements sent with conn_send_prepared are prepared on the connection the
 * first time (one more round trip) and executed by name afterwards: after five
 * runs PostgreSQL keeps one generic plan for them instead of planning each
 * run, which is right for those whose plan does not depend on the values (the
 * ticket card: 1.3 ms planned, 0.14 ms prepared). The prepared statements die
 * with the connection: a new one prepares them again.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "console.h"

struct request {
	char *label;
	const char *sql; /* constant text: never built from user input */
	int nparams;
	char **params;
	bool binary;
	bool keep_result;
	bool prepare;	/* run as a prepared statement */
	bool preparing; /* its PREPARE is in flight */
	request_cb cb;
	void *owner;
	void *arg;
	double sent_at;
	PGresult *last;
	struct request *next;
};

enum conn_state { CS_CONNECTED, CS_WAITING, CS_CONNECTING };

static PGconn *pg;
static char *conninfo_saved;
static enum conn_state state = CS_CONNECTED;
static struct request *queue_head, *queue_tail, *inflight;
static bool want_write;
static bool connect_wants_write;
static double next_attempt;
static double backoff_ms;
static FILE *timing_fp;
static const struct conn_events *events;
/* The statements prepared on this connection; statement k is named "guichet_k". */
#define PREPARED_MAX 32
static const char *prepared[PREPARED_MAX];
static int nprepared;
/* The server is a hot standby: everything is read-only, nothing is live. */
static bool standby;

static void conn_lost(void);
static void send_next(void);

/*
 * The channels are the server's to choose: only those of visible queues, and
 * the agent's own. The same statement, at every (re)connection, reads the
 * unread notifications and puts the session in the desk's time zone, in which
 * every time the console shows is then written. A hot standby refuses LISTEN
 * (and every change): there the console reads without it, and says so.
 */
static const char sql_listen[] =
    "SELECT pg_is_in_recovery() AS standby,"
    " CASE WHEN NOT pg_is_in_recovery() THEN guichet.listen() END AS channels,"
    " guichet.notification_unread() AS unread,"
    " set_config('TimeZone', guichet.desk_time_zone(), false) AS zone";

void
conn_timing(const char *label, double ms, int rows)
{
	if (timing_fp == NULL)
		return;
	fprintf(timing_fp, "timing %-18s %9.3f ms rows=%d\n", label, ms, rows);
	fflush(timing_fp);
}

static void GUICHET_PRINTF(2, 3) say(bool is_error, const char *fmt, ...)
{
	va_list ap;
	char *text;

	va_start(ap, fmt);
	xvasprintf(&text, fmt, ap);
	va_end(ap);
	events->message(is_error, text);
	free(text);
}

static void
listen_done(void *owner, void *arg, PGresult *res, const char *error, const char *sqlstate,
    const char *detail)
{
	/* Without LISTEN the views are not live: say so rather than hide it. */
	if (error != NULL)
		say(true, _("live updates are off: %s"), error);
	else if (res != NULL) {
		standby = db_bool(res, 0, "standby");
		if (standby)
			say(true, "%s",
			    _("read-only: this database is a standby (no changes, no live "
			      "updates)"));
		/* localtime() too: the times the console computes are the desk's. */
		if (db_value(res, 0, "zone") != NULL &&
		    setenv("TZ", db_value(res, 0, "zone"), 1) == 0)
			tzset();
		if (events->unread != NULL)
			events->unread(db_int(res, 0, "unread", 0));
	}
}

void
conn_init(PGconn *conn, const char *conninfo, const char *timing_path, const struct conn_events *ev)
{
	pg = conn;
	events = ev;
	conninfo_saved = conninfo != NULL ? xstrdup(conninfo) : NULL;
	if (timing_path != NULL) {
		if (strcmp(timing_path, "-") == 0)
			timing_fp = stderr;
		else if ((timing_fp = fopen(timing_path, "a")) == NULL)
			log_warn("%s", timing_path);
	}
	PQsetnonblocking(pg, 1);
	conn_send("listen", sql_listen, 0, NULL, listen_done, NULL, NULL);
}

int
conn_socket(void)
{
	if (state == CS_WAITING || pg == NULL)
		return -1;
	return PQsocket(pg);
}

bool
conn_wants_write(void)
{
	if (state == CS_CONNECTING)
		return connect_wants_write;
	return want_write;
}

bool
conn_ready(void)
{
	return state == CS_CONNECTED;
}

const char *
conn_state_text(void)
{
	if (state == CS_CONNECTED)
		return standby ? _("read-only") : NULL;
	return _("reconnecting…");
}

static void
request_free(struct request *r)
{
	int i;

	for (i = 0; i < r->nparams; i++)
		free(r->params[i]);
	free(r->params);
	free(r->label);
	if (r->last != NULL)
		PQclear(r->last);
	free(r);
}

static void
enqueue(const char *label, const char *sql, int n, const char *const *params, bool binary,
    bool keep, bool prepare, request_cb cb, void *owner, void *arg)
{
	struct request *r;
	int i;

	r = xcalloc(1, sizeof *r);
	r->label = xstrdup(label);
	r->sql = sql;
	r->nparams = n;
	r->params = xcalloc(n > 0 ? n : 1, sizeof *r->params);
	for (i = 0; i < n; i++)
		r->params[i] = params[i] != NULL ? xstrdup(params[i]) : NULL;
	r->binary = binary;
	r->keep_result = keep;
	r->prepare = prepare;
	r->cb = cb;
	r->owner = owner;
	r->arg = arg;
	if (queue_tail != NULL)
		queue_tail->next = r;
	else
		queue_head = r;
	queue_tail = r;
	send_next();
}

void
conn_send(const char *label, const char *sql, int n, const char *const *params, request_cb cb,
    void *owner, void *arg)
{
	enqueue(label, sql, n, params, false, false, false, cb, owner, arg);
}

void
conn_send_prepared(const char *label, const char *sql, int n, const char *const *params,
    request_cb cb, void *owner, void *arg)
{
	enqueue(label, sql, n, params, false, false, true, cb, owner, arg);
}

void
conn_send_binary(const char *label, const char *sql, int n, const char *const *params,
    request_cb cb, void *owner, void *arg)
{
	enqueue(label, sql, n, params, true, false, false, cb, owner, arg);
}

void
conn_forget(void *owner)
{
	struct request *r;

	if (owner == NULL)
		return;
	for (r = queue_head; r != NULL; r = r->next)
		if (r->owner == owner)
			r->cb = NULL;
	if (inflight != NULL && inflight->owner == owner)
		inflight->cb = NULL;
}

/* Hand a finished statement to its owner: the result passes through the gate. */
static void
deliver(struct request *r, PGresult *res, const char *lost)
{
	char *cause = NULL, *detail = NULL;
	char sqlstate[6] = "";
	PGresult *ok = NULL;
	int rows = 0;

	if (lost != NULL) {
		cause = xstrdup(lost);
		snprintf(sqlstate, sizeof sqlstate, "08006");
	} else if (res == NULL) {
		cause = xstrdup(_("no result from the server"));
	} else {
		const char *d = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);

		if (d != NULL)
			detail = xstrdup(d);
		ok = db_check(pg, res, &cause, sqlstate);
		if (ok != NULL)
			rows = PQntuples(ok);
		/* Our statement gone, or another's in its place: a pooled session. */
		if (ok == NULL && r->prepare &&
		    (strcmp(sqlstate, "26000") == 0 || strcmp(sqlstate, "42P05") == 0)) {
			free(cause);
			cause = xstrdup(CONN_NEEDS_SESSION);
		}
	}
	conn_timing(r->label, now_ms() - r->sent_at, rows);
	if (r->cb != NULL)
		r->cb(r->owner, r->arg, ok, cause, sqlstate[0] != '\0' ? sqlstate : NULL, detail);
	if (ok != NULL && !r->keep_result)
		PQclear(ok);
	free(cause);
	free(detail);
}

static int
prepared_index(const char *sql)
{
	int k;

	for (k = 0; k < nprepared; k++)
		if (prepared[k] == sql)
			return k;
	return -1;
}

/* Send r: its PREPARE first when it is to be prepared and is not yet. */
static int
send_request(struct request *r)
{
	const char *const *params = (const char *const *)r->params;
	int fmt = r->binary ? 1 : 0, k;
	char name[32];

	if (!r->prepare || (k = prepared_index(r->sql)) < 0) {
		if (!r->prepare || nprepared == PREPARED_MAX)
			return PQsendQueryParams(
			    pg, r->sql, r->nparams, NULL, params, NULL, NULL, fmt);
		snprintf(name, sizeof name, "guichet_%d", nprepared);
		r->preparing = true;
		return PQsendPrepare(pg, name, r->sql, r->nparams, NULL);
	}
	snprintf(name, sizeof name, "guichet_%d", k);
	return PQsendQueryPrepared(pg, name, r->nparams, params, NULL, NULL, fmt);
}

static void
send_inflight(void)
{
	if (!send_request(inflight)) {
		conn_lost();
		return;
	}
	want_write = PQflush(pg) == 1;
}

static void
send_next(void)
{
	struct request *r;

	if (state != CS_CONNECTED || inflight != NULL || queue_head == NULL)
		return;
	r = queue_head;
	queue_head = r->next;
	if (queue_head == NULL)
		queue_tail = NULL;
	r->next = NULL;
	r->sent_at = now_ms();
	inflight = r;
	send_inflight();
}

/* The PREPARE of the statement in flight is done: run it, or fail it. */
static bool
prepared_then_run(void)
{
	struct request *r = inflight;

	r->preparing = false;
	if (r->last == NULL || PQresultStatus(r->last) != PGRES_COMMAND_OK)
		return false;
	prepared[nprepared++] = r->sql;
	PQclear(r->last);
	r->last = NULL;
	send_inflight();
	return true;
}

static void
dispatch_notifies(void)
{
	PGnotify *n;

	while ((n = PQnotifies(pg)) != NULL) {
		if (n->extra[0] == 'p')
			events->presence(strtoll(n->extra + 1, NULL, 10));
		else if (n->extra[0] == 'n') {
			if (events->unread != NULL)
				events->unread(strtoll(n->extra + 1, NULL, 10));
		} else
			events->notify(strtoll(n->extra, NULL, 10));
		PQfreemem(n);
	}
}

static void
collect_results(void)
{
	PGresult *res;
	struct request *r;

	while (inflight != NULL && !PQisBusy(pg)) {
		res = PQgetResult(pg);
		if (res != NULL) {
			/* Keep the last result of a multi-statement string. */
			if (inflight->last != NULL) {
				if (PQresultStatus(inflight->last) == PGRES_FATAL_ERROR) {
					PQclear(res);
					continue;
				}
				PQclear(inflight->last);
			}
			inflight->last = res;
			continue;
		}
		if (inflight->preparing && prepared_then_run())
			continue;
		r = inflight;
		inflight = NULL;
		res = r->last;
		r->last = NULL;
		deliver(r, res, NULL);
		request_free(r);
		send_next();
	}
}

static void
connect_step(void)
{
	switch (PQconnectPoll(pg)) {
	case PGRES_POLLING_READING:
		connect_wants_write = false;
		return;
	case PGRES_POLLING_WRITING:
		connect_wants_write = true;
		return;
	case PGRES_POLLING_OK:
		state = CS_CONNECTED;
		backoff_ms = 0;
		PQsetnonblocking(pg, 1);
		log_info("reconnected");
		say(false, "%s", _("connection restored"));
		enqueue(
		    "listen", sql_listen, 0, NULL, false, false, false, listen_done, NULL, NULL);
		events->reconnected();
		return;
	default:
		PQfinish(pg);
		pg = NULL;
		state = CS_WAITING;
		backoff_ms = backoff_ms == 0 ? 250 : backoff_ms * 2;
		if (backoff_ms > 8000)
			backoff_ms = 8000;
		next_attempt = now_ms() + backoff_ms;
		return;
	}
}

static void
connect_start(void)
{
	const char *keys[4], *values[4];
	int i = 0;

	if (conninfo_saved != NULL && *conninfo_saved != '\0') {
		keys[i] = "dbname";
		values[i++] = conninfo_saved;
	}
	keys[i] = "application_name";
	values[i++] = log_progname();
	keys[i] = "client_encoding";
	values[i++] = "UTF8";
	keys[i] = NULL;
	values[i] = NULL;
	pg = PQconnectStartParams(keys, values, 1);
	state = CS_CONNECTING;
	connect_wants_write = true;
	if (pg == NULL || PQstatus(pg) == CONNECTION_BAD) {
		if (pg != NULL)
			PQfinish(pg);
		pg = NULL;
		state = CS_WAITING;
		next_attempt = now_ms() + backoff_ms;
		return;
	}
}

/* Fail what was pending, keep the screen as it is and start retrying. */
static void
conn_lost(void)
{
	struct request *r, *next;
	const char *msg = _("connection lost");

	if (state != CS_CONNECTED)
		return;
	log_info("connection lost: %s", pg != NULL ? PQerrorMessage(pg) : "");
	state = CS_WAITING;
	want_write = false;
	nprepared = 0; /* they die with the session */
	if (pg != NULL)
		PQfinish(pg);
	pg = NULL;
	backoff_ms = 250;
	next_attempt = now_ms() + backoff_ms;
	r = inflight;
	inflight = NULL;
	if (r != NULL) {
		if (r->last != NULL) {
			PQclear(r->last);
			r->last = NULL;
		}
		deliver(r, NULL, msg);
		request_free(r);
	}
	r = queue_head;
	queue_head = queue_tail = NULL;
	for (; r != NULL; r = next) {
		next = r->next;
		deliver(r, NULL, msg);
		request_free(r);
	}
}

/* The socket is ready: a connection under way takes its step (and nothing else
 * this pass); true when there is a connection to read or write. */
static bool
socket_ready(void)
{
	if (state == CS_CONNECTING) {
		connect_step();
		return false;
	}
	return state == CS_CONNECTED;
}

void
conn_on_readable(void)
{
	if (!socket_ready())
		return;
	if (!PQconsumeInput(pg) || PQstatus(pg) == CONNECTION_BAD) {
		conn_lost();
		return;
	}
	collect_results();
	if (state == CS_CONNECTED)
		dispatch_notifies();
}

void
conn_on_writable(void)
{
	if (!socket_ready())
		return;
	switch (PQflush(pg)) {
	case 0:
		want_write = false;
		break;
	case 1:
		want_write = true;
		break;
	default:
		conn_lost();
	}
}

void
conn_tick(void)
{
	if (state == CS_WAITING && now_ms() >= next_attempt)
		connect_start();
	/* A server that closed the socket is noticed by the next read. */
	if (state == CS_CONNECTED && PQstatus(pg) == CONNECTION_BAD)
		conn_lost();
}

int
conn_next_timeout(void)
{
	double left;

	if (state != CS_WAITING)
		return -1;
	left = next_attempt - now_ms();
	return left < 0 ? 0 : (int)left + 1;
}

struct call_state {
	bool done;
	PGresult *res;
	char *cause;
	char sqlstate[6];
	char *detail;
};

static void
call_done(void *owner, void *arg, PGresult *res, const char *error, const char *sqlstate,
    const char *detail)
{
	struct call_state *cs = arg;

	cs->done = true;
	cs->res = res;
	if (error != NULL)
		cs->cause = xstrdup(error);
	if (sqlstate != NULL)
		snprintf(cs->sqlstate, sizeof cs->sqlstate, "%s", sqlstate);
	if (detail != NULL)
		cs->detail = xstrdup(detail);
}

static PGresult *
call(const char *label, const char *sql, int n, const char *const *params, bool binary,
    char **cause, char *sqlstate, char **detail)
{
	struct call_state cs;

	memset(&cs, 0, sizeof cs);
	if (sqlstate != NULL)
		sqlstate[0] = '\0';
	if (detail != NULL)
		*detail = NULL;
	if (state != CS_CONNECTED) {
		if (cause != NULL)
			*cause = xstrdup(_("not connected to the database: reconnecting"));
		if (sqlstate != NULL)
			memcpy(sqlstate, "08006", 6);
		return NULL;
	}
	enqueue(label, sql, n, params, binary, true, false, call_done, NULL, &cs);
	while (!cs.done)
		events->wait();
	if (sqlstate != NULL)
		memcpy(sqlstate, cs.sqlstate, sizeof cs.sqlstate);
	if (detail != NULL)
		*detail = cs.detail;
	else
		free(cs.detail);
	if (cs.res == NULL) {
		if (cause != NULL)
			*cause = cs.cause != NULL ? cs.cause : xstrdup(_("statement failed"));
		else
			free(cs.cause);
		return NULL;
	}
	free(cs.cause);
	return cs.res;
}

PGresult *
conn_call(const char *label, const char *sql, int n, const char *const *params, char **cause,
    char *sqlstate, char **detail)
{
	return call(label, sql, n, params, false, cause, sqlstate, detail);
}

PGresult *
conn_call_binary(const char *label, const char *sql, int n, const char *const *params, char **cause)
{
	return call(label, sql, n, params, true, cause, NULL, NULL);
}

void
conn_close(void)
{
	struct request *r, *next;

	for (r = queue_head; r != NULL; r = next) {
		next = r->next;
		request_free(r);
	}
	queue_head = queue_tail = NULL;
	if (inflight != NULL)
		request_free(inflight);
	inflight = NULL;
	if (pg != NULL)
		PQfinish(pg);
	pg = NULL;
	if (timing_fp != NULL && timing_fp != stderr)
		fclose(timing_fp);
	timing_fp = NULL;
	free(conninfo_saved);
	conninfo_saved = NULL;
}
