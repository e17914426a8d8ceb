/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "tirkeu-core-enums.h"
#include "tirkeu-error.h"
#include "tirkeu-request.h"
#include "tirkeu-vardict-private.h"

/* Version of the variant written by tirkeu_request_to_variant(). A reader refuses a newer
 * version rather than silently dropping what it does not know.
 *
 * 2: the portal's texts (history messages, the refusal reason, the TsON's name and address)
 * are kept in every language: each string holds tirkeu_localized_text_serialize(), and the
 * TsON is two texts ("tson-name", "tson-address") instead of one label ("tson"). Version 1
 * held one string in the language of the sync that fetched it; it is read as a text of
 * unrecorded language, so an old record shows what it showed before.
 *
 * 3: "buyer-deadline" (x, like the other times), the portal's buyer_deadline. An older
 * build would read a version 3 record but drop the deadline without a word, and go on
 * printing buyer summaries without it; the version keeps such a build from reading it
 * at all. Records of versions 1 and 2 have no deadline: none is made up for them. */
#define VARIANT_VERSION 3

struct _TirkeuRequest
{
  GObject parent_instance;

  /* identity */
  char *idempotency_key;
  char *portal_id;

  /* parties */
  char *seller_bin;
  char *seller_name;
  char *buyer_iin;
  char *buyer_name;

  /* owned values */
  TirkeuVehicle *vehicle;
  TirkeuContract *contract;
  GBytes *seller_signature;

  /* state */
  TirkeuStage stage;
  GPtrArray *history;  /* element-type TirkeuStageChange, oldest first, never empty */
  char *refusal_code;
  TirkeuLocalizedText *refusal_reason;
  TirkeuLocalizedText *tson_name;
  TirkeuLocalizedText *tson_address;
  char *plate_type;
  char *unknown_stage;
  GDateTime *buyer_deadline;
  GDateTime *created_at;
  GDateTime *updated_at;

  /* the times are the portal's: a change made while building it does not move them */
  guint portal_times : 1;
};

G_DEFINE_FINAL_TYPE (TirkeuRequest, tirkeu_request, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_IDEMPOTENCY_KEY,
  PROP_PORTAL_ID,
  PROP_SELLER_BIN,
  PROP_SELLER_NAME,
  PROP_BUYER_IIN,
  PROP_BUYER_NAME,
  PROP_VEHICLE,
  PROP_CONTRACT,
  PROP_SELLER_SIGNATURE,
  PROP_STAGE,
  PROP_REFUSAL_CODE,
  PROP_REFUSAL_REASON,
  PROP_TSON_NAME,
  PROP_TSON_ADDRESS,
  PROP_PLATE_TYPE,
  PROP_UNKNOWN_STAGE,
  PROP_BUYER_DEADLINE,
  PROP_CREATED_AT,
  PROP_UPDATED_AT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* g_set_str() needs GLib 2.76; we pin 2.74. Copies before freeing, so @value may alias. */
static gboolean
set_str (char       **field,
         const char  *value)
{
  char *copy;

  if (g_strcmp0 (*field, value) == 0)
    return FALSE;

  copy = g_strdup (value);
  g_free (*field);
  *field = copy;

  return TRUE;
}

static void
touch (TirkeuRequest *self)
{
  if (self->portal_times)
    return;
  g_clear_pointer (&self->updated_at, g_date_time_unref);
  self->updated_at = g_date_time_new_now_utc ();
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UPDATED_AT]);
}

static void
set_string_property (TirkeuRequest  *self,
                     char          **field,
                     const char     *value,
                     guint           prop_id)
{
  if (!set_str (field, value))
    return;

  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
  touch (self);
}

static void
tirkeu_request_finalize (GObject *object)
{
  TirkeuRequest *self = (TirkeuRequest *) object;

  g_clear_pointer (&self->idempotency_key, g_free);
  g_clear_pointer (&self->portal_id, g_free);
  g_clear_pointer (&self->seller_bin, g_free);
  g_clear_pointer (&self->seller_name, g_free);
  g_clear_pointer (&self->buyer_iin, g_free);
  g_clear_pointer (&self->buyer_name, g_free);
  g_clear_pointer (&self->vehicle, tirkeu_vehicle_free);
  g_clear_pointer (&self->contract, tirkeu_contract_free);
  g_clear_pointer (&self->seller_signature, g_bytes_unref);
  g_clear_pointer (&self->history, g_ptr_array_unref);
  g_clear_pointer (&self->refusal_code, g_free);
  g_clear_pointer (&self->refusal_reason, tirkeu_localized_text_unref);
  g_clear_pointer (&self->tson_name, tirkeu_localized_text_unref);
  g_clear_pointer (&self->tson_address, tirkeu_localized_text_unref);
  g_clear_pointer (&self->plate_type, g_free);
  g_clear_pointer (&self->unknown_stage, g_free);
  g_clear_pointer (&self->buyer_deadline, g_date_time_unref);
  g_clear_pointer (&self->created_at, g_date_time_unref);
  g_clear_pointer (&self->updated_at, g_date_time_unref);

  G_OBJECT_CLASS (tirkeu_request_parent_class)->finalize (object);
}

