/*
 * report.h — guichet-report: the report model that every report fills and every
 * output format prints. A report is a title, a period, the filters it ran with,
 * notes, and one or more tables; a table is typed columns and rows of values
 * kept as the text PostgreSQL sent, so that csv and json print exactly what the
 * database computed and the human formats localise it.
 */
#ifndef GUICHET_REPORT_H
#define GUICHET_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include <libpq-fe.h>

/* What a value is: decides alignment, localisation and the json type. */
enum value_type {
	VT_TEXT,     /* untrusted text: sanitised for terminals */
	VT_INT,	     /* an integer count */
	VT_NUMBER,   /* a decimal number, shown with two decimals */
	VT_RATIO,    /* 0..1, shown as a percentage */
	VT_DURATION, /* seconds, shown as "25 min", "3 h 05", "30 h 10", "2 d 04 h" */
	VT_DATE,     /* ISO 8601 date */
	VT_CHANGE,   /* a relative change (-0.25 = -25 %), shown signed */
	VT_MONTH,    /* ISO date of a month's first day, shown as the month */
	VT_ID,	     /* an identifier: a number never grouped by thousands */
};

#define COL_BAR 0x1   /* draw the bar chart of the table from this column */
#define COL_LABEL 0x2 /* part of the row's label in charts */
#define COL_WRAP 0x4  /* text: the last column, when long, wraps under itself (a reason) */

struct report_column {
	char *key;    /* stable key for csv/json */
	char *source; /* the result's column it is read from */
	char *label;  /* translated heading */
	enum value_type type;
	int flags;
};

struct report_row {
	char **values; /* one per column, NULL for SQL NULL */
	bool total;    /* a totals row: set apart, not charted */
};

struct report_table {
	char *key;   /* "main", "oldest", … (--table) */
	char *title; /* translated, may be NULL for the main table */
	struct report_column *columns;
	size_t ncolumns;
	struct report_row *rows;
	size_t nrows;
	bool series; /* the rows are a time series: charts draw columns */
};

struct report_filter {
	char *key;   /* "org", "queue", … */
	char *label; /* translated */
	char *value; /* as given, comma-joined when repeated */
};

/* The arguments of one run, parsed by report-options.c. */
struct report_options {
	const char *conninfo;
	const char *config;
	const char *name; /* the report */
	char from[11];	  /* ISO dates, both inclusive */
	char to[11];
	bool to_given; /* --to was given: the period has a fixed end */
	char at[11];   /* backlog --at, "" for now */
	const char *org;
	const char **queues;
	size_t nqueues;
	const char **services;
	size_t nservices;
	const char **by;
	size_t nby;
	const char *per; /* day, week, month or NULL */
	const char *format;
	const char *output;
	const char *table; /* print only this table */
	long long limit;   /* rows of ranked reports */
	long long min;	   /* hotspots: least tickets in the window */
	bool ascii;
	bool stamp;
	int width; /* text: the line width, 80 by default */
};

struct report {
	char *name;
	char *title;
	char *period; /* "2025-01-01 – 2025-03-31", localised */
	char *from;   /* ISO, for csv/json */
	char *to;
	bool snapshot; /* a state at one time, not a period */
	char *at;      /* the snapshot's ISO date, NULL for now */
	struct report_filter *filters;
	size_t nfilters;
	char **notes; /* translated sentences, Markdown allowed */
	size_t nnotes;
	struct report_table **tables;
	size_t ntables;
	char *stamp; /* generation time with --stamp, else NULL */
};

/* report-model.c */
struct report *report_new(const struct report_options *, const char *title);
void report_free(struct report *);
void report_add_filter(struct report *, const char *key, const char *label, const char *value);
void report_add_note(struct report *, const char *, ...) __attribute__((format(printf, 2, 3)));
struct report_table *report_add_table(struct report *, const char *key, const char *title);
void table_add_column(
    struct report_table *, const char *key, const char *label, enum value_type, int flags);
