/*
 * common.h — libguichet: what the four programs share (memory, strings, logging,
 * the terminal-text sanitiser, charsets, Markdown for terminals, the config file).
 * No curses and no libpq here: see db.h for the database.
 */
#ifndef GUICHET_COMMON_H
#define GUICHET_COMMON_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <sysexits.h>
#include <libintl.h>

#define _(s) gettext(s)
#define N_(s) (s)

#define GUICHET_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define GUICHET_DEAD __attribute__((noreturn))
#define nitems(a) (sizeof(a) / sizeof((a)[0]))

/* util-memory.c — these abort on out-of-memory; raw malloc does not appear. */
void *xmalloc(size_t);
void *xcalloc(size_t, size_t);
void *xreallocarray(void *, size_t, size_t);
char *xstrdup(const char *);
char *xstrndup(const char *, size_t);
int xasprintf(char **, const char *, ...) GUICHET_PRINTF(2, 3);
int xvasprintf(char **, const char *, va_list) GUICHET_PRINTF(2, 0);

/* util-strbuf.c — a growable, always NUL-terminated byte string. */
struct strbuf {
	char *buf;
	size_t len;
	size_t cap;
};
void strbuf_init(struct strbuf *);
void strbuf_add(struct strbuf *, const char *, size_t);
void strbuf_puts(struct strbuf *, const char *);
void strbuf_addch(struct strbuf *, int);
void strbuf_printf(struct strbuf *, const char *, ...) GUICHET_PRINTF(2, 3);
void strbuf_reset(struct strbuf *);
char *strbuf_detach(struct strbuf *); /* caller frees; the strbuf is empty */
void strbuf_free(struct strbuf *);

/* util-log.c — messages are "prog: text" on stderr, or syslog. */
#define LOG_TO_SYSLOG 0x1
#define LOG_FACILITY_MAIL 0x2 /* with LOG_TO_SYSLOG: facility mail, not user */
void log_open(const char *progname, int verbosity, int flags);
const char *log_progname(void);
void log_debug(const char *, ...) GUICHET_PRINTF(1, 2); /* only with -vv */
void log_info(const char *, ...) GUICHET_PRINTF(1, 2);	/* only with -v */
void log_warnx(const char *, ...) GUICHET_PRINTF(1, 2);
void log_warn(const char *, ...) GUICHET_PRINTF(1, 2); /* appends strerror(errno) */
/* Print one line "prog: message" and exit with a sysexits(3) code. */
void die(int ex, const char *, ...) GUICHET_PRINTF(2, 3) GUICHET_DEAD;
/* An impossible state: a bug. */
void fatalx(const char *, ...) GUICHET_PRINTF(1, 2) GUICHET_DEAD;

/* util-misc.c */
int parse_int(const char *, long long min, long long max, long long *out);
char *xdg_path(const char *kind, const char *rest); /* kind: "config", "state", "data" */
int mkdir_p(const char *path, int mode);
/* The value of a hexadecimal digit (either case), or -1. */
int hex_digit(int c);
int parse_size(const char *, size_t *out); /* "25M", "512k", "1048576" */
void base64_encode(struct strbuf *, const unsigned char *, size_t);

/*
 * sanitize.c — untrusted UTF-8 made safe for a terminal or a text report.
 * C0, DEL and C1 controls become visible (ESC as "^[", DEL as "^?", C1 as "<U+009B>"),
 * bidi overrides and zero-width tricks are dropped, invalid UTF-8 becomes U+FFFD,
 * tabs are expanded to 8 columns. With SANITIZE_KEEP_NEWLINES a body keeps its
 * line breaks (CR LF and lone CR become LF); otherwise a line break becomes a space.
 */
#define SANITIZE_KEEP_NEWLINES 0x1
char *sanitize_text(const char *, int flags);
/* Display width in columns of (sanitised) UTF-8, measured with wcwidth. */
int text_width(const char *);
/* A copy clipped to at most width columns, with "…" when cut (never splits a character). */
char *text_clip(const char *, int width);
/* A header value for outgoing mail: CR and LF removed, controls dropped. */
char *sanitize_header(const char *);
/* Is this a character the sanitiser drops (Unicode Cf or default-ignorable)? */
bool text_invisible(uint32_t cp);

