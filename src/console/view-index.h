/*
 * view-index.h — private to the ticket index: view-index.c (drawing, tags,
 * keys) and view-index-page.c (the keyset paging) share the view's state.
 */
#ifndef GUICHET_VIEW_INDEX_H
#define GUICHET_VIEW_INDEX_H

#define INDEX_NPARAMS (QUERY_NPARAMS + 7) /* the search's, then $21…$27 of a page */

struct sort_order {
	const char *name;  /* ticket_index_page's p_sort */
	const char *label; /* N_() */
	bool descending;
};

extern const struct sort_order index_sorts[];
extern const size_t index_nsorts;

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

void index_row_free(void *);
void index_statuses_free(struct index_view *);
char *index_status_literal(struct index_view *, bool reverse);
void index_fill_params(struct index_view *, const char **params);
void index_fetch(struct view *, enum fetch_kind);
void index_load(struct view *); /* the first page again, and the count */
void index_restart(struct view *);
void index_start(struct view *);

#endif