static void
tirkeu_request_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  TirkeuRequest *self = TIRKEU_REQUEST (object);

  switch (prop_id)
    {
    case PROP_IDEMPOTENCY_KEY:
      g_value_set_string (value, self->idempotency_key);
      break;
    case PROP_PORTAL_ID:
      g_value_set_string (value, self->portal_id);
      break;
    case PROP_SELLER_BIN:
      g_value_set_string (value, self->seller_bin);
      break;
    case PROP_SELLER_NAME:
      g_value_set_string (value, self->seller_name);
      break;
    case PROP_BUYER_IIN:
      g_value_set_string (value, self->buyer_iin);
      break;
    case PROP_BUYER_NAME:
      g_value_set_string (value, self->buyer_name);
      break;
    case PROP_VEHICLE:
      g_value_set_boxed (value, self->vehicle);
      break;
    case PROP_CONTRACT:
      g_value_set_boxed (value, self->contract);
      break;
    case PROP_SELLER_SIGNATURE:
      g_value_set_boxed (value, self->seller_signature);
      break;
    case PROP_STAGE:
      g_value_set_enum (value, self->stage);
      break;
    case PROP_REFUSAL_CODE:
      g_value_set_string (value, self->refusal_code);
      break;
    case PROP_REFUSAL_REASON:
      g_value_set_boxed (value, self->refusal_reason);
      break;
    case PROP_TSON_NAME:
      g_value_set_boxed (value, self->tson_name);
      break;
    case PROP_TSON_ADDRESS:
      g_value_set_boxed (value, self->tson_address);
      break;
    case PROP_PLATE_TYPE:
      g_value_set_string (value, self->plate_type);
      break;
    case PROP_UNKNOWN_STAGE:
      g_value_set_string (value, self->unknown_stage);
      break;
    case PROP_BUYER_DEADLINE:
      g_value_set_boxed (value, self->buyer_deadline);
      break;
    case PROP_CREATED_AT:
      g_value_set_boxed (value, self->created_at);
      break;
    case PROP_UPDATED_AT:
      g_value_set_boxed (value, self->updated_at);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tirkeu_request_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  TirkeuRequest *self = TIRKEU_REQUEST (object);

  switch (prop_id)
    {
    case PROP_PORTAL_ID:
      tirkeu_request_set_portal_id (self, g_value_get_string (value));
      break;
    case PROP_SELLER_BIN:
      tirkeu_request_set_seller_bin (self, g_value_get_string (value));
      break;
    case PROP_SELLER_NAME:
      tirkeu_request_set_seller_name (self, g_value_get_string (value));
      break;
    case PROP_BUYER_IIN:
      tirkeu_request_set_buyer_iin (self, g_value_get_string (value));
      break;
    case PROP_BUYER_NAME:
      tirkeu_request_set_buyer_name (self, g_value_get_string (value));
      break;
    case PROP_VEHICLE:
      tirkeu_request_set_vehicle (self, g_value_get_boxed (value));
      break;
    case PROP_CONTRACT:
      tirkeu_request_set_contract (self, g_value_get_boxed (value));
      break;
    case PROP_SELLER_SIGNATURE:
      tirkeu_request_set_seller_signature (self, g_value_get_boxed (value));
      break;
    case PROP_PLATE_TYPE:
      tirkeu_request_set_plate_type (self, g_value_get_string (value));
      break;
    case PROP_UNKNOWN_STAGE:
      tirkeu_request_set_unknown_stage (self, g_value_get_string (value));
      break;
    case PROP_BUYER_DEADLINE:
      tirkeu_request_set_buyer_deadline (self, g_value_get_boxed (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tirkeu_request_class_init (TirkeuRequestClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = tirkeu_request_finalize;
  object_class->get_property = tirkeu_request_get_property;
  object_class->set_property = tirkeu_request_set_property;

  /**
   * TirkeuRequest:idempotency-key:
   *
   * A random UUID made once when the request is created and kept for its whole life. The
   * portal client sends it with the submission, so that a retried submission (a timeout, a
   * crash before the answer was stored) never creates a second request on the portal.
   */
  properties[PROP_IDEMPOTENCY_KEY] =
    g_param_spec_string ("idempotency-key", NULL, NULL, NULL, ro);

  /**
   * TirkeuRequest:portal-id:
   *
   * The portal's identifier of the request, %NULL until the portal assigned one.
   */
  properties[PROP_PORTAL_ID] =
    g_param_spec_string ("portal-id", NULL, NULL, NULL, rw);

  /**
   * TirkeuRequest:seller-bin:
   *
   * The seller's BIN (12 digits), as validated by the identifier functions.
   */
  properties[PROP_SELLER_BIN] =
    g_param_spec_string ("seller-bin", NULL, NULL, NULL, rw);

  /**
   * TirkeuRequest:seller-name:
   *
   * The seller's (legal entity's) name.
   */
  properties[PROP_SELLER_NAME] =
    g_param_spec_string ("seller-name", NULL, NULL, NULL, rw);

  /**
   * TirkeuRequest:buyer-iin:
   *
   * The buyer's IIN (12 digits). Personal data: mask it in logs.
   */
  properties[PROP_BUYER_IIN] =
    g_param_spec_string ("buyer-iin", NULL, NULL, NULL, rw);

  /**
   * TirkeuRequest:buyer-name:
   *
   * The buyer's full name as GBD FL returned it at step 7.
   */
  properties[PROP_BUYER_NAME] =
    g_param_spec_string ("buyer-name", NULL, NULL, NULL, rw);

  /**
   * TirkeuRequest:vehicle:
   *
   * The VIN and the e-passport data, or %NULL before the VIN was entered.
   */
  properties[PROP_VEHICLE] =
    g_param_spec_boxed ("vehicle", NULL, NULL, TIRKEU_TYPE_VEHICLE, rw);

  /**
   * TirkeuRequest:contract:
   *
   * The sale-purchase contract found at step 8, or %NULL.
   */
  properties[PROP_CONTRACT] =
    g_param_spec_boxed ("contract", NULL, NULL, TIRKEU_TYPE_CONTRACT, rw);

  /**
   * TirkeuRequest:seller-signature:
   *
   * The seller's detached CMS signature (DER) made at step 9, or %NULL.
   */
  properties[PROP_SELLER_SIGNATURE] =
    g_param_spec_boxed ("seller-signature", NULL, NULL, G_TYPE_BYTES, rw);

  /**
   * TirkeuRequest:stage:
   *
   * Where the request stands. Changed only by tirkeu_request_advance() and
   * tirkeu_request_apply_portal_stage(), which follow the transition table.
   */
  properties[PROP_STAGE] =
    g_param_spec_enum ("stage", NULL, NULL, TIRKEU_TYPE_STAGE, TIRKEU_STAGE_DRAFT, ro);

  /**
   * TirkeuRequest:refusal-code:
   *
   * The portal's code of the reason for a refusal, %NULL if none. Set with
   * tirkeu_request_set_refusal().
   */
  properties[PROP_REFUSAL_CODE] =
    g_param_spec_string ("refusal-code", NULL, NULL, NULL, ro);

  /**
   * TirkeuRequest:refusal-reason:
   *
   * The portal's text of the reasoned refusal in every language it gave (shown as details),
   * %NULL if none. Set with tirkeu_request_set_refusal().
   */
  properties[PROP_REFUSAL_REASON] =
    g_param_spec_boxed ("refusal-reason", NULL, NULL, TIRKEU_TYPE_LOCALIZED_TEXT, ro);

  /**
   * TirkeuRequest:tson-name:
   *
   * The name of the TsON the buyer chose at step 15, %NULL until then. Set with
   * tirkeu_request_set_tson().
   */
  properties[PROP_TSON_NAME] =
    g_param_spec_boxed ("tson-name", NULL, NULL, TIRKEU_TYPE_LOCALIZED_TEXT, ro);

  /**
   * TirkeuRequest:tson-address:
   *
   * The address of the TsON the buyer chose, %NULL until then or when the portal gave none.
   */
  properties[PROP_TSON_ADDRESS] =
    g_param_spec_boxed ("tson-address", NULL, NULL, TIRKEU_TYPE_LOCALIZED_TEXT, ro);

  /**
   * TirkeuRequest:plate-type:
   *
   * The type of state registration plate the buyer chose at step 15, %NULL until then.
   */
  properties[PROP_PLATE_TYPE] =
    g_param_spec_string ("plate-type", NULL, NULL, NULL, rw);

  /**
   * TirkeuRequest:unknown-stage:
   *
   * The portal's name of the request's stage when this build does not know it (a newer
   * portal), %NULL for a known stage. #TirkeuRequest:stage then holds the last stage of
   * the history this build knows: what is shown must say the stage is not known, not
   * pass that one off as the current stage.
   */
  properties[PROP_UNKNOWN_STAGE] =
    g_param_spec_string ("unknown-stage", NULL, NULL, NULL, rw);

  /**
   * TirkeuRequest:buyer-deadline:
   *
   * When the portal expires the request if the buyer has not finished their part by then
   * (UTC), as the portal last said it; %NULL when it said none (another stage, or a portal
   * older than contract 1.3.0). Never computed by Tirkeu.
   */
  properties[PROP_BUYER_DEADLINE] =
    g_param_spec_boxed ("buyer-deadline", NULL, NULL, G_TYPE_DATE_TIME, rw);

  /**
   * TirkeuRequest:created-at:
   *
   * When the request was created (UTC).
   */
  properties[PROP_CREATED_AT] =
    g_param_spec_boxed ("created-at", NULL, NULL, G_TYPE_DATE_TIME, ro);

  /**
   * TirkeuRequest:updated-at:
   *
   * When this copy of the request last changed (UTC): any property or the stage.
   */
  properties[PROP_UPDATED_AT] =
    g_param_spec_boxed ("updated-at", NULL, NULL, G_TYPE_DATE_TIME, ro);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tirkeu_request_init (TirkeuRequest *self)
{
  self->stage = TIRKEU_STAGE_DRAFT;
  self->history = g_ptr_array_new_with_free_func ((GDestroyNotify) tirkeu_stage_change_free);
}

/**
 * tirkeu_request_new_full:
 * @idempotency_key: the key the request was (or will be) created with: a UUID
 * @created_at: when the portal created it
 * @updated_at: (nullable): when the portal last changed it; %NULL: @created_at
 *
 * A request as the portal knows it, in %TIRKEU_STAGE_DRAFT with one history entry at
 * @created_at. Its times stay the portal's: replaying the portal's history with
 * tirkeu_request_advance() or setting its values does not move them, so that no layer has to
 * rewrite a request's serialized form to carry them.
 *
 * Returns: (transfer full) (nullable): a new #TirkeuRequest, %NULL if @idempotency_key is
 *   not a UUID
 */
TirkeuRequest *
tirkeu_request_new_full (const char *idempotency_key,
                         GDateTime  *created_at,
                         GDateTime  *updated_at)
{
  TirkeuRequest *self;

  g_return_val_if_fail (created_at != NULL, NULL);

  if (idempotency_key == NULL || !g_uuid_string_is_valid (idempotency_key))
    return NULL;

  self = g_object_new (TIRKEU_TYPE_REQUEST, NULL);
  self->idempotency_key = g_strdup (idempotency_key);
  self->created_at = g_date_time_to_utc (created_at);
  self->updated_at = g_date_time_to_utc (updated_at != NULL
                                         && g_date_time_compare (updated_at, created_at) > 0
                                         ? updated_at : created_at);
  self->portal_times = TRUE;
  g_ptr_array_add (self->history,
                   tirkeu_stage_change_new (TIRKEU_STAGE_DRAFT, self->created_at, NULL,
                                            tirkeu_stage_get_entering_actor (TIRKEU_STAGE_DRAFT)));

  return self;
}

/**
 * tirkeu_request_new:
 *
 * A new request in %TIRKEU_STAGE_DRAFT, with a fresh idempotency key, created now. Its
 * history holds one entry, the creation of the draft by the seller.
 *
 * Returns: (transfer full): a new #TirkeuRequest
 */
TirkeuRequest *
tirkeu_request_new (void)
{
  TirkeuRequest *self = g_object_new (TIRKEU_TYPE_REQUEST, NULL);

  self->idempotency_key = g_uuid_string_random ();
  self->created_at = g_date_time_new_now_utc ();
  self->updated_at = g_date_time_ref (self->created_at);
  g_ptr_array_add (self->history,
                   tirkeu_stage_change_new (TIRKEU_STAGE_DRAFT, self->created_at, NULL,
                                            tirkeu_stage_get_entering_actor (TIRKEU_STAGE_DRAFT)));

  return self;
}

#define DEFINE_STRING_ACCESSORS(name, PROP)                                   \
  const char *                                                                \
  tirkeu_request_get_##name (TirkeuRequest *self)                             \
  {                                                                           \
    g_return_val_if_fail (TIRKEU_IS_REQUEST (self), NULL);                    \
    return self->name;                                                        \
  }                                                                           \
  void                                                                        \
  tirkeu_request_set_##name (TirkeuRequest *self,                             \
                             const char    *name)                             \
  {                                                                           \
    g_return_if_fail (TIRKEU_IS_REQUEST (self));                              \
    set_string_property (self, &self->name, name, PROP);                      \
  }

/**
 * tirkeu_request_get_seller_bin:
 * @self: a #TirkeuRequest
 *
 * Returns: (transfer none) (nullable): the seller's BIN
 */
/**
 * tirkeu_request_set_seller_bin:
 * @self: a #TirkeuRequest
 * @seller_bin: (nullable): the seller's BIN
 */
DEFINE_STRING_ACCESSORS (seller_bin, PROP_SELLER_BIN)

/**
 * tirkeu_request_get_seller_name:
 * @self: a #TirkeuRequest
 *
 * Returns: (transfer none) (nullable): the seller's name
 */
/**
 * tirkeu_request_set_seller_name:
 * @self: a #TirkeuRequest
 * @seller_name: (nullable): the seller's name
 */
DEFINE_STRING_ACCESSORS (seller_name, PROP_SELLER_NAME)

/**
 * tirkeu_request_get_buyer_iin:
 * @self: a #TirkeuRequest
 *
 * Returns: (transfer none) (nullable): the buyer's IIN
 */
/**
 * tirkeu_request_set_buyer_iin:
 * @self: a #TirkeuRequest
 * @buyer_iin: (nullable): the buyer's IIN
 */
DEFINE_STRING_ACCESSORS (buyer_iin, PROP_BUYER_IIN)

/**
 * tirkeu_request_get_buyer_name:
 * @self: a #TirkeuRequest
 *
 * Returns: (transfer none) (nullable): the buyer's full name
 */
/**
 * tirkeu_request_set_buyer_name:
 * @self: a #TirkeuRequest
 * @buyer_name: (nullable): the buyer's full name
 */
DEFINE_STRING_ACCESSORS (buyer_name, PROP_BUYER_NAME)

/**
 * tirkeu_request_get_portal_id:
 * @self: a #TirkeuRequest
 *
 * Returns: (transfer none) (nullable): the portal's id of the request
 */
/**
 * tirkeu_request_set_portal_id:
 * @self: a #TirkeuRequest
 * @portal_id: (nullable): the portal's id of the request
 */
DEFINE_STRING_ACCESSORS (portal_id, PROP_PORTAL_ID)

/**
 * tirkeu_request_get_plate_type:
 * @self: a #TirkeuRequest
 *
 * Returns: (transfer none) (nullable): the plate type chosen by the buyer
 */
/**
 * tirkeu_request_set_plate_type:
 * @self: a #TirkeuRequest
 * @plate_type: (nullable): the plate type chosen by the buyer
 */
DEFINE_STRING_ACCESSORS (plate_type, PROP_PLATE_TYPE)

/**
 * tirkeu_request_get_unknown_stage:
 * @self: a #TirkeuRequest
 *
 * Returns: (transfer none) (nullable): the portal's name of a stage this build does not
 *   know, or %NULL when the stage is known
 */
/**
 * tirkeu_request_set_unknown_stage:
 * @self: a #TirkeuRequest
 * @unknown_stage: (nullable): the portal's name of a stage this build does not know, or
 *   %NULL when the stage is known
 */
DEFINE_STRING_ACCESSORS (unknown_stage, PROP_UNKNOWN_STAGE)

/**
 * tirkeu_request_get_buyer_deadline:
 * @self: a #TirkeuRequest
 *
 * Returns: (transfer none) (nullable): when the portal expires the request if the buyer has
 *   not finished by then (UTC), or %NULL if the portal gave no deadline
 */
GDateTime *
tirkeu_request_get_buyer_deadline (TirkeuRequest *self)
{
  g_return_val_if_fail (TIRKEU_IS_REQUEST (self), NULL);

  return self->buyer_deadline;
}

/**
 * tirkeu_request_set_buyer_deadline:
 * @self: a #TirkeuRequest
 * @buyer_deadline: (nullable): the portal's buyer_deadline, or %NULL when it sent none
 */
void
tirkeu_request_set_buyer_deadline (TirkeuRequest *self,
                                   GDateTime     *buyer_deadline)
{
  g_autoptr(GDateTime) utc = NULL;

  g_return_if_fail (TIRKEU_IS_REQUEST (self));

  /* Kept in UTC, as the other times and the serialized form. */
  utc = buyer_deadline != NULL ? g_date_time_to_utc (buyer_deadline) : NULL;
  if (utc == self->buyer_deadline
      || (utc != NULL && self->buyer_deadline != NULL
          && g_date_time_equal (utc, self->buyer_deadline)))
    return;

  g_clear_pointer (&self->buyer_deadline, g_date_time_unref);
  self->buyer_deadline = g_steal_pointer (&utc);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUYER_DEADLINE]);
  touch (self);
}

/**
 * tirkeu_request_dup_unknown_stage_label:
 * @self: a #TirkeuRequest
 *
 * What to show instead of the stage's title when the portal named a stage this build does
 * not know: one text for the app and the CLI.
 *
 * Returns: (transfer full) (nullable): a translated label naming the portal's stage, or
 *   %NULL when the stage is known
 */
char *
tirkeu_request_dup_unknown_stage_label (TirkeuRequest *self)
{
  g_return_val_if_fail (TIRKEU_IS_REQUEST (self), NULL);

  if (self->unknown_stage == NULL)
    return NULL;

  /* Translators: %s is the portal's own name of a stage a newer portal added, e.g.
   * "AWAITING_INSURANCE"; it is shown as the portal sent it */
  return g_strdup_printf (_("Stage not known to this version: %s"), self->unknown_stage);
}

/**
 * tirkeu_request_get_idempotency_key:
 * @self: a #TirkeuRequest
 *
 * Returns: (transfer none): the request's idempotency key, a UUID string
 */
const char *
tirkeu_request_get_idempotency_key (TirkeuRequest *self)
{
  g_return_val_if_fail (TIRKEU_IS_REQUEST (self), NULL);

  return self->idempotency_key;
}

/**
 * tirkeu_request_get_vehicle:
 * @self: a #TirkeuRequest
 *
 * Returns: (transfer none) (nullable): the vehicle; copy it to change it
 */
const TirkeuVehicle *
tirkeu_request_get_vehicle (TirkeuRequest *self)
{
  g_return_val_if_fail (TIRKEU_IS_REQUEST (self), NULL);

  return self->vehicle;
}

/**
 * tirkeu_request_get_vin:
 * @self: a #TirkeuRequest
 *
 * Returns: (transfer none) (nullable): the vehicle's VIN, a shortcut
 */
const char *
tirkeu_request_get_vin (TirkeuRequest *self)
{
  g_return_val_if_fail (TIRKEU_IS_REQUEST (self), NULL);

  return self->vehicle != NULL ? self->vehicle->vin : NULL;
}

/**
 * tirkeu_request_set_vehicle:
 * @self: a #TirkeuRequest
 * @vehicle: (nullable): the vehicle, copied
 *
 * Notifies #TirkeuRequest:vehicle only when a field differs.
 */
void
tirkeu_request_set_vehicle (TirkeuRequest       *self,
                            const TirkeuVehicle *vehicle)
{
  g_return_if_fail (TIRKEU_IS_REQUEST (self));

  if (tirkeu_vehicle_equal (self->vehicle, vehicle))
    return;

  g_clear_pointer (&self->vehicle, tirkeu_vehicle_free);
  if (vehicle != NULL)
    self->vehicle = tirkeu_vehicle_copy (vehicle);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VEHICLE]);
  touch (self);
}

