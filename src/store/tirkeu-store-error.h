/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define TIRKEU_STORE_ERROR (tirkeu_store_error_quark ())

typedef enum
{
  TIRKEU_STORE_ERROR_OPEN,
  TIRKEU_STORE_ERROR_CORRUPT,
  TIRKEU_STORE_ERROR_MIGRATION,
  TIRKEU_STORE_ERROR_IO,
  TIRKEU_STORE_ERROR_NOT_FOUND,
  TIRKEU_STORE_ERROR_CONFLICT,
} TirkeuStoreError;

GQuark tirkeu_store_error_quark (void);

G_END_DECLS
