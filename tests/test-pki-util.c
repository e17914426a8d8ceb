/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <openssl/pem.h>
#include <string.h>
#include <openssl/ts.h>
#include <openssl/x509v3.h>

#include "test-pki-util.h"
#include "tirkeu-key-file.h"

static void
add_extension (X509       *certificate,
               X509       *issuer,
               int         nid,
               const char *value)
{
  X509V3_CTX ctx;
  X509_EXTENSION *extension;

  X509V3_set_ctx (&ctx, issuer, certificate, NULL, NULL, 0);
  extension = X509V3_EXT_conf_nid (NULL, &ctx, nid, value);
  g_assert_nonnull (extension);
  X509_add_ext (certificate, extension, -1);
  X509_EXTENSION_free (extension);
}

/* @eku NULL: a CA */
static X509 *
make_certificate (const char *cn,
                  long        serial,
                  EVP_PKEY   *key,
                  X509       *issuer,
                  EVP_PKEY   *issuer_key,
                  const char *key_usage,
                  const char *eku)
{
  X509 *certificate = X509_new ();
  X509_NAME *name = X509_NAME_new ();

  X509_set_version (certificate, X509_VERSION_3);
  ASN1_INTEGER_set (X509_get_serialNumber (certificate), serial);
  X509_NAME_add_entry_by_txt (name, "CN", MBSTRING_UTF8, (const unsigned char *) cn, -1, -1, 0);
  X509_set_subject_name (certificate, name);
  X509_set_issuer_name (certificate, issuer != NULL ? X509_get_subject_name (issuer) : name);
  X509_gmtime_adj (X509_getm_notBefore (certificate), -86400);
  X509_gmtime_adj (X509_getm_notAfter (certificate), 30 * 86400);
  X509_set_pubkey (certificate, key);
  add_extension (certificate, issuer != NULL ? issuer : certificate, NID_subject_key_identifier,
                 "hash");
  if (eku == NULL)
    {
      add_extension (certificate, certificate, NID_basic_constraints, "critical,CA:TRUE");
      add_extension (certificate, certificate, NID_key_usage, "critical,keyCertSign,cRLSign");
    }
  else
    {
      add_extension (certificate, issuer, NID_authority_key_identifier, "keyid");
      add_extension (certificate, issuer, NID_key_usage, key_usage);
      add_extension (certificate, issuer, NID_ext_key_usage, eku);
    }
  g_assert_cmpint (X509_sign (certificate, issuer_key, EVP_sha256 ()), >, 0);
  X509_NAME_free (name);
  return certificate;
}

void
test_pki_init (TestPki *pki)
{
  pki->ca_key = EVP_RSA_gen (2048);
  pki->ca = make_certificate ("Tirkeu Test RSA CA", 1, pki->ca_key, NULL, pki->ca_key, NULL, NULL);
  pki->key = EVP_RSA_gen (2048);
  pki->certificate = make_certificate ("TESTOV TEST", 2, pki->key, pki->ca, pki->ca_key,
                                       "critical,digitalSignature,nonRepudiation",
                                       "emailProtection,1.2.398.3.3.4.1.1");
  pki->responder_key = EVP_RSA_gen (2048);
  pki->responder = make_certificate ("OCSP RESPONDER", 3, pki->responder_key, pki->ca,
                                     pki->ca_key, "critical,digitalSignature", "OCSPSigning");
  pki->impostor = make_certificate ("NOT A RESPONDER", 4, pki->responder_key, pki->ca,
                                    pki->ca_key, "critical,digitalSignature", "emailProtection");
  pki->tsa_key = EVP_RSA_gen (2048);
  pki->tsa = make_certificate ("TSA", 5, pki->tsa_key, pki->ca, pki->ca_key,
                               "critical,digitalSignature,nonRepudiation",
                               "critical,timeStamping");
  pki->other_ca_key = EVP_RSA_gen (2048);
  pki->other_ca = make_certificate ("Tirkeu Test RSA CA", 1, pki->other_ca_key, NULL,
                                    pki->other_ca_key, NULL, NULL);
  pki->other_tsa = make_certificate ("TSA", 5, pki->tsa_key, pki->other_ca, pki->other_ca_key,
                                     "critical,digitalSignature,nonRepudiation",
                                     "critical,timeStamping");
}