/**
 * tirkeu_request_get_contract:
 * @self: a #TirkeuRequest
 *
 * Returns: (transfer none) (nullable): the contract; copy it to change it
 */
const TirkeuContract *
tirkeu_request_get_contract (TirkeuRequest *self)
{
  g_return_val_if_fail (TIRKEU_IS_REQUEST (self), NULL);

  return self->contract;
}

/**
 * tirkeu_request_set_contract:
 * @self: a #TirkeuRequest
 * @contract: (nullable): the contract, copied
 *
 * Notifies #TirkeuRequest:contract only when a field differs.
 */
void
tirkeu_request_set_contract (TirkeuRequest        *self,
                             const TirkeuContract *contract)
{
  g_return_if_fail (TIRKEU_IS_REQUEST (self));

  if (tirkeu_contract_equal (self->contract, contract))
    return;

  g_clear_pointer (&self->contract, tirkeu_contract_free);
  if (contract != NULL)
    self->contract = tirkeu_contract_copy (contract);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONTRACT]);
  touch (self);
}

/**
 * tirkeu_request_get_seller_signature:
 * @self: a #TirkeuRequest
 *
 * Returns: (transfer none) (nullable): the seller's CMS signature (DER)
 */
GBytes *
tirkeu_request_get_seller_signature (TirkeuRequest *self)
{
  g_return_val_if_fail (TIRKEU_IS_REQUEST (self), NULL);

  return self->seller_signature;
}

