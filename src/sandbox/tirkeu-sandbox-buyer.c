/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "tirkeu-portal-code.h"
#include "tirkeu-sandbox-private.h"

/* After the seller's signature: the buyer's steps (by the fixtures' scenario on a schedule,
 * or by hand) and the portal's own steps of stages 10-19. */

/* The buyer_deadline of data/portal-api.yaml: set once, when the request reaches the
 * buyer, and kept exactly while the core's table lets the request expire (steps 10-18, the
 * buyer's unfinished application); gone in every other stage. */
static void
request_set_buyer_deadline (TirkeuSandbox *self,
                            JsonObject    *request,
                            TirkeuStage    to)
{
  if (to == TIRKEU_STAGE_AWAITING_BUYER)
    {
      g_autofree char *deadline =
        _sb_format_time (_sb_now_s (self) + (gint64) self->options.buyer_days * 24 * 3600);

      json_object_set_string_member (request, "buyer_deadline", deadline);
    }
  else if (!tirkeu_stage_can_transition (to, TIRKEU_STAGE_EXPIRED)
           && json_object_has_member (request, "buyer_deadline"))
    json_object_remove_member (request, "buyer_deadline");
}

/* The portal's clock ends a buyer's application that outlived its deadline, in either buyer
 * mode: at the first step of the schedule at or after it. Returns whether it did. */
static gboolean
request_expire_if_due (TirkeuSandbox *self,
                       JsonObject    *request)
{
  const char *deadline = _sb_get_string (request, "buyer_deadline");
  g_autoptr(GDateTime) at = NULL;

  if (deadline == NULL
      || !tirkeu_stage_can_transition (_sb_request_stage (request), TIRKEU_STAGE_EXPIRED))
    return FALSE;

  at = g_date_time_new_from_iso8601 (deadline, NULL);
  if (at == NULL || g_date_time_to_unix (at) > _sb_now_s (self))
    return FALSE;

  _sb_request_move (self, request, TIRKEU_STAGE_EXPIRED, NULL);
  return TRUE;
}

void
_sb_request_move (TirkeuSandbox *self,
                  JsonObject    *request,
                  TirkeuStage    to,
                  JsonNode      *message)
{
  TirkeuStage from = _sb_request_stage (request);
  JsonObject *entry = json_object_new ();
  g_autofree char *at = _sb_format_time (_sb_now_s (self));

  /* Every transition the sandbox makes is one the core's table allows: a client that checks
   * histories against it must never see the sandbox break the law. */
  if (!tirkeu_stage_can_transition (from, to))
    {
      g_critical ("Sandbox bug: %s -> %s is not a transition",
                  tirkeu_stage_to_string (from), tirkeu_stage_to_string (to));
      json_object_unref (entry);
      g_clear_pointer (&message, json_node_unref);
      return;
    }

  json_object_set_string_member (entry, "stage", tirkeu_stage_to_string (to));
  json_object_set_string_member (entry, "at", at);
  json_object_set_member (entry, "message",
                          message != NULL ? message
                                          : _sb_data_text (self->data, "stages",
                                                           tirkeu_stage_to_string (to)));
  json_array_add_object_element (json_object_get_array_member (request, "history"), entry);

  json_object_set_string_member (request, "stage", tirkeu_stage_to_string (to));
  json_object_set_string_member (request, "updated_at", at);
  request_set_buyer_deadline (self, request, to);
  json_object_set_int_member (request, "revision", ++self->revision);
  json_object_set_int_member (request, "_ticks", 0);

  _sb_emit_request_changed (self, _sb_get_string (request, "id"), tirkeu_stage_to_string (to));
}

static void
request_refuse (TirkeuSandbox *self,
                JsonObject    *request,
                const char    *code,
                JsonNode      *reason)
{
  TirkeuStage at = _sb_request_stage (request);
  JsonObject *defaults = _sb_data_default_refusal (self->data, at);
  JsonObject *refusal = json_object_new ();
  JsonNode *text;

  if (code == NULL)
    code = _sb_get_string (defaults, "code");
  if (code == NULL)
    code = "INTERNAL";
  if (reason != NULL)
    text = json_node_copy (reason);
  else if (defaults != NULL && json_object_has_member (defaults, "reason"))
    text = json_node_copy (json_object_get_member (defaults, "reason"));
  else
    text = _sb_data_text (self->data, "errors", code);

  json_object_set_string_member (refusal, "code", code);
  json_object_set_int_member (refusal, "step", tirkeu_stage_get_step (at));
  json_object_set_member (refusal, "reason", json_node_copy (text));
  json_object_set_object_member (request, "refusal", refusal);

  /* The history says why, in the portal's words, not just "refused". */
  _sb_request_move (self, request, TIRKEU_STAGE_REFUSED, text);
}

