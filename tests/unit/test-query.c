/*
 * test-query.c — the console's search language: each term lands in its fixed
 * parameter slot (enum query_slot in common.h), values keep their text, and errors
 * name the column where they are.
 */
#include "unit.h"

#include <time.h>

/* 2026-03-15 12:00:00 UTC, read in TZ=UTC. */
#define NOW ((time_t)1773576000)

/* Slot n (1-based, as $n in QUERY_TERMS), or NULL. */
#define P(q, n) ((q).params[(n)-1])

static void
parse_ok(struct query *q, const char *text)
{
	char *cause = NULL;

	if (query_parse(q, text, "alice", NOW, &cause) != 0)
		fail_msg("query_parse(\"%s\"): %s", text, cause);
}

static void
assert_error(const char *text, const char *expected)
{
	struct query q;
	char *cause = NULL;

	assert_int_equal(query_parse(&q, text, "alice", NOW, &cause), -1);
	assert_non_null(cause);
	assert_string_equal(cause, expected);
	free(cause);
}

static void
the_issue_example_fills_its_slots(void **state)
{
	struct query q;
	int i;

	parse_ok(&q,
	    "status:open queue:voirie owner:me prio:>=3 district:Nord "
	    "created:>2026-01-01 \"dépôt sauvage\"");
	assert_string_equal(q.statuses, "{open}");
	assert_string_equal(P(q, 2), "{\"voirie\"}");
	assert_string_equal(P(q, 3), "alice");
	assert_string_equal(P(q, 5), "3");
	assert_null(P(q, 6));
	assert_string_equal(P(q, 7), "{\"nord\"}");
	assert_string_equal(P(q, 8), "2026-01-02");
	assert_null(P(q, 9));
	assert_string_equal(P(q, 12), "\"dépôt sauvage\"");
	for (i = 13; i <= QUERY_NPARAMS; i++)
		assert_null(P(q, i));
	query_free(&q);
}

static void
an_empty_search_constrains_nothing(void **state)
{
	struct query q;
	int i;

	parse_ok(&q, "   ");
	for (i = 1; i <= QUERY_NPARAMS; i++)
		assert_null(P(q, i));
	assert_null(q.statuses);
	assert_string_equal(query_status_list(&q, false), "{new,open,pending}");
	assert_string_equal(query_status_list(&q, true), "{new,open,pending,resolved,closed}");
	query_free(&q);
}

static void
statuses_come_in_canonical_order(void **state)
{
	struct query q;

	parse_ok(&q, "status:pending,NEW status:closed");
	assert_string_equal(q.statuses, "{new,pending,closed}");
	assert_string_equal(query_status_list(&q, false), "{new,pending,closed}");
	query_free(&q);
	parse_ok(&q, "status:active");
	assert_string_equal(q.statuses, "{new,open,pending}");
	query_free(&q);
	assert_error("status:opened", "column 1: unknown value: opened");
}

static void
priorities_compare_and_intersect(void **state)
{
	struct query q;

	parse_ok(&q, "prio:2..4");
	assert_string_equal(P(q, 5), "2");
	assert_string_equal(P(q, 6), "4");
	query_free(&q);
	parse_ok(&q, "priority:<3");
	assert_null(P(q, 5));
	assert_string_equal(P(q, 6), "2");
	query_free(&q);
	parse_ok(&q, "prio:>1 prio:<=4");
	assert_string_equal(P(q, 5), "2");
	assert_string_equal(P(q, 6), "4");
	query_free(&q);
	parse_ok(&q, "prio:5");
	assert_string_equal(P(q, 5), "5");
	assert_null(P(q, 6));
	query_free(&q);
	assert_error("prio:>=4 prio:<2", "column 1: no priority satisfies these bounds");
	assert_error("prio:>=9", "column 1: a priority is a number from 1 to 5: 9");
	assert_error("prio:high", "column 1: a priority is a number from 1 to 5: high");
}

static void
dates_become_half_open_day_ranges(void **state)
{
	struct query q;

	parse_ok(&q, "created:2026-02-28");
	assert_string_equal(P(q, 8), "2026-02-28");
	assert_string_equal(P(q, 9), "2026-03-01");
	query_free(&q);
	parse_ok(&q, "created:<=2024-12-31 updated:>=yesterday");
	assert_null(P(q, 8));
	assert_string_equal(P(q, 9), "2025-01-01");
	assert_string_equal(P(q, 10), "2026-03-14");
	query_free(&q);
	parse_ok(&q, "updated:<7d created:2026-01-01..2026-01-31");
	assert_string_equal(P(q, 11), "2026-03-08");
	assert_string_equal(P(q, 8), "2026-01-01");
	assert_string_equal(P(q, 9), "2026-02-01");
	query_free(&q);
	parse_ok(&q, "created:>2w");
	assert_string_equal(P(q, 8), "2026-03-02");
	query_free(&q);
	assert_error("created:2026-02-30",
	    "column 1: a date is YYYY-MM-DD, today, yesterday, Nd or Nw: 2026-02-30");
}

