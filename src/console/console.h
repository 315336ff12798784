/*
 * console.h — the agents' console `guichet`: the main loop, the asynchronous
 * connection, the screen primitives, the view stack and the action table.
 * One header for the whole program, in sections named after their files.
 */
#ifndef GUICHET_CONSOLE_H
#define GUICHET_CONSOLE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "common.h"
#include "db.h"

struct view;
struct list;

/* console.c — the state every part may read; the clocks; the agents' logins. */
struct console {
	struct config *config;
	const char *conninfo;
	char *login;	    /* PQuser(): who we are */
	char *display_name; /* agent.display_name */
	int agent_id;
	long long clock_skew; /* server now() minus local time(), seconds */
	int page_size;	      /* rows fetched per keyset page */
	int count_cap;	      /* counts stop there ("1000+") */
	bool color;
	bool bell;	  /* notify.bell: ring on a new notification */
	bool title;	  /* notify.title: say the unread count in the terminal's title */
	long long unread; /* unread notifications, -1 before the server said */
	bool quit;
	double started_ms;
};
extern struct console console;
double now_ms(void); /* a monotonic clock */
time_t server_now(void);
void console_whoami(PGconn *); /* fills login, agent_id, display_name, clock_skew */
void console_load_agents(PGconn *);
const char *agent_login(int id); /* "" for none, "#12" when unknown */
void console_free(void);

/*
 * conn.c — the one connection: a FIFO of asynchronous statements, LISTEN, reconnect.
 * It knows no view and no screen: what it has to tell goes through the events
 * registered by conn_init (as tmux's event layer calls back its users).
 */
typedef void (*request_cb)(void *owner, void *arg, PGresult *res, const char *error,
    const char *sqlstate, const char *detail);
struct conn_events {
	void (*notify)(long long ticket_id);   /* NOTIFY '<id>': the ticket changed */
	void (*presence)(long long ticket_id); /* NOTIFY 'p<id>': came or went */
	void (*unread)(long long count);       /* NOTIFY 'n<count>', and at (re)connection */
	void (*reconnected)(void);
	void (*message)(bool is_error, const char *text);
	void (*wait)(void); /* one pass of the main loop, while conn_call waits */
};
void conn_init(PGconn *, const char *conninfo, const char *timing_path, const struct conn_events *);
int conn_socket(void);
bool conn_wants_write(void);
void conn_on_readable(void);
void conn_on_writable(void);
void conn_tick(void); /* timers: reconnect backoff */
int conn_next_timeout(void);
bool conn_ready(void);
const char *conn_state_text(void); /* NULL when connected to a primary */
/* Why the console cannot work on a connection that does not keep its session. */
#define CONN_NEEDS_SESSION                                                                 \
	_("the connection does not keep its session (a pooler in transaction mode?): the " \
	  "console needs session pooling (PgBouncer: pool_mode = session)")
void conn_send(const char *label, const char *sql, int n, const char *const *params, request_cb,
    void *owner, void *arg);
void conn_send_binary(const char *label, const char *sql, int n, const char *const *params,
    request_cb, void *owner, void *arg);
/* The same, prepared on the connection: for statements whose plan does not
 * depend on the values, run often (the ticket card). */
void conn_send_prepared(const char *label, const char *sql, int n, const char *const *params,
    request_cb, void *owner, void *arg);
void conn_forget(void *owner); /* callbacks for owner will not be called */
/*
 * Run a statement and wait for its result, still redrawing and refreshing other
 * views (keys typed meanwhile are read afterwards). NULL with *cause on error;
 * sqlstate (char[6]) and detail (malloc'd) filled when not NULL.
 */
PGresult *conn_call(const char *label, const char *sql, int n, const char *const *params,
    char **cause, char *sqlstate, char **detail);
PGresult *conn_call_binary(
    const char *label, const char *sql, int n, const char *const *params, char **cause);
void conn_timing(const char *label, double ms, int rows);
void conn_close(void);

/* loop.c — one poll() over the terminal and the connection; what runs in each pass
 * is registered by main.c (loop_init), so that the loop calls no view or prompt. */
struct loop_hooks {
	void (*paint)(void);	 /* draw the screen, once per pass */
	void (*key)(int key);	 /* a key outside a prompt (function keys + KEYS_FUNC) */
	void (*tick)(void);	 /* after the pass's input */
	bool (*interrupt)(void); /* ^C: true when taken (a prompt cancelled) */
	bool (*running)(void);	 /* false ends loop_run */
};
#define LOOP_KEYS 0x1 /* read and dispatch keys */
void loop_init(const struct loop_hooks *);
void loop_iterate(int flags, int timeout_ms);
void loop_run(void);
/* A key for the modal prompt, or -1 when none arrived during this pass. */
typedef void (*key_handler)(int key, bool is_function_key, void *arg);
void loop_set_key_handler(key_handler, void *arg);

