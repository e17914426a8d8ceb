/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <dlfcn.h>
#include <glib/gstdio.h>
#include <gmp.h>
#include <nettle/ecc-curve.h>
#include <nettle/ecc.h>
#include <nettle/gostdsa.h>
#include <p11-kit/pkcs11.h>
#include <string.h>

#include "tirkeu-cms.h"
#include "tirkeu-pkcs11-gost.h"
#include "tirkeu-token-manager.h"
#include "test-token-gost.h"

/* GOST 2015-512 keys through TirkeuTokenManager: on a PKCS#11 token (the project's own test
 * module, tests/gost-pkcs11-module.c, standing in for a vendor token) and in NCA key files.
 * Every signature is checked with tirkeu_cms_verify() against the test CA; the token's
 * signature layout is also checked with Nettle directly, outside our conversion. */

#define SELLER_BIN "940140000385"
#define PIN "87651234"
#define PASSWORD "Qwerty123"
#define NCA_PASSWORD "Aa123456"

static char *dir;
static char *module_path;
static char *token_log;
static GostIdentity *ca;
static GostIdentity *seller;
static GostIdentity *other_seller;

/* --- helpers ----------------------------------------------------------------------------- */

static GAsyncResult *
wait_for_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static void
store_result_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static TirkeuTokenManager *
manager_new_loaded (void)
{
  TirkeuTokenManager *manager = tirkeu_token_manager_new (module_path);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  tirkeu_token_manager_set_poll_interval (manager, 0);
  tirkeu_token_manager_load_async (manager, NULL, store_result_cb, &result);
  g_assert_true (tirkeu_token_manager_load_finish (manager, wait_for_result (&result), &error));
  g_assert_no_error (error);
  return manager;
}

static GPtrArray *
list_tokens (TirkeuTokenManager  *manager,
             GError             **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  tirkeu_token_manager_list_tokens_async (manager, NULL, store_result_cb, &result);
  return tirkeu_token_manager_list_tokens_finish (manager, wait_for_result (&result), error);
}

static GPtrArray *
list_certificates (TirkeuTokenManager *manager,
                   const char         *serial)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *certificates;

  tirkeu_token_manager_list_certificates_async (manager, serial, NULL, store_result_cb, &result);
  certificates = tirkeu_token_manager_list_certificates_finish (manager, wait_for_result (&result),
                                                                &error);
  g_assert_no_error (error);
  return certificates;
}

static GBytes *
sign (TirkeuTokenManager  *manager,
      const char          *serial,
      const char          *id,
      TirkeuSignPurpose    purpose,
      const char          *pin,
      GBytes              *content,
      GError             **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  tirkeu_token_manager_sign_async (manager, serial, id, purpose,
                                   purpose == TIRKEU_SIGN_PURPOSE_REQUEST ? SELLER_BIN : NULL,
                                   pin, content, NULL, store_result_cb, &result);
  return tirkeu_token_manager_sign_finish (manager, wait_for_result (&result), error);
}

static TirkeuTokenInfo *
add_key_file (TirkeuTokenManager  *manager,
              const char          *path,
              const char          *password,
              GError             **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GAsyncResult) result = NULL;

  tirkeu_token_manager_add_key_file_async (manager, file, password, NULL, store_result_cb,
                                           &result);
  return tirkeu_token_manager_add_key_file_finish (manager, wait_for_result (&result), error);
}

