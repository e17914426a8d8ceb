/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <nettle/streebog.h>
#include <openssl/asn1t.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <string.h>

#include "tirkeu-cms.h"
#include "tirkeu-gost.h"
#include "tirkeu-token-error.h"

/*
 * CAdES-BES, detached (RFC 5652 SignedData with the signed attributes of ETSI EN 319 122-1:
 * contentType, signingTime, messageDigest, signing-certificate-v2).
 *
 * Signing builds the structures with OpenSSL's ASN.1 templates below: OpenSSL's CMS API
 * makes a SignerInfo only around an EVP_PKEY, and a GOST 2015 key (in a key file or on a
 * token) is none. Verifying parses with OpenSSL's CMS API, which reads CMS made by anyone,
 * and checks the signatures itself (OpenSSL knows no Kazakh OID).
 */

/* --- ASN.1 ---------------------------------------------------------------------------- */

typedef struct
{
  X509_NAME *issuer;
  ASN1_INTEGER *serial;
} CmsIssuerAndSerial;

ASN1_SEQUENCE (CmsIssuerAndSerial) = {
  ASN1_SIMPLE (CmsIssuerAndSerial, issuer, X509_NAME),
  ASN1_SIMPLE (CmsIssuerAndSerial, serial, ASN1_INTEGER),
} static_ASN1_SEQUENCE_END (CmsIssuerAndSerial)

typedef struct
{
  ASN1_INTEGER *version;
  CmsIssuerAndSerial *sid;
  X509_ALGOR *digest_algorithm;
  STACK_OF (X509_ATTRIBUTE) *signed_attributes;
  X509_ALGOR *signature_algorithm;
  ASN1_OCTET_STRING *signature;
  STACK_OF (X509_ATTRIBUTE) *unsigned_attributes;
} CmsSignerInfo;

ASN1_SEQUENCE (CmsSignerInfo) = {
  ASN1_SIMPLE (CmsSignerInfo, version, ASN1_INTEGER),
  ASN1_SIMPLE (CmsSignerInfo, sid, CmsIssuerAndSerial),
  ASN1_SIMPLE (CmsSignerInfo, digest_algorithm, X509_ALGOR),
  ASN1_IMP_SET_OF_OPT (CmsSignerInfo, signed_attributes, X509_ATTRIBUTE, 0),
  ASN1_SIMPLE (CmsSignerInfo, signature_algorithm, X509_ALGOR),
  ASN1_SIMPLE (CmsSignerInfo, signature, ASN1_OCTET_STRING),
  ASN1_IMP_SET_OF_OPT (CmsSignerInfo, unsigned_attributes, X509_ATTRIBUTE, 1),
} static_ASN1_SEQUENCE_END (CmsSignerInfo)

typedef struct
{
  ASN1_OBJECT *type;
  ASN1_OCTET_STRING *content;
} CmsEncapsulatedContent;

ASN1_SEQUENCE (CmsEncapsulatedContent) = {
  ASN1_SIMPLE (CmsEncapsulatedContent, type, ASN1_OBJECT),
  ASN1_EXP_OPT (CmsEncapsulatedContent, content, ASN1_OCTET_STRING, 0),
} static_ASN1_SEQUENCE_END (CmsEncapsulatedContent)

typedef struct
{
  ASN1_INTEGER *version;
  STACK_OF (X509_ALGOR) *digest_algorithms;
  CmsEncapsulatedContent *encapsulated;
  STACK_OF (X509) *certificates;
  OPENSSL_STACK *signer_infos;          /* CmsSignerInfo */
} CmsSignedData;

ASN1_SEQUENCE (CmsSignedData) = {
  ASN1_SIMPLE (CmsSignedData, version, ASN1_INTEGER),
  ASN1_SET_OF (CmsSignedData, digest_algorithms, X509_ALGOR),
  ASN1_SIMPLE (CmsSignedData, encapsulated, CmsEncapsulatedContent),
  ASN1_IMP_SET_OF_OPT (CmsSignedData, certificates, X509, 0),
  ASN1_SET_OF (CmsSignedData, signer_infos, CmsSignerInfo),
} static_ASN1_SEQUENCE_END (CmsSignedData)

typedef struct
{
  ASN1_OBJECT *type;
  CmsSignedData *signed_data;
} CmsContentInfo;

ASN1_SEQUENCE (CmsContentInfo) = {
  ASN1_SIMPLE (CmsContentInfo, type, ASN1_OBJECT),
  ASN1_EXP (CmsContentInfo, signed_data, CmsSignedData, 0),
} static_ASN1_SEQUENCE_END (CmsContentInfo)

/* RFC 5035: SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2,
 * policies SEQUENCE OF PolicyInformation OPTIONAL }. OpenSSL's own ESS types are opaque and
 * hash with OpenSSL's digests only, which have no Streebog. */
typedef struct
{
  GENERAL_NAMES *issuer;
  ASN1_INTEGER *serial;
} EssIssuerSerial;

ASN1_SEQUENCE (EssIssuerSerial) = {
  ASN1_SEQUENCE_OF (EssIssuerSerial, issuer, GENERAL_NAME),
  ASN1_SIMPLE (EssIssuerSerial, serial, ASN1_INTEGER),
} static_ASN1_SEQUENCE_END (EssIssuerSerial)

typedef struct
{
  X509_ALGOR *hash_algorithm;           /* absent: DEFAULT id-sha256 */
  ASN1_OCTET_STRING *hash;
  EssIssuerSerial *issuer_serial;
} EssCertIdV2;

ASN1_SEQUENCE (EssCertIdV2) = {
  ASN1_OPT (EssCertIdV2, hash_algorithm, X509_ALGOR),
  ASN1_SIMPLE (EssCertIdV2, hash, ASN1_OCTET_STRING),
  ASN1_OPT (EssCertIdV2, issuer_serial, EssIssuerSerial),
} static_ASN1_SEQUENCE_END (EssCertIdV2)

typedef struct
{
  OPENSSL_STACK *certs;                 /* EssCertIdV2 */
  STACK_OF (POLICYINFO) *policies;
} EssSigningCertificateV2;

ASN1_SEQUENCE (EssSigningCertificateV2) = {
  ASN1_SEQUENCE_OF (EssSigningCertificateV2, certs, EssCertIdV2),
  ASN1_SEQUENCE_OF_OPT (EssSigningCertificateV2, policies, POLICYINFO),
} static_ASN1_SEQUENCE_END (EssSigningCertificateV2)

/* The signed attributes as signed: a SET OF with the universal SET tag, in DER order (the
 * sorted order is written back, so the SignerInfo carries them in the order signed). */
ASN1_ITEM_TEMPLATE (CmsAttributesSorted) =
  ASN1_EX_TEMPLATE_TYPE (ASN1_TFLG_SET_ORDER, 0, CmsAttributesSorted, X509_ATTRIBUTE)
static_ASN1_ITEM_TEMPLATE_END (CmsAttributesSorted)

/* The same in the order received, for signers that did not sort them. */
ASN1_ITEM_TEMPLATE (CmsAttributesAsGiven) =
  ASN1_EX_TEMPLATE_TYPE (ASN1_TFLG_SEQUENCE_OF | ASN1_TFLG_IMPTAG | ASN1_TFLG_UNIVERSAL,
                         V_ASN1_SET, CmsAttributesAsGiven, X509_ATTRIBUTE)
static_ASN1_ITEM_TEMPLATE_END (CmsAttributesAsGiven)

/* --- algorithms ----------------------------------------------------------------------- */

#define MAX_DIGEST_SIZE 64

static TirkeuKeyAlgorithm
key_algorithm_of (X509 *certificate)
{
  EVP_PKEY *key;

  if (tirkeu_gost_is_2015_512_certificate (certificate))
    return TIRKEU_KEY_ALGORITHM_GOST_2015_512;

  key = X509_get0_pubkey (certificate);
  ERR_clear_error ();
  if (key == NULL)
    return TIRKEU_KEY_ALGORITHM_UNKNOWN;
  switch (EVP_PKEY_get_base_id (key))
    {
    case EVP_PKEY_RSA:
      return TIRKEU_KEY_ALGORITHM_RSA;
    case EVP_PKEY_EC:
      return TIRKEU_KEY_ALGORITHM_EC;
    default:
      return TIRKEU_KEY_ALGORITHM_UNKNOWN;
    }
}

static gboolean
object_is_oid (const ASN1_OBJECT *object,
               const char        *oid)
{
  char text[128];

  return object != NULL
         && OBJ_obj2txt (text, sizeof text, object, 1) > 0
         && g_str_equal (text, oid);
}

/* The hash our signatures use: Streebog-512 for GOST, SHA-256 otherwise. */
static gsize
hash_for_signing (TirkeuKeyAlgorithm  algorithm,
                  const void         *data,
                  gsize               len,
                  guint8              out[MAX_DIGEST_SIZE])
{
  unsigned int out_len = 0;

  if (algorithm == TIRKEU_KEY_ALGORITHM_GOST_2015_512)
    {
      tirkeu_gost_streebog512 (data, len, out);
      return TIRKEU_GOST_DIGEST_SIZE;
    }

  if (EVP_Digest (data, len, out, &out_len, EVP_sha256 (), NULL) != 1)
    return 0;
  return out_len;
}

/* The hash an AlgorithmIdentifier names, for verifying: Streebog-512 or one of OpenSSL's.
 * 0 when unknown. */
