/* SPDX-License-Identifier: GPL-3.0-or-later */
/* RFC 3161 timestamps over a signature and CAdES-T (tirkeu-timestamp.c, tirkeu-cms.c)
 * against answers OpenSSL's TS_RESP_CTX makes in the test, good and spoiled. */
#include "config.h"

#include <openssl/cms.h>
#include <openssl/ts.h>

#include "test-pki-util.h"
#include "tirkeu-cms.h"
#include "tirkeu-gost-issuer.h"
#include "tirkeu-key-file.h"
#include "tirkeu-sandbox-ca.h"
#include "tirkeu-timestamp.h"
#include "tirkeu-token-error.h"

static TestPki pki;

static GBytes *
signed_cms (void)
{
  g_autoptr(GBytes) content = g_bytes_new_static ("{\"request\":\"R-1\"}", 17);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GError) error = NULL;
  GBytes *cms = tirkeu_cms_sign_detached (pki.certificate, content, now, test_pki_sign_rsa_cb,
                                          pki.key, &error);

  g_assert_no_error (error);
  return cms;
}

static GPtrArray *
trust (X509 *ca)
{
  GPtrArray *trusted = g_ptr_array_new_with_free_func ((GDestroyNotify) X509_free);

  X509_up_ref (ca);
  g_ptr_array_add (trusted, ca);
  return trusted;
}

static GBytes *
timestamp_request (GBytes *cms)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) value = tirkeu_cms_dup_signature_value (cms, &error);
  GBytes *request;

  g_assert_no_error (error);
  request = tirkeu_timestamp_request_new (value, TIRKEU_KEY_ALGORITHM_RSA, NULL, &error);
  g_assert_no_error (error);
  return request;
}

static void
test_cades_t (void)
{
  g_autoptr(GBytes) cms = signed_cms ();
  g_autoptr(GBytes) request = timestamp_request (cms);
  g_autoptr(GBytes) reply = test_pki_tsa_answer (&pki, pki.tsa, request);
  g_autoptr(GPtrArray) trusted = trust (pki.ca);
  g_autoptr(GBytes) token = NULL;
  g_autoptr(GBytes) stamped = NULL;
  g_autoptr(GBytes) carried = NULL;
  g_autoptr(GBytes) content = g_bytes_new_static ("{\"request\":\"R-1\"}", 17);
  g_autoptr(GDateTime) gen_time = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GPtrArray) signers = NULL;
  g_autoptr(GError) error = NULL;
  const unsigned char *p = g_bytes_get_data (request, NULL);
  TS_REQ *parsed = d2i_TS_REQ (NULL, &p, g_bytes_get_size (request));

  /* what was asked: SHA-256 of the signature value, a nonce, the TSA's certificate */
  g_assert_nonnull (parsed);
  g_assert_cmpint (TS_REQ_get_cert_req (parsed), ==, 1);
  g_assert_nonnull (TS_REQ_get_nonce (parsed));
  g_assert_cmpint (OBJ_obj2nid (TS_MSG_IMPRINT_get_algo (TS_REQ_get_msg_imprint (parsed))->algorithm),
                   ==, NID_sha256);
  TS_REQ_free (parsed);

  token = tirkeu_timestamp_reply_check (request, reply, trusted, &gen_time, &error);
  g_assert_no_error (error);
  g_assert_nonnull (token);
  g_assert_nonnull (gen_time);
  g_assert_cmpint (ABS (g_date_time_difference (now, gen_time)), <, 120 * G_TIME_SPAN_SECOND);

  g_assert_null (tirkeu_cms_dup_timestamp_token (cms));
  stamped = tirkeu_cms_add_timestamp (cms, token, &error);
  g_assert_no_error (error);
  carried = tirkeu_cms_dup_timestamp_token (stamped);
  g_assert_nonnull (carried);
  g_assert_true (g_bytes_equal (carried, token));

  /* the signed part is untouched: the CAdES-T signature still verifies */
  signers = tirkeu_cms_verify (stamped, content, trusted, now, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (signers->len, ==, 1);
  g_assert_true (tirkeu_cms_signer_get_signature_valid (g_ptr_array_index (signers, 0)));
  g_assert_true (tirkeu_cms_signer_has_signing_certificate (g_ptr_array_index (signers, 0)));

  /* and OpenSSL finds the attribute where CAdES puts it */
  {
    const unsigned char *q = g_bytes_get_data (stamped, NULL);
    CMS_ContentInfo *parsed_cms = d2i_CMS_ContentInfo (NULL, &q, g_bytes_get_size (stamped));
    CMS_SignerInfo *info = sk_CMS_SignerInfo_value (CMS_get0_SignerInfos (parsed_cms), 0);

    g_assert_cmpint (CMS_unsigned_get_attr_by_OBJ (info, OBJ_txt2obj ("1.2.840.113549.1.9.16.2.14", 1), -1),
                     >=, 0);
    CMS_ContentInfo_free (parsed_cms);
  }
}