/* The responder and the TSA of an existing CA (EC keys: fast); no signer of its own. */
void
test_pki_init_for_ca (TestPki  *pki,
                      X509     *ca,
                      EVP_PKEY *ca_key)
{
  memset (pki, 0, sizeof *pki);
  X509_up_ref (ca);
  EVP_PKEY_up_ref (ca_key);
  pki->ca = ca;
  pki->ca_key = ca_key;
  pki->responder_key = EVP_EC_gen ("P-256");
  pki->responder = make_certificate ("OCSP RESPONDER", 3, pki->responder_key, pki->ca,
                                     pki->ca_key, "critical,digitalSignature", "OCSPSigning");
  pki->tsa_key = EVP_EC_gen ("P-256");
  pki->tsa = make_certificate ("TSA", 5, pki->tsa_key, pki->ca, pki->ca_key,
                               "critical,digitalSignature,nonRepudiation",
                               "critical,timeStamping");
}

void
test_pki_clear (TestPki *pki)
{
  X509_free (pki->ca);
  X509_free (pki->certificate);
  X509_free (pki->responder);
  X509_free (pki->impostor);
  X509_free (pki->tsa);
  X509_free (pki->other_ca);
  X509_free (pki->other_tsa);
  EVP_PKEY_free (pki->ca_key);
  EVP_PKEY_free (pki->key);
  EVP_PKEY_free (pki->responder_key);
  EVP_PKEY_free (pki->tsa_key);
  EVP_PKEY_free (pki->other_ca_key);
}

GBytes *
test_pki_der (X509 *certificate)
{
  unsigned char *der = NULL;
  int len = i2d_X509 (certificate, &der);
  GBytes *bytes;

  g_assert_cmpint (len, >, 0);
  bytes = g_bytes_new (der, len);
  OPENSSL_free (der);
  return bytes;
}

/* The signer's key and certificate (with the CA beside it) as a PKCS#12 key file. */
GBytes *
test_pki_key_file (TestPki    *pki,
                   const char *password)
{
  PKCS8_PRIV_KEY_INFO *p8 = EVP_PKEY2PKCS8 (pki->key);
  g_autoptr(GPtrArray) chain = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  GBytes *p12;

  g_ptr_array_add (chain, pki->ca);
  p12 = tirkeu_key_file_write_pkcs12 (p8, pki->certificate, chain, password, &error);
  g_assert_no_error (error);
  PKCS8_PRIV_KEY_INFO_free (p8);
  return p12;
}

GBytes *
test_pki_ocsp_answer (TestPki              *pki,
                      GBytes               *request_der,
                      const TestOcspAnswer *how)
{
  const unsigned char *p = g_bytes_get_data (request_der, NULL);
  OCSP_REQUEST *request = d2i_OCSP_REQUEST (NULL, &p, g_bytes_get_size (request_der));
  OCSP_BASICRESP *basic;
  OCSP_RESPONSE *response;
  OCSP_CERTID *id;
  ASN1_TIME *this_update, *next_update = NULL, *revoked_at;
  X509 *signer;
  EVP_PKEY *signer_key;
  STACK_OF (X509) *certs = sk_X509_new_null ();
  unsigned char *der = NULL;
  int len;
  GBytes *result;

  g_assert_nonnull (request);
  if (how->response_status != OCSP_RESPONSE_STATUS_SUCCESSFUL)
    {
      response = OCSP_response_create (how->response_status, NULL);
      goto encode;
    }

  basic = OCSP_BASICRESP_new ();
  if (how->other_cert_id)
    {
      ASN1_INTEGER *serial = ASN1_INTEGER_new ();

      ASN1_INTEGER_set (serial, 99);
      id = OCSP_cert_id_new (EVP_sha1 (), X509_get_subject_name (pki->ca),
                             X509_get0_pubkey_bitstr (pki->ca), serial);
      ASN1_INTEGER_free (serial);
    }
  else
    id = OCSP_CERTID_dup (OCSP_onereq_get0_id (OCSP_request_onereq_get0 (request, 0)));
  this_update = X509_gmtime_adj (NULL, how->this_update_offset - 60);
  if (how->next_update_offset != 0)
    next_update = X509_gmtime_adj (NULL, how->next_update_offset);
  revoked_at = X509_gmtime_adj (NULL, -7200);
  g_assert_nonnull (OCSP_basic_add1_status (basic, id, how->status,
                                            how->status == V_OCSP_CERTSTATUS_REVOKED
                                              ? OCSP_REVOKED_STATUS_KEYCOMPROMISE : -1,
                                            how->status == V_OCSP_CERTSTATUS_REVOKED
                                              ? revoked_at : NULL,
                                            this_update, next_update));
  if (how->other_nonce)
    g_assert_cmpint (OCSP_basic_add1_nonce (basic, (unsigned char *) "0123456789abcdef", 16),
                     ==, 1);
  else if (!how->no_nonce)
    g_assert_cmpint (OCSP_copy_nonce (basic, request), ==, 1);

  switch (how->signer)
    {
    case TEST_OCSP_SIGNER_RESPONDER:
      signer = pki->responder;
      signer_key = pki->responder_key;
      break;
    case TEST_OCSP_SIGNER_IMPOSTOR:
      signer = pki->impostor;
      signer_key = pki->responder_key;
      break;
    case TEST_OCSP_SIGNER_CA:
    default:
      signer = pki->ca;
      signer_key = pki->ca_key;
      break;
    }
  /* The CA's answers carry no certificate: the signature is then the answer's last bytes,
   * which a test may spoil. */
  g_assert_cmpint (OCSP_basic_sign (basic, signer, signer_key, EVP_sha256 (), certs,
                                    signer == pki->ca ? OCSP_NOCERTS : 0), ==, 1);
  response = OCSP_response_create (OCSP_RESPONSE_STATUS_SUCCESSFUL, basic);
  OCSP_BASICRESP_free (basic);
  OCSP_CERTID_free (id);
  ASN1_TIME_free (this_update);
  ASN1_TIME_free (next_update);
  ASN1_TIME_free (revoked_at);

encode:
  len = i2d_OCSP_RESPONSE (response, &der);
  g_assert_cmpint (len, >, 0);
  result = g_bytes_new (der, len);
  OPENSSL_free (der);
  OCSP_RESPONSE_free (response);
  OCSP_REQUEST_free (request);
  sk_X509_free (certs);
  return result;
}

