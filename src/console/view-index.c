/*
 * view-index.c — the ticket index: one line per ticket of a queue or of a search.
 *
 * Paging is a keyset walk, never OFFSET: the list is a chain of status segments
 * (new, then open, then pending…), and within a segment the rows follow the
 * index ticket (queue_id, status, <sort key>, id). One statement fetches a page
 * across segments: for each status in order (unnest … WITH ORDINALITY) a LATERAL
 * index scan continues after the anchor row in the anchor's segment and from the
 * start in the later ones. Paging backwards walks the statuses in reverse. The
 * view keeps a window of a few pages (ui-list trims it), so going to the end of
 * 100,000 tickets loads one page, not 100,000 rows.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "console.h"

#define INDEX_NPARAMS (QUERY_NPARAMS + 5)
#define TAG_MAX 10000

/*
 * A page: the keyset walk picks the ids first (LIMIT inside), and only those
 * rows are joined to queues (a few microseconds each under row-level security)
 * and to their requesters' names, which ticket_requesters gives for the whole
 * page at once: contact's policy would look for a visible ticket of each
 * requester, 4 of the 6 ms of a page at 100,000 tickets, more as the desk
 * grows. Owners' logins come from the console's agent list. The lateral
 * subquery is aliased t like the table, so that KEY reads the same inside and
 * out.
 */
#define INDEX_SQL(KEY, KTYPE, DIR, CMP, KINF, IDINF)                                       \
	"WITH p AS (SELECT t.id, t.priority, t.status, st.ord,"                            \
	"  (" KEY ")::text AS k, " KEY " AS sk,"                                           \
	"  extract(epoch FROM t.created_at)::bigint AS created,"                           \
	"  extract(epoch FROM CASE WHEN t.status IN ('new', 'open') THEN"                  \
	"   (CASE WHEN t.first_response_at IS NULL THEN least(t.first_response_due,"       \
	"   t.resolution_due) ELSE t.resolution_due END) END)::bigint AS due,"             \
	"  t.owner_id, t.requester_id, t.queue_id, t.subject"                              \
	" FROM unnest($21::text[]) WITH ORDINALITY AS st(status, ord)"                     \
	" CROSS JOIN LATERAL (SELECT t.* FROM guichet.ticket t"                            \
	"  WHERE t.status = st.status AND " QUERY_WHERE "  AND (" KEY ", t.id) " CMP       \
	" (CASE WHEN st.ord = $22::int THEN $23::" KTYPE "   ELSE " KINF                   \
	" END, CASE WHEN st.ord = $22::int THEN $24::bigint ELSE " IDINF " END)"           \
	"  ORDER BY " KEY " " DIR ", t.id " DIR " LIMIT $25::int) t"                       \
	" WHERE st.ord >= $22::int"                                                        \
	" ORDER BY st.ord, " KEY " " DIR ", t.id " DIR " LIMIT $25::int)"                  \
	" SELECT p.id, p.priority, p.status, p.ord, p.k, p.created, p.due, p.owner_id,"    \
	" coalesce(r.requester, '') AS requester, p.subject, q.code AS queue FROM p"       \
	" JOIN guichet.queue q ON q.id = p.queue_id"                                       \
	" LEFT JOIN guichet.ticket_requesters(ARRAY(SELECT p.id FROM p)) r ON r.id = p.id" \
	" ORDER BY p.ord, p.sk " DIR ", p.id " DIR

#define T_MAX "'infinity'::timestamptz"
#define T_MIN "'-infinity'::timestamptz"
#define ID_MAX "9223372036854775807"
#define ID_MIN "-1"

struct sort_order {
	const char *name;
	const char *label; /* N_() */
	bool descending;
	const char *forward;
	const char *backward;
};

static const struct sort_order sorts[] = {
	{ "updated", N_("last change first"), true,
	    INDEX_SQL("t.updated_at", "timestamptz", "DESC", "<", T_MAX, ID_MAX),
	    INDEX_SQL("t.updated_at", "timestamptz", "ASC", ">", T_MIN, ID_MIN) },
	{ "oldest", N_("oldest first"), false,
	    INDEX_SQL("t.created_at", "timestamptz", "ASC", ">", T_MIN, ID_MIN),
	    INDEX_SQL("t.created_at", "timestamptz", "DESC", "<", T_MAX, ID_MAX) },
	{ "priority", N_("most urgent first"), true,
	    INDEX_SQL("t.priority", "int", "DESC", "<", "32767", ID_MAX),
	    INDEX_SQL("t.priority", "int", "ASC", ">", "-32768", ID_MIN) },
};