/*
 * json.c — s as a JSON string (or null for NULL), appended to sb: controls, C1,
 * bidi and invisible format characters escaped as \uXXXX, invalid UTF-8 as U+FFFD.
 */
void json_string(struct strbuf *sb, const char *s);

/*
 * utf8.c — the one UTF-8 decoder. utf8_decode reads one character of s[0..len)
 * (len > 0) and returns the bytes used (at least 1); an invalid or truncated
 * sequence, an overlong form or a surrogate gives U+FFFD for its maximal subpart,
 * as Unicode recommends. utf8_encode writes 1 to 4 bytes and returns how many.
 * utf8_cpwidth: columns of one character measured with wcwidth in a UTF-8 locale
 * whatever the program's locale (0 for controls and combining marks, 2 for wide).
 */
#define UTF8_REPLACEMENT 0xfffd
size_t utf8_decode(const char *s, size_t len, uint32_t *cp);
size_t utf8_encode(uint32_t cp, char out[4]);
int utf8_cpwidth(uint32_t cp);

/*
 * charset.c — anything to UTF-8 with iconv. The declared charset first, then
 * fallbacks (windows-1252 for mislabelled latin-1, …); undecodable bytes become
 * U+FFFD and *lossy is set. Never fails: unknown charsets are decoded best-effort.
 */
char *charset_to_utf8(const char *in, size_t len, const char *charset, bool *lossy);
bool utf8_valid(const char *, size_t);

/*
 * mdterm.c — Markdown (CommonMark, via cmark) laid out for a terminal of a given
 * width: a list of lines, each a list of spans with a style. The console maps styles
 * to curses attributes; text reports print the plain text.
 */
enum md_style {
	MD_PLAIN = 0,
	MD_EMPH = 0x01,
	MD_STRONG = 0x02,
	MD_CODE = 0x04,
	MD_LINK = 0x08,
	MD_HEADING = 0x10,
	MD_QUOTE = 0x20,
	MD_URL = 0x40,
};
struct md_span {
	char *text; /* sanitised UTF-8 */
	int style;  /* MD_* bits */
};
struct md_line {
	struct md_span *spans;
	size_t nspans;
	int indent; /* columns of indentation (lists, quotes) already in the text */
};
struct md_doc {
	struct md_line *lines;
	size_t nlines;
};
struct md_doc *mdterm_render(const char *markdown, int width);
struct md_doc *mdterm_plain(const char *text, int width); /* mail text: wrap only */
char *mdterm_to_text(const struct md_doc *);		  /* the lines joined with LF */
void mdterm_free(struct md_doc *);

/*
 * config.c — guichet.conf, shared by the four programs. Line syntax:
 *   # comment
 *   set NAME VALUE           (NAME like "database" or "mail.tag_prefix"; VALUE may be "quoted")
 *   bind MAP KEY ACTION      (console key bindings)
 *   route HEADER PATTERN key=value…   (mail routing rules)
 *   color OBJECT FG BG [ATTR]
 * Each line is kept as argv; programs interpret the commands they know.
 */
struct config_line {
	char **argv;
	int argc;
	const char *file;
	int lineno;
};
struct config {
	struct config_line *lines;
	size_t nlines;
	char *path;   /* the last file read (the user's, or -F), or NULL when none was */
	char **files; /* every file read, in order: the lines' file names */
	size_t nfiles;
};
/*
 * Load the system file SYSCONFDIR/guichet/guichet.conf, then over it the user's
 * $XDG_CONFIG_HOME/guichet/guichet.conf, or instead of the user's the file given
 * with -F (path), which must exist; a later "set" wins. Files that are not there
 * are skipped (none at all is an empty config). In a file, an unknown command or
 * setting, or a "set database" that libpq cannot parse, is an error.
 * Returns NULL and sets *cause ("file:line: problem") on error.
 */
