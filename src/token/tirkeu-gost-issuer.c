/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <openssl/asn1t.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pkcs12.h>
#include <openssl/rand.h>
#include <openssl/ts.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <string.h>

#include "tirkeu-cms.h"
#include "tirkeu-gost-issuer.h"
#include "tirkeu-gost.h"
#include "tirkeu-key-file.h"
#include "tirkeu-token-error.h"

/**
 * TirkeuGostIssuer:
 *
 * A GOST 2015-512 certification authority for tests and the sandbox: a root of its own
 * (a fresh key, a self-signed certificate) that issues certificates in the national CA's
 * layout (subject CN, SURNAME, SERIALNUMBER=IIN…, C=KZ, O, OU=BIN…, GIVENNAME; one key for
 * everything: keyUsage digitalSignature, nonRepudiation, keyEncipherment; EKU
 * emailProtection and the role OIDs; policy 1.2.398.3.3.2) and writes key files as NCA does.
 * Never a real CA: nothing it issues chains to NCA.
 */
struct _TirkeuGostIssuer
{
  GObject parent_instance;

  X509 *certificate;
  guint8 *private_key;        /* TIRKEU_GOST_PRIVATE_KEY_SIZE bytes, secure heap */
};

G_DEFINE_FINAL_TYPE (TirkeuGostIssuer, tirkeu_gost_issuer, G_TYPE_OBJECT)

static void
tirkeu_gost_issuer_finalize (GObject *object)
{
  TirkeuGostIssuer *self = TIRKEU_GOST_ISSUER (object);

  if (self->private_key != NULL)
    OPENSSL_secure_clear_free (self->private_key, TIRKEU_GOST_PRIVATE_KEY_SIZE);
  g_clear_pointer (&self->certificate, X509_free);

  G_OBJECT_CLASS (tirkeu_gost_issuer_parent_class)->finalize (object);
}

static void
tirkeu_gost_issuer_class_init (TirkeuGostIssuerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = tirkeu_gost_issuer_finalize;
}

static void
tirkeu_gost_issuer_init (TirkeuGostIssuer *self)
{
}

static gboolean
failed (GError **error)
{
  ERR_clear_error ();
  g_set_error_literal (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_SIGNING_FAILED,
                       tirkeu_token_error_to_message (TIRKEU_TOKEN_ERROR_SIGNING_FAILED));
  return FALSE;
}

static gpointer
failed_null (GError **error)
{
  failed (error);
  return NULL;
}

static void
set_gost_signature_algorithm (X509_ALGOR *algorithm)
{
  X509_ALGOR_set0 (algorithm,
                   OBJ_nid2obj (tirkeu_gost_nid (TIRKEU_GOST_NID_2015_512_SIGNATURE)),
                   V_ASN1_NULL, NULL);
}

/**
 * tirkeu_gost_sign_certificate:
 * @certificate: a certificate whose TBS part is complete
 * @private_key_le: the issuer's 64-byte private scalar, little-endian
 * @error: %TIRKEU_TOKEN_ERROR_SIGNING_FAILED
 *
 * Signs @certificate with GOST 2015-512 and Streebog-512, as NCA does: both signature
 * algorithm fields set to 1.2.398.3.10.1.1.2.3.2 with NULL, the TBS encoded by OpenSSL
 * (i2d_re_X509_tbs), the signature in NCA's layout in the BIT STRING. (X509_sign cannot:
 * OpenSSL has no GOST key.)
 *
 * Returns: %TRUE on success
 */
gboolean
tirkeu_gost_sign_certificate (X509          *certificate,
                              const guint8   private_key_le[64],
                              GError       **error)
{
  const ASN1_BIT_STRING *signature = NULL;
  const X509_ALGOR *algorithm = NULL;
  unsigned char *tbs = NULL;
  int tbs_len;
  guint8 digest[TIRKEU_GOST_DIGEST_SIZE];
  guint8 value[TIRKEU_GOST_SIGNATURE_SIZE];
  ASN1_BIT_STRING *bits;

  g_return_val_if_fail (certificate != NULL, FALSE);

  /* OpenSSL 3.0 has no setter for these two fields: they are filled in place, as
   * X509_sign does inside OpenSSL. */
  X509_get0_signature (&signature, &algorithm, certificate);
  set_gost_signature_algorithm ((X509_ALGOR *) X509_get0_tbs_sigalg (certificate));
  set_gost_signature_algorithm ((X509_ALGOR *) algorithm);

  tbs_len = i2d_re_X509_tbs (certificate, &tbs);
  if (tbs_len <= 0)
    return failed (error);
  tirkeu_gost_streebog512 (tbs, tbs_len, digest);
  OPENSSL_free (tbs);

  if (!tirkeu_gost_sign_digest (private_key_le, digest, value, error))
    return FALSE;

  bits = (ASN1_BIT_STRING *) signature;
  if (!ASN1_BIT_STRING_set (bits, value, sizeof value))
    return failed (error);
  /* a whole number of bytes: no unused bits */
  bits->flags &= ~(ASN1_STRING_FLAG_BITS_LEFT | 0x07);
  bits->flags |= ASN1_STRING_FLAG_BITS_LEFT;

  return TRUE;
}

static gboolean
set_public_key (X509         *certificate,
                const guint8  public_key_le[128])
{
  ASN1_OCTET_STRING *octets = ASN1_OCTET_STRING_new ();
  ASN1_STRING *parameters = tirkeu_gost_key_parameters_new ();
  unsigned char *encoded = NULL;
  int encoded_len = -1;
  gboolean ok;

  ok = octets != NULL && parameters != NULL
       && ASN1_OCTET_STRING_set (octets, public_key_le, TIRKEU_GOST_PUBLIC_KEY_SIZE)
       && (encoded_len = i2d_ASN1_OCTET_STRING (octets, &encoded)) > 0
       && X509_PUBKEY_set0_param (X509_get_X509_PUBKEY (certificate),
                                  OBJ_nid2obj (tirkeu_gost_nid (TIRKEU_GOST_NID_2015_512_KEY)),
                                  V_ASN1_SEQUENCE, parameters, encoded, encoded_len) == 1;
  if (ok)
    {
      parameters = NULL;
      encoded = NULL;
    }

  OPENSSL_free (encoded);
  ASN1_STRING_free (parameters);
  ASN1_OCTET_STRING_free (octets);
  return ok;
}

static gboolean
set_random_serial (X509 *certificate)
{
  guint8 bytes[20];
  BIGNUM *serial;
  gboolean ok;

  if (RAND_bytes (bytes, sizeof bytes) != 1)
    return FALSE;
  /* positive and 20 bytes at most (RFC 5280), never zero */
  bytes[0] = (bytes[0] & 0x7f) | 0x01;
  serial = BN_bin2bn (bytes, sizeof bytes, NULL);
  ok = serial != NULL && BN_to_ASN1_INTEGER (serial, X509_get_serialNumber (certificate)) != NULL;
  BN_free (serial);
  return ok;
}

static gboolean
set_validity (X509      *certificate,
              GDateTime *not_before,
              GDateTime *not_after)
{
  return ASN1_TIME_set (X509_getm_notBefore (certificate),
                        (time_t) g_date_time_to_unix (not_before)) != NULL
         && ASN1_TIME_set (X509_getm_notAfter (certificate),
                           (time_t) g_date_time_to_unix (not_after)) != NULL;
}

