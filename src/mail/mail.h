/*
 * mail.h — guichet-mail: the mail gateway. Sources hand over raw messages,
 * mime.c turns one into a struct mail, import.c ships it to the server's
 * ingest_message() in pipelined batches, send.c delivers the outbox.
 */
#ifndef GUICHET_MAIL_H
#define GUICHET_MAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <sys/types.h>

#include "common.h"

struct config;

/* What guichet-mail was told, from the command line and guichet.conf. */
struct mail_options {
	const struct config *config;
	const char *conninfo;
	size_t max_size;	   /* bytes: a bigger message is kept raw only */
	size_t max_attachment;	   /* bytes: a bigger attachment stays in the raw message */
	long long rate_cap;	   /* new tickets per sender and day; 0: no cap */
	long long batch;	   /* messages per transaction */
	long long workers;	   /* maildir: importing processes side by side */
	long long lock_wait;	   /* seconds to wait for another run on the source */
	long long parse_timeout;   /* CPU seconds the parser may spend on one message */
	long long parse_memory;	   /* bytes of address space for the parser; 0: no limit */
	const char *tag_prefix;	   /* "Guichet" in "[Guichet #123]" */
	const char *default_queue; /* queue code */
	const char *ack_template;  /* template name, or NULL: no acknowledgement */
	const char *move_to;	   /* maildir/IMAP folder for imported mail, or NULL */
	bool move_to_given;	   /* move_to comes from the command line */
	bool imap_expunge;	   /* IMAP: delete imported mail instead of flagging it */
	bool insecure;		   /* TLS without certificate verification (tests) */
	int verbose;
	bool summary;
	bool progress;
};

/* header.c — header block scanning and decoding (RFC 5322, 2047, 2231). */
struct header {
	char *name;  /* as written */
	char *value; /* unfolded, raw bytes */
};
#define MAX_HEADERS 1000
struct headers {
	struct header *list;
	size_t n;
	size_t dropped; /* fields past MAX_HEADERS, not kept */
};
/* Split the header block of msg; returns the offset of the body. */
size_t headers_parse(struct headers *, const char *msg, size_t len);
void headers_free(struct headers *);
const char *headers_get(const struct headers *, const char *name); /* first one */
/* RFC 2047 words and raw 8-bit bytes decoded to valid UTF-8; *lossy when guessed. */
char *header_decode(const char *value, bool *lossy);
/* RFC 2231 parameter value ("utf-8'fr'%C3%A9t%C3%A9.pdf") to UTF-8. */
char *header_decode_2231(const char *value, bool *lossy);
/* The first address of a From-like header (lower-cased) and its display name. */
int header_mailbox(const char *value, char **addr, char **name);
/*
 * Every address of an address-list header, lower-cased, appended to *list, up
 * to MAX_ADDRESSES in all; returns how many more there were.
 */
#define MAX_ADDRESSES 256
size_t header_addresses(const char *value, char ***list, size_t *n);
/* Every <message-id> of a header, in order, as "<id>" (also when written bare). */
void header_msgids(const char *value, char ***list, size_t *n);

/*
 * mime-scan.c — the shape of a raw message, measured before libetpan parses
 * it; -1 with *cause when it is over a bound (then it is quarantined). With
 * headers_only (a message over mail.max_size) only the header block counts.
 */
#define MIME_MAX_DEPTH 100
#define MIME_MAX_PARTS 10000
#define MIME_MAX_HEADER (256 * 1024)
struct mime_shape {
	size_t parts;
	int depth;
};
int mime_scan(const char *msg, size_t len, bool headers_only, struct mime_shape *, char **cause);

/* html.c — HTML made into readable plain text (UTF-8 in, UTF-8 out). */
char *html_to_text(const char *html, size_t len);

