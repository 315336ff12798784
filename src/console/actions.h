/*
 * actions.h — private to the actions: actions.c (what each action asks and
 * calls), actions-bulk.c (one call per ticket and the summary line) and
 * actions-pick.c (the choices among rows of the database).
 */
#ifndef GUICHET_ACTIONS_H
#define GUICHET_ACTIONS_H

/* One API call, made for each ticket; params[0] is the ticket. */
struct op {
	const char *name; /* the action's name, for the summary */
	const char *done; /* N_("claimed") */
	const char *sql;
	int nparams;
	const char *params[8];
	int seen_slot;	   /* where p_seen goes (single ticket), or -1 */
	const char *draft; /* the draft kind to remove on success */
};

/* actions-bulk.c */
void action_refresh(long long ticket); /* show our own change at once */
int run_op(struct op *, const long long *ids, size_t n, const char *seen);

/* actions-pick.c; each pick_* returns the chosen row (res kept) or -1. */
PGresult *action_call(const char *label, const char *sql, int n, const char *const *params);
int pick_level2_queue(long long ticket, PGresult **res);
int pick_field(PGresult **res);
int pick_writable_queue(PGresult **res);
/* A template (or none): the initial text, *template_id set; NULL when cancelled. */
char *choose_template(long long ticket, char *template_id, size_t len);
/* The requester of a new ticket, found or created: its id, or NULL. */
char *choose_contact(void);

#endif