struct config *config_load(const char *path, char **cause);
/* The same with the two files named: system, then user (NULL: none). */
struct config *
config_load_layers(const char *system, const char *user, bool user_required, char **cause);
struct config *config_parse_string(const char *text, const char *name, char **cause);
const char *config_get(const struct config *, const char *name); /* last "set NAME" or NULL */
const char *config_get_default(const struct config *, const char *name, const char *def);
int config_get_int(const struct config *, const char *name, long long min, long long max,
    long long def, long long *out, char **cause);
/* yes/no, on/off, true/false, 1/0; unset gives def. 0, or -1 with *cause. */
int config_get_bool(const struct config *, const char *name, bool def, bool *out, char **cause);
void config_free(struct config *);

/*
 * query.c — the console's search language compiled to the parameters $1…$20
 * of a statement, which it passes as one guichet.search_terms value
 * (QUERY_TERMS; the type's attributes are the slots, in this order) to
 * guichet.ticket_search() and the index's functions built on it
 * (src/sql/api/61-console-read.sql). An empty slot is NULL and means "no
 * constraint". Statuses are kept apart (statuses: a text[] literal in
 * canonical order, or NULL when the search names none) because the console
 * pages through one status at a time along its keyset index; the index's
 * functions take them first, and ticket_search reads them with the queue
 * terms to narrow the words' matches.
 * query_parse returns 0, or -1 with *cause "column N: problem".
 */
enum query_slot {	  /* the parameter $N that each holds */
	QS_NONE = 0,	  /* a term that fills no slot (statuses are kept apart) */
	QS_QUEUE_ID,	  /* $1 int: the queue of an index */
	QS_QUEUES,	  /* $2 text[]: queue codes */
	QS_OWNER,	  /* $3 text: the owner's login */
	QS_UNOWNED,	  /* $4 bool: unclaimed (true) or claimed (false) */
	QS_PRIO_MIN,	  /* $5 int */
	QS_PRIO_MAX,	  /* $6 int */
	QS_DISTRICTS,	  /* $7 text[]: lower-case names */
	QS_CREATED_FROM,  /* $8 timestamptz */
	QS_CREATED_UNTIL, /* $9 timestamptz, excluded */
	QS_UPDATED_FROM,  /* $10 timestamptz */
	QS_UPDATED_UNTIL, /* $11 timestamptz, excluded */
	QS_WORDS,	  /* $12 text: websearch_to_tsquery's syntax */
	QS_SUBJECT,	  /* $13 text: an ILIKE pattern */
	QS_REQUESTER,	  /* $14 text: an ILIKE pattern */
	QS_IDS,		  /* $15 bigint[] */
	QS_LEVEL,	  /* $16 int */
	QS_CHANNELS,	  /* $17 text[] */
	QS_FIELD_NAMES,	  /* $18 text[], parallel to… */
	QS_FIELD_VALUES,  /* $19 text[] */
	QS_SERVICES,	  /* $20 text[]: service codes */
};
#define QUERY_NPARAMS QS_SERVICES
struct query {
	char *params[QUERY_NPARAMS]; /* params[slot - 1] is $slot */
	char *statuses;
};
#define QUERY_PARAM(q, slot) ((q)->params[(slot)-1])
int query_parse(struct query *, const char *text, const char *login, time_t now, char **cause);
void query_set_queue(struct query *, int queue_id);
const char *query_status_list(const struct query *, bool all);
void query_free(struct query *);
/* "%value%" for ILIKE, with % _ and \ taken literally (a name typed by an agent). */
char *query_like_pattern(const char *value);
extern const char *const query_keys;
/* The slots as the search_terms value the server's functions take. */
#define QUERY_TERMS                                                                     \
	"ROW($1::int, $2::text[], $3::text, $4::boolean, $5::int, $6::int, $7::text[]," \
	" $8::timestamptz, $9::timestamptz, $10::timestamptz, $11::timestamptz,"        \
	" $12::text, $13::text, $14::text, $15::bigint[], $16::int, $17::text[],"       \
	" $18::text[], $19::text[], $20::text[])::guichet.search_terms"

#endif