/* ui-draw.c — the only code that writes to curses. */
enum ui_color {
	C_DEFAULT,
	C_TITLE,
	C_STATUS,
	C_CURSOR,
	C_TAGGED,
	C_LABEL,
	C_NOTE,
	C_MAIL_IN,
	C_MAIL_OUT,
	C_SYSTEM,
	C_WARN,
	C_BREACH,
	C_ERROR,
	C_QUOTE,
	C_CODE,
	C_URL,
	C_HEADING,
	C_PRESENCE,
	C_ORG,
	C_COUNT
};
/* extra attributes of ui_text and ui_fill; UI_MD(style) for Markdown spans. */
#define UI_BOLD 0x1
#define UI_UNDERLINE 0x2
#define UI_REVERSE 0x4
#define UI_DIM 0x8
#define UI_MD(style) ((style) << 8)
void ui_init(void);
void ui_end(void);
void ui_resize(void);
int ui_lines(void);
int ui_cols(void);
int
ui_color_config(const char *object, const char *fg, const char *bg, const char *attr, char **cause);
void ui_clear(void);
/* Draw untrusted text at (y, x) in at most width columns; returns columns used. */
int ui_text(int y, int x, int width, const char *text, int color, int extra_attr);
void ui_fill(int y, int x, int width, int color, int extra_attr);
void ui_title(const char *fmt, ...) GUICHET_PRINTF(1, 2);
void ui_say(bool is_error, const char *fmt, ...) GUICHET_PRINTF(2, 3);
#define ui_message(...) ui_say(false, __VA_ARGS__)
#define ui_error(...) ui_say(true, __VA_ARGS__)
void ui_message_clear(void);
/* The status line: the view's title and the connection's state (NULL: connected). */
void ui_status_draw(const char *title, const char *state);
void ui_bell(void);
void ui_set_title(const char *title); /* the terminal's, sent with the next flush */
void ui_prompt_draw(const char *question, const char *buf, size_t cursor);
void ui_flush(bool keep_cursor); /* keep_cursor: a prompt shows it */
void ui_suspend(void);
void ui_resume(void);

/*
 * A message with a context (gettext's msgctxt), for words that mean different
 * things in different places: "pending" as a status, as a migration. NC_ marks
 * it for xgettext (po/Makevars); format_ctx translates it.
 */
#define NC_(ctx, s) (s)
const char *format_ctx(const char *ctx, const char *msgid);

/* ui-keys.c — actions, key names and bindings. */
/*
 * Every action is one line here (tig's REQ_INFO way): its enum name, the name
 * `bind` and `:` take, and its help text. enum action and ui-keys.c's actions[]
 * are both made from it, so adding an action is adding a line (and its code).
 */