static gboolean
add_extension (X509       *certificate,
               X509       *issuer,
               int         nid,
               const char *value)
{
  X509V3_CTX ctx;
  X509_EXTENSION *extension;
  gboolean ok;

  X509V3_set_ctx (&ctx, issuer, certificate, NULL, NULL, 0);
  extension = X509V3_EXT_conf_nid (NULL, &ctx, nid, value);
  ok = extension != NULL && X509_add_ext (certificate, extension, -1) == 1;
  X509_EXTENSION_free (extension);
  return ok;
}

/* X509V3_EXT_conf_nid reads certificatePolicies only from a configuration database. */
static gboolean
add_policy (X509       *certificate,
            const char *oid)
{
  CERTIFICATEPOLICIES *policies = sk_POLICYINFO_new_null ();
  POLICYINFO *policy = POLICYINFO_new ();
  gboolean ok = FALSE;

  if (policies != NULL && policy != NULL)
    {
      ASN1_OBJECT_free (policy->policyid);
      policy->policyid = OBJ_txt2obj (oid, 1);
      ok = policy->policyid != NULL && sk_POLICYINFO_push (policies, policy) > 0;
      if (ok)
        policy = NULL;
      ok = ok && X509_add1_ext_i2d (certificate, NID_certificate_policies, policies, 0,
                                    X509V3_ADD_DEFAULT) == 1;
    }

  POLICYINFO_free (policy);
  sk_POLICYINFO_pop_free (policies, POLICYINFO_free);
  return ok;
}

static gboolean
add_name_entry (X509_NAME  *name,
                const char *field,
                const char *prefix,
                const char *value)
{
  g_autofree char *text = NULL;

  if (value == NULL)
    return TRUE;
  text = g_strconcat (prefix != NULL ? prefix : "", value, NULL);
  return X509_NAME_add_entry_by_txt (name, field, MBSTRING_UTF8, (const unsigned char *) text,
                                     -1, -1, 0) == 1;
}

/* The role OIDs NCA lists in the EKU, the broad one first. */
static const char *
role_oids (TirkeuCertificateRole role)
{
  switch (role)
    {
    case TIRKEU_CERTIFICATE_ROLE_INDIVIDUAL:
      return "1.2.398.3.3.4.1.1";
    case TIRKEU_CERTIFICATE_ROLE_LEGAL_ENTITY:
      return "1.2.398.3.3.4.1.2";
    case TIRKEU_CERTIFICATE_ROLE_FIRST_HEAD:
      return "1.2.398.3.3.4.1.2,1.2.398.3.3.4.1.2.1";
    case TIRKEU_CERTIFICATE_ROLE_RIGHT_TO_SIGN:
      return "1.2.398.3.3.4.1.2,1.2.398.3.3.4.1.2.2";
    case TIRKEU_CERTIFICATE_ROLE_FINANCIAL:
      return "1.2.398.3.3.4.1.2,1.2.398.3.3.4.1.2.3";
    case TIRKEU_CERTIFICATE_ROLE_HR:
      return "1.2.398.3.3.4.1.2,1.2.398.3.3.4.1.2.4";
    case TIRKEU_CERTIFICATE_ROLE_EMPLOYEE:
      return "1.2.398.3.3.4.1.2,1.2.398.3.3.4.1.2.5";
    case TIRKEU_CERTIFICATE_ROLE_UNKNOWN:
    default:
      return NULL;
    }
}

/* Re-reads what was built, so the object handed out carries its own encoding, and checks
 * the signature with @issuer (the CA's own key for a root). */
static X509 *
finish (X509    *certificate,
        X509    *issuer,
        GError **error)
{
  unsigned char *der = NULL;
  const unsigned char *p;
  int der_len = i2d_X509 (certificate, &der);
  X509 *result;

  if (der_len <= 0)
    return failed_null (error);
  p = der;
  result = d2i_X509 (NULL, &p, der_len);
  OPENSSL_free (der);

  if (result == NULL
      || !tirkeu_gost_verify_certificate (result, issuer != NULL ? issuer : result, NULL))
    {
      X509_free (result);
      failed (error);
      return NULL;
    }
  return result;
}

/**
 * tirkeu_gost_issuer_new:
 * @common_name: the CA's name (CN), e.g. "TIRKEU SANDBOX GOST CA"
 * @not_before: the start of its validity
 * @not_after: its end
 * @error: %TIRKEU_TOKEN_ERROR_SIGNING_FAILED
 *
 * A new root CA with a fresh GOST 2015-512 key and a self-signed certificate
 * (basicConstraints CA, keyCertSign and cRLSign).
 *
 * Returns: (transfer full): the issuer, or %NULL
 */
TirkeuGostIssuer *
tirkeu_gost_issuer_new (const char  *common_name,
                        GDateTime   *not_before,
                        GDateTime   *not_after,
                        GError     **error)
{
  g_autoptr(TirkeuGostIssuer) self = NULL;
  guint8 public_key[TIRKEU_GOST_PUBLIC_KEY_SIZE];
  X509 *certificate = NULL;
  X509_NAME *name = NULL;
  gboolean ok;

  g_return_val_if_fail (common_name != NULL, NULL);
  g_return_val_if_fail (not_before != NULL && not_after != NULL, NULL);

  /* the key files' library context also sets up OpenSSL's secure heap */
  tirkeu_key_file_get_lib_ctx ();
  self = g_object_new (TIRKEU_TYPE_GOST_ISSUER, NULL);
  self->private_key = OPENSSL_secure_malloc (TIRKEU_GOST_PRIVATE_KEY_SIZE);
  if (self->private_key == NULL)
    return failed_null (error);
  if (!tirkeu_gost_generate_private_key (self->private_key, error)
      || !tirkeu_gost_public_key_from_private (self->private_key, public_key, error))
    return NULL;

  certificate = X509_new ();
  name = X509_NAME_new ();
  ok = certificate != NULL && name != NULL
       && X509_set_version (certificate, X509_VERSION_3)
       && set_random_serial (certificate)
       && add_name_entry (name, "CN", NULL, common_name)
       && add_name_entry (name, "C", NULL, "KZ")
       && X509_set_subject_name (certificate, name)
       && X509_set_issuer_name (certificate, name)
       && set_validity (certificate, not_before, not_after)
       && set_public_key (certificate, public_key)
       && add_extension (certificate, certificate, NID_basic_constraints, "critical,CA:TRUE")
       && add_extension (certificate, certificate, NID_key_usage,
                         "critical,keyCertSign,cRLSign")
       && add_extension (certificate, certificate, NID_subject_key_identifier, "hash")
       && tirkeu_gost_sign_certificate (certificate, self->private_key, error);
  X509_NAME_free (name);

  if (ok)
    self->certificate = finish (certificate, NULL, error);
  else if (error != NULL && *error == NULL)
    failed (error);
  X509_free (certificate);

  if (self->certificate == NULL)
    return NULL;
  return g_steal_pointer (&self);
}

/**
 * tirkeu_gost_issuer_get_certificate:
 * @self: a #TirkeuGostIssuer
 *
 * Returns: (transfer none): the CA's certificate, to trust
 */
X509 *
tirkeu_gost_issuer_get_certificate (TirkeuGostIssuer *self)
{
  g_return_val_if_fail (TIRKEU_IS_GOST_ISSUER (self), NULL);
  return self->certificate;
}

