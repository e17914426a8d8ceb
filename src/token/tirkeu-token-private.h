/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "tirkeu-certificate.h"
#include "tirkeu-token-info.h"

G_BEGIN_DECLS

/* Where a certificate was found: set by the token thread before the object is handed out,
 * never changed afterwards (the objects are immutable once public, so threads may share
 * them). */
void               _tirkeu_certificate_set_location (TirkeuCertificate *self,
                                                     const char        *token_serial,
                                                     const char        *id,
                                                     const char        *label,
                                                     gboolean           has_private_key);

TirkeuTokenInfo   *_tirkeu_token_info_new           (const char        *label,
                                                     const char        *manufacturer,
                                                     const char        *model,
                                                     const char        *serial,
                                                     TirkeuPinFlags     pin_flags);
/* Set on the token thread before the object is handed out, never afterwards. */
void               _tirkeu_token_info_set_kind      (TirkeuTokenInfo   *self,
                                                     TirkeuTokenKind    kind);

/* A copy of a PIN or password in pages of its own, excluded from core dumps and locked in
 * memory when possible (tirkeu-token-manager.c); @size is set to their size. */
char              *_tirkeu_token_secret_copy        (const char        *secret,
                                                     gsize             *size);
void               _tirkeu_token_secret_free        (char              *copy,
                                                     gsize              size);

G_END_DECLS
