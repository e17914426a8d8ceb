/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>
#include <openssl/x509.h>

G_BEGIN_DECLS

/* The largest OCSP answer read: NCA's are about 2 KiB (one certificate, one status). */
#define TIRKEU_OCSP_MAX_RESPONSE_SIZE (64 * 1024)
/* How far the responder's clock may be from ours, in seconds. */
#define TIRKEU_OCSP_CLOCK_SKEW 300

/**
 * TirkeuOcspHash:
 * @TIRKEU_OCSP_HASH_SHA1: the CertID's hashes are SHA-1 (what every responder knows)
 * @TIRKEU_OCSP_HASH_SHA256: SHA-256
 *
 * The hash of the CertID in a request (RFC 6960 4.1.1).
 */
typedef enum
{
  TIRKEU_OCSP_HASH_SHA1,
  TIRKEU_OCSP_HASH_SHA256,
} TirkeuOcspHash;

/**
 * TirkeuOcspStatus:
 * @TIRKEU_OCSP_STATUS_GOOD: not revoked
 * @TIRKEU_OCSP_STATUS_REVOKED: revoked (see #TirkeuOcspResult)
 * @TIRKEU_OCSP_STATUS_UNKNOWN: the responder does not know the certificate
 *
 * A certificate's status as a verified OCSP answer gives it.
 */
typedef enum
{
  TIRKEU_OCSP_STATUS_GOOD,
  TIRKEU_OCSP_STATUS_REVOKED,
  TIRKEU_OCSP_STATUS_UNKNOWN,
} TirkeuOcspStatus;

/**
 * TirkeuOcspResult:
 * @status: the certificate's status
 * @revoked_at: (nullable): when it was revoked (REVOKED only)
 * @revocation_reason: the CRLReason code, or -1 when the answer gives none
 * @this_update: when the responder knew the status to be right
 * @next_update: (nullable): when newer information will be available
 *
 * One verified answer about one certificate.
 */
typedef struct
{
  TirkeuOcspStatus  status;
  GDateTime        *revoked_at;
  int               revocation_reason;
  GDateTime        *this_update;
  GDateTime        *next_update;
} TirkeuOcspResult;

void              tirkeu_ocsp_result_free     (TirkeuOcspResult  *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TirkeuOcspResult, tirkeu_ocsp_result_free)

GBytes           *tirkeu_ocsp_request_new     (X509              *certificate,
                                               X509              *issuer,
                                               TirkeuOcspHash     hash,
                                               GError           **error);
TirkeuOcspResult *tirkeu_ocsp_response_check  (GBytes            *request_der,
                                               GBytes            *response_der,
                                               X509              *issuer,
                                               GDateTime         *now,
                                               GError           **error);
gboolean          tirkeu_certificate_is_issued_by (X509          *certificate,
                                                   X509          *issuer);

const char       *tirkeu_ocsp_status_to_string (TirkeuOcspStatus  status);

G_END_DECLS
