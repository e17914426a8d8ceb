/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * TirkeuCertificateKind:
 * @TIRKEU_CERTIFICATE_KIND_UNKNOWN: neither usage of an NCA certificate
 * @TIRKEU_CERTIFICATE_KIND_AUTH: logs in (keyUsage keyEncipherment, EKU clientAuth)
 * @TIRKEU_CERTIFICATE_KIND_SIGN: signs documents (keyUsage nonRepudiation, EKU emailProtection)
 */
typedef enum
{
  TIRKEU_CERTIFICATE_KIND_UNKNOWN,
  TIRKEU_CERTIFICATE_KIND_AUTH,
  TIRKEU_CERTIFICATE_KIND_SIGN,
} TirkeuCertificateKind;

/**
 * TirkeuCertificateRole:
 * @TIRKEU_CERTIFICATE_ROLE_UNKNOWN: no role OID of the national CA
 * @TIRKEU_CERTIFICATE_ROLE_INDIVIDUAL: an individual (1.2.398.3.3.4.1.1)
 * @TIRKEU_CERTIFICATE_ROLE_LEGAL_ENTITY: a legal entity, no narrower role (1.2.398.3.3.4.1.2)
 * @TIRKEU_CERTIFICATE_ROLE_FIRST_HEAD: the first head (1.2.398.3.3.4.1.2.1)
 * @TIRKEU_CERTIFICATE_ROLE_RIGHT_TO_SIGN: a person with the right to sign (…1.2.2)
 * @TIRKEU_CERTIFICATE_ROLE_FINANCIAL: signs financial documents (…1.2.3)
 * @TIRKEU_CERTIFICATE_ROLE_HR: an HR officer (…1.2.4)
 * @TIRKEU_CERTIFICATE_ROLE_EMPLOYEE: an employee (…1.2.5)
 *
 * The role in the EKU of an NCA certificate. When several are listed, the narrowest wins.
 */
typedef enum
{
  TIRKEU_CERTIFICATE_ROLE_UNKNOWN,
  TIRKEU_CERTIFICATE_ROLE_INDIVIDUAL,
  TIRKEU_CERTIFICATE_ROLE_LEGAL_ENTITY,
  TIRKEU_CERTIFICATE_ROLE_FIRST_HEAD,
  TIRKEU_CERTIFICATE_ROLE_RIGHT_TO_SIGN,
  TIRKEU_CERTIFICATE_ROLE_FINANCIAL,
  TIRKEU_CERTIFICATE_ROLE_HR,
  TIRKEU_CERTIFICATE_ROLE_EMPLOYEE,
} TirkeuCertificateRole;

/**
 * TirkeuKeyAlgorithm:
 * @TIRKEU_KEY_ALGORITHM_UNKNOWN: anything else
 * @TIRKEU_KEY_ALGORITHM_RSA: RSA, signed as RSA-SHA256
 * @TIRKEU_KEY_ALGORITHM_EC: ECDSA, signed as ECDSA-SHA256
 * @TIRKEU_KEY_ALGORITHM_GOST: another Kazakh GOST OID under 1.2.398.3.10: recognised, not
 *   supported
 * @TIRKEU_KEY_ALGORITHM_GOST_2015_512: GOST R 34.10-2015 512-bit with Streebog-512 under the
 *   Kazakh OIDs (1.2.398.3.10.1.1.2.2), every NCA key since April 2024
 * @TIRKEU_KEY_ALGORITHM_GOST_2004: GOST 34.310-2004 (1.2.398.3.10.1.1.1.*), an old key set:
 *   recognised, reported as to be re-issued
 */
typedef enum
{
  TIRKEU_KEY_ALGORITHM_UNKNOWN,
  TIRKEU_KEY_ALGORITHM_RSA,
  TIRKEU_KEY_ALGORITHM_EC,
  TIRKEU_KEY_ALGORITHM_GOST,
  TIRKEU_KEY_ALGORITHM_GOST_2015_512,
  TIRKEU_KEY_ALGORITHM_GOST_2004,
} TirkeuKeyAlgorithm;