#define ACTION_LIST(X)                                                                             \
	X(QUIT, NC_("action", "quit"), N_("leave this view (the overview: leave guichet)"))        \
	X(QUIT_ALL, NC_("action", "quit-all"), N_("leave guichet"))                                \
	X(HELP, NC_("action", "help"), N_("show the key bindings of this view"))                   \
	X(REDRAW, NC_("action", "redraw"), N_("redraw the screen"))                                \
	X(REFRESH, NC_("action", "refresh"), N_("reload this view from the database"))             \
	X(DOWN, NC_("action", "move-down"), N_("move to the next line"))                           \
	X(UP, NC_("action", "move-up"), N_("move to the previous line"))                           \
	X(PAGE_DOWN, NC_("action", "page-down"), N_("move one page down"))                         \
	X(PAGE_UP, NC_("action", "page-up"), N_("move one page up"))                               \
	X(HALF_DOWN, NC_("action", "half-page-down"), N_("move half a page down"))                 \
	X(HALF_UP, NC_("action", "half-page-up"), N_("move half a page up"))                       \
	X(FIRST, NC_("action", "first"), N_("go to the first line"))                               \
	X(LAST, NC_("action", "last"), N_("go to the last line"))                                  \
	X(ENTER, NC_("action", "enter"), N_("open the selected queue or ticket"))                  \
	X(SEARCH, NC_("action", "search"),                                                         \
	    N_("search tickets (the search language, see guichet(1))"))                            \
	X(COMMAND, NC_("action", "command"),                                                       \
	    N_("enter a command: an action name and its argument"))                                \
	X(MINE, NC_("action", "mine"), N_("list my tickets"))                                      \
	X(OPEN_TICKET, NC_("action", "open-ticket"), N_("open a ticket by its number"))            \
	X(SORT, NC_("action", "sort"), N_("change the order of the list"))                         \
	X(SHOW_ALL, NC_("action", "show-all"), N_("show or hide resolved and closed tickets"))     \
	X(TAG, NC_("action", "tag"), N_("tag or untag the selected ticket"))                       \
	X(TAG_ALL, NC_("action", "tag-all"), N_("tag every ticket of this list (up to 10000)"))    \
	X(UNTAG_ALL, NC_("action", "untag-all"), N_("untag every ticket"))                         \
	X(CLAIM, NC_("action", "claim"), N_("claim the ticket (the tagged tickets)"))              \
	X(RELEASE, NC_("action", "release"), N_("release the ticket (the tagged tickets)"))        \
	X(NEXT_TICKET, NC_("action", "next-ticket"),                                               \
	    N_("claim and open the most urgent ticket of the queue"))                              \
	X(NOTE, NC_("action", "note"), N_("add an internal note with $EDITOR"))                    \
	X(REPLY, NC_("action", "reply"),                                                           \
	    N_("reply to the requester: template, $EDITOR, preview, send"))                        \
	X(ESCALATE, NC_("action", "escalate"), N_("escalate to a level-2 queue, with a reason"))   \
	X(STATUS, NC_("action", "status"), N_("change the status"))                                \
	X(PRIORITY, NC_("action", "priority"), N_("change the priority (1 to 5, 5 most urgent)"))  \
	X(FIELD, NC_("action", "field"), N_("set a dynamic field"))                                \
	X(LINK, NC_("action", "link"), N_("link to another ticket"))                               \
	X(MERGE, NC_("action", "merge"), N_("merge this ticket into another"))                     \
	X(ASSIGN, NC_("action", "assign"), N_("give the ticket to a colleague, with a note"))      \
	X(MOVE, NC_("action", "move"), N_("move to another queue of the same level"))              \
	X(RETURN_L1, NC_("action", "return"), N_("hand a level-2 ticket back to level 1"))         \
	X(SERVICE, NC_("action", "service"), N_("set the service, from the catalogue"))            \
	X(DISTRICT, NC_("action", "district"), N_("set the district and the place"))               \
	X(SPLIT, NC_("action", "split"), N_("split the current article into a new linked ticket")) \
	X(NEW_TICKET, NC_("action", "new-ticket"), N_("new ticket for a phone or desk contact"))   \
	X(ABSENCE, NC_("action", "absence"), N_("set or end my absence, with a substitute"))       \
	X(HISTORY, NC_("action", "history"), N_("show the history of the ticket"))                 \
	X(CONTACT, NC_("action", "contact"), N_("show the requester: her record and tickets"))     \
	X(CONTACT_EDIT, NC_("action", "contact-edit"), N_("correct a field of the contact"))       \
	X(CONTACT_MERGE, NC_("action", "contact-merge"),                                           \
	    N_("merge the contact into another record of hers (supervisors)"))                     \
	X(KB, NC_("action", "kb"), N_("search and read the knowledge base"))                       \
	X(SAVE_ATTACHMENT, NC_("action", "save-attachment"), N_("save an attachment to a file"))   \
	X(OPEN_LINK, NC_("action", "open-link"), N_("open one of the linked tickets"))             \
	X(NEXT_ARTICLE, NC_("action", "next-article"), N_("jump to the next article"))             \
	X(PREV_ARTICLE, NC_("action", "prev-article"), N_("jump to the previous article"))         \
	X(NOTIFICATIONS, NC_("action", "notifications"), N_("list my notifications"))              \
	X(MARK_READ, NC_("action", "mark-read"),                                                   \
	    N_("mark the notification read, or unread again"))                                     \
	X(MARK_ALL_READ, NC_("action", "mark-all-read"), N_("mark every notification read"))       \
	X(SAVE_SEARCH, NC_("action", "save-search"),                                               \
	    N_("save this search under a name (overview)"))                                        \
	X(FORGET_SEARCH, NC_("action", "forget-search"), N_("forget the selected saved search"))   \
	X(VIEW_ATTACHMENT, NC_("action", "view-attachment"),                                       \
	    N_("open an attachment in its viewer (mailcap)"))                                      \
	X(ATTACH, NC_("action", "attach"), N_("attach a file to the reply being written"))