/* tirkeu_cms_verify() against the test CA: one signer, valid, trusted, the seller. */
static void
assert_verifies (GBytes       *signature,
                 GBytes       *content,
                 GostIdentity *signer)
{
  g_autoptr(GPtrArray) trusted = g_ptr_array_new ();
  g_autoptr(GPtrArray) signers = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) tampered = NULL;
  TirkeuCmsSigner *cms_signer;
  g_autofree guint8 *copy = NULL;

  g_ptr_array_add (trusted, ca->certificate);
  signers = tirkeu_cms_verify (signature, content, trusted, now, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (signers->len, ==, 1);
  cms_signer = g_ptr_array_index (signers, 0);
  g_assert_true (tirkeu_cms_signer_get_signature_valid (cms_signer));
  g_assert_cmpint (tirkeu_cms_signer_get_certificate_status (cms_signer), ==,
                   TIRKEU_CMS_CERTIFICATE_TRUSTED);
  g_assert_cmpint (tirkeu_cms_signer_get_algorithm (cms_signer), ==,
                   TIRKEU_KEY_ALGORITHM_GOST_2015_512);
  {
    unsigned char *der = NULL;
    int len = i2d_X509 (signer->certificate, &der);
    g_autoptr(GBytes) expected = g_bytes_new (der, len);

    OPENSSL_free (der);
    g_assert_true (g_bytes_equal (tirkeu_certificate_get_der (
                                    tirkeu_cms_signer_get_certificate (cms_signer)), expected));
  }
  g_clear_pointer (&signers, g_ptr_array_unref);

  /* one byte of the content changed: no longer valid */
  copy = g_memdup2 (g_bytes_get_data (content, NULL), g_bytes_get_size (content));
  copy[0] ^= 0x01;
  tampered = g_bytes_new (copy, g_bytes_get_size (content));
  signers = tirkeu_cms_verify (signature, tampered, trusted, now, &error);
  g_assert_true (signers == NULL
                 || !tirkeu_cms_signer_get_signature_valid (g_ptr_array_index (signers, 0)));
  g_clear_error (&error);
}

static guint
count_in_log (const char *line)
{
  g_autofree char *text = NULL;
  guint count = 0;

  if (!g_file_get_contents (token_log, &text, NULL, NULL))
    return 0;
  for (const char *at = text; (at = strstr (at, line)) != NULL; at += strlen (line))
    count++;
  return count;
}

/* --- the token's signature layout --------------------------------------------------------- */

static void
mpz_from_be (mpz_t         z,
             const guint8 *bytes,
             gsize         len)
{
  mpz_import (z, len, 1, 1, 0, 0, bytes);
}

/* Nettle's gostdsa, given s‖r big-endian exactly as PKCS#11 defines it: a check that does
 * not go through tirkeu_pkcs11_gost_signature_to_nca(). */
static gboolean
nettle_verifies_pkcs11_layout (const guint8 public_key_le[128],
                               const guint8 digest[64],
                               const guint8 signature[128])
{
  const struct ecc_curve *curve = nettle_get_gost_gc512a ();
  struct ecc_point point;
  struct dsa_signature rs;
  mpz_t x, y;
  gboolean ok;

  mpz_inits (x, y, NULL);
  mpz_import (x, 64, -1, 1, 0, 0, public_key_le);
  mpz_import (y, 64, -1, 1, 0, 0, public_key_le + 64);
  ecc_point_init (&point, curve);
  g_assert_true (ecc_point_set (&point, x, y));
  dsa_signature_init (&rs);
  mpz_from_be (rs.s, signature, 64);
  mpz_from_be (rs.r, signature + 64, 64);
  ok = gostdsa_verify (&point, 64, digest, &rs);
  dsa_signature_clear (&rs);
  ecc_point_clear (&point);
  mpz_clears (x, y, NULL);
  return ok;
}

