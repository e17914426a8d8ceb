/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pkcs12.h>
#include <openssl/provider.h>
#include <openssl/x509.h>
#include <string.h>

#include "tirkeu-gost.h"
#include "tirkeu-key-file.h"
#include "tirkeu-token-error.h"

/* A key file is a few kilobytes; anything far larger is not one, and is not read whole. */
#define KEY_FILE_MAX_SIZE (1024 * 1024)
/* NCA uses 1024 iterations, OpenSSL 2048. A hostile file could ask for billions and hang
 * the signing thread for hours: refuse counts no real key file has. */
#define MAX_ITERATIONS 1000000

/**
 * TirkeuKeyFile:
 *
 * An NCA key file (PKCS#12 as the national CA makes it: MAC SHA-1, key bag
 * pbeWithSHA1And3-KeyTripleDES-CBC, certificate bag RC2-40, BER), opened with its password:
 * its certificate, the certificates beside it and its private key, which signs.
 *
 * A GOST 2015-512 key is kept as its 64-byte scalar in OpenSSL's secure heap (OpenSSL cannot
 * make an EVP_PKEY of it), wiped when the object goes; an RSA or EC key of an older set is
 * an EVP_PKEY. The object is immutable once made: any thread may sign with it.
 */
struct _TirkeuKeyFile
{
  GObject parent_instance;

  TirkeuKeyAlgorithm algorithm;
  X509 *certificate;
  GBytes *certificate_der;
  GPtrArray *chain;           /* X509 *, the other certificates */

  guint8 *gost_private_key;   /* TIRKEU_GOST_PRIVATE_KEY_SIZE bytes, secure heap */
  EVP_PKEY *pkey;             /* RSA or EC */
};

G_DEFINE_FINAL_TYPE (TirkeuKeyFile, tirkeu_key_file, G_TYPE_OBJECT)

static void
tirkeu_key_file_finalize (GObject *object)
{
  TirkeuKeyFile *self = TIRKEU_KEY_FILE (object);

  if (self->gost_private_key != NULL)
    OPENSSL_secure_clear_free (self->gost_private_key, TIRKEU_GOST_PRIVATE_KEY_SIZE);
  g_clear_pointer (&self->pkey, EVP_PKEY_free);
  g_clear_pointer (&self->certificate, X509_free);
  g_clear_pointer (&self->certificate_der, g_bytes_unref);
  g_clear_pointer (&self->chain, g_ptr_array_unref);

  G_OBJECT_CLASS (tirkeu_key_file_parent_class)->finalize (object);
}

static void
tirkeu_key_file_class_init (TirkeuKeyFileClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = tirkeu_key_file_finalize;
}

static void
tirkeu_key_file_init (TirkeuKeyFile *self)
{
  self->chain = g_ptr_array_new_with_free_func ((GDestroyNotify) X509_free);
}

static gpointer
create_lib_ctx (gpointer data)
{
  OSSL_LIB_CTX *ctx = OSSL_LIB_CTX_new ();

  /* Our own context, so that loading the legacy provider (RC2 and 3DES of NCA's bags)
   * changes nothing for the rest of the process. */
  if (ctx == NULL
      || OSSL_PROVIDER_load (ctx, "default") == NULL
      || OSSL_PROVIDER_load (ctx, "legacy") == NULL)
    g_warning ("OpenSSL's legacy provider cannot be loaded: key files with RC2 bags "
               "will not open");

  return ctx;
}

/**
 * tirkeu_key_file_get_lib_ctx:
 *
 * The OpenSSL library context key files are read and written in: the default provider and
 * the legacy one (RC2-40 and 3DES, which NCA's files use), loaded once for the process and
 * kept apart from OpenSSL's default context.
 *
 * Returns: (transfer none): the library context
 */
OSSL_LIB_CTX *
tirkeu_key_file_get_lib_ctx (void)
{
  static GOnce once = G_ONCE_INIT;

  g_once (&once, create_lib_ctx, NULL);
  return once.retval;
}

