/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define TIRKEU_CLI_ERROR (tirkeu_cli_error_quark ())

/**
 * TirkeuCliError:
 * @TIRKEU_CLI_ERROR_USAGE: the command line is wrong (exit status 2)
 * @TIRKEU_CLI_ERROR_PIN: the PIN could not be read (no terminal, fd closed, too long)
 */
typedef enum
{
  TIRKEU_CLI_ERROR_USAGE,
  TIRKEU_CLI_ERROR_PIN,
} TirkeuCliError;

GQuark  tirkeu_cli_error_quark     (void);
char   *tirkeu_cli_error_describe (const GError *error);

G_END_DECLS