/**
 * tirkeu_gost_issuer_issue:
 * @self: a #TirkeuGostIssuer
 * @subject: to whom
 * @public_key_le: the subject's GOST 2015-512 public key, x||y each little-endian
 * @not_before: the start of validity
 * @not_after: its end
 * @error: %TIRKEU_TOKEN_ERROR_SIGNING_FAILED
 *
 * A certificate in NCA's layout for a GOST 2015 key: one key for sign-in and signing.
 *
 * Returns: (transfer full): the certificate, or %NULL
 */
X509 *
tirkeu_gost_issuer_issue (TirkeuGostIssuer        *self,
                          const TirkeuGostSubject *subject,
                          const guint8             public_key_le[128],
                          GDateTime               *not_before,
                          GDateTime               *not_after,
                          GError                 **error)
{
  g_autofree char *common_name = NULL;
  g_autofree char *extended_usage = NULL;
  const char *roles;
  X509 *certificate = NULL;
  X509 *result = NULL;
  X509_NAME *name = NULL;
  gboolean ok;

  g_return_val_if_fail (TIRKEU_IS_GOST_ISSUER (self), NULL);
  g_return_val_if_fail (subject != NULL && subject->surname != NULL
                        && subject->given_name != NULL && subject->iin != NULL, NULL);
  g_return_val_if_fail (not_before != NULL && not_after != NULL, NULL);

  common_name = g_strdup_printf ("%s %s", subject->surname, subject->given_name);
  roles = role_oids (subject->role);
  extended_usage = roles != NULL ? g_strconcat ("emailProtection,", roles, NULL)
                                 : g_strdup ("emailProtection");

  certificate = X509_new ();
  name = X509_NAME_new ();
  ok = certificate != NULL && name != NULL
       && X509_set_version (certificate, X509_VERSION_3)
       && set_random_serial (certificate)
       && add_name_entry (name, "CN", NULL, common_name)
       && add_name_entry (name, "SN", NULL, subject->surname)
       && add_name_entry (name, "serialNumber", "IIN", subject->iin)
       && add_name_entry (name, "C", NULL, "KZ")
       && add_name_entry (name, "O", NULL, subject->organisation)
       && add_name_entry (name, "OU", "BIN", subject->bin)
       && add_name_entry (name, "GN", NULL, subject->patronymic)
       && X509_set_subject_name (certificate, name)
       && X509_set_issuer_name (certificate, X509_get_subject_name (self->certificate))
       && set_validity (certificate, not_before, not_after)
       && set_public_key (certificate, public_key_le)
       && add_extension (certificate, self->certificate, NID_key_usage,
                         "critical,digitalSignature,nonRepudiation,keyEncipherment")
       && add_extension (certificate, self->certificate, NID_ext_key_usage, extended_usage)
       && add_policy (certificate, "1.2.398.3.3.2")
       && add_extension (certificate, self->certificate, NID_subject_key_identifier, "hash")
       && add_extension (certificate, self->certificate, NID_authority_key_identifier,
                         "keyid:always")
       && tirkeu_gost_sign_certificate (certificate, self->private_key, error);
  X509_NAME_free (name);

  if (ok)
    result = finish (certificate, self->certificate, error);
  else if (error != NULL && *error == NULL)
    failed (error);
  X509_free (certificate);

  return result;
}

/**
 * tirkeu_gost_issuer_issue_key_file:
 * @self: a #TirkeuGostIssuer
 * @subject: to whom
 * @not_before: the start of validity
 * @not_after: its end
 * @password: the key file's password
 * @error: %TIRKEU_TOKEN_ERROR_SIGNING_FAILED
 *
 * A fresh GOST 2015-512 key and its certificate, written as an NCA key file (PKCS#12 with
 * the PKCS#8 of OID 1.2.398.3.10.1.1.2.2 holding the 64-byte little-endian scalar in an
 * OCTET STRING; tirkeu_key_file_write_pkcs12()), which tirkeu_key_file_new_from_bytes()
 * opens.
 *
 * Returns: (transfer full): the key file's bytes, or %NULL
 */
GBytes *
tirkeu_gost_issuer_issue_key_file (TirkeuGostIssuer        *self,
                                   const TirkeuGostSubject *subject,
                                   GDateTime               *not_before,
                                   GDateTime               *not_after,
                                   const char              *password,
                                   GError                 **error)
{
  guint8 *scalar = NULL;
  guint8 public_key[TIRKEU_GOST_PUBLIC_KEY_SIZE];
  X509 *certificate = NULL;
  PKCS8_PRIV_KEY_INFO *key = NULL;
  ASN1_OCTET_STRING *octets = NULL;
  ASN1_STRING *parameters = NULL;
  unsigned char *encoded = NULL;
  int encoded_len = -1;
  GBytes *result = NULL;

  g_return_val_if_fail (TIRKEU_IS_GOST_ISSUER (self), NULL);
  g_return_val_if_fail (password != NULL, NULL);

  scalar = OPENSSL_secure_malloc (TIRKEU_GOST_PRIVATE_KEY_SIZE);
  if (scalar == NULL)
    return failed_null (error);
  if (!tirkeu_gost_generate_private_key (scalar, error)
      || !tirkeu_gost_public_key_from_private (scalar, public_key, error))
    goto out;

  certificate = tirkeu_gost_issuer_issue (self, subject, public_key, not_before, not_after,
                                          error);
  if (certificate == NULL)
    goto out;

  key = PKCS8_PRIV_KEY_INFO_new ();
  octets = ASN1_OCTET_STRING_new ();
  parameters = tirkeu_gost_key_parameters_new ();
  if (key == NULL || octets == NULL || parameters == NULL
      || !ASN1_OCTET_STRING_set (octets, scalar, TIRKEU_GOST_PRIVATE_KEY_SIZE)
      || (encoded_len = i2d_ASN1_OCTET_STRING (octets, &encoded)) <= 0
      || !PKCS8_pkey_set0 (key, OBJ_nid2obj (tirkeu_gost_nid (TIRKEU_GOST_NID_2015_512_KEY)),
                           0, V_ASN1_SEQUENCE, parameters, encoded, encoded_len))
    {
      failed (error);
      goto out;
    }
  /* both now the PKCS#8's, which wipes its key when freed */
  parameters = NULL;
  encoded = NULL;

  result = tirkeu_key_file_write_pkcs12 (key, certificate, NULL, password, error);

out:
  if (encoded != NULL)
    OPENSSL_clear_free (encoded, encoded_len);
  if (octets != NULL)
    OPENSSL_cleanse (octets->data, octets->length);
  ASN1_OCTET_STRING_free (octets);
  ASN1_STRING_free (parameters);
  PKCS8_PRIV_KEY_INFO_free (key);
  X509_free (certificate);
  OPENSSL_secure_clear_free (scalar, TIRKEU_GOST_PRIVATE_KEY_SIZE);
  return result;
}

/* --- delegates, and the CA kept on disk ------------------------------------------------ */

static TirkeuGostIssuer *
issuer_with_fresh_key (GError **error)
{
  g_autoptr(TirkeuGostIssuer) self = NULL;

  tirkeu_key_file_get_lib_ctx ();
  self = g_object_new (TIRKEU_TYPE_GOST_ISSUER, NULL);
  self->private_key = OPENSSL_secure_malloc (TIRKEU_GOST_PRIVATE_KEY_SIZE);
  if (self->private_key == NULL)
    return failed_null (error);
  if (!tirkeu_gost_generate_private_key (self->private_key, error))
    return NULL;
  return g_steal_pointer (&self);
}

