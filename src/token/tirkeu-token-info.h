/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * TirkeuPinFlags:
 * @TIRKEU_PIN_FLAGS_NONE: nothing to report
 * @TIRKEU_PIN_FLAGS_COUNT_LOW: a wrong PIN was entered and few tries are left
 *   (CKF_USER_PIN_COUNT_LOW)
 * @TIRKEU_PIN_FLAGS_FINAL_TRY: one try is left (CKF_USER_PIN_FINAL_TRY)
 * @TIRKEU_PIN_FLAGS_LOCKED: the PIN is locked (CKF_USER_PIN_LOCKED)
 * @TIRKEU_PIN_FLAGS_TO_BE_CHANGED: the default PIN is still in use, or it expired
 *   (CKF_USER_PIN_TO_BE_CHANGED)
 *
 * The user PIN state a token reports: flags, never a count (PKCS#11 2.40, CK_TOKEN_INFO).
 */
typedef enum /*< flags >*/
{
  TIRKEU_PIN_FLAGS_NONE = 0,
  TIRKEU_PIN_FLAGS_COUNT_LOW = 1 << 0,
  TIRKEU_PIN_FLAGS_FINAL_TRY = 1 << 1,
  TIRKEU_PIN_FLAGS_LOCKED = 1 << 2,
  TIRKEU_PIN_FLAGS_TO_BE_CHANGED = 1 << 3,
} TirkeuPinFlags;

/**
 * TirkeuTokenKind:
 * @TIRKEU_TOKEN_KIND_PKCS11: a token (or smart card) reached through the PKCS#11 module
 * @TIRKEU_TOKEN_KIND_KEY_FILE: an NCA key file (PKCS#12) the user opened; its "PIN" is the
 *   file's password
 *
 * What holds the keys. Both are listed, and sign, the same way.
 */
typedef enum
{
  TIRKEU_TOKEN_KIND_PKCS11,
  TIRKEU_TOKEN_KIND_KEY_FILE,
} TirkeuTokenKind;

#define TIRKEU_TYPE_TOKEN_INFO (tirkeu_token_info_get_type ())

G_DECLARE_FINAL_TYPE (TirkeuTokenInfo, tirkeu_token_info, TIRKEU, TOKEN_INFO, GObject)

TirkeuTokenKind tirkeu_token_info_get_kind         (TirkeuTokenInfo *self);
const char     *tirkeu_token_info_get_label        (TirkeuTokenInfo *self);
const char     *tirkeu_token_info_get_manufacturer (TirkeuTokenInfo *self);
const char     *tirkeu_token_info_get_model        (TirkeuTokenInfo *self);
const char     *tirkeu_token_info_get_serial       (TirkeuTokenInfo *self);
TirkeuPinFlags  tirkeu_token_info_get_pin_flags    (TirkeuTokenInfo *self);
const char     *tirkeu_token_info_get_pin_warning  (TirkeuTokenInfo *self);

G_END_DECLS