static gboolean
refuse (GError           **error,
        TirkeuTokenError   code)
{
  /* What OpenSSL queued says nothing the user can act on, and must not pile up for the
   * next caller on this thread. */
  ERR_clear_error ();
  g_set_error_literal (error, TIRKEU_TOKEN_ERROR, code, tirkeu_token_error_to_message (code));
  return FALSE;
}

static gpointer
fail (GError           **error,
      TirkeuTokenError   code)
{
  refuse (error, code);
  return NULL;
}

/* A PKCS#12 file starts with SEQUENCE { INTEGER 3, ... }. Whether @der starts so tells a
 * damaged or truncated key file from a file that is no key file at all; only the headers
 * are read (OpenSSL's DER reader), so a truncated file still tells. */
static gboolean
looks_like_pkcs12 (const guint8 *der,
                   gsize         len)
{
  const unsigned char *p = der;
  long object_len = 0;
  int tag = 0, xclass = 0;
  int ret;

  if (len < 5 || len > G_MAXLONG)
    return FALSE;

  ret = ASN1_get_object (&p, &object_len, &tag, &xclass, (long) len);
  if (ret == 0x80 || !(ret & V_ASN1_CONSTRUCTED) || tag != V_ASN1_SEQUENCE
      || xclass != V_ASN1_UNIVERSAL)
    return FALSE;
  ERR_clear_error ();

  ret = ASN1_get_object (&p, &object_len, &tag, &xclass, (long) (der + len - p));
  if (ret == 0x80 || (ret & V_ASN1_CONSTRUCTED) || tag != V_ASN1_INTEGER || object_len != 1
      || p >= der + len)
    return FALSE;

  return *p == 3;
}

static gboolean
integer_within (const ASN1_INTEGER *value,
                long                max)
{
  int64_t n = 0;

  return value != NULL && ASN1_INTEGER_get_int64 (&n, value) == 1
         && n >= 1 && n <= max;
}

/* The iteration count of a PBE algorithm (PKCS#12 PBE or PBES2 with PBKDF2) stays within
 * MAX_ITERATIONS; an algorithm with parameters we cannot read is left to OpenSSL, which
 * refuses it. */
static gboolean
pbe_iterations_bounded (const X509_ALGOR *algorithm)
{
  const ASN1_OBJECT *oid = NULL;
  const void *param = NULL;
  int param_type = V_ASN1_UNDEF;
  gboolean ok = TRUE;

  X509_ALGOR_get0 (&oid, &param_type, &param, algorithm);
  if (param_type != V_ASN1_SEQUENCE)
    return TRUE;

  if (OBJ_obj2nid (oid) == NID_pbes2)
    {
      PBE2PARAM *pbe2 = ASN1_TYPE_unpack_sequence (ASN1_ITEM_rptr (PBE2PARAM),
                                                   algorithm->parameter);
      PBKDF2PARAM *kdf = NULL;

      if (pbe2 == NULL)
        return FALSE;
      if (OBJ_obj2nid (pbe2->keyfunc->algorithm) == NID_id_pbkdf2)
        {
          kdf = ASN1_TYPE_unpack_sequence (ASN1_ITEM_rptr (PBKDF2PARAM),
                                           pbe2->keyfunc->parameter);
          ok = kdf != NULL && integer_within (kdf->iter, MAX_ITERATIONS);
        }
      PBKDF2PARAM_free (kdf);
      PBE2PARAM_free (pbe2);
    }
  else
    {
      PBEPARAM *pbe = ASN1_TYPE_unpack_sequence (ASN1_ITEM_rptr (PBEPARAM),
                                                 algorithm->parameter);

      ok = pbe != NULL && integer_within (pbe->iter, MAX_ITERATIONS);
      PBEPARAM_free (pbe);
    }

  return ok;
}

typedef struct
{
  PKCS8_PRIV_KEY_INFO *key;            /* the first key bag, decrypted */
  STACK_OF (X509) *certificates;
  gboolean key_bag_failed;             /* a key bag that would not decrypt */
  gboolean hostile;
} Contents;