GBytes *
test_pki_tsa_answer (TestPki *pki,
                     X509    *tsa,
                     GBytes  *request_der)
{
  TS_RESP_CTX *ctx = TS_RESP_CTX_new ();
  BIO *bio = BIO_new_mem_buf (g_bytes_get_data (request_der, NULL),
                              (int) g_bytes_get_size (request_der));
  ASN1_OBJECT *policy = OBJ_txt2obj ("1.2.3.4.1", 1);
  TS_RESP *response;
  unsigned char *der = NULL;
  int len;
  GBytes *result;

  g_assert_cmpint (TS_RESP_CTX_set_signer_cert (ctx, tsa), ==, 1);
  g_assert_cmpint (TS_RESP_CTX_set_signer_key (ctx, pki->tsa_key), ==, 1);
  g_assert_cmpint (TS_RESP_CTX_set_def_policy (ctx, policy), ==, 1);
  g_assert_cmpint (TS_RESP_CTX_add_md (ctx, EVP_sha256 ()), ==, 1);
  response = TS_RESP_create_response (ctx, bio);
  g_assert_nonnull (response);
  len = i2d_TS_RESP (response, &der);
  g_assert_cmpint (len, >, 0);
  result = g_bytes_new (der, len);
  OPENSSL_free (der);
  TS_RESP_free (response);
  ASN1_OBJECT_free (policy);
  BIO_free (bio);
  TS_RESP_CTX_free (ctx);
  return result;
}

/* A TirkeuCmsSignFunc over an RSA EVP_PKEY: PKCS#1 v1.5 with SHA-256. */
GBytes *
test_pki_sign_rsa_cb (GBytes    *signed_attributes,
                      gpointer   key,
                      GError   **error)
{
  EVP_MD_CTX *ctx = EVP_MD_CTX_new ();
  size_t len = 0;
  guint8 *signature;

  g_assert_cmpint (EVP_DigestSignInit (ctx, NULL, EVP_sha256 (), NULL, key), ==, 1);
  g_assert_cmpint (EVP_DigestSign (ctx, NULL, &len, g_bytes_get_data (signed_attributes, NULL),
                                   g_bytes_get_size (signed_attributes)), ==, 1);
  signature = g_malloc (len);
  g_assert_cmpint (EVP_DigestSign (ctx, signature, &len,
                                   g_bytes_get_data (signed_attributes, NULL),
                                   g_bytes_get_size (signed_attributes)), ==, 1);
  EVP_MD_CTX_free (ctx);
  return g_bytes_new_take (signature, len);
}
