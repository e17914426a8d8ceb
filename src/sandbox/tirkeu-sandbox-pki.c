/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "tirkeu-cms.h"
#include "tirkeu-sandbox-error.h"
#include "tirkeu-sandbox-pki.h"
#include "tirkeu-sandbox-private.h"

#define OID_CLIENT_AUTH      "1.3.6.1.5.5.7.3.2"
#define OID_EMAIL_PROTECTION "1.3.6.1.5.5.7.3.4"

/* Takes OpenSSL's error queue into a GError so that the first cause is not lost. */
static void
set_openssl_error (GError    **error,
                   const char *what)
{
  unsigned long code = ERR_get_error ();
  char text[256] = "";

  if (code != 0)
    ERR_error_string_n (code, text, sizeof text);
  ERR_clear_error ();

  g_set_error (error, TIRKEU_SANDBOX_ERROR, TIRKEU_SANDBOX_ERROR_CERTIFICATE,
               "%s: %s", what, code != 0 ? text : "unknown OpenSSL error");
}

/**
 * tirkeu_sandbox_pki_new_key:
 * @rsa_bits: 0 for an ECDSA P-256 key, else the size of an RSA key
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): a new private key
 */
EVP_PKEY *
tirkeu_sandbox_pki_new_key (guint    rsa_bits,
                            GError **error)
{
  EVP_PKEY *key;

  if (rsa_bits == 0)
    key = EVP_EC_gen ("P-256");
  else
    key = EVP_RSA_gen (rsa_bits);

  if (key == NULL)
    set_openssl_error (error, _("Cannot generate a key"));

  return key;
}

static gboolean
add_ext (X509       *cert,
         X509       *issuer,
         int         nid,
         const char *value)
{
  X509V3_CTX ctx;
  X509_EXTENSION *ext;
  gboolean ok;

  X509V3_set_ctx_nodb (&ctx);
  X509V3_set_ctx (&ctx, issuer, cert, NULL, NULL, 0);
  ext = X509V3_EXT_nconf_nid (NULL, &ctx, nid, value);
  if (ext == NULL)
    return FALSE;
  ok = X509_add_ext (cert, ext, -1) == 1;
  X509_EXTENSION_free (ext);

  return ok;
}

static X509 *
new_cert_skeleton (EVP_PKEY *key,
                   guint     days)
{
  X509 *cert = X509_new ();
  g_autoptr(BIGNUM) serial = BN_new ();

  X509_set_version (cert, X509_VERSION_3);
  /* 128 random bits, positive: serial numbers must not repeat under one issuer. */
  BN_rand (serial, 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY);
  BN_to_ASN1_INTEGER (serial, X509_get_serialNumber (cert));
  /* A day in the past absorbs clock skew between the sandbox and its clients. */
  X509_gmtime_adj (X509_getm_notBefore (cert), -24 * 3600);
  X509_gmtime_adj (X509_getm_notAfter (cert), (long) days * 24 * 3600);
  X509_set_pubkey (cert, key);

  return cert;
}

static gboolean
add_name_entry (X509_NAME  *name,
                int         nid,
                const char *value)
{
  return X509_NAME_add_entry_by_NID (name, nid, MBSTRING_UTF8,
                                     (const unsigned char *) value, -1, -1, 0) == 1;
}

/**
 * tirkeu_sandbox_pki_new_ca:
 * @key: the CA's key
 * @common_name: its CN
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): a self-signed CA certificate valid for 10 years
 */
X509 *
tirkeu_sandbox_pki_new_ca (EVP_PKEY   *key,
                           const char *common_name,
                           GError    **error)
{
  g_autoptr(X509) cert = new_cert_skeleton (key, 3650);
  X509_NAME *name = X509_get_subject_name (cert);

  if (!add_name_entry (name, NID_countryName, "KZ")
      || !add_name_entry (name, NID_organizationName, "Tirkeu sandbox")
      || !add_name_entry (name, NID_commonName, common_name)
      || X509_set_issuer_name (cert, name) != 1
      || !add_ext (cert, cert, NID_basic_constraints, "critical,CA:TRUE")
      || !add_ext (cert, cert, NID_key_usage, "critical,keyCertSign,cRLSign")
      || !add_ext (cert, cert, NID_subject_key_identifier, "hash")
      || X509_sign (cert, key, EVP_sha256 ()) == 0)
    {
      set_openssl_error (error, _("Cannot make the CA certificate"));
      return NULL;
    }

  return g_steal_pointer (&cert);
}