/* mime.c — one message parsed into what ingest_message needs. */
enum mail_loop {
	LOOP_NONE = 0,
	LOOP_AUTOREPLY, /* out-of-office and other answers: never threaded as a request */
	LOOP_BULK,	/* lists, newsletters, auto-generated: no acknowledgement */
	LOOP_BOUNCE,	/* delivery status notification */
};
struct mail_attachment {
	char *filename;
	char *content_type;
	char *data;
	size_t size;
	bool is_inline;
	bool oversized; /* data not kept: the raw message holds it */
};
/* Something a limit left out of the article (see guichet-mail(8), "omitted"). */
struct mail_omission {
	const char *what; /* "text", "attachment", "message", "headers", "recipients", "parts" */
	char *name;	  /* the attachment's, or NULL */
	size_t count;	  /* bytes (text, attachment, message) or how many */
	size_t limit;
};
struct mail {
	char *message_id;
	char *in_reply_to;
	char **refs;
	size_t nrefs;
	char *from_addr;
	char *from_name;
	char *reply_to_addr; /* Reply-To's first address (lower-cased) and name */
	char *reply_to_name;
	char *from; /* decoded header values */
	char *to;
	char *cc;
	char **recipients; /* lower-cased addresses: To, Cc, Delivered-To, X-Original-To */
	size_t nrecipients;
	size_t recipients_dropped; /* past MAX_ADDRESSES */
	char *subject;
	struct strbuf body;
	struct strbuf notes; /* what the importer had to say (oversized parts, …) */
	struct mail_omission *omitted;
	size_t nomitted;
	bool lossy;
	bool oversized;
	long long tag; /* ticket number from the subject tag, or 0 */
	enum mail_loop loop;
	const char *loop_reason;
	bool no_ack; /* a request, but its subject says out-of-office: no acknowledgement */
	const char *no_ack_reason;
	char *bounce_msgid;
	char *bounce_recipient;
	bool bounce_permanent;
	char *bounce_status;
	struct mail_attachment *attachments;
	size_t nattachments;
	struct headers headers;
	char *error; /* not a mail at all: quarantined with this reason */
};
void mail_parse(struct mail *, const char *msg, size_t len, const struct mail_options *);
size_t utf8_prefix(const char *, size_t max);
void mail_free(struct mail *);

/* thread.c — the subject tag, and automatic mail known by its headers. */
long long thread_tag(const char *subject, const char *prefix);
void thread_detect_loop(struct mail *);

/* route.c — "route HEADER PATTERN key=value…" rules of guichet.conf. */
int route_check(const struct config *, char **cause);
/* The first matching rule's settings as a JSON object, or NULL. */
char *route_match(const struct config *, const struct mail *);

/* json.c — the few bits of JSON the gateway writes (json_string: common.h). */
void json_key(struct strbuf *, bool *first, const char *key);

/*
 * sources: each yields raw messages and, once they are committed, removes them.
 * source_*_open returns 0 or the exit status that says why it cannot be read:
 * EX_USAGE (a bad URL), EX_NOPERM (refused), EX_CONFIG, EX_TEMPFAIL.
 */
struct source_msg {
	char *data;
	size_t len;
	char *id;	  /* file name, UID, offset: how to find it again */
	int64_t raw_id;	  /* retry: the raw_message row; else 0 */
	bool truncated;	  /* only the first max_size bytes were read */
	size_t real_size; /* its size when truncated */
};
struct source;
struct source_ops {
	const char *name;
	/* 1: a message, 0: no more, -1: error (*cause; the source is unreachable). */
	int (*next)(struct source *, struct source_msg *, char **cause);
	/* The message is committed in the database: remove or move it. */
	int (*done)(struct source *, struct source_msg *, char **cause);
	/* All done messages are final (mbox: remember the position). */
	int (*sync)(struct source *, char **cause);
	void (*close)(struct source *);
	/* Optional: look again after waiting for another run (maildir). */
	int (*rescan)(struct source *, char **cause);
	/* Optional: start again from the first message (maildir, for the plan). */
	int (*rewind)(struct source *, char **cause);
};
struct source {
	const struct source_ops *ops;
	const struct mail_options *options;
	char *label;  /* "maildir:/path" as stored in raw_message.source */
	size_t total; /* messages expected, for the progress bar; 0 unknown */
	void *data;
};
void source_msg_free(struct source_msg *);
int source_maildir_open(struct source *, const char *dir, char **cause);
int source_mbox_open(struct source *, const char *path, char **cause);
int source_stdin_open(struct source *, char **cause);
int source_imap_open(struct source *, const char *url, char **cause);
int source_pop3_open(struct source *, const char *url, char **cause);
/* Read a whole file or stream; more than max bytes: keep max, set *truncated. */
int read_fd(int fd, size_t max, char **data, size_t *len, bool *truncated, size_t *real);

