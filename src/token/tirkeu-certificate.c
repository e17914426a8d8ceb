/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <string.h>

#include "tirkeu-certificate.h"
#include "tirkeu-gost.h"
#include "tirkeu-format.h"
#include "tirkeu-iin.h"
#include "tirkeu-token-error.h"
#include "tirkeu-token-private.h"

/* The national CA's OIDs (DOMAIN.md). */
#define OID_ROLE_INDIVIDUAL    "1.2.398.3.3.4.1.1"
#define OID_ROLE_LEGAL_ENTITY  "1.2.398.3.3.4.1.2"
#define OID_GOST_PREFIX        "1.2.398.3.10."

struct _TirkeuCertificate
{
  GObject parent_instance;

  /* where it is */
  char *token_serial;
  char *id;
  char *label;

  /* what it says */
  GBytes *der;
  char *owner_name;
  char *iin;
  char *organisation;
  char *bin;
  char *issuer;
  char *key_algorithm_oid;
  GDateTime *not_before;
  GDateTime *not_after;
  TirkeuCertificateKind kind;
  TirkeuCertificateRole role;
  TirkeuKeyAlgorithm key_algorithm;
  guint key_usage;            /* X509v3 KU_* bits, 0 when absent */
  GStrv extended_key_usages;  /* dotted OIDs */
  GStrv policies;             /* dotted OIDs */

  guint has_private_key : 1;
  guint eku_email : 1;
  guint eku_client : 1;
};

G_DEFINE_FINAL_TYPE (TirkeuCertificate, tirkeu_certificate, G_TYPE_OBJECT)

static void
tirkeu_certificate_finalize (GObject *object)
{
  TirkeuCertificate *self = TIRKEU_CERTIFICATE (object);

  g_clear_pointer (&self->token_serial, g_free);
  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->label, g_free);
  g_clear_pointer (&self->der, g_bytes_unref);
  g_clear_pointer (&self->owner_name, g_free);
  g_clear_pointer (&self->iin, g_free);
  g_clear_pointer (&self->organisation, g_free);
  g_clear_pointer (&self->bin, g_free);
  g_clear_pointer (&self->issuer, g_free);
  g_clear_pointer (&self->key_algorithm_oid, g_free);
  g_clear_pointer (&self->not_before, g_date_time_unref);
  g_clear_pointer (&self->not_after, g_date_time_unref);
  g_clear_pointer (&self->extended_key_usages, g_strfreev);
  g_clear_pointer (&self->policies, g_strfreev);

  G_OBJECT_CLASS (tirkeu_certificate_parent_class)->finalize (object);
}

static void
tirkeu_certificate_class_init (TirkeuCertificateClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = tirkeu_certificate_finalize;
}

static void
tirkeu_certificate_init (TirkeuCertificate *self)
{
}

static char *
asn1_string_to_utf8 (const ASN1_STRING *value)
{
  unsigned char *utf8 = NULL;
  int len = ASN1_STRING_to_UTF8 (&utf8, value);
  char *copy;

  if (len < 0)
    return NULL;

  copy = g_strndup ((const char *) utf8, len);
  OPENSSL_free (utf8);
  if (!g_utf8_validate (copy, -1, NULL))
    g_clear_pointer (&copy, g_free);

  return copy;
}

/* The first entry of @nid whose text starts with @prefix, with the prefix removed. */
static char *
name_entry (const X509_NAME *name,
            int              nid,
            const char      *prefix)
{
  int pos = -1;

  while ((pos = X509_NAME_get_index_by_NID (name, nid, pos)) >= 0)
    {
      const X509_NAME_ENTRY *entry = X509_NAME_get_entry (name, pos);
      g_autofree char *text = asn1_string_to_utf8 (X509_NAME_ENTRY_get_data (entry));

      if (text == NULL)
        continue;
      if (prefix == NULL)
        return g_steal_pointer (&text);
      if (g_str_has_prefix (text, prefix))
        return g_strdup (text + strlen (prefix));
    }

  return NULL;
}

static gboolean
is_twelve_digits (const char *text)
{
  if (text == NULL || strlen (text) != 12)
    return FALSE;
  for (int i = 0; i < 12; i++)
    if (!g_ascii_isdigit (text[i]))
      return FALSE;
  return TRUE;
}