static void
contents_clear (Contents *contents)
{
  PKCS8_PRIV_KEY_INFO_free (contents->key);
  sk_X509_pop_free (contents->certificates, X509_free);
}

static void
read_bags (Contents                        *contents,
           const STACK_OF (PKCS12_SAFEBAG) *bags,
           const char                      *password,
           int                              depth)
{
  OSSL_LIB_CTX *ctx = tirkeu_key_file_get_lib_ctx ();

  /* Nested safe contents are legal; a file nesting them deeply is not a key file. */
  if (depth > 3)
    {
      contents->hostile = TRUE;
      return;
    }

  for (int i = 0; i < sk_PKCS12_SAFEBAG_num (bags); i++)
    {
      const PKCS12_SAFEBAG *bag = sk_PKCS12_SAFEBAG_value (bags, i);

      switch (PKCS12_SAFEBAG_get_nid (bag))
        {
        case NID_pkcs8ShroudedKeyBag:
          {
            const X509_SIG *shrouded = PKCS12_SAFEBAG_get0_pkcs8 (bag);
            const X509_ALGOR *algorithm = NULL;
            PKCS8_PRIV_KEY_INFO *key;

            if (contents->key != NULL)
              break;
            X509_SIG_get0 (shrouded, &algorithm, NULL);
            if (!pbe_iterations_bounded (algorithm))
              {
                contents->hostile = TRUE;
                break;
              }
            key = PKCS12_decrypt_skey_ex (bag, password, -1, ctx, NULL);
            if (key == NULL)
              contents->key_bag_failed = TRUE;
            contents->key = key;
          }
          break;
        case NID_keyBag:
          if (contents->key == NULL)
            contents->key = ASN1_item_dup (ASN1_ITEM_rptr (PKCS8_PRIV_KEY_INFO),
                                           PKCS12_SAFEBAG_get0_p8inf (bag));
          break;
        case NID_certBag:
          if (PKCS12_SAFEBAG_get_bag_nid (bag) == NID_x509Certificate)
            {
              X509 *x509 = PKCS12_SAFEBAG_get1_cert (bag);

              if (x509 != NULL && !sk_X509_push (contents->certificates, x509))
                X509_free (x509);
            }
          break;
        case NID_safeContentsBag:
          read_bags (contents, PKCS12_SAFEBAG_get0_safes (bag), password, depth + 1);
          break;
        default:
          break;
        }
    }
}

/* Opens every safe: plain data as it is, encrypted data with the password in our library
 * context (RC2-40 needs the legacy provider). */
static gboolean
read_safes (Contents   *contents,
            PKCS12     *p12,
            const char *password)
{
  OSSL_LIB_CTX *ctx = tirkeu_key_file_get_lib_ctx ();
  STACK_OF (PKCS7) *safes = PKCS12_unpack_authsafes (p12);

  if (safes == NULL)
    return FALSE;

  for (int i = 0; i < sk_PKCS7_num (safes) && !contents->hostile; i++)
    {
      PKCS7 *safe = sk_PKCS7_value (safes, i);
      STACK_OF (PKCS12_SAFEBAG) *bags = NULL;

      switch (OBJ_obj2nid (safe->type))
        {
        case NID_pkcs7_data:
          bags = PKCS12_unpack_p7data (safe);
          break;
        case NID_pkcs7_encrypted:
          if (safe->d.encrypted == NULL || safe->d.encrypted->enc_data == NULL
              || safe->d.encrypted->enc_data->enc_data == NULL)
            break;
          if (!pbe_iterations_bounded (safe->d.encrypted->enc_data->algorithm))
            {
              contents->hostile = TRUE;
              break;
            }
          bags = PKCS12_item_decrypt_d2i_ex (safe->d.encrypted->enc_data->algorithm,
                                             ASN1_ITEM_rptr (PKCS12_SAFEBAGS),
                                             password, -1,
                                             safe->d.encrypted->enc_data->enc_data, 1,
                                             ctx, NULL);
          break;
        default:
          break;
        }

      if (bags != NULL)
        read_bags (contents, bags, password, 0);
      sk_PKCS12_SAFEBAG_pop_free (bags, PKCS12_SAFEBAG_free);
    }

  sk_PKCS7_pop_free (safes, PKCS7_free);
  return !contents->hostile;
}

