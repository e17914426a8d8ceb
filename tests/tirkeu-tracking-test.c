/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "tirkeu-sandbox-pki.h"
#include "tirkeu-tracking-test.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (X509, X509_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EVP_PKEY, EVP_PKEY_free)

/* The seller of the fixtures whose OKED (45.11) qualifies, and its contracts. */
#define SELLER_BIN "230540004989"

const TirkeuTrackingCase tirkeu_tracking_cases[] = {
  { "DKP-2025-000101", "JTNB23HK2R3000101", "850312300121", TIRKEU_STAGE_COMPLETED },
  { "DKP-2025-000116", "Z94K241C0SR000116", "950501400919", TIRKEU_STAGE_REFUSED },
  { "DKP-2025-000113", "LFV2B25G7S5000113", "781120300787", TIRKEU_STAGE_DECLINED },
  { "DKP-2025-000114", "XWEPH81A0S0000114", "010223500344", TIRKEU_STAGE_EXPIRED },
  { "DKP-2025-000112", "KMHE341C9RA000112", "920715400560", TIRKEU_STAGE_FINES_UNPAID },
  { "DKP-2025-000109", "WDD2130441A000109", "990330500231", TIRKEU_STAGE_WITHDRAWN },
};
const guint tirkeu_tracking_n_cases = G_N_ELEMENTS (tirkeu_tracking_cases);

struct _TirkeuTrackingPortal
{
  char          *dir;
  char          *signer_ca_file;
  TirkeuSandbox *sandbox;
  EVP_PKEY      *auth_key;
  X509          *auth_cert;
  EVP_PKEY      *sign_key;
  X509          *sign_cert;
};

