/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "tirkeu-portal-code.h"
#include "tirkeu-sandbox-ca.h"

G_BEGIN_DECLS

/**
 * TirkeuSandboxKeyKind:
 * @TIRKEU_SANDBOX_KEY_AUTH: an AUTH key (EKU clientAuth 1.3.6.1.5.5.7.3.2), for sign-in
 * @TIRKEU_SANDBOX_KEY_SIGN: a SIGN key (EKU emailProtection 1.3.6.1.5.5.7.3.4), for documents
 *
 * The two kinds of keys on an NCA RK token (DOMAIN.md, "EDS certificates").
 */
typedef enum
{
  TIRKEU_SANDBOX_KEY_AUTH,
  TIRKEU_SANDBOX_KEY_SIGN,
} TirkeuSandboxKeyKind;

/* Role OIDs of the national CA, carried in the extended key usage. */
#define TIRKEU_OID_LEGAL_ENTITY   "1.2.398.3.3.4.1.2"
#define TIRKEU_OID_FIRST_HEAD     "1.2.398.3.3.4.1.2.1"
#define TIRKEU_OID_RIGHT_TO_SIGN  "1.2.398.3.3.4.1.2.2"
#define TIRKEU_OID_FINANCIAL      "1.2.398.3.3.4.1.2.3"
#define TIRKEU_OID_EMPLOYEE       "1.2.398.3.3.4.1.2.5"

/**
 * TirkeuSandboxPerson:
 * @iin: 12 digits, written as SERIALNUMBER=IIN...
 * @bin: (nullable): 12 digits, written as OU=BIN...
 * @surname: the surname (CN is "SURNAME NAME")
 * @given_name: the name
 * @patronymic: (nullable): GIVENNAME
 * @organization: (nullable): O
 * @role_oids: (nullable): %NULL-terminated role OIDs added to the EKU
 *
 * The subject of an NCA-like certificate of a legal entity's employee.
 */
typedef struct
{
  const char *iin;
  const char *bin;
  const char *surname;
  const char *given_name;
  const char *patronymic;
  const char *organization;
  const char * const *role_oids;
} TirkeuSandboxPerson;

EVP_PKEY *tirkeu_sandbox_pki_new_key          (guint                      rsa_bits,
                                               GError                   **error);
X509     *tirkeu_sandbox_pki_new_ca           (EVP_PKEY                  *key,
                                               const char                *common_name,
                                               GError                   **error);
X509     *tirkeu_sandbox_pki_new_server_cert  (EVP_PKEY                  *key,
                                               X509                      *ca,
                                               EVP_PKEY                  *ca_key,
                                               GError                   **error);
X509     *tirkeu_sandbox_pki_new_person_cert  (EVP_PKEY                  *key,
                                               X509                      *ca,
                                               EVP_PKEY                  *ca_key,
                                               TirkeuSandboxKeyKind       kind,
                                               const TirkeuSandboxPerson *person,
                                               GError                   **error);
gboolean  tirkeu_sandbox_pki_write_cert       (const char                *path,
                                               X509                      *cert,
                                               GError                   **error);
gboolean  tirkeu_sandbox_pki_write_key        (const char                *path,
                                               EVP_PKEY                  *key,
                                               GError                   **error);
X509     *tirkeu_sandbox_pki_read_cert        (const char                *path,
                                               GError                   **error);
EVP_PKEY *tirkeu_sandbox_pki_read_key         (const char                *path,
                                               GError                   **error);
GBytes   *tirkeu_sandbox_pki_cms_sign         (X509                      *cert,
                                               EVP_PKEY                  *key,
                                               GBytes                    *content,
                                               GError                   **error);
char     *tirkeu_sandbox_pki_subject_field    (X509                      *cert,
                                               int                        nid,
                                               const char                *prefix);

/**
 * TirkeuSandboxSigner:
 * @bin: (nullable): the BIN from the subject's OU
 * @iin: (nullable): the IIN from the subject's SERIALNUMBER
 * @common_name: (nullable): the subject's CN
 * @ess_cert_id_v2: the signature carried a signing-certificate-v2 that names the signer
 * @timestamp: "verified" when a CAdES-T time-stamp token over the signature was checked,
 *   "absent" when the signature had none
 *
 * Who made a signature that tirkeu_sandbox_pki_cms_verify() accepted, and what was checked.
 */
typedef struct
{
  char *bin;
  char *iin;
  char *common_name;
  gboolean ess_cert_id_v2;
  const char *timestamp;
} TirkeuSandboxSigner;

void      tirkeu_sandbox_signer_free          (TirkeuSandboxSigner       *signer);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TirkeuSandboxSigner, tirkeu_sandbox_signer_free)

X509_STORE *tirkeu_sandbox_pki_load_trust     (const char                *ca_file,
                                               GError                   **error);
TirkeuSandboxSigner *
          tirkeu_sandbox_pki_cms_verify       (X509_STORE                *trust,
                                               GBytes                    *cms_der,
                                               GBytes                    *content,
                                               TirkeuSandboxKeyKind       purpose,
                                               TirkeuPortalCode          *code,
                                               char                     **reason);
TirkeuSandboxSigner *
          tirkeu_sandbox_pki_cms_verify_full  (X509_STORE                *trust,
                                               TirkeuSandboxCa           *ca,
                                               gboolean                   require_timestamp,
                                               GBytes                    *cms_der,
                                               GBytes                    *content,
                                               TirkeuSandboxKeyKind       purpose,
                                               TirkeuPortalCode          *code,
                                               char                     **reason);

G_END_DECLS
