/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define TIRKEU_SANDBOX_ERROR (tirkeu_sandbox_error_quark ())

typedef enum
{
  TIRKEU_SANDBOX_ERROR_FIXTURES,
  TIRKEU_SANDBOX_ERROR_STATE,
  TIRKEU_SANDBOX_ERROR_CERTIFICATE,
  TIRKEU_SANDBOX_ERROR_LISTEN,
} TirkeuSandboxError;

GQuark tirkeu_sandbox_error_quark (void);

G_END_DECLS
