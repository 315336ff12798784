/*
 * view-index-page.c — the index's pages: how the ticket index (view-index.c)
 * loads its rows.
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

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "console.h"
#include "view-index.h"

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
	"  extract(epoch FROM CASE WHEN t.status IN ('new', 'open') THEN least(CASE WHEN"  \
	"   t.first_response_at IS NULL THEN t.first_response_due END, t.resolution_due,"  \
	"   t.next_response_due) END)::bigint AS due,"                                     \
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

const struct sort_order index_sorts[] = {
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
const size_t index_nsorts = nitems(index_sorts);

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

struct fetch {
	unsigned generation;
	enum fetch_kind kind;
	int limit;
};

static void pay_owed(struct view *);

void
index_row_free(void *p)
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

void
index_statuses_free(struct index_view *ix)
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

	index_statuses_free(ix);
	copy[strlen(copy) - 1] = '\0';
	for (s = strtok_r(copy, ",", &save); s != NULL; s = strtok_r(NULL, ",", &save)) {
		ix->statuses = xreallocarray(
		    ix->statuses, (size_t)ix->nstatuses + 1, sizeof *ix->statuses);
		ix->statuses[ix->nstatuses++] = xstrdup(s);
	}
	free(copy);
}

char *
index_status_literal(struct index_view *ix, bool reverse)
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
		index_fetch(v, F_AFTER);
	else if (ix->list.more_before && ix->list.cursor < h)
		index_fetch(v, F_BEFORE);
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

		list_clear(&ix->list, index_row_free);
		list_append(&ix->list, (void **)rows, (size_t)n);
		ix->list.more_before = before;
		ix->list.more_after = full;
		select_id(ix, keep, old_cursor);
	} break;
	case F_LAST:
		list_clear(&ix->list, index_row_free);
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
	list_trim(&ix->list, (size_t)console.page_size * 4, index_row_free);
	v->ready = true;
	free(f);
	pay_owed(v);
}

void
index_fill_params(struct index_view *ix, const char **params)
{
	int i;

	for (i = 0; i < QUERY_NPARAMS; i++)
		params[i] = ix->q.params[i];
}

/* Send the page statement for kind; the anchor is the row it continues from. */
void
index_fetch(struct view *v, enum fetch_kind kind)
{
	struct index_view *ix = v->data;
	const struct sort_order *so = &index_sorts[ix->sort];
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
	index_fill_params(ix, params);
	statuses = index_status_literal(ix, backward);
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
	if (QUERY_PARAM(&ix->q, QS_WORDS) != NULL)
		return;
	statuses = index_status_literal(ix, false);
	index_fill_params(ix, params);
	params[20] = statuses;
	snprintf(cap, sizeof cap, "%d", console.count_cap);
	params[21] = cap;
	conn_send("index:count", sql_count, QUERY_NPARAMS + 2, params, on_count, v,
	    (void *)(uintptr_t)ix->generation);
	free(statuses);
}

void
index_load(struct view *v)
{
	index_fetch(v, F_RELOAD);
	count(v);
}

/* Start again from the first page (a new sort, a new status set). */
void
index_restart(struct view *v)
{
	struct index_view *ix = v->data;

	ix->generation++;
	ix->fetching = false;
	ix->owed = 0;
	list_clear(&ix->list, index_row_free);
	ix->total_known = false;
	statuses_set(ix);
	v->loaded_at = now_ms();
	index_load(v);
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

		free(QUERY_PARAM(&ix->q, QS_WORDS));
		QUERY_PARAM(&ix->q, QS_WORDS) = NULL;
		free(QUERY_PARAM(&ix->q, QS_IDS));
		QUERY_PARAM(&ix->q, QS_IDS) = xstrdup(ids != NULL ? ids : "{}");
	}
	index_restart(v);
}

/* Open: a search with words counts their matches first (on_words), then pages. */
void
index_start(struct view *v)
{
	struct index_view *ix = v->data;
	const char *params[5];
	char *statuses, limit[16];

	/* With ticket numbers given too, the words only narrow them: no need. */
	if (ix->search && QUERY_PARAM(&ix->q, QS_WORDS) != NULL &&
	    QUERY_PARAM(&ix->q, QS_IDS) == NULL) {
		statuses_set(ix);
		/* Counted among the statuses and queues searched, not everywhere. */
		statuses = index_status_literal(ix, false);
		params[0] = QUERY_PARAM(&ix->q, QS_WORDS);
		params[1] = statuses;
		params[2] = QUERY_PARAM(&ix->q, QS_QUEUE_ID);
		params[3] = QUERY_PARAM(&ix->q, QS_QUEUES);
		snprintf(limit, sizeof limit, "%d", WORDS_FEW + 1);
		params[4] = limit;
		conn_send("search:words", sql_words, 5, params, on_words, v, NULL);
		free(statuses);
		return;
	}
	index_restart(v);
}