/**
 * tirkeu_gost_issuer_new_delegate:
 * @parent: the CA that certifies the delegate
 * @common_name: the delegate's name (CN), e.g. "TIRKEU SANDBOX TSA"
 * @extended_usage: its one extended key usage, as OpenSSL names it: "timeStamping" for a
 *   time-stamping authority (RFC 3161, 2.3: the only one, critical) or "OCSPSigning" for an
 *   OCSP responder (RFC 6960, 4.2.2.2)
 * @not_before: the start of its validity
 * @not_after: its end
 * @error: %TIRKEU_TOKEN_ERROR_SIGNING_FAILED
 *
 * A key of its own with a certificate from @parent for one service, as NCA's "OCSP
 * RESPONDER" and its TSA have: keyUsage digitalSignature and nonRepudiation, the EKU
 * critical. The result signs like any issuer (tirkeu_gost_issuer_sign_timestamp(), …).
 *
 * Returns: (transfer full): the delegate, or %NULL
 */
TirkeuGostIssuer *
tirkeu_gost_issuer_new_delegate (TirkeuGostIssuer  *parent,
                                 const char        *common_name,
                                 const char        *extended_usage,
                                 GDateTime         *not_before,
                                 GDateTime         *not_after,
                                 GError           **error)
{
  g_autoptr(TirkeuGostIssuer) self = NULL;
  g_autofree char *usage = NULL;
  guint8 public_key[TIRKEU_GOST_PUBLIC_KEY_SIZE];
  X509 *certificate = NULL;
  X509_NAME *name = NULL;
  gboolean ok;

  g_return_val_if_fail (TIRKEU_IS_GOST_ISSUER (parent), NULL);
  g_return_val_if_fail (common_name != NULL && extended_usage != NULL, NULL);
  g_return_val_if_fail (not_before != NULL && not_after != NULL, NULL);

  self = issuer_with_fresh_key (error);
  if (self == NULL || !tirkeu_gost_public_key_from_private (self->private_key, public_key, error))
    return NULL;

  usage = g_strconcat ("critical,", extended_usage, NULL);
  certificate = X509_new ();
  name = X509_NAME_new ();
  ok = certificate != NULL && name != NULL
       && X509_set_version (certificate, X509_VERSION_3)
       && set_random_serial (certificate)
       && add_name_entry (name, "CN", NULL, common_name)
       && add_name_entry (name, "C", NULL, "KZ")
       && X509_set_subject_name (certificate, name)
       && X509_set_issuer_name (certificate, X509_get_subject_name (parent->certificate))
       && set_validity (certificate, not_before, not_after)
       && set_public_key (certificate, public_key)
       && add_extension (certificate, parent->certificate, NID_key_usage,
                         "critical,digitalSignature,nonRepudiation")
       && add_extension (certificate, parent->certificate, NID_ext_key_usage, usage)
       && add_extension (certificate, parent->certificate, NID_subject_key_identifier, "hash")
       && add_extension (certificate, parent->certificate, NID_authority_key_identifier,
                         "keyid:always")
       && tirkeu_gost_sign_certificate (certificate, parent->private_key, error);
  X509_NAME_free (name);

  if (ok)
    self->certificate = finish (certificate, parent->certificate, error);
  else if (error != NULL && *error == NULL)
    failed (error);
  X509_free (certificate);

  if (self->certificate == NULL)
    return NULL;
  return g_steal_pointer (&self);
}

static gboolean
file_failed (GError     **error,
             const char  *path)
{
  ERR_clear_error ();
  if (error != NULL && *error != NULL)
    return FALSE;
  g_set_error (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_CERTIFICATE, "%s: %s",
               tirkeu_token_error_to_message (TIRKEU_TOKEN_ERROR_CERTIFICATE), path);
  return FALSE;
}

/**
 * tirkeu_gost_issuer_load:
 * @certificate_path: the certificate, DER (as tirkeu_gost_issuer_save() wrote it)
 * @key_path: its private key, a DER PKCS#8 of OID 1.2.398.3.10.1.1.2.2
 * @error: a #GFileError when a file cannot be read, %TIRKEU_TOKEN_ERROR_CERTIFICATE when
 *   they are not a GOST 2015-512 certificate and its key
 *
 * Returns: (transfer full): the issuer kept in the two files, or %NULL
 */
TirkeuGostIssuer *
tirkeu_gost_issuer_load (const char  *certificate_path,
                         const char  *key_path,
                         GError     **error)
{
  g_autoptr(TirkeuGostIssuer) self = NULL;
  g_autofree char *certificate_der = NULL;
  char *key_der = NULL;
  gsize certificate_len = 0, key_len = 0;
  const unsigned char *p;
  PKCS8_PRIV_KEY_INFO *key = NULL;
  const ASN1_OBJECT *algorithm = NULL;
  const unsigned char *scalar_der = NULL;
  int scalar_der_len = 0;
  ASN1_OCTET_STRING *scalar = NULL;
  guint8 public_key[TIRKEU_GOST_PUBLIC_KEY_SIZE];
  guint8 certified_key[TIRKEU_GOST_PUBLIC_KEY_SIZE];
  int key_nid;
  gboolean ok = FALSE;

  g_return_val_if_fail (certificate_path != NULL && key_path != NULL, NULL);

  if (!g_file_get_contents (certificate_path, &certificate_der, &certificate_len, error))
    return NULL;
  if (!g_file_get_contents (key_path, &key_der, &key_len, error))
    return NULL;

  tirkeu_key_file_get_lib_ctx ();
  /* registered before anything is parsed, so that the parsed OIDs carry our NIDs */
  key_nid = tirkeu_gost_nid (TIRKEU_GOST_NID_2015_512_KEY);
  self = g_object_new (TIRKEU_TYPE_GOST_ISSUER, NULL);
  p = (const unsigned char *) certificate_der;
  self->certificate = d2i_X509 (NULL, &p, (long) certificate_len);
  if (self->certificate == NULL
      || !tirkeu_gost_public_key_from_spki (X509_get_X509_PUBKEY (self->certificate),
                                            certified_key, NULL))
    {
      file_failed (error, certificate_path);
      goto out;
    }

  p = (const unsigned char *) key_der;
  key = d2i_PKCS8_PRIV_KEY_INFO (NULL, &p, (long) key_len);
  if (key == NULL || !PKCS8_pkey_get0 (&algorithm, &scalar_der, &scalar_der_len, NULL, key)
      || OBJ_obj2nid (algorithm) != key_nid)
    {
      file_failed (error, key_path);
      goto out;
    }
  p = scalar_der;
  scalar = d2i_ASN1_OCTET_STRING (NULL, &p, scalar_der_len);
  self->private_key = OPENSSL_secure_malloc (TIRKEU_GOST_PRIVATE_KEY_SIZE);
  if (scalar == NULL || ASN1_STRING_length (scalar) != TIRKEU_GOST_PRIVATE_KEY_SIZE
      || self->private_key == NULL)
    {
      file_failed (error, key_path);
      goto out;
    }
  memcpy (self->private_key, ASN1_STRING_get0_data (scalar), TIRKEU_GOST_PRIVATE_KEY_SIZE);

  /* the key must be the certificate's: a mixed-up pair would sign what nobody verifies */
  if (!tirkeu_gost_public_key_from_private (self->private_key, public_key, NULL)
      || memcmp (public_key, certified_key, sizeof public_key) != 0)
    {
      file_failed (error, key_path);
      goto out;
    }
  ok = TRUE;

out:
  if (scalar != NULL)
    OPENSSL_cleanse (scalar->data, scalar->length);
  ASN1_OCTET_STRING_free (scalar);
  PKCS8_PRIV_KEY_INFO_free (key);
  OPENSSL_cleanse (key_der, key_len);
  g_free (key_der);
  return ok ? g_steal_pointer (&self) : NULL;
}

