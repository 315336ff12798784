/*
 * actions-bulk.c — one API call per ticket, for one ticket or the tagged ones:
 * the same answers apply to all, and one line says how many changed and which
 * were refused, and why (the server's sentence). A stale write (GU002) reloads
 * the ticket; one made stale by the agent's own previous action goes through.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console.h"
#include "actions.h"

void
action_refresh(long long id)
{
	/* The NOTIFY will come too; this makes the change show at once. */
	view_dispatch_own_change(id);
}

static bool
is_own_change(const char *state, const char *detail)
{
	size_t n = strlen(console.login);

	return strcmp(state, GU_STALE) == 0 && detail != NULL &&
	    strncmp(detail, console.login, n) == 0 && detail[n] == '|';
}

int
run_op(struct op *op, const long long *ids, size_t n, const char *seen)
{
	size_t i, changed = 0, refused = 0;
	struct strbuf why;
	char id[32], state[6], *cause = NULL, *detail = NULL;
	PGresult *res;

	strbuf_init(&why);
	for (i = 0; i < n; i++) {
		snprintf(id, sizeof id, "%lld", ids[i]);
		op->params[0] = id;
		if (op->seen_slot >= 0)
			op->params[op->seen_slot] = n == 1 ? seen : NULL;
		res = conn_call(op->name, op->sql, op->nparams, op->params, &cause, state, &detail);
		if (res == NULL && is_own_change(state, detail)) {
			/*
			 * The ticket changed since it was drawn, but by this agent's
			 * own previous action (keys typed ahead of the reload): no
			 * colleague to review, so the write goes through.
			 */
			free(cause);
			free(detail);
			cause = detail = NULL;
			op->params[op->seen_slot] = NULL;
			res = conn_call(
			    op->name, op->sql, op->nparams, op->params, &cause, state, &detail);
		}
		if (res != NULL) {
			PQclear(res);
			changed++;
			if (op->draft != NULL)
				draft_done(n == 1 ? ids[i] : 0, op->draft);
			action_refresh(ids[i]);
		} else {
			refused++;
			if (strcmp(state, GU_STALE) == 0 && n == 1) {
				free(cause);
				cause = stale_message(detail);
				action_refresh(ids[i]);
			} else if (strcmp(state, GU_CLAIMED) == 0 && detail != NULL) {
				free(cause);
				xasprintf(&cause, _("already claimed by %s"), detail);
				action_refresh(ids[i]);
			}
			if (refused <= 3)
				strbuf_printf(
				    &why, "%s#%lld: %s", refused > 1 ? "; " : "", ids[i], cause);
			if (!conn_ready()) {
				free(cause);
				free(detail);
				cause = detail = NULL;
				refused += n - i - 1;
				break;
			}
		}
		free(cause);
		free(detail);
		cause = detail = NULL;
	}
	if (n == 1 && changed == 1)
		ui_message("#%lld: %s", ids[0], _(op->done));
	else if (n == 1)
		ui_error("%s", why.buf);
	else if (refused == 0)
		ui_message(_("%s: %zu changed"), op->name, changed);
	else
		ui_error(_("%s: %zu changed, %zu refused (%s%s)"), op->name, changed, refused,
		    why.buf, refused > 3 ? "; …" : "");
	strbuf_free(&why);
	return refused == 0 ? 0 : -1;
}