static gboolean
finish_issued (X509     *cert,
               X509     *ca,
               EVP_PKEY *ca_key)
{
  return X509_set_issuer_name (cert, X509_get_subject_name (ca)) == 1
         && add_ext (cert, ca, NID_basic_constraints, "critical,CA:FALSE")
         && add_ext (cert, ca, NID_subject_key_identifier, "hash")
         && add_ext (cert, ca, NID_authority_key_identifier, "keyid:always")
         && X509_sign (cert, ca_key, EVP_sha256 ()) != 0;
}

/**
 * tirkeu_sandbox_pki_new_server_cert:
 * @key: the server's key
 * @ca: the issuing CA
 * @ca_key: its key
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): a TLS server certificate for localhost, 127.0.0.1 and
 *   ::1, valid for 825 days (the longest that clients accept)
 */
X509 *
tirkeu_sandbox_pki_new_server_cert (EVP_PKEY *key,
                                    X509     *ca,
                                    EVP_PKEY *ca_key,
                                    GError  **error)
{
  g_autoptr(X509) cert = new_cert_skeleton (key, 825);
  X509_NAME *name = X509_get_subject_name (cert);

  if (!add_name_entry (name, NID_organizationName, "Tirkeu sandbox")
      || !add_name_entry (name, NID_commonName, "localhost")
      || !add_ext (cert, ca, NID_subject_alt_name,
                   "DNS:localhost,IP:127.0.0.1,IP:::1")
      || !add_ext (cert, ca, NID_key_usage, "critical,digitalSignature,keyEncipherment")
      || !add_ext (cert, ca, NID_ext_key_usage, "serverAuth")
      || !finish_issued (cert, ca, ca_key))
    {
      set_openssl_error (error, _("Cannot make the server certificate"));
      return NULL;
    }

  return g_steal_pointer (&cert);
}

/**
 * tirkeu_sandbox_pki_new_person_cert:
 * @key: the person's key
 * @ca: the issuing CA
 * @ca_key: its key
 * @kind: AUTH or SIGN
 * @person: the subject
 * @error: return location for a #GError
 *
 * Issues a certificate shaped like the national CA's for a legal entity's employee
 * (DOMAIN.md): CN=SURNAME NAME, SURNAME, SERIALNUMBER=IIN..., C=KZ, O, OU=BIN...,
 * GIVENNAME; the key usage and EKU of @kind, plus the role OIDs.
 *
 * Returns: (transfer full) (nullable): the certificate, valid for one year
 */
X509 *
tirkeu_sandbox_pki_new_person_cert (EVP_PKEY                  *key,
                                    X509                      *ca,
                                    EVP_PKEY                  *ca_key,
                                    TirkeuSandboxKeyKind       kind,
                                    const TirkeuSandboxPerson *person,
                                    GError                   **error)
{
  g_autoptr(X509) cert = new_cert_skeleton (key, 365);
  X509_NAME *name = X509_get_subject_name (cert);
  g_autofree char *common_name = g_strdup_printf ("%s %s", person->surname, person->given_name);
  g_autofree char *serial = g_strconcat ("IIN", person->iin, NULL);
  g_autoptr(GString) eku = g_string_new (kind == TIRKEU_SANDBOX_KEY_AUTH
                                         ? OID_CLIENT_AUTH : OID_EMAIL_PROTECTION);
  gboolean ok;

  for (guint i = 0; person->role_oids != NULL && person->role_oids[i] != NULL; i++)
    g_string_append_printf (eku, ",%s", person->role_oids[i]);

  ok = add_name_entry (name, NID_commonName, common_name)
       && add_name_entry (name, NID_surname, person->surname)
       && add_name_entry (name, NID_serialNumber, serial)
       && add_name_entry (name, NID_countryName, "KZ");
  if (ok && person->organization != NULL)
    ok = add_name_entry (name, NID_organizationName, person->organization);
  if (ok && person->bin != NULL)
    {
      g_autofree char *unit = g_strconcat ("BIN", person->bin, NULL);
      ok = add_name_entry (name, NID_organizationalUnitName, unit);
    }
  if (ok && person->patronymic != NULL)
    ok = add_name_entry (name, NID_givenName, person->patronymic);

  if (!ok
      || !add_ext (cert, ca, NID_key_usage,
                   kind == TIRKEU_SANDBOX_KEY_AUTH
                   ? "critical,digitalSignature,keyEncipherment"
                   : "critical,digitalSignature,nonRepudiation")
      || !add_ext (cert, ca, NID_ext_key_usage, eku->str)
      || !finish_issued (cert, ca, ca_key))
    {
      set_openssl_error (error, _("Cannot make the person’s certificate"));
      return NULL;
    }

  return g_steal_pointer (&cert);
}

