/* SPDX-License-Identifier: GPL-2.0 */
/* uffdkit contract model: every kernel header the emitted C includes maps to one. */
#include <uffdkit/kmodel.h>
