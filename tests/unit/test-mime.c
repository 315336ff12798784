/*
 * test-mime.c — mime.c: a raw message made into what ingest_message needs.
 */
#include "unit.h"

#include "mail.h"

static void
utf8_prefix_cuts_between_characters(void **state)
{
	assert_int_equal(utf8_prefix("abc", 80), 3);
	assert_int_equal(utf8_prefix("ab\xc3\xa9", 3), 2);
	assert_int_equal(utf8_prefix("ab\xc3\xa9", 4), 4);
	assert_int_equal(utf8_prefix("\xe6\x97\xa5\xe6\x97\xa5", 4), 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(utf8_prefix_cuts_between_characters),
	};

	log_open("test-mime", 0, 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