/**
 * tirkeu_request_set_seller_signature:
 * @self: a #TirkeuRequest
 * @signature: (nullable): the seller's detached CMS signature (DER)
 */
void
tirkeu_request_set_seller_signature (TirkeuRequest *self,
                                     GBytes        *signature)
{
  g_return_if_fail (TIRKEU_IS_REQUEST (self));

  if (self->seller_signature == signature
      || (self->seller_signature != NULL && signature != NULL
          && g_bytes_equal (self->seller_signature, signature)))
    return;

  g_clear_pointer (&self->seller_signature, g_bytes_unref);
  if (signature != NULL)
    self->seller_signature = g_bytes_ref (signature);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELLER_SIGNATURE]);
  touch (self);
}

/**
 * tirkeu_request_get_stage:
 * @self: a #TirkeuRequest
 *
 * Returns: the stage of the request
 */
TirkeuStage
tirkeu_request_get_stage (TirkeuRequest *self)
{
  g_return_val_if_fail (TIRKEU_IS_REQUEST (self), TIRKEU_STAGE_DRAFT);

  return self->stage;
}

/**
 * tirkeu_request_get_history:
 * @self: a #TirkeuRequest
 *
 * The stage changes Tirkeu saw, oldest first; the last entry is the current stage. The
 * array changes when #TirkeuRequest:stage is notified.
 *
 * Returns: (transfer none) (element-type TirkeuStageChange): the history
 */
GPtrArray *
tirkeu_request_get_history (TirkeuRequest *self)
{
  g_return_val_if_fail (TIRKEU_IS_REQUEST (self), NULL);

  return self->history;
}

