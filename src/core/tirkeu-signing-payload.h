/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * TIRKEU_SIGNING_PAYLOAD_TYPE:
 *
 * The `type` member of every signing payload of a primary registration request.
 */
#define TIRKEU_SIGNING_PAYLOAD_TYPE "tirkeu.primary_registration.v1"

/**
 * TIRKEU_SIGNING_PAYLOAD_MAX_SIZE:
 *
 * The most bytes a decoded signing payload may have: its members are bounded (a 64-character
 * id and contract number, fixed-size identifiers), so anything larger is not a payload.
 */
#define TIRKEU_SIGNING_PAYLOAD_MAX_SIZE 1024

#define TIRKEU_SIGNING_PAYLOAD_ERROR (tirkeu_signing_payload_error_quark ())

/**
 * TirkeuSigningPayloadError:
 * @TIRKEU_SIGNING_PAYLOAD_ERROR_MALFORMED: the bytes are not the contract's canonical form
 * @TIRKEU_SIGNING_PAYLOAD_ERROR_OTHER_VIN: the payload is for another vehicle
 * @TIRKEU_SIGNING_PAYLOAD_ERROR_OTHER_BUYER: the payload is for another buyer
 * @TIRKEU_SIGNING_PAYLOAD_ERROR_OTHER_CONTRACT: the payload is for another contract
 * @TIRKEU_SIGNING_PAYLOAD_ERROR_OTHER_SELLER: the payload is for another seller
 *
 * Why a signing payload may not be signed for the sale the seller confirmed.
 */
typedef enum
{
  TIRKEU_SIGNING_PAYLOAD_ERROR_MALFORMED,
  TIRKEU_SIGNING_PAYLOAD_ERROR_OTHER_VIN,
  TIRKEU_SIGNING_PAYLOAD_ERROR_OTHER_BUYER,
  TIRKEU_SIGNING_PAYLOAD_ERROR_OTHER_CONTRACT,
  TIRKEU_SIGNING_PAYLOAD_ERROR_OTHER_SELLER,
} TirkeuSigningPayloadError;

/**
 * TirkeuSigningPayload:
 * @buyer_iin: 12 digits
 * @contract_number: 1-64 characters
 * @created_at: RFC 3339 UTC with whole seconds, `2026-12-03T09:30:00Z`
 * @request_id: the portal's request id, 1-64 characters of [A-Za-z0-9-]
 * @seller_bin: 12 digits
 * @vin: 17 upper-case characters of the VIN alphabet
 *
 * The members of a signing payload (data/portal-api.yaml, Request.signing_payload). Its
 * `type` is always %TIRKEU_SIGNING_PAYLOAD_TYPE.
 */
typedef struct
{
  char *buyer_iin;
  char *contract_number;
  char *created_at;
  char *request_id;
  char *seller_bin;
  char *vin;
} TirkeuSigningPayload;

GQuark                tirkeu_signing_payload_error_quark (void);

GBytes               *tirkeu_signing_payload_encode      (const TirkeuSigningPayload  *payload);
TirkeuSigningPayload *tirkeu_signing_payload_decode      (GBytes                      *bytes,
                                                          GError                     **error);
gboolean              tirkeu_signing_payload_check       (GBytes                      *payload,
                                                          const char                  *vin,
                                                          const char                  *buyer_iin,
                                                          const char                  *contract_number,
                                                          const char                  *seller_bin,
                                                          GError                     **error);
void                  tirkeu_signing_payload_free        (TirkeuSigningPayload        *payload);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TirkeuSigningPayload, tirkeu_signing_payload_free)

G_END_DECLS