/**
 * tirkeu_gost_issuer_save:
 * @self: a #TirkeuGostIssuer
 * @certificate_path: where its certificate goes (DER, mode 0644)
 * @key_path: where its private key goes (DER PKCS#8, unencrypted, mode 0600)
 * @error: a #GFileError, or %TIRKEU_TOKEN_ERROR_SIGNING_FAILED
 *
 * Keeps the issuer for tirkeu_gost_issuer_load(). Each file is replaced atomically; the key
 * is written readable by its owner only, and the key file is written before the
 * certificate, so that a certificate on disk always has its key beside it.
 *
 * Returns: %TRUE on success
 */
gboolean
tirkeu_gost_issuer_save (TirkeuGostIssuer  *self,
                         const char        *certificate_path,
                         const char        *key_path,
                         GError           **error)
{
  PKCS8_PRIV_KEY_INFO *key = NULL;
  ASN1_OCTET_STRING *octets = NULL;
  ASN1_STRING *parameters = NULL;
  unsigned char *encoded = NULL;
  int encoded_len = -1;
  unsigned char *key_der = NULL;
  int key_der_len = -1;
  unsigned char *certificate_der = NULL;
  int certificate_len;
  gboolean ok = FALSE;

  g_return_val_if_fail (TIRKEU_IS_GOST_ISSUER (self), FALSE);
  g_return_val_if_fail (certificate_path != NULL && key_path != NULL, FALSE);

  key = PKCS8_PRIV_KEY_INFO_new ();
  octets = ASN1_OCTET_STRING_new ();
  parameters = tirkeu_gost_key_parameters_new ();
  if (key == NULL || octets == NULL || parameters == NULL
      || !ASN1_OCTET_STRING_set (octets, self->private_key, TIRKEU_GOST_PRIVATE_KEY_SIZE)
      || (encoded_len = i2d_ASN1_OCTET_STRING (octets, &encoded)) <= 0
      || !PKCS8_pkey_set0 (key, OBJ_nid2obj (tirkeu_gost_nid (TIRKEU_GOST_NID_2015_512_KEY)),
                           0, V_ASN1_SEQUENCE, parameters, encoded, encoded_len))
    {
      failed (error);
      goto out;
    }
  parameters = NULL;
  encoded = NULL;

  key_der_len = i2d_PKCS8_PRIV_KEY_INFO (key, &key_der);
  certificate_len = i2d_X509 (self->certificate, &certificate_der);
  if (key_der_len <= 0 || certificate_len <= 0)
    {
      failed (error);
      goto out;
    }

  ok = g_file_set_contents_full (key_path, (const char *) key_der, key_der_len,
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0600, error)
       && g_file_set_contents_full (certificate_path, (const char *) certificate_der,
                                    certificate_len, G_FILE_SET_CONTENTS_CONSISTENT, 0644,
                                    error);

out:
  if (encoded != NULL)
    OPENSSL_clear_free (encoded, encoded_len);
  if (key_der != NULL)
    OPENSSL_clear_free (key_der, key_der_len);
  OPENSSL_free (certificate_der);
  if (octets != NULL)
    OPENSSL_cleanse (octets->data, octets->length);
  ASN1_OCTET_STRING_free (octets);
  ASN1_STRING_free (parameters);
  PKCS8_PRIV_KEY_INFO_free (key);
  return ok;
}

/* --- CRLs, OCSP answers and time stamps ------------------------------------------------ */

/*
 * OpenSSL 3.0 signs CRLs and OCSP answers only with an EVP_PKEY (OpenSSL has no GOST key),
 * and has no setter for a CRL's inner signature algorithm nor for an OCSP answer's
 * responderID. So the two signed structures are written with OpenSSL's ASN.1 templates
 * (RFC 5280, 5.1; RFC 6960, 4.2.1), filled with OpenSSL's own types (X509_REVOKED,
 * OCSP_SINGLERESP, OCSP_RESPID, extensions), DER-encoded by OpenSSL, and the result read
 * back with d2i_X509_CRL / d2i_OCSP_BASICRESP: what leaves here is what OpenSSL parses.
 */

typedef struct
{
  ASN1_INTEGER *version;
  X509_ALGOR *signature;
  X509_NAME *issuer;
  ASN1_TIME *this_update;
  ASN1_TIME *next_update;
  STACK_OF (X509_REVOKED) *revoked;
  STACK_OF (X509_EXTENSION) *extensions;
} GostTbsCertList;

ASN1_SEQUENCE (GostTbsCertList) = {
  ASN1_OPT (GostTbsCertList, version, ASN1_INTEGER),
  ASN1_SIMPLE (GostTbsCertList, signature, X509_ALGOR),
  ASN1_SIMPLE (GostTbsCertList, issuer, X509_NAME),
  ASN1_SIMPLE (GostTbsCertList, this_update, ASN1_TIME),
  ASN1_OPT (GostTbsCertList, next_update, ASN1_TIME),
  ASN1_SEQUENCE_OF_OPT (GostTbsCertList, revoked, X509_REVOKED),
  ASN1_EXP_SEQUENCE_OF_OPT (GostTbsCertList, extensions, X509_EXTENSION, 0),
} static_ASN1_SEQUENCE_END (GostTbsCertList)

typedef struct
{
  GostTbsCertList *tbs;
  X509_ALGOR *signature_algorithm;
  ASN1_BIT_STRING *signature;
} GostCertificateList;

ASN1_SEQUENCE (GostCertificateList) = {
  ASN1_SIMPLE (GostCertificateList, tbs, GostTbsCertList),
  ASN1_SIMPLE (GostCertificateList, signature_algorithm, X509_ALGOR),
  ASN1_SIMPLE (GostCertificateList, signature, ASN1_BIT_STRING),
} static_ASN1_SEQUENCE_END (GostCertificateList)

typedef struct
{
  ASN1_INTEGER *version;
  OCSP_RESPID *responder_id;
  ASN1_GENERALIZEDTIME *produced_at;
  STACK_OF (OCSP_SINGLERESP) *responses;
  STACK_OF (X509_EXTENSION) *extensions;
} GostOcspResponseData;

ASN1_SEQUENCE (GostOcspResponseData) = {
  ASN1_EXP_OPT (GostOcspResponseData, version, ASN1_INTEGER, 0),
  ASN1_SIMPLE (GostOcspResponseData, responder_id, OCSP_RESPID),
  ASN1_SIMPLE (GostOcspResponseData, produced_at, ASN1_GENERALIZEDTIME),
  ASN1_SEQUENCE_OF (GostOcspResponseData, responses, OCSP_SINGLERESP),
  ASN1_EXP_SEQUENCE_OF_OPT (GostOcspResponseData, extensions, X509_EXTENSION, 1),
} static_ASN1_SEQUENCE_END (GostOcspResponseData)

typedef struct
{
  GostOcspResponseData *tbs;
  X509_ALGOR *signature_algorithm;
  ASN1_BIT_STRING *signature;
  STACK_OF (X509) *certificates;
} GostOcspBasicResponse;

