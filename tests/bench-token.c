/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What token work costs on SoftHSM: prints figures, asserts nothing (speed is never a unit
 * test). Makes its own token with tests/fixtures/make-token.sh.
 *
 *   TIRKEU_SOURCE_ROOT=. _build-token/tests/bench-token [N]
 *
 * Each signature is a whole request signature through TirkeuTokenManager: enumerate the
 * slots, check the certificate, C_Login, CAdES-BES CMS, C_Logout, release the slots. GOST
 * 2015-512 figures stand next to RSA's: the bare operations (Nettle), whole signatures with
 * an NCA key file (the file read again with its password each time) and on the project's
 * GOST test token, and tirkeu_cms_verify() of each kind of signature.
 */
#include "config.h"

#include <libp11.h>
#include <openssl/pem.h>

#include "tirkeu-cms.h"
#include "tirkeu-token-manager.h"
#include "test-token-fixture.h"
#include "test-token-gost.h"

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

static double
now_ms (void)
{
  return g_get_monotonic_time () / 1000.0;
}

static void
bench_module (const char *module)
{
  PKCS11_CTX *ctx = PKCS11_CTX_new ();
  PKCS11_SLOT *slots;
  unsigned int n_slots;
  const int rounds = 50;
  double start, enumerate, reload;

  if (PKCS11_CTX_load (ctx, module) != 0)
    {
      g_print ("%s: cannot load\n", module);
      PKCS11_CTX_free (ctx);
      return;
    }

  start = now_ms ();
  for (int i = 0; i < rounds; i++)
    {
      PKCS11_enumerate_slots (ctx, &slots, &n_slots);
      PKCS11_release_all_slots (ctx, slots, n_slots);
    }
  enumerate = (now_ms () - start) / rounds;

  start = now_ms ();
  for (int i = 0; i < rounds; i++)
    {
      PKCS11_CTX_unload (ctx);
      PKCS11_CTX_load (ctx, module);
      PKCS11_enumerate_slots (ctx, &slots, &n_slots);
      PKCS11_release_all_slots (ctx, slots, n_slots);
    }
  reload = (now_ms () - start) / rounds;

  g_print ("%-45s enumerate %.3f ms, reload + enumerate %.3f ms\n", module, enumerate, reload);
  PKCS11_CTX_unload (ctx);
  PKCS11_CTX_free (ctx);
}

/* The bare private-key operation, logged in once: what the token itself costs. */
static void
bench_raw (TokenFixture *fixture,
           const char   *name,
           int           rounds)
{
  g_autofree char *id = g_key_file_get_string (fixture->ini, name, "id", NULL);
  PKCS11_CTX *ctx = PKCS11_CTX_new ();
  PKCS11_SLOT *slots, *slot;
  PKCS11_KEY *keys;
  unsigned int n_slots, n_keys;
  EVP_PKEY *key = NULL;
  unsigned char signature[512];
  double start;

  if (PKCS11_CTX_load (ctx, fixture->module) != 0
      || PKCS11_enumerate_slots (ctx, &slots, &n_slots) != 0
      || (slot = PKCS11_find_token (ctx, slots, n_slots)) == NULL
      || PKCS11_login (slot, 0, fixture->pin) != 0
      || PKCS11_enumerate_keys (slot->token, &keys, &n_keys) != 0)
    g_error ("%s: cannot log in", name);

  for (unsigned int i = 0; i < n_keys && key == NULL; i++)
    {
      g_autofree char *hex = g_strdup_printf ("%02x", keys[i].id_len > 0 ? keys[i].id[0] : 0);

      if (keys[i].id_len == 1 && g_str_equal (hex, id))
        key = PKCS11_get_private_key (&keys[i]);
    }
  if (key == NULL)
    g_error ("%s: no key", name);

  start = now_ms ();
  for (int i = 0; i < rounds; i++)
    {
      EVP_MD_CTX *md = EVP_MD_CTX_new ();
      size_t length = sizeof signature;

      if (EVP_DigestSignInit (md, NULL, EVP_sha256 (), NULL, key) != 1
          || EVP_DigestSign (md, signature, &length, (const unsigned char *) "request", 7) != 1)
        g_error ("%s: signing failed", name);
      EVP_MD_CTX_free (md);
    }
  g_print ("%-10s %d raw signatures (one login), %.3f ms each\n", name, rounds,
           (now_ms () - start) / rounds);

  EVP_PKEY_free (key);
  PKCS11_logout (slot);
  PKCS11_release_all_slots (ctx, slots, n_slots);
  PKCS11_CTX_unload (ctx);
  PKCS11_CTX_free (ctx);
}