static guint
free_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_nonnull (socket);
  g_assert_true (g_socket_bind (socket, any, TRUE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  g_assert_nonnull (bound);

  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

TirkeuTrackingPortal *
tirkeu_tracking_portal_new (guint buyer_step_ms)
{
  return tirkeu_tracking_portal_new_full (buyer_step_ms, TIRKEU_SANDBOX_BUYER_AUTO);
}

TirkeuTrackingPortal *
tirkeu_tracking_portal_new_full (guint                  buyer_step_ms,
                                 TirkeuSandboxBuyerMode mode)
{
  static const char * const roles[] = {
    TIRKEU_OID_LEGAL_ENTITY, TIRKEU_OID_RIGHT_TO_SIGN, NULL
  };
  const TirkeuSandboxPerson person = {
    .iin = "850312300121",
    .bin = SELLER_BIN,
    .surname = "ТЕСТОВ",
    .given_name = "ПРОДАВЕЦ",
    .organization = "ТОО «Тіркеу Авто Сауда»",
    .role_oids = roles,
  };
  TirkeuTrackingPortal *portal = g_new0 (TirkeuTrackingPortal, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(EVP_PKEY) ca_key = NULL;
  g_autoptr(X509) ca = NULL;
  TirkeuSandboxOptions options;

  portal->dir = g_dir_make_tmp ("tirkeu-tracking-XXXXXX", &error);
  g_assert_no_error (error);

  ca_key = tirkeu_sandbox_pki_new_key (0, &error);
  g_assert_no_error (error);
  ca = tirkeu_sandbox_pki_new_ca (ca_key, "Tirkeu test NCA", &error);
  g_assert_no_error (error);
  portal->signer_ca_file = g_build_filename (portal->dir, "signer-ca.pem", NULL);
  g_assert_true (tirkeu_sandbox_pki_write_cert (portal->signer_ca_file, ca, &error));

  portal->auth_key = tirkeu_sandbox_pki_new_key (0, &error);
  g_assert_no_error (error);
  portal->auth_cert = tirkeu_sandbox_pki_new_person_cert (portal->auth_key, ca, ca_key,
                                                          TIRKEU_SANDBOX_KEY_AUTH, &person,
                                                          &error);
  g_assert_no_error (error);
  portal->sign_key = tirkeu_sandbox_pki_new_key (0, &error);
  g_assert_no_error (error);
  portal->sign_cert = tirkeu_sandbox_pki_new_person_cert (portal->sign_key, ca, ca_key,
                                                          TIRKEU_SANDBOX_KEY_SIGN, &person,
                                                          &error);
  g_assert_no_error (error);

  tirkeu_sandbox_options_init (&options);
  g_free (options.listen);
  /* A fixed port, so that a stopped sandbox comes back where the client looks for it. */
  options.listen = g_strdup_printf ("127.0.0.1:%u", free_port ());
  options.state_dir = g_build_filename (portal->dir, "sandbox", NULL);
  options.signer_ca_file = g_strdup (portal->signer_ca_file);
  options.buyer_mode = mode;
  options.buyer_step_ms = buyer_step_ms;
  options.seed = 7;
  portal->sandbox = tirkeu_sandbox_new (&options, &error);
  g_assert_no_error (error);
  tirkeu_sandbox_options_clear (&options);
  g_assert_true (tirkeu_sandbox_start (portal->sandbox, &error));
  g_assert_no_error (error);

  return portal;
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    while ((name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *child = g_build_filename (path, name, NULL);

        if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
          remove_tree (child);
        else
          g_unlink (child);
      }
  g_rmdir (path);
}

void
tirkeu_tracking_portal_free (TirkeuTrackingPortal *portal)
{
  tirkeu_sandbox_stop (portal->sandbox);
  g_clear_object (&portal->sandbox);
  g_clear_pointer (&portal->auth_key, EVP_PKEY_free);
  g_clear_pointer (&portal->auth_cert, X509_free);
  g_clear_pointer (&portal->sign_key, EVP_PKEY_free);
  g_clear_pointer (&portal->sign_cert, X509_free);
  remove_tree (portal->dir);
  g_free (portal->signer_ca_file);
  g_free (portal->dir);
  g_free (portal);
}

TirkeuSandbox *
tirkeu_tracking_portal_get_sandbox (TirkeuTrackingPortal *portal)
{
  return portal->sandbox;
}

void
tirkeu_tracking_portal_stop (TirkeuTrackingPortal *portal)
{
  tirkeu_sandbox_stop (portal->sandbox);
}

void
tirkeu_tracking_portal_restart (TirkeuTrackingPortal *portal)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (tirkeu_sandbox_start (portal->sandbox, &error));
  g_assert_no_error (error);
}

/* The token's part, done with the test PKI: a detached CMS with the AUTH key. */
static void
sign_challenge (TirkeuPortalClient  *client,
                GBytes              *challenge,
                GCancellable        *cancellable,
                GAsyncReadyCallback  callback,
                gpointer             callback_data,
                gpointer             user_data)
{
  TirkeuTrackingPortal *portal = user_data;
  g_autoptr(GTask) task = g_task_new (client, cancellable, callback, callback_data);
  g_autoptr(GError) error = NULL;
  GBytes *signature;

  signature = tirkeu_sandbox_pki_cms_sign (portal->auth_cert, portal->auth_key, challenge,
                                           &error);
  if (signature == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, signature, (GDestroyNotify) g_bytes_unref);
}

static GBytes *
sign_challenge_finish (TirkeuPortalClient  *client,
                       GAsyncResult        *result,
                       GError             **error,
                       gpointer             user_data)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
store_result_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_result (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *result;
}

TirkeuPortalClient *
tirkeu_tracking_portal_sign_in (TirkeuTrackingPortal *portal)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TirkeuPortalClient) client = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(TirkeuPortalSeller) seller = NULL;

  client = tirkeu_portal_client_new (tirkeu_sandbox_get_url (portal->sandbox),
                                     tirkeu_sandbox_get_ca_file (portal->sandbox), &error);
  g_assert_no_error (error);
  /* The sync does its own back-off: one attempt per call keeps the offline tests short. */
  tirkeu_portal_client_set_max_attempts (client, 1);
  tirkeu_portal_client_set_timeout_ms (client, 5000);
  tirkeu_portal_client_set_sign_func (client, sign_challenge, sign_challenge_finish,
                                      portal, NULL);
  tirkeu_portal_client_sign_in_async (client, NULL, store_result_cb, &result);
  seller = tirkeu_portal_client_sign_in_finish (client, wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (seller->bin, ==, SELLER_BIN);
  g_assert_true (tirkeu_portal_client_get_signed_in (client));

  return g_steal_pointer (&client);
}

TirkeuRequest *
tirkeu_tracking_portal_submit (TirkeuTrackingPortal     *portal,
                               TirkeuPortalClient       *client,
                               const TirkeuTrackingCase *tcase)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(TirkeuRequest) created = NULL;
  g_autoptr(TirkeuPortalRequestInfo) info = NULL;
  g_autoptr(GBytes) signature = NULL;
  g_autofree char *key = g_uuid_string_random ();
  TirkeuRequest *submitted;

  tirkeu_portal_client_create_request_async (client, key, tcase->vin, tcase->buyer_iin,
                                             tcase->contract, NULL, store_result_cb, &result);
  created = tirkeu_portal_client_create_request_finish (client, wait_result (&result),
                                                        &info, &error);
  g_assert_no_error (error);
  g_assert_nonnull (info->signing_payload);
  g_clear_object (&result);

  signature = tirkeu_sandbox_pki_cms_sign (portal->sign_cert, portal->sign_key,
                                           info->signing_payload, &error);
  g_assert_no_error (error);

  tirkeu_portal_client_submit_signature_async (client, tirkeu_request_get_portal_id (created),
                                               signature, NULL, store_result_cb, &result);
  submitted = tirkeu_portal_client_submit_signature_finish (client, wait_result (&result),
                                                            NULL, &error);
  g_assert_no_error (error);

  return submitted;
}

/* Created on the portal and signed by the seller, not submitted: what the outbox sends. */
TirkeuRequest *
tirkeu_tracking_portal_create_signed (TirkeuTrackingPortal     *portal,
                                      TirkeuPortalClient       *client,
                                      const TirkeuTrackingCase *tcase)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(TirkeuPortalRequestInfo) info = NULL;
  g_autoptr(GBytes) signature = NULL;
  g_autofree char *key = g_uuid_string_random ();
  TirkeuRequest *created;

  tirkeu_portal_client_create_request_async (client, key, tcase->vin, tcase->buyer_iin,
                                             tcase->contract, NULL, store_result_cb, &result);
  created = tirkeu_portal_client_create_request_finish (client, wait_result (&result),
                                                        &info, &error);
  g_assert_no_error (error);
  signature = tirkeu_sandbox_pki_cms_sign (portal->sign_cert, portal->sign_key,
                                           info->signing_payload, &error);
  g_assert_no_error (error);
  tirkeu_request_set_seller_signature (created, signature);
  return created;
}