ASN1_SEQUENCE (GostOcspBasicResponse) = {
  ASN1_SIMPLE (GostOcspBasicResponse, tbs, GostOcspResponseData),
  ASN1_SIMPLE (GostOcspBasicResponse, signature_algorithm, X509_ALGOR),
  ASN1_SIMPLE (GostOcspBasicResponse, signature, ASN1_BIT_STRING),
  ASN1_EXP_SEQUENCE_OF_OPT (GostOcspBasicResponse, certificates, X509, 0),
} static_ASN1_SEQUENCE_END (GostOcspBasicResponse)

/* Signs the DER @tbs into @bits: Streebog-512, GOST 2015-512, NCA's layout, no unused bits. */
static gboolean
sign_into (TirkeuGostIssuer  *self,
           const guint8      *tbs,
           gsize              tbs_len,
           X509_ALGOR        *algorithm,
           ASN1_BIT_STRING   *bits,
           GError           **error)
{
  guint8 digest[TIRKEU_GOST_DIGEST_SIZE];
  guint8 value[TIRKEU_GOST_SIGNATURE_SIZE];

  tirkeu_gost_streebog512 (tbs, tbs_len, digest);
  if (!tirkeu_gost_sign_digest (self->private_key, digest, value, error))
    return FALSE;
  set_gost_signature_algorithm (algorithm);
  if (!ASN1_BIT_STRING_set (bits, value, sizeof value))
    return failed (error);
  bits->flags &= ~(ASN1_STRING_FLAG_BITS_LEFT | 0x07);
  bits->flags |= ASN1_STRING_FLAG_BITS_LEFT;
  return TRUE;
}

static ASN1_INTEGER *
serial_from_hex (const char *serial_hex)
{
  BIGNUM *number = NULL;
  ASN1_INTEGER *serial = NULL;
  int used;

  if (serial_hex == NULL)
    return NULL;
  used = BN_hex2bn (&number, serial_hex);
  if (used > 0 && (gsize) used == strlen (serial_hex))
    serial = BN_to_ASN1_INTEGER (number, NULL);
  BN_free (number);
  ERR_clear_error ();
  return serial;
}

static const TirkeuGostRevocation *
find_revocation (const TirkeuGostRevocation *revocations,
                 gsize                       n_revocations,
                 const ASN1_INTEGER         *serial)
{
  for (gsize i = 0; i < n_revocations; i++)
    {
      ASN1_INTEGER *revoked = serial_from_hex (revocations[i].serial_hex);
      gboolean same = revoked != NULL && ASN1_INTEGER_cmp (revoked, serial) == 0;

      ASN1_INTEGER_free (revoked);
      if (same)
        return &revocations[i];
    }
  return NULL;
}

static gboolean
add_authority_key_id (STACK_OF (X509_EXTENSION) **extensions,
                      X509                       *issuer)
{
  const ASN1_OCTET_STRING *key_id = X509_get0_subject_key_id (issuer);
  AUTHORITY_KEYID *authority = AUTHORITY_KEYID_new ();
  gboolean ok;

  ok = authority != NULL && key_id != NULL
       && (authority->keyid = ASN1_OCTET_STRING_dup (key_id)) != NULL
       && X509V3_add1_i2d (extensions, NID_authority_key_identifier, authority, 0,
                           X509V3_ADD_DEFAULT) == 1;
  AUTHORITY_KEYID_free (authority);
  return ok;
}

/**
 * tirkeu_gost_issuer_sign_crl:
 * @self: a #TirkeuGostIssuer (a CA)
 * @revocations: (array length=n_revocations): what it revoked
 * @n_revocations: how many
 * @crl_number: the CRL's number (RFC 5280, 5.2.3), rising with each new list
 * @this_update: the time of this list
 * @next_update: when the next is due
 * @error: %TIRKEU_TOKEN_ERROR_SIGNING_FAILED, also for a serial that is not hexadecimal
 *
 * A version 2 CRL signed with GOST 2015-512 as NCA signs its own: both signature algorithm
 * fields 1.2.398.3.10.1.1.2.3.2 with NULL, authorityKeyIdentifier and cRLNumber, each entry
 * with its revocation date and, when given, its reason code. tirkeu_gost_verify_crl()
 * verifies it with the CA's certificate.
 *
 * Returns: (transfer full): the CRL, DER, or %NULL
 */
GBytes *
tirkeu_gost_issuer_sign_crl (TirkeuGostIssuer           *self,
                             const TirkeuGostRevocation *revocations,
                             gsize                       n_revocations,
                             guint64                     crl_number,
                             GDateTime                  *this_update,
                             GDateTime                  *next_update,
                             GError                    **error)
{
  GostCertificateList *list = NULL;
  GostTbsCertList *tbs;
  ASN1_INTEGER *number = NULL;
  unsigned char *der = NULL;
  int der_len;
  GBytes *result = NULL;

  g_return_val_if_fail (TIRKEU_IS_GOST_ISSUER (self), NULL);
  g_return_val_if_fail (revocations != NULL || n_revocations == 0, NULL);
  g_return_val_if_fail (this_update != NULL && next_update != NULL, NULL);

  list = (GostCertificateList *) ASN1_item_new (ASN1_ITEM_rptr (GostCertificateList));
  if (list == NULL)
    return failed_null (error);
  tbs = list->tbs;
  tbs->version = ASN1_INTEGER_new ();
  tbs->next_update = ASN1_TIME_new ();
  number = ASN1_INTEGER_new ();
  if (tbs->version == NULL || tbs->next_update == NULL || number == NULL
      || !ASN1_INTEGER_set (tbs->version, 1)        /* v2 */
      || !X509_NAME_set (&tbs->issuer, X509_get_subject_name (self->certificate))
      || ASN1_TIME_set (tbs->this_update, (time_t) g_date_time_to_unix (this_update)) == NULL
      || ASN1_TIME_set (tbs->next_update, (time_t) g_date_time_to_unix (next_update)) == NULL
      || !ASN1_INTEGER_set_uint64 (number, crl_number)
      || !add_authority_key_id (&tbs->extensions, self->certificate)
      || X509V3_add1_i2d (&tbs->extensions, NID_crl_number, number, 0, X509V3_ADD_DEFAULT) != 1)
    goto out;
  set_gost_signature_algorithm (tbs->signature);

  for (gsize i = 0; i < n_revocations; i++)
    {
      X509_REVOKED *entry = X509_REVOKED_new ();
      ASN1_INTEGER *serial = serial_from_hex (revocations[i].serial_hex);
      ASN1_TIME *date = ASN1_TIME_set (NULL, (time_t) revocations[i].revoked_at);
      ASN1_ENUMERATED *reason = NULL;
      gboolean ok;

      ok = entry != NULL && serial != NULL && date != NULL
           && X509_REVOKED_set_serialNumber (entry, serial)
           && X509_REVOKED_set_revocationDate (entry, date);
      if (ok && revocations[i].reason >= 0)
        ok = (reason = ASN1_ENUMERATED_new ()) != NULL
             && ASN1_ENUMERATED_set (reason, revocations[i].reason)
             && X509_REVOKED_add1_ext_i2d (entry, NID_crl_reason, reason, 0, 0) == 1;
      if (ok && tbs->revoked == NULL)
        ok = (tbs->revoked = sk_X509_REVOKED_new_null ()) != NULL;
      if (ok)
        ok = sk_X509_REVOKED_push (tbs->revoked, entry) > 0;
      if (ok)
        entry = NULL;

      ASN1_ENUMERATED_free (reason);
      ASN1_TIME_free (date);
      ASN1_INTEGER_free (serial);
      X509_REVOKED_free (entry);
      if (!ok)
        goto out;
    }

  der_len = ASN1_item_i2d ((ASN1_VALUE *) tbs, &der, ASN1_ITEM_rptr (GostTbsCertList));
  if (der_len <= 0)
    goto out;
  if (!sign_into (self, der, der_len, list->signature_algorithm, list->signature, error))
    goto out;
  OPENSSL_free (der);
  der = NULL;

  der_len = ASN1_item_i2d ((ASN1_VALUE *) list, &der, ASN1_ITEM_rptr (GostCertificateList));
  if (der_len > 0)
    result = g_bytes_new (der, der_len);

out:
  OPENSSL_free (der);
  ASN1_INTEGER_free (number);
  ASN1_item_free ((ASN1_VALUE *) list, ASN1_ITEM_rptr (GostCertificateList));
  if (result == NULL)
    return failed_null (error);
  return result;
}