/**
 * TirkeuSignPurpose:
 * @TIRKEU_SIGN_PURPOSE_REQUEST: a registration request (step 9): a SIGN key of the seller's
 *   BIN, valid, with the right to sign
 * @TIRKEU_SIGN_PURPOSE_SIGN_IN: the portal's sign-in challenge: a valid AUTH key
 * @TIRKEU_SIGN_PURPOSE_DOCUMENT: any other document: a valid SIGN key with the right to sign,
 *   and the seller's BIN when one is given
 */
typedef enum
{
  TIRKEU_SIGN_PURPOSE_REQUEST,
  TIRKEU_SIGN_PURPOSE_SIGN_IN,
  TIRKEU_SIGN_PURPOSE_DOCUMENT,
} TirkeuSignPurpose;

/* A certificate this close to its end gets a warning: NCA keys last one year, and a seller
 * whose key runs out mid-day cannot sign until a new one is issued. */
#define TIRKEU_CERTIFICATE_WARN_DAYS 30

#define TIRKEU_TYPE_CERTIFICATE (tirkeu_certificate_get_type ())

G_DECLARE_FINAL_TYPE (TirkeuCertificate, tirkeu_certificate, TIRKEU, CERTIFICATE, GObject)

TirkeuCertificate     *tirkeu_certificate_new_from_der      (GBytes             *der,
                                                             GError            **error);
GBytes                *tirkeu_certificate_get_der           (TirkeuCertificate  *self);
const char            *tirkeu_certificate_get_id            (TirkeuCertificate  *self);
const char            *tirkeu_certificate_get_label         (TirkeuCertificate  *self);
const char            *tirkeu_certificate_get_token_serial  (TirkeuCertificate  *self);
gboolean               tirkeu_certificate_has_private_key   (TirkeuCertificate  *self);
const char            *tirkeu_certificate_get_owner_name    (TirkeuCertificate  *self);
const char            *tirkeu_certificate_get_iin           (TirkeuCertificate  *self);
char                  *tirkeu_certificate_dup_masked_iin    (TirkeuCertificate  *self);
const char            *tirkeu_certificate_get_organisation  (TirkeuCertificate  *self);
const char            *tirkeu_certificate_get_bin           (TirkeuCertificate  *self);
const char            *tirkeu_certificate_get_issuer        (TirkeuCertificate  *self);
GDateTime             *tirkeu_certificate_get_not_before    (TirkeuCertificate  *self);
GDateTime             *tirkeu_certificate_get_not_after     (TirkeuCertificate  *self);
char                  *tirkeu_certificate_dup_serial        (TirkeuCertificate  *self);
TirkeuCertificateKind  tirkeu_certificate_get_kind          (TirkeuCertificate  *self);
TirkeuCertificateRole  tirkeu_certificate_get_role          (TirkeuCertificate  *self);
gboolean               tirkeu_certificate_serves            (TirkeuCertificate  *self,
                                                             TirkeuCertificateKind kind);
gboolean               tirkeu_certificate_is_one_key        (TirkeuCertificate  *self);
guint                  tirkeu_certificate_get_key_usage     (TirkeuCertificate  *self);
const char * const    *tirkeu_certificate_get_extended_key_usages (TirkeuCertificate *self);
const char * const    *tirkeu_certificate_get_policies      (TirkeuCertificate  *self);
TirkeuKeyAlgorithm     tirkeu_certificate_get_key_algorithm (TirkeuCertificate  *self);
const char            *tirkeu_certificate_get_key_algorithm_oid (TirkeuCertificate *self);
gboolean               tirkeu_certificate_expires_soon      (TirkeuCertificate  *self,
                                                             GDateTime          *now);
char                  *tirkeu_certificate_dup_warning       (TirkeuCertificate  *self,
                                                             GDateTime          *now);
gboolean               tirkeu_certificate_check_purpose     (TirkeuCertificate  *self,
                                                             TirkeuSignPurpose   purpose,
                                                             const char         *seller_bin,
                                                             GDateTime          *now,
                                                             GError            **error);

const char            *tirkeu_certificate_kind_to_string    (TirkeuCertificateKind kind);
const char            *tirkeu_certificate_role_to_string    (TirkeuCertificateRole role);
const char            *tirkeu_key_algorithm_to_string       (TirkeuKeyAlgorithm algorithm);

G_END_DECLS