static void
assert_refused (GBytes           *request,
                GBytes           *reply,
                X509             *ca,
                TirkeuTokenError  code)
{
  g_autoptr(GPtrArray) trusted = trust (ca);
  g_autoptr(GBytes) token = NULL;
  g_autoptr(GError) error = NULL;

  token = tirkeu_timestamp_reply_check (request, reply, trusted, NULL, &error);
  g_assert_null (token);
  g_assert_error (error, TIRKEU_TOKEN_ERROR, (gint) code);
}

/* The request as a TSA would see it after @spoil changed it. */
static GBytes *
spoiled_request (GBytes *request,
                 void  (*spoil) (TS_REQ *request))
{
  const unsigned char *p = g_bytes_get_data (request, NULL);
  TS_REQ *parsed = d2i_TS_REQ (NULL, &p, g_bytes_get_size (request));
  unsigned char *der = NULL;
  int len;
  GBytes *result;

  spoil (parsed);
  len = i2d_TS_REQ (parsed, &der);
  g_assert_cmpint (len, >, 0);
  result = g_bytes_new (der, len);
  OPENSSL_free (der);
  TS_REQ_free (parsed);
  return result;
}

static void
other_nonce (TS_REQ *request)
{
  ASN1_INTEGER *nonce = ASN1_INTEGER_new ();

  ASN1_INTEGER_set (nonce, 42);
  TS_REQ_set_nonce (request, nonce);
  ASN1_INTEGER_free (nonce);
}

/* The same question without a nonce (TS_REQ_set_nonce cannot take it away). */
static GBytes *
request_without_nonce (GBytes *request)
{
  const unsigned char *p = g_bytes_get_data (request, NULL);
  TS_REQ *parsed = d2i_TS_REQ (NULL, &p, g_bytes_get_size (request));
  TS_REQ *bare = TS_REQ_new ();
  unsigned char *der = NULL;
  int len;
  GBytes *result;

  TS_REQ_set_version (bare, 1);
  TS_REQ_set_msg_imprint (bare, TS_REQ_get_msg_imprint (parsed));
  TS_REQ_set_cert_req (bare, 1);
  len = i2d_TS_REQ (bare, &der);
  g_assert_cmpint (len, >, 0);
  result = g_bytes_new (der, len);
  OPENSSL_free (der);
  TS_REQ_free (bare);
  TS_REQ_free (parsed);
  return result;
}

static void
other_imprint (TS_REQ *request)
{
  guint8 digest[32] = { 1, 2, 3 };

  TS_MSG_IMPRINT_set_msg (TS_REQ_get_msg_imprint (request), digest, sizeof digest);
}

static void
test_wrong_nonce (void)
{
  g_autoptr(GBytes) cms = signed_cms ();
  g_autoptr(GBytes) request = timestamp_request (cms);
  g_autoptr(GBytes) other = spoiled_request (request, other_nonce);
  g_autoptr(GBytes) none = request_without_nonce (request);
  g_autoptr(GBytes) reply = test_pki_tsa_answer (&pki, pki.tsa, other);
  g_autoptr(GBytes) reply_none = test_pki_tsa_answer (&pki, pki.tsa, none);

  assert_refused (request, reply, pki.ca, TIRKEU_TOKEN_ERROR_TIMESTAMP_NONCE);
  assert_refused (request, reply_none, pki.ca, TIRKEU_TOKEN_ERROR_TIMESTAMP_NONCE);
}

static void
test_imprint_mismatch (void)
{
  g_autoptr(GBytes) cms = signed_cms ();
  g_autoptr(GBytes) request = timestamp_request (cms);
  g_autoptr(GBytes) other = spoiled_request (request, other_imprint);
  g_autoptr(GBytes) reply = test_pki_tsa_answer (&pki, pki.tsa, other);

  assert_refused (request, reply, pki.ca, TIRKEU_TOKEN_ERROR_TIMESTAMP_IMPRINT);
}