TirkeuJournal *
tirkeu_tracking_journal_new (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (g_get_user_data_dir (), "tracking-journal.sqlite",
                                            NULL);
  TirkeuJournal *journal;

  g_unlink (path);
  journal = tirkeu_journal_new_sync (path, NULL, &error);
  g_assert_no_error (error);

  return journal;
}

static gboolean
timeout_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Iterates the main context until *done or the timeout; asserts *done. */
void
tirkeu_tracking_wait (gboolean *done,
                      guint     timeout_ms)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (timeout_ms, timeout_cb, &timed_out);

  while (!*done && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);
  g_assert_true (*done);
}

/* Valid IINs of the fixtures' buyers and some vehicles, cycled through by index. */
static const struct {
  const char *iin;
  const char *name;
} buyers[] = {
  { "850312300121", "АХМЕТОВ ЕРЛАН САПАРОВИЧ" },
  { "920715400560", "СЕЙТКАЛИЕВА АЙГЕРИМ НУРЛАНОВНА" },
  { "781120300787", "ИВАНОВ СЕРГЕЙ ПЕТРОВИЧ" },
  { "881203400679", "КИМ ЕЛЕНА ВИКТОРОВНА" },
  { "990330500231", "ТОКТАРОВ АРМАН ЕРЖАНОВИЧ" },
};

