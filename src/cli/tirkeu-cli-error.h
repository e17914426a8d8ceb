/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define TIRKEU_CLI_ERROR (tirkeu_cli_error_quark ())

typedef enum
{
  TIRKEU_CLI_ERROR_USAGE,
} TirkeuCliError;

GQuark tirkeu_cli_error_quark (void);

G_END_DECLS