/* Whether @id names a certificate this CA issued: its name and key hashed with the
 * request's own hash (SHA-1 or SHA-256, RFC 6960, 4.1.1) match. */
static gboolean
ocsp_id_is_ours (TirkeuGostIssuer *self,
                 OCSP_CERTID      *id)
{
  ASN1_OBJECT *hash = NULL;
  ASN1_INTEGER *serial = NULL;
  const EVP_MD *md;
  OCSP_CERTID *ours;
  gboolean same;

  if (!OCSP_id_get0_info (NULL, &hash, NULL, &serial, id))
    return FALSE;
  md = EVP_get_digestbyobj (hash);
  if (md == NULL || (EVP_MD_get_type (md) != NID_sha1 && EVP_MD_get_type (md) != NID_sha256))
    {
      ERR_clear_error ();
      return FALSE;
    }
  ours = OCSP_cert_id_new (md, X509_get_subject_name (self->certificate),
                           X509_get0_pubkey_bitstr (self->certificate), serial);
  same = ours != NULL && OCSP_id_issuer_cmp (ours, id) == 0;
  OCSP_CERTID_free (ours);
  ERR_clear_error ();
  return same;
}

/**
 * tirkeu_gost_issuer_answer_ocsp:
 * @self: a #TirkeuGostIssuer (the CA whose certificates are asked about)
 * @request: the OCSP request (RFC 6960, 4.1)
 * @revocations: (array length=n_revocations): what the CA revoked
 * @n_revocations: how many
 * @now: the time of the answer (producedAt, thisUpdate)
 * @error: %TIRKEU_TOKEN_ERROR_SIGNING_FAILED
 *
 * The CA answers for itself (RFC 6960, 4.2.2.2, the first case): a successful OCSPResponse
 * whose BasicOCSPResponse is signed with the CA's GOST 2015-512 key, responderID byName,
 * one SingleResponse per CertID asked, echoing it: revoked (with the time and, when known,
 * the reason) for a certificate of the revocation list, good for any other certificate of
 * this CA, unknown for a certificate of another issuer or a CertID hashed with anything
 * but SHA-1 or SHA-256. The request's nonce, if any, is echoed. A request that asks about
 * nothing gets malformedRequest, unsigned as RFC 6960 has it.
 * tirkeu_gost_verify_ocsp_response() verifies the answer with the CA's certificate.
 *
 * Returns: (transfer full): the OCSPResponse, DER, or %NULL
 */
GBytes *
tirkeu_gost_issuer_answer_ocsp (TirkeuGostIssuer           *self,
                                OCSP_REQUEST               *request,
                                const TirkeuGostRevocation *revocations,
                                gsize                       n_revocations,
                                GDateTime                  *now,
                                GError                    **error)
{
  OCSP_BASICRESP *scratch = NULL;
  OCSP_BASICRESP *basic = NULL;
  OCSP_RESPONSE *response = NULL;
  GostOcspBasicResponse *signed_response = NULL;
  GostOcspResponseData *tbs;
  ASN1_TIME *this_update = NULL;
  unsigned char *der = NULL;
  const unsigned char *p;
  int der_len, n_asked;
  GBytes *result = NULL;

  g_return_val_if_fail (TIRKEU_IS_GOST_ISSUER (self), NULL);
  g_return_val_if_fail (request != NULL, NULL);
  g_return_val_if_fail (now != NULL, NULL);

  n_asked = OCSP_request_onereq_count (request);
  if (n_asked <= 0)
    {
      response = OCSP_response_create (OCSP_RESPONSE_STATUS_MALFORMEDREQUEST, NULL);
      goto encode;
    }

  /* The single responses and the nonce are made by OpenSSL into a scratch answer that is
   * never signed, then moved into the one that is. */
  scratch = OCSP_BASICRESP_new ();
  this_update = ASN1_TIME_set (NULL, (time_t) g_date_time_to_unix (now));
  if (scratch == NULL || this_update == NULL)
    goto out;
  for (int i = 0; i < n_asked; i++)
    {
      OCSP_CERTID *id = OCSP_onereq_get0_id (OCSP_request_onereq_get0 (request, i));
      ASN1_INTEGER *serial = NULL;
      const TirkeuGostRevocation *revocation = NULL;
      ASN1_TIME *revoked_at = NULL;
      OCSP_SINGLERESP *single;

      if (!OCSP_id_get0_info (NULL, NULL, NULL, &serial, id))
        goto out;
      if (!ocsp_id_is_ours (self, id))
        {
          single = OCSP_basic_add1_status (scratch, id, V_OCSP_CERTSTATUS_UNKNOWN, 0, NULL,
                                           this_update, NULL);
        }
      else if ((revocation = find_revocation (revocations, n_revocations, serial)) != NULL)
        {
          revoked_at = ASN1_TIME_set (NULL, (time_t) revocation->revoked_at);
          single = revoked_at == NULL ? NULL
                   : OCSP_basic_add1_status (scratch, id, V_OCSP_CERTSTATUS_REVOKED,
                                             revocation->reason, revoked_at, this_update,
                                             NULL);
          ASN1_TIME_free (revoked_at);
        }
      else
        {
          single = OCSP_basic_add1_status (scratch, id, V_OCSP_CERTSTATUS_GOOD, 0, NULL,
                                           this_update, NULL);
        }
      if (single == NULL)
        goto out;
    }
  if (OCSP_copy_nonce (scratch, request) <= 0)
    goto out;

  signed_response =
    (GostOcspBasicResponse *) ASN1_item_new (ASN1_ITEM_rptr (GostOcspBasicResponse));
  if (signed_response == NULL)
    goto out;
  tbs = signed_response->tbs;
  if (!OCSP_RESPID_set_by_name (tbs->responder_id, self->certificate)
      || ASN1_GENERALIZEDTIME_set (tbs->produced_at, (time_t) g_date_time_to_unix (now)) == NULL)
    goto out;
  for (int i = 0; i < OCSP_resp_count (scratch); i++)
    {
      OCSP_SINGLERESP *copy = ASN1_item_dup (ASN1_ITEM_rptr (OCSP_SINGLERESP),
                                             OCSP_resp_get0 (scratch, i));

      if (copy == NULL || sk_OCSP_SINGLERESP_push (tbs->responses, copy) <= 0)
        {
          OCSP_SINGLERESP_free (copy);
          goto out;
        }
    }
  for (int i = 0; i < OCSP_BASICRESP_get_ext_count (scratch); i++)
    if (X509v3_add_ext (&tbs->extensions, OCSP_BASICRESP_get_ext (scratch, i), -1) == NULL)
      goto out;

  der_len = ASN1_item_i2d ((ASN1_VALUE *) tbs, &der, ASN1_ITEM_rptr (GostOcspResponseData));
  if (der_len <= 0
      || !sign_into (self, der, der_len, signed_response->signature_algorithm,
                     signed_response->signature, error))
    goto out;
  OPENSSL_free (der);
  der = NULL;

  der_len = ASN1_item_i2d ((ASN1_VALUE *) signed_response, &der,
                           ASN1_ITEM_rptr (GostOcspBasicResponse));
  if (der_len <= 0)
    goto out;
  p = der;
  basic = d2i_OCSP_BASICRESP (NULL, &p, der_len);
  OPENSSL_free (der);
  der = NULL;
  if (basic == NULL)
    goto out;
  response = OCSP_response_create (OCSP_RESPONSE_STATUS_SUCCESSFUL, basic);

encode:
  if (response != NULL && (der_len = i2d_OCSP_RESPONSE (response, &der)) > 0)
    result = g_bytes_new (der, der_len);

out:
  OPENSSL_free (der);
  OCSP_RESPONSE_free (response);
  OCSP_BASICRESP_free (basic);
  ASN1_item_free ((ASN1_VALUE *) signed_response, ASN1_ITEM_rptr (GostOcspBasicResponse));
  OCSP_BASICRESP_free (scratch);
  ASN1_TIME_free (this_update);
  if (result == NULL)
    return failed_null (error);
  return result;
}