static const struct {
  const char *make;
  const char *model;
} vehicles[] = {
  { "Toyota", "Camry" }, { "Hyundai", "Tucson" }, { "Kia", "Sportage" },
  { "Chevrolet", "Cobalt" }, { "Lada", "Granta" }, { "Volkswagen", "Polo" },
};

/* A request as a sync would bring it: submitted an hour before @updated_unix, then moved to
 * @stage at @updated_unix (DRAFT stays a draft). Request numbers are KZ-<index>. */
TirkeuRequest *
tirkeu_tracking_make_request (guint       index,
                              TirkeuStage stage,
                              gint64      updated_unix)
{
  TirkeuRequest *request = tirkeu_request_new ();
  g_autoptr(GDateTime) submitted = g_date_time_new_from_unix_utc (updated_unix - 3600);
  g_autoptr(GDateTime) updated = g_date_time_new_from_unix_utc (updated_unix);
  g_autofree char *portal_id = g_strdup_printf ("KZ-%07u", index);
  g_autofree char *vin = g_strdup_printf ("XW8ZZZ3C0SG%06u", index % 1000000);
  g_autofree char *contract_number = g_strdup_printf ("DKP-2026-%06u", index);
  g_autoptr(TirkeuVehicle) vehicle = tirkeu_vehicle_new (vin);
  g_autoptr(TirkeuContract) contract = tirkeu_contract_new (contract_number);
  g_autoptr(GError) error = NULL;

  vehicle->make = g_strdup (vehicles[index % G_N_ELEMENTS (vehicles)].make);
  vehicle->model = g_strdup (vehicles[index % G_N_ELEMENTS (vehicles)].model);
  vehicle->year = 2025;
  tirkeu_request_set_vehicle (request, vehicle);
  tirkeu_request_set_contract (request, contract);
  tirkeu_request_set_portal_id (request, portal_id);
  tirkeu_request_set_seller_bin (request, "230540004989");
  tirkeu_request_set_seller_name (request, "ТОО «Тіркеу Авто Сауда»");
  tirkeu_request_set_buyer_iin (request, buyers[index % G_N_ELEMENTS (buyers)].iin);
  tirkeu_request_set_buyer_name (request, buyers[index % G_N_ELEMENTS (buyers)].name);

  if (stage == TIRKEU_STAGE_DRAFT)
    return request;

  if (stage != TIRKEU_STAGE_SUBMITTED)
    {
      tirkeu_request_apply_portal_stage (request, TIRKEU_STAGE_SUBMITTED, submitted, NULL,
                                         &error);
      g_assert_no_error (error);
    }
  /* The portal's texts in its three languages, as a sync keeps them */
  if (stage == TIRKEU_STAGE_REFUSED)
    {
      g_autoptr(TirkeuLocalizedText) reason =
        tirkeu_localized_text_new ("Сатып алушының дербес деректері өзгерді.",
                                   "Персональные данные покупателя изменились.",
                                   "The buyer's personal data has changed.");

      tirkeu_request_set_refusal (request, "PERSON_NOT_FOUND", reason);
    }
  if (stage >= TIRKEU_STAGE_TSON_CHOSEN && stage <= TIRKEU_STAGE_COMPLETED)
    {
      g_autoptr(TirkeuLocalizedText) name =
        tirkeu_localized_text_new ("Астана қаласы бойынша №1 ХҚКО", "ЦОН №1 по городу Астана",
                                   "TsON No. 1 of Astana");
      g_autoptr(TirkeuLocalizedText) address =
        tirkeu_localized_text_new ("Астана қ., Сығанақ к-сі, 24", "г. Астана, ул. Сыганак, 24",
                                   "24 Syganak St, Astana");

      tirkeu_request_set_tson (request, name, address);
      tirkeu_request_set_plate_type (request, "standard");
    }
  {
    g_autoptr(TirkeuLocalizedText) note =
      tirkeu_localized_text_new ("портал ескертпесі", "примечание портала", "portal note");

    tirkeu_request_apply_portal_stage (request, stage, updated, note, &error);
  }
  g_assert_no_error (error);

  return request;
}