/* The GOST private key: NCA puts the 64-byte little-endian scalar in an OCTET STRING as the
 * PKCS#8 privateKey's content. */
static gboolean
gost_private_key (const unsigned char *der,
                  int                  len,
                  guint8              *scalar)
{
  const unsigned char *p = der;
  ASN1_OCTET_STRING *octets = d2i_ASN1_OCTET_STRING (NULL, &p, len);
  gboolean ok;

  ok = octets != NULL && p == der + len
       && ASN1_STRING_length (octets) == TIRKEU_GOST_PRIVATE_KEY_SIZE;
  if (ok)
    memcpy (scalar, ASN1_STRING_get0_data (octets), TIRKEU_GOST_PRIVATE_KEY_SIZE);
  if (octets != NULL)
    OPENSSL_cleanse (octets->data, octets->length);
  ASN1_OCTET_STRING_free (octets);

  return ok;
}

/* The certificate among @certificates whose key is @self's. */
static X509 *
find_certificate (TirkeuKeyFile   *self,
                  STACK_OF (X509) *certificates)
{
  guint8 public_key[TIRKEU_GOST_PUBLIC_KEY_SIZE];
  guint8 candidate[TIRKEU_GOST_PUBLIC_KEY_SIZE];

  if (self->gost_private_key != NULL
      && !tirkeu_gost_public_key_from_private (self->gost_private_key, public_key, NULL))
    return NULL;

  for (int i = 0; i < sk_X509_num (certificates); i++)
    {
      X509 *x509 = sk_X509_value (certificates, i);

      if (self->gost_private_key != NULL)
        {
          if (tirkeu_gost_public_key_from_spki (X509_get_X509_PUBKEY (x509), candidate, NULL)
              && memcmp (candidate, public_key, sizeof public_key) == 0)
            return x509;
        }
      else if (X509_check_private_key (x509, self->pkey) == 1)
        {
          return x509;
        }
    }

  ERR_clear_error ();
  return NULL;
}

/* Takes the key out of @key: a GOST scalar into the secure heap, or an EVP_PKEY. */
static gboolean
take_key (TirkeuKeyFile              *self,
          const PKCS8_PRIV_KEY_INFO  *key,
          GError                    **error)
{
  const ASN1_OBJECT *oid = NULL;
  const unsigned char *data = NULL;
  int len = 0;
  char text[128];

  if (PKCS8_pkey_get0 (&oid, &data, &len, NULL, key) != 1
      || OBJ_obj2txt (text, sizeof text, oid, 1) <= 0)
    return refuse (error, TIRKEU_TOKEN_ERROR_KEY_FILE_DAMAGED);

  if (g_str_equal (text, TIRKEU_GOST_OID_2015_512_KEY))
    {
      self->algorithm = TIRKEU_KEY_ALGORITHM_GOST_2015_512;
      self->gost_private_key = OPENSSL_secure_malloc (TIRKEU_GOST_PRIVATE_KEY_SIZE);
      if (self->gost_private_key == NULL
          || !gost_private_key (data, len, self->gost_private_key))
        return refuse (error, TIRKEU_TOKEN_ERROR_KEY_FILE_DAMAGED);
      return TRUE;
    }

  if (g_str_has_prefix (text, TIRKEU_GOST_OID_2004_PREFIX))
    {
      self->algorithm = TIRKEU_KEY_ALGORITHM_GOST_2004;
      return refuse (error, TIRKEU_TOKEN_ERROR_KEY_FILE_OLD_GOST);
    }

  switch (OBJ_obj2nid (oid))
    {
    case NID_rsaEncryption:
      self->algorithm = TIRKEU_KEY_ALGORITHM_RSA;
      break;
    case NID_X9_62_id_ecPublicKey:
      self->algorithm = TIRKEU_KEY_ALGORITHM_EC;
      break;
    default:
      return refuse (error, TIRKEU_TOKEN_ERROR_KEY_FILE_UNSUPPORTED);
    }

  self->pkey = EVP_PKCS82PKEY_ex (key, tirkeu_key_file_get_lib_ctx (), NULL);
  if (self->pkey == NULL)
    return refuse (error, TIRKEU_TOKEN_ERROR_KEY_FILE_DAMAGED);

  return TRUE;
}

