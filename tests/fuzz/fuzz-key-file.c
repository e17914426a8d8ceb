/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target for the NCA key file reader: no crash, no leak, no sanitizer report, and
 * invariants: a file either opens (then it has a certificate whose key is the file's, and
 * signs) or fails with exactly one TirkeuTokenError. Each input is read twice: as given,
 * and, when it parses as PKCS#12, with its MAC made anew for the password, so that the
 * fuzzer reaches the bags, the decryption and the PKCS#8 behind the MAC. */
#include "config.h"

#include <openssl/evp.h>
#include <openssl/pkcs12.h>
#include <stdint.h>
#include <stdlib.h>

#include "tirkeu-gost.h"
#include "tirkeu-key-file.h"
#include "tirkeu-token-error.h"

#define PASSWORD "Aa123456"
#define REQUIRE(x) do { if (!(x)) abort (); } while (0)

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
open_and_check (GBytes *bytes)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TirkeuKeyFile) key_file = tirkeu_key_file_new_from_bytes (bytes, PASSWORD, &error);

  if (key_file == NULL)
    {
      REQUIRE (error != NULL && error->domain == TIRKEU_TOKEN_ERROR);
      return;
    }

  REQUIRE (error == NULL);
  REQUIRE (tirkeu_key_file_get_certificate (key_file) != NULL);
  REQUIRE (tirkeu_key_file_get_certificate_der (key_file) != NULL);

  if (tirkeu_key_file_get_algorithm (key_file) == TIRKEU_KEY_ALGORITHM_GOST_2015_512)
    {
      /* what it signs, its certificate's key verifies */
      g_autoptr(GBytes) message = g_bytes_new_static ("fuzz", 4);
      g_autoptr(GBytes) signature = tirkeu_key_file_sign (key_file, message, &error);
      guint8 public_key[128], digest[64];

      REQUIRE (signature != NULL && g_bytes_get_size (signature) == 128);
      REQUIRE (tirkeu_gost_public_key_from_spki (
          X509_get_X509_PUBKEY (tirkeu_key_file_get_certificate (key_file)), public_key, NULL));
      tirkeu_gost_streebog512 ("fuzz", 4, digest);
      REQUIRE (tirkeu_gost_verify_digest (public_key, digest,
                                          g_bytes_get_data (signature, NULL)));
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, size);
  const unsigned char *p = data;
  PKCS12 *p12;

  open_and_check (bytes);

  if (size > 64 * 1024)
    return 0;
  p12 = d2i_PKCS12 (NULL, &p, (long) size);
  if (p12 != NULL)
    {
      unsigned char *der = NULL;
      int der_len;

      if (PKCS12_set_mac (p12, PASSWORD, -1, NULL, 0, 1, EVP_sha1 ()) == 1
          && (der_len = i2d_PKCS12 (p12, &der)) > 0)
        {
          g_autoptr(GBytes) remade = g_bytes_new (der, der_len);

          open_and_check (remade);
        }
      OPENSSL_free (der);
      PKCS12_free (p12);
    }

  return 0;
}