/* The title's count stops after console.count_cap: a precise 52,817 is not worth 50 ms. */
static const char sql_count[] = "SELECT count(*) AS n FROM (SELECT 1 FROM guichet.ticket t"
				" WHERE t.status = ANY ($21::text[]) AND " QUERY_WHERE
				" LIMIT $22::int + 1) x";
/*
 * Words first: when they match few tickets, the search goes on with their
 * numbers (an index lookup each) rather than walking every ticket of the
 * statuses asked for and testing it against the matches. search_text stops
 * at WORDS_FEW + 1 tickets instead of reading every match of a common word.
 */
#define WORDS_FEW 1000
static const char sql_words[] =
    "SELECT count(*) AS n, '{' || string_agg(id::text, ',') || '}' AS ids"
    " FROM guichet.search_text($1::text, $5::int, $2::text[], $3::int, $4::text[]) AS id";

static const char sql_tag_all[] =
    "SELECT t.id FROM guichet.ticket t WHERE t.status = ANY ($21::text[]) AND " QUERY_WHERE
    " LIMIT 10000";

struct ticket_row {
	long long id;
	int priority;
	int ord; /* 1-based position of its status in the forward status list */
	char *status;
	char *key;
	long long created;
	long long due; /* 0: no clock running */
	char *owner;
	char *requester;
	char *subject;
	char *queue;
};

enum fetch_kind { F_RELOAD, F_AFTER, F_BEFORE, F_LAST };

struct index_view {
	bool search;
	int queue_id;
	char *code;
	char *name;
	char *text;
	struct query q;
	bool show_all;
	int sort;
	struct list list;
	char **statuses; /* forward order */
	int nstatuses;
	long long total;
	bool total_known;
	bool fetching;
	unsigned generation;
	long long *tags;
	size_t ntags;
	long long keep_id;
	long owed; /* rows the cursor still has to move once a page arrives (- is up) */
	char *title;
};

struct fetch {
	unsigned generation;
	enum fetch_kind kind;
	int limit;
};

static void fetch(struct view *, enum fetch_kind);
static void pay_owed(struct view *);

static void
row_free(void *p)
{
	struct ticket_row *r = p;

	free(r->status);
	free(r->key);
	free(r->owner);
	free(r->requester);
	free(r->subject);
	free(r->queue);
	free(r);
}

static void
statuses_free(struct index_view *ix)
{
	int i;

	for (i = 0; i < ix->nstatuses; i++)
		free(ix->statuses[i]);
	free(ix->statuses);
	ix->statuses = NULL;
	ix->nstatuses = 0;
}

/* Split the status list literal "{new,open}" into names, in forward order. */
static void
statuses_set(struct index_view *ix)
{
	const char *lit = query_status_list(&ix->q, ix->show_all || ix->search);
	char *copy = xstrdup(lit + 1), *save = NULL, *s;

	statuses_free(ix);
	copy[strlen(copy) - 1] = '\0';
	for (s = strtok_r(copy, ",", &save); s != NULL; s = strtok_r(NULL, ",", &save)) {
		ix->statuses = xreallocarray(
		    ix->statuses, (size_t)ix->nstatuses + 1, sizeof *ix->statuses);
		ix->statuses[ix->nstatuses++] = xstrdup(s);
	}
	free(copy);
}

static char *
status_literal(struct index_view *ix, bool reverse)
{
	struct strbuf sb;
	int i;

	strbuf_init(&sb);
	strbuf_addch(&sb, '{');
	for (i = 0; i < ix->nstatuses; i++) {
		if (i > 0)
			strbuf_addch(&sb, ',');
		strbuf_puts(&sb, ix->statuses[reverse ? ix->nstatuses - 1 - i : i]);
	}
	strbuf_addch(&sb, '}');
	return strbuf_detach(&sb);
}