static gboolean
write_pem (const char *path,
           X509       *cert,
           EVP_PKEY   *key,
           GError    **error)
{
  g_autoptr(BIO) bio = BIO_new (BIO_s_mem ());
  char *data = NULL;
  long len;
  gboolean ok;

  if (cert != NULL)
    ok = PEM_write_bio_X509 (bio, cert) == 1;
  else
    ok = PEM_write_bio_PrivateKey (bio, key, NULL, NULL, 0, NULL, NULL) == 1;
  if (!ok)
    {
      set_openssl_error (error, _("Cannot encode PEM"));
      return FALSE;
    }

  len = BIO_get_mem_data (bio, &data);
  /* A private key is a secret: 0600, written atomically so a reader never sees half. */
  return g_file_set_contents_full (path, data, len, G_FILE_SET_CONTENTS_CONSISTENT,
                                   key != NULL ? 0600 : 0644, error);
}

/**
 * tirkeu_sandbox_pki_write_cert:
 * @path: a file
 * @cert: a certificate
 * @error: return location for a #GError
 *
 * Writes @cert as PEM, atomically.
 *
 * Returns: %TRUE on success
 */
gboolean
tirkeu_sandbox_pki_write_cert (const char *path,
                               X509       *cert,
                               GError    **error)
{
  return write_pem (path, cert, NULL, error);
}

/**
 * tirkeu_sandbox_pki_write_key:
 * @path: a file
 * @key: a private key
 * @error: return location for a #GError
 *
 * Writes @key as unencrypted PKCS#8 PEM, atomically, mode 0600.
 *
 * Returns: %TRUE on success
 */
gboolean
tirkeu_sandbox_pki_write_key (const char *path,
                              EVP_PKEY   *key,
                              GError    **error)
{
  return write_pem (path, NULL, key, error);
}

static BIO *
open_read (const char *path,
           GError    **error)
{
  BIO *bio = BIO_new_file (path, "rb");

  if (bio == NULL)
    {
      ERR_clear_error ();
      g_set_error (error, TIRKEU_SANDBOX_ERROR, TIRKEU_SANDBOX_ERROR_CERTIFICATE,
                   _("Cannot open %s"), path);
    }

  return bio;
}

/**
 * tirkeu_sandbox_pki_read_cert:
 * @path: a PEM file
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the first certificate in @path
 */
X509 *
tirkeu_sandbox_pki_read_cert (const char *path,
                              GError    **error)
{
  g_autoptr(BIO) bio = open_read (path, error);
  X509 *cert;

  if (bio == NULL)
    return NULL;
  cert = PEM_read_bio_X509 (bio, NULL, NULL, NULL);
  if (cert == NULL)
    set_openssl_error (error, _("Not a PEM certificate"));

  return cert;
}

/**
 * tirkeu_sandbox_pki_read_key:
 * @path: a PEM file
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the unencrypted private key in @path
 */
