/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * TirkeuPortalCode:
 *
 * The fixed list of error codes of the portal API contract (data/portal-api.yaml, schema
 * `Error.code`), followed by the failures the client itself detects on the way (network,
 * TLS, a malformed answer). The wire name (tirkeu_portal_code_to_string()) is the contract's
 * spelling. Only append.
 *
 * @TIRKEU_PORTAL_CODE_OKED_MISMATCH: step 1, the seller's OKED is not vehicle trade
 * @TIRKEU_PORTAL_CODE_EPASSPORT_NOT_FOUND: step 3, no electronic vehicle passport for the VIN
 * @TIRKEU_PORTAL_CODE_CUSTOMS_UNPAID: step 4, no customs payment data
 * @TIRKEU_PORTAL_CODE_UTILIZATION_UNPAID: step 5, no utilization fee payment data
 * @TIRKEU_PORTAL_CODE_PERSON_NOT_FOUND: step 7, no such person in GBD FL
 * @TIRKEU_PORTAL_CODE_CONTRACT_NOT_FOUND: step 8, no sale-purchase contract
 * @TIRKEU_PORTAL_CODE_FINES_UNPAID: step 14, the buyer has unpaid administrative fines
 * @TIRKEU_PORTAL_CODE_SIGNATURE_INVALID: the CMS does not verify over the issued bytes
 * @TIRKEU_PORTAL_CODE_SIGNER_NOT_AUTHORIZED: the certificate may not sign for this seller
 * @TIRKEU_PORTAL_CODE_UNAUTHORIZED: no valid session: sign in first
 * @TIRKEU_PORTAL_CODE_SESSION_EXPIRED: the session ended: sign in again
 * @TIRKEU_PORTAL_CODE_RATE_LIMITED: too many requests: wait and retry
 * @TIRKEU_PORTAL_CODE_VALIDATION_FAILED: a field of the request is malformed
 * @TIRKEU_PORTAL_CODE_NOT_FOUND: no such object
 * @TIRKEU_PORTAL_CODE_CONFLICT: the object's state forbids the operation
 * @TIRKEU_PORTAL_CODE_INTERNAL: the portal failed
 * @TIRKEU_PORTAL_CODE_UNAVAILABLE: the portal or one of its systems is temporarily down
 * @TIRKEU_PORTAL_CODE_NETWORK: client side: the portal could not be reached
 * @TIRKEU_PORTAL_CODE_TLS: client side: the portal's certificate is not trusted
 * @TIRKEU_PORTAL_CODE_TIMEOUT: client side: the portal did not answer in time
 * @TIRKEU_PORTAL_CODE_MALFORMED: client side: the answer does not follow the contract
 * @TIRKEU_PORTAL_CODE_TOO_LARGE: client side: the answer is larger than allowed
 * @TIRKEU_PORTAL_CODE_UNKNOWN: a code this client does not know (a newer portal)
 */
typedef enum
{
  TIRKEU_PORTAL_CODE_OKED_MISMATCH,
  TIRKEU_PORTAL_CODE_EPASSPORT_NOT_FOUND,
  TIRKEU_PORTAL_CODE_CUSTOMS_UNPAID,
  TIRKEU_PORTAL_CODE_UTILIZATION_UNPAID,
  TIRKEU_PORTAL_CODE_PERSON_NOT_FOUND,
  TIRKEU_PORTAL_CODE_CONTRACT_NOT_FOUND,
  TIRKEU_PORTAL_CODE_FINES_UNPAID,
  TIRKEU_PORTAL_CODE_SIGNATURE_INVALID,
  TIRKEU_PORTAL_CODE_SIGNER_NOT_AUTHORIZED,
  TIRKEU_PORTAL_CODE_UNAUTHORIZED,
  TIRKEU_PORTAL_CODE_SESSION_EXPIRED,
  TIRKEU_PORTAL_CODE_RATE_LIMITED,
  TIRKEU_PORTAL_CODE_VALIDATION_FAILED,
  TIRKEU_PORTAL_CODE_NOT_FOUND,
  TIRKEU_PORTAL_CODE_CONFLICT,
  TIRKEU_PORTAL_CODE_INTERNAL,
  TIRKEU_PORTAL_CODE_UNAVAILABLE,
  TIRKEU_PORTAL_CODE_NETWORK,
  TIRKEU_PORTAL_CODE_TLS,
  TIRKEU_PORTAL_CODE_TIMEOUT,
  TIRKEU_PORTAL_CODE_MALFORMED,
  TIRKEU_PORTAL_CODE_TOO_LARGE,
  TIRKEU_PORTAL_CODE_UNKNOWN,
} TirkeuPortalCode;

#define TIRKEU_N_PORTAL_CODES (TIRKEU_PORTAL_CODE_UNKNOWN + 1)

const char       *tirkeu_portal_code_to_string   (TirkeuPortalCode code);
TirkeuPortalCode  tirkeu_portal_code_from_string (const char      *name);
gboolean          tirkeu_portal_code_is_wire     (TirkeuPortalCode code);
guint             tirkeu_portal_code_get_step    (TirkeuPortalCode code);

G_END_DECLS