static gsize
hash_by_algorithm (const X509_ALGOR *algorithm,
                   const void       *data,
                   gsize             len,
                   guint8            out[MAX_DIGEST_SIZE])
{
  const ASN1_OBJECT *oid = NULL;
  const EVP_MD *md;
  unsigned int out_len = 0;

  if (algorithm == NULL)
    return 0;
  X509_ALGOR_get0 (&oid, NULL, NULL, algorithm);
  if (object_is_oid (oid, TIRKEU_GOST_OID_STREEBOG512))
    {
      tirkeu_gost_streebog512 (data, len, out);
      return TIRKEU_GOST_DIGEST_SIZE;
    }

  md = EVP_get_digestbyobj (oid);
  if (md == NULL || EVP_MD_get_size (md) > MAX_DIGEST_SIZE
      || EVP_Digest (data, len, out, &out_len, md, NULL) != 1)
    {
      ERR_clear_error ();
      return 0;
    }
  return out_len;
}

static X509_ALGOR *
digest_algorithm_new (TirkeuKeyAlgorithm algorithm)
{
  X509_ALGOR *result = X509_ALGOR_new ();

  /* GOST hash identifiers carry no parameters (RFC 7836); SHA-256's are absent too
   * (RFC 5754). */
  if (algorithm == TIRKEU_KEY_ALGORITHM_GOST_2015_512)
    X509_ALGOR_set0 (result, OBJ_nid2obj (tirkeu_gost_nid (TIRKEU_GOST_NID_STREEBOG512)),
                     V_ASN1_UNDEF, NULL);
  else
    X509_ALGOR_set_md (result, EVP_sha256 ());

  return result;
}

static X509_ALGOR *
signature_algorithm_new (TirkeuKeyAlgorithm algorithm)
{
  X509_ALGOR *result = X509_ALGOR_new ();

  switch (algorithm)
    {
    case TIRKEU_KEY_ALGORITHM_GOST_2015_512:
      /* as NCA writes it: the signature OID with NULL parameters */
      X509_ALGOR_set0 (result,
                       OBJ_nid2obj (tirkeu_gost_nid (TIRKEU_GOST_NID_2015_512_SIGNATURE)),
                       V_ASN1_NULL, NULL);
      break;
    case TIRKEU_KEY_ALGORITHM_EC:
      X509_ALGOR_set0 (result, OBJ_nid2obj (NID_ecdsa_with_SHA256), V_ASN1_UNDEF, NULL);
      break;
    case TIRKEU_KEY_ALGORITHM_RSA:
    case TIRKEU_KEY_ALGORITHM_UNKNOWN:
    case TIRKEU_KEY_ALGORITHM_GOST:
    case TIRKEU_KEY_ALGORITHM_GOST_2004:
    default:
      X509_ALGOR_set0 (result, OBJ_nid2obj (NID_rsaEncryption), V_ASN1_NULL, NULL);
      break;
    }

  return result;
}

static GBytes *
certificate_der (X509 *certificate)
{
  unsigned char *der = NULL;
  int len = i2d_X509 (certificate, &der);
  GBytes *bytes;

  if (len <= 0)
    return NULL;
  bytes = g_bytes_new (der, len);
  OPENSSL_free (der);
  return bytes;
}

/* --- signing -------------------------------------------------------------------------- */

/* signing-certificate-v2 for @signer: its hash (Streebog-512 for GOST under the Kazakh
 * OID, SHA-256 left as the DEFAULT otherwise) and its issuer and serial number. */
static ASN1_STRING *
signing_certificate_v2_new (X509               *signer,
                            TirkeuKeyAlgorithm  algorithm)
{
  EssSigningCertificateV2 *value = NULL;
  EssCertIdV2 *id = NULL;
  GENERAL_NAME *name = NULL;
  g_autoptr(GBytes) der = certificate_der (signer);
  guint8 hash[MAX_DIGEST_SIZE];
  gsize hash_len;
  unsigned char *encoded = NULL;
  int encoded_len = -1;
  ASN1_STRING *result = NULL;

  if (der == NULL)
    return NULL;
  hash_len = hash_for_signing (algorithm, g_bytes_get_data (der, NULL), g_bytes_get_size (der),
                               hash);
  if (hash_len == 0)
    return NULL;

  value = (EssSigningCertificateV2 *) ASN1_item_new (ASN1_ITEM_rptr (EssSigningCertificateV2));
  id = (EssCertIdV2 *) ASN1_item_new (ASN1_ITEM_rptr (EssCertIdV2));
  name = GENERAL_NAME_new ();
  if (value == NULL || id == NULL || name == NULL)
    goto out;

  if (algorithm == TIRKEU_KEY_ALGORITHM_GOST_2015_512)
    id->hash_algorithm = digest_algorithm_new (algorithm);
  if (!ASN1_OCTET_STRING_set (id->hash, hash, (int) hash_len))
    goto out;

  id->issuer_serial = (EssIssuerSerial *) ASN1_item_new (ASN1_ITEM_rptr (EssIssuerSerial));
  if (id->issuer_serial == NULL)
    goto out;
  name->type = GEN_DIRNAME;
  name->d.directoryName = X509_NAME_dup (X509_get_issuer_name (signer));
  if (name->d.directoryName == NULL || !sk_GENERAL_NAME_push (id->issuer_serial->issuer, name))
    goto out;
  name = NULL;
  if (!ASN1_STRING_copy (id->issuer_serial->serial, X509_get0_serialNumber (signer)))
    goto out;

  if (OPENSSL_sk_push (value->certs, id) <= 0)
    goto out;
  id = NULL;

  encoded_len = ASN1_item_i2d ((ASN1_VALUE *) value, &encoded,
                               ASN1_ITEM_rptr (EssSigningCertificateV2));
  if (encoded_len > 0)
    {
      result = ASN1_STRING_type_new (V_ASN1_SEQUENCE);
      if (result != NULL && !ASN1_STRING_set (result, encoded, encoded_len))
        g_clear_pointer (&result, ASN1_STRING_free);
    }

out:
  OPENSSL_free (encoded);
  GENERAL_NAME_free (name);
  ASN1_item_free ((ASN1_VALUE *) id, ASN1_ITEM_rptr (EssCertIdV2));
  ASN1_item_free ((ASN1_VALUE *) value, ASN1_ITEM_rptr (EssSigningCertificateV2));
  return result;
}

static STACK_OF (X509_ATTRIBUTE) *
signed_attributes_new (X509               *signer,
                       TirkeuKeyAlgorithm  algorithm,
                       const guint8       *hash,
                       gsize               hash_len,
                       GDateTime          *signing_time)
{
  STACK_OF (X509_ATTRIBUTE) *attributes = NULL;
  ASN1_TIME *time = ASN1_TIME_set (NULL, (time_t) g_date_time_to_unix (signing_time));
  ASN1_OCTET_STRING *digest = ASN1_OCTET_STRING_new ();
  ASN1_STRING *signing_certificate = signing_certificate_v2_new (signer, algorithm);
  gboolean ok;

  /* RFC 5652: UTCTime up to 2049, which ASN1_TIME_set picks. */
  ok = time != NULL && digest != NULL && signing_certificate != NULL && hash_len > 0
       && ASN1_OCTET_STRING_set (digest, hash, (int) hash_len)
       && X509at_add1_attr_by_NID (&attributes, NID_pkcs9_contentType, V_ASN1_OBJECT,
                                   (const unsigned char *) OBJ_nid2obj (NID_pkcs7_data), -1)
       && X509at_add1_attr_by_NID (&attributes, NID_pkcs9_signingTime, ASN1_STRING_type (time),
                                   (const unsigned char *) time, -1)
       && X509at_add1_attr_by_NID (&attributes, NID_pkcs9_messageDigest, V_ASN1_OCTET_STRING,
                                   (const unsigned char *) digest, -1)
       && X509at_add1_attr_by_NID (&attributes, NID_id_smime_aa_signingCertificateV2,
                                   V_ASN1_SEQUENCE,
                                   (const unsigned char *) signing_certificate, -1);

  ASN1_TIME_free (time);
  ASN1_OCTET_STRING_free (digest);
  ASN1_STRING_free (signing_certificate);

  if (!ok)
    {
      sk_X509_ATTRIBUTE_pop_free (attributes, X509_ATTRIBUTE_free);
      return NULL;
    }
  return attributes;
}

/* The SignerInfo of both signing paths: @signer's issuer and serial, @algorithm's digest
 * and signature identifiers, the signed @attributes (taken, on success) and their
 * @signature. Returns %NULL when OpenSSL fails. */
static CmsSignerInfo *
signer_info_new (X509                        *signer,
                 TirkeuKeyAlgorithm           algorithm,
                 STACK_OF (X509_ATTRIBUTE)  **attributes,
                 GBytes                      *signature)
{
  CmsSignerInfo *signer_info = (CmsSignerInfo *) ASN1_item_new (ASN1_ITEM_rptr (CmsSignerInfo));

  if (signer_info == NULL)
    return NULL;
  ASN1_INTEGER_set (signer_info->version, 1);
  X509_ALGOR_free (signer_info->digest_algorithm);
  signer_info->digest_algorithm = digest_algorithm_new (algorithm);
  X509_ALGOR_free (signer_info->signature_algorithm);
  signer_info->signature_algorithm = signature_algorithm_new (algorithm);
  if (!X509_NAME_set (&signer_info->sid->issuer, X509_get_issuer_name (signer))
      || !ASN1_STRING_copy (signer_info->sid->serial, X509_get0_serialNumber (signer))
      || !ASN1_OCTET_STRING_set (signer_info->signature, g_bytes_get_data (signature, NULL),
                                 (int) g_bytes_get_size (signature)))
    {
      ASN1_item_free ((ASN1_VALUE *) signer_info, ASN1_ITEM_rptr (CmsSignerInfo));
      return NULL;
    }
  signer_info->signed_attributes = g_steal_pointer (attributes);
  return signer_info;
}