enum action {
	A_NONE = 0,
#define ACTION_ENUM(id, name, help) A_##id,
	ACTION_LIST(ACTION_ENUM)
#undef ACTION_ENUM
	    A_COUNT
};
enum keymap {
	KM_GENERIC,
	KM_OVERVIEW,
	KM_INDEX,
	KM_TICKET,
	KM_HISTORY,
	KM_HELP,
	KM_KB,
	KM_NOTIFY,
	KM_CONTACT,
	KM_COUNT
};
struct action_info {
	enum action action;
	const char *name;
	const char *help; /* N_() */
};
extern const struct action_info actions[];
extern const char *const keymap_names[];
void keys_init(void);
int keys_bind_line(int argc, char **argv, char **cause); /* "bind MAP KEY ACTION" */
enum action keys_lookup(enum keymap, int key);
const struct action_info *action_by_name(const char *);
const struct action_info *action_info(enum action);
/* Key codes: characters are themselves; function keys are KEY_* + KEYS_FUNC. */
#define KEYS_FUNC 0x200000
char *keys_name(int key);
void keys_print(FILE *); /* every binding in force, for guichet --keys and guichet(1) */
/* Call fn for every binding of map (and generic when with_generic). */
void keys_each(enum keymap, void (*fn)(int key, enum action, void *), void *arg);

/* ui-prompt.c — modal line input, yes/no and a choice list; the loop keeps running. */
char *prompt_line(const char *question, const char *initial); /* NULL when cancelled */
char *prompt_path(const char *question, const char *initial); /* Tab completes file names */
bool prompt_yesno(const char *question);
/* A choice among n labels; returns the index or -1 when cancelled. */
int prompt_choice(const char *title, const char *const *labels, size_t n, size_t initial);
int prompt_choice_tr(const char *title, const char *const *labels, size_t n, size_t initial);
void prompt_redraw(void);
bool prompt_active(void);
void prompt_cancel(void);

/* ui-list.c — the one scrolling list (rows are owned by the view), and pager scrolling. */
struct list {
	void **rows;
	size_t nrows;
	size_t cap;
	size_t cursor;
	size_t top;
	bool more_before; /* rows exist before rows[0] that are not loaded */
	bool more_after;
	bool loading;
};
void list_clear(struct list *, void (*free_row)(void *));
void list_append(struct list *, void **rows, size_t n);
void list_prepend(struct list *, void **rows, size_t n);
/* Keep at most max rows around the cursor, freeing the others. */
void list_trim(struct list *, size_t max, void (*free_row)(void *));
/* Move by an action; returns 1 to ask the view for more rows after, -1 before. */
int list_move(struct list *, enum action, int height);
void list_fit(struct list *, int height);
void *list_current(const struct list *);
typedef void (*list_draw_row)(void *row, int y, int width, bool selected, void *arg);
void list_draw(struct list *, int top, int height, list_draw_row, void *arg);
/* "loading…" until ready, then empty when there are no rows, else list_draw. */
void list_draw_or_empty(
    struct list *, int top, int height, bool ready, const char *empty, list_draw_row, void *arg);
void list_text_row(void *row, int y, int width, bool selected, void *arg); /* a string */
bool action_is_motion(enum action); /* up, down, pages, first, last */
/* list_move for a motion and 1; 0 for any other action, left to the view. */
int list_action(struct list *, enum action, int height);
/* Scroll a pager's top line over nlines, visible at once; 0 when a is no motion. */
int pager_move(size_t *top, size_t nlines, int visible, enum action a);

/* view.c — the stack of views. */
struct view_ops {
	const char *name;
	enum keymap keymap;
	int reload_ms; /* NOTIFY reloads at most this often (0: 300 ms) */
	void (*open)(struct view *);
	void (*load)(struct view *);
	void (*draw)(struct view *, int top, int height);
	int (*action)(struct view *, enum action, const char *arg);
	void (*on_notify)(struct view *, long long ticket_id);
	void (*on_presence)(struct view *, long long ticket_id);
	void (*on_reconnect)(struct view *);
	void (*tick)(struct view *); /* about four times a second, top view only */
	void (*close)(struct view *);
	const char *(*title)(struct view *);
};
struct view {
	const struct view_ops *ops;
	void *data;
	bool dirty;	  /* reload when possible */
	double loaded_at; /* now_ms() of the last load */
	double opened_at;
	bool ready; /* its first data arrived */
	bool first_drawn;
};
void view_after_flush(void);
void view_paint(void);
struct view *view_push(const struct view_ops *, void *data);
void view_pop(void);
struct view *view_top(void);
int view_depth(void);
void view_draw_all(void);
void view_dispatch_notify(long long ticket_id);
void view_dispatch_own_change(long long ticket_id); /* reload at once, no throttle */
void view_dispatch_presence(long long ticket_id);
void view_dispatch_unread(long long count);
void view_dispatch_reconnect(void);
void view_tick(void);
void view_close_all(void);
void view_handle_key(int key);
int view_run_action(enum action, const char *arg);