static gboolean
mac_iterations_bounded (const PKCS12 *p12)
{
  const ASN1_INTEGER *iterations = NULL;

  PKCS12_get0_mac (NULL, NULL, NULL, &iterations, p12);
  /* An absent count means 1 (RFC 7292). */
  return iterations == NULL || integer_within (iterations, MAX_ITERATIONS);
}

/**
 * tirkeu_key_file_new_from_bytes:
 * @p12: the key file's contents
 * @password: (nullable): its password, as typed; only OpenSSL's key derivation sees it, and
 *   nothing here copies or logs it
 * @error: the reason it cannot be opened, each its own #TirkeuTokenError code:
 *   %TIRKEU_TOKEN_ERROR_KEY_FILE_NOT_PKCS12, %TIRKEU_TOKEN_ERROR_KEY_FILE_PASSWORD,
 *   %TIRKEU_TOKEN_ERROR_KEY_FILE_NO_KEY, %TIRKEU_TOKEN_ERROR_KEY_FILE_NO_CERTIFICATE,
 *   %TIRKEU_TOKEN_ERROR_KEY_FILE_UNSUPPORTED, %TIRKEU_TOKEN_ERROR_KEY_FILE_OLD_GOST (a GOST
 *   34.310-2004 key), %TIRKEU_TOKEN_ERROR_KEY_FILE_DAMAGED (truncated or malformed)
 *
 * Opens an NCA key file: checks its MAC with @password, decrypts the bags (in a library
 * context with OpenSSL's legacy provider), reads the private key from its PKCS#8 and finds
 * the certificate of that key among the file's certificates.
 *
 * Returns: (transfer full): the key file, or %NULL
 */
TirkeuKeyFile *
tirkeu_key_file_new_from_bytes (GBytes      *p12,
                                const char  *password,
                                GError     **error)
{
  g_autoptr(TirkeuKeyFile) self = NULL;
  Contents contents = { NULL, NULL, FALSE, FALSE };
  const unsigned char *der, *p;
  gsize len;
  PKCS12 *pkcs12;
  X509 *leaf;
  unsigned char *leaf_der = NULL;
  int leaf_len;

  g_return_val_if_fail (p12 != NULL, NULL);

  der = g_bytes_get_data (p12, &len);
  if (len > KEY_FILE_MAX_SIZE || len > G_MAXLONG)
    return fail (error, TIRKEU_TOKEN_ERROR_KEY_FILE_NOT_PKCS12);

  p = der;
  pkcs12 = d2i_PKCS12 (NULL, &p, (long) len);
  if (pkcs12 == NULL)
    return fail (error, looks_like_pkcs12 (der, len) ? TIRKEU_TOKEN_ERROR_KEY_FILE_DAMAGED
                                                     : TIRKEU_TOKEN_ERROR_KEY_FILE_NOT_PKCS12);

  if (PKCS12_mac_present (pkcs12))
    {
      if (!mac_iterations_bounded (pkcs12))
        {
          PKCS12_free (pkcs12);
          return fail (error, TIRKEU_TOKEN_ERROR_KEY_FILE_DAMAGED);
        }
      /* NULL and "" are distinct PKCS#12 passwords; an empty entry may mean either. */
      if (PKCS12_verify_mac (pkcs12, password, -1) != 1
          && !((password == NULL || *password == '\0')
               && PKCS12_verify_mac (pkcs12, password == NULL ? "" : NULL, 0) == 1))
        {
          PKCS12_free (pkcs12);
          return fail (error, TIRKEU_TOKEN_ERROR_KEY_FILE_PASSWORD);
        }
    }

  contents.certificates = sk_X509_new_null ();
  if (!read_safes (&contents, pkcs12, password))
    {
      PKCS12_free (pkcs12);
      contents_clear (&contents);
      return fail (error, TIRKEU_TOKEN_ERROR_KEY_FILE_DAMAGED);
    }
  PKCS12_free (pkcs12);

  if (contents.key == NULL)
    {
      /* Without a MAC, a wrong password shows only as a bag that does not decrypt. */
      contents_clear (&contents);
      return fail (error, contents.key_bag_failed ? TIRKEU_TOKEN_ERROR_KEY_FILE_PASSWORD
                                                  : TIRKEU_TOKEN_ERROR_KEY_FILE_NO_KEY);
    }

  self = g_object_new (TIRKEU_TYPE_KEY_FILE, NULL);
  if (!take_key (self, contents.key, error))
    {
      contents_clear (&contents);
      ERR_clear_error ();
      return NULL;
    }

  leaf = find_certificate (self, contents.certificates);
  if (leaf == NULL)
    {
      contents_clear (&contents);
      return fail (error, TIRKEU_TOKEN_ERROR_KEY_FILE_NO_CERTIFICATE);
    }

  for (int i = 0; i < sk_X509_num (contents.certificates); i++)
    {
      X509 *x509 = sk_X509_value (contents.certificates, i);

      X509_up_ref (x509);
      if (x509 == leaf)
        self->certificate = x509;
      else
        g_ptr_array_add (self->chain, x509);
    }
  contents_clear (&contents);

  leaf_len = i2d_X509 (self->certificate, &leaf_der);
  if (leaf_len <= 0)
    return fail (error, TIRKEU_TOKEN_ERROR_KEY_FILE_DAMAGED);
  self->certificate_der = g_bytes_new (leaf_der, leaf_len);
  OPENSSL_free (leaf_der);

  ERR_clear_error ();
  return g_steal_pointer (&self);
}

