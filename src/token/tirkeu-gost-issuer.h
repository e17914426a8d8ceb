/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>
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

gboolean          tirkeu_gost_sign_certificate        (X509                   *certificate,
                                                       const guint8            private_key_le[64],
                                                       GError                **error);

G_END_DECLS
