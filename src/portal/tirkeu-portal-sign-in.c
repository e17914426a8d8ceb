/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>

#include "tirkeu-portal-client.h"
#include "tirkeu-portal-error.h"
#include "tirkeu-portal-json.h"
#include "tirkeu-portal-private.h"

/* ------------------------------------------------------------------------------------------ */
/* Sign-in: a challenge, its CMS signature by the AUTH key (the sign function), a session     */

typedef struct
{
  TirkeuPortalClient *self;
  GCancellable *cancellable;
  char *challenge_id;
} SignIn;

static void
sign_in_free (SignIn *sign_in)
{
  g_clear_object (&sign_in->self);
  g_clear_object (&sign_in->cancellable);
  g_free (sign_in->challenge_id);
  g_free (sign_in);
}

/* Hands the outcome to every task that waited for this sign-in: a transport call is sent
 * (again), a sign_in_async() task gets the seller. Exactly one of @seller and @error. */
static void
sign_in_complete (SignIn             *sign_in,
                  TirkeuPortalSeller *seller,
                  GError             *error)
{
  TirkeuPortalClient *self = sign_in->self;
  g_autoptr(GPtrArray) waiters = g_steal_pointer (&self->sign_in_waiters);

  self->sign_in_waiters = g_ptr_array_new ();
  self->signing_in = FALSE;

  /* Each waiter is handed over with the one reference it holds on itself until it returns. */
  for (guint i = 0; i < waiters->len; i++)
    {
      GTask *waiter = g_ptr_array_index (waiters, i);

      if (g_task_get_source_tag (waiter) == _tirkeu_portal_client_call_async && error == NULL)
        {
          _tirkeu_portal_client_call_resume (waiter);
          continue;
        }

      if (error != NULL)
        g_task_return_error (waiter, g_error_copy (error));
      else
        g_task_return_pointer (waiter, tirkeu_portal_seller_copy (seller),
                               (GDestroyNotify) tirkeu_portal_seller_free);
      g_object_unref (waiter);
    }

  tirkeu_portal_seller_free (seller);
  g_clear_error (&error);
  sign_in_free (sign_in);
}

static void
session_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  SignIn *sign_in = user_data;
  TirkeuPortalClient *self = sign_in->self;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GDateTime) expires_at = NULL;
  GError *error = NULL;
  TirkeuPortalSeller *seller;
  char *token = NULL;

  root = _tirkeu_portal_client_call_finish (self, result, &error);
  if (root == NULL)
    {
      sign_in_complete (sign_in, NULL, error);
      return;
    }

  seller = tirkeu_portal_json_to_session (root, &token, &expires_at, &error);
  if (seller == NULL)
    {
      sign_in_complete (sign_in, NULL, error);
      return;
    }

  g_debug ("Signed in to the portal as seller %.4s********", seller->bin);
  _tirkeu_portal_client_set_session (self, token, g_steal_pointer (&expires_at));

  sign_in_complete (sign_in, seller, NULL);
}

static void
signature_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  SignIn *sign_in = user_data;
  TirkeuPortalClient *self = sign_in->self;
  g_autoptr(GBytes) signature = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) body_root = NULL;
  g_autofree char *encoded = NULL;
  g_autoptr(GBytes) body = NULL;
  GError *error = NULL;
  char *text;
  gsize len;

  if (self->sign_finish_func == NULL)
    {
      sign_in_complete (sign_in, NULL,
                        g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                             _("The sign function was removed")));
      return;
    }

  signature = self->sign_finish_func (self, result, &error, self->sign_data);
  if (signature == NULL)
    {
      if (error == NULL)
        error = g_error_new_literal (TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_SIGNATURE_INVALID,
                                     _("No signature was made"));
      sign_in_complete (sign_in, NULL, error);
      return;
    }

  encoded = g_base64_encode (g_bytes_get_data (signature, NULL), g_bytes_get_size (signature));
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "challenge_id");
  json_builder_add_string_value (builder, sign_in->challenge_id);
  json_builder_set_member_name (builder, "signature");
  json_builder_add_string_value (builder, encoded);
  json_builder_end_object (builder);
  body_root = json_builder_get_root (builder);
  json_generator_set_root (generator, body_root);
  text = json_generator_to_data (generator, &len);
  body = g_bytes_new_take (text, len);

  /* Never retried: the challenge is single use (contract). */
  _tirkeu_portal_client_call_async (self, "POST", "/api/v1/auth/session", body, NULL,
                                    TIRKEU_PORTAL_CALL_NONE, sign_in->cancellable,
                                    session_cb, sign_in);
}

static void
challenge_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  SignIn *sign_in = user_data;
  TirkeuPortalClient *self = sign_in->self;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GBytes) challenge = NULL;
  GError *error = NULL;

  root = _tirkeu_portal_client_call_finish (self, result, &error);
  if (root == NULL ||
      !tirkeu_portal_json_to_challenge (root, &sign_in->challenge_id, &challenge, &error))
    {
      sign_in_complete (sign_in, NULL, error);
      return;
    }

  if (self->sign_func == NULL)
    {
      sign_in_complete (sign_in, NULL,
                        g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                             _("The sign function was removed")));
      return;
    }

  self->sign_func (self, challenge, sign_in->cancellable, signature_cb, sign_in,
                   self->sign_data);
}

/* Joins @waiter to the sign-in under way, or starts one. The first waiter's cancellable
 * cancels the sign-in for all. */
void
_tirkeu_portal_client_sign_in_begin (TirkeuPortalClient *self,
                                     GTask              *waiter)
{
  SignIn *sign_in;

  g_ptr_array_add (self->sign_in_waiters, waiter);
  if (self->signing_in)
    return;

  self->signing_in = TRUE;
  sign_in = g_new0 (SignIn, 1);
  sign_in->self = g_object_ref (self);
  sign_in->cancellable = g_task_get_cancellable (waiter) != NULL
    ? g_object_ref (g_task_get_cancellable (waiter)) : NULL;

  /* Asking for a challenge again is harmless (contract), so it may be retried. */
  _tirkeu_portal_client_call_async (self, "POST", "/api/v1/auth/challenge", NULL, NULL,
                                    TIRKEU_PORTAL_CALL_RETRY_SAFE, sign_in->cancellable,
                                    challenge_cb, sign_in);
}

/**
 * tirkeu_portal_client_sign_in_async:
 * @self: a #TirkeuPortalClient with a sign function
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: for @callback
 *
 * Signs in: asks for a challenge, has the sign function sign it with the AUTH key, and opens
 * a session. The token stays in memory only.
 */
void
tirkeu_portal_client_sign_in_async (TirkeuPortalClient  *self,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (TIRKEU_IS_PORTAL_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tirkeu_portal_client_sign_in_async);
  /* the sign-in's own error stands: a user action that ran out is a timeout, not a cancel */
  g_task_set_check_cancellable (task, FALSE);

  if (self->sign_func == NULL)
    {
      g_task_return_new_error (task, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_UNAUTHORIZED,
                               _("No EDS token is set up to sign in to the portal"));
      return;
    }

  _tirkeu_portal_client_sign_in_begin (self, g_steal_pointer (&task));
}

/**
 * tirkeu_portal_client_sign_in_finish:
 *
 * Returns: (transfer full): the signed-in seller's profile (with the OKED check of step 1)
 */
TirkeuPortalSeller *
tirkeu_portal_client_sign_in_finish (TirkeuPortalClient  *self,
                                     GAsyncResult        *result,
                                     GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        tirkeu_portal_client_sign_in_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
