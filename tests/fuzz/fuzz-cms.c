/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target for CMS verification: no crash, no leak, no sanitizer report; either an
 * error of the token domain or at least one signer; a signer trusted without a certificate
 * cannot be; the signature fields are what the API says. The input is verified detached
 * (against fixed content), attached, and with a trusted certificate taken from the CMS
 * itself, so chain building runs too. */
#include "config.h"

#include <openssl/cms.h>
#include <stdint.h>
#include <stdlib.h>

#include "tirkeu-cms.h"
#include "tirkeu-token-error.h"

#define REQUIRE(x) do { if (!(x)) abort (); } while (0)

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
verify_and_check (GBytes    *cms,
                  GBytes    *content,
                  GPtrArray *trusted,
                  GDateTime *at)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) signers = tirkeu_cms_verify (cms, content, trusted, at, &error);

  if (signers == NULL)
    {
      REQUIRE (g_error_matches (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_CMS));
      return;
    }

  REQUIRE (error == NULL && signers->len > 0);
  for (guint i = 0; i < signers->len; i++)
    {
      TirkeuCmsSigner *signer = g_ptr_array_index (signers, i);

      if (tirkeu_cms_signer_get_certificate (signer) == NULL)
        REQUIRE (!tirkeu_cms_signer_get_signature_valid (signer));
      REQUIRE (tirkeu_cms_certificate_status_to_string (
                 tirkeu_cms_signer_get_certificate_status (signer)) != NULL);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) cms = g_bytes_new (data, size);
  g_autoptr(GBytes) content = g_bytes_new_static ("{\"request\":\"R-1\"}", 17);
  g_autoptr(GDateTime) at = g_date_time_new_utc (2022, 9, 1, 12, 0, 0);
  g_autoptr(GPtrArray) trusted = g_ptr_array_new_with_free_func ((GDestroyNotify) X509_free);
  const unsigned char *p = data;
  CMS_ContentInfo *parsed;

  verify_and_check (cms, content, NULL, at);
  verify_and_check (cms, NULL, NULL, at);

  parsed = d2i_CMS_ContentInfo (NULL, &p, (long) size);
  if (parsed != NULL)
    {
      STACK_OF (X509) *certificates = CMS_get1_certs (parsed);

      for (int i = 0; i < sk_X509_num (certificates); i++)
        {
          X509 *x509 = sk_X509_value (certificates, i);

          X509_up_ref (x509);
          g_ptr_array_add (trusted, x509);
        }
      sk_X509_pop_free (certificates, X509_free);
      CMS_ContentInfo_free (parsed);
      verify_and_check (cms, content, trusted, at);
    }

  return 0;
}
