/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pkcs12.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <string.h>

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