static GBytes *
sign_attributes_cb (GBytes    *attributes,
                    gpointer   user_data,
                    GError   **error)
{
  TirkeuGostIssuer *self = user_data;
  guint8 digest[TIRKEU_GOST_DIGEST_SIZE];
  guint8 value[TIRKEU_GOST_SIGNATURE_SIZE];

  tirkeu_gost_streebog512 (g_bytes_get_data (attributes, NULL), g_bytes_get_size (attributes),
                           digest);
  if (!tirkeu_gost_sign_digest (self->private_key, digest, value, error))
    return NULL;
  return g_bytes_new (value, sizeof value);
}

/**
 * tirkeu_gost_issuer_sign_timestamp:
 * @self: a #TirkeuGostIssuer (a time-stamping authority, see
 *   tirkeu_gost_issuer_new_delegate())
 * @policy_oid: the TSA policy under which the token is issued, dotted
 * @hash_algorithm: the messageImprint's hash algorithm, as asked
 * @hashed_message: the messageImprint's hash, as asked
 * @nonce: (nullable): the request's nonce, echoed
 * @time: the time stamped (genTime)
 * @include_certificate: the request's certReq: whether the TSA's certificate goes in
 * @error: %TIRKEU_TOKEN_ERROR_SIGNING_FAILED
 *
 * A time-stamp token (RFC 3161, 2.4.2): a TSTInfo (version 1, the policy, the imprint as
 * asked, a random serial number, genTime, the nonce, the TSA's name) in an attached CMS
 * SignedData of eContentType id-ct-TSTInfo signed with GOST 2015-512, with the
 * signing-certificate-v2 attribute (RFC 5816). tirkeu_cms_verify() checks its signature.
 *
 * Returns: (transfer full): the token (a ContentInfo), DER, or %NULL
 */
GBytes *
tirkeu_gost_issuer_sign_timestamp (TirkeuGostIssuer   *self,
                                   const char         *policy_oid,
                                   const X509_ALGOR   *hash_algorithm,
                                   GBytes             *hashed_message,
                                   const ASN1_INTEGER *nonce,
                                   GDateTime          *time,
                                   gboolean            include_certificate,
                                   GError            **error)
{
  TS_TST_INFO *info = NULL;
  TS_MSG_IMPRINT *imprint = NULL;
  X509_ALGOR *algorithm = NULL;
  ASN1_OBJECT *policy = NULL;
  ASN1_INTEGER *serial = NULL;
  ASN1_GENERALIZEDTIME *gen_time = NULL;
  GENERAL_NAME *name = NULL;
  BIGNUM *serial_number = NULL;
  unsigned char *der = NULL;
  int der_len;
  g_autoptr(GBytes) content = NULL;
  gboolean ok;

  g_return_val_if_fail (TIRKEU_IS_GOST_ISSUER (self), NULL);
  g_return_val_if_fail (policy_oid != NULL && hash_algorithm != NULL, NULL);
  g_return_val_if_fail (hashed_message != NULL && time != NULL, NULL);

  info = TS_TST_INFO_new ();
  imprint = TS_MSG_IMPRINT_new ();
  algorithm = X509_ALGOR_dup (hash_algorithm);
  policy = OBJ_txt2obj (policy_oid, 1);
  serial_number = BN_new ();
  gen_time = ASN1_GENERALIZEDTIME_set (NULL, (time_t) g_date_time_to_unix (time));
  name = GENERAL_NAME_new ();
  ok = info != NULL && imprint != NULL && algorithm != NULL && policy != NULL
       && serial_number != NULL && gen_time != NULL && name != NULL
       && g_bytes_get_size (hashed_message) <= G_MAXINT
       && TS_MSG_IMPRINT_set_algo (imprint, algorithm)
       && TS_MSG_IMPRINT_set_msg (imprint,
                                  (unsigned char *) g_bytes_get_data (hashed_message, NULL),
                                  (int) g_bytes_get_size (hashed_message))
       && TS_TST_INFO_set_version (info, 1)
       && TS_TST_INFO_set_policy_id (info, policy)
       && TS_TST_INFO_set_msg_imprint (info, imprint)
       /* 64 random bits: unique for each token of this TSA (RFC 3161, 2.4.2) */
       && BN_rand (serial_number, 64, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY)
       && (serial = BN_to_ASN1_INTEGER (serial_number, NULL)) != NULL
       && TS_TST_INFO_set_serial (info, serial)
       && TS_TST_INFO_set_time (info, gen_time)
       && (nonce == NULL || TS_TST_INFO_set_nonce (info, nonce));
  if (ok)
    {
      name->type = GEN_DIRNAME;
      name->d.directoryName = X509_NAME_dup (X509_get_subject_name (self->certificate));
      ok = name->d.directoryName != NULL && TS_TST_INFO_set_tsa (info, name);
    }
  if (ok)
    ok = (der_len = i2d_TS_TST_INFO (info, &der)) > 0;
  if (ok)
    content = g_bytes_new (der, der_len);

  OPENSSL_free (der);
  GENERAL_NAME_free (name);
  ASN1_GENERALIZEDTIME_free (gen_time);
  BN_free (serial_number);
  ASN1_INTEGER_free (serial);
  ASN1_OBJECT_free (policy);
  X509_ALGOR_free (algorithm);
  TS_MSG_IMPRINT_free (imprint);
  TS_TST_INFO_free (info);

  if (content == NULL)
    return failed_null (error);
  return tirkeu_cms_sign_attached (self->certificate, TIRKEU_OID_CT_TST_INFO, content, time,
                                   include_certificate, sign_attributes_cb, self, error);
}