static void
enter_stage (TirkeuRequest       *self,
             TirkeuStage          stage,
             GDateTime           *at,
             TirkeuLocalizedText *message)
{
  g_autoptr(GDateTime) now = NULL;

  if (at == NULL)
    at = now = g_date_time_new_now_utc ();

  g_ptr_array_add (self->history,
                   tirkeu_stage_change_new (stage, at, message,
                                            tirkeu_stage_get_entering_actor (stage)));
  self->stage = stage;

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STAGE]);
  touch (self);
}

/**
 * tirkeu_request_advance:
 * @self: a #TirkeuRequest
 * @stage: the next stage
 * @at: (nullable): when it happened, %NULL for now
 * @message: (nullable): the seller's own note for the history, in no recorded language
 * @error: return location for a #GError
 *
 * Moves the request one transition of the table (tirkeu_stage_check_transition()), appends
 * the change to the history and notifies #TirkeuRequest:stage. An illegal transition changes
 * nothing and fails with %TIRKEU_INPUT_ERROR_ILLEGAL_TRANSITION.
 *
 * Returns: %TRUE if the request moved to @stage
 */
gboolean
tirkeu_request_advance (TirkeuRequest  *self,
                        TirkeuStage     stage,
                        GDateTime      *at,
                        const char     *message,
                        GError        **error)
{
  g_return_val_if_fail (TIRKEU_IS_REQUEST (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_autoptr(TirkeuLocalizedText) note = NULL;

  if (!tirkeu_stage_check_transition (self->stage, stage, error))
    return FALSE;

  note = tirkeu_localized_text_new_undetermined (message);
  enter_stage (self, stage, at, tirkeu_localized_text_is_empty (note) ? NULL : note);

  return TRUE;
}

/**
 * tirkeu_request_apply_portal_stage:
 * @self: a #TirkeuRequest
 * @stage: the stage the portal reports
 * @at: (nullable): when the portal says it happened, %NULL for now
 * @message: (nullable): the portal's note for the history, in the languages it gave
 * @error: return location for a #GError
 *
 * Applies the stage a sync with the portal reported. Between two polls the request may have
 * passed several stages (the buyer approved, paid and signed); the jump is accepted when the
 * transition table could have produced it (tirkeu_stage_is_reachable()), and the history
 * records only the stage reported, not the ones in between that Tirkeu never saw. The same
 * stage again is no change and records nothing. A stage the table cannot reach (backwards,
 * out of a final stage) changes nothing and fails with
 * %TIRKEU_INPUT_ERROR_ILLEGAL_TRANSITION: the caller keeps the local stage and reports the
 * portal's answer as unexpected.
 *
 * Returns: %TRUE if the request is now in @stage
 */
gboolean
tirkeu_request_apply_portal_stage (TirkeuRequest  *self,
                                   TirkeuStage     stage,
                                   GDateTime      *at,
                                   TirkeuLocalizedText *message,
                                   GError        **error)
{
  g_return_val_if_fail (TIRKEU_IS_REQUEST (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (stage == self->stage)
    return TRUE;

  if (stage >= TIRKEU_N_STAGES || !tirkeu_stage_is_reachable (self->stage, stage))
    {
      /* not reachable implies not one allowed step: this fills in the error */
      return tirkeu_stage_check_transition (self->stage, stage, error);
    }

  enter_stage (self, stage, at, message);

  return TRUE;
}

/**
 * tirkeu_request_get_refusal_code:
 * @self: a #TirkeuRequest
 *
 * Returns: (transfer none) (nullable): the portal's code of the refusal reason
 */
const char *
tirkeu_request_get_refusal_code (TirkeuRequest *self)
{
  g_return_val_if_fail (TIRKEU_IS_REQUEST (self), NULL);

  return self->refusal_code;
}

/**
 * tirkeu_request_get_refusal_reason:
 * @self: a #TirkeuRequest
 *
 * Pick the language when showing it: tirkeu_localized_text_pick_current().
 *
 * Returns: (transfer none) (nullable): the portal's text of the refusal, in every language
 *   it gave
 */
const TirkeuLocalizedText *
tirkeu_request_get_refusal_reason (TirkeuRequest *self)
{
  g_return_val_if_fail (TIRKEU_IS_REQUEST (self), NULL);

  return self->refusal_reason;
}

/* Replaces *@field by a reference to @value unless they hold the same texts; an empty text is
 * no text. */
static gboolean
set_text (TirkeuLocalizedText **field,
          TirkeuLocalizedText  *value)
{
  if (value != NULL && tirkeu_localized_text_is_empty (value))
    value = NULL;
  if (tirkeu_localized_text_equal (*field, value))
    return FALSE;

  if (value != NULL)
    tirkeu_localized_text_ref (value);
  g_clear_pointer (field, tirkeu_localized_text_unref);
  *field = value;

  return TRUE;
}

/**
 * tirkeu_request_set_refusal:
 * @self: a #TirkeuRequest
 * @code: (nullable): the portal's code of the reason
 * @reason: (nullable): the portal's reasoned refusal, in every language it gave; the request
 *   takes a reference
 *
 * Records the reason of a refusal (step 19 or a re-check of steps 11-13). The user reads
 * the catalogue's message; @reason is shown as the details.
 */
void
tirkeu_request_set_refusal (TirkeuRequest       *self,
                            const char          *code,
                            TirkeuLocalizedText *reason)
{
  gboolean changed = FALSE;

  g_return_if_fail (TIRKEU_IS_REQUEST (self));

  g_object_freeze_notify (G_OBJECT (self));
  if (set_str (&self->refusal_code, code))
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REFUSAL_CODE]);
      changed = TRUE;
    }
  if (set_text (&self->refusal_reason, reason))
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REFUSAL_REASON]);
      changed = TRUE;
    }
  if (changed)
    touch (self);
  g_object_thaw_notify (G_OBJECT (self));
}

/**
 * tirkeu_request_get_tson_name:
 * @self: a #TirkeuRequest
 *
 * Returns: (transfer none) (nullable): the name of the TsON the buyer chose, in every
 *   language the portal gave
 */
const TirkeuLocalizedText *
tirkeu_request_get_tson_name (TirkeuRequest *self)
{
  g_return_val_if_fail (TIRKEU_IS_REQUEST (self), NULL);

  return self->tson_name;
}

/**
 * tirkeu_request_get_tson_address:
 * @self: a #TirkeuRequest
 *
 * Returns: (transfer none) (nullable): the TsON's address, in every language the portal gave
 */
const TirkeuLocalizedText *
tirkeu_request_get_tson_address (TirkeuRequest *self)
{
  g_return_val_if_fail (TIRKEU_IS_REQUEST (self), NULL);

  return self->tson_address;
}

/**
 * tirkeu_request_set_tson:
 * @self: a #TirkeuRequest
 * @name: (nullable): the name of the TsON the buyer chose at step 15; %NULL for none
 * @address: (nullable): its address
 *
 * The request takes a reference to each text.
 */
void
tirkeu_request_set_tson (TirkeuRequest       *self,
                         TirkeuLocalizedText *name,
                         TirkeuLocalizedText *address)
{
  gboolean changed = FALSE;

  g_return_if_fail (TIRKEU_IS_REQUEST (self));

  g_object_freeze_notify (G_OBJECT (self));
  if (set_text (&self->tson_name, name))
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TSON_NAME]);
      changed = TRUE;
    }
  if (set_text (&self->tson_address, address))
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TSON_ADDRESS]);
      changed = TRUE;
    }
  if (changed)
    touch (self);
  g_object_thaw_notify (G_OBJECT (self));
}

