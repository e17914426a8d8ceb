/* SPDX-License-Identifier: GPL-3.0-or-later */
/* OCSP (tirkeu-ocsp.c) against answers OpenSSL makes in the test (OCSP_basic_sign), good
 * and spoiled: each spoiled one must be refused with its own error. */
#include "config.h"

#include <openssl/ocsp.h>

#include "test-pki-util.h"
#include "tirkeu-ocsp.h"
#include "tirkeu-token-error.h"

static TestPki pki;

static const TestOcspAnswer good_answer = {
  .status = V_OCSP_CERTSTATUS_GOOD,
  .signer = TEST_OCSP_SIGNER_CA,
  .next_update_offset = 3600,
  .response_status = OCSP_RESPONSE_STATUS_SUCCESSFUL,
};

static GBytes *
new_request (TirkeuOcspHash hash)
{
  g_autoptr(GError) error = NULL;
  GBytes *request = tirkeu_ocsp_request_new (pki.certificate, pki.ca, hash, &error);

  g_assert_no_error (error);
  g_assert_nonnull (request);
  return request;
}

static TirkeuOcspResult *
check (GBytes  *request,
       GBytes  *response,
       GError **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  return tirkeu_ocsp_response_check (request, response, pki.ca, now, error);
}

static void
test_request (void)
{
  g_autoptr(GBytes) sha1 = new_request (TIRKEU_OCSP_HASH_SHA1);
  g_autoptr(GBytes) sha256 = new_request (TIRKEU_OCSP_HASH_SHA256);
  g_autoptr(GBytes) again = new_request (TIRKEU_OCSP_HASH_SHA1);
  const unsigned char *p = g_bytes_get_data (sha256, NULL);
  OCSP_REQUEST *request = d2i_OCSP_REQUEST (NULL, &p, g_bytes_get_size (sha256));
  OCSP_CERTID *id;
  ASN1_OBJECT *hash = NULL;
  ASN1_INTEGER *serial = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (request);
  g_assert_cmpint (OCSP_request_onereq_count (request), ==, 1);
  id = OCSP_onereq_get0_id (OCSP_request_onereq_get0 (request, 0));
  OCSP_id_get0_info (NULL, &hash, NULL, &serial, id);
  g_assert_cmpint (OBJ_obj2nid (hash), ==, NID_sha256);
  g_assert_cmpint (ASN1_INTEGER_get (serial), ==, 2);
  g_assert_cmpint (OCSP_REQUEST_get_ext_by_NID (request, NID_id_pkix_OCSP_Nonce, -1), >=, 0);
  OCSP_REQUEST_free (request);
  /* a fresh nonce each time */
  g_assert_false (g_bytes_equal (sha1, again));

  /* a certificate the "issuer" did not sign */
  g_assert_null (tirkeu_ocsp_request_new (pki.certificate, pki.other_ca, TIRKEU_OCSP_HASH_SHA1,
                                          &error));
  g_assert_error (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_ISSUER_UNKNOWN);
}

static void
test_statuses (void)
{
  for (TirkeuOcspHash hash = TIRKEU_OCSP_HASH_SHA1; hash <= TIRKEU_OCSP_HASH_SHA256; hash++)
    {
      g_autoptr(GBytes) request = new_request (hash);
      TestOcspAnswer how = good_answer;
      g_autoptr(GBytes) response = NULL;
      g_autoptr(TirkeuOcspResult) result = NULL;
      g_autoptr(GError) error = NULL;

      response = test_pki_ocsp_answer (&pki, request, &how);
      result = check (request, response, &error);
      g_assert_no_error (error);
      g_assert_cmpint (result->status, ==, TIRKEU_OCSP_STATUS_GOOD);
      g_assert_null (result->revoked_at);
      g_assert_nonnull (result->next_update);
      g_clear_pointer (&result, tirkeu_ocsp_result_free);
      g_clear_pointer (&response, g_bytes_unref);

      how.status = V_OCSP_CERTSTATUS_REVOKED;
      how.signer = TEST_OCSP_SIGNER_RESPONDER;
      response = test_pki_ocsp_answer (&pki, request, &how);
      result = check (request, response, &error);
      g_assert_no_error (error);
      g_assert_cmpint (result->status, ==, TIRKEU_OCSP_STATUS_REVOKED);
      g_assert_nonnull (result->revoked_at);
      g_assert_cmpint (result->revocation_reason, ==, OCSP_REVOKED_STATUS_KEYCOMPROMISE);
      g_clear_pointer (&result, tirkeu_ocsp_result_free);
      g_clear_pointer (&response, g_bytes_unref);

      how.status = V_OCSP_CERTSTATUS_UNKNOWN;
      how.next_update_offset = 0;
      response = test_pki_ocsp_answer (&pki, request, &how);
      result = check (request, response, &error);
      g_assert_no_error (error);
      g_assert_cmpint (result->status, ==, TIRKEU_OCSP_STATUS_UNKNOWN);
      g_assert_null (result->next_update);
    }
  g_assert_cmpstr (tirkeu_ocsp_status_to_string (TIRKEU_OCSP_STATUS_REVOKED), ==, "revoked");
}

