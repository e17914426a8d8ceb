/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define TIRKEU_STORE_ERROR (tirkeu_store_error_quark ())

/**
 * TirkeuStoreError:
 * @TIRKEU_STORE_ERROR_OPEN: the journal file or its folder could not be opened or made private
 * @TIRKEU_STORE_ERROR_CORRUPT: the journal file is damaged or is not a journal
 * @TIRKEU_STORE_ERROR_MIGRATION: the schema could not be brought up to date, or the file was
 *   written by a newer version of the application
 * @TIRKEU_STORE_ERROR_IO: reading or writing failed (disk full, I/O error, locked too long)
 * @TIRKEU_STORE_ERROR_NOT_FOUND: no draft, outbox entry or request with that key
 * @TIRKEU_STORE_ERROR_CONFLICT: the write contradicts what is stored (an idempotency key
 *   whose request the portal already confirmed)
 * @TIRKEU_STORE_ERROR_INVALID: a record handed to the journal lacks a required key or has a
 *   malformed one
 *
 * Errors of the local journal (src/store).
 */
typedef enum
{
  TIRKEU_STORE_ERROR_OPEN,
  TIRKEU_STORE_ERROR_CORRUPT,
  TIRKEU_STORE_ERROR_MIGRATION,
  TIRKEU_STORE_ERROR_IO,
  TIRKEU_STORE_ERROR_NOT_FOUND,
  TIRKEU_STORE_ERROR_CONFLICT,
  TIRKEU_STORE_ERROR_INVALID,
} TirkeuStoreError;

GQuark tirkeu_store_error_quark (void);

G_END_DECLS