/* The end of a SignedData both signing paths share: @signer's certificate (when
 * @include_certificate) and @signer_info (taken on success) go into @info, which is then
 * encoded. Returns %NULL when OpenSSL fails; the caller keeps what was not taken. */
static GBytes *
encode_signed_data (CmsContentInfo  *info,
                    X509            *signer,
                    gboolean         include_certificate,
                    CmsSignerInfo  **signer_info)
{
  CmsSignedData *signed_data = info->signed_data;
  unsigned char *der = NULL;
  GBytes *result = NULL;
  int der_len;

  if (include_certificate)
    {
      signed_data->certificates = sk_X509_new_null ();
      if (signed_data->certificates == NULL || !X509_up_ref (signer))
        return NULL;
      if (!sk_X509_push (signed_data->certificates, signer))
        {
          X509_free (signer);
          return NULL;
        }
    }
  if (OPENSSL_sk_push (signed_data->signer_infos, *signer_info) <= 0)
    return NULL;
  *signer_info = NULL;

  der_len = ASN1_item_i2d ((ASN1_VALUE *) info, &der, ASN1_ITEM_rptr (CmsContentInfo));
  if (der_len > 0)
    result = g_bytes_new (der, der_len);
  OPENSSL_free (der);
  return result;
}

static gpointer
signing_failed (GError **error)
{
  ERR_clear_error ();
  g_set_error_literal (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_SIGNING_FAILED,
                       tirkeu_token_error_to_message (TIRKEU_TOKEN_ERROR_SIGNING_FAILED));
  return NULL;
}

/* --- the content's digest, a block at a time -------------------------------------------- */

/* What one read of a stream asks for: the memory a signature of any length takes. */
#define DIGEST_BLOCK_SIZE (64 * 1024)

struct _TirkeuCmsDigester
{
  TirkeuKeyAlgorithm      algorithm;
  struct streebog512_ctx  streebog;     /* GOST 2015-512 */
  EVP_MD_CTX             *sha256;       /* RSA and EC */
  guint8                  digest[MAX_DIGEST_SIZE];
  gsize                   digest_len;   /* 0 until finished */
  gboolean                failed;
};

static gboolean
algorithm_can_sign (TirkeuKeyAlgorithm algorithm)
{
  return algorithm == TIRKEU_KEY_ALGORITHM_GOST_2015_512
         || algorithm == TIRKEU_KEY_ALGORITHM_RSA
         || algorithm == TIRKEU_KEY_ALGORITHM_EC;
}

static gpointer
unsupported_algorithm (GError **error)
{
  g_set_error_literal (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_UNSUPPORTED_ALGORITHM,
                       tirkeu_token_error_to_message (TIRKEU_TOKEN_ERROR_UNSUPPORTED_ALGORITHM));
  return NULL;
}

/**
 * tirkeu_cms_digester_new:
 * @signer: the certificate that will sign (GOST 2015-512, RSA or EC)
 * @error: %TIRKEU_TOKEN_ERROR_UNSUPPORTED_ALGORITHM for a key of another algorithm, or
 *   %TIRKEU_TOKEN_ERROR_SIGNING_FAILED
 *
 * The digest of a document to sign, fed a block at a time: Streebog-512 for a GOST 2015
 * key, SHA-256 for RSA and EC, as tirkeu_cms_sign_detached() decides. A detached signature
 * needs nothing of the document but this digest, so a document of any size is signed in
 * bounded memory (tirkeu_cms_sign_detached_digest()).
 *
 * Returns: (transfer full): a new digester, or %NULL
 */
TirkeuCmsDigester *
tirkeu_cms_digester_new (X509    *signer,
                         GError **error)
{
  g_autoptr(TirkeuCmsDigester) self = NULL;

  g_return_val_if_fail (signer != NULL, NULL);

  self = g_new0 (TirkeuCmsDigester, 1);
  self->algorithm = key_algorithm_of (signer);
  if (!algorithm_can_sign (self->algorithm))
    return unsupported_algorithm (error);

  if (self->algorithm == TIRKEU_KEY_ALGORITHM_GOST_2015_512)
    {
      streebog512_init (&self->streebog);
    }
  else
    {
      self->sha256 = EVP_MD_CTX_new ();
      if (self->sha256 == NULL || EVP_DigestInit_ex (self->sha256, EVP_sha256 (), NULL) != 1)
        return signing_failed (error);
    }

  return g_steal_pointer (&self);
}

/**
 * tirkeu_cms_digester_update:
 * @self: a #TirkeuCmsDigester not finished yet
 * @data: (array length=len): the next bytes of the document
 * @len: their number
 *
 * Adds @data to the digest.
 */
void
tirkeu_cms_digester_update (TirkeuCmsDigester *self,
                            const void        *data,
                            gsize              len)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (self->digest_len == 0);
  g_return_if_fail (data != NULL || len == 0);

  if (self->algorithm == TIRKEU_KEY_ALGORITHM_GOST_2015_512)
    streebog512_update (&self->streebog, len, data);
  else if (EVP_DigestUpdate (self->sha256, data, len) != 1)
    self->failed = TRUE;
}

/**
 * tirkeu_cms_digester_update_from_stream:
 * @self: a #TirkeuCmsDigester not finished yet
 * @stream: the document, read to its end
 * @cancellable: (nullable): a #GCancellable, checked at each block
 * @error: the stream's error, or %G_IO_ERROR_CANCELLED
 *
 * Reads @stream to its end, a block of 64 KiB at a time, and adds what it reads to the
 * digest: the memory taken is one block, whatever the document's size. On failure the
 * digest holds part of the document and must not be signed.
 *
 * Returns: %TRUE when @stream was read to its end
 */
gboolean
tirkeu_cms_digester_update_from_stream (TirkeuCmsDigester  *self,
                                        GInputStream       *stream,
                                        GCancellable       *cancellable,
                                        GError            **error)
{
  g_autofree guint8 *block = NULL;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (self->digest_len == 0, FALSE);
  g_return_val_if_fail (G_IS_INPUT_STREAM (stream), FALSE);

  block = g_malloc (DIGEST_BLOCK_SIZE);
  for (;;)
    {
      gssize n;

      /* not every stream looks at the cancellable (a memory stream never does) */
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        n = -1;
      else
        n = g_input_stream_read (stream, block, DIGEST_BLOCK_SIZE, cancellable, error);
      if (n < 0)
        {
          self->failed = TRUE;
          return FALSE;
        }
      if (n == 0)
        return TRUE;
      tirkeu_cms_digester_update (self, block, (gsize) n);
    }
}

/* The digest, computed once; 0 if it could not be. */
static gsize
digester_finish (TirkeuCmsDigester *self)
{
  unsigned int len = 0;

  if (self->failed)
    return 0;
  if (self->digest_len > 0)
    return self->digest_len;

  if (self->algorithm == TIRKEU_KEY_ALGORITHM_GOST_2015_512)
    {
      streebog512_digest (&self->streebog, STREEBOG512_DIGEST_SIZE, self->digest);
      self->digest_len = STREEBOG512_DIGEST_SIZE;
    }
  else if (EVP_DigestFinal_ex (self->sha256, self->digest, &len) == 1)
    {
      self->digest_len = len;
    }
  else
    {
      self->failed = TRUE;
    }

  return self->digest_len;
}

/**
 * tirkeu_cms_digester_free:
 * @self: (nullable): a #TirkeuCmsDigester
 *
 * Frees @self.
 */
void
tirkeu_cms_digester_free (TirkeuCmsDigester *self)
{
  if (self == NULL)
    return;
  EVP_MD_CTX_free (self->sha256);
  g_free (self);
}

/* --- detached ------------------------------------------------------------------------- */

/**
 * tirkeu_cms_sign_detached:
 * @signer: the signer's certificate (GOST 2015-512, RSA or EC)
 * @content: the signed document
 * @signing_time: the time to put in signingTime
 * @sign_func: (scope call): makes the signature over the signed attributes
 * @user_data: (closure): for @sign_func
 * @error: %TIRKEU_TOKEN_ERROR_UNSUPPORTED_ALGORITHM for a key of another algorithm,
 *   %TIRKEU_TOKEN_ERROR_SIGNING_FAILED, or @sign_func's error
 *
 * A detached CAdES-BES signature of @content: SignedData without the content, the signer's
 * certificate, one SignerInfo (issuerAndSerialNumber) whose signed attributes are exactly
 * contentType (id-data), signingTime, messageDigest and signing-certificate-v2. For GOST
 * the digest is Streebog-512 (1.2.398.3.10.1.3.3) and the signature algorithm
 * 1.2.398.3.10.1.1.2.3.2 with NULL parameters, as NCA's agent writes them; for RSA SHA-256
 * and rsaEncryption; for EC SHA-256 and ecdsa-with-SHA256.
 *
 * The same as tirkeu_cms_sign_detached_digest() over a #TirkeuCmsDigester fed @content.
 *
 * Returns: (transfer full): the CMS, DER, or %NULL
 */