static void
test_signature_layout (void)
{
  void *module = dlopen (module_path, RTLD_NOW | RTLD_LOCAL);
  CK_C_GetFunctionList get_function_list;
  CK_FUNCTION_LIST_PTR f = NULL;
  CK_SESSION_HANDLE session;
  CK_OBJECT_CLASS klass = CKO_PRIVATE_KEY;
  CK_ATTRIBUTE template[] = { { CKA_CLASS, &klass, sizeof klass } };
  CK_OBJECT_HANDLE key;
  CK_ULONG n = 0;
  CK_MECHANISM mechanism = { TIRKEU_CKM_GOSTR3410_512, NULL, 0 };
  guint8 digest[64], token_signature[128], nca[128], public_key[128];
  CK_ULONG signature_len = sizeof token_signature;
  X509_PUBKEY *spki;

  gost_write_token_config (seller, dir, PIN, NULL);
  g_assert_nonnull (module);
  get_function_list = (CK_C_GetFunctionList) dlsym (module, "C_GetFunctionList");
  g_assert_cmpint (get_function_list (&f), ==, CKR_OK);
  g_assert_cmpint (f->C_Initialize (NULL), ==, CKR_OK);
  g_assert_cmpint (f->C_OpenSession (1, CKF_SERIAL_SESSION, NULL, NULL, &session), ==, CKR_OK);
  g_assert_cmpint (f->C_Login (session, CKU_USER, (CK_UTF8CHAR_PTR) PIN, strlen (PIN)), ==,
                   CKR_OK);
  g_assert_cmpint (f->C_FindObjectsInit (session, template, 1), ==, CKR_OK);
  g_assert_cmpint (f->C_FindObjects (session, &key, 1, &n), ==, CKR_OK);
  g_assert_cmpint (n, ==, 1);
  f->C_FindObjectsFinal (session);

  tirkeu_gost_streebog512 ("to be signed", 12, digest);
  g_assert_cmpint (f->C_SignInit (session, &mechanism, key), ==, CKR_OK);
  g_assert_cmpint (f->C_Sign (session, digest, sizeof digest, token_signature, &signature_len),
                   ==, CKR_OK);
  g_assert_cmpuint (signature_len, ==, 128);
  f->C_CloseSession (session);
  f->C_Finalize (NULL);
  dlclose (module);

  spki = X509_get_X509_PUBKEY (seller->certificate);
  g_assert_true (tirkeu_gost_public_key_from_spki (spki, public_key, NULL));

  /* the token speaks PKCS#11's layout ... */
  g_assert_true (nettle_verifies_pkcs11_layout (public_key, digest, token_signature));
  g_assert_false (tirkeu_gost_verify_digest (public_key, digest, token_signature));
  /* ... which the one conversion turns into NCA's */
  tirkeu_pkcs11_gost_signature_to_nca (token_signature, nca);
  g_assert_true (tirkeu_gost_verify_digest (public_key, digest, nca));
  g_assert_false (nettle_verifies_pkcs11_layout (public_key, digest, nca));
}

/* --- a GOST key on a token ------------------------------------------------------------- */