EVP_PKEY *
tirkeu_sandbox_pki_read_key (const char *path,
                             GError    **error)
{
  g_autoptr(BIO) bio = open_read (path, error);
  EVP_PKEY *key;

  if (bio == NULL)
    return NULL;
  key = PEM_read_bio_PrivateKey (bio, NULL, NULL, NULL);
  if (key == NULL)
    set_openssl_error (error, _("Not a PEM private key"));

  return key;
}

/**
 * tirkeu_sandbox_pki_cms_sign:
 * @cert: the signer's certificate
 * @key: its private key
 * @content: the bytes to sign
 * @error: return location for a #GError
 *
 * Makes what a token-backed client sends: a detached CMS SignedData over @content, binary
 * (no MIME canonicalisation), SHA-256, with the signer certificate and the signing time.
 *
 * Returns: (transfer full) (nullable): the DER
 */
GBytes *
tirkeu_sandbox_pki_cms_sign (X509     *cert,
                             EVP_PKEY *key,
                             GBytes   *content,
                             GError  **error)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (content, &len);
  g_autoptr(BIO) in = BIO_new_mem_buf (data, (int) len);
  g_autoptr(BIO) out = BIO_new (BIO_s_mem ());
  g_autoptr(CMS_ContentInfo) cms = NULL;
  char *der = NULL;
  long der_len;

  cms = CMS_sign (cert, key, NULL, in, CMS_DETACHED | CMS_BINARY);
  if (cms == NULL || i2d_CMS_bio (out, cms) != 1)
    {
      set_openssl_error (error, _("Cannot make the CMS signature"));
      return NULL;
    }

  der_len = BIO_get_mem_data (out, &der);
  return g_bytes_new (der, der_len);
}

/**
 * tirkeu_sandbox_pki_subject_field:
 * @cert: a certificate
 * @nid: the subject attribute, e.g. %NID_organizationalUnitName
 * @prefix: (nullable): a prefix the value must have ("BIN", "IIN"); it is removed
 *
 * Returns: (transfer full) (nullable): the first value of @nid that starts with @prefix
 */
char *
tirkeu_sandbox_pki_subject_field (X509       *cert,
                                  int         nid,
                                  const char *prefix)
{
  X509_NAME *name = X509_get_subject_name (cert);
  int pos = -1;

  while ((pos = X509_NAME_get_index_by_NID (name, nid, pos)) >= 0)
    {
      X509_NAME_ENTRY *entry = X509_NAME_get_entry (name, pos);
      unsigned char *utf8 = NULL;
      int len = ASN1_STRING_to_UTF8 (&utf8, X509_NAME_ENTRY_get_data (entry));
      g_autofree char *value = NULL;

      if (len < 0)
        continue;
      value = g_strndup ((const char *) utf8, len);
      OPENSSL_free (utf8);

      if (prefix == NULL)
        return g_steal_pointer (&value);
      if (g_str_has_prefix (value, prefix))
        return g_strdup (value + strlen (prefix));
    }

  return NULL;
}

/**
 * tirkeu_sandbox_signer_free:
 * @signer: (transfer full) (nullable): a signer
 */
void
tirkeu_sandbox_signer_free (TirkeuSandboxSigner *signer)
{
  if (signer == NULL)
    return;
  g_free (signer->bin);
  g_free (signer->iin);
  g_free (signer->common_name);
  g_free (signer);
}

/**
 * tirkeu_sandbox_pki_load_trust:
 * @ca_file: (nullable): PEM file with the trusted CA certificates
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): a store with the certificates of @ca_file, or an
 *   empty store (which trusts nobody) when @ca_file is %NULL
 */
X509_STORE *
tirkeu_sandbox_pki_load_trust (const char *ca_file,
                               GError    **error)
{
  g_autoptr(X509_STORE) store = X509_STORE_new ();

  if (ca_file != NULL && X509_STORE_load_file (store, ca_file) != 1)
    {
      g_autofree char *what = g_strdup_printf (_("Cannot load the signer CA %s"), ca_file);
      set_openssl_error (error, what);
      return NULL;
    }

  return g_steal_pointer (&store);
}

