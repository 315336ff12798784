/*
 * format-html.c — one self-contained page: inline CSS, inline SVG charts, no
 * script, no external reference (fonts, images, links), so that it can be
 * mailed, archived or printed as it is. The prose (title, period, filters) is
 * the Markdown of format-md.c rendered with cmark, whose default is safe: raw
 * HTML is never passed through. The page is also well-formed XML.
 */
#include "config.h"

#include <ctype.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include <cmark.h>

#include "common.h"
#include "report.h"

static const char style[] =
    "body{font-family:system-ui,sans-serif;color:#1b1b1b;background:#fff;"
    "margin:0;padding:1rem;line-height:1.4}"
    "main{max-width:60rem;margin:auto}"
    "h1{font-size:1.5rem;margin:0 0 .5rem}h2{font-size:1.15rem;margin:1.5rem 0 .5rem}"
    ".scroll{overflow-x:auto}"
    "table{border-collapse:collapse;font-variant-numeric:tabular-nums;"
    "margin:.5rem 0}"
    "th,td{padding:.25rem .6rem;border-bottom:1px solid #ddd;text-align:left;"
    "vertical-align:top}"
    "th{border-bottom:2px solid #888}"
    "td.n,th.n{text-align:right;white-space:nowrap}"
    "tr.total td{font-weight:bold;border-top:2px solid #888}"
    "svg{max-width:100%;height:auto;display:block;margin:.5rem 0}"
    "svg text{font-family:system-ui,sans-serif;font-size:12px;fill:#1b1b1b}"
    "svg rect{fill:#2b6cb0}"
    ".notes{color:#444;font-size:.9rem}"
    "@media print{body{padding:0}.scroll{overflow:visible}"
    "svg rect{fill:#555}section{break-inside:avoid}}";

void
html_escape(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&#39;", f);
			break;
		default:
			fputc(*s, f);
		}
	}
}

/* The page's language from LC_MESSAGES: "fr_FR.UTF-8" → "fr", C → "en". */
static void
page_language(char lang[4])
{
	const char *l;

	l = setlocale(LC_MESSAGES, NULL);
	if (l != NULL && islower((unsigned char)l[0]) && islower((unsigned char)l[1]) &&
	    !isalpha((unsigned char)l[2])) {
		lang[0] = l[0];
		lang[1] = l[1];
		lang[2] = '\0';
	} else
		strcpy(lang, "en");
}

static void
html_prose(FILE *f, const struct report *r)
{
	FILE *mem;
	char *md = NULL, *html;
	size_t len = 0;

	if ((mem = open_memstream(&md, &len)) == NULL)
		fatalx("open_memstream");
	md_heading_block(mem, r);
	fclose(mem);
	html = cmark_markdown_to_html(md, len, CMARK_OPT_DEFAULT);
	fputs(html, f);
	free(html);
	free(md);
}

static void
html_table(FILE *f, const struct report_table *t)
{
	size_t i, j;
	char *v;
	bool n;

	fputs("<div class=\"scroll\"><table>\n<thead><tr>", f);
	for (j = 0; j < t->ncolumns; j++) {
		n = value_right_aligned(t->columns[j].type);
		fputs(n ? "<th class=\"n\">" : "<th>", f);
		html_escape(f, t->columns[j].label);
		fputs("</th>", f);
	}
	fputs("</tr></thead>\n<tbody>\n", f);
	for (i = 0; i < t->nrows; i++) {
		fputs(t->rows[i].total ? "<tr class=\"total\">" : "<tr>", f);
		for (j = 0; j < t->ncolumns; j++) {
			n = value_right_aligned(t->columns[j].type);
			v = table_cell_display(t, i, j);
			fputs(n ? "<td class=\"n\">" : "<td>", f);
			html_escape(f, v);
			fputs("</td>", f);
			free(v);
		}
		fputs("</tr>\n", f);
	}
	fputs("</tbody>\n</table></div>\n", f);
	if (t->nrows == 0 || (t->nrows == 1 && t->rows[0].total)) {
		fputs("<p>", f);
		html_escape(f, _("None."));
		fputs("</p>\n", f);
	}
}

void
format_html(FILE *f, const struct report *r, const struct report_options *o)
{
	char lang[4];
	size_t i;

	page_language(lang);
	fprintf(f,
	    "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n"
	    "<meta charset=\"utf-8\"/>\n"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\"/>\n<title>",
	    lang);
	html_escape(f, r->title);
	fprintf(f, "</title>\n<style>%s</style>\n</head>\n<body>\n<main>\n", style);
	html_prose(f, r);
	for (i = 0; i < r->ntables && !report_is_empty(r); i++) {
		if (!table_selected(o, r->tables[i]))
			continue;
		fputs("<section>\n", f);
		if (r->tables[i]->title != NULL) {
			fputs("<h2>", f);
			html_escape(f, r->tables[i]->title);
			fputs("</h2>\n", f);
		}
		chart_svg(f, r->tables[i]);
		html_table(f, r->tables[i]);
		fputs("</section>\n", f);
	}
	if (r->nnotes > 0) {
		fputs("<ul class=\"notes\">\n", f);
		for (i = 0; i < r->nnotes; i++) {
			fputs("<li>", f);
			html_escape(f, r->notes[i]);
			fputs("</li>\n", f);
		}
		fputs("</ul>\n", f);
	}
	fputs("</main>\n</body>\n</html>\n", f);
}