static void
test_untrusted (void)
{
  g_autoptr(GBytes) cms = signed_cms ();
  g_autoptr(GBytes) request = timestamp_request (cms);
  g_autoptr(GBytes) reply = test_pki_tsa_answer (&pki, pki.tsa, request);
  g_autoptr(GBytes) stranger = test_pki_tsa_answer (&pki, pki.other_tsa, request);
  gsize len = g_bytes_get_size (reply);
  guint8 *bytes = g_memdup2 (g_bytes_get_data (reply, NULL), len);
  g_autoptr(GBytes) tampered = NULL;

  /* a TSA of another CA */
  assert_refused (request, stranger, pki.ca, TIRKEU_TOKEN_ERROR_TIMESTAMP_UNTRUSTED);
  /* our TSA, but the trust is another CA */
  assert_refused (request, reply, pki.other_ca, TIRKEU_TOKEN_ERROR_TIMESTAMP_UNTRUSTED);
  /* the token's signature (its last bytes) spoiled */
  bytes[len - 1] ^= 0x01;
  tampered = g_bytes_new_take (bytes, len);
  assert_refused (request, tampered, pki.ca, TIRKEU_TOKEN_ERROR_TIMESTAMP_UNTRUSTED);
}

static void
test_refused_and_malformed (void)
{
  g_autoptr(GBytes) cms = signed_cms ();
  g_autoptr(GBytes) request = timestamp_request (cms);
  g_autoptr(GBytes) reply = test_pki_tsa_answer (&pki, pki.tsa, request);
  /* TimeStampResp { status { rejection (2) } } */
  static const guint8 rejection[] = { 0x30, 0x05, 0x30, 0x03, 0x02, 0x01, 0x02 };
  g_autoptr(GBytes) rejected = g_bytes_new_static (rejection, sizeof rejection);
  g_autoptr(GBytes) truncated = g_bytes_new_from_bytes (reply, 0, g_bytes_get_size (reply) - 7);
  g_autoptr(GBytes) huge = g_bytes_new_take (g_malloc0 (TIRKEU_TIMESTAMP_MAX_REPLY_SIZE + 1),
                                             TIRKEU_TIMESTAMP_MAX_REPLY_SIZE + 1);

  assert_refused (request, rejected, pki.ca, TIRKEU_TOKEN_ERROR_TIMESTAMP_REFUSED);
  assert_refused (request, truncated, pki.ca, TIRKEU_TOKEN_ERROR_TIMESTAMP_MALFORMED);
  assert_refused (request, huge, pki.ca, TIRKEU_TOKEN_ERROR_TIMESTAMP_MALFORMED);
}

static void
test_add_to_other (void)
{
  g_autoptr(GBytes) garbage = g_bytes_new_static ("not a cms", 9);
  g_autoptr(GBytes) cms = signed_cms ();
  g_autoptr(GError) error = NULL;

  g_assert_null (tirkeu_cms_add_timestamp (garbage, cms, &error));
  g_assert_error (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_CMS);
  g_clear_error (&error);
  g_assert_null (tirkeu_cms_dup_signature_value (garbage, &error));
  g_assert_error (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_CMS);
  g_clear_error (&error);
  g_assert_null (tirkeu_cms_add_timestamp (cms, garbage, &error));
  g_assert_error (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_CMS);
}

/* --- GOST: the sandbox's test NCA stamps a GOST 2015 key file's signature ------------- */

static GBytes *
key_file_sign_cb (GBytes    *attributes,
                  gpointer   user_data,
                  GError   **error)
{
  return tirkeu_key_file_sign (user_data, attributes, error);
}