static gboolean
eku_has (X509       *cert,
         const char *oid)
{
  EXTENDED_KEY_USAGE *eku = X509_get_ext_d2i (cert, NID_ext_key_usage, NULL, NULL);
  gboolean found = FALSE;

  for (int i = 0; eku != NULL && i < sk_ASN1_OBJECT_num (eku) && !found; i++)
    {
      char text[128];

      if (OBJ_obj2txt (text, sizeof text, sk_ASN1_OBJECT_value (eku, i), 1) > 0)
        found = g_str_equal (text, oid);
    }
  EXTENDED_KEY_USAGE_free (eku);

  return found;
}

static TirkeuSandboxSigner *
refuse (TirkeuPortalCode  with,
        TirkeuPortalCode *code,
        char            **reason,
        const char       *text)
{
  ERR_clear_error ();
  *code = with;
  if (reason != NULL)
    *reason = g_strdup (text);

  return NULL;
}

/* The trusted signer CAs as a list, for tirkeu_cms_verify(). */
static GPtrArray *
trusted_certificates (X509_STORE *trust)
{
  GPtrArray *trusted = g_ptr_array_new_with_free_func ((GDestroyNotify) X509_free);
  STACK_OF (X509) *certificates = X509_STORE_get1_all_certs (trust);

  for (int i = 0; certificates != NULL && i < sk_X509_num (certificates); i++)
    {
      X509 *certificate = sk_X509_value (certificates, i);

      X509_up_ref (certificate);
      g_ptr_array_add (trusted, certificate);
    }
  sk_X509_pop_free (certificates, X509_free);

  return trusted;
}

/**
 * tirkeu_sandbox_pki_cms_verify:
 * @trust: the trusted signer CAs
 * @cms_der: a DER CMS SignedData, detached
 * @content: the bytes it must sign
 * @purpose: sign-in (AUTH) or a document (SIGN)
 * @code: (out): on refusal, %TIRKEU_PORTAL_CODE_SIGNATURE_INVALID or
 *   %TIRKEU_PORTAL_CODE_SIGNER_NOT_AUTHORIZED
 * @reason: (out) (optional): on refusal, technical English text for logs
 *
 * Checks a signature as the contract says (data/portal-api.yaml, "Signatures", points 1-4),
 * with tirkeu_cms_verify(), the client's own verifier, so that GOST 2015-512 signatures (as
 * NCA encodes them) are checked as fully as RSA ones: it parses, the messageDigest and the
 * signature verify over exactly @content, a signing-certificate-v2 attribute names the
 * signer's certificate, the certificate chains to @trust and is valid now, and it fits
 * @purpose: sign-in takes an AUTH certificate or a GOST 2015 one key (EKU emailProtection
 * and a role), a document a SIGN certificate of a legal entity's person with the right to
 * sign. Point 5, the BIN, is the caller's: it knows the seller.
 *
 * Returns: (transfer full) (nullable): the signer, or %NULL with @code set
 */
TirkeuSandboxSigner *
tirkeu_sandbox_pki_cms_verify (X509_STORE           *trust,
                               GBytes               *cms_der,
                               GBytes               *content,
                               TirkeuSandboxKeyKind  purpose,
                               TirkeuPortalCode     *code,
                               char                **reason)
{
  return tirkeu_sandbox_pki_cms_verify_full (trust, NULL, FALSE, cms_der, content, purpose, code,
                                             reason);
}

/**
 * tirkeu_sandbox_pki_cms_verify_full:
 * @trust: the trusted signer CAs
 * @ca: (nullable): the sandbox's own CA, whose revocations and time stamps count
 * @require_timestamp: refuse a signature without a CAdES-T time stamp
 * @cms_der: a DER CMS SignedData, detached
 * @content: the bytes it must sign
 * @purpose: sign-in (AUTH) or a document (SIGN)
 * @code: (out): on refusal, %TIRKEU_PORTAL_CODE_SIGNATURE_INVALID or
 *   %TIRKEU_PORTAL_CODE_SIGNER_NOT_AUTHORIZED
 * @reason: (out) (optional): on refusal, technical English text for logs
 *
 * tirkeu_sandbox_pki_cms_verify(), and with @ca: a certificate @ca revoked is
 * SIGNATURE_INVALID (point 3 of the contract: the chain must hold, and a revoked
 * certificate breaks it), and so is a time-stamp token (unsigned attribute
 * id-aa-timeStampToken) that does not verify, chain to @ca or stamp this signature; a
 * signature without one is accepted unless @require_timestamp.
 *
 * Returns: (transfer full) (nullable): the signer, or %NULL with @code set
 */
