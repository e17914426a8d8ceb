/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target for the OCSP and RFC 3161 answer readers (tirkeu-ocsp.c,
 * tirkeu-timestamp.c), which read what the network gives before anything trusts it. The
 * first byte chooses the reader, the rest is the answer. No crash, no leak, no sanitizer
 * report; either a result or an error of the token domain, never both, never neither. The
 * OCSP question is about NCA's test certificate (its real answer is a seed, so the fuzzer
 * starts past the signature check); the timestamp question is over fixed bytes. */
#include "config.h"

#include <openssl/rand.h>
#include <stdint.h>
#include <stdlib.h>

#include "tirkeu-key-file.h"
#include "tirkeu-ocsp.h"
#include "tirkeu-timestamp.h"
#include "tirkeu-token-error.h"

#define REQUIRE(x) do { if (!(x)) abort (); } while (0)

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static X509 *issuer;
static GBytes *ocsp_request;
static GBytes *tsa_request;
static GPtrArray *trusted;
static GDateTime *at;

static GBytes *
read_fixture (const char *name)
{
  const char *root = g_getenv ("TIRKEU_SOURCE_ROOT");
  g_autofree char *path = g_build_filename (root != NULL ? root : ".", "tests", "fixtures",
                                            "nca-test-pki", name, NULL);
  char *contents = NULL;
  gsize len = 0;

  REQUIRE (g_file_get_contents (path, &contents, &len, NULL));
  return g_bytes_new_take (contents, len);
}

/* As fuzz-cms: OpenSSL's random generators first, in the ordinary heap. */
int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  unsigned char bytes[16];
  g_autoptr(GBytes) p12 = read_fixture ("individual-gost2015.p12");
  g_autoptr(GBytes) ca = read_fixture ("nca-gost2022-test.cer");
  g_autoptr(TirkeuKeyFile) key_file = NULL;
  g_autoptr(GBytes) signature = g_bytes_new_static ("signature", 9);
  const unsigned char *p;

  if (RAND_bytes (bytes, sizeof bytes) != 1 || RAND_priv_bytes (bytes, sizeof bytes) != 1)
    abort ();
  tirkeu_key_file_get_lib_ctx ();

  key_file = tirkeu_key_file_new_from_bytes (p12, "Aa123456", NULL);
  REQUIRE (key_file != NULL);
  p = g_bytes_get_data (ca, NULL);
  issuer = d2i_X509 (NULL, &p, (long) g_bytes_get_size (ca));
  REQUIRE (issuer != NULL);
  ocsp_request = tirkeu_ocsp_request_new (tirkeu_key_file_get_certificate (key_file), issuer,
                                          TIRKEU_OCSP_HASH_SHA1, NULL);
  REQUIRE (ocsp_request != NULL);
  tsa_request = tirkeu_timestamp_request_new (signature, TIRKEU_KEY_ALGORITHM_RSA, NULL, NULL);
  REQUIRE (tsa_request != NULL);
  trusted = g_ptr_array_new_with_free_func ((GDestroyNotify) X509_free);
  X509_up_ref (issuer);
  g_ptr_array_add (trusted, issuer);
  /* when NCA's test answer was fresh */
  at = g_date_time_new_utc (2022, 9, 1, 12, 0, 0);
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GError) error = NULL;

  if (size == 0)
    return 0;
  answer = g_bytes_new (data + 1, size - 1);
  if ((data[0] & 1) == 0)
    {
      g_autoptr(TirkeuOcspResult) result = tirkeu_ocsp_response_check (ocsp_request, answer,
                                                                        issuer, at, &error);

      REQUIRE ((result == NULL) != (error == NULL));
      if (result != NULL)
        REQUIRE (tirkeu_ocsp_status_to_string (result->status) != NULL
                 && result->this_update != NULL);
      else
        REQUIRE (error->domain == TIRKEU_TOKEN_ERROR && error->message != NULL);
    }
  else
    {
      g_autoptr(GDateTime) gen_time = NULL;
      g_autoptr(GBytes) token = tirkeu_timestamp_reply_check (tsa_request, answer, trusted,
                                                              &gen_time, &error);

      REQUIRE ((token == NULL) != (error == NULL));
      if (token != NULL)
        REQUIRE (gen_time != NULL && g_bytes_get_size (token) > 0);
      else
        REQUIRE (error->domain == TIRKEU_TOKEN_ERROR && error->message != NULL);
    }
  return 0;
}
