/*
 * actions.h — private to the actions: actions.c (what each action asks and
 * calls), actions-desk.c (moving and classifying work), actions-bulk.c (one
 * call per ticket and the summary line) and actions-pick.c (the choices among
 * rows of the database).
 */
#ifndef GUICHET_ACTIONS_H
#define GUICHET_ACTIONS_H

/* One API call, made for each ticket; params[0] is the ticket. */
struct op {
	const char *name; /* the action's name, for the summary */
	const char *done; /* N_("claimed") */
	const char *sql;
	int nparams;
	const char *params[9];
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
int pick_agent(long long ticket, PGresult **res);
int pick_move_queue(long long ticket, const char *code, PGresult **res);
/* The id chosen in buf ("" for none); 0, or -1 when cancelled. */
int pick_return_queue(long long ticket, char *buf, size_t len);
int pick_service(const char *queue, char *buf, size_t len);
int pick_district(const char *queue, const char *contact, char *buf, size_t len);
/* actions-pick.c: "5 — most urgent" … "1 — lowest", N_(), for prompt_choice_tr. */
extern const char *const priority_labels[5];

/* actions-desk.c: assign, move, return, service, district; the new ticket's classification. */
int desk_action(enum action, const long long *ids, size_t n, const char *arg);
struct new_ticket {
	char service[16]; /* "" for none */
	char district[16];
	char priority[12];
	char *fields; /* a JSON object, or NULL */
};
int
desk_classify(const char *queue, const char *contact, const char *priority, struct new_ticket *);
void desk_classify_free(struct new_ticket *);

/* A template (or none): the initial text, *template_id set; NULL when cancelled. */
char *choose_template(long long ticket, char *template_id, size_t len);
/* The requester of a new ticket, found or created: its id, or NULL. */
char *choose_contact(void);

#endif