static void
test_gost (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("tirkeu-timestamp-gost-XXXXXX", &error);
  g_autoptr(TirkeuSandboxCa) ca = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) end = g_date_time_add_days (now, 30);
  const TirkeuGostSubject subject = { .surname = "БЕКОВ", .given_name = "АРМАН",
                                      .iin = "850304300128", .bin = "230540004989",
                                      .role = TIRKEU_CERTIFICATE_ROLE_FIRST_HEAD };
  g_autoptr(GBytes) p12 = NULL;
  g_autoptr(TirkeuKeyFile) key_file = NULL;
  g_autoptr(GBytes) content = g_bytes_new_static ("{\"request\":\"R-1\"}", 17);
  g_autoptr(GBytes) cms = NULL;
  g_autoptr(GBytes) value = NULL;
  g_autoptr(GBytes) request = NULL;
  g_autoptr(GBytes) sha_request = NULL;
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GBytes) token = NULL;
  g_autoptr(GBytes) stamped = NULL;
  g_autoptr(GPtrArray) trusted = NULL;
  g_autoptr(GPtrArray) signers = NULL;
  const unsigned char *p;
  TS_REQ *parsed;
  char oid[64];

  g_assert_no_error (error);
  ca = tirkeu_sandbox_ca_open (dir, &error);
  g_assert_no_error (error);
  p12 = tirkeu_gost_issuer_issue_key_file (tirkeu_sandbox_ca_get_issuer (ca), &subject, now, end,
                                           "Sandbox2026", &error);
  g_assert_no_error (error);
  key_file = tirkeu_key_file_new_from_bytes (p12, "Sandbox2026", &error);
  g_assert_no_error (error);
  cms = tirkeu_cms_sign_detached (tirkeu_key_file_get_certificate (key_file), content, now,
                                  key_file_sign_cb, key_file, &error);
  g_assert_no_error (error);
  value = tirkeu_cms_dup_signature_value (cms, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (value), ==, 128);

  /* a Streebog-512 imprint under NCA's OID */
  request = tirkeu_timestamp_request_new (value, TIRKEU_KEY_ALGORITHM_GOST_2015_512, NULL,
                                          &error);
  g_assert_no_error (error);
  p = g_bytes_get_data (request, NULL);
  parsed = d2i_TS_REQ (NULL, &p, g_bytes_get_size (request));
  OBJ_obj2txt (oid, sizeof oid, TS_MSG_IMPRINT_get_algo (TS_REQ_get_msg_imprint (parsed))->algorithm, 1);
  g_assert_cmpstr (oid, ==, "1.2.398.3.10.1.3.3");
  g_assert_cmpint (ASN1_STRING_length (TS_MSG_IMPRINT_get_msg (TS_REQ_get_msg_imprint (parsed))),
                   ==, 64);
  TS_REQ_free (parsed);

  reply = tirkeu_sandbox_ca_answer_tsa (ca, request, now, &error);
  g_assert_no_error (error);
  trusted = trust (tirkeu_sandbox_ca_get_certificate (ca));
  token = tirkeu_timestamp_reply_check (request, reply, trusted, NULL, &error);
  g_assert_no_error (error);
  stamped = tirkeu_cms_add_timestamp (cms, token, &error);
  g_assert_no_error (error);
  signers = tirkeu_cms_verify (stamped, content, trusted, now, &error);
  g_assert_no_error (error);
  g_assert_true (tirkeu_cms_signer_get_signature_valid (g_ptr_array_index (signers, 0)));

  /* the GOST token against another request (nonce), and against the RSA CA (trust) */
  sha_request = tirkeu_timestamp_request_new (value, TIRKEU_KEY_ALGORITHM_GOST_2015_512, NULL,
                                              &error);
  g_assert_no_error (error);
  assert_refused (sha_request, reply, tirkeu_sandbox_ca_get_certificate (ca),
                  TIRKEU_TOKEN_ERROR_TIMESTAMP_NONCE);
  assert_refused (request, reply, pki.ca, TIRKEU_TOKEN_ERROR_TIMESTAMP_UNTRUSTED);
  /* a SHA-256 stamp of the same GOST signature answers another request */
  {
    g_autoptr(GBytes) wrong = tirkeu_timestamp_request_new (value, TIRKEU_KEY_ALGORITHM_RSA, NULL,
                                                            &error);
    g_autoptr(GBytes) wrong_reply = tirkeu_sandbox_ca_answer_tsa (ca, wrong, now, &error);

    g_assert_no_error (error);
    assert_refused (request, wrong_reply, tirkeu_sandbox_ca_get_certificate (ca),
                    TIRKEU_TOKEN_ERROR_TIMESTAMP_NONCE);
  }
  {
    g_autoptr(GSubprocess) rm = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, NULL, "rm", "-rf",
                                                  dir, NULL);
    if (rm != NULL)
      g_subprocess_wait (rm, NULL, NULL);
  }
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  test_pki_init (&pki);

  g_test_add_func ("/timestamp/cades-t", test_cades_t);
  g_test_add_func ("/timestamp/wrong-nonce", test_wrong_nonce);
  g_test_add_func ("/timestamp/imprint-mismatch", test_imprint_mismatch);
  g_test_add_func ("/timestamp/untrusted", test_untrusted);
  g_test_add_func ("/timestamp/refused-and-malformed", test_refused_and_malformed);
  g_test_add_func ("/timestamp/add-to-other", test_add_to_other);
  g_test_add_func ("/timestamp/gost", test_gost);

  status = g_test_run ();
  test_pki_clear (&pki);
  return status;
}