TirkeuSandboxSigner *
tirkeu_sandbox_pki_cms_verify_full (X509_STORE           *trust,
                                    TirkeuSandboxCa      *ca,
                                    gboolean              require_timestamp,
                                    GBytes               *cms_der,
                                    GBytes               *content,
                                    TirkeuSandboxKeyKind  purpose,
                                    TirkeuPortalCode     *code,
                                    char                **reason)
{
  gsize der_len;
  const guint8 *der = g_bytes_get_data (cms_der, &der_len);
  g_autoptr(BIO) der_bio = NULL;
  g_autoptr(CMS_ContentInfo) cms = NULL;
  g_autoptr(GPtrArray) trusted = NULL;
  g_autoptr(GPtrArray) signers = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GError) error = NULL;
  TirkeuCmsSigner *cms_signer;
  TirkeuCertificate *certificate;
  TirkeuCmsCertificateStatus status;
  const unsigned char *certificate_der;
  X509 *signer_cert = NULL;
  TirkeuSandboxSigner *signer;
  const char *timestamp = "absent";

  g_return_val_if_fail (code != NULL, NULL);

  if (der_len == 0 || der_len > G_MAXINT)
    return refuse (TIRKEU_PORTAL_CODE_SIGNATURE_INVALID, code, reason, "empty signature");

  /* The shape the contract asks for, said precisely before the full check. */
  der_bio = BIO_new_mem_buf (der, (int) der_len);
  cms = d2i_CMS_bio (der_bio, NULL);
  if (cms == NULL || OBJ_obj2nid (CMS_get0_type (cms)) != NID_pkcs7_signed)
    return refuse (TIRKEU_PORTAL_CODE_SIGNATURE_INVALID, code, reason,
                   "not a CMS SignedData");
  if (sk_CMS_SignerInfo_num (CMS_get0_SignerInfos (cms)) != 1)
    return refuse (TIRKEU_PORTAL_CODE_SIGNATURE_INVALID, code, reason,
                   "exactly one signer expected");
  if (CMS_is_detached (cms) != 1)
    return refuse (TIRKEU_PORTAL_CODE_SIGNATURE_INVALID, code, reason,
                   "the signature must be detached");

  trusted = trusted_certificates (trust);
  signers = tirkeu_cms_verify (cms_der, content, trusted, now, &error);
  if (signers == NULL || signers->len != 1)
    {
      g_autofree char *text = g_strdup_printf ("the signature cannot be checked: %s",
                                               error != NULL ? error->message : "no signer");
      return refuse (TIRKEU_PORTAL_CODE_SIGNATURE_INVALID, code, reason, text);
    }

  cms_signer = g_ptr_array_index (signers, 0);
  certificate = tirkeu_cms_signer_get_certificate (cms_signer);
  if (certificate == NULL)
    return refuse (TIRKEU_PORTAL_CODE_SIGNATURE_INVALID, code, reason,
                   "the signer certificate is not in the signature");
  if (!tirkeu_cms_signer_get_signature_valid (cms_signer))
    return refuse (TIRKEU_PORTAL_CODE_SIGNATURE_INVALID, code, reason,
                   "the signature does not verify over the issued bytes, or its "
                   "signing-certificate-v2 does not name the signer");

  status = tirkeu_cms_signer_get_certificate_status (cms_signer);
  if (status != TIRKEU_CMS_CERTIFICATE_TRUSTED)
    {
      g_autofree char *text = g_strdup_printf ("the certificate does not chain to the "
                                               "trusted CA at this time: %s",
                                               tirkeu_cms_certificate_status_to_string (status));
      return refuse (TIRKEU_PORTAL_CODE_SIGNATURE_INVALID, code, reason, text);
    }

  certificate_der = g_bytes_get_data (tirkeu_certificate_get_der (certificate), &der_len);
  signer_cert = d2i_X509 (NULL, &certificate_der, (long) der_len);
  if (signer_cert == NULL)
    return refuse (TIRKEU_PORTAL_CODE_SIGNATURE_INVALID, code, reason,
                   "the signer certificate cannot be read");

  if (ca != NULL && tirkeu_sandbox_ca_is_revoked (ca, signer_cert))
    {
      X509_free (signer_cert);
      return refuse (TIRKEU_PORTAL_CODE_SIGNATURE_INVALID, code, reason,
                     "the signer certificate is revoked");
    }

  if (ca != NULL)
    {
      g_autofree char *why = NULL;
      gboolean stamped = FALSE;

      if (!tirkeu_sandbox_ca_check_timestamp (ca, cms_der, signer_cert, now, &stamped, &why))
        {
          g_autofree char *text = g_strdup_printf ("the time stamp (CAdES-T) fails: %s", why);

          X509_free (signer_cert);
          return refuse (TIRKEU_PORTAL_CODE_SIGNATURE_INVALID, code, reason, text);
        }
      if (!stamped && require_timestamp)
        {
          X509_free (signer_cert);
          return refuse (TIRKEU_PORTAL_CODE_SIGNATURE_INVALID, code, reason,
                         "a time stamp (CAdES-T) is required");
        }
      timestamp = stamped ? "verified" : "absent";
    }

  signer = g_new0 (TirkeuSandboxSigner, 1);
  signer->ess_cert_id_v2 = tirkeu_cms_signer_has_signing_certificate (cms_signer);
  signer->timestamp = timestamp;
  signer->bin = tirkeu_sandbox_pki_subject_field (signer_cert, NID_organizationalUnitName,
                                                  "BIN");
  signer->iin = tirkeu_sandbox_pki_subject_field (signer_cert, NID_serialNumber, "IIN");
  signer->common_name = tirkeu_sandbox_pki_subject_field (signer_cert, NID_commonName, NULL);

  if (purpose == TIRKEU_SANDBOX_KEY_AUTH && !eku_has (signer_cert, OID_CLIENT_AUTH)
      && !tirkeu_certificate_is_one_key (certificate))
    {
      refuse (TIRKEU_PORTAL_CODE_SIGNER_NOT_AUTHORIZED, code, reason,
              "sign-in needs an AUTH certificate (EKU clientAuth) or a GOST 2015 key");
      g_clear_pointer (&signer, tirkeu_sandbox_signer_free);
    }
  else if (purpose == TIRKEU_SANDBOX_KEY_SIGN && !eku_has (signer_cert, OID_EMAIL_PROTECTION))
    {
      refuse (TIRKEU_PORTAL_CODE_SIGNER_NOT_AUTHORIZED, code, reason,
              "a request needs a SIGN certificate (EKU emailProtection)");
      g_clear_pointer (&signer, tirkeu_sandbox_signer_free);
    }
  else if (purpose == TIRKEU_SANDBOX_KEY_SIGN
           && (!eku_has (signer_cert, TIRKEU_OID_LEGAL_ENTITY)
               || !(eku_has (signer_cert, TIRKEU_OID_FIRST_HEAD)
                    || eku_has (signer_cert, TIRKEU_OID_RIGHT_TO_SIGN))))
    {
      refuse (TIRKEU_PORTAL_CODE_SIGNER_NOT_AUTHORIZED, code, reason,
              "the certificate gives no right to sign for the legal entity");
      g_clear_pointer (&signer, tirkeu_sandbox_signer_free);
    }
  else if (signer->bin == NULL)
    {
      refuse (TIRKEU_PORTAL_CODE_SIGNER_NOT_AUTHORIZED, code, reason,
              "the certificate has no BIN (OU=BIN...)");
      g_clear_pointer (&signer, tirkeu_sandbox_signer_free);
    }

  X509_free (signer_cert);

  return signer;
}