/**
 * tirkeu_request_dup_tson_label:
 * @self: a #TirkeuRequest
 * @language: the reader's language: "kk", "ru" or "en" (tirkeu_i18n_get_language() for the
 *   interface's, as it is now)
 *
 * The TsON as one line, "name, address", each part in @language or its next best
 * (tirkeu_localized_text_pick()). For the window, the CLI, notifications and the summary.
 *
 * Returns: (transfer full) (nullable): the label, %NULL when the buyer has not chosen a TsON
 */
char *
tirkeu_request_dup_tson_label (TirkeuRequest *self,
                               const char    *language)
{
  const char *name, *address;

  g_return_val_if_fail (TIRKEU_IS_REQUEST (self), NULL);

  name = tirkeu_localized_text_pick (self->tson_name, language);
  address = tirkeu_localized_text_pick (self->tson_address, language);
  if (name == NULL)
    return NULL;
  if (address == NULL)
    return g_strdup (name);
  return g_strdup_printf ("%s, %s", name, address);
}

/**
 * tirkeu_request_dup_stage_message:
 * @self: a #TirkeuRequest
 * @language: the reader's language: "kk", "ru" or "en"
 *
 * What the portal said when the request entered its current stage (the last entry of the
 * history), in @language or its next best: for a notification or a list that tells what
 * changed.
 *
 * Returns: (transfer full) (nullable): the message, %NULL when the portal said nothing
 */
char *
tirkeu_request_dup_stage_message (TirkeuRequest *self,
                                  const char    *language)
{
  const TirkeuStageChange *last;

  g_return_val_if_fail (TIRKEU_IS_REQUEST (self), NULL);

  if (self->history->len == 0)
    return NULL;
  last = g_ptr_array_index (self->history, self->history->len - 1);
  return g_strdup (tirkeu_localized_text_pick (last->message, language));
}

/**
 * tirkeu_request_set_portal_record:
 * @self: a request built from the portal's answer
 * @created_at: when the portal created it
 * @updated_at: its last change on the portal
 * @idempotency_key: (nullable): the key it was created with, a UUID; %NULL keeps the
 *   request's own
 *
 * Gives a request mapped from the portal the portal's times and key, which a local request
 * makes itself. Call it once the history is replayed: the update time is the portal's, never
 * earlier than the creation, and the draft entry tirkeu_request_new() made "now" takes the
 * portal's creation time.
 */
void
tirkeu_request_set_portal_record (TirkeuRequest *self,
                                  GDateTime     *created_at,
                                  GDateTime     *updated_at,
                                  const char    *idempotency_key)
{
  g_autoptr(GDateTime) created_utc = NULL;
  g_autoptr(GDateTime) updated_utc = NULL;
  TirkeuStageChange *first;

  g_return_if_fail (TIRKEU_IS_REQUEST (self));
  g_return_if_fail (created_at != NULL && updated_at != NULL);
  g_return_if_fail (idempotency_key == NULL || g_uuid_string_is_valid (idempotency_key));

  /* The request keeps its times in UTC, as its serialized form does. */
  created_utc = g_date_time_to_utc (created_at);
  updated_utc = g_date_time_to_utc (updated_at);

  first = g_ptr_array_index (self->history, 0);
  if (first->stage == TIRKEU_STAGE_DRAFT && g_date_time_compare (first->at, created_utc) > 0)
    {
      g_date_time_unref (first->at);
      first->at = g_date_time_ref (created_utc);
    }

  g_clear_pointer (&self->created_at, g_date_time_unref);
  self->created_at = g_date_time_ref (created_utc);
  g_clear_pointer (&self->updated_at, g_date_time_unref);
  self->updated_at = g_date_time_ref (g_date_time_compare (updated_utc, created_utc) < 0
                                      ? created_utc : updated_utc);
  if (idempotency_key != NULL && g_strcmp0 (idempotency_key, self->idempotency_key) != 0)
    {
      g_free (self->idempotency_key);
      self->idempotency_key = g_strdup (idempotency_key);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IDEMPOTENCY_KEY]);
    }
  /* From now on the times are the portal's: a local change (the outbox giving back the
   * signature the portal does not echo) must not make this copy look newer than the portal's
   * next answer, which the journal would then drop as older. */
  self->portal_times = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CREATED_AT]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UPDATED_AT]);
}

/**
 * tirkeu_request_set_idempotency_key:
 * @self: a request from the portal
 * @idempotency_key: the key it was created with, a UUID
 *
 * Gives a request the key it was created with, when the portal's answer left it out (a
 * portal of contract 1.0) and the caller knows it. Nothing else changes, its times neither.
 */
void
tirkeu_request_set_idempotency_key (TirkeuRequest *self,
                                    const char    *idempotency_key)
{
  g_return_if_fail (TIRKEU_IS_REQUEST (self));
  g_return_if_fail (idempotency_key != NULL && g_uuid_string_is_valid (idempotency_key));

  if (g_strcmp0 (idempotency_key, self->idempotency_key) == 0)
    return;
  g_free (self->idempotency_key);
  self->idempotency_key = g_strdup (idempotency_key);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IDEMPOTENCY_KEY]);
}

/**
 * tirkeu_request_get_created_at:
 * @self: a #TirkeuRequest
 *
 * Returns: (transfer none): when the request was created
 */
GDateTime *
tirkeu_request_get_created_at (TirkeuRequest *self)
{
  g_return_val_if_fail (TIRKEU_IS_REQUEST (self), NULL);

  return self->created_at;
}

/**
 * tirkeu_request_get_updated_at:
 * @self: a #TirkeuRequest
 *
 * Returns: (transfer none): when the request last changed
 */
GDateTime *
tirkeu_request_get_updated_at (TirkeuRequest *self)
{
  g_return_val_if_fail (TIRKEU_IS_REQUEST (self), NULL);

  return self->updated_at;
}

/* ---- GVariant ---- */

static const char *
actor_to_string (TirkeuActor actor)
{
  switch (actor)
    {
    case TIRKEU_ACTOR_SELLER:
      return "seller";
    case TIRKEU_ACTOR_BUYER:
      return "buyer";
    case TIRKEU_ACTOR_PORTAL:
      return "portal";
    case TIRKEU_ACTOR_NONE:
    default:
      return "none";
    }
}

static gboolean
actor_from_string (const char  *name,
                   TirkeuActor *actor)
{
  static const TirkeuActor actors[] = {
    TIRKEU_ACTOR_SELLER, TIRKEU_ACTOR_BUYER, TIRKEU_ACTOR_PORTAL, TIRKEU_ACTOR_NONE,
  };

  for (guint i = 0; i < G_N_ELEMENTS (actors); i++)
    {
      if (g_str_equal (actor_to_string (actors[i]), name))
        {
          *actor = actors[i];
          return TRUE;
        }
    }

  return FALSE;
}

static gint64
date_time_to_usec (GDateTime *date_time)
{
  return g_date_time_to_unix (date_time) * G_USEC_PER_SEC
         + g_date_time_get_microsecond (date_time);
}