/**
 * tirkeu_key_file_new_from_file:
 * @file: the key file (e.g. `GOST512_….p12`)
 * @password: (nullable): its password
 * @cancellable: (nullable): a #GCancellable
 * @error: as tirkeu_key_file_new_from_bytes(), or a #GIOError reading the file
 *
 * Reads and opens a key file. It blocks (reading, and the key derivation from the
 * password): call it on a worker thread, never on the main loop.
 *
 * Returns: (transfer full): the key file, or %NULL
 */
TirkeuKeyFile *
tirkeu_key_file_new_from_file (GFile         *file,
                               const char    *password,
                               GCancellable  *cancellable,
                               GError       **error)
{
  g_autoptr(GFileInputStream) stream = NULL;
  g_autoptr(GBytes) bytes = NULL;

  g_return_val_if_fail (G_IS_FILE (file), NULL);

  stream = g_file_read (file, cancellable, error);
  if (stream == NULL)
    return NULL;

  /* One byte more than allowed tells a file too large from one just at the limit. */
  bytes = g_input_stream_read_bytes (G_INPUT_STREAM (stream), KEY_FILE_MAX_SIZE + 1,
                                     cancellable, error);
  if (bytes == NULL)
    return NULL;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  return tirkeu_key_file_new_from_bytes (bytes, password, error);
}

/**
 * tirkeu_key_file_get_certificate:
 * @self: a #TirkeuKeyFile
 *
 * Returns: (transfer none): the certificate of the file's private key
 */
X509 *
tirkeu_key_file_get_certificate (TirkeuKeyFile *self)
{
  g_return_val_if_fail (TIRKEU_IS_KEY_FILE (self), NULL);
  return self->certificate;
}

/**
 * tirkeu_key_file_get_certificate_der:
 * @self: a #TirkeuKeyFile
 *
 * Returns: (transfer none): the certificate of the file's private key, DER encoded (for
 *   tirkeu_certificate_new_from_der())
 */
GBytes *
tirkeu_key_file_get_certificate_der (TirkeuKeyFile *self)
{
  g_return_val_if_fail (TIRKEU_IS_KEY_FILE (self), NULL);
  return self->certificate_der;
}

