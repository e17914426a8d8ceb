/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>
#include <openssl/ocsp.h>
#include <openssl/x509.h>

#include "tirkeu-certificate.h"

G_BEGIN_DECLS

/**
 * TirkeuGostSubject:
 * @surname: the surname (SURNAME, and the first word of CN)
 * @given_name: the name (the second word of CN)
 * @patronymic: (nullable): the patronymic (GIVENNAME)
 * @iin: the person's IIN, 12 digits (SERIALNUMBER=IIN…)
 * @bin: (nullable): the organisation's BIN (OU=BIN…); %NULL for an individual
 * @organisation: (nullable): the organisation's name (O)
 * @role: the role OID put in the EKU beside emailProtection
 *
 * Who a test certificate is issued to, in NCA's subject layout.
 */
typedef struct
{
  const char *surname;
  const char *given_name;
  const char *patronymic;
  const char *iin;
  const char *bin;
  const char *organisation;
  TirkeuCertificateRole role;
} TirkeuGostSubject;

/**
 * TirkeuGostRevocation:
 * @serial_hex: the certificate's serial number in hexadecimal, as `openssl x509 -serial`
 *   prints it
 * @revoked_at: when it was revoked, Unix seconds
 * @reason: its CRLReason (RFC 5280, 5.3.1: 0 unspecified, 1 keyCompromise, …), or -1 for
 *   none given
 *
 * One certificate the CA revoked, as its CRL and its OCSP answers say it.
 */
typedef struct
{
  const char *serial_hex;
  gint64 revoked_at;
  int reason;
} TirkeuGostRevocation;

/* RFC 3161, 2.4.2: id-ct-TSTInfo, the eContentType of a time-stamp token. */
#define TIRKEU_OID_CT_TST_INFO "1.2.840.113549.1.9.16.1.4"

#define TIRKEU_TYPE_GOST_ISSUER (tirkeu_gost_issuer_get_type ())

G_DECLARE_FINAL_TYPE (TirkeuGostIssuer, tirkeu_gost_issuer, TIRKEU, GOST_ISSUER, GObject)

TirkeuGostIssuer *tirkeu_gost_issuer_new              (const char             *common_name,
                                                       GDateTime              *not_before,
                                                       GDateTime              *not_after,
                                                       GError                **error);
X509             *tirkeu_gost_issuer_get_certificate  (TirkeuGostIssuer       *self);
X509             *tirkeu_gost_issuer_issue            (TirkeuGostIssuer       *self,
                                                       const TirkeuGostSubject *subject,
                                                       const guint8            public_key_le[128],
                                                       GDateTime              *not_before,
                                                       GDateTime              *not_after,
                                                       GError                **error);
GBytes           *tirkeu_gost_issuer_issue_key_file   (TirkeuGostIssuer       *self,
                                                       const TirkeuGostSubject *subject,
                                                       GDateTime              *not_before,
                                                       GDateTime              *not_after,
                                                       const char             *password,
                                                       GError                **error);

TirkeuGostIssuer *tirkeu_gost_issuer_new_delegate     (TirkeuGostIssuer       *parent,
                                                       const char             *common_name,
                                                       const char             *extended_usage,
                                                       GDateTime              *not_before,
                                                       GDateTime              *not_after,
                                                       GError                **error);
TirkeuGostIssuer *tirkeu_gost_issuer_load             (const char             *certificate_path,
                                                       const char             *key_path,
                                                       GError                **error);
gboolean          tirkeu_gost_issuer_save             (TirkeuGostIssuer       *self,
                                                       const char             *certificate_path,
                                                       const char             *key_path,
                                                       GError                **error);

GBytes           *tirkeu_gost_issuer_sign_crl         (TirkeuGostIssuer       *self,
                                                       const TirkeuGostRevocation *revocations,
                                                       gsize                   n_revocations,
                                                       guint64                 crl_number,
                                                       GDateTime              *this_update,
                                                       GDateTime              *next_update,
                                                       GError                **error);
GBytes           *tirkeu_gost_issuer_answer_ocsp      (TirkeuGostIssuer       *self,
                                                       OCSP_REQUEST           *request,
                                                       const TirkeuGostRevocation *revocations,
                                                       gsize                   n_revocations,
                                                       GDateTime              *now,
                                                       GError                **error);
GBytes           *tirkeu_gost_issuer_sign_timestamp   (TirkeuGostIssuer       *self,
                                                       const char             *policy_oid,
                                                       const X509_ALGOR       *hash_algorithm,
                                                       GBytes                 *hashed_message,
                                                       const ASN1_INTEGER     *nonce,
                                                       GDateTime              *time,
                                                       gboolean                include_certificate,
                                                       GError                **error);

gboolean          tirkeu_gost_sign_certificate        (X509                   *certificate,
                                                       const guint8            private_key_le[64],
                                                       GError                **error);

G_END_DECLS