static void
request_fines_unpaid (TirkeuSandbox *self,
                      JsonObject    *request)
{
  JsonObject *refusal = json_object_new ();

  json_object_set_string_member (refusal, "code", "FINES_UNPAID");
  json_object_set_int_member (refusal, "step", 14);
  json_object_set_member (refusal, "reason", _sb_data_text (self->data, "errors",
                                                            "FINES_UNPAID"));
  json_object_set_object_member (request, "refusal", refusal);
  _sb_request_move (self, request, TIRKEU_STAGE_FINES_UNPAID, NULL);
}

static void
request_choose_tson (TirkeuSandbox *self,
                     JsonObject    *request)
{
  JsonObject *scenario = json_object_has_member (request, "_scenario")
                         ? json_object_get_object_member (request, "_scenario") : NULL;
  JsonObject *tson = _sb_data_tson (self->data, _sb_get_string (scenario, "tson"));
  const char *plate_type = _sb_get_string (scenario, "plate_type");
  JsonObject *chosen = json_object_new ();

  json_object_set_string_member (chosen, "code", _sb_get_string (tson, "code"));
  json_object_set_member (chosen, "name", json_node_copy (json_object_get_member (tson, "name")));
  json_object_set_member (chosen, "address",
                          json_node_copy (json_object_get_member (tson, "address")));
  json_object_set_object_member (request, "tson", chosen);
  json_object_set_string_member (request, "plate_type",
                                 g_strcmp0 (plate_type, "selected") == 0 ? "selected"
                                                                         : "standard");
  _sb_request_move (self, request, TIRKEU_STAGE_TSON_CHOSEN, NULL);
}

/* The stage where the scenario's outcome happens, and that outcome's final stage. */
static gboolean
scenario_outcome (JsonObject  *scenario,
                  TirkeuStage *at,
                  TirkeuStage *outcome)
{
  const char *buyer = _sb_get_string (scenario, "buyer");
  const char *where = _sb_get_string (scenario, "at");

  if (buyer == NULL || g_str_equal (buyer, "approve"))
    return FALSE;

  if (g_str_equal (buyer, "decline"))
    *outcome = TIRKEU_STAGE_DECLINED;
  else if (g_str_equal (buyer, "expire"))
    *outcome = TIRKEU_STAGE_EXPIRED;
  else
    *outcome = TIRKEU_STAGE_REFUSED;

  *at = TIRKEU_STAGE_AWAITING_BUYER;
  if (where != NULL)
    tirkeu_stage_from_string (where, at);

  return TRUE;
}

