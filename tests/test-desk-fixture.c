/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "test-desk-fixture.h"

void
desk_store_result_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

GAsyncResult *
desk_wait_for_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

Desk *
desk_new_signed_in (TokenFixture              *token,
                    gboolean                   with_journal,
                    TirkeuSandboxPayloadFault  wrong_payload)
{
  Desk *desk = g_new0 (Desk, 1);
  TirkeuSandboxOptions options;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) certificates = NULL;
  g_autoptr(GAsyncResult) result = NULL;

  tirkeu_sandbox_options_init (&options);
  g_free (options.listen);
  options.listen = g_strdup ("127.0.0.1:0");
  desk->state_dir = g_dir_make_tmp ("tirkeu-desk-XXXXXX", &error);
  g_assert_no_error (error);
  options.state_dir = g_strdup (desk->state_dir);
  options.signer_ca_file = g_strdup (token->ca_file);
  options.buyer_mode = TIRKEU_SANDBOX_BUYER_MANUAL;
  options.wrong_payload = wrong_payload;
  desk->sandbox = tirkeu_sandbox_new (&options, &error);
  g_assert_no_error (error);
  tirkeu_sandbox_start (desk->sandbox, &error);
  g_assert_no_error (error);
  tirkeu_sandbox_options_clear (&options);

  desk->client = tirkeu_portal_client_new (tirkeu_sandbox_get_url (desk->sandbox),
                                           tirkeu_sandbox_get_ca_file (desk->sandbox), &error);
  g_assert_no_error (error);
  desk->tokens = tirkeu_token_manager_new (token->module);
  tirkeu_token_manager_set_poll_interval (desk->tokens, 0);
  desk->session = tirkeu_session_new (desk->tokens, desk->client);
  if (with_journal)
    {
      g_autofree char *path = g_build_filename (desk->state_dir, "journal.sqlite", NULL);

      desk->journal = tirkeu_journal_new_sync (path, NULL, &error);
      g_assert_no_error (error);
      tirkeu_session_set_journal (desk->session, desk->journal);
    }
  tirkeu_session_start (desk->session);
  while (tirkeu_session_get_state (desk->session) < TIRKEU_SESSION_STATE_TOKEN_PRESENT)
    g_main_context_iteration (NULL, TRUE);

  certificates = tirkeu_session_dup_certificates (desk->session, TIRKEU_CERTIFICATE_KIND_AUTH);
  g_assert_cmpuint (certificates->len, >, 0);
  tirkeu_session_sign_in_async (desk->session, g_ptr_array_index (certificates, 0), token->pin,
                                NULL, desk_store_result_cb, &result);
  g_assert_true (tirkeu_session_sign_in_finish (desk->session, desk_wait_for_result (&result), &error));
  g_assert_no_error (error);
  return desk;
}

void
desk_free (Desk *desk)
{
  g_assert_finalize_object (desk->session);
  g_clear_object (&desk->tokens);
  g_clear_object (&desk->client);
  g_clear_object (&desk->journal);
  tirkeu_sandbox_stop (desk->sandbox);
  g_clear_object (&desk->sandbox);
  token_fixture_run ((const char *[]) { "rm", "-rf", desk->state_dir, NULL });
  g_free (desk->state_dir);
  g_free (desk);
}
