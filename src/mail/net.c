#include "config.h"
#include "common.h"
#include "mail.h"