static GDateTime *
asn1_time_to_date_time (const ASN1_TIME *time)
{
  struct tm tm = { 0 };

  if (time == NULL || ASN1_TIME_to_tm (time, &tm) != 1)
    return NULL;

  return g_date_time_new_utc (tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                              tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static char *
name_to_text (const X509_NAME *name)
{
  g_autofree char *cn = name_entry (name, NID_commonName, NULL);
  BIO *bio;
  char *text;
  char *data;
  long len;

  if (cn != NULL)
    return g_steal_pointer (&cn);

  /* RFC 2253 without escaping UTF-8 bytes, so Cyrillic stays readable. */
  bio = BIO_new (BIO_s_mem ());
  X509_NAME_print_ex (bio, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  len = BIO_get_mem_data (bio, &data);
  text = g_strndup (data, len);
  BIO_free (bio);

  return text;
}

/* The narrowest role wins: a legal entity's certificate lists 1.2.398.3.3.4.1.2 and then
 * its sub-role. */
static TirkeuCertificateRole
role_from_oid (const char *oid)
{
  static const struct { const char *oid; TirkeuCertificateRole role; } roles[] = {
    { OID_ROLE_INDIVIDUAL, TIRKEU_CERTIFICATE_ROLE_INDIVIDUAL },
    { OID_ROLE_LEGAL_ENTITY, TIRKEU_CERTIFICATE_ROLE_LEGAL_ENTITY },
    { OID_ROLE_LEGAL_ENTITY ".1", TIRKEU_CERTIFICATE_ROLE_FIRST_HEAD },
    { OID_ROLE_LEGAL_ENTITY ".2", TIRKEU_CERTIFICATE_ROLE_RIGHT_TO_SIGN },
    { OID_ROLE_LEGAL_ENTITY ".3", TIRKEU_CERTIFICATE_ROLE_FINANCIAL },
    { OID_ROLE_LEGAL_ENTITY ".4", TIRKEU_CERTIFICATE_ROLE_HR },
    { OID_ROLE_LEGAL_ENTITY ".5", TIRKEU_CERTIFICATE_ROLE_EMPLOYEE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (roles); i++)
    if (g_str_equal (oid, roles[i].oid))
      return roles[i].role;

  return TIRKEU_CERTIFICATE_ROLE_UNKNOWN;
}

static int
role_rank (TirkeuCertificateRole role)
{
  switch (role)
    {
    case TIRKEU_CERTIFICATE_ROLE_UNKNOWN:
      return 0;
    case TIRKEU_CERTIFICATE_ROLE_INDIVIDUAL:
    case TIRKEU_CERTIFICATE_ROLE_LEGAL_ENTITY:
      return 1;
    case TIRKEU_CERTIFICATE_ROLE_FIRST_HEAD:
    case TIRKEU_CERTIFICATE_ROLE_RIGHT_TO_SIGN:
    case TIRKEU_CERTIFICATE_ROLE_FINANCIAL:
    case TIRKEU_CERTIFICATE_ROLE_HR:
    case TIRKEU_CERTIFICATE_ROLE_EMPLOYEE:
      return 2;
    default:
      return 0;
    }
}

static void
parse_usages (TirkeuCertificate *self,
              X509              *x509)
{
  EXTENDED_KEY_USAGE *eku;
  uint32_t key_usage = X509_get_key_usage (x509);
  gboolean eku_client = FALSE, eku_email = FALSE;
  gboolean auth, sign;

  g_autoptr(GStrvBuilder) usages = g_strv_builder_new ();

  eku = X509_get_ext_d2i (x509, NID_ext_key_usage, NULL, NULL);
  for (int i = 0; eku != NULL && i < sk_ASN1_OBJECT_num (eku); i++)
    {
      const ASN1_OBJECT *object = sk_ASN1_OBJECT_value (eku, i);
      char oid[128];
      TirkeuCertificateRole role;

      if (OBJ_obj2txt (oid, sizeof oid, object, 1) > 0)
        g_strv_builder_add (usages, oid);

      switch (OBJ_obj2nid (object))
        {
        case NID_client_auth:
          eku_client = TRUE;
          break;
        case NID_email_protect:
          eku_email = TRUE;
          break;
        default:
          if (OBJ_obj2txt (oid, sizeof oid, object, 1) <= 0)
            break;
          role = role_from_oid (oid);
          if (role_rank (role) > role_rank (self->role))
            self->role = role;
          break;
        }
    }
  EXTENDED_KEY_USAGE_free (eku);
  self->extended_key_usages = g_strv_builder_end (usages);

  /* X509_get_key_usage() gives all bits when the extension is absent. */
  if (key_usage == UINT32_MAX)
    key_usage = 0;
  self->key_usage = key_usage;
  self->eku_email = eku_email;
  self->eku_client = eku_client;

  auth = eku_client || (key_usage & KU_KEY_ENCIPHERMENT) != 0;
  sign = eku_email || (key_usage & KU_NON_REPUDIATION) != 0;
  if (auth && sign)
    {
      /* Both hinted: the EKU decides, as it does for the national CA's own agent. */
      auth = eku_client && !eku_email;
      sign = eku_email && !eku_client;
    }

  if (sign)
    self->kind = TIRKEU_CERTIFICATE_KIND_SIGN;
  else if (auth)
    self->kind = TIRKEU_CERTIFICATE_KIND_AUTH;
  else
    self->kind = TIRKEU_CERTIFICATE_KIND_UNKNOWN;
}

static void
parse_policies (TirkeuCertificate *self,
                X509              *x509)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  CERTIFICATEPOLICIES *policies = X509_get_ext_d2i (x509, NID_certificate_policies, NULL, NULL);

  for (int i = 0; policies != NULL && i < sk_POLICYINFO_num (policies); i++)
    {
      const POLICYINFO *policy = sk_POLICYINFO_value (policies, i);
      char oid[128];

      if (OBJ_obj2txt (oid, sizeof oid, policy->policyid, 1) > 0)
        g_strv_builder_add (builder, oid);
    }
  CERTIFICATEPOLICIES_free (policies);
  self->policies = g_strv_builder_end (builder);
}

static void
parse_key_algorithm (TirkeuCertificate *self,
                     X509              *x509)
{
  ASN1_OBJECT *algorithm = NULL;
  char oid[128];

  /* The OID only: asking OpenSSL for the key itself fails on a GOST key. */
  if (X509_PUBKEY_get0_param (&algorithm, NULL, NULL, NULL, X509_get_X509_PUBKEY (x509)) != 1
      || OBJ_obj2txt (oid, sizeof oid, algorithm, 1) <= 0)
    {
      self->key_algorithm = TIRKEU_KEY_ALGORITHM_UNKNOWN;
      return;
    }

  self->key_algorithm_oid = g_strdup (oid);
  switch (OBJ_obj2nid (algorithm))
    {
    case NID_rsaEncryption:
      self->key_algorithm = TIRKEU_KEY_ALGORITHM_RSA;
      break;
    case NID_X9_62_id_ecPublicKey:
      self->key_algorithm = TIRKEU_KEY_ALGORITHM_EC;
      break;
    default:
      if (g_str_equal (oid, TIRKEU_GOST_OID_2015_512_KEY))
        self->key_algorithm = TIRKEU_KEY_ALGORITHM_GOST_2015_512;
      else if (g_str_has_prefix (oid, TIRKEU_GOST_OID_2004_PREFIX))
        self->key_algorithm = TIRKEU_KEY_ALGORITHM_GOST_2004;
      else if (g_str_has_prefix (oid, OID_GOST_PREFIX))
        self->key_algorithm = TIRKEU_KEY_ALGORITHM_GOST;
      else
        self->key_algorithm = TIRKEU_KEY_ALGORITHM_UNKNOWN;
      break;
    }

  /* A GOST 2015 key carries its 128-byte point; one that does not is no certificate we can
   * check a signature with. */
  if (self->key_algorithm == TIRKEU_KEY_ALGORITHM_GOST_2015_512)
    {
      guint8 public_key[TIRKEU_GOST_PUBLIC_KEY_SIZE];

      if (!tirkeu_gost_public_key_from_spki (X509_get_X509_PUBKEY (x509), public_key, NULL))
        self->key_algorithm = TIRKEU_KEY_ALGORITHM_UNKNOWN;
    }
}

/**
 * tirkeu_certificate_new_from_der:
 * @der: an X.509 certificate, DER encoded
 * @error: a %TIRKEU_TOKEN_ERROR_CERTIFICATE error when @der is not one
 *
 * Parses what the UI and the signing rules need: the owner (CN), IIN (SERIALNUMBER=IIN…),
 * organisation (O), BIN (OU=BIN…), issuer, validity, kind from the key usages, role from
 * the EKU, key algorithm.
 *
 * Returns: (transfer full): a new certificate, or %NULL
 */
TirkeuCertificate *
tirkeu_certificate_new_from_der (GBytes  *der,
                                 GError **error)
{
  g_autoptr(TirkeuCertificate) self = NULL;
  const unsigned char *p;
  gsize len;
  X509 *x509;
  const X509_NAME *subject;
  g_autofree char *iin = NULL;
  g_autofree char *bin = NULL;

  g_return_val_if_fail (der != NULL, NULL);

  p = g_bytes_get_data (der, &len);
  x509 = d2i_X509 (NULL, &p, (long) len);
  if (x509 == NULL)
    {
      g_set_error_literal (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_CERTIFICATE,
                           tirkeu_token_error_to_message (TIRKEU_TOKEN_ERROR_CERTIFICATE));
      return NULL;
    }

  self = g_object_new (TIRKEU_TYPE_CERTIFICATE, NULL);
  self->der = g_bytes_ref (der);

  subject = X509_get_subject_name (x509);
  self->owner_name = name_entry (subject, NID_commonName, NULL);
  self->organisation = name_entry (subject, NID_organizationName, NULL);
  iin = name_entry (subject, NID_serialNumber, "IIN");
  bin = name_entry (subject, NID_organizationalUnitName, "BIN");
  /* Twelve digits are taken as the CA wrote them: the CA vouches for the number, and the
   * national CA's own test PKI uses numbers without a valid check digit (IIN123456789012).
   * The check digit is for numbers a person types. */
  if (is_twelve_digits (iin))
    self->iin = g_steal_pointer (&iin);
  if (is_twelve_digits (bin))
    self->bin = g_steal_pointer (&bin);
  self->issuer = name_to_text (X509_get_issuer_name (x509));
  self->not_before = asn1_time_to_date_time (X509_get0_notBefore (x509));
  self->not_after = asn1_time_to_date_time (X509_get0_notAfter (x509));

  parse_usages (self, x509);
  parse_policies (self, x509);
  parse_key_algorithm (self, x509);
  X509_free (x509);

  if (self->not_before == NULL || self->not_after == NULL)
    {
      g_set_error_literal (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_CERTIFICATE,
                           tirkeu_token_error_to_message (TIRKEU_TOKEN_ERROR_CERTIFICATE));
      return NULL;
    }

  return g_steal_pointer (&self);
}

void
_tirkeu_certificate_set_location (TirkeuCertificate *self,
                                  const char        *token_serial,
                                  const char        *id,
                                  const char        *label,
                                  gboolean           has_private_key)
{
  g_return_if_fail (TIRKEU_IS_CERTIFICATE (self));

  g_free (self->token_serial);
  self->token_serial = g_strdup (token_serial);
  g_free (self->id);
  self->id = g_strdup (id);
  g_free (self->label);
  self->label = g_strdup (label);
  self->has_private_key = !!has_private_key;
}

/**
 * tirkeu_certificate_get_der:
 * @self: a #TirkeuCertificate
 *
 * Returns: (transfer none): the certificate, DER encoded
 */
GBytes *
tirkeu_certificate_get_der (TirkeuCertificate *self)
{
  g_return_val_if_fail (TIRKEU_IS_CERTIFICATE (self), NULL);
  return self->der;
}

/**
 * tirkeu_certificate_get_id:
 * @self: a #TirkeuCertificate
 *
 * The identity of the certificate on its token: CKA_ID in lower-case hex. It survives a
 * refresh of the slot list, unlike any libp11 pointer.
 *
 * Returns: (nullable): the id, or %NULL when the certificate was not read from a token
 */
const char *
tirkeu_certificate_get_id (TirkeuCertificate *self)
{
  g_return_val_if_fail (TIRKEU_IS_CERTIFICATE (self), NULL);
  return self->id;
}

/**
 * tirkeu_certificate_get_label:
 * @self: a #TirkeuCertificate
 *
 * Returns: (nullable): CKA_LABEL of the certificate object
 */
const char *
tirkeu_certificate_get_label (TirkeuCertificate *self)
{
  g_return_val_if_fail (TIRKEU_IS_CERTIFICATE (self), NULL);
  return self->label;
}

/**
 * tirkeu_certificate_get_token_serial:
 * @self: a #TirkeuCertificate
 *
 * Returns: (nullable): the serial number of the token holding the certificate
 */
const char *
tirkeu_certificate_get_token_serial (TirkeuCertificate *self)
{
  g_return_val_if_fail (TIRKEU_IS_CERTIFICATE (self), NULL);
  return self->token_serial;
}

/**
 * tirkeu_certificate_has_private_key:
 * @self: a #TirkeuCertificate
 *
 * Whether the token shows a key with the certificate's CKA_ID: the private key itself, or,
 * as most tokens hide private keys until the PIN is given, its public key.
 *
 * Returns: %TRUE if the certificate has a key pair on the token
 */
gboolean
tirkeu_certificate_has_private_key (TirkeuCertificate *self)
{
  g_return_val_if_fail (TIRKEU_IS_CERTIFICATE (self), FALSE);
  return self->has_private_key;
}

/**
 * tirkeu_certificate_get_owner_name:
 * @self: a #TirkeuCertificate
 *
 * Returns: (nullable): the owner's name (the subject's CN, "SURNAME NAME")
 */
const char *
tirkeu_certificate_get_owner_name (TirkeuCertificate *self)
{
  g_return_val_if_fail (TIRKEU_IS_CERTIFICATE (self), NULL);
  return self->owner_name;
}

/**
 * tirkeu_certificate_get_iin:
 * @self: a #TirkeuCertificate
 *
 * The owner's IIN from SERIALNUMBER=IIN…: personal data, never log it
 * (tirkeu_certificate_dup_masked_iin()).
 *
 * Returns: (nullable): 12 digits, as the CA wrote them, or %NULL
 */
const char *
tirkeu_certificate_get_iin (TirkeuCertificate *self)
{
  g_return_val_if_fail (TIRKEU_IS_CERTIFICATE (self), NULL);
  return self->iin;
}

/**
 * tirkeu_certificate_dup_masked_iin:
 * @self: a #TirkeuCertificate
 *
 * Returns: (transfer full) (nullable): the IIN with all but its first six digits masked
 */
char *
tirkeu_certificate_dup_masked_iin (TirkeuCertificate *self)
{
  g_return_val_if_fail (TIRKEU_IS_CERTIFICATE (self), NULL);

  if (self->iin == NULL)
    return NULL;

  return tirkeu_iin_mask (self->iin);
}

/**
 * tirkeu_certificate_get_organisation:
 * @self: a #TirkeuCertificate
 *
 * Returns: (nullable): the organisation (O)
 */
const char *
tirkeu_certificate_get_organisation (TirkeuCertificate *self)
{
  g_return_val_if_fail (TIRKEU_IS_CERTIFICATE (self), NULL);
  return self->organisation;
}

/**
 * tirkeu_certificate_get_bin:
 * @self: a #TirkeuCertificate
 *
 * Returns: (nullable): the organisation's BIN from OU=BIN…, or %NULL (an individual's
 *   certificate)
 */
const char *
tirkeu_certificate_get_bin (TirkeuCertificate *self)
{
  g_return_val_if_fail (TIRKEU_IS_CERTIFICATE (self), NULL);
  return self->bin;
}

/**
 * tirkeu_certificate_get_issuer:
 * @self: a #TirkeuCertificate
 *
 * Returns: the issuer's CN, or its whole name when it has no CN
 */
const char *
tirkeu_certificate_get_issuer (TirkeuCertificate *self)
{
  g_return_val_if_fail (TIRKEU_IS_CERTIFICATE (self), NULL);
  return self->issuer;
}

/**
 * tirkeu_certificate_get_not_before:
 * @self: a #TirkeuCertificate
 *
 * Returns: (transfer none): the start of validity, UTC
 */
GDateTime *
tirkeu_certificate_get_not_before (TirkeuCertificate *self)
{
  g_return_val_if_fail (TIRKEU_IS_CERTIFICATE (self), NULL);
  return self->not_before;
}

/**
 * tirkeu_certificate_get_not_after:
 * @self: a #TirkeuCertificate
 *
 * Returns: (transfer none): the end of validity, UTC
 */
GDateTime *
tirkeu_certificate_get_not_after (TirkeuCertificate *self)
{
  g_return_val_if_fail (TIRKEU_IS_CERTIFICATE (self), NULL);
  return self->not_after;
}

/**
 * tirkeu_certificate_dup_serial:
 * @self: a #TirkeuCertificate
 *
 * The certificate's serial number in hex, as `openssl x509 -serial` prints it: what tells
 * apart two certificates of one person with the same role (a key re-issued before the old
 * one ran out), and what NCA's revocation tools name.
 *
 * Returns: (transfer full): the serial number, upper-case hex
 */
char *
tirkeu_certificate_dup_serial (TirkeuCertificate *self)
{
  gsize len;
  const unsigned char *p;
  X509 *x509;
  BIGNUM *serial;
  char *hex;
  char *result;

  g_return_val_if_fail (TIRKEU_IS_CERTIFICATE (self), NULL);

  /* Read from the DER on demand: nothing else needs it, and it is not kept twice. */
  p = g_bytes_get_data (self->der, &len);
  x509 = d2i_X509 (NULL, &p, (long) len);
  g_return_val_if_fail (x509 != NULL, g_strdup (""));
  serial = ASN1_INTEGER_to_BN (X509_get0_serialNumber (x509), NULL);
  hex = serial != NULL ? BN_bn2hex (serial) : NULL;
  result = g_strdup (hex != NULL ? hex : "");
  OPENSSL_free (hex);
  BN_free (serial);
  X509_free (x509);
  return result;
}

/**
 * tirkeu_certificate_get_kind:
 * @self: a #TirkeuCertificate
 *
 * Returns: AUTH or SIGN, from the key usage and the extended key usage
 */
TirkeuCertificateKind
tirkeu_certificate_get_kind (TirkeuCertificate *self)
{
  g_return_val_if_fail (TIRKEU_IS_CERTIFICATE (self), TIRKEU_CERTIFICATE_KIND_UNKNOWN);
  return self->kind;
}

/**
 * tirkeu_certificate_serves:
 * @self: a #TirkeuCertificate
 * @kind: %TIRKEU_CERTIFICATE_KIND_AUTH (sign-in) or %TIRKEU_CERTIFICATE_KIND_SIGN (signing)
 *
 * Whether the certificate's key may be used for @kind. Older NCA sets split the two (an
 * AUTH key and a SIGN key); a GOST 2015 certificate is one key for everything: with EKU
 * emailProtection and a role OID it serves both sign-in and signing (tirkeu_certificate_get_kind()
 * says %TIRKEU_CERTIFICATE_KIND_SIGN for it, from its EKU).
 *
 * Returns: %TRUE if the key serves @kind
 */
gboolean
tirkeu_certificate_serves (TirkeuCertificate     *self,
                           TirkeuCertificateKind  kind)
{
  g_return_val_if_fail (TIRKEU_IS_CERTIFICATE (self), FALSE);

  if (kind == TIRKEU_CERTIFICATE_KIND_UNKNOWN)
    return FALSE;
  if (self->kind == kind)
    return TRUE;

  return tirkeu_certificate_is_one_key (self);
}

/**
 * tirkeu_certificate_is_one_key:
 * @self: a #TirkeuCertificate
 *
 * Whether this is a GOST 2015 certificate of the kind NCA issues since April 2024: one key
 * (keyUsage digitalSignature, EKU emailProtection and a role OID) that both signs in to
 * eGov and signs documents.
 *
 * Returns: %TRUE if the key serves sign-in and signing
 */
gboolean
tirkeu_certificate_is_one_key (TirkeuCertificate *self)
{
  g_return_val_if_fail (TIRKEU_IS_CERTIFICATE (self), FALSE);

  return self->key_algorithm == TIRKEU_KEY_ALGORITHM_GOST_2015_512
         && self->eku_email
         && (self->key_usage & KU_DIGITAL_SIGNATURE) != 0
         && self->role != TIRKEU_CERTIFICATE_ROLE_UNKNOWN;
}

/**
 * tirkeu_certificate_get_key_usage:
 * @self: a #TirkeuCertificate
 *
 * Returns: the keyUsage bits as OpenSSL names them (KU_DIGITAL_SIGNATURE, …), 0 when the
 *   certificate has no keyUsage extension
 */
guint
tirkeu_certificate_get_key_usage (TirkeuCertificate *self)
{
  g_return_val_if_fail (TIRKEU_IS_CERTIFICATE (self), 0);
  return self->key_usage;
}

/**
 * tirkeu_certificate_get_extended_key_usages:
 * @self: a #TirkeuCertificate
 *
 * Returns: (transfer none): the OIDs of the extended key usage, dotted (emailProtection is
 *   1.3.6.1.5.5.7.3.4; NCA's roles are under 1.2.398.3.3.4.1); empty when there is none
 */
const char * const *
tirkeu_certificate_get_extended_key_usages (TirkeuCertificate *self)
{
  g_return_val_if_fail (TIRKEU_IS_CERTIFICATE (self), NULL);
  return (const char * const *) self->extended_key_usages;
}

/**
 * tirkeu_certificate_get_policies:
 * @self: a #TirkeuCertificate
 *
 * Returns: (transfer none): the certificate policy OIDs, dotted (NCA's are under
 *   1.2.398.3.3.2); empty when there is none
 */
const char * const *
tirkeu_certificate_get_policies (TirkeuCertificate *self)
{
  g_return_val_if_fail (TIRKEU_IS_CERTIFICATE (self), NULL);
  return (const char * const *) self->policies;
}

/**
 * tirkeu_certificate_get_role:
 * @self: a #TirkeuCertificate
 *
 * Returns: the narrowest role OID in the extended key usage
 */
TirkeuCertificateRole
tirkeu_certificate_get_role (TirkeuCertificate *self)
{
  g_return_val_if_fail (TIRKEU_IS_CERTIFICATE (self), TIRKEU_CERTIFICATE_ROLE_UNKNOWN);
  return self->role;
}

/**
 * tirkeu_certificate_get_key_algorithm:
 * @self: a #TirkeuCertificate
 *
 * Returns: the algorithm of the subject's key
 */
TirkeuKeyAlgorithm
tirkeu_certificate_get_key_algorithm (TirkeuCertificate *self)
{
  g_return_val_if_fail (TIRKEU_IS_CERTIFICATE (self), TIRKEU_KEY_ALGORITHM_UNKNOWN);
  return self->key_algorithm;
}

/**
 * tirkeu_certificate_get_key_algorithm_oid:
 * @self: a #TirkeuCertificate
 *
 * Returns: (nullable): the OID of the subject key's algorithm, dotted
 */
const char *
tirkeu_certificate_get_key_algorithm_oid (TirkeuCertificate *self)
{
  g_return_val_if_fail (TIRKEU_IS_CERTIFICATE (self), NULL);
  return self->key_algorithm_oid;
}

/**
 * tirkeu_certificate_expires_soon:
 * @self: a #TirkeuCertificate
 * @now: the current time
 *
 * Returns: %TRUE if the certificate is valid now and ends within
 *   %TIRKEU_CERTIFICATE_WARN_DAYS days
 */
gboolean
tirkeu_certificate_expires_soon (TirkeuCertificate *self,
                                 GDateTime         *now)
{
  GTimeSpan left;

  g_return_val_if_fail (TIRKEU_IS_CERTIFICATE (self), FALSE);
  g_return_val_if_fail (now != NULL, FALSE);

  left = g_date_time_difference (self->not_after, now);
  return left >= 0 && left <= TIRKEU_CERTIFICATE_WARN_DAYS * G_TIME_SPAN_DAY;
}

/**
 * tirkeu_certificate_dup_warning:
 * @self: a #TirkeuCertificate
 * @now: the current time
 *
 * A warning to show beside a certificate that still works: one about to expire.
 *
 * Returns: (transfer full) (nullable): the translated warning, or %NULL
 */
char *
tirkeu_certificate_dup_warning (TirkeuCertificate *self,
                                GDateTime         *now)
{
  GTimeSpan left;
  int days;
  g_autofree char *date = NULL;

  g_return_val_if_fail (TIRKEU_IS_CERTIFICATE (self), NULL);

  if (!tirkeu_certificate_expires_soon (self, now))
    return NULL;

  left = g_date_time_difference (self->not_after, now);
  days = (int) (left / G_TIME_SPAN_DAY);
  date = tirkeu_format_date (self->not_after);

  /* Translators: %s is a date as 13.12.2026: kk «%s ж.», ru «%s г.» */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "The certificate expires in %d day, on %s. "
                                       "Renew it at the national certification authority",
                                       "The certificate expires in %d days, on %s. "
                                       "Renew it at the national certification authority",
                                       days),
                          days, date);
}

static gboolean
refuse (GError           **error,
        TirkeuTokenError   code,
        const char        *message)
{
  g_set_error_literal (error, TIRKEU_TOKEN_ERROR, code,
                       message != NULL ? message : tirkeu_token_error_to_message (code));
  return FALSE;
}

/**
 * tirkeu_certificate_check_purpose:
 * @self: a #TirkeuCertificate
 * @purpose: what is to be signed
 * @seller_bin: (nullable): the seller's BIN; required for %TIRKEU_SIGN_PURPOSE_REQUEST
 * @now: the current time
 * @error: the refusal, its own #TirkeuTokenError code for each rule
 *
 * The rules checked before a PIN is even asked for, so that no PIN try is spent on a key
 * that could not be used anyway: for a request, a SIGN
 * key (%TIRKEU_TOKEN_ERROR_WRONG_KEY_KIND), the seller's BIN
 * (%TIRKEU_TOKEN_ERROR_NOT_SELLER_BIN), valid now (%TIRKEU_TOKEN_ERROR_EXPIRED,
 * %TIRKEU_TOKEN_ERROR_NOT_YET_VALID), a role with the right to sign: first head or person
 * with the right to sign (%TIRKEU_TOKEN_ERROR_NO_RIGHT_TO_SIGN), and an algorithm we can
 * sign with (%TIRKEU_TOKEN_ERROR_UNSUPPORTED_ALGORITHM): RSA, EC or GOST 2015-512; a GOST
 * 34.310-2004 key is refused as an old key set to re-issue. Sign-in takes an AUTH key, or
 * a GOST 2015 key that serves both (tirkeu_certificate_serves()).
 *
 * Returns: %TRUE if @self may sign for @purpose
 */
gboolean
tirkeu_certificate_check_purpose (TirkeuCertificate  *self,
                                  TirkeuSignPurpose   purpose,
                                  const char         *seller_bin,
                                  GDateTime          *now,
                                  GError            **error)
{
  g_return_val_if_fail (TIRKEU_IS_CERTIFICATE (self), FALSE);
  g_return_val_if_fail (now != NULL, FALSE);
  g_return_val_if_fail (purpose != TIRKEU_SIGN_PURPOSE_REQUEST || seller_bin != NULL, FALSE);

  if (purpose == TIRKEU_SIGN_PURPOSE_SIGN_IN)
    {
      if (!tirkeu_certificate_serves (self, TIRKEU_CERTIFICATE_KIND_AUTH))
        return refuse (error, TIRKEU_TOKEN_ERROR_WRONG_KEY_KIND,
                       /* Translators: AUTH and SIGN are the names of the two keys on an NCA
                        * token */
                       _("This is not an AUTH key. Choose the AUTH key to sign in"));
    }
  else
    {
      if (self->kind == TIRKEU_CERTIFICATE_KIND_AUTH)
        return refuse (error, TIRKEU_TOKEN_ERROR_WRONG_KEY_KIND, NULL);
      if (self->kind != TIRKEU_CERTIFICATE_KIND_SIGN)
        return refuse (error, TIRKEU_TOKEN_ERROR_WRONG_KEY_KIND,
                       _("This certificate is not meant for signing documents. "
                         "Choose the SIGN key"));
      if (seller_bin != NULL && g_strcmp0 (self->bin, seller_bin) != 0)
        return refuse (error, TIRKEU_TOKEN_ERROR_NOT_SELLER_BIN, NULL);
    }

  if (g_date_time_compare (now, self->not_before) < 0)
    return refuse (error, TIRKEU_TOKEN_ERROR_NOT_YET_VALID, NULL);
  if (g_date_time_compare (now, self->not_after) > 0)
    return refuse (error, TIRKEU_TOKEN_ERROR_EXPIRED, NULL);

  if (purpose != TIRKEU_SIGN_PURPOSE_SIGN_IN
      && self->role != TIRKEU_CERTIFICATE_ROLE_FIRST_HEAD
      && self->role != TIRKEU_CERTIFICATE_ROLE_RIGHT_TO_SIGN)
    return refuse (error, TIRKEU_TOKEN_ERROR_NO_RIGHT_TO_SIGN,
                   self->role == TIRKEU_CERTIFICATE_ROLE_EMPLOYEE ? NULL
                   : _("The role in the certificate gives no right to sign on behalf of the "
                       "organisation: only the first head or a person with the right to sign "
                       "may"));

  switch (self->key_algorithm)
    {
    case TIRKEU_KEY_ALGORITHM_RSA:
    case TIRKEU_KEY_ALGORITHM_EC:
    case TIRKEU_KEY_ALGORITHM_GOST_2015_512:
      break;
    case TIRKEU_KEY_ALGORITHM_GOST_2004:
      return refuse (error, TIRKEU_TOKEN_ERROR_UNSUPPORTED_ALGORITHM,
                     tirkeu_token_error_to_message (TIRKEU_TOKEN_ERROR_KEY_FILE_OLD_GOST));
    case TIRKEU_KEY_ALGORITHM_GOST:
    case TIRKEU_KEY_ALGORITHM_UNKNOWN:
    default:
      return refuse (error, TIRKEU_TOKEN_ERROR_UNSUPPORTED_ALGORITHM, NULL);
    }

  return TRUE;
}

/**
 * tirkeu_certificate_kind_to_string:
 * @kind: a #TirkeuCertificateKind
 *
 * Returns: (transfer none): "AUTH", "SIGN" or a translated "unknown"
 */
const char *
tirkeu_certificate_kind_to_string (TirkeuCertificateKind kind)
{
  switch (kind)
    {
    case TIRKEU_CERTIFICATE_KIND_AUTH:
      /* Translators: the NCA's own name of the sign-in key; usually kept as is */
      return C_("certificate kind", "AUTH");
    case TIRKEU_CERTIFICATE_KIND_SIGN:
      /* Translators: the NCA's own name of the signing key; usually kept as is */
      return C_("certificate kind", "SIGN");
    case TIRKEU_CERTIFICATE_KIND_UNKNOWN:
    default:
      return C_("certificate kind", "unknown");
    }
}

/**
 * tirkeu_certificate_role_to_string:
 * @role: a #TirkeuCertificateRole
 *
 * Returns: (transfer none): the role, translated
 */
const char *
tirkeu_certificate_role_to_string (TirkeuCertificateRole role)
{
  switch (role)
    {
    case TIRKEU_CERTIFICATE_ROLE_INDIVIDUAL:
      return C_("certificate role", "individual");
    case TIRKEU_CERTIFICATE_ROLE_LEGAL_ENTITY:
      return C_("certificate role", "legal entity");
    case TIRKEU_CERTIFICATE_ROLE_FIRST_HEAD:
      /* Translators: ru «первый руководитель», kk «бірінші басшы» */
      return C_("certificate role", "first head");
    case TIRKEU_CERTIFICATE_ROLE_RIGHT_TO_SIGN:
      /* Translators: ru «лицо, наделённое правом подписи», kk «қол қою құқығы бар тұлға» */
      return C_("certificate role", "person with the right to sign");
    case TIRKEU_CERTIFICATE_ROLE_FINANCIAL:
      return C_("certificate role", "financial documents");
    case TIRKEU_CERTIFICATE_ROLE_HR:
      return C_("certificate role", "HR officer");
    case TIRKEU_CERTIFICATE_ROLE_EMPLOYEE:
      /* Translators: ru «сотрудник организации», kk «ұйым қызметкері» */
      return C_("certificate role", "employee");
    case TIRKEU_CERTIFICATE_ROLE_UNKNOWN:
    default:
      return C_("certificate role", "unknown");
    }
}

/**
 * tirkeu_key_algorithm_to_string:
 * @algorithm: a #TirkeuKeyAlgorithm
 *
 * Returns: (transfer none): the algorithm's name; the GOST variants we cannot sign with say
 *   they are not supported
 */
const char *
tirkeu_key_algorithm_to_string (TirkeuKeyAlgorithm algorithm)
{
  switch (algorithm)
    {
    case TIRKEU_KEY_ALGORITHM_RSA:
      return "RSA";
    case TIRKEU_KEY_ALGORITHM_EC:
      return "EC";
    case TIRKEU_KEY_ALGORITHM_GOST_2015_512:
      /* Translators: GOST R 34.10-2015 with a 512-bit key, the Kazakh national signature
       * algorithm since 2024 */
      return _("GOST 2015-512");
    case TIRKEU_KEY_ALGORITHM_GOST_2004:
      /* Translators: the Kazakh national signature algorithm before 2024 */
      return _("GOST 34.310-2004 (not supported: an old key set)");
    case TIRKEU_KEY_ALGORITHM_GOST:
      /* Translators: GOST is the Kazakh national signature algorithm */
      return _("GOST (not supported)");
    case TIRKEU_KEY_ALGORITHM_UNKNOWN:
    default:
      return _("unknown (not supported)");
    }
}