void table_add_column_as(struct report_table *, const char *key, const char *source,
    const char *label, enum value_type, int flags);
void table_fill(struct report_table *, const PGresult *);
char *table_cell_display(const struct report_table *, size_t row, size_t col);
bool report_is_empty(const struct report *);
bool table_selected(const struct report_options *, const struct report_table *);
int table_bar_column(const struct report_table *);
char *table_row_label(const struct report_table *, size_t row);
const char *value_type_name(enum value_type);

/* report-value.c — values as text, localised or plain. */
void value_init_locale(void);
double value_number(const char *);
char *value_display(enum value_type, const char *raw); /* NULL raw → "–" */
char *value_date_display(const char *iso);
bool value_right_aligned(enum value_type);

/* report-options.c */
int options_parse(int argc, char **argv, struct report_options *, char **cause);
void options_free(struct report_options *); /* the lists options_parse grew */
void options_usage(FILE *);

/* The reports: each fills the model with constant SQL and $n parameters. */
struct report_query {
	PGconn *conn;
	const struct report_options *options;
	const char *params[8]; /* $1 from, $2 to, $3 org, $4 queues, $5 services, … */
	char *owned[8];
	int exit_code; /* sysexits code when a statement failed */
};
typedef struct report *(*report_fn)(struct report_query *, char **cause);

struct report_def {
	const char *name;
	report_fn run;
	unsigned accepts; /* OPT_* beyond the common ones */
	const char *help;
};
#define OPT_BY 0x01
#define OPT_PER 0x02
#define OPT_AT 0x04
#define OPT_LIMIT 0x08
#define OPT_MIN 0x10
const struct report_def *report_find(const char *);
extern const struct report_def report_defs[];

/* report-query.c: run a report's statement through the result gate. */
void report_query_init(struct report_query *, PGconn *, const struct report_options *);
void report_query_set(struct report_query *, int n, const char *value);
void report_query_free(struct report_query *);
int report_query_check_filters(struct report_query *, char **cause);
int report_query_dimension(
    struct report_query *, const char *const *allowed, size_t n, const char **dim, char **cause);
PGresult *report_exec(struct report_query *, const char *sql, int nparams, char **cause);
PGresult *report_exec_params(
    struct report_query *, const char *sql, int nparams, const char *const *params, char **cause);
void report_add_common_filters(struct report *, const struct report_options *);
struct report *
report_new_main(const struct report_options *, const char *title, struct report_table **main);
char *sql_text_array(const char **, size_t);

struct report *report_volume(struct report_query *, char **);
struct report *report_trend(struct report_query *, char **);
struct report *report_sla(struct report_query *, char **);
struct report *report_backlog(struct report_query *, char **);
/* agents, escalations, quality: rows of report-simple.c's table, by o->name */
struct report *report_simple(struct report_query *, char **);
struct report *report_hotspots(struct report_query *, char **);
struct report *report_contacts(struct report_query *, char **);

/* report-volume.c: shared with trend. */
void volume_add_period_column(struct report_table *, const char *per);
void volume_add_dimension_columns(struct report_table *, const char *const *by, size_t nby);

/* The output formats: one printer each, all reading the same model. */
struct format_def {
	const char *name;
	void (*print)(FILE *, const struct report *, const struct report_options *);
};
const struct format_def *format_find(const char *);
void format_text(FILE *, const struct report *, const struct report_options *);
void format_csv(FILE *, const struct report *, const struct report_options *);
void format_json(FILE *, const struct report *, const struct report_options *);
void format_md(FILE *, const struct report *, const struct report_options *);
void format_html(FILE *, const struct report *, const struct report_options *);

/* format-md.c: the Markdown document, also the prose of the html page. */
void md_escape(FILE *, const char *);
void md_heading_block(FILE *, const struct report *);

/* format-html.c */
void html_escape(FILE *, const char *);

/* chart-svg.c */
void chart_svg(FILE *, const struct report_table *);

#endif