/**
 * tirkeu_key_file_get_chain:
 * @self: a #TirkeuKeyFile
 *
 * Returns: (transfer none) (element-type X509): the file's other certificates (often none:
 *   NCA's files hold the key's certificate only)
 */
GPtrArray *
tirkeu_key_file_get_chain (TirkeuKeyFile *self)
{
  g_return_val_if_fail (TIRKEU_IS_KEY_FILE (self), NULL);
  return self->chain;
}

/**
 * tirkeu_key_file_get_algorithm:
 * @self: a #TirkeuKeyFile
 *
 * Returns: %TIRKEU_KEY_ALGORITHM_GOST_2015_512, %TIRKEU_KEY_ALGORITHM_RSA or
 *   %TIRKEU_KEY_ALGORITHM_EC
 */
TirkeuKeyAlgorithm
tirkeu_key_file_get_algorithm (TirkeuKeyFile *self)
{
  g_return_val_if_fail (TIRKEU_IS_KEY_FILE (self), TIRKEU_KEY_ALGORITHM_UNKNOWN);
  return self->algorithm;
}

/**
 * tirkeu_key_file_sign:
 * @self: a #TirkeuKeyFile
 * @to_be_signed: the bytes to sign (for CMS, the DER of the signed attributes)
 * @error: %TIRKEU_TOKEN_ERROR_SIGNING_FAILED
 *
 * The raw signature over @to_be_signed: for GOST 2015-512, Streebog-512 then gostdsa, in
 * NCA's layout (r then s, each 64 bytes little-endian); for RSA, PKCS#1 v1.5 with SHA-256;
 * for EC, ECDSA with SHA-256 (DER). Safe to call from any thread.
 *
 * Returns: (transfer full): the signature, or %NULL
 */
GBytes *
tirkeu_key_file_sign (TirkeuKeyFile  *self,
                      GBytes         *to_be_signed,
                      GError        **error)
{
  const guint8 *data;
  gsize len;

  g_return_val_if_fail (TIRKEU_IS_KEY_FILE (self), NULL);
  g_return_val_if_fail (to_be_signed != NULL, NULL);

  data = g_bytes_get_data (to_be_signed, &len);

  if (self->gost_private_key != NULL)
    {
      guint8 digest[TIRKEU_GOST_DIGEST_SIZE];
      guint8 signature[TIRKEU_GOST_SIGNATURE_SIZE];

      tirkeu_gost_streebog512 (data, len, digest);
      if (!tirkeu_gost_sign_digest (self->gost_private_key, digest, signature, error))
        return NULL;
      return g_bytes_new (signature, sizeof signature);
    }
  else
    {
      EVP_MD_CTX *md = EVP_MD_CTX_new ();
      g_autofree guint8 *signature = NULL;
      size_t signature_len = 0;
      gboolean ok;

      ok = md != NULL
           && EVP_DigestSignInit_ex (md, NULL, "SHA256", tirkeu_key_file_get_lib_ctx (),
                                     NULL, self->pkey, NULL) == 1
           && EVP_DigestSign (md, NULL, &signature_len, data, len) == 1;
      if (ok)
        {
          signature = g_malloc (signature_len);
          ok = EVP_DigestSign (md, signature, &signature_len, data, len) == 1;
        }
      EVP_MD_CTX_free (md);

      if (!ok)
        return fail (error, TIRKEU_TOKEN_ERROR_SIGNING_FAILED);
      return g_bytes_new (signature, signature_len);
    }
}

/**
 * tirkeu_key_file_write_pkcs12:
 * @key: (nullable): the private key as PKCS#8 (for GOST 2015-512: algorithm
 *   1.2.398.3.10.1.1.2.2, the 64-byte little-endian scalar in an OCTET STRING); %NULL for
 *   a file with certificates only
 * @certificate: the key's certificate
 * @chain: (nullable) (element-type X509): more certificates to put beside it
 * @password: the file's password
 * @error: %TIRKEU_TOKEN_ERROR_SIGNING_FAILED when OpenSSL cannot make the file
 *
 * Writes a key file as NCA makes them: the key bag first, shrouded with
 * pbeWithSHA1And3-KeyTripleDES-CBC, then the certificates in an RC2-40 encrypted safe, a
 * SHA-1 MAC, 1024 iterations throughout, the key and its certificate tied by a localKeyId.
 * For test and sandbox certification authorities.
 *
 * Returns: (transfer full): the PKCS#12 file, DER, or %NULL
 */