static void
test_token_list (void)
{
  TirkeuTokenManager *manager;
  g_autoptr(GPtrArray) tokens = NULL;
  g_autoptr(GPtrArray) certificates = NULL;
  g_autoptr(GError) error = NULL;
  TirkeuTokenInfo *token;
  TirkeuCertificate *certificate;

  gost_write_token_config (seller, dir, PIN, NULL);
  manager = manager_new_loaded ();
  tokens = list_tokens (manager, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (tokens->len, ==, 1);
  token = g_ptr_array_index (tokens, 0);
  g_assert_cmpstr (tirkeu_token_info_get_label (token), ==, "gost-token");
  g_assert_cmpint (tirkeu_token_info_get_kind (token), ==, TIRKEU_TOKEN_KIND_PKCS11);

  certificates = list_certificates (manager, tirkeu_token_info_get_serial (token));
  g_assert_cmpuint (certificates->len, ==, 1);
  certificate = g_ptr_array_index (certificates, 0);
  g_assert_cmpstr (tirkeu_certificate_get_id (certificate), ==, "0b");
  g_assert_cmpint (tirkeu_certificate_get_key_algorithm (certificate), ==,
                   TIRKEU_KEY_ALGORITHM_GOST_2015_512);
  g_assert_true (tirkeu_certificate_is_one_key (certificate));
  /* libp11 0.4.12 does not see the GOST key: the raw calls do */
  g_assert_true (tirkeu_certificate_has_private_key (certificate));

  g_clear_pointer (&tokens, g_ptr_array_unref);
  g_clear_pointer (&certificates, g_ptr_array_unref);
  g_assert_finalize_object (manager);
}

static void
sign_on_token (const char        *extra_config,
               TirkeuSignPurpose  purpose)
{
  TirkeuTokenManager *manager;
  g_autoptr(GBytes) content = g_bytes_new_static ("{\"vin\":\"XTA210990Y2766389\"}", 27);
  g_autoptr(GBytes) signature = NULL;
  g_autoptr(GError) error = NULL;

  gost_write_token_config (seller, dir, PIN, extra_config);
  manager = manager_new_loaded ();
  signature = sign (manager, "GOST2015TEST", "0b", purpose, PIN, content, &error);
  g_assert_no_error (error);
  assert_verifies (signature, content, seller);
  g_assert_finalize_object (manager);
}

static void
test_token_sign (void)
{
  sign_on_token (NULL, TIRKEU_SIGN_PURPOSE_REQUEST);
  /* one key for everything: the same key signs in */
  sign_on_token (NULL, TIRKEU_SIGN_PURPOSE_SIGN_IN);
}

/* The token hashes itself when it cannot sign a digest. */
static void
test_token_sign_with_hash (void)
{
  sign_on_token ("digest-mechanism=no\n", TIRKEU_SIGN_PURPOSE_REQUEST);
}

static void
test_token_always_authenticate (void)
{
  TirkeuTokenManager *manager;
  g_autoptr(GBytes) content = g_bytes_new_static ("request", 7);
  g_autoptr(GBytes) signature = NULL;
  g_autoptr(GError) error = NULL;

  g_unlink (token_log);
  sign_on_token ("always-authenticate=yes\n", TIRKEU_SIGN_PURPOSE_REQUEST);
  /* the key needed its context-specific login, and got the caller's PIN */
  g_assert_cmpuint (count_in_log ("context-login 0x0\n"), ==, 1);

  /* a context login that fails is reported as the wrong PIN it is, not a vague failure */
  gost_write_token_config (seller, dir, PIN, "always-authenticate=yes\ncontext-pin=99999999\n");
  manager = manager_new_loaded ();
  signature = sign (manager, "GOST2015TEST", "0b", TIRKEU_SIGN_PURPOSE_REQUEST, PIN, content,
                    &error);
  g_assert_null (signature);
  g_assert_error (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_PIN_INCORRECT);
  g_assert_cmpuint (count_in_log ("context-login 0xa0\n"), ==, 1);
  g_assert_finalize_object (manager);
}

static void
test_token_wrong_pin (void)
{
  TirkeuTokenManager *manager;
  g_autoptr(GBytes) content = g_bytes_new_static ("request", 7);
  g_autoptr(GBytes) signature = NULL;
  g_autoptr(GError) error = NULL;

  gost_write_token_config (seller, dir, PIN, NULL);
  manager = manager_new_loaded ();
  signature = sign (manager, "GOST2015TEST", "0b", TIRKEU_SIGN_PURPOSE_REQUEST, "11112222",
                    content, &error);
  g_assert_null (signature);
  g_assert_true (tirkeu_token_error_is_wrong_pin (error));
  g_assert_finalize_object (manager);
}

/* --- NCA key files ------------------------------------------------------------------------ */

static char *
write_key_file (GostIdentity *identity,
                const char   *name)
{
  char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GBytes) p12 = gost_identity_key_file (identity, PASSWORD);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, g_bytes_get_data (p12, NULL), g_bytes_get_size (p12), &error);
  g_assert_no_error (error);
  return path;
}

