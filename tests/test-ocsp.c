/* SPDX-License-Identifier: GPL-3.0-or-later */
/* OCSP (tirkeu-ocsp.c) against answers OpenSSL makes in the test (OCSP_basic_sign), good
 * and spoiled: each spoiled one must be refused with its own error. */
#include "config.h"

#include <openssl/bn.h>
#include <openssl/ocsp.h>
#include <string.h>

#include "test-pki-util.h"
#include "tirkeu-gost-issuer.h"
#include "tirkeu-key-file.h"
#include "tirkeu-ocsp.h"
#include "tirkeu-sandbox-ca.h"
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

/* --- GOST: the sandbox's test NCA answers, GOST 2015-signed ---------------------------- */

static char *gost_dir;

static GBytes *
read_scratch (const char *name)
{
  g_autofree char *path = g_build_filename (gost_dir, name, NULL);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize len = 0;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (contents, len);
}

static void
write_scratch (const char *name,
               GBytes     *bytes)
{
  g_autofree char *path = g_build_filename (gost_dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error);
  g_assert_no_error (error);
}

/* In a process of its own that has used no GOST code yet: reading a GOST answer is the first
 * thing it does (the Kazakh OIDs are registered on first use). */
static void
gost_check_fresh (void)
{
  g_autoptr(GBytes) request = read_scratch ("request.der");
  g_autoptr(GBytes) good = read_scratch ("good.der");
  g_autoptr(GBytes) revoked = read_scratch ("revoked.der");
  g_autoptr(GBytes) issuer_der = read_scratch ("issuer.der");
  const unsigned char *p = g_bytes_get_data (issuer_der, NULL);
  X509 *issuer = d2i_X509 (NULL, &p, g_bytes_get_size (issuer_der));
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(TirkeuOcspResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gsize len = g_bytes_get_size (good);
  guint8 *bytes = g_memdup2 (g_bytes_get_data (good, NULL), len);
  g_autoptr(GBytes) tampered = NULL;
  g_autoptr(GBytes) other = NULL;

  result = tirkeu_ocsp_response_check (request, good, issuer, now, &error);
  g_assert_no_error (error);
  g_assert_cmpint (result->status, ==, TIRKEU_OCSP_STATUS_GOOD);
  g_clear_pointer (&result, tirkeu_ocsp_result_free);

  result = tirkeu_ocsp_response_check (request, revoked, issuer, now, &error);
  g_assert_no_error (error);
  g_assert_cmpint (result->status, ==, TIRKEU_OCSP_STATUS_REVOKED);
  g_assert_nonnull (result->revoked_at);
  g_clear_pointer (&result, tirkeu_ocsp_result_free);

  /* one bit of the GOST signature (r‖s, the answer's tbs is before it): find it from the
   * end, past the responder's certificate if any, by flipping each byte of the last 128 of
   * the BIT STRING the OpenSSL parse gives */
  {
    const unsigned char *q = bytes;
    OCSP_RESPONSE *response = d2i_OCSP_RESPONSE (NULL, &q, len);
    OCSP_BASICRESP *basic = OCSP_response_get1_basic (response);
    const ASN1_OCTET_STRING *signature = OCSP_resp_get0_signature (basic);
    const guint8 *found = g_bytes_get_data (good, NULL);
    gsize at;

    for (at = 0; at + ASN1_STRING_length (signature) <= len; at++)
      if (memcmp (found + at, ASN1_STRING_get0_data (signature),
                  ASN1_STRING_length (signature)) == 0)
        break;
    g_assert_cmpuint (at + ASN1_STRING_length (signature), <=, len);
    bytes[at + 5] ^= 0x01;
    OCSP_BASICRESP_free (basic);
    OCSP_RESPONSE_free (response);
  }
  tampered = g_bytes_new_take (bytes, len);
  result = tirkeu_ocsp_response_check (request, tampered, issuer, now, &error);
  g_assert_null (result);
  g_assert_error (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_BAD_SIGNATURE);
  g_clear_error (&error);

  /* a GOST answer to another question (another nonce) */
  other = read_scratch ("other-request.der");
  result = tirkeu_ocsp_response_check (other, good, issuer, now, &error);
  g_assert_null (result);
  g_assert_error (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_OCSP_NONCE);
  X509_free (issuer);
}

static void
test_gost (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TirkeuSandboxCa) ca = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) end = g_date_time_add_days (now, 30);
  const TirkeuGostSubject subject = { .surname = "БЕКОВ", .given_name = "АРМАН",
                                      .iin = "850304300128", .bin = "230540004989",
                                      .role = TIRKEU_CERTIFICATE_ROLE_FIRST_HEAD };
  g_autoptr(GBytes) p12 = NULL;
  g_autoptr(TirkeuKeyFile) key_file = NULL;
  g_autoptr(GBytes) request = NULL;
  g_autoptr(GBytes) other_request = NULL;
  g_autoptr(GBytes) good = NULL;
  g_autoptr(GBytes) revoked = NULL;
  g_autoptr(GBytes) issuer_der = NULL;
  X509 *certificate;
  X509 *issuer;
  char *serial;
  BIGNUM *number;

  if (g_test_subprocess ())
    {
      gost_check_fresh ();
      return;
    }

  gost_dir = g_dir_make_tmp ("tirkeu-ocsp-gost-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("TIRKEU_TEST_OCSP_GOST_DIR", gost_dir, TRUE);
  ca = tirkeu_sandbox_ca_open (gost_dir, &error);
  g_assert_no_error (error);
  p12 = tirkeu_gost_issuer_issue_key_file (tirkeu_sandbox_ca_get_issuer (ca), &subject, now, end,
                                           "Sandbox2026", &error);
  g_assert_no_error (error);
  key_file = tirkeu_key_file_new_from_bytes (p12, "Sandbox2026", &error);
  g_assert_no_error (error);
  certificate = tirkeu_key_file_get_certificate (key_file);
  issuer = tirkeu_sandbox_ca_get_certificate (ca);

  request = tirkeu_ocsp_request_new (certificate, issuer, TIRKEU_OCSP_HASH_SHA256, &error);
  g_assert_no_error (error);
  other_request = tirkeu_ocsp_request_new (certificate, issuer, TIRKEU_OCSP_HASH_SHA256, &error);
  g_assert_no_error (error);
  good = tirkeu_sandbox_ca_answer_ocsp (ca, request, now, &error);
  g_assert_no_error (error);
  number = ASN1_INTEGER_to_BN (X509_get0_serialNumber (certificate), NULL);
  serial = BN_bn2hex (number);
  g_assert_true (tirkeu_sandbox_ca_revoke (ca, serial, 1, g_date_time_to_unix (now) - 60, &error));
  g_assert_no_error (error);
  OPENSSL_free (serial);
  BN_free (number);
  revoked = tirkeu_sandbox_ca_answer_ocsp (ca, request, now, &error);
  g_assert_no_error (error);
  issuer_der = test_pki_der (issuer);

  write_scratch ("request.der", request);
  write_scratch ("other-request.der", other_request);
  write_scratch ("good.der", good);
  write_scratch ("revoked.der", revoked);
  write_scratch ("issuer.der", issuer_der);

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
  {
    g_autoptr(GSubprocess) rm = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, "rm", "-rf",
                                                  gost_dir, NULL);
    g_subprocess_wait (rm, NULL, NULL);
  }
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  /* the GOST case's child reads what its parent wrote here */
  gost_dir = g_strdup (g_getenv ("TIRKEU_TEST_OCSP_GOST_DIR"));
  if (!g_test_subprocess ())
    test_pki_init (&pki);

  g_test_add_func ("/ocsp/request", test_request);
  g_test_add_func ("/ocsp/statuses", test_statuses);
  g_test_add_func ("/ocsp/wrong-nonce", test_wrong_nonce);
  g_test_add_func ("/ocsp/wrong-cert-id", test_wrong_cert_id);
  g_test_add_func ("/ocsp/stale", test_stale);
  g_test_add_func ("/ocsp/not-responder", test_not_responder);
  g_test_add_func ("/ocsp/refused", test_refused);
  g_test_add_func ("/ocsp/tampered", test_tampered);
  g_test_add_func ("/ocsp/gost", test_gost);

  status = g_test_run ();
  if (!g_test_subprocess ())
    test_pki_clear (&pki);
  return status;
}
