/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* GLib and GIO only, like the rest of the desk: the app's sign-in page, the new-request
 * controller and tirkeu-cli all ask a certificate's status through here. */
#include <gio/gio.h>

#include "tirkeu-certificate.h"
#include "tirkeu-config.h"
#include "tirkeu-portal-client.h"

G_BEGIN_DECLS

/**
 * TirkeuCertificateCheckStatus:
 * @TIRKEU_CERTIFICATE_CHECK_GOOD: the responder says the certificate is not revoked
 * @TIRKEU_CERTIFICATE_CHECK_REVOKED: the responder says the certificate is revoked
 * @TIRKEU_CERTIFICATE_CHECK_UNKNOWN: the responder does not know the certificate (not issued
 *   by its CA, or not at all): nothing may be signed with it
 * @TIRKEU_CERTIFICATE_CHECK_UNREACHABLE: no answer that can be trusted was had: the
 *   responder could not be reached, or its answer did not verify (a forged answer is worth
 *   no more than none); the error says which
 *
 * The status of a certificate by OCSP (RFC 6960).
 */
typedef enum
{
  TIRKEU_CERTIFICATE_CHECK_GOOD,
  TIRKEU_CERTIFICATE_CHECK_REVOKED,
  TIRKEU_CERTIFICATE_CHECK_UNKNOWN,
  TIRKEU_CERTIFICATE_CHECK_UNREACHABLE,
} TirkeuCertificateCheckStatus;

/* tirkeu_certificate_check_async() asks the responder of the TirkeuConfig:ocsp-url setting
 * (@config may be NULL: the application's settings when installed, else the defaults)
 * (empty: the portal's /pki/ocsp, through @client, with its TLS trust and deadlines) about
 * @certificate. The issuer it needs (to name the certificate and to trust the answer) is
 * looked for in the TirkeuConfig:ca-certificates file, then the portal's /pki/ca.cer, then
 * the certificate's caIssuers address, and taken only if its key signed
 * @certificate. Needs no sign-in. tirkeu_certificate_check_finish() never fails outright:
 * UNREACHABLE comes with @error set (cancelled: %G_IO_ERROR_CANCELLED), the other statuses
 * without; @revoked_at is set for REVOKED only. */
void                          tirkeu_certificate_check_async   (TirkeuConfig        *config,
                                                                TirkeuPortalClient  *client,
                                                                TirkeuCertificate   *certificate,
                                                                GCancellable        *cancellable,
                                                                GAsyncReadyCallback  callback,
                                                                gpointer             user_data);
TirkeuCertificateCheckStatus  tirkeu_certificate_check_finish  (GAsyncResult        *result,
                                                                GDateTime          **revoked_at,
                                                                GError             **error);

const char                   *tirkeu_certificate_check_status_to_string (TirkeuCertificateCheckStatus status);
const char                   *tirkeu_certificate_check_status_to_id     (TirkeuCertificateCheckStatus status);
gboolean                      tirkeu_certificate_check_should_stop      (TirkeuConfig *config);

/* CAdES-T: the timestamp authority of TirkeuConfig:tsa-url (empty: the portal's /pki/tsa)
 * stamps the signature value of @cms; its token must chain to a CA of the
 * ca-certificates file or the portal's /pki/ca.cer. */
void                          tirkeu_signature_timestamp_async  (TirkeuConfig        *config,
                                                                 TirkeuPortalClient  *client,
                                                                 TirkeuCertificate   *certificate,
                                                                 GBytes              *cms,
                                                                 GCancellable        *cancellable,
                                                                 GAsyncReadyCallback  callback,
                                                                 gpointer             user_data);
GBytes                       *tirkeu_signature_timestamp_finish (GAsyncResult        *result,
                                                                 GError             **error);

G_END_DECLS