static void
test_key_file_sign (void)
{
  /* No module: a key file needs none. */
  TirkeuTokenManager *manager = tirkeu_token_manager_new ("/nonexistent/module.so");
  g_autofree char *path = write_key_file (seller, "GOST512_seller.p12");
  g_autoptr(TirkeuTokenInfo) token = NULL;
  g_autoptr(GPtrArray) tokens = NULL;
  g_autoptr(GPtrArray) certificates = NULL;
  g_autoptr(GBytes) content = g_bytes_new_static ("{\"vin\":\"XTA210990Y2766389\"}", 27);
  g_autoptr(GBytes) signature = NULL;
  g_autoptr(GError) error = NULL;
  TirkeuCertificate *certificate;
  const char *serial;

  tirkeu_token_manager_set_poll_interval (manager, 0);
  token = add_key_file (manager, path, PASSWORD, &error);
  g_assert_no_error (error);
  g_assert_cmpint (tirkeu_token_info_get_kind (token), ==, TIRKEU_TOKEN_KIND_KEY_FILE);
  g_assert_cmpstr (tirkeu_token_info_get_label (token), ==, "GOST512_seller.p12");
  serial = tirkeu_token_info_get_serial (token);

  tokens = list_tokens (manager, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (tokens->len, ==, 1);
  g_assert_cmpstr (tirkeu_token_info_get_serial (g_ptr_array_index (tokens, 0)), ==, serial);

  certificates = list_certificates (manager, serial);
  g_assert_cmpuint (certificates->len, ==, 1);
  certificate = g_ptr_array_index (certificates, 0);
  g_assert_true (tirkeu_certificate_has_private_key (certificate));
  g_assert_true (tirkeu_certificate_is_one_key (certificate));
  g_assert_cmpstr (tirkeu_certificate_get_bin (certificate), ==, SELLER_BIN);

  signature = sign (manager, serial, tirkeu_certificate_get_id (certificate),
                    TIRKEU_SIGN_PURPOSE_REQUEST, PASSWORD, content, &error);
  g_assert_no_error (error);
  assert_verifies (signature, content, seller);
  g_clear_pointer (&signature, g_bytes_unref);

  /* the password is asked again for each signature, and a wrong one is said as such */
  signature = sign (manager, serial, tirkeu_certificate_get_id (certificate),
                    TIRKEU_SIGN_PURPOSE_REQUEST, "Wrong1234", content, &error);
  g_assert_null (signature);
  g_assert_error (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_KEY_FILE_PASSWORD);
  g_assert_true (tirkeu_token_error_is_wrong_pin (error));
  g_clear_error (&error);

  g_clear_pointer (&tokens, g_ptr_array_unref);
  g_clear_pointer (&certificates, g_ptr_array_unref);
  g_clear_object (&token);
  g_assert_finalize_object (manager);
}

static void
test_key_file_refusals (void)
{
  TirkeuTokenManager *manager = tirkeu_token_manager_new (module_path);
  g_autofree char *other = write_key_file (other_seller, "GOST512_other.p12");
  g_autofree char *nca = g_build_filename (g_getenv ("TIRKEU_SOURCE_ROOT"), "tests", "fixtures",
                                           "nca-test-pki", "individual-gost2015.p12", NULL);
  g_autoptr(TirkeuTokenInfo) token = NULL;
  g_autoptr(GPtrArray) certificates = NULL;
  g_autoptr(GBytes) content = g_bytes_new_static ("request", 7);
  g_autoptr(GBytes) signature = NULL;
  g_autoptr(GError) error = NULL;

  tirkeu_token_manager_set_poll_interval (manager, 0);

  /* another seller's BIN: refused before the password is tried (a wrong one is given) */
  token = add_key_file (manager, other, PASSWORD, &error);
  g_assert_no_error (error);
  certificates = list_certificates (manager, tirkeu_token_info_get_serial (token));
  signature = sign (manager, tirkeu_token_info_get_serial (token),
                    tirkeu_certificate_get_id (g_ptr_array_index (certificates, 0)),
                    TIRKEU_SIGN_PURPOSE_REQUEST, "Wrong1234", content, &error);
  g_assert_null (signature);
  g_assert_error (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_NOT_SELLER_BIN);
  g_clear_error (&error);
  g_clear_object (&token);
  g_clear_pointer (&certificates, g_ptr_array_unref);

  /* NCA's own test key file: an individual's one key, expired in 2023 */
  token = add_key_file (manager, nca, NCA_PASSWORD, &error);
  g_assert_no_error (error);
  certificates = list_certificates (manager, tirkeu_token_info_get_serial (token));
  g_assert_cmpint (tirkeu_certificate_get_key_algorithm (g_ptr_array_index (certificates, 0)),
                   ==, TIRKEU_KEY_ALGORITHM_GOST_2015_512);
  g_assert_true (tirkeu_certificate_is_one_key (g_ptr_array_index (certificates, 0)));
  signature = sign (manager, tirkeu_token_info_get_serial (token),
                    tirkeu_certificate_get_id (g_ptr_array_index (certificates, 0)),
                    TIRKEU_SIGN_PURPOSE_SIGN_IN, NCA_PASSWORD, content, &error);
  g_assert_null (signature);
  g_assert_error (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_EXPIRED);
  g_clear_error (&error);
  g_clear_object (&token);

  /* a wrong password when opening */
  token = add_key_file (manager, nca, "Wrong1234", &error);
  g_assert_null (token);
  g_assert_error (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_KEY_FILE_PASSWORD);
  g_clear_error (&error);

  /* a file that is not there */
  token = add_key_file (manager, "/nonexistent/GOST512_x.p12", PASSWORD, &error);
  g_assert_null (token);
  g_assert_error (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_NO_TOKEN);
  g_clear_error (&error);

  g_clear_pointer (&certificates, g_ptr_array_unref);
  g_assert_finalize_object (manager);
}

/* A GOST 34.310-2004 key file is recognised and reported as an old set to re-issue. */
static void
test_key_file_old_gost (void)
{
  static const guint8 scalar[34] = { 0x04, 0x20, 1, 2, 3, 4, 5, 6, 7, 8, 9 };
  TirkeuTokenManager *manager = tirkeu_token_manager_new (module_path);
  PKCS8_PRIV_KEY_INFO *key = PKCS8_PRIV_KEY_INFO_new ();
  g_autofree char *path = g_build_filename (dir, "GOSTKNCA_old.p12", NULL);
  g_autoptr(GBytes) p12 = NULL;
  g_autoptr(TirkeuTokenInfo) token = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (PKCS8_pkey_set0 (key, OBJ_txt2obj ("1.2.398.3.10.1.1.1.1", 1), 0, V_ASN1_UNDEF,
                                  NULL, OPENSSL_memdup (scalar, sizeof scalar), sizeof scalar));
  p12 = tirkeu_key_file_write_pkcs12 (key, seller->certificate, NULL, PASSWORD, &error);
  g_assert_no_error (error);
  g_file_set_contents (path, g_bytes_get_data (p12, NULL), g_bytes_get_size (p12), &error);
  g_assert_no_error (error);

  token = add_key_file (manager, path, PASSWORD, &error);
  g_assert_null (token);
  g_assert_error (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_KEY_FILE_OLD_GOST);

  PKCS8_PRIV_KEY_INFO_free (key);
  g_assert_finalize_object (manager);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  dir = g_dir_make_tmp ("tirkeu-gost-XXXXXX", &error);
  g_assert_no_error (error);
  module_path = g_build_filename (g_getenv ("TIRKEU_BUILD_ROOT"), "tests",
                                  "tirkeu-test-gost-pkcs11.so", NULL);
  /* Before any thread: the module reads its environment. */
  token_log = g_build_filename (dir, "gost-token.log", NULL);
  g_setenv ("TIRKEU_GOST_TOKEN_LOG", token_log, TRUE);

  ca = gost_identity_new (NULL, "/C=KZ/CN=ҰЛТТЫҚ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ (GOST) TIRKEU TEST", NULL,
                          -10, 3650);
  seller = gost_identity_new (ca, "/CN=ИВАНОВ ИВАН/SN=ИВАНОВ/serialNumber=IIN850304300128/C=KZ"
                                  "/O=ТОО ТИРКЕУ АВТО ТЕСТ/OU=BIN" SELLER_BIN "/GN=ИВАНОВИЧ",
                              "emailProtection,1.2.398.3.3.4.1.2,1.2.398.3.3.4.1.2.1", -1, 365);
  other_seller = gost_identity_new (ca, "/CN=СЕРІКОВ АЙДОС/SN=СЕРІКОВ/serialNumber=IIN881122400679"
                                        "/C=KZ/O=ТОО ДРУГОЙ ДИЛЕР/OU=BIN990140004654",
                                    "emailProtection,1.2.398.3.3.4.1.2,1.2.398.3.3.4.1.2.1",
                                    -1, 365);
  g_assert_true (tirkeu_gost_verify_certificate (seller->certificate, ca->certificate, NULL));

  g_test_add_func ("/token/gost/signature-layout", test_signature_layout);
  g_test_add_func ("/token/gost/token/list", test_token_list);
  g_test_add_func ("/token/gost/token/sign", test_token_sign);
  g_test_add_func ("/token/gost/token/sign-with-hash", test_token_sign_with_hash);
  g_test_add_func ("/token/gost/token/always-authenticate", test_token_always_authenticate);
  g_test_add_func ("/token/gost/token/wrong-pin", test_token_wrong_pin);
  g_test_add_func ("/token/gost/key-file/sign", test_key_file_sign);
  g_test_add_func ("/token/gost/key-file/refusals", test_key_file_refusals);
  g_test_add_func ("/token/gost/key-file/old-gost", test_key_file_old_gost);

  status = g_test_run ();

  gost_identity_free (ca);
  gost_identity_free (seller);
  gost_identity_free (other_seller);
  {
    g_autoptr(GSubprocess) rm = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, NULL, "rm", "-rf",
                                                  dir, NULL);
    g_subprocess_wait (rm, NULL, NULL);
  }
  g_free (dir);
  g_free (module_path);
  g_free (token_log);
  return status;
}