/* g_date_time_new_from_unix_utc_usec() is GLib 2.80 */
static GDateTime *
date_time_from_usec (gint64 usec)
{
  gint64 seconds = usec / G_USEC_PER_SEC;
  gint64 rest = usec % G_USEC_PER_SEC;
  g_autoptr(GDateTime) whole = NULL;

  if (rest < 0)
    {
      seconds -= 1;
      rest += G_USEC_PER_SEC;
    }

  whole = g_date_time_new_from_unix_utc (seconds);
  if (whole == NULL)
    return NULL;

  return g_date_time_add (whole, rest);
}

static void
add_string (GVariantBuilder *builder,
            const char      *key,
            const char      *value)
{
  if (value != NULL)
    g_variant_builder_add (builder, "{sv}", key, g_variant_new_string (value));
}

/* A text as a string the sqlite3 shell and the journal's columns can read. */
static void
add_text (GVariantBuilder           *builder,
          const char                *key,
          const TirkeuLocalizedText *value)
{
  g_autofree char *serialized = value != NULL ? tirkeu_localized_text_serialize (value) : NULL;

  add_string (builder, key, serialized);
}

/**
 * tirkeu_request_to_variant:
 * @self: a #TirkeuRequest
 *
 * Serializes the whole request, history included, for the local store. The format is a
 * %TIRKEU_REQUEST_VARIANT_TYPE dictionary with a "version" key (u, 3); stages and actors are
 * stored by their wire names, never by number; times as microseconds since the Unix epoch
 * (x, UTC), "buyer-deadline" among them when the portal gave one; the price in tiyn (x); the signature as bytes (ay); the portal's texts (history
 * messages, "refusal-text", "tson-name", "tson-address") as strings holding
 * tirkeu_localized_text_serialize(), every language kept. Keys of unset fields are
 * left out. The result contains personal data (the buyer's IIN and name): files holding it
 * are 0600.
 *
 * Returns: (transfer full): a new, non-floating #GVariant
 */
GVariant *
tirkeu_request_to_variant (TirkeuRequest *self)
{
  GVariantBuilder builder;
  GVariantBuilder history;

  g_return_val_if_fail (TIRKEU_IS_REQUEST (self), NULL);

  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&builder, "{sv}", "version", g_variant_new_uint32 (VARIANT_VERSION));
  add_string (&builder, "idempotency-key", self->idempotency_key);
  add_string (&builder, "portal-id", self->portal_id);
  add_string (&builder, "seller-bin", self->seller_bin);
  add_string (&builder, "seller-name", self->seller_name);
  add_string (&builder, "buyer-iin", self->buyer_iin);
  add_string (&builder, "buyer-name", self->buyer_name);
  if (self->vehicle != NULL)
    g_variant_builder_add (&builder, "{sv}", "vehicle", tirkeu_vehicle_to_variant (self->vehicle));
  if (self->contract != NULL)
    g_variant_builder_add (&builder, "{sv}", "contract",
                           tirkeu_contract_to_variant (self->contract));
  if (self->seller_signature != NULL)
    g_variant_builder_add (&builder, "{sv}", "seller-signature",
                           g_variant_new_from_bytes (G_VARIANT_TYPE_BYTESTRING,
                                                     self->seller_signature, TRUE));
  add_string (&builder, "stage", tirkeu_stage_to_string (self->stage));

  g_variant_builder_init (&history, G_VARIANT_TYPE ("a(sxmss)"));
  for (guint i = 0; i < self->history->len; i++)
    {
      const TirkeuStageChange *change = g_ptr_array_index (self->history, i);

      g_autofree char *message = change->message != NULL
                                 ? tirkeu_localized_text_serialize (change->message) : NULL;

      g_variant_builder_add (&history, "(sxmss)",
                             tirkeu_stage_to_string (change->stage),
                             date_time_to_usec (change->at),
                             message,
                             actor_to_string (change->actor));
    }
  g_variant_builder_add (&builder, "{sv}", "history", g_variant_builder_end (&history));

  add_string (&builder, "refusal-code", self->refusal_code);
  add_text (&builder, "refusal-text", self->refusal_reason);
  add_text (&builder, "tson-name", self->tson_name);
  add_text (&builder, "tson-address", self->tson_address);
  add_string (&builder, "plate-type", self->plate_type);
  add_string (&builder, "unknown-stage", self->unknown_stage);
  if (self->buyer_deadline != NULL)
    g_variant_builder_add (&builder, "{sv}", "buyer-deadline",
                           g_variant_new_int64 (date_time_to_usec (self->buyer_deadline)));
  g_variant_builder_add (&builder, "{sv}", "created-at",
                         g_variant_new_int64 (date_time_to_usec (self->created_at)));
  g_variant_builder_add (&builder, "{sv}", "updated-at",
                         g_variant_new_int64 (date_time_to_usec (self->updated_at)));

  return g_variant_ref_sink (g_variant_builder_end (&builder));
}

static gboolean
damaged (GError     **error,
         const char  *key)
{
  g_set_error (error, TIRKEU_INPUT_ERROR, TIRKEU_INPUT_ERROR_INVALID,
               /* Translators: %s is a field name of the stored data, e.g. "stage" */
               _("The stored request is damaged (field “%s”)."), key);
  return FALSE;
}

/* Looks @key up with the @type it must have: absent is fine (@value stays NULL), another
 * type is damage. */
static gboolean
lookup_typed (GHashTable          *fields,
              const char          *key,
              const GVariantType  *type,
              GVariant           **value,
              GError             **error)
{
  GVariant *found = g_hash_table_lookup (fields, key);

  if (found != NULL && !g_variant_is_of_type (found, type))
    return damaged (error, key);

  *value = found != NULL ? g_variant_ref (found) : NULL;
  return TRUE;
}

static gboolean
lookup_string (GHashTable  *fields,
               const char  *key,
               char       **field,
               GError     **error)
{
  g_autoptr(GVariant) value = NULL;

  if (!lookup_typed (fields, key, G_VARIANT_TYPE_STRING, &value, error))
    return FALSE;
  if (value != NULL)
    *field = g_variant_dup_string (value, NULL);

  return TRUE;
}

/* A stored text of a record of @version: version 1 kept one string in a language nobody
 * recorded, version 2 every language (tirkeu_localized_text_serialize()). Telling them apart
 * by the version, not by the string's look, keeps an old string that happens to read as a
 * dictionary exactly as it was. */
static gboolean
text_from_stored (guint32                version,
                  const char            *stored,
                  const char            *key,
                  TirkeuLocalizedText  **text,
                  GError               **error)
{
  *text = NULL;
  if (stored == NULL || *stored == '\0')
    return TRUE;
  if (version < 2)
    {
      *text = tirkeu_localized_text_new_undetermined (stored);
      return TRUE;
    }

  *text = tirkeu_localized_text_deserialize (stored, NULL);
  return *text != NULL || damaged (error, key);
}

static gboolean
lookup_text (GHashTable           *fields,
             guint32               version,
             const char           *key,
             TirkeuLocalizedText **field,
             GError              **error)
{
  g_autofree char *stored = NULL;

  return lookup_string (fields, key, &stored, error)
         && text_from_stored (version, stored, key, field, error);
}

static gboolean
lookup_date_time (GHashTable  *fields,
                  const char  *key,
                  GDateTime  **field,
                  GError     **error)
{
  g_autoptr(GVariant) value = NULL;

  if (!lookup_typed (fields, key, G_VARIANT_TYPE_INT64, &value, error))
    return FALSE;
  if (value == NULL || (*field = date_time_from_usec (g_variant_get_int64 (value))) == NULL)
    return damaged (error, key);

  return TRUE;
}

