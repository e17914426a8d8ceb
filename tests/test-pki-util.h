/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* An RSA test PKI made in the test with OpenSSL: a CA, a signer, a delegated OCSP responder
 * and a timestamp authority, and the OCSP and RFC 3161 answers they give (OCSP_basic_sign,
 * TS_RESP_CTX), well-formed or spoiled on purpose. */
#include <glib.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/x509.h>

typedef struct
{
  EVP_PKEY *ca_key;
  X509     *ca;
  EVP_PKEY *key;
  X509     *certificate;         /* the signer's, serial 2 */
  EVP_PKEY *responder_key;
  X509     *responder;           /* id-kp-OCSPSigning, issued by the CA */
  X509     *impostor;            /* issued by the CA, same key, without OCSPSigning */
  EVP_PKEY *tsa_key;
  X509     *tsa;                 /* id-kp-timeStamping (critical), issued by the CA */
  EVP_PKEY *other_ca_key;
  X509     *other_ca;
  X509     *other_tsa;           /* a TSA of another CA, same key as tsa */
} TestPki;

typedef enum
{
  TEST_OCSP_SIGNER_CA,
  TEST_OCSP_SIGNER_RESPONDER,
  TEST_OCSP_SIGNER_IMPOSTOR,
} TestOcspSigner;

typedef struct
{
  int            status;            /* V_OCSP_CERTSTATUS_* */
  TestOcspSigner signer;
  gboolean       other_nonce;
  gboolean       no_nonce;
  gboolean       other_cert_id;
  long           this_update_offset;   /* seconds from now */
  long           next_update_offset;   /* seconds from now; 0: none */
  int            response_status;      /* OCSP_RESPONSE_STATUS_* */
} TestOcspAnswer;

void    test_pki_init        (TestPki              *pki);
void    test_pki_init_for_ca (TestPki              *pki,
                              X509                 *ca,
                              EVP_PKEY             *ca_key);
void    test_pki_clear       (TestPki              *pki);
GBytes *test_pki_der         (X509                 *certificate);
GBytes *test_pki_key_file    (TestPki              *pki,
                              const char           *password);
GBytes *test_pki_ocsp_answer (TestPki              *pki,
                              GBytes               *request_der,
                              const TestOcspAnswer *how);
GBytes *test_pki_tsa_answer  (TestPki              *pki,
                              X509                 *tsa,
                              GBytes               *request_der);
GBytes *test_pki_sign_rsa_cb (GBytes               *signed_attributes,
                              gpointer              key,
                              GError              **error);