static bool
is_tagged(struct index_view *ix, long long id)
{
	size_t lo = 0, hi = ix->ntags;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (ix->tags[mid] == id)
			return true;
		if (ix->tags[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

static int
cmp_id(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

static void
tag_toggle(struct index_view *ix, long long id)
{
	size_t i;

	for (i = 0; i < ix->ntags; i++) {
		if (ix->tags[i] == id) {
			memmove(
			    ix->tags + i, ix->tags + i + 1, (ix->ntags - i - 1) * sizeof *ix->tags);
			ix->ntags--;
			return;
		}
	}
	ix->tags = xreallocarray(ix->tags, ix->ntags + 1, sizeof *ix->tags);
	ix->tags[ix->ntags++] = id;
	qsort(ix->tags, ix->ntags, sizeof *ix->tags, cmp_id);
}

static struct ticket_row *
row_from(PGresult *res, int i, int ord)
{
	struct ticket_row *r = xcalloc(1, sizeof *r);

	r->id = db_int(res, i, "id", 0);
	r->priority = (int)db_int(res, i, "priority", 3);
	r->ord = ord;
	r->status = xstrdup(db_value(res, i, "status"));
	r->key = xstrdup(db_value(res, i, "k"));
	r->created = db_int(res, i, "created", 0);
	r->due = db_int(res, i, "due", 0);
	r->owner = xstrdup(agent_login((int)db_int(res, i, "owner_id", 0)));
	r->requester = xstrdup(db_value(res, i, "requester"));
	r->subject = xstrdup(db_value(res, i, "subject"));
	r->queue = xstrdup(db_value(res, i, "queue"));
	return r;
}

static void
select_id(struct index_view *ix, long long id, size_t fallback)
{
	size_t i;

	for (i = 0; i < ix->list.nrows; i++) {
		if (((struct ticket_row *)ix->list.rows[i])->id == id) {
			ix->list.cursor = i;
			return;
		}
	}
	ix->list.cursor = fallback < ix->list.nrows ? fallback :
						      (ix->list.nrows ? ix->list.nrows - 1 : 0);
}

/* Keys pressed faster than pages arrive: move on once the rows are there. */
static void
pay_owed(struct view *v)
{
	struct index_view *ix = v->data;
	size_t h = (size_t)(ui_lines() - 4);
	long owed = ix->owed;

	ix->owed = 0;
	if (owed > 0) {
		size_t room = ix->list.nrows - 1 - ix->list.cursor;
		size_t step = (size_t)owed < room ? (size_t)owed : room;

		ix->list.cursor += step;
		ix->list.top += step;
		if ((size_t)owed > step && ix->list.more_after)
			ix->owed = owed - (long)step;
	} else if (owed < 0) {
		size_t step = (size_t)-owed < ix->list.cursor ? (size_t)-owed : ix->list.cursor;

		ix->list.cursor -= step;
		ix->list.top = ix->list.top > step ? ix->list.top - step : 0;
		if ((size_t)-owed > step && ix->list.more_before)
			ix->owed = owed + (long)step;
	}
	list_fit(&ix->list, (int)h);
	if (ix->list.more_after && ix->list.cursor + h >= ix->list.nrows)
		fetch(v, F_AFTER);
	else if (ix->list.more_before && ix->list.cursor < h)
		fetch(v, F_BEFORE);
}

static void
on_page(void *owner, void *arg, PGresult *res, const char *error, const char *sqlstate,
    const char *detail)
{
	struct view *v = owner;
	struct index_view *ix = v->data;
	struct fetch *f = arg;
	struct ticket_row **rows;
	size_t old_cursor = ix->list.cursor;
	int i, n;
	bool full;

	if (f->generation != ix->generation) {
		free(f);
		return;
	}
	ix->fetching = false;
	if (res == NULL) {
		ui_error("%s", error);
		free(f);
		return;
	}
	n = PQntuples(res);
	full = n >= f->limit;
	rows = xcalloc(n > 0 ? (size_t)n : 1, sizeof *rows);
	for (i = 0; i < n; i++) {
		int ord = (int)db_int(res, i, "ord", 1);
		bool backward = f->kind == F_BEFORE || f->kind == F_LAST;

		/* Backward pages come newest-last: store them in display order. */
		rows[backward ? n - 1 - i : i] = row_from(
		    res, i, backward ? ix->nstatuses + 1 - ord : ord);
	}
	switch (f->kind) {
	case F_RELOAD: {
		long long keep = ix->keep_id;
		bool before = ix->list.more_before;

		list_clear(&ix->list, row_free);
		list_append(&ix->list, (void **)rows, (size_t)n);
		ix->list.more_before = before;
		ix->list.more_after = full;
		select_id(ix, keep, old_cursor);
	} break;
	case F_LAST:
		list_clear(&ix->list, row_free);
		list_append(&ix->list, (void **)rows, (size_t)n);
		ix->list.more_before = full;
		ix->list.more_after = false;
		ix->list.cursor = n > 0 ? (size_t)n - 1 : 0;
		break;
	case F_AFTER:
		list_append(&ix->list, (void **)rows, (size_t)n);
		ix->list.more_after = full;
		break;
	case F_BEFORE:
		list_prepend(&ix->list, (void **)rows, (size_t)n);
		ix->list.more_before = full;
		break;
	}
	free(rows);
	list_trim(&ix->list, (size_t)console.page_size * 4, row_free);
	v->ready = true;
	free(f);
	pay_owed(v);
}

static void
fill_params(struct index_view *ix, const char **params)
{
	int i;

	for (i = 0; i < QUERY_NPARAMS; i++)
		params[i] = ix->q.params[i];
}

/* Send the page statement for kind; the anchor is the row it continues from. */
static void
fetch(struct view *v, enum fetch_kind kind)
{
	struct index_view *ix = v->data;
	const struct sort_order *so = &sorts[ix->sort];
	const char *params[INDEX_NPARAMS];
	char ord[16], id[32], limit[16], *statuses;
	struct ticket_row *anchor = NULL;
	struct fetch *f;
	bool backward = kind == F_BEFORE || kind == F_LAST;
	int lim = console.page_size;

	if (ix->fetching && kind != F_RELOAD)
		return;
	/* A reload replaces the window: a page still on its way would not fit it. */
	if (kind == F_RELOAD) {
		ix->generation++;
		ix->fetching = false;
	}
	fill_params(ix, params);
	statuses = status_literal(ix, backward);
	params[20] = statuses;
	params[21] = "0"; /* no anchor: every segment from its start */
	params[22] = NULL;
	params[23] = NULL;
	if (kind == F_AFTER && ix->list.nrows > 0)
		anchor = ix->list.rows[ix->list.nrows - 1];
	else if (kind == F_BEFORE && ix->list.nrows > 0)
		anchor = ix->list.rows[0];
	else if (kind == F_RELOAD && ix->list.more_before && ix->list.nrows > 0) {
		/* Reload the window from its first row, that row included. */
		anchor = ix->list.rows[0];
		if (ix->list.nrows > (size_t)lim)
			lim = (int)ix->list.nrows;
	}
	if (anchor != NULL) {
		long long aid = anchor->id;

		if (kind == F_RELOAD)
			aid += so->descending ? 1 : -1;
		snprintf(ord, sizeof ord, "%d",
		    backward ? ix->nstatuses + 1 - anchor->ord : anchor->ord);
		snprintf(id, sizeof id, "%lld", aid);
		params[21] = ord;
		params[22] = anchor->key;
		params[23] = id;
	} else if (kind == F_RELOAD && ix->list.nrows > (size_t)lim)
		lim = (int)ix->list.nrows;
	snprintf(limit, sizeof limit, "%d", lim);
	params[24] = limit;
	f = xcalloc(1, sizeof *f);
	f->generation = ix->generation;
	f->kind = kind;
	f->limit = lim;
	if (kind != F_RELOAD)
		ix->fetching = true;
	if (kind == F_RELOAD) {
		struct ticket_row *cur = list_current(&ix->list);

		ix->keep_id = cur != NULL ? cur->id : 0;
	}
	conn_send(kind == F_AFTER ? "index:next" :
		kind == F_BEFORE  ? "index:prev" :
		kind == F_LAST	  ? "index:last" :
				    "index:page",
	    backward ? so->backward : so->forward, INDEX_NPARAMS, params, on_page, v, f);
	free(statuses);
}

static void
on_count(void *owner, void *arg, PGresult *res, const char *error, const char *sqlstate,
    const char *detail)
{
	struct view *v = owner;
	struct index_view *ix = v->data;

	if (res == NULL || (unsigned)(uintptr_t)arg != ix->generation)
		return;
	ix->total = db_int(res, 0, "n", 0);
	ix->total_known = true;
}

static void
count(struct view *v)
{
	struct index_view *ix = v->data;
	const char *params[QUERY_NPARAMS + 2];
	char *statuses, cap[24];

	/*
	 * Counting the matches of a common word costs as much as finding them all;
	 * the connection would be busy meanwhile. The title says "100+" instead.
	 */
	if (ix->q.params[11] != NULL)
		return;
	statuses = status_literal(ix, false);
	fill_params(ix, params);
	params[20] = statuses;
	snprintf(cap, sizeof cap, "%d", console.count_cap);
	params[21] = cap;
	conn_send("index:count", sql_count, QUERY_NPARAMS + 2, params, on_count, v,
	    (void *)(uintptr_t)ix->generation);
	free(statuses);
}

static void
load(struct view *v)
{
	fetch(v, F_RELOAD);
	count(v);
}

/* Start again from the first page (a new sort, a new status set). */
static void
restart(struct view *v)
{
	struct index_view *ix = v->data;

	ix->generation++;
	ix->fetching = false;
	ix->owed = 0;
	list_clear(&ix->list, row_free);
	ix->total_known = false;
	statuses_set(ix);
	v->loaded_at = now_ms();
	load(v);
}

static void
on_words(void *owner, void *arg, PGresult *res, const char *error, const char *sqlstate,
    const char *detail)
{
	struct view *v = owner;
	struct index_view *ix = v->data;

	if (res == NULL) {
		ui_error("%s", error);
		return;
	}
	if (db_int(res, 0, "n", 0) <= WORDS_FEW) {
		const char *ids = db_value(res, 0, "ids");

		free(ix->q.params[11]);
		ix->q.params[11] = NULL;
		free(ix->q.params[14]);
		ix->q.params[14] = xstrdup(ids != NULL ? ids : "{}");
	}
	restart(v);
}

static void
open_view(struct view *v)
{
	struct index_view *ix = v->data;
	const char *params[5];
	char *statuses, limit[16];

	/* With ticket numbers given too, the words only narrow them: no need. */
	if (ix->search && ix->q.params[11] != NULL && ix->q.params[14] == NULL) {
		statuses_set(ix);
		/* Counted among the statuses and queues searched, not everywhere. */
		statuses = status_literal(ix, false);
		params[0] = ix->q.params[11];
		params[1] = statuses;
		params[2] = ix->q.params[0];
		params[3] = ix->q.params[1];
		snprintf(limit, sizeof limit, "%d", WORDS_FEW + 1);
		params[4] = limit;
		conn_send("search:words", sql_words, 5, params, on_words, v, NULL);
		free(statuses);
		return;
	}
	restart(v);
}

/*
 * The columns after the fixed ones (id, priority, status, age, SLA end at 31).
 * The subject is what an agent reads: the requester (and a search's queue) get
 * a quarter of what is left each, 12 to 24 columns, and the subject the rest,
 * so that 80 columns still show most of it and 200 do not clip names.
 */
#define OWNER_WIDTH 8
struct columns {
	int owner_x, requester_x, requester, queue, subject_x;
};

static void
columns(const struct index_view *ix, int width, struct columns *c)
{
	int rest;

	c->owner_x = 31;
	c->requester_x = c->owner_x + OWNER_WIDTH + 1;
	rest = width - c->requester_x;
	c->requester = rest / 4 < 12 ? 12 : rest / 4 > 24 ? 24 : rest / 4;
	c->queue = ix->search ? c->requester : 0;
	c->subject_x = c->requester_x + c->requester + 1;
}

static void
draw_row(void *p, int y, int width, bool selected, void *arg)
{
	struct index_view *ix = arg;
	struct ticket_row *r = p;
	int base = selected ? C_CURSOR : C_DEFAULT, sla_color = base, x;
	struct columns c;
	char buf[32], *s;
	long long now = (long long)server_now();

	if (is_tagged(ix, r->id))
		ui_text(y, 0, 1, "*", selected ? C_CURSOR : C_TAGGED, UI_BOLD);
	snprintf(buf, sizeof buf, "%7lld", r->id);
	ui_text(y, 1, 7, buf, base, 0);
	snprintf(buf, sizeof buf, "%d", r->priority);
	ui_text(y, 9, 1, buf, selected ? C_CURSOR : (r->priority >= 4 ? C_WARN : C_DEFAULT), 0);
	ui_text(y, 11, 7, r->status, base, 0);
	s = format_age(now - r->created);
	ui_text(y, 19, 4, s, base, 0);
	free(s);
	if (r->due != 0) {
		long long left = r->due - now;

		s = format_countdown(left);
		if (!selected)
			sla_color = left < 0 ? C_BREACH : left < 7200 ? C_WARN : C_DEFAULT;
		ui_text(y, 24, 6, s, sla_color, 0);
		free(s);
	}
	columns(ix, width, &c);
	ui_text(y, c.owner_x, OWNER_WIDTH, r->owner, base, 0);
	ui_text(y, c.requester_x, c.requester, r->requester, base, 0);
	x = c.subject_x;
	if (ix->search) {
		snprintf(buf, sizeof buf, "[%s]", r->queue);
		x += ui_text(y, x, c.queue, buf, base, UI_BOLD) + 1;
	}
	ui_text(y, x, width - x, r->subject, base, 0);
}

static void
draw(struct view *v, int top, int height)
{
	struct index_view *ix = v->data;
	int width = ui_cols();
	struct columns c;

	columns(ix, width, &c);
	ui_text(top, 1, 7, _("     id"), C_LABEL, UI_BOLD);
	ui_text(top, 9, 1, _("p"), C_LABEL, UI_BOLD);
	ui_text(top, 11, 7, _("status"), C_LABEL, UI_BOLD);
	ui_text(top, 19, 4, _("age"), C_LABEL, UI_BOLD);
	ui_text(top, 24, 6, _("sla"), C_LABEL, UI_BOLD);
	ui_text(top, c.owner_x, OWNER_WIDTH, _("owner"), C_LABEL, UI_BOLD);
	ui_text(top, c.requester_x, c.requester, _("requester"), C_LABEL, UI_BOLD);
	ui_text(top, c.subject_x, width - c.subject_x, _("subject"), C_LABEL, UI_BOLD);
	if (ix->list.nrows == 0) {
		ui_text(top + 1, 2, width - 2, v->ready ? _("no tickets") : _("loading…"),
		    C_DEFAULT, 0);
		return;
	}
	list_draw(&ix->list, top + 1, height - 1, draw_row, ix);
}

static const char *
title(struct view *v)
{
	struct index_view *ix = v->data;
	char total[32] = "…";

	free(ix->title);
	if (!ix->total_known && ix->q.params[11] != NULL && v->ready)
		snprintf(total, sizeof total, "%zu%s", ix->list.nrows,
		    ix->list.more_after || ix->list.more_before ? "+" : "");
	else if (ix->total_known && ix->total > console.count_cap)
		snprintf(total, sizeof total, _("more than %d"), console.count_cap);
	else if (ix->total_known)
		snprintf(total, sizeof total, "%lld", ix->total);
	if (ix->search)
		xasprintf(&ix->title, _("search: %s — %s tickets%s — sorted: %s"), ix->text, total,
		    "", sorts[ix->sort].name);
	else
		xasprintf(&ix->title, _("%s — %s tickets%s — sorted: %s"), ix->code, total,
		    ix->show_all ? _(" (all statuses)") : "", sorts[ix->sort].name);
	if (ix->ntags > 0) {
		char *t;

		xasprintf(&t, _("%s — %zu tagged"), ix->title, ix->ntags);
		free(ix->title);
		ix->title = t;
	}
	return ix->title;
}

static void
on_tag_all(void *owner, void *arg, PGresult *res, const char *error, const char *sqlstate,
    const char *detail)
{
	struct view *v = owner;
	struct index_view *ix = v->data;
	int i, n;

	if (res == NULL) {
		ui_error("%s", error);
		return;
	}
	n = PQntuples(res);
	free(ix->tags);
	ix->tags = xcalloc(n > 0 ? (size_t)n : 1, sizeof *ix->tags);
	for (i = 0; i < n; i++)
		ix->tags[i] = db_int(res, i, "id", 0);
	ix->ntags = (size_t)n;
	qsort(ix->tags, ix->ntags, sizeof *ix->tags, cmp_id);
	ui_message(
	    n >= TAG_MAX ? _("%d tickets tagged (the first 10000)") : _("%d tickets tagged"), n);
}

static void
tag_all(struct view *v)
{
	struct index_view *ix = v->data;
	const char *params[QUERY_NPARAMS + 1];
	char *statuses = status_literal(ix, false);

	fill_params(ix, params);
	params[20] = statuses;
	conn_send("index:tag-all", sql_tag_all, QUERY_NPARAMS + 1, params, on_tag_all, v, NULL);
	free(statuses);
}

static void
choose_sort(struct view *v, const char *arg)
{
	struct index_view *ix = v->data;
	const char *labels[nitems(sorts)];
	size_t i;
	int k = -1;

	if (arg != NULL) {
		for (i = 0; i < nitems(sorts); i++)
			if (strcmp(arg, sorts[i].name) == 0)
				k = (int)i;
		if (k < 0) {
			ui_error(_("unknown order: %s (updated, oldest, priority)"), arg);
			return;
		}
	} else {
		for (i = 0; i < nitems(sorts); i++)
			labels[i] = _(sorts[i].label);
		k = prompt_choice(_("order"), labels, nitems(sorts), (size_t)ix->sort);
	}
	if (k < 0 || k == ix->sort)
		return;
	ix->sort = k;
	restart(v);
}

/* Actions on tickets: the tagged ones, or else the selected one. */
static int
ticket_action(struct view *v, enum action a, const char *arg)
{
	struct index_view *ix = v->data;
	struct ticket_row *r = list_current(&ix->list);
	const struct action_info *ai = action_info(a);
	long long id, *ids;
	size_t n;
	char *q;
	bool yes;

	/*
	 * The list may be reloaded while the action prompts or waits (the loop
	 * keeps running): it works on copies of the ticket numbers.
	 */
	if (ix->ntags > 0) {
		xasprintf(&q, _("%s: apply to the %zu tagged tickets? (y/n)"), ai->name, ix->ntags);
		yes = prompt_yesno(q);
		free(q);
		if (!yes || ix->ntags == 0)
			return 1;
		n = ix->ntags;
		ids = xreallocarray(NULL, n, sizeof *ids);
		memcpy(ids, ix->tags, n * sizeof *ids);
		if (action_ticket(a, ids, n, NULL, arg) == 0) {
			free(ix->tags);
			ix->tags = NULL;
			ix->ntags = 0;
		}
		free(ids);
		return 1;
	}
	if (r == NULL) {
		ui_error("%s", _("no ticket selected"));
		return 1;
	}
	id = r->id;
	action_ticket(a, &id, 1, NULL, arg);
	return 1;
}

/*
 * Up, down and pages within the rows loaded, fetching the next page ahead of
 * the cursor; the steps a page not yet arrived could not take are owed and paid
 * when it comes. First and last restart from an end rather than page through.
 */
static void
move(struct view *v, enum action a, int height)
{
	struct index_view *ix = v->data;
	size_t before = ix->list.cursor;
	long step = a == A_DOWN || a == A_UP   ? 1 :
	    a == A_PAGE_DOWN || a == A_PAGE_UP ? height :
						 height / 2 + 1;
	bool down = a == A_DOWN || a == A_PAGE_DOWN || a == A_HALF_DOWN;
	int more;

	if (a == A_FIRST && ix->list.more_before) {
		restart(v);
		return;
	}
	if (a == A_LAST && ix->list.more_after) {
		ix->generation++;
		ix->fetching = false;
		ix->owed = 0;
		fetch(v, F_LAST);
		return;
	}
	more = list_move(&ix->list, a, height);
	if (a == A_FIRST || a == A_LAST)
		return;
	if (down && ix->list.more_after)
		ix->owed += step - (long)(ix->list.cursor - before);
	else if (!down && ix->list.more_before)
		ix->owed -= step - (long)(before - ix->list.cursor);
	if (more > 0)
		fetch(v, F_AFTER);
	else if (more < 0)
		fetch(v, F_BEFORE);
}

/* A reply is written from the ticket, once it is drawn. */
static void
reply_in_ticket(long long id, const char *arg)
{
	struct view *tv;

	view_open_ticket(id);
	tv = view_top();
	while (tv == view_top() && !tv->ready && conn_ready() && !console.quit)
		loop_iterate(0, 100);
	if (tv == view_top() && tv->ready)
		view_run_action(A_REPLY, arg);
}

/* Narrow this list: the search starts from what it shows. */
static void
narrow(struct index_view *ix)
{
	char *initial, *text, *cause = NULL;

	if (ix->search)
		xasprintf(&initial, "%s ", ix->text);
	else
		xasprintf(&initial, "queue:%s ", ix->code);
	text = prompt_line(_("search:"), initial);
	free(initial);
	if (text != NULL && *text != '\0' && view_open_search(text, &cause) != 0) {
		ui_error("%s", cause);
		free(cause);
	}
	free(text);
}

static int
action(struct view *v, enum action a, const char *arg)
{
	struct index_view *ix = v->data;
	struct ticket_row *r = list_current(&ix->list);
	int height = ui_lines() - 4;

	if (action_is_motion(a)) {
		move(v, a, height);
		return 1;
	}
	switch (a) {
	case A_ENTER:
		if (r != NULL)
			view_open_ticket(r->id);
		return 1;
	case A_HISTORY:
		if (r != NULL)
			view_open_history(r->id);
		return 1;
	case A_REPLY:
		if (r != NULL)
			reply_in_ticket(r->id, arg);
		return 1;
	case A_TAG:
		if (r != NULL) {
			tag_toggle(ix, r->id);
			list_move(&ix->list, A_DOWN, height);
		}
		return 1;
	case A_TAG_ALL:
		tag_all(v);
		return 1;
	case A_UNTAG_ALL:
		free(ix->tags);
		ix->tags = NULL;
		ix->ntags = 0;
		return 1;
	case A_SEARCH:
		if (arg == NULL) {
			narrow(ix);
			return 1;
		}
		return 0;
	case A_SORT:
		choose_sort(v, arg);
		return 1;
	case A_SHOW_ALL:
		if (ix->search) {
			ui_error("%s", _("a search shows every status: add status: to narrow it"));
			return 1;
		}
		ix->show_all = !ix->show_all;
		restart(v);
		return 1;
	case A_NEXT_TICKET:
		if (!ix->search) {
			char id[16];

			snprintf(id, sizeof id, "%d", ix->queue_id);
			action_global(A_NEXT_TICKET, id);
			return 1;
		}
		return 0;
	case A_CLAIM:
	case A_RELEASE:
	case A_NOTE:
	case A_ESCALATE:
	case A_STATUS:
	case A_PRIORITY:
	case A_FIELD:
		return ticket_action(v, a, arg);
	case A_LINK:
	case A_MERGE:
		if (r != NULL) {
			long long id = r->id;

			action_ticket(a, &id, 1, NULL, arg);
		}
		return 1;
	default:
		return 0;
	}
}

static void
on_notify(struct view *v, long long ticket_id)
{
	v->dirty = true;
}

static void
close_view(struct view *v)
{
	struct index_view *ix = v->data;

	list_clear(&ix->list, row_free);
	statuses_free(ix);
	query_free(&ix->q);
	free(ix->code);
	free(ix->name);
	free(ix->text);
	free(ix->tags);
	free(ix->title);
	free(ix);
}

const struct view_ops view_index_ops = {
	.name = "index",
	.keymap = KM_INDEX,
	/* Any ticket may enter the list: reload it, but not more than that. */
	.reload_ms = 700,
	.open = open_view,
	.load = load,
	.draw = draw,
	.action = action,
	.on_notify = on_notify,
	.close = close_view,
	.title = title,
};

static int
default_sort(void)
{
	const char *s = config_get(console.config, "console.sort");
	size_t i;

	for (i = 0; s != NULL && i < nitems(sorts); i++)
		if (strcmp(s, sorts[i].name) == 0)
			return (int)i;
	return 0;
}

void
view_index_open_queue(int queue_id, const char *code, const char *name)
{
	struct index_view *ix = xcalloc(1, sizeof *ix);

	ix->queue_id = queue_id;
	ix->code = xstrdup(code);
	ix->name = xstrdup(name);
	ix->sort = default_sort();
	query_set_queue(&ix->q, queue_id);
	view_push(&view_index_ops, ix);
}

int
view_index_open_search(const char *text, char **cause)
{
	struct index_view *ix = xcalloc(1, sizeof *ix);

	if (query_parse(&ix->q, text, console.login, server_now(), cause) != 0) {
		free(ix);
		return -1;
	}
	ix->search = true;
	ix->text = xstrdup(text);
	ix->sort = default_sort();
	view_push(&view_index_ops, ix);
	return 0;
}