/* net.c — URLs, passwords (file or ~/.netrc) and certificate checks. */
struct mail_url {
	char *scheme;
	char *user;
	char *host;
	int port;
	char *path;
	bool tls;
};
int mail_url_parse(const char *, struct mail_url *, char **cause);
void mail_url_free(struct mail_url *);
char *mail_password(const struct mail_options *, const struct mail_url *, char **cause);
struct _mailstream;
int tls_verify(struct _mailstream *, const char *host, char **cause);

/* import*.c — the importer's own state, shared by its files. */
#define LOCK_CLASS "1735289203" /* "guic": guichet-mail's advisory locks */
/*
 * Messages are partitioned by thread (at most PARTITIONS, one per worker,
 * import-plan.c); a batch locks the partitions it may touch, in order.
 * Parallel maildir workers each take one, so they run side by side, while
 * one thread's messages stay serialised, in delivery order.
 */
#define PARTITIONS 4
#define PARTITIONS_SQL "4"
struct stats {
	size_t seen, imported, threaded, created, duplicates, quarantined, loops, held;
	size_t oversized, refused;
};

struct item {
	struct source_msg msg;
	char *message_id;
	bool parsed;	       /* js and att hold the document: a batch sent again reuses it */
	bool refused;	       /* not stored whole: left in the source, never sent */
	struct strbuf js, att; /* ingest_message's p_mail and p_attach */
};

/* import-parser.c: the child that parses (pid 0: none running). */
struct parser {
	pid_t pid;
	int to, from;
};

struct import {
	struct mail_options o;
	struct source *src;
	struct pg_conn *conn;	   /* PGconn */
	struct pg_conn *lock_conn; /* behind a pooler: holds the source's lock */
	char *options_json;
	char *tag_prefix; /* the database's tag_prefix setting, when read */
	struct stats st;
	struct item *items;
	size_t nitems;
	struct timespec start, last_draw;
	bool drawn;
	int worker;		  /* the partition this process imports, or -1 for all */
	struct import_plan *plan; /* the partition of each message (import-plan.c) */
	char failed_state[6];	  /* SQLSTATE of the statement that failed a batch */
	struct parser parser;
};
/*
 * import-plan.c: the worker of each message of a maildir, decided before the
 * workers start (plan_make), and of a message (plan_partition).
 */
struct import_plan;
int plan_make(struct import *, char **cause);
int plan_partition(const struct import *, const struct source_msg *);
void plan_free(struct import *);
/* import.c */
int import_run(const struct mail_options *, struct source *);
void import_progress(struct import *, bool final);
/* import-batch.c: run batches until the source is empty; 0 or an exit status. */
int import_drain(struct import *, struct source *, char **cause);
void import_free_items(struct import *);
/*
 * import-parser.c: the document of one message, from the child. -1 when the
 * child died on it (*why says how, for the quarantine); the next call starts
 * a new one.
 */
int parser_start(struct import *);
int parser_parse(struct import *, const char *msg, size_t len, struct strbuf *js,
    struct strbuf *att, char **message_id, char **why);
void parser_stop(struct import *);
/* import-json.c */
char *import_options_json(const struct mail_options *);
void
import_mail_json(const struct import *, const struct mail *, struct strbuf *js, struct strbuf *att);
int parse_run(const struct mail_options *);

/* send.c */
int send_run(const struct mail_options *);
/*
 * compose.c — an outbox row as a MIME message (CR LF line ends); NULL and
 * *cause when it cannot be written (an internationalised address without
 * SMTPUTF8).
 */
struct outgoing {
	const char *from;      /* the desk's address */
	const char *from_name; /* its display name, or NULL */
	const char *to, *cc, *subject, *body, *message_id, *in_reply_to;
	const char *refs; /* PostgreSQL text[] literal or NULL */
	long long ticket;
	bool auto_submitted; /* an acknowledgement: RFC 3834 */
	bool plain_text;     /* the body is plain text, not Markdown */
	bool smtputf8;	     /* the relay takes UTF-8 addresses (RFC 6531) */
	struct mail_attachment *attachments;
	size_t nattachments;
};
char *compose_message(const struct outgoing *, size_t *len, char **cause);
void compose_attachment(struct strbuf *, const char *boundary, const struct mail_attachment *);
/* compose-text.c — Markdown as plain text (no markup) and as safe HTML. */
char *markdown_to_plain(const char *markdown);
char *markdown_to_html(const char *markdown);

#endif
