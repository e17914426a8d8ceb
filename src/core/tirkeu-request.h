/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "tirkeu-contract.h"
#include "tirkeu-localized-text.h"
#include "tirkeu-stage.h"
#include "tirkeu-stage-change.h"
#include "tirkeu-vehicle.h"

G_BEGIN_DECLS

#define TIRKEU_TYPE_REQUEST (tirkeu_request_get_type ())

G_DECLARE_FINAL_TYPE (TirkeuRequest, tirkeu_request, TIRKEU, REQUEST, GObject)

/**
 * TIRKEU_REQUEST_VARIANT_TYPE:
 *
 * The #GVariantType string of tirkeu_request_to_variant(): a versioned `a{sv}` dictionary.
 */
#define TIRKEU_REQUEST_VARIANT_TYPE "a{sv}"

TirkeuRequest        *tirkeu_request_new                 (void);
TirkeuRequest        *tirkeu_request_new_full            (const char            *idempotency_key,
                                                          GDateTime             *created_at,
                                                          GDateTime             *updated_at);
TirkeuRequest        *tirkeu_request_new_from_variant    (GVariant              *variant,
                                                          GError               **error);
GVariant             *tirkeu_request_to_variant          (TirkeuRequest         *self);

const char           *tirkeu_request_get_idempotency_key (TirkeuRequest         *self);

const char           *tirkeu_request_get_seller_bin      (TirkeuRequest         *self);
void                  tirkeu_request_set_seller_bin      (TirkeuRequest         *self,
                                                          const char            *seller_bin);
const char           *tirkeu_request_get_seller_name     (TirkeuRequest         *self);
void                  tirkeu_request_set_seller_name     (TirkeuRequest         *self,
                                                          const char            *seller_name);

const char           *tirkeu_request_get_buyer_iin       (TirkeuRequest         *self);
void                  tirkeu_request_set_buyer_iin       (TirkeuRequest         *self,
                                                          const char            *buyer_iin);
const char           *tirkeu_request_get_buyer_name      (TirkeuRequest         *self);
void                  tirkeu_request_set_buyer_name      (TirkeuRequest         *self,
                                                          const char            *buyer_name);

const TirkeuVehicle  *tirkeu_request_get_vehicle         (TirkeuRequest         *self);
void                  tirkeu_request_set_vehicle         (TirkeuRequest         *self,
                                                          const TirkeuVehicle   *vehicle);
const char           *tirkeu_request_get_vin             (TirkeuRequest         *self);

const TirkeuContract *tirkeu_request_get_contract        (TirkeuRequest         *self);
void                  tirkeu_request_set_contract        (TirkeuRequest         *self,
                                                          const TirkeuContract  *contract);

GBytes               *tirkeu_request_get_seller_signature (TirkeuRequest        *self);
void                  tirkeu_request_set_seller_signature (TirkeuRequest        *self,
                                                           GBytes               *signature);

const char           *tirkeu_request_get_portal_id       (TirkeuRequest         *self);
void                  tirkeu_request_set_portal_id       (TirkeuRequest         *self,
                                                          const char            *portal_id);

TirkeuStage           tirkeu_request_get_stage           (TirkeuRequest         *self);
GPtrArray            *tirkeu_request_get_history         (TirkeuRequest         *self);
gboolean              tirkeu_request_advance             (TirkeuRequest         *self,
                                                          TirkeuStage            stage,
                                                          GDateTime             *at,
                                                          const char            *message,
                                                          GError               **error);
gboolean              tirkeu_request_apply_portal_stage  (TirkeuRequest         *self,
                                                          TirkeuStage            stage,
                                                          GDateTime             *at,
                                                          TirkeuLocalizedText   *message,
                                                          GError               **error);
char                 *tirkeu_request_dup_stage_message   (TirkeuRequest         *self,
                                                          const char            *language);

const char           *tirkeu_request_get_refusal_code    (TirkeuRequest         *self);
const TirkeuLocalizedText *tirkeu_request_get_refusal_reason (TirkeuRequest    *self);
void                  tirkeu_request_set_refusal         (TirkeuRequest         *self,
                                                          const char            *code,
                                                          TirkeuLocalizedText   *reason);

const TirkeuLocalizedText *tirkeu_request_get_tson_name    (TirkeuRequest      *self);
const TirkeuLocalizedText *tirkeu_request_get_tson_address (TirkeuRequest      *self);
void                  tirkeu_request_set_tson            (TirkeuRequest         *self,
                                                          TirkeuLocalizedText   *name,
                                                          TirkeuLocalizedText   *address);
char                 *tirkeu_request_dup_tson_label      (TirkeuRequest         *self,
                                                          const char            *language);
const char           *tirkeu_request_get_plate_type      (TirkeuRequest         *self);
void                  tirkeu_request_set_plate_type      (TirkeuRequest         *self,
                                                          const char            *plate_type);
const char           *tirkeu_request_get_unknown_stage   (TirkeuRequest         *self);
void                  tirkeu_request_set_unknown_stage   (TirkeuRequest         *self,
                                                          const char            *unknown_stage);
char                 *tirkeu_request_dup_unknown_stage_label (TirkeuRequest     *self);

GDateTime            *tirkeu_request_get_created_at      (TirkeuRequest         *self);
GDateTime            *tirkeu_request_get_updated_at      (TirkeuRequest         *self);
void                  tirkeu_request_set_portal_record   (TirkeuRequest         *self,
                                                          GDateTime             *created_at,
                                                          GDateTime             *updated_at,
                                                          const char            *idempotency_key);
void                  tirkeu_request_set_idempotency_key (TirkeuRequest         *self,
                                                          const char            *idempotency_key);

G_END_DECLS