/**
 * tirkeu_request_new_from_variant:
 * @variant: a %TIRKEU_REQUEST_VARIANT_TYPE dictionary from tirkeu_request_to_variant()
 * @error: return location for a #GError
 *
 * Restores a request exactly as it was saved, idempotency key, history and times included,
 * without emitting any notification. Unknown keys are ignored; a newer "version", a missing
 * or malformed required field (version, idempotency key, stage, history, created-at,
 * updated-at), a stage this build does not know, or a history whose last entry is not the
 * stage fail with %TIRKEU_INPUT_ERROR_INVALID.
 *
 * Returns: (transfer full) (nullable): the request, or %NULL with @error set
 */
TirkeuRequest *
tirkeu_request_new_from_variant (GVariant  *variant,
                                 GError   **error)
{
  g_autoptr(TirkeuRequest) self = NULL;
  g_autoptr(GHashTable) fields = NULL;
  g_autoptr(GVariant) version = NULL;
  g_autoptr(GVariant) vehicle = NULL;
  g_autoptr(GVariant) contract = NULL;
  g_autoptr(GVariant) signature = NULL;
  g_autoptr(GVariant) history = NULL;
  g_autofree char *stage_name = NULL;
  g_autofree char *old_tson = NULL;
  guint32 format;
  GVariantIter iter;
  const char *change_stage;
  gint64 change_at;
  const char *change_message;
  const char *change_actor;

  g_return_val_if_fail (variant != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!g_variant_is_of_type (variant, G_VARIANT_TYPE (TIRKEU_REQUEST_VARIANT_TYPE)))
    {
      damaged (error, "");
      return NULL;
    }
  fields = _tirkeu_vardict_index (variant);

  if (!lookup_typed (fields, "version", G_VARIANT_TYPE_UINT32, &version, error))
    return NULL;
  if (version == NULL || g_variant_get_uint32 (version) == 0)
    {
      damaged (error, "version");
      return NULL;
    }
  if (g_variant_get_uint32 (version) > VARIANT_VERSION)
    {
      g_set_error (error, TIRKEU_INPUT_ERROR, TIRKEU_INPUT_ERROR_INVALID,
                   _("The stored request was saved by a newer version of Tirkeu."));
      return NULL;
    }
  format = g_variant_get_uint32 (version);

  self = g_object_new (TIRKEU_TYPE_REQUEST, NULL);

  if (!lookup_string (fields, "idempotency-key", &self->idempotency_key, error))
    return NULL;
  if (self->idempotency_key == NULL || !g_uuid_string_is_valid (self->idempotency_key))
    {
      damaged (error, "idempotency-key");
      return NULL;
    }

  if (!lookup_string (fields, "portal-id", &self->portal_id, error)
      || !lookup_string (fields, "seller-bin", &self->seller_bin, error)
      || !lookup_string (fields, "seller-name", &self->seller_name, error)
      || !lookup_string (fields, "buyer-iin", &self->buyer_iin, error)
      || !lookup_string (fields, "buyer-name", &self->buyer_name, error)
      || !lookup_string (fields, "refusal-code", &self->refusal_code, error)
      || !lookup_text (fields, format, "refusal-text", &self->refusal_reason, error)
      || !lookup_text (fields, format, "tson-name", &self->tson_name, error)
      || !lookup_text (fields, format, "tson-address", &self->tson_address, error)
      || !lookup_string (fields, "tson", &old_tson, error)
      || !lookup_string (fields, "plate-type", &self->plate_type, error)
      || !lookup_string (fields, "unknown-stage", &self->unknown_stage, error)
      || !lookup_string (fields, "stage", &stage_name, error))
    return NULL;

  if (!tirkeu_stage_from_string (stage_name, &self->stage))
    {
      damaged (error, "stage");
      return NULL;
    }

  /* Version 1 kept the TsON as one label, "name, address", in one language: it stays whole
   * as the name. */
  if (self->tson_name == NULL && old_tson != NULL && *old_tson != '\0')
    self->tson_name = tirkeu_localized_text_new_undetermined (old_tson);

  if (!lookup_typed (fields, "vehicle", G_VARIANT_TYPE_VARDICT, &vehicle, error)
      || !lookup_typed (fields, "contract", G_VARIANT_TYPE_VARDICT, &contract, error)
      || !lookup_typed (fields, "seller-signature", G_VARIANT_TYPE_BYTESTRING, &signature, error)
      || !lookup_typed (fields, "history", G_VARIANT_TYPE ("a(sxmss)"), &history, error))
    return NULL;

  if (vehicle != NULL
      && (self->vehicle = tirkeu_vehicle_new_from_variant (vehicle, error)) == NULL)
    return NULL;
  if (contract != NULL
      && (self->contract = tirkeu_contract_new_from_variant (contract, error)) == NULL)
    return NULL;
  if (signature != NULL)
    self->seller_signature = g_variant_get_data_as_bytes (signature);

  if (history == NULL)
    {
      damaged (error, "history");
      return NULL;
    }

  g_variant_iter_init (&iter, history);
  while (g_variant_iter_next (&iter, "(&sxm&s&s)",
                              &change_stage, &change_at, &change_message, &change_actor))
    {
      TirkeuStage stage;
      TirkeuActor actor;
      g_autoptr(GDateTime) at = NULL;
      g_autoptr(TirkeuLocalizedText) message = NULL;

      if (!tirkeu_stage_from_string (change_stage, &stage)
          || !actor_from_string (change_actor, &actor)
          || (at = date_time_from_usec (change_at)) == NULL
          || !text_from_stored (format, change_message, "history", &message, error))
        {
          if (error == NULL || *error == NULL)
            damaged (error, "history");
          return NULL;
        }

      g_ptr_array_add (self->history, tirkeu_stage_change_new (stage, at, message, actor));
    }

  if (self->history->len == 0
      || ((TirkeuStageChange *) g_ptr_array_index (self->history,
                                                   self->history->len - 1))->stage != self->stage)
    {
      damaged (error, "history");
      return NULL;
    }

  if (!lookup_date_time (fields, "created-at", &self->created_at, error)
      || !lookup_date_time (fields, "updated-at", &self->updated_at, error))
    return NULL;

  /* Optional, from version 3 on (before, the key meant nothing and is ignored as any
   * unknown key), and then only when the portal gave one. */
  if (format >= 3)
    {
      g_autoptr(GVariant) deadline = NULL;

      if (!lookup_typed (fields, "buyer-deadline", G_VARIANT_TYPE_INT64, &deadline, error))
        return NULL;
      if (deadline != NULL
          && (self->buyer_deadline = date_time_from_usec (g_variant_get_int64 (deadline)))
             == NULL)
        {
          damaged (error, "buyer-deadline");
          return NULL;
        }
    }
  /* A stored request's times are the portal's (the journal orders versions by them): a
   * change made here (the outbox adding the signature the portal does not send back) must
   * not make this copy newer than the portal's next answer, or a later withdrawal or stage
   * would be taken for an older one and dropped. */
  self->portal_times = TRUE;

  return g_steal_pointer (&self);
}