static void
assert_refused (const TestOcspAnswer *how,
                TirkeuTokenError      code)
{
  g_autoptr(GBytes) request = new_request (TIRKEU_OCSP_HASH_SHA1);
  g_autoptr(GBytes) response = test_pki_ocsp_answer (&pki, request, how);
  g_autoptr(TirkeuOcspResult) result = NULL;
  g_autoptr(GError) error = NULL;

  result = check (request, response, &error);
  g_assert_null (result);
  g_assert_error (error, TIRKEU_TOKEN_ERROR, (gint) code);
  g_assert_nonnull (error->message);
}

static void
test_wrong_nonce (void)
{
  TestOcspAnswer how = good_answer;

  how.other_nonce = TRUE;
  assert_refused (&how, TIRKEU_TOKEN_ERROR_OCSP_NONCE);
  how.other_nonce = FALSE;
  how.no_nonce = TRUE;
  assert_refused (&how, TIRKEU_TOKEN_ERROR_OCSP_NONCE);
}

static void
test_wrong_cert_id (void)
{
  TestOcspAnswer how = good_answer;

  how.other_cert_id = TRUE;
  assert_refused (&how, TIRKEU_TOKEN_ERROR_OCSP_CERT_ID);
}

static void
test_stale (void)
{
  TestOcspAnswer how = good_answer;

  /* nextUpdate passed an hour ago */
  how.this_update_offset = -7200;
  how.next_update_offset = -3600;
  assert_refused (&how, TIRKEU_TOKEN_ERROR_OCSP_STALE);
  /* thisUpdate an hour ahead of our clock */
  how.this_update_offset = 3600;
  how.next_update_offset = 7200;
  assert_refused (&how, TIRKEU_TOKEN_ERROR_OCSP_STALE);
  /* within the allowed skew: taken */
  {
    g_autoptr(GBytes) request = new_request (TIRKEU_OCSP_HASH_SHA1);
    g_autoptr(GBytes) response = NULL;
    g_autoptr(TirkeuOcspResult) result = NULL;
    g_autoptr(GError) error = NULL;

    how.this_update_offset = 120;
    how.next_update_offset = 3600;
    response = test_pki_ocsp_answer (&pki, request, &how);
    result = check (request, response, &error);
    g_assert_no_error (error);
  }
}

static void
test_not_responder (void)
{
  TestOcspAnswer how = good_answer;

  how.signer = TEST_OCSP_SIGNER_IMPOSTOR;
  assert_refused (&how, TIRKEU_TOKEN_ERROR_OCSP_RESPONDER);
}

static void
test_refused (void)
{
  TestOcspAnswer how = good_answer;

  how.response_status = OCSP_RESPONSE_STATUS_TRYLATER;
  assert_refused (&how, TIRKEU_TOKEN_ERROR_OCSP_REFUSED);
}

static void
test_tampered (void)
{
  g_autoptr(GBytes) request = new_request (TIRKEU_OCSP_HASH_SHA1);
  g_autoptr(GBytes) response = test_pki_ocsp_answer (&pki, request, &good_answer);
  gsize len = g_bytes_get_size (response);
  guint8 *bytes = g_memdup2 (g_bytes_get_data (response, NULL), len);
  g_autoptr(GBytes) tampered = NULL;
  g_autoptr(GBytes) truncated = NULL;
  g_autoptr(GBytes) huge = NULL;
  g_autoptr(TirkeuOcspResult) result = NULL;
  g_autoptr(GError) error = NULL;

  /* The CA's answer ends with its signature: one bit of it */
  bytes[len - 1] ^= 0x01;
  tampered = g_bytes_new_take (bytes, len);
  result = check (request, tampered, &error);
  g_assert_null (result);
  g_assert_error (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_BAD_SIGNATURE);
  g_clear_error (&error);

  /* the answer checked against another request (its nonce) and the same CA: refused */
  {
    g_autoptr(GBytes) other = new_request (TIRKEU_OCSP_HASH_SHA1);

    result = check (other, response, &error);
    g_assert_null (result);
    g_assert_error (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_OCSP_NONCE);
    g_clear_error (&error);
  }

  truncated = g_bytes_new_from_bytes (response, 0, len / 2);
  result = check (request, truncated, &error);
  g_assert_error (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_OCSP_MALFORMED);
  g_clear_error (&error);

  huge = g_bytes_new_take (g_malloc0 (TIRKEU_OCSP_MAX_RESPONSE_SIZE + 1),
                           TIRKEU_OCSP_MAX_RESPONSE_SIZE + 1);
  result = check (request, huge, &error);
  g_assert_error (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_OCSP_MALFORMED);
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  test_pki_init (&pki);

  g_test_add_func ("/ocsp/request", test_request);
  g_test_add_func ("/ocsp/statuses", test_statuses);
  g_test_add_func ("/ocsp/wrong-nonce", test_wrong_nonce);
  g_test_add_func ("/ocsp/wrong-cert-id", test_wrong_cert_id);
  g_test_add_func ("/ocsp/stale", test_stale);
  g_test_add_func ("/ocsp/not-responder", test_not_responder);
  g_test_add_func ("/ocsp/refused", test_refused);
  g_test_add_func ("/ocsp/tampered", test_tampered);

  status = g_test_run ();
  test_pki_clear (&pki);
  return status;
}