GBytes *
tirkeu_key_file_write_pkcs12 (const PKCS8_PRIV_KEY_INFO  *key,
                              X509                       *certificate,
                              GPtrArray                  *chain,
                              const char                 *password,
                              GError                    **error)
{
  OSSL_LIB_CTX *ctx = tirkeu_key_file_get_lib_ctx ();
  STACK_OF (PKCS12_SAFEBAG) *key_bags = NULL;
  STACK_OF (PKCS12_SAFEBAG) *certificate_bags = NULL;
  STACK_OF (PKCS7) *safes = NULL;
  PKCS12_SAFEBAG *bag;
  PKCS12 *p12 = NULL;
  unsigned char key_id[EVP_MAX_MD_SIZE];
  unsigned int key_id_len = 0;
  unsigned char *der = NULL;
  int der_len = 0;
  gboolean ok;

  g_return_val_if_fail (certificate != NULL, NULL);
  g_return_val_if_fail (password != NULL, NULL);

  ok = X509_digest (certificate, EVP_sha1 (), key_id, &key_id_len) == 1;

  bag = ok ? PKCS12_add_cert (&certificate_bags, certificate) : NULL;
  ok = bag != NULL && (key == NULL || PKCS12_add_localkeyid (bag, key_id, (int) key_id_len));
  for (guint i = 0; ok && chain != NULL && i < chain->len; i++)
    ok = PKCS12_add_cert (&certificate_bags, g_ptr_array_index (chain, i)) != NULL;

  if (ok && key != NULL)
    {
      bag = PKCS12_SAFEBAG_create_pkcs8_encrypt_ex (NID_pbe_WithSHA1And3_Key_TripleDES_CBC,
                                                    password, -1, NULL, 0, 1024,
                                                    (PKCS8_PRIV_KEY_INFO *) key, ctx, NULL);
      ok = bag != NULL
           && PKCS12_add_localkeyid (bag, key_id, (int) key_id_len)
           && (key_bags = sk_PKCS12_SAFEBAG_new_null ()) != NULL
           && sk_PKCS12_SAFEBAG_push (key_bags, bag) > 0;
      if (!ok && (key_bags == NULL || sk_PKCS12_SAFEBAG_num (key_bags) == 0))
        PKCS12_SAFEBAG_free (bag);
      ok = ok && PKCS12_add_safe_ex (&safes, key_bags, -1, 0, NULL, ctx, NULL);
    }

  ok = ok && PKCS12_add_safe_ex (&safes, certificate_bags, NID_pbe_WithSHA1And40BitRC2_CBC,
                                 1024, password, ctx, NULL);
  if (ok)
    p12 = PKCS12_add_safes_ex (safes, 0, ctx, NULL);
  ok = p12 != NULL
       && PKCS12_set_mac (p12, password, -1, NULL, 0, 1024, EVP_sha1 ()) == 1
       && (der_len = i2d_PKCS12 (p12, &der)) > 0;

  PKCS12_free (p12);
  sk_PKCS7_pop_free (safes, PKCS7_free);
  sk_PKCS12_SAFEBAG_pop_free (key_bags, PKCS12_SAFEBAG_free);
  sk_PKCS12_SAFEBAG_pop_free (certificate_bags, PKCS12_SAFEBAG_free);

  if (!ok)
    {
      OPENSSL_free (der);
      return fail (error, TIRKEU_TOKEN_ERROR_SIGNING_FAILED);
    }

  {
    GBytes *bytes = g_bytes_new (der, der_len);

    /* The key is in there, encrypted, but the buffer is wiped all the same. */
    OPENSSL_clear_free (der, der_len);
    return bytes;
  }
}
