/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "tirkeu-token-info.h"
#include "tirkeu-token-private.h"

/* A snapshot of one token, made on the token thread. Immutable once made, so it may be handed
 * to the main thread; a new enumeration makes new snapshots. */
struct _TirkeuTokenInfo
{
  GObject parent_instance;

  TirkeuTokenKind kind;
  char *label;
  char *manufacturer;
  char *model;
  char *serial;
  TirkeuPinFlags pin_flags;
};

G_DEFINE_FINAL_TYPE (TirkeuTokenInfo, tirkeu_token_info, G_TYPE_OBJECT)

static void
tirkeu_token_info_finalize (GObject *object)
{
  TirkeuTokenInfo *self = TIRKEU_TOKEN_INFO (object);

  g_clear_pointer (&self->label, g_free);
  g_clear_pointer (&self->manufacturer, g_free);
  g_clear_pointer (&self->model, g_free);
  g_clear_pointer (&self->serial, g_free);

  G_OBJECT_CLASS (tirkeu_token_info_parent_class)->finalize (object);
}

static void
tirkeu_token_info_class_init (TirkeuTokenInfoClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = tirkeu_token_info_finalize;
}

static void
tirkeu_token_info_init (TirkeuTokenInfo *self)
{
}

TirkeuTokenInfo *
_tirkeu_token_info_new (const char     *label,
                        const char     *manufacturer,
                        const char     *model,
                        const char     *serial,
                        TirkeuPinFlags  pin_flags)
{
  TirkeuTokenInfo *self = g_object_new (TIRKEU_TYPE_TOKEN_INFO, NULL);

  self->label = g_strdup (label != NULL ? label : "");
  self->manufacturer = g_strdup (manufacturer != NULL ? manufacturer : "");
  self->model = g_strdup (model != NULL ? model : "");
  self->serial = g_strdup (serial != NULL ? serial : "");
  self->pin_flags = pin_flags;

  return self;
}

void
_tirkeu_token_info_set_kind (TirkeuTokenInfo *self,
                             TirkeuTokenKind  kind)
{
  self->kind = kind;
}

/**
 * tirkeu_token_info_get_kind:
 * @self: a #TirkeuTokenInfo
 *
 * Returns: whether this is a PKCS#11 token or a key file
 */
TirkeuTokenKind
tirkeu_token_info_get_kind (TirkeuTokenInfo *self)
{
  g_return_val_if_fail (TIRKEU_IS_TOKEN_INFO (self), TIRKEU_TOKEN_KIND_PKCS11);
  return self->kind;
}

/**
 * tirkeu_token_info_get_label:
 * @self: a #TirkeuTokenInfo
 *
 * Returns: the token's label
 */
const char *
tirkeu_token_info_get_label (TirkeuTokenInfo *self)
{
  g_return_val_if_fail (TIRKEU_IS_TOKEN_INFO (self), NULL);
  return self->label;
}

/**
 * tirkeu_token_info_get_manufacturer:
 * @self: a #TirkeuTokenInfo
 *
 * Returns: the token's manufacturer
 */
const char *
tirkeu_token_info_get_manufacturer (TirkeuTokenInfo *self)
{
  g_return_val_if_fail (TIRKEU_IS_TOKEN_INFO (self), NULL);
  return self->manufacturer;
}

/**
 * tirkeu_token_info_get_model:
 * @self: a #TirkeuTokenInfo
 *
 * Returns: the token's model
 */
const char *
tirkeu_token_info_get_model (TirkeuTokenInfo *self)
{
  g_return_val_if_fail (TIRKEU_IS_TOKEN_INFO (self), NULL);
  return self->model;
}

/**
 * tirkeu_token_info_get_serial:
 * @self: a #TirkeuTokenInfo
 *
 * The token's serial number: its identity across refreshes of the slot list (slot ids
 * differ between a module and p11-kit-proxy, and libp11 pointers die with a refresh).
 *
 * Returns: the serial number
 */
const char *
tirkeu_token_info_get_serial (TirkeuTokenInfo *self)
{
  g_return_val_if_fail (TIRKEU_IS_TOKEN_INFO (self), NULL);
  return self->serial;
}

/**
 * tirkeu_token_info_get_pin_flags:
 * @self: a #TirkeuTokenInfo
 *
 * Returns: the user PIN flags when the snapshot was made
 */
TirkeuPinFlags
tirkeu_token_info_get_pin_flags (TirkeuTokenInfo *self)
{
  g_return_val_if_fail (TIRKEU_IS_TOKEN_INFO (self), TIRKEU_PIN_FLAGS_NONE);
  return self->pin_flags;
}

/**
 * tirkeu_token_info_get_pin_warning:
 * @self: a #TirkeuTokenInfo
 *
 * A warning about the PIN to show before asking for it: locked, one try left, few tries
 * left, or a default PIN still in use.
 *
 * Returns: (nullable): the translated warning, or %NULL when there is nothing to say
 */
const char *
tirkeu_token_info_get_pin_warning (TirkeuTokenInfo *self)
{
  g_return_val_if_fail (TIRKEU_IS_TOKEN_INFO (self), NULL);

  if (self->pin_flags & TIRKEU_PIN_FLAGS_LOCKED)
    /* Translators: ru «Пароль заблокирован», kk «Құпиясөз бұғатталды» */
    return _("The token's password is locked. Unlock it with the PUK code before signing");
  if (self->pin_flags & TIRKEU_PIN_FLAGS_FINAL_TRY)
    /* Translators: the signing agent's wording: ru «Осталось попыток: 1», kk «Қалған
     * мүмкіндіктер саны: 1» */
    return _("Attempts left: 1. One more wrong password locks the token");
  if (self->pin_flags & TIRKEU_PIN_FLAGS_COUNT_LOW)
    return _("A wrong password was entered. Few attempts are left");
  if (self->pin_flags & TIRKEU_PIN_FLAGS_TO_BE_CHANGED)
    return _("The token still has its factory password. Change it with the token's own "
             "utility before signing");

  return NULL;
}