/* One step of stages 10-19 for @request. Returns whether it changed. */
static gboolean
request_step (TirkeuSandbox *self,
              JsonObject    *request)
{
  TirkeuStage stage = _sb_request_stage (request);
  gboolean manual = self->options.buyer_mode == TIRKEU_SANDBOX_BUYER_MANUAL;
  JsonObject *scenario = json_object_has_member (request, "_scenario")
                         ? json_object_get_object_member (request, "_scenario") : NULL;
  TirkeuStage at, outcome;
  JsonObject *person;

  if (tirkeu_stage_is_final (stage) || stage < TIRKEU_STAGE_AWAITING_BUYER)
    return FALSE;

  /* Auto mode: the scenario's outcome when the request sits in its stage long enough. */
  if (!manual && scenario != NULL && scenario_outcome (scenario, &at, &outcome) && stage == at)
    {
      gint64 ticks = json_object_get_int_member_with_default (request, "_ticks", 0) + 1;
      gint64 after = json_object_get_int_member_with_default (scenario, "after_steps", 1);

      json_object_set_int_member (request, "_ticks", ticks);
      if (ticks < after)
        return FALSE;

      if (outcome == TIRKEU_STAGE_REFUSED)
        request_refuse (self, request, _sb_get_string (scenario, "code"),
                        json_object_get_member (scenario, "reason"));
      else
        _sb_request_move (self, request, outcome, NULL);
      return TRUE;
    }

  switch (stage)
    {
    case TIRKEU_STAGE_AWAITING_BUYER:
      if (manual)
        return FALSE;
      _sb_request_move (self, request, TIRKEU_STAGE_BUYER_APPROVED, NULL);
      return TRUE;

    case TIRKEU_STAGE_FINES_UNPAID:
      /* The buyer pays (tirkeu-sandbox buyer pay-fines) and resubmits; nothing else moves. */
      return FALSE;

    case TIRKEU_STAGE_FINES_CHECK:
      if (_sb_data_has_fines (self->data, _sb_get_string (request, "buyer_iin"))
          && !json_object_get_boolean_member_with_default (request, "_fines_paid", FALSE))
        request_fines_unpaid (self, request);
      else
        request_choose_tson (self, request);
      return TRUE;

    case TIRKEU_STAGE_TSON_CHOSEN:
      person = _sb_data_find (self->data, "persons", "iin", _sb_get_string (request, "buyer_iin"));
      _sb_request_move (self, request, TIRKEU_STAGE_PHONE_CONFIRMED,
                        json_object_get_boolean_member_with_default (person, "phone_registered",
                                                                     FALSE)
                        ? NULL
                        : _sb_data_text (self->data, "stages", "phone_confirmed_typed"));
      return TRUE;

    case TIRKEU_STAGE_BUYER_APPROVED:
    case TIRKEU_STAGE_BUYER_RECHECK:
    case TIRKEU_STAGE_EPASSPORT_RECHECK:
    case TIRKEU_STAGE_CONTRACT_RECHECK:
    case TIRKEU_STAGE_PHONE_CONFIRMED:
    case TIRKEU_STAGE_PAID:
    case TIRKEU_STAGE_BUYER_SIGNED:
    case TIRKEU_STAGE_PROCESSING:
      /* The next stage of the law's order (a re-check passes, the buyer goes on). */
      _sb_request_move (self, request,
                        stage == TIRKEU_STAGE_CONTRACT_RECHECK ? TIRKEU_STAGE_FINES_CHECK
                        : stage == TIRKEU_STAGE_PHONE_CONFIRMED ? TIRKEU_STAGE_PAID
                        : stage == TIRKEU_STAGE_PAID ? TIRKEU_STAGE_BUYER_SIGNED
                        : stage == TIRKEU_STAGE_BUYER_SIGNED ? TIRKEU_STAGE_PROCESSING
                        : stage == TIRKEU_STAGE_PROCESSING ? TIRKEU_STAGE_COMPLETED
                        : stage + 1, NULL);
      return TRUE;

    case TIRKEU_STAGE_DRAFT:
    case TIRKEU_STAGE_OKED_CHECKED:
    case TIRKEU_STAGE_EPASSPORT_CHECKED:
    case TIRKEU_STAGE_CUSTOMS_CHECKED:
    case TIRKEU_STAGE_UTILIZATION_CHECKED:
    case TIRKEU_STAGE_BUYER_CHECKED:
    case TIRKEU_STAGE_CONTRACT_FOUND:
    case TIRKEU_STAGE_SIGNED:
    case TIRKEU_STAGE_SUBMITTED:
    case TIRKEU_STAGE_COMPLETED:
    case TIRKEU_STAGE_REFUSED:
    case TIRKEU_STAGE_DECLINED:
    case TIRKEU_STAGE_EXPIRED:
    case TIRKEU_STAGE_WITHDRAWN:
    default:
      return FALSE;
    }
}

gboolean
_sb_buyer_tick_cb (gpointer user_data)
{
  TirkeuSandbox *self = user_data;
  g_autoptr(GPtrArray) list = _sb_requests_by_revision (self);
  gboolean changed = FALSE;

  for (guint i = 0; i < list->len; i++)
    {
      JsonObject *request = g_ptr_array_index (list, i);

      if (request_expire_if_due (self, request))
        changed = TRUE;
      else
        changed |= request_step (self, request);
    }

  if (changed)
    _sb_state_save_or_warn (self);

  return G_SOURCE_CONTINUE;
}

/**
 * tirkeu_sandbox_get_request:
 * @self: a #TirkeuSandbox
 * @id: a request id
 *
 * Returns: (transfer full) (nullable): the request as the API shows it
 */
JsonNode *
tirkeu_sandbox_get_request (TirkeuSandbox *self,
                            const char    *id)
{
  JsonObject *request;

  g_return_val_if_fail (TIRKEU_IS_SANDBOX (self), NULL);

  request = g_hash_table_lookup (self->requests, id);

  return request != NULL ? _sb_render_request (request) : NULL;
}