/* Returns the last signature, for the verification figures. */
static GBytes *
bench_sign_id (TirkeuTokenManager *manager,
               const char         *serial,
               const char         *id,
               const char         *seller_bin,
               const char         *pin,
               const char         *name,
               const char         *what,
               int                 rounds)
{
  g_autoptr(GBytes) content = g_bytes_new_static ("a registration request", 22);
  GBytes *last = NULL;
  double start = now_ms ();

  for (int i = 0; i < rounds; i++)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GError) error = NULL;

      g_clear_pointer (&last, g_bytes_unref);
      tirkeu_token_manager_sign_async (manager, serial, id, TIRKEU_SIGN_PURPOSE_REQUEST,
                                       seller_bin, pin, content, NULL, store_result_cb, &result);
      last = tirkeu_token_manager_sign_finish (manager, wait_for_result (&result), &error);
      if (last == NULL)
        g_error ("%s: %s", name, error->message);
    }

  g_print ("%-10s %d signatures, %.2f ms each (%s)\n", name, rounds,
           (now_ms () - start) / rounds, what);
  return last;
}

static GBytes *
bench_sign (TirkeuTokenManager *manager,
            TokenFixture       *fixture,
            const char         *serial,
            const char         *name,
            int                 rounds)
{
  g_autofree char *id = g_key_file_get_string (fixture->ini, name, "id", NULL);

  return bench_sign_id (manager, serial, id, fixture->seller_bin, fixture->pin, name,
                        "login + CMS + logout", rounds);
}

static void
bench_verify (const char *name,
              GBytes     *signature,
              X509       *trusted,
              int         rounds)
{
  g_autoptr(GBytes) content = g_bytes_new_static ("a registration request", 22);
  g_autoptr(GPtrArray) trust = g_ptr_array_new ();
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  double start;

  g_ptr_array_add (trust, trusted);
  start = now_ms ();
  for (int i = 0; i < rounds; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) signers = tirkeu_cms_verify (signature, content, trust, now, &error);

      if (signers == NULL
          || !tirkeu_cms_signer_get_signature_valid (g_ptr_array_index (signers, 0))
          || tirkeu_cms_signer_get_certificate_status (g_ptr_array_index (signers, 0))
             != TIRKEU_CMS_CERTIFICATE_TRUSTED)
        g_error ("%s: the signature does not verify", name);
    }
  g_print ("%-10s %d CMS verifications (signature + chain), %.3f ms each\n", name, rounds,
           (now_ms () - start) / rounds);
}

/* The bare GOST 2015-512 operations (Nettle), as bench_raw() measures RSA's and EC's. */
static void
bench_gost_raw (GostIdentity *identity,
                int           rounds)
{
  guint8 digest[TIRKEU_GOST_DIGEST_SIZE], signature[TIRKEU_GOST_SIGNATURE_SIZE];
  guint8 public_key[TIRKEU_GOST_PUBLIC_KEY_SIZE];
  double start;

  tirkeu_gost_streebog512 ("request", 7, digest);
  tirkeu_gost_public_key_from_private (identity->key, public_key, NULL);

  start = now_ms ();
  for (int i = 0; i < rounds; i++)
    if (!tirkeu_gost_sign_digest (identity->key, digest, signature, NULL))
      g_error ("GOST: signing failed");
  g_print ("%-10s %d raw signatures, %.3f ms each\n", "gost-2015", rounds,
           (now_ms () - start) / rounds);

  start = now_ms ();
  for (int i = 0; i < rounds; i++)
    if (!tirkeu_gost_verify_digest (public_key, digest, signature))
      g_error ("GOST: verification failed");
  g_print ("%-10s %d raw verifications, %.3f ms each\n", "gost-2015", rounds,
           (now_ms () - start) / rounds);
}

