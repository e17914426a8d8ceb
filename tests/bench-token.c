/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What token work costs on SoftHSM: prints figures, asserts nothing (speed is never a unit
 * test). Makes its own token with tests/fixtures/make-token.sh.
 *
 *   TIRKEU_SOURCE_ROOT=. _build-token/tests/bench-token [N]
 *
 * Each signature is a whole request signature through TirkeuTokenManager: enumerate the
 * slots, check the certificate, C_Login, CMS with SHA-256, C_Logout, release the slots.
 */
#include "config.h"

#include <libp11.h>

#include "tirkeu-token-manager.h"
#include "test-token-fixture.h"

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

static void
bench_sign (TirkeuTokenManager *manager,
            TokenFixture       *fixture,
            const char         *serial,
            const char         *name,
            int                 rounds)
{
  g_autofree char *id = g_key_file_get_string (fixture->ini, name, "id", NULL);
  g_autoptr(GBytes) content = g_bytes_new_static ("a registration request", 22);
  double start = now_ms ();

  for (int i = 0; i < rounds; i++)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) signature = NULL;

      tirkeu_token_manager_sign_async (manager, serial, id, TIRKEU_SIGN_PURPOSE_REQUEST,
                                       fixture->seller_bin, fixture->pin, content, NULL,
                                       store_result_cb, &result);
      signature = tirkeu_token_manager_sign_finish (manager, wait_for_result (&result), &error);
      if (signature == NULL)
        g_error ("%s: %s", name, error->message);
    }

  g_print ("%-10s %d signatures, %.2f ms each (login + CMS + logout)\n", name, rounds,
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
  bench_sign (manager, fixture, serial, "sign-rsa", rounds);
  bench_sign (manager, fixture, serial, "sign-ec", rounds);

  g_object_unref (manager);
  token_fixture_free (fixture);
  return 0;
}
