/*
 * unit.h — what every cmocka unit test of libguichet includes. cmocka needs
 * these system headers before its own, in this order.
 */
#ifndef GUICHET_UNIT_H
#define GUICHET_UNIT_H

#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common.h"

/* Compare a freshly allocated string with what was expected, then free it. */
#define assert_take_string(got, expected)              \
	do {                                           \
		char *got_ = (got);                    \
		assert_non_null(got_);                 \
		assert_string_equal(got_, (expected)); \
		free(got_);                            \
	} while (0)

#endif
