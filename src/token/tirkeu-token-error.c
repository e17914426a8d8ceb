/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "tirkeu-token-error.h"

G_DEFINE_QUARK (tirkeu-token-error-quark, tirkeu_token_error)