int
main (int   argc,
      char *argv[])
{
  int rounds = argc > 1 ? atoi (argv[1]) : 100;
  TokenFixture *fixture;
  TirkeuTokenManager *manager;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) tokens = NULL;
  g_autofree char *serial = NULL;
  g_autofree char *key_file_path = NULL;
  g_autofree char *gost_module = NULL;
  g_autoptr(GBytes) p12 = NULL;
  GBytes *rsa_signature, *gost_signature;
  GostIdentity *ca, *seller;

  fixture = token_fixture_new ();

  g_print ("Private-key operations through libp11 (SHA-256):\n");
  bench_raw (fixture, "sign-rsa", rounds);
  bench_raw (fixture, "sign-ec", rounds);

  g_print ("Slot list on SoftHSM (SOFTHSM2_CONF=%s/softhsm2.conf):\n", fixture->dir);
  bench_module (fixture->module);
  bench_module ("p11-kit-proxy.so");

  manager = tirkeu_token_manager_new (fixture->module);
  tirkeu_token_manager_load_async (manager, NULL, store_result_cb, &result);
  if (!tirkeu_token_manager_load_finish (manager, wait_for_result (&result), NULL))
    g_error ("cannot load %s", fixture->module);
  g_clear_object (&result);
  tirkeu_token_manager_list_tokens_async (manager, NULL, store_result_cb, &result);
  tokens = tirkeu_token_manager_list_tokens_finish (manager, wait_for_result (&result), NULL);
  serial = g_strdup (tirkeu_token_info_get_serial (g_ptr_array_index (tokens, 0)));

  g_print ("Signatures through TirkeuTokenManager:\n");
  rsa_signature = bench_sign (manager, fixture, serial, "sign-rsa", rounds);
  g_bytes_unref (bench_sign (manager, fixture, serial, "sign-ec", rounds));
  g_object_unref (manager);

  /* GOST 2015-512: an NCA-like CA and seller, a key file, the test token */
  ca = gost_identity_new (NULL, "/C=KZ/CN=GOST BENCH CA", NULL, -1, 365);
  seller = gost_identity_new (ca, "/CN=ИВАНОВ ИВАН/serialNumber=IIN850304300128/C=KZ"
                                  "/O=ТОО ТЕСТ/OU=BIN940140000385",
                              "emailProtection,1.2.398.3.3.4.1.2,1.2.398.3.3.4.1.2.1", -1, 365);
  bench_gost_raw (seller, rounds);

  p12 = gost_identity_key_file (seller, "Qwerty123");
  key_file_path = g_build_filename (fixture->dir, "GOST512_bench.p12", NULL);
  g_file_set_contents (key_file_path, g_bytes_get_data (p12, NULL), g_bytes_get_size (p12), NULL);
  gost_module = g_build_filename (g_getenv ("TIRKEU_BUILD_ROOT"), "tests",
                                  "tirkeu-test-gost-pkcs11.so", NULL);
  gost_write_token_config (seller, fixture->dir, "87651234", NULL);

  g_clear_object (&result);
  manager = tirkeu_token_manager_new (gost_module);
  tirkeu_token_manager_set_poll_interval (manager, 0);
  tirkeu_token_manager_load_async (manager, NULL, store_result_cb, &result);
  if (!tirkeu_token_manager_load_finish (manager, wait_for_result (&result), NULL))
    g_error ("cannot load %s", gost_module);
  g_clear_object (&result);
  {
    g_autoptr(GFile) file = g_file_new_for_path (key_file_path);
    g_autoptr(TirkeuTokenInfo) key_file = NULL;
    g_autoptr(GAsyncResult) added = NULL;
    g_autofree char *id = NULL;
    unsigned char *der = NULL;
    int der_len = i2d_X509 (seller->certificate, &der);

    tirkeu_token_manager_add_key_file_async (manager, file, "Qwerty123", NULL, store_result_cb,
                                             &added);
    key_file = tirkeu_token_manager_add_key_file_finish (manager, wait_for_result (&added), NULL);
    id = g_compute_checksum_for_data (G_CHECKSUM_SHA1, der, der_len);
    OPENSSL_free (der);

    g_print ("GOST 2015-512 signatures through TirkeuTokenManager:\n");
    gost_signature = bench_sign_id (manager, tirkeu_token_info_get_serial (key_file), id,
                                    "940140000385", "Qwerty123", "key-file",
                                    "open the file + CMS", rounds);
    g_bytes_unref (bench_sign_id (manager, "GOST2015TEST", "0b", "940140000385", "87651234",
                                  "gost-token", "login + CMS + logout", rounds));
  }
  g_object_unref (manager);

  g_print ("Verification (tirkeu_cms_verify):\n");
  {
    BIO *bio = BIO_new_file (fixture->ca_file, "r");
    X509 *rsa_ca = PEM_read_bio_X509 (bio, NULL, NULL, NULL);

    BIO_free (bio);
    bench_verify ("sign-rsa", rsa_signature, rsa_ca, rounds);
    bench_verify ("gost-2015", gost_signature, ca->certificate, rounds);
    X509_free (rsa_ca);
  }

  g_bytes_unref (rsa_signature);
  g_bytes_unref (gost_signature);
  gost_identity_free (seller);
  gost_identity_free (ca);
  token_fixture_free (fixture);
  return 0;
}
