/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <openssl/x509.h>

#include "tirkeu-certificate.h"

G_BEGIN_DECLS

/**
 * TirkeuCmsSignFunc:
 * @signed_attributes_der: the DER of the signed attributes (a SET OF Attribute, tag 0x31),
 *   the exact bytes to sign
 * @user_data: the data given to tirkeu_cms_sign_detached()
 * @error: the reason it could not sign
 *
 * Makes the raw SignerInfo.signature over @signed_attributes_der with the signer's key:
 * e.g. tirkeu_key_file_sign(), or a token (GOST: Streebog-512 then GOST R 34.10-2015 in NCA's
 * layout, r then s each 64 bytes little-endian; RSA: PKCS#1 v1.5 with SHA-256; EC: ECDSA
 * with SHA-256, DER).
 *
 * Returns: (transfer full) (nullable): the signature, or %NULL with @error set
 */
typedef GBytes *(*TirkeuCmsSignFunc) (GBytes    *signed_attributes_der,
                                      gpointer   user_data,
                                      GError   **error);

/**
 * TirkeuCmsCertificateStatus:
 * @TIRKEU_CMS_CERTIFICATE_TRUSTED: the signer's certificate chains to a trusted certificate,
 *   every certificate on the way valid at the time asked
 * @TIRKEU_CMS_CERTIFICATE_UNTRUSTED: no chain to a trusted certificate (or a broken one)
 * @TIRKEU_CMS_CERTIFICATE_EXPIRED: a chain exists, but a certificate on it had expired
 * @TIRKEU_CMS_CERTIFICATE_NOT_YET_VALID: a chain exists, but a certificate on it was not
 *   valid yet
 */
typedef enum
{
  TIRKEU_CMS_CERTIFICATE_TRUSTED,
  TIRKEU_CMS_CERTIFICATE_UNTRUSTED,
  TIRKEU_CMS_CERTIFICATE_EXPIRED,
  TIRKEU_CMS_CERTIFICATE_NOT_YET_VALID,
} TirkeuCmsCertificateStatus;

#define TIRKEU_TYPE_CMS_SIGNER (tirkeu_cms_signer_get_type ())

G_DECLARE_FINAL_TYPE (TirkeuCmsSigner, tirkeu_cms_signer, TIRKEU, CMS_SIGNER, GObject)

GBytes                     *tirkeu_cms_sign_detached          (X509               *signer,
                                                               GBytes             *content,
                                                               GDateTime          *signing_time,
                                                               TirkeuCmsSignFunc   sign_func,
                                                               gpointer            user_data,
                                                               GError            **error);

/**
 * TirkeuCmsDigester:
 *
 * The digest of a document being signed, fed a block at a time (tirkeu_cms_digester_new()).
 */
typedef struct _TirkeuCmsDigester TirkeuCmsDigester;

TirkeuCmsDigester          *tirkeu_cms_digester_new           (X509               *signer,
                                                               GError            **error);
void                        tirkeu_cms_digester_update        (TirkeuCmsDigester  *self,
                                                               const void         *data,
                                                               gsize               len);
gboolean                    tirkeu_cms_digester_update_from_stream
                                                              (TirkeuCmsDigester  *self,
                                                               GInputStream       *stream,
                                                               GCancellable       *cancellable,
                                                               GError            **error);
void                        tirkeu_cms_digester_free          (TirkeuCmsDigester  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TirkeuCmsDigester, tirkeu_cms_digester_free)

GBytes                     *tirkeu_cms_sign_detached_digest   (X509               *signer,
                                                               TirkeuCmsDigester  *digester,
                                                               GDateTime          *signing_time,
                                                               TirkeuCmsSignFunc   sign_func,
                                                               gpointer            user_data,
                                                               GError            **error);
GBytes                     *tirkeu_cms_sign_detached_stream   (X509               *signer,
                                                               GInputStream       *content,
                                                               GDateTime          *signing_time,
                                                               TirkeuCmsSignFunc   sign_func,
                                                               gpointer            user_data,
                                                               GCancellable       *cancellable,
                                                               GError            **error);

GBytes                     *tirkeu_cms_dup_signature_value    (GBytes             *cms_der,
                                                               GError            **error);
GBytes                     *tirkeu_cms_add_timestamp          (GBytes             *cms_der,
                                                               GBytes             *token_der,
                                                               GError            **error);
GBytes                     *tirkeu_cms_dup_timestamp_token    (GBytes             *cms_der);

GPtrArray                  *tirkeu_cms_verify                 (GBytes             *cms_der,
                                                               GBytes             *detached_content,
                                                               GPtrArray          *trusted_x509,
                                                               GDateTime          *at,
                                                               GError            **error);

TirkeuCertificate          *tirkeu_cms_signer_get_certificate (TirkeuCmsSigner    *self);
const char                 *tirkeu_cms_signer_get_subject     (TirkeuCmsSigner    *self);
const char                 *tirkeu_cms_signer_get_iin_masked  (TirkeuCmsSigner    *self);
const char                 *tirkeu_cms_signer_get_bin         (TirkeuCmsSigner    *self);
TirkeuCertificateRole       tirkeu_cms_signer_get_role        (TirkeuCmsSigner    *self);
TirkeuKeyAlgorithm          tirkeu_cms_signer_get_algorithm   (TirkeuCmsSigner    *self);
GDateTime                  *tirkeu_cms_signer_get_signing_time (TirkeuCmsSigner   *self);
gboolean                    tirkeu_cms_signer_get_signature_valid (TirkeuCmsSigner *self);
gboolean                    tirkeu_cms_signer_has_signing_certificate (TirkeuCmsSigner *self);
TirkeuCmsCertificateStatus  tirkeu_cms_signer_get_certificate_status (TirkeuCmsSigner *self);

const char                 *tirkeu_cms_certificate_status_to_string (TirkeuCmsCertificateStatus status);

GBytes                     *tirkeu_cms_sign_attached          (X509               *signer,
                                                               const char         *content_type_oid,
                                                               GBytes             *content,
                                                               GDateTime          *signing_time,
                                                               gboolean            include_certificate,
                                                               TirkeuCmsSignFunc   sign_func,
                                                               gpointer            user_data,
                                                               GError            **error);

G_END_DECLS
