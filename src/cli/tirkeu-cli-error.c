/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "tirkeu-cli-error.h"

G_DEFINE_QUARK (tirkeu-cli-error-quark, tirkeu_cli_error)