/* The registry: views are opened through these, never through the views' own openers. */
void view_open_overview(void);
void view_open_queue(int queue_id, const char *code, const char *name);
int view_open_search(const char *text, char **cause);
void view_open_ticket(long long id);
void view_open_history(long long id);
void view_open_contact(long long ticket); /* the ticket's requester */
void view_open_help(enum keymap);
void view_open_kb(const char *words, long long for_ticket);
void view_open_notify(void);
long long view_current_ticket(void); /* the ticket shown on top, or 0 */
/* What a view and view.c leave undone (next ticket, new ticket, absence): actions.c. */
void view_set_global_actions(int (*)(enum action, const char *arg));
void view_dirty_on_notify(struct view *, long long ticket_id); /* an on_notify */

/*
 * view-queue.c, view-index.c, view-ticket.c, view-history.c, view-help.c, view-kb.c:
 * their openers are for view.c alone (tests/console/graph-test.sh checks it).
 */
extern const struct view_ops view_queue_ops;
extern const struct view_ops view_index_ops;
extern const struct view_ops view_ticket_ops;
extern const struct view_ops view_history_ops;
extern const struct view_ops view_help_ops;
extern const struct view_ops view_kb_ops;
extern const struct view_ops view_notify_ops;
extern const struct view_ops view_contact_ops;
void view_queue_open(void);
void view_index_open_queue(int queue_id, const char *code, const char *name);
int view_index_open_search(const char *text, char **cause);
void view_ticket_open(long long id);
void view_history_open(long long id);
void view_contact_open(long long ticket);
void view_help_open(enum keymap);
void view_kb_open(const char *words, long long for_ticket);
void view_notify_open(void);
long long view_ticket_current(void);
/* view-notify.c: the unread count changed (conn's event); rings and titles when it grew. */
void notify_unread(long long count);

/* actions.c — ticket actions, single or bulk (one API call each). */
int action_ticket(enum action, const long long *ids, size_t n, const char *seen, const char *arg);
int action_global(enum action, const char *arg);
void ticket_presence(long long ticket, bool writing); /* open, or writing in it */
int action_split(long long ticket, long long article, const char *arg);
int attachment_save(long long attachment, const char *filename, const char *path);
/* The message of a GU002: "changed by X at HH:MM — review". */
char *stale_message(const char *detail);

/* attachment.c — open an attachment in its viewer; files for a reply. */
int attachment_open(long long attachment, const char *filename, const char *content_type);
int attachment_attach(long long ticket); /* asks the path, Tab completing */
/* The files to send with the ticket's reply, as a JSON array (NULL: none). */
int attachment_reply_files(long long ticket, char **json, char **cause);
void attachment_cleanup(void); /* at exit: files viewers may still read */

/* actions-search.c — saved searches. */
void search_save(const char *text);  /* asks the name */
int search_forget(const char *name); /* asks to confirm; 0 when forgotten */
int search_count(const char *text, request_cb, void *owner, void *arg);

/* editor.c — $EDITOR on a draft file, drafts kept until the server accepts them. */
char *draft_path(long long ticket, const char *kind);
/* Edit the draft (created from initial when it does not exist); NULL when empty or aborted. */
char *draft_edit(long long ticket, const char *kind, const char *initial, char **cause);
void draft_done(long long ticket, const char *kind);
/*
 * What goes with a reply draft, beside it (TICKET-reply.EXT): "kb" the
 * knowledge-base article it started from, "template" its template (numbers,
 * 0: none), "attach" the files to attach; draft_done forgets them.
 */
char *draft_side_path(long long ticket, const char *ext);
void draft_set_number(long long ticket, const char *ext, long long n);
long long draft_number(long long ticket, const char *ext);
bool draft_exists(long long ticket, const char *kind);
int drafts_count(char **summary);
int run_editor(const char *path);
int run_pager_text(const char *text);

/* format.c — small helpers shared by views. */
char *format_age(long long seconds);
char *format_countdown(long long seconds);
char *format_time(const char *iso); /* "2026-11-23 11:40" from a timestamptz */
char *format_size(long long bytes);
const char *format_name(const char *status_or_channel); /* translated; others as they are */

#endif
