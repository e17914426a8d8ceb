/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define TIRKEU_SANDBOX_ERROR (tirkeu_sandbox_error_quark ())

/**
 * TirkeuSandboxError:
 * @TIRKEU_SANDBOX_ERROR_FIXTURES: the fixtures or messages file is missing or invalid
 * @TIRKEU_SANDBOX_ERROR_STATE: the state directory cannot be read or written
 * @TIRKEU_SANDBOX_ERROR_CERTIFICATE: a certificate or key cannot be made, read or used
 * @TIRKEU_SANDBOX_ERROR_LISTEN: the address cannot be parsed or listened on
 * @TIRKEU_SANDBOX_ERROR_NOT_FOUND: no request with that id
 * @TIRKEU_SANDBOX_ERROR_CONFLICT: the request's stage does not allow the buyer's action
 * @TIRKEU_SANDBOX_ERROR_INVALID: an unknown action or option value
 */

typedef enum
{
  TIRKEU_SANDBOX_ERROR_FIXTURES,
  TIRKEU_SANDBOX_ERROR_STATE,
  TIRKEU_SANDBOX_ERROR_CERTIFICATE,
  TIRKEU_SANDBOX_ERROR_LISTEN,
  TIRKEU_SANDBOX_ERROR_NOT_FOUND,
  TIRKEU_SANDBOX_ERROR_CONFLICT,
  TIRKEU_SANDBOX_ERROR_INVALID,
} TirkeuSandboxError;

GQuark tirkeu_sandbox_error_quark (void);

G_END_DECLS