/**
 * tirkeu_sandbox_buyer_action:
 * @self: a #TirkeuSandbox
 * @id: a request id
 * @action: approve, decline, pay-fines, refuse or expire
 * @code: (nullable): for refuse, the refusal code (default: the stage's)
 * @reason: (nullable): for refuse, the reason {kk, ru, en}
 * @error: %TIRKEU_SANDBOX_ERROR_NOT_FOUND, _CONFLICT or _INVALID
 *
 * Plays the buyer (or the portal, for refuse and expire) on one request now, in either
 * mode. The stage must allow it by the core's transition table.
 *
 * Returns: (transfer full) (nullable): the request after the action
 */
JsonNode *
tirkeu_sandbox_buyer_action (TirkeuSandbox *self,
                             const char    *id,
                             const char    *action,
                             const char    *code,
                             JsonNode      *reason,
                             GError       **error)
{
  JsonObject *request;
  TirkeuStage stage, to;

  g_return_val_if_fail (TIRKEU_IS_SANDBOX (self), NULL);
  g_return_val_if_fail (action != NULL, NULL);

  request = id != NULL ? g_hash_table_lookup (self->requests, id) : NULL;
  if (request == NULL)
    {
      g_set_error (error, TIRKEU_SANDBOX_ERROR, TIRKEU_SANDBOX_ERROR_NOT_FOUND,
                   _("No request %s"), id);
      return NULL;
    }

  if (g_str_equal (action, "approve"))
    to = TIRKEU_STAGE_BUYER_APPROVED;
  else if (g_str_equal (action, "decline"))
    to = TIRKEU_STAGE_DECLINED;
  else if (g_str_equal (action, "pay-fines"))
    to = TIRKEU_STAGE_FINES_CHECK;
  else if (g_str_equal (action, "refuse"))
    to = TIRKEU_STAGE_REFUSED;
  else if (g_str_equal (action, "expire"))
    to = TIRKEU_STAGE_EXPIRED;
  else
    {
      g_set_error (error, TIRKEU_SANDBOX_ERROR, TIRKEU_SANDBOX_ERROR_INVALID,
                   _("Unknown action %s (approve, decline, pay-fines, refuse, expire)"), action);
      return NULL;
    }

  if (code != NULL && !tirkeu_portal_code_is_wire (tirkeu_portal_code_from_string (code)))
    {
      g_set_error (error, TIRKEU_SANDBOX_ERROR, TIRKEU_SANDBOX_ERROR_INVALID,
                   _("%s is not a portal error code"), code);
      return NULL;
    }
  if (reason != NULL)
    {
      JsonObject *text = JSON_NODE_HOLDS_OBJECT (reason) ? json_node_get_object (reason) : NULL;

      if (_sb_get_string (text, "kk") == NULL || _sb_get_string (text, "ru") == NULL
          || _sb_get_string (text, "en") == NULL)
        {
          g_set_error (error, TIRKEU_SANDBOX_ERROR, TIRKEU_SANDBOX_ERROR_INVALID,
                       _("The reason needs kk, ru and en"));
          return NULL;
        }
    }

  stage = _sb_request_stage (request);
  /* pay-fines only where the fines stopped the request; the rest by the core's table. */
  if ((to == TIRKEU_STAGE_FINES_CHECK && stage != TIRKEU_STAGE_FINES_UNPAID)
      || !tirkeu_stage_can_transition (stage, to))
    {
      g_set_error (error, TIRKEU_SANDBOX_ERROR, TIRKEU_SANDBOX_ERROR_CONFLICT,
                   /* Translators: a stage's wire name (awaiting_buyer), then an action
                    * (approve, decline, pay-fines, refuse, expire); both stay as they are */
                   _("A request in stage %s cannot be given %s"),
                   tirkeu_stage_to_string (stage), action);
      return NULL;
    }

  if (to == TIRKEU_STAGE_REFUSED)
    request_refuse (self, request, code, reason);
  else if (to == TIRKEU_STAGE_FINES_CHECK)
    {
      json_object_set_boolean_member (request, "_fines_paid", TRUE);
      json_object_set_null_member (request, "refusal");
      _sb_request_move (self, request, to, _sb_data_text (self->data, "stages",
                                                          "fines_check_resubmitted"));
    }
  else
    _sb_request_move (self, request, to, NULL);

  _sb_state_save_or_warn (self);

  return _sb_render_request (request);
}