GBytes *
tirkeu_cms_sign_detached (X509               *signer,
                          GBytes             *content,
                          GDateTime          *signing_time,
                          TirkeuCmsSignFunc   sign_func,
                          gpointer            user_data,
                          GError            **error)
{
  g_autoptr(TirkeuCmsDigester) digester = NULL;
  gsize len;
  const void *data;

  g_return_val_if_fail (signer != NULL, NULL);
  g_return_val_if_fail (content != NULL, NULL);

  digester = tirkeu_cms_digester_new (signer, error);
  if (digester == NULL)
    return NULL;
  data = g_bytes_get_data (content, &len);
  tirkeu_cms_digester_update (digester, data, len);
  return tirkeu_cms_sign_detached_digest (signer, digester, signing_time, sign_func, user_data,
                                          error);
}

/**
 * tirkeu_cms_sign_detached_stream:
 * @signer: the signer's certificate (GOST 2015-512, RSA or EC)
 * @content: the signed document, read to its end
 * @signing_time: the time to put in signingTime
 * @sign_func: (scope call): makes the signature over the signed attributes
 * @user_data: (closure): for @sign_func
 * @cancellable: (nullable): a #GCancellable, checked at each block read
 * @error: as tirkeu_cms_sign_detached(), or @content's read error, or
 *   %G_IO_ERROR_CANCELLED
 *
 * tirkeu_cms_sign_detached() over a document read from @content a block at a time
 * (tirkeu_cms_digester_update_from_stream()), in bounded memory whatever its size.
 * @sign_func is called only once the whole document has been read.
 *
 * Returns: (transfer full): the CMS, DER, or %NULL
 */
GBytes *
tirkeu_cms_sign_detached_stream (X509               *signer,
                                 GInputStream       *content,
                                 GDateTime          *signing_time,
                                 TirkeuCmsSignFunc   sign_func,
                                 gpointer            user_data,
                                 GCancellable       *cancellable,
                                 GError            **error)
{
  g_autoptr(TirkeuCmsDigester) digester = NULL;

  g_return_val_if_fail (signer != NULL, NULL);
  g_return_val_if_fail (G_IS_INPUT_STREAM (content), NULL);

  digester = tirkeu_cms_digester_new (signer, error);
  if (digester == NULL
      || !tirkeu_cms_digester_update_from_stream (digester, content, cancellable, error))
    return NULL;
  return tirkeu_cms_sign_detached_digest (signer, digester, signing_time, sign_func, user_data,
                                          error);
}

/**
 * tirkeu_cms_sign_detached_digest:
 * @signer: the signer's certificate, the one @digester was made for
 * @digester: the document's digest (tirkeu_cms_digester_new()), fed all of the document;
 *   it is finished here and takes no more data
 * @signing_time: the time to put in signingTime
 * @sign_func: (scope call): makes the signature over the signed attributes
 * @user_data: (closure): for @sign_func
 * @error: as tirkeu_cms_sign_detached()
 *
 * The detached signature tirkeu_cms_sign_detached() makes, from the document's digest
 * alone: its messageDigest is @digester's.
 *
 * Returns: (transfer full): the CMS, DER, or %NULL
 */
GBytes *
tirkeu_cms_sign_detached_digest (X509               *signer,
                                 TirkeuCmsDigester  *digester,
                                 GDateTime          *signing_time,
                                 TirkeuCmsSignFunc   sign_func,
                                 gpointer            user_data,
                                 GError            **error)
{
  TirkeuKeyAlgorithm algorithm;
  STACK_OF (X509_ATTRIBUTE) *attributes = NULL;
  unsigned char *der = NULL;
  int der_len;
  gsize hash_len;
  g_autoptr(GBytes) to_be_signed = NULL;
  g_autoptr(GBytes) signature = NULL;
  CmsContentInfo *info = NULL;
  CmsSignedData *signed_data;
  CmsSignerInfo *signer_info = NULL;
  X509_ALGOR *algorithm_copy = NULL;
  GBytes *result = NULL;

  g_return_val_if_fail (signer != NULL, NULL);
  g_return_val_if_fail (digester != NULL, NULL);
  g_return_val_if_fail (signing_time != NULL, NULL);
  g_return_val_if_fail (sign_func != NULL, NULL);

  algorithm = key_algorithm_of (signer);
  if (!algorithm_can_sign (algorithm))
    return unsupported_algorithm (error);
  /* a digest made for another key's algorithm would name the wrong hash */
  if (digester->algorithm != algorithm)
    return signing_failed (error);
  hash_len = digester_finish (digester);
  if (hash_len == 0)
    return signing_failed (error);

  attributes = signed_attributes_new (signer, algorithm, digester->digest, hash_len,
                                      signing_time);
  if (attributes == NULL)
    return signing_failed (error);

  der_len = ASN1_item_i2d ((ASN1_VALUE *) attributes, &der,
                           ASN1_ITEM_rptr (CmsAttributesSorted));
  if (der_len <= 0)
    {
      sk_X509_ATTRIBUTE_pop_free (attributes, X509_ATTRIBUTE_free);
      return signing_failed (error);
    }
  to_be_signed = g_bytes_new (der, der_len);
  OPENSSL_free (der);
  der = NULL;

  signature = sign_func (to_be_signed, user_data, error);
  if (signature == NULL || g_bytes_get_size (signature) == 0
      || g_bytes_get_size (signature) > G_MAXINT)
    {
      sk_X509_ATTRIBUTE_pop_free (attributes, X509_ATTRIBUTE_free);
      if (signature != NULL)
        return signing_failed (error);
      return NULL;
    }

  signer_info = signer_info_new (signer, algorithm, &attributes, signature);
  info = (CmsContentInfo *) ASN1_item_new (ASN1_ITEM_rptr (CmsContentInfo));
  if (signer_info == NULL || info == NULL)
    goto out;

  ASN1_OBJECT_free (info->type);
  info->type = OBJ_nid2obj (NID_pkcs7_signed);
  signed_data = info->signed_data;
  ASN1_INTEGER_set (signed_data->version, 1);
  algorithm_copy = digest_algorithm_new (algorithm);
  if (!sk_X509_ALGOR_push (signed_data->digest_algorithms, algorithm_copy))
    goto out;
  algorithm_copy = NULL;
  ASN1_OBJECT_free (signed_data->encapsulated->type);
  signed_data->encapsulated->type = OBJ_nid2obj (NID_pkcs7_data);
  result = encode_signed_data (info, signer, TRUE, &signer_info);

out:
  X509_ALGOR_free (algorithm_copy);
  sk_X509_ATTRIBUTE_pop_free (attributes, X509_ATTRIBUTE_free);
  ASN1_item_free ((ASN1_VALUE *) signer_info, ASN1_ITEM_rptr (CmsSignerInfo));
  ASN1_item_free ((ASN1_VALUE *) info, ASN1_ITEM_rptr (CmsContentInfo));

  if (result == NULL)
    return signing_failed (error);
  ERR_clear_error ();
  return result;
}

/* --- CAdES-T ------------------------------------------------------------------------- */

static gpointer not_cms (GError     **error,
                         const char  *message);

static CMS_ContentInfo *
cms_from_bytes (GBytes *cms_der)
{
  const unsigned char *p;
  gsize len;
  CMS_ContentInfo *cms;

  p = g_bytes_get_data (cms_der, &len);
  if (len == 0 || len > G_MAXLONG)
    return NULL;
  cms = d2i_CMS_ContentInfo (NULL, &p, (long) len);
  if (cms != NULL && (OBJ_obj2nid (CMS_get0_type (cms)) != NID_pkcs7_signed
                      || sk_CMS_SignerInfo_num (CMS_get0_SignerInfos (cms)) != 1))
    g_clear_pointer (&cms, CMS_ContentInfo_free);
  return cms;
}

/**
 * tirkeu_cms_dup_signature_value:
 * @cms_der: a CMS SignedData with one signer, e.g. from tirkeu_cms_sign_detached()
 * @error: %TIRKEU_TOKEN_ERROR_CMS when it is not one
 *
 * The signer's signature value: what a CAdES-T timestamp is over.
 *
 * Returns: (transfer full): the SignerInfo's signature octets, or %NULL
 */
GBytes *
tirkeu_cms_dup_signature_value (GBytes  *cms_der,
                                GError **error)
{
  CMS_ContentInfo *cms;
  ASN1_OCTET_STRING *signature;
  GBytes *result = NULL;

  g_return_val_if_fail (cms_der != NULL, NULL);

  cms = cms_from_bytes (cms_der);
  if (cms == NULL)
    return not_cms (error, NULL);
  signature = CMS_SignerInfo_get0_signature (sk_CMS_SignerInfo_value (CMS_get0_SignerInfos (cms),
                                                                      0));
  if (signature != NULL && ASN1_STRING_length (signature) > 0)
    result = g_bytes_new (ASN1_STRING_get0_data (signature), ASN1_STRING_length (signature));
  CMS_ContentInfo_free (cms);
  if (result == NULL)
    return not_cms (error, NULL);
  ERR_clear_error ();
  return result;
}

/**
 * tirkeu_cms_add_timestamp:
 * @cms_der: a CMS SignedData with one signer, DER (tirkeu_cms_sign_detached())
 * @token_der: the TimeStampToken over its signature value
 *   (tirkeu_timestamp_reply_check())
 * @error: %TIRKEU_TOKEN_ERROR_CMS when either is not what it should be
 *
 * CAdES-T: @cms_der with @token_der added as the signer's unsigned attribute
 * id-aa-signatureTimeStampToken (1.2.840.113549.1.9.16.2.14). The signed part is unchanged:
 * the signed attributes were signed in DER order, which is the order they are written in
 * again.
 *
 * Returns: (transfer full): the CMS with the timestamp, DER, or %NULL
 */