static void
owners_ids_and_other_keys(void **state)
{
	struct query q;

	parse_ok(&q, "owner:bob #12 id:3,#4 level:2 channel:phone,DESK service:voirie-nid");
	assert_string_equal(P(q, 3), "bob");
	assert_string_equal(P(q, 15), "{12,3,4}");
	assert_string_equal(P(q, 16), "2");
	assert_string_equal(P(q, 17), "{\"phone\",\"desk\"}");
	assert_string_equal(P(q, 20), "{\"voirie-nid\"}");
	query_free(&q);
	parse_ok(&q, "owner:none");
	assert_null(P(q, 3));
	assert_string_equal(P(q, 4), "true");
	query_free(&q);
	parse_ok(&q, "field:quartier=Nord field:reference=\"A 12\"");
	assert_string_equal(P(q, 18), "{\"quartier\",\"reference\"}");
	assert_string_equal(P(q, 19), "{\"Nord\",\"A 12\"}");
	query_free(&q);
	assert_error("field:quartier", "column 1: a field term is field:NAME=VALUE: quartier");
	assert_error("level:3", "column 1: a level is 1 or 2: 3");
	assert_error("channel:fax", "column 1: unknown value: fax");
}

static void
text_is_kept_as_data(void **state)
{
	struct query q;

	/* Substring patterns: % _ and \ are literal. */
	parse_ok(&q, "subject:50%_off requester:o'brien");
	assert_string_equal(P(q, 13), "%50\\%\\_off%");
	assert_string_equal(P(q, 14), "%o'brien%");
	query_free(&q);
	/* Array elements are quoted for the array literal. */
	parse_ok(&q, "queue:\"a\\\"b,c\"");
	assert_string_equal(P(q, 2), "{\"a\\\"b\",\"c\"}");
	query_free(&q);
	/* Free words go to websearch_to_tsquery as they are; SQL is never involved. */
	parse_ok(&q, "'); DROP TABLE guichet.ticket; -- -spam \"two words\"");
	assert_string_equal(P(q, 12), "'); DROP TABLE guichet.ticket; -- -spam \"two words\"");
	query_free(&q);
}

static void
errors_say_where(void **state)
{
	assert_error("status:open  bogus:1", "column 14: unknown key: bogus");
	assert_error("subject:\"nid de", "column 9: unterminated quote");
	assert_error("owner:", "column 7: a value is missing");
	/* Columns count characters, not bytes. */
	assert_error("dépôt statut:x", "column 7: unknown key: statut");
}

static void
the_queue_of_an_index(void **state)
{
	struct query q;

	parse_ok(&q, "");
	query_set_queue(&q, 42);
	assert_string_equal(P(q, 1), "42");
	query_free(&q);
	/* The keys the help lists, made from the key table (aliases left out). */
	assert_string_equal(query_keys,
	    "status queue owner prio district created updated "
	    "subject requester id level channel service field");
}

static void
like_patterns_take_wildcards_literally(void **state)
{
	char *p;

	p = query_like_pattern("o_brien 50% a\\b");
	assert_string_equal(p, "%o\\_brien 50\\% a\\\\b%");
	free(p);
	p = query_like_pattern("");
	assert_string_equal(p, "%%");
	free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_issue_example_fills_its_slots),
		cmocka_unit_test(an_empty_search_constrains_nothing),
		cmocka_unit_test(statuses_come_in_canonical_order),
		cmocka_unit_test(priorities_compare_and_intersect),
		cmocka_unit_test(dates_become_half_open_day_ranges),
		cmocka_unit_test(owners_ids_and_other_keys),
		cmocka_unit_test(text_is_kept_as_data),
		cmocka_unit_test(errors_say_where),
		cmocka_unit_test(the_queue_of_an_index),
		cmocka_unit_test(like_patterns_take_wildcards_literally),
	};

	setenv("TZ", "UTC", 1);
	tzset();
	log_open("test-query", 0, 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
