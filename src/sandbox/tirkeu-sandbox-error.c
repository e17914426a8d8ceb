/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "tirkeu-sandbox-error.h"

G_DEFINE_QUARK (tirkeu-sandbox-error-quark, tirkeu_sandbox_error)