GBytes *
tirkeu_cms_add_timestamp (GBytes  *cms_der,
                          GBytes  *token_der,
                          GError **error)
{
  CMS_ContentInfo *cms;
  CMS_SignerInfo *info;
  const guint8 *token;
  gsize token_len;
  unsigned char *der = NULL;
  int der_len = 0;
  GBytes *result = NULL;

  g_return_val_if_fail (cms_der != NULL && token_der != NULL, NULL);

  token = g_bytes_get_data (token_der, &token_len);
  if (token_len == 0 || token_len > G_MAXINT || token[0] != 0x30)
    return not_cms (error, NULL);
  cms = cms_from_bytes (cms_der);
  if (cms == NULL)
    return not_cms (error, NULL);
  info = sk_CMS_SignerInfo_value (CMS_get0_SignerInfos (cms), 0);
  if (CMS_unsigned_add1_attr_by_NID (info, NID_id_smime_aa_timeStampToken, V_ASN1_SEQUENCE,
                                     token, (int) token_len) == 1)
    der_len = i2d_CMS_ContentInfo (cms, &der);
  if (der_len > 0)
    result = g_bytes_new (der, der_len);
  OPENSSL_free (der);
  CMS_ContentInfo_free (cms);
  if (result == NULL)
    return not_cms (error, NULL);
  ERR_clear_error ();
  return result;
}

/**
 * tirkeu_cms_dup_timestamp_token:
 * @cms_der: a CMS SignedData with one signer
 *
 * Returns: (transfer full) (nullable): the signer's id-aa-signatureTimeStampToken (DER), or
 *   %NULL when it has none (CAdES-BES) or @cms_der is no such CMS
 */
GBytes *
tirkeu_cms_dup_timestamp_token (GBytes *cms_der)
{
  CMS_ContentInfo *cms;
  CMS_SignerInfo *info;
  X509_ATTRIBUTE *attribute;
  ASN1_TYPE *value;
  GBytes *result = NULL;
  int index;

  g_return_val_if_fail (cms_der != NULL, NULL);

  cms = cms_from_bytes (cms_der);
  if (cms == NULL)
    {
      ERR_clear_error ();
      return NULL;
    }
  info = sk_CMS_SignerInfo_value (CMS_get0_SignerInfos (cms), 0);
  index = CMS_unsigned_get_attr_by_NID (info, NID_id_smime_aa_timeStampToken, -1);
  attribute = index >= 0 ? CMS_unsigned_get_attr (info, index) : NULL;
  value = attribute != NULL && X509_ATTRIBUTE_count (attribute) == 1
          ? X509_ATTRIBUTE_get0_type (attribute, 0) : NULL;
  if (value != NULL && value->type == V_ASN1_SEQUENCE)
    {
      unsigned char *der = NULL;
      int der_len = i2d_ASN1_TYPE (value, &der);

      if (der_len > 0)
        result = g_bytes_new (der, der_len);
      OPENSSL_free (der);
    }
  CMS_ContentInfo_free (cms);
  ERR_clear_error ();
  return result;
}

/* --- the signer as found -------------------------------------------------------------- */

/**
 * TirkeuCmsSigner:
 *
 * One signer of a verified CMS: who (from the certificate), when it says it signed, whether
 * its signature is valid and whether its certificate is trusted at the time asked.
 */
struct _TirkeuCmsSigner
{
  GObject parent_instance;

  TirkeuCertificate *certificate;
  char *subject;
  char *iin_masked;
  char *bin;
  TirkeuCertificateRole role;
  TirkeuKeyAlgorithm algorithm;
  GDateTime *signing_time;
  TirkeuCmsCertificateStatus status;

  guint signature_valid : 1;
  guint signing_certificate : 1;
};

G_DEFINE_FINAL_TYPE (TirkeuCmsSigner, tirkeu_cms_signer, G_TYPE_OBJECT)

static void
tirkeu_cms_signer_finalize (GObject *object)
{
  TirkeuCmsSigner *self = TIRKEU_CMS_SIGNER (object);

  g_clear_object (&self->certificate);
  g_clear_pointer (&self->subject, g_free);
  g_clear_pointer (&self->iin_masked, g_free);
  g_clear_pointer (&self->bin, g_free);
  g_clear_pointer (&self->signing_time, g_date_time_unref);

  G_OBJECT_CLASS (tirkeu_cms_signer_parent_class)->finalize (object);
}

static void
tirkeu_cms_signer_class_init (TirkeuCmsSignerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = tirkeu_cms_signer_finalize;
}

static void
tirkeu_cms_signer_init (TirkeuCmsSigner *self)
{
  self->status = TIRKEU_CMS_CERTIFICATE_UNTRUSTED;
}

/* --- verifying ------------------------------------------------------------------------ */

static gboolean
is_gost_signature_algorithm (const X509_ALGOR *algorithm)
{
  const ASN1_OBJECT *oid = NULL;

  X509_ALGOR_get0 (&oid, NULL, NULL, algorithm);
  /* Some writers name the key algorithm instead of the signature algorithm. */
  return object_is_oid (oid, TIRKEU_GOST_OID_2015_512_SIGNATURE)
         || object_is_oid (oid, TIRKEU_GOST_OID_2015_512_KEY);
}

static gboolean
verify_signature (X509                    *signer,
                  const X509_ALGOR        *digest_algorithm,
                  const X509_ALGOR        *signature_algorithm,
                  const guint8            *to_be_signed,
                  gsize                    to_be_signed_len,
                  const ASN1_OCTET_STRING *signature)
{
  const ASN1_OBJECT *digest_oid = NULL;
  EVP_PKEY *key;
  EVP_MD_CTX *md_ctx;
  const EVP_MD *md;
  gboolean ok;

  X509_ALGOR_get0 (&digest_oid, NULL, NULL, digest_algorithm);

  if (is_gost_signature_algorithm (signature_algorithm))
    {
      guint8 public_key[TIRKEU_GOST_PUBLIC_KEY_SIZE];
      guint8 digest[TIRKEU_GOST_DIGEST_SIZE];

      if (!object_is_oid (digest_oid, TIRKEU_GOST_OID_STREEBOG512)
          || ASN1_STRING_length (signature) != TIRKEU_GOST_SIGNATURE_SIZE
          || !tirkeu_gost_public_key_from_spki (X509_get_X509_PUBKEY (signer), public_key,
                                                NULL))
        return FALSE;

      tirkeu_gost_streebog512 (to_be_signed, to_be_signed_len, digest);
      return tirkeu_gost_verify_digest (public_key, digest, ASN1_STRING_get0_data (signature));
    }

  /* RSA and EC, by OpenSSL; the algorithm named must be the key's. */
  key = X509_get0_pubkey (signer);
  md = EVP_get_digestbyobj (digest_oid);
  if (key == NULL || md == NULL)
    {
      ERR_clear_error ();
      return FALSE;
    }

  {
    const ASN1_OBJECT *oid = NULL;
    int signature_nid, hash_nid = NID_undef, key_nid = NID_undef;

    X509_ALGOR_get0 (&oid, NULL, NULL, signature_algorithm);
    signature_nid = OBJ_obj2nid (oid);
    if (signature_nid == NID_rsaEncryption)
      key_nid = NID_rsaEncryption;
    else if (!OBJ_find_sigid_algs (signature_nid, &hash_nid, &key_nid)
             || (hash_nid != NID_undef && hash_nid != EVP_MD_get_type (md)))
      return FALSE;
    if ((key_nid == NID_rsaEncryption && EVP_PKEY_get_base_id (key) != EVP_PKEY_RSA)
        || (key_nid == NID_X9_62_id_ecPublicKey && EVP_PKEY_get_base_id (key) != EVP_PKEY_EC)
        || (key_nid != NID_rsaEncryption && key_nid != NID_X9_62_id_ecPublicKey))
      return FALSE;
  }

  md_ctx = EVP_MD_CTX_new ();
  ok = md_ctx != NULL
       && EVP_DigestVerifyInit (md_ctx, NULL, md, NULL, key) == 1
       && EVP_DigestVerify (md_ctx, ASN1_STRING_get0_data (signature),
                            ASN1_STRING_length (signature),
                            to_be_signed, to_be_signed_len) == 1;
  EVP_MD_CTX_free (md_ctx);
  ERR_clear_error ();

  return ok;
}

/* Whether the signing-certificate-v2 attribute (when present) names @signer. */
static gboolean
signing_certificate_matches (const ASN1_STRING *sequence,
                             X509              *signer)
{
  const unsigned char *p = ASN1_STRING_get0_data (sequence);
  EssSigningCertificateV2 *value;
  EssCertIdV2 *id;
  g_autoptr(GBytes) der = NULL;
  guint8 hash[MAX_DIGEST_SIZE];
  gsize hash_len;
  gboolean ok = FALSE;

  value = (EssSigningCertificateV2 *) ASN1_item_d2i (NULL, &p, ASN1_STRING_length (sequence),
                                                     ASN1_ITEM_rptr (EssSigningCertificateV2));
  if (value == NULL || OPENSSL_sk_num (value->certs) < 1)
    goto out;

  /* The first ESSCertIDv2 is the signer's (RFC 5035). */
  id = OPENSSL_sk_value (value->certs, 0);
  der = certificate_der (signer);
  if (der == NULL)
    goto out;

  if (id->hash_algorithm == NULL)
    {
      unsigned int len = 0;

      if (EVP_Digest (g_bytes_get_data (der, NULL), g_bytes_get_size (der), hash, &len,
                      EVP_sha256 (), NULL) != 1)
        goto out;
      hash_len = len;
    }
  else
    {
      hash_len = hash_by_algorithm (id->hash_algorithm, g_bytes_get_data (der, NULL),
                                    g_bytes_get_size (der), hash);
    }

  ok = hash_len > 0
       && (gsize) ASN1_STRING_length (id->hash) == hash_len
       && memcmp (ASN1_STRING_get0_data (id->hash), hash, hash_len) == 0;

  if (ok && id->issuer_serial != NULL)
    ok = ASN1_INTEGER_cmp (id->issuer_serial->serial, X509_get0_serialNumber (signer)) == 0;

out:
  ASN1_item_free ((ASN1_VALUE *) value, ASN1_ITEM_rptr (EssSigningCertificateV2));
  ERR_clear_error ();
  return ok;
}

static const ASN1_TYPE *
signed_attribute (CMS_SignerInfo *info,
                  int             nid)
{
  int loc = CMS_signed_get_attr_by_NID (info, nid, -1);
  X509_ATTRIBUTE *attribute;

  if (loc < 0)
    return NULL;
  /* A second one of the same attribute is not allowed (RFC 5652, 5.3). */
  if (CMS_signed_get_attr_by_NID (info, nid, loc) >= 0)
    return NULL;
  attribute = CMS_signed_get_attr (info, loc);
  if (attribute == NULL || X509_ATTRIBUTE_count (attribute) != 1)
    return NULL;
  return X509_ATTRIBUTE_get0_type (attribute, 0);
}

static GDateTime *
date_time_from_asn1 (const ASN1_TIME *time)
{
  struct tm tm = { 0 };

  if (time == NULL || ASN1_TIME_to_tm (time, &tm) != 1)
    return NULL;
  return g_date_time_new_utc (tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                              tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* The signature over the signed attributes, tried over their DER (sorted) and, if that
 * fails, in the order the signer wrote them. */
static gboolean
verify_signed_attributes (CMS_SignerInfo          *info,
                          X509                    *signer,
                          const X509_ALGOR        *digest_algorithm,
                          const X509_ALGOR        *signature_algorithm,
                          const ASN1_OCTET_STRING *signature)
{
  STACK_OF (X509_ATTRIBUTE) *attributes = sk_X509_ATTRIBUTE_new_null ();
  const ASN1_ITEM *items[] = { ASN1_ITEM_rptr (CmsAttributesAsGiven),
                               ASN1_ITEM_rptr (CmsAttributesSorted) };
  gboolean ok = FALSE;

  if (attributes == NULL)
    return FALSE;

  /* As given first: sorting writes the order back into the list. */
  for (guint pass = 0; pass < G_N_ELEMENTS (items) && !ok; pass++)
    {
      unsigned char *der = NULL;
      int der_len;

      sk_X509_ATTRIBUTE_zero (attributes);
      for (int i = 0; i < CMS_signed_get_attr_count (info); i++)
        sk_X509_ATTRIBUTE_push (attributes, CMS_signed_get_attr (info, i));

      der_len = ASN1_item_i2d ((ASN1_VALUE *) attributes, &der, items[pass]);
      if (der_len > 0)
        ok = verify_signature (signer, digest_algorithm, signature_algorithm, der,
                               (gsize) der_len, signature);
      OPENSSL_free (der);
    }

  /* borrowed pointers: only the list is freed */
  sk_X509_ATTRIBUTE_free (attributes);
  return ok;
}

static gboolean
signature_valid (CMS_SignerInfo    *info,
                 X509              *signer,
                 const ASN1_OBJECT *content_type,
                 const guint8      *content,
                 gsize              content_len,
                 GDateTime        **signing_time,
                 gboolean          *signing_certificate)
{
  X509_ALGOR *digest_algorithm = NULL, *signature_algorithm = NULL;
  const ASN1_OCTET_STRING *signature = CMS_SignerInfo_get0_signature (info);
  const ASN1_TYPE *value;
  guint8 digest[MAX_DIGEST_SIZE];
  gsize digest_len;

  CMS_SignerInfo_get0_algs (info, NULL, NULL, &digest_algorithm, &signature_algorithm);
  if (signer == NULL || signature == NULL || digest_algorithm == NULL
      || signature_algorithm == NULL)
    return FALSE;

  value = signed_attribute (info, NID_pkcs9_signingTime);
  if (value != NULL && (value->type == V_ASN1_UTCTIME || value->type == V_ASN1_GENERALIZEDTIME))
    *signing_time = date_time_from_asn1 ((const ASN1_TIME *) value->value.asn1_string);

  /* Without signed attributes the signature is over the content itself. */
  if (CMS_signed_get_attr_count (info) <= 0)
    return verify_signature (signer, digest_algorithm, signature_algorithm, content,
                             content_len, signature);

  value = signed_attribute (info, NID_pkcs9_contentType);
  if (value == NULL || value->type != V_ASN1_OBJECT
      || OBJ_cmp (value->value.object, content_type) != 0)
    return FALSE;

  digest_len = hash_by_algorithm (digest_algorithm, content, content_len, digest);
  value = signed_attribute (info, NID_pkcs9_messageDigest);
  if (digest_len == 0 || value == NULL || value->type != V_ASN1_OCTET_STRING
      || (gsize) ASN1_STRING_length (value->value.octet_string) != digest_len
      || memcmp (ASN1_STRING_get0_data (value->value.octet_string), digest, digest_len) != 0)
    return FALSE;

  /* CAdES binds the certificate: a signing-certificate-v2 that names another one fails. */
  if (CMS_signed_get_attr_by_NID (info, NID_id_smime_aa_signingCertificateV2, -1) >= 0)
    {
      value = signed_attribute (info, NID_id_smime_aa_signingCertificateV2);
      if (value == NULL || value->type != V_ASN1_SEQUENCE
          || !signing_certificate_matches (value->value.sequence, signer))
        return FALSE;
      *signing_certificate = TRUE;
    }

  return verify_signed_attributes (info, signer, digest_algorithm, signature_algorithm,
                                   signature);
}

/* --- the chain ------------------------------------------------------------------------ */

static gboolean
certificate_signed_by (X509 *certificate,
                       X509 *issuer)
{
  const X509_ALGOR *algorithm = NULL;
  const ASN1_OBJECT *oid = NULL;
  EVP_PKEY *key;
  gboolean ok;

  X509_get0_signature (NULL, &algorithm, certificate);
  X509_ALGOR_get0 (&oid, NULL, NULL, algorithm);
  if (object_is_oid (oid, TIRKEU_GOST_OID_2015_512_SIGNATURE))
    return tirkeu_gost_verify_certificate (certificate, issuer, NULL);

  key = X509_get0_pubkey (issuer);
  ok = key != NULL && X509_verify (certificate, key) == 1;
  ERR_clear_error ();
  return ok;
}

/* @candidate may have issued @certificate: the names chain, the key identifiers (when
 * both are there) agree, it is a CA, and its key verifies the signature. */
static gboolean
issued_by (X509 *certificate,
           X509 *candidate)
{
  const ASN1_OCTET_STRING *authority_key_id, *subject_key_id;

  if (X509_NAME_cmp (X509_get_issuer_name (certificate),
                     X509_get_subject_name (candidate)) != 0)
    return FALSE;

  authority_key_id = X509_get0_authority_key_id (certificate);
  subject_key_id = X509_get0_subject_key_id (candidate);
  if (authority_key_id != NULL && subject_key_id != NULL
      && ASN1_OCTET_STRING_cmp (authority_key_id, subject_key_id) != 0)
    return FALSE;

  if (X509_check_ca (candidate) < 1)
    return FALSE;

  return certificate_signed_by (certificate, candidate);
}

static gboolean
is_trusted (X509      *certificate,
            GPtrArray *trusted)
{
  for (guint i = 0; trusted != NULL && i < trusted->len; i++)
    if (X509_cmp (certificate, g_ptr_array_index (trusted, i)) == 0)
      return TRUE;
  return FALSE;
}

static X509 *
find_issuer (X509            *certificate,
             GPtrArray       *trusted,
             STACK_OF (X509) *carried)
{
  for (guint i = 0; trusted != NULL && i < trusted->len; i++)
    if (issued_by (certificate, g_ptr_array_index (trusted, i)))
      return g_ptr_array_index (trusted, i);

  for (int i = 0; i < sk_X509_num (carried); i++)
    {
      X509 *candidate = sk_X509_value (carried, i);

      if (X509_cmp (candidate, certificate) != 0 && issued_by (certificate, candidate))
        return candidate;
    }

  return NULL;
}

/* A signing key must be allowed to sign: digitalSignature or nonRepudiation. */
static gboolean
may_sign (X509 *certificate)
{
  uint32_t usage = X509_get_key_usage (certificate);

  return usage == UINT32_MAX || (usage & (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION)) != 0;
}

static TirkeuCmsCertificateStatus
chain_status (X509            *signer,
              STACK_OF (X509) *carried,
              GPtrArray       *trusted,
              GDateTime       *at)
{
  time_t when = (time_t) g_date_time_to_unix (at);
  gboolean expired = FALSE, not_yet_valid = FALSE;
  X509 *current = signer;

  if (signer == NULL || !may_sign (signer))
    return TIRKEU_CMS_CERTIFICATE_UNTRUSTED;

  /* NCA's chains are three deep; ten is plenty and ends any loop. */
  for (int depth = 0; depth < 10; depth++)
    {
      int not_before = X509_cmp_time (X509_get0_notBefore (current), &when);
      int not_after = X509_cmp_time (X509_get0_notAfter (current), &when);
      X509 *issuer;

      if (not_before == 0 || not_after == 0)
        return TIRKEU_CMS_CERTIFICATE_UNTRUSTED;
      if (not_before > 0)
        not_yet_valid = TRUE;
      if (not_after < 0)
        expired = TRUE;

      if (is_trusted (current, trusted))
        {
          if (expired)
            return TIRKEU_CMS_CERTIFICATE_EXPIRED;
          if (not_yet_valid)
            return TIRKEU_CMS_CERTIFICATE_NOT_YET_VALID;
          return TIRKEU_CMS_CERTIFICATE_TRUSTED;
        }

      issuer = find_issuer (current, trusted, carried);
      if (issuer == NULL || X509_cmp (issuer, current) == 0)
        return TIRKEU_CMS_CERTIFICATE_UNTRUSTED;
      current = issuer;
    }

  return TIRKEU_CMS_CERTIFICATE_UNTRUSTED;
}

static X509 *
find_signer_certificate (CMS_SignerInfo  *info,
                         STACK_OF (X509) *carried,
                         GPtrArray       *trusted)
{
  for (int i = 0; i < sk_X509_num (carried); i++)
    if (CMS_SignerInfo_cert_cmp (info, sk_X509_value (carried, i)) == 0)
      return sk_X509_value (carried, i);

  for (guint i = 0; trusted != NULL && i < trusted->len; i++)
    if (CMS_SignerInfo_cert_cmp (info, g_ptr_array_index (trusted, i)) == 0)
      return g_ptr_array_index (trusted, i);

  return NULL;
}

static void
describe_signer (TirkeuCmsSigner *self,
                 X509            *certificate)
{
  g_autoptr(GBytes) der = certificate_der (certificate);

  self->algorithm = key_algorithm_of (certificate);
  if (der == NULL)
    return;
  self->certificate = tirkeu_certificate_new_from_der (der, NULL);
  if (self->certificate == NULL)
    return;

  /* The name only: the subject's SERIALNUMBER holds the full IIN. */
  self->subject = g_strdup (tirkeu_certificate_get_owner_name (self->certificate));
  if (self->subject == NULL)
    self->subject = g_strdup (tirkeu_certificate_get_organisation (self->certificate));
  self->iin_masked = tirkeu_certificate_dup_masked_iin (self->certificate);
  self->bin = g_strdup (tirkeu_certificate_get_bin (self->certificate));
  self->role = tirkeu_certificate_get_role (self->certificate);
}

static gpointer
not_cms (GError     **error,
         const char  *message)
{
  ERR_clear_error ();
  g_set_error_literal (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_CMS,
                       message != NULL ? message
                                       : tirkeu_token_error_to_message (TIRKEU_TOKEN_ERROR_CMS));
  return NULL;
}

/**
 * tirkeu_cms_verify:
 * @cms_der: a CMS SignedData (DER or BER), attached or detached, made by anyone
 * @detached_content: (nullable): the signed data when the CMS does not carry it
 * @trusted_x509: (nullable) (element-type X509): the certificates to trust
 * @at: the time at which the certificates must be valid (for an old signature, its time)
 * @error: %TIRKEU_TOKEN_ERROR_CMS when @cms_der is no SignedData, has no signer, or the
 *   content is missing
 *
 * Checks every signer: messageDigest against the content, contentType against the
 * content's type, signing-certificate-v2 (when present) against the signer's certificate,
 * the signature over the signed attributes (GOST 2015-512 with Streebog-512, RSA, EC), and
 * the chain from the signer's certificate to one of @trusted_x509 through the certificates
 * the CMS carries, each valid at @at (GOST chains checked by tirkeu-gost). Revocation is not
 * checked.
 *
 * A signer whose signature fails is reported, not an error: the caller decides.
 *
 * Returns: (transfer full) (element-type TirkeuCmsSigner): the signers, in order, or %NULL
 */
GPtrArray *
tirkeu_cms_verify (GBytes     *cms_der,
                   GBytes     *detached_content,
                   GPtrArray  *trusted_x509,
                   GDateTime  *at,
                   GError    **error)
{
  const unsigned char *p;
  gsize len;
  CMS_ContentInfo *cms;
  STACK_OF (CMS_SignerInfo) *infos;
  STACK_OF (X509) *carried;
  const guint8 *content;
  gsize content_len;
  const ASN1_OBJECT *content_type;
  GPtrArray *signers;

  g_return_val_if_fail (cms_der != NULL, NULL);
  g_return_val_if_fail (at != NULL, NULL);

  p = g_bytes_get_data (cms_der, &len);
  if (len == 0 || len > G_MAXLONG)
    return not_cms (error, NULL);
  cms = d2i_CMS_ContentInfo (NULL, &p, (long) len);
  if (cms == NULL || OBJ_obj2nid (CMS_get0_type (cms)) != NID_pkcs7_signed)
    {
      CMS_ContentInfo_free (cms);
      return not_cms (error, NULL);
    }

  infos = CMS_get0_SignerInfos (cms);
  if (sk_CMS_SignerInfo_num (infos) <= 0)
    {
      CMS_ContentInfo_free (cms);
      return not_cms (error, _("The signature file holds no signature"));
    }

  if (detached_content != NULL)
    {
      content = g_bytes_get_data (detached_content, &content_len);
    }
  else
    {
      ASN1_OCTET_STRING **attached = CMS_get0_content (cms);

      if (attached == NULL || *attached == NULL)
        {
          CMS_ContentInfo_free (cms);
          return not_cms (error, _("The signature is detached: give the signed file too"));
        }
      content = ASN1_STRING_get0_data (*attached);
      content_len = (gsize) ASN1_STRING_length (*attached);
    }
  if (content == NULL)
    content = (const guint8 *) "";

  content_type = CMS_get0_eContentType (cms);
  carried = CMS_get1_certs (cms);
  signers = g_ptr_array_new_with_free_func (g_object_unref);

  for (int i = 0; i < sk_CMS_SignerInfo_num (infos); i++)
    {
      CMS_SignerInfo *info = sk_CMS_SignerInfo_value (infos, i);
      TirkeuCmsSigner *signer = g_object_new (TIRKEU_TYPE_CMS_SIGNER, NULL);
      X509 *certificate = find_signer_certificate (info, carried, trusted_x509);
      gboolean signing_certificate = FALSE;

      if (certificate != NULL)
        describe_signer (signer, certificate);

      signer->signature_valid = signature_valid (info, certificate, content_type, content,
                                                 content_len, &signer->signing_time,
                                                 &signing_certificate);
      signer->signing_certificate = signer->signature_valid && signing_certificate;
      signer->status = chain_status (certificate, carried, trusted_x509, at);
      g_ptr_array_add (signers, signer);
    }

  sk_X509_pop_free (carried, X509_free);
  CMS_ContentInfo_free (cms);
  ERR_clear_error ();

  return signers;
}

/**
 * tirkeu_cms_signer_get_certificate:
 * @self: a #TirkeuCmsSigner
 *
 * Returns: (transfer none) (nullable): the signer's certificate, %NULL when the CMS did not
 *   carry it and it was not among the trusted ones
 */
TirkeuCertificate *
tirkeu_cms_signer_get_certificate (TirkeuCmsSigner *self)
{
  g_return_val_if_fail (TIRKEU_IS_CMS_SIGNER (self), NULL);
  return self->certificate;
}

/**
 * tirkeu_cms_signer_get_subject:
 * @self: a #TirkeuCmsSigner
 *
 * Returns: (nullable): the signer's name (CN), or the organisation; never the IIN
 */
const char *
tirkeu_cms_signer_get_subject (TirkeuCmsSigner *self)
{
  g_return_val_if_fail (TIRKEU_IS_CMS_SIGNER (self), NULL);
  return self->subject;
}

/**
 * tirkeu_cms_signer_get_iin_masked:
 * @self: a #TirkeuCmsSigner
 *
 * Returns: (nullable): the signer's IIN with all but its first six digits masked
 */
const char *
tirkeu_cms_signer_get_iin_masked (TirkeuCmsSigner *self)
{
  g_return_val_if_fail (TIRKEU_IS_CMS_SIGNER (self), NULL);
  return self->iin_masked;
}

/**
 * tirkeu_cms_signer_get_bin:
 * @self: a #TirkeuCmsSigner
 *
 * Returns: (nullable): the BIN of the signer's organisation
 */
const char *
tirkeu_cms_signer_get_bin (TirkeuCmsSigner *self)
{
  g_return_val_if_fail (TIRKEU_IS_CMS_SIGNER (self), NULL);
  return self->bin;
}

/**
 * tirkeu_cms_signer_get_role:
 * @self: a #TirkeuCmsSigner
 *
 * Returns: the role in the signer's certificate
 */
TirkeuCertificateRole
tirkeu_cms_signer_get_role (TirkeuCmsSigner *self)
{
  g_return_val_if_fail (TIRKEU_IS_CMS_SIGNER (self), TIRKEU_CERTIFICATE_ROLE_UNKNOWN);
  return self->role;
}

/**
 * tirkeu_cms_signer_get_algorithm:
 * @self: a #TirkeuCmsSigner
 *
 * Returns: the algorithm of the signer's key
 */
TirkeuKeyAlgorithm
tirkeu_cms_signer_get_algorithm (TirkeuCmsSigner *self)
{
  g_return_val_if_fail (TIRKEU_IS_CMS_SIGNER (self), TIRKEU_KEY_ALGORITHM_UNKNOWN);
  return self->algorithm;
}

/**
 * tirkeu_cms_signer_get_signing_time:
 * @self: a #TirkeuCmsSigner
 *
 * Returns: (transfer none) (nullable): the signingTime attribute, as the signer claims it
 */
GDateTime *
tirkeu_cms_signer_get_signing_time (TirkeuCmsSigner *self)
{
  g_return_val_if_fail (TIRKEU_IS_CMS_SIGNER (self), NULL);
  return self->signing_time;
}

/**
 * tirkeu_cms_signer_get_signature_valid:
 * @self: a #TirkeuCmsSigner
 *
 * Returns: %TRUE if the signature, the message digest and the signing certificate check out
 */
gboolean
tirkeu_cms_signer_get_signature_valid (TirkeuCmsSigner *self)
{
  g_return_val_if_fail (TIRKEU_IS_CMS_SIGNER (self), FALSE);
  return self->signature_valid;
}

/**
 * tirkeu_cms_signer_has_signing_certificate:
 * @self: a #TirkeuCmsSigner
 *
 * Whether the signature is CAdES: its signed attributes carry signing-certificate-v2, and it
 * names the signer's certificate (a plain CMS without it may still be valid; a receiver that
 * requires CAdES-BES checks this too).
 *
 * Returns: %TRUE if the signature is valid and binds the signer's certificate
 */
gboolean
tirkeu_cms_signer_has_signing_certificate (TirkeuCmsSigner *self)
{
  g_return_val_if_fail (TIRKEU_IS_CMS_SIGNER (self), FALSE);
  return self->signing_certificate;
}

/**
 * tirkeu_cms_signer_get_certificate_status:
 * @self: a #TirkeuCmsSigner
 *
 * Returns: whether the signer's certificate chains to a trusted one at the time asked
 */
TirkeuCmsCertificateStatus
tirkeu_cms_signer_get_certificate_status (TirkeuCmsSigner *self)
{
  g_return_val_if_fail (TIRKEU_IS_CMS_SIGNER (self), TIRKEU_CMS_CERTIFICATE_UNTRUSTED);
  return self->status;
}

/**
 * tirkeu_cms_certificate_status_to_string:
 * @status: a #TirkeuCmsCertificateStatus
 *
 * Returns: (transfer none): "trusted", "untrusted", "expired" or "not-yet-valid", as
 *   `tirkeu-cli verify --json` writes them (not translated)
 */
const char *
tirkeu_cms_certificate_status_to_string (TirkeuCmsCertificateStatus status)
{
  switch (status)
    {
    case TIRKEU_CMS_CERTIFICATE_TRUSTED:
      return "trusted";
    case TIRKEU_CMS_CERTIFICATE_EXPIRED:
      return "expired";
    case TIRKEU_CMS_CERTIFICATE_NOT_YET_VALID:
      return "not-yet-valid";
    case TIRKEU_CMS_CERTIFICATE_UNTRUSTED:
    default:
      return "untrusted";
    }
}

/**
 * tirkeu_cms_sign_attached:
 * @signer: the signer's certificate (GOST 2015-512, RSA or EC)
 * @content_type_oid: the eContentType, dotted (e.g. "1.2.840.113549.1.9.16.1.4",
 *   id-ct-TSTInfo)
 * @content: the content, carried inside
 * @signing_time: the time to put in signingTime
 * @include_certificate: whether the signer's certificate goes into the SignedData
 * @sign_func: (scope call): makes the signature over the signed attributes
 * @user_data: (closure): for @sign_func
 * @error: as tirkeu_cms_sign_detached()
 *
 * An attached SignedData: what tirkeu_cms_sign_detached() makes, with @content inside as
 * eContent of type @content_type_oid and the contentType attribute saying that type (RFC
 * 5652, 5.3). A time-stamp token (RFC 3161, 2.4.2) is one, with id-ct-TSTInfo; its
 * signing-certificate-v2 is the ESSCertIDv2 RFC 5816 asks for. The version is 3 for any
 * type but id-data (RFC 5652, 5.1).
 *
 * Returns: (transfer full): the CMS ContentInfo, DER, or %NULL
 */
GBytes *
tirkeu_cms_sign_attached (X509               *signer,
                          const char         *content_type_oid,
                          GBytes             *content,
                          GDateTime          *signing_time,
                          gboolean            include_certificate,
                          TirkeuCmsSignFunc   sign_func,
                          gpointer            user_data,
                          GError            **error)
{
  TirkeuKeyAlgorithm algorithm;
  STACK_OF (X509_ATTRIBUTE) *attributes = NULL;
  ASN1_OBJECT *content_type = NULL;
  unsigned char *der = NULL;
  int der_len, position;
  guint8 hash[MAX_DIGEST_SIZE];
  gsize hash_len;
  g_autoptr(GBytes) to_be_signed = NULL;
  g_autoptr(GBytes) signature = NULL;
  CmsContentInfo *info = NULL;
  CmsSignedData *signed_data;
  CmsSignerInfo *signer_info = NULL;
  X509_ALGOR *algorithm_copy = NULL;
  GBytes *result = NULL;

  g_return_val_if_fail (signer != NULL, NULL);
  g_return_val_if_fail (content_type_oid != NULL, NULL);
  g_return_val_if_fail (content != NULL, NULL);
  g_return_val_if_fail (signing_time != NULL, NULL);
  g_return_val_if_fail (sign_func != NULL, NULL);

  algorithm = key_algorithm_of (signer);
  if (algorithm != TIRKEU_KEY_ALGORITHM_GOST_2015_512
      && algorithm != TIRKEU_KEY_ALGORITHM_RSA
      && algorithm != TIRKEU_KEY_ALGORITHM_EC)
    {
      g_set_error_literal (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_UNSUPPORTED_ALGORITHM,
                           tirkeu_token_error_to_message (TIRKEU_TOKEN_ERROR_UNSUPPORTED_ALGORITHM));
      return NULL;
    }
  content_type = OBJ_txt2obj (content_type_oid, 1);
  if (content_type == NULL || g_bytes_get_size (content) > G_MAXINT)
    {
      ASN1_OBJECT_free (content_type);
      return signing_failed (error);
    }

  /* The detached signature's attributes, with contentType saying this content's type. */
  hash_len = hash_for_signing (algorithm, g_bytes_get_data (content, NULL),
                               g_bytes_get_size (content), hash);
  attributes = hash_len > 0 ? signed_attributes_new (signer, algorithm, hash, hash_len,
                                                     signing_time)
                            : NULL;
  position = attributes != NULL ? X509at_get_attr_by_NID (attributes, NID_pkcs9_contentType, -1)
                                : -1;
  if (position < 0)
    goto out;
  X509_ATTRIBUTE_free (X509at_delete_attr (attributes, position));
  if (!X509at_add1_attr_by_NID (&attributes, NID_pkcs9_contentType, V_ASN1_OBJECT,
                                (const unsigned char *) content_type, -1))
    goto out;

  der_len = ASN1_item_i2d ((ASN1_VALUE *) attributes, &der,
                           ASN1_ITEM_rptr (CmsAttributesSorted));
  if (der_len <= 0)
    goto out;
  to_be_signed = g_bytes_new (der, der_len);
  OPENSSL_free (der);
  der = NULL;

  signature = sign_func (to_be_signed, user_data, error);
  if (signature == NULL)
    {
      sk_X509_ATTRIBUTE_pop_free (attributes, X509_ATTRIBUTE_free);
      ASN1_OBJECT_free (content_type);
      return NULL;
    }
  if (g_bytes_get_size (signature) == 0 || g_bytes_get_size (signature) > G_MAXINT)
    goto out;

  signer_info = signer_info_new (signer, algorithm, &attributes, signature);
  info = (CmsContentInfo *) ASN1_item_new (ASN1_ITEM_rptr (CmsContentInfo));
  if (signer_info == NULL || info == NULL)
    goto out;

  ASN1_OBJECT_free (info->type);
  info->type = OBJ_nid2obj (NID_pkcs7_signed);
  signed_data = info->signed_data;
  ASN1_INTEGER_set (signed_data->version,
                    OBJ_obj2nid (content_type) == NID_pkcs7_data ? 1 : 3);
  algorithm_copy = digest_algorithm_new (algorithm);
  if (!sk_X509_ALGOR_push (signed_data->digest_algorithms, algorithm_copy))
    goto out;
  algorithm_copy = NULL;
  ASN1_OBJECT_free (signed_data->encapsulated->type);
  signed_data->encapsulated->type = g_steal_pointer (&content_type);
  signed_data->encapsulated->content = ASN1_OCTET_STRING_new ();
  if (signed_data->encapsulated->content == NULL
      || !ASN1_OCTET_STRING_set (signed_data->encapsulated->content,
                                 g_bytes_get_data (content, NULL),
                                 (int) g_bytes_get_size (content)))
    goto out;
  result = encode_signed_data (info, signer, include_certificate, &signer_info);

out:
  X509_ALGOR_free (algorithm_copy);
  ASN1_OBJECT_free (content_type);
  sk_X509_ATTRIBUTE_pop_free (attributes, X509_ATTRIBUTE_free);
  ASN1_item_free ((ASN1_VALUE *) signer_info, ASN1_ITEM_rptr (CmsSignerInfo));
  ASN1_item_free ((ASN1_VALUE *) info, ASN1_ITEM_rptr (CmsContentInfo));

  if (result == NULL)
    return signing_failed (error);
  ERR_clear_error ();
  return result;
}
