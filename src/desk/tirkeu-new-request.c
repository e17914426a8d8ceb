/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "tirkeu-certificate-check.h"
#include "tirkeu-error.h"
#include "tirkeu-format.h"
#include "tirkeu-iin.h"
#include "tirkeu-new-request.h"
#include "tirkeu-portal-action.h"
#include "tirkeu-portal-error.h"
#include "tirkeu-secret.h"
#include "tirkeu-signing-payload.h"
#include "tirkeu-store-error.h"
#include "tirkeu-token-error.h"
#include "tirkeu-vin.h"

/**
 * TirkeuNewRequest:
 *
 * One registration request on its way from the seller's desk (or the command line) to the
 * portal: the checks of steps 2-8 as the values are typed, the draft, then step 9.
 *
 * The checks start as soon as a value is valid: the vehicle's (steps 2-5) on a valid VIN, the
 * buyer's (steps 6-7) on a valid IIN, and the contracts (step 8) as soon as both are valid,
 * all at once, so the seller waits for none of them page by page.
 *
 * What is typed is saved as a #TirkeuDraft in the journal, with the request's Idempotency-Key.
 * tirkeu_new_request_send_async() saves the draft and waits until the journal has it before
 * the create call, so that a crash at any moment leaves a key that finds the same request on
 * the portal again. The portal's id of the created request goes into the draft as well: a
 * created request that is not signed (a PIN dialog left open, a wrong PIN, a crash) stays an
 * unfinished draft that can be signed and submitted later with the same key, or withdrawn.
 *
 * Once created, the PIN is asked through #TirkeuNewRequest::pin-needed; the front end answers
 * with tirkeu_new_request_give_pin() (a PIN the user has just typed, never one kept from
 * before) or tirkeu_new_request_cancel_pin(). The signed request goes through the session's
 * #TirkeuOutbox, which writes it to the journal before it submits it.
 *
 * Nothing is created or signed while the journal is not open: a signature the desk cannot
 * keep could be lost, and the request with it.
 */
struct _TirkeuNewRequest
{
  GObject                   parent_instance;

  /* owned references */
  TirkeuSession            *session;
  TirkeuDraft              *draft;
  GCancellable             *cancellable;
  GCancellable             *vehicle_cancellable;
  GCancellable             *buyer_cancellable;
  GCancellable             *contracts_cancellable;
  TirkeuPortalVehicleCheck *vehicle_check;
  GError                   *vehicle_error;
  TirkeuPortalPerson       *person;
  GError                   *buyer_error;
  GPtrArray                *contracts;
  GError                   *contracts_error;
  TirkeuRequest            *request;
  GBytes                   *signing_payload;
  GTask                    *send_task;
  GCancellable             *send_action;     /* the send's one deadline, a TirkeuPortalAction */
  GCancellable             *send_caller;     /* the caller's own cancellable, when it is not */
  gulong                    send_caller_id;
  gboolean                  send_action_owned;
  GError                   *journal_error;
  TirkeuConfig             *config;          /* nullable: the installed settings */
  char                     *notice;
  TirkeuCertificateCheckStatus certificate_status;

  /* state */
  char                     *checked_vin;
  char                     *checked_iin;
  char                     *pending_pin;     /* given before the portal answered; wiped */
  TirkeuNewRequestState     state;
  guint                     pin_asked : 1;
  guint                     ready_to_sign : 1;
  guint                     certificate_checked : 1;
  guint                     timestamped : 1;
  guint                     draft_dropped : 1;   /* left the journal: only refused values */
};

G_DEFINE_FINAL_TYPE (TirkeuNewRequest, tirkeu_new_request, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (TirkeuNewRequestState, tirkeu_new_request_state,
                    G_DEFINE_ENUM_VALUE (TIRKEU_NEW_REQUEST_STATE_EDITING, "editing"),
                    G_DEFINE_ENUM_VALUE (TIRKEU_NEW_REQUEST_STATE_CREATING, "creating"),
                    G_DEFINE_ENUM_VALUE (TIRKEU_NEW_REQUEST_STATE_AWAITING_PIN, "awaiting-pin"),
                    G_DEFINE_ENUM_VALUE (TIRKEU_NEW_REQUEST_STATE_SIGNING, "signing"),
                    G_DEFINE_ENUM_VALUE (TIRKEU_NEW_REQUEST_STATE_SENDING, "sending"),
                    G_DEFINE_ENUM_VALUE (TIRKEU_NEW_REQUEST_STATE_QUEUED, "queued"),
                    G_DEFINE_ENUM_VALUE (TIRKEU_NEW_REQUEST_STATE_SENT, "sent"),
                    G_DEFINE_ENUM_VALUE (TIRKEU_NEW_REQUEST_STATE_WITHDRAWN, "withdrawn"))

enum {
  PROP_0,
  PROP_SESSION,
  PROP_DRAFT,
  PROP_STATE,
  PROP_BUSY,
  PROP_CAN_SIGN,
  PROP_REQUEST,
  PROP_VEHICLE_CHECK,
  PROP_PERSON,
  PROP_CONTRACTS,
  PROP_CHECKING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  PIN_NEEDED,
  PIN_WITHDRAWN,
  NOTICE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef struct
{
  TirkeuCertificate *certificate;
} SendData;

static void
send_data_free (SendData *data)
{
  g_clear_object (&data->certificate);
  g_free (data);
}

static void
set_state (TirkeuNewRequest      *self,
           TirkeuNewRequestState  state)
{
  gboolean was_busy = tirkeu_new_request_get_busy (self);

  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  if (was_busy != tirkeu_new_request_get_busy (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static TirkeuJournal *
journal_of (TirkeuNewRequest *self)
{
  return tirkeu_session_get_journal (self->session);
}

/* Draft */

static void
save_draft_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!tirkeu_journal_save_typed_draft_finish (TIRKEU_JOURNAL (object), result, &error))
    {
      if (task != NULL)
        g_task_return_error (task, error);
      else
        {
          if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            g_warning ("The draft could not be saved: %s", error->message);
          g_error_free (error);
        }
      return;
    }
  if (task != NULL)
    g_task_return_boolean (task, TRUE);
}

/* Saves the whole draft; @task, when given, completes once the journal has it. The journal
 * runs its jobs in order, so a save made later never loses to one made earlier. */
static void
save_draft (TirkeuNewRequest *self,
            GTask            *task)
{
  TirkeuJournal *journal = journal_of (self);

  if (journal == NULL || (task == NULL && tirkeu_draft_get_is_empty (self->draft))
      || self->state >= TIRKEU_NEW_REQUEST_STATE_SENDING)
    {
      if (task != NULL)
        g_task_return_boolean (task, TRUE);
      return;
    }
  self->draft_dropped = FALSE;
  tirkeu_journal_save_typed_draft_async (journal, self->draft, NULL, save_draft_cb, task);
}

static void
delete_draft_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!tirkeu_journal_delete_draft_finish (TIRKEU_JOURNAL (object), result, &error))
    g_warning ("The draft could not be deleted: %s", error->message);
}

/* A value counts for keeping the draft while it is being typed (not valid yet) or checked,
 * once it passed, or when its check could not reach the portal (nothing was judged). A
 * value the portal refused does not: alone, it would only be a junk draft on the desk. */
static gboolean
value_worth_keeping (const char   *typed,
                     const char   *checked,
                     gboolean      checking,
                     gboolean      passed,
                     const GError *error)
{
  if (typed == NULL || *typed == '\0')
    return FALSE;
  if (checked == NULL || checking || passed)
    return TRUE;
  return error != NULL && tirkeu_portal_error_is_transient (error);
}

/**
 * tirkeu_new_request_get_draft_worth_keeping:
 * @self: a #TirkeuNewRequest
 *
 * Whether the draft holds something to resume: a request the portal created (it must be
 * signed or withdrawn), a contract chosen, or a VIN or IIN that passed its check or is still
 * being typed or checked. A draft whose only values the portal refused (an unknown VIN, a
 * buyer not found, a vehicle with unpaid customs) is not kept in the journal.
 *
 * Returns: %TRUE if the draft is kept
 */
gboolean
tirkeu_new_request_get_draft_worth_keeping (TirkeuNewRequest *self)
{
  g_return_val_if_fail (TIRKEU_IS_NEW_REQUEST (self), FALSE);

  if (self->draft->portal_id != NULL || self->draft->contract_number != NULL)
    return TRUE;
  return value_worth_keeping (self->draft->vin, self->checked_vin,
                              self->vehicle_cancellable != NULL,
                              tirkeu_new_request_get_vehicle_passed (self), self->vehicle_error)
         || value_worth_keeping (self->draft->buyer_iin, self->checked_iin,
                                 self->buyer_cancellable != NULL,
                                 tirkeu_new_request_get_buyer_passed (self), self->buyer_error);
}

/* A check ended: a draft left with nothing but refused values leaves the journal. The
 * in-memory draft stays, so the page still shows what was typed; the next keystroke saves it
 * again (the journal runs its jobs in order). */
static void
drop_junk_draft (TirkeuNewRequest *self)
{
  TirkeuJournal *journal = journal_of (self);

  if (journal == NULL || self->draft_dropped || self->state != TIRKEU_NEW_REQUEST_STATE_EDITING
      || tirkeu_new_request_get_draft_worth_keeping (self))
    return;
  self->draft_dropped = TRUE;
  tirkeu_journal_delete_draft_async (journal, self->draft->id, NULL, delete_draft_cb, NULL);
}

static void
upsert_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!tirkeu_journal_upsert_requests_finish (TIRKEU_JOURNAL (object), result, &error))
    g_warning ("The request could not be stored: %s", error->message);
}

/* The portal holds @request in a stage past the seller's part (signed before, or withdrawn):
 * it is kept as a request and the draft is done. */
static void
finish_draft (TirkeuNewRequest *self,
              TirkeuRequest    *request)
{
  TirkeuJournal *journal = journal_of (self);
  g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func (g_object_unref);

  if (journal == NULL)
    return;
  g_ptr_array_add (batch, g_object_ref (request));
  tirkeu_journal_upsert_requests_async (journal, batch, NULL, NULL, upsert_cb, NULL);
  tirkeu_journal_delete_draft_async (journal, self->draft->id, NULL, delete_draft_cb, NULL);
}

/* GLib 2.74 has no g_set_str(): the same, for the draft's fields. */
static gboolean
set_str (char       **field,
         const char  *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

/* Checks */

static void start_contracts (TirkeuNewRequest *self);

static void
check_vehicle_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(TirkeuNewRequest) self = user_data;
  g_autoptr(GError) error = NULL;
  TirkeuPortalVehicleCheck *check;

  check = tirkeu_portal_client_check_vehicle_finish (TIRKEU_PORTAL_CLIENT (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->vehicle_cancellable);
  g_clear_pointer (&self->vehicle_check, tirkeu_portal_vehicle_check_free);
  g_clear_error (&self->vehicle_error);
  self->vehicle_check = check;
  self->vehicle_error = g_steal_pointer (&error);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VEHICLE_CHECK]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHECKING]);
}

static void
check_person_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(TirkeuNewRequest) self = user_data;
  g_autoptr(GError) error = NULL;
  TirkeuPortalPerson *person;

  person = tirkeu_portal_client_check_person_finish (TIRKEU_PORTAL_CLIENT (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->buyer_cancellable);
  g_clear_pointer (&self->person, tirkeu_portal_person_free);
  g_clear_error (&self->buyer_error);
  self->person = person;
  self->buyer_error = g_steal_pointer (&error);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PERSON]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHECKING]);
}

static void
find_contracts_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(TirkeuNewRequest) self = user_data;
  g_autoptr(GError) error = NULL;
  GPtrArray *contracts;

  contracts = tirkeu_portal_client_find_contracts_finish (TIRKEU_PORTAL_CLIENT (object), result,
                                                          &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->contracts_cancellable);
  g_clear_pointer (&self->contracts, g_ptr_array_unref);
  g_clear_error (&self->contracts_error);
  self->contracts = contracts;
  self->contracts_error = g_steal_pointer (&error);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONTRACTS]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHECKING]);
}

static void
clear_contracts (TirkeuNewRequest *self)
{
  gboolean had = self->contracts != NULL || self->contracts_error != NULL
                 || self->contracts_cancellable != NULL;

  g_cancellable_cancel (self->contracts_cancellable);
  g_clear_object (&self->contracts_cancellable);
  g_clear_pointer (&self->contracts, g_ptr_array_unref);
  g_clear_error (&self->contracts_error);
  if (had)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONTRACTS]);
}

/* Step 8 needs only the VIN and the IIN: it is asked as soon as both are valid, alongside
 * the checks of steps 2-7, not after them. */
static void
start_contracts (TirkeuNewRequest *self)
{
  if (self->checked_vin == NULL || self->checked_iin == NULL
      || self->contracts != NULL || self->contracts_cancellable != NULL)
    return;
  self->contracts_cancellable = g_cancellable_new ();
  tirkeu_portal_client_find_contracts_async (tirkeu_session_get_client (self->session),
                                             self->checked_vin, self->checked_iin,
                                             self->contracts_cancellable, find_contracts_cb,
                                             g_object_ref (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHECKING]);
}

static char *
parse_vin (const char *text)
{
  g_autofree char *normalized = tirkeu_vin_normalize (text != NULL ? text : "");
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  TirkeuVinInfo info;

  if (!tirkeu_vin_parse (normalized, (guint) g_date_time_get_year (now), &info, NULL))
    return NULL;
  return g_strdup (info.vin);
}

static char *
parse_iin (const char *text)
{
  g_autofree char *normalized = tirkeu_iin_normalize (text != NULL ? text : "");
  TirkeuIinInfo info;

  if (!tirkeu_iin_parse (normalized, &info, NULL))
    return NULL;
  return g_strdup (info.iin);
}

static gboolean
editable (TirkeuNewRequest *self)
{
  /* Once the portal created the request, its values are the portal's: signing another sale
   * under the same key would be refused as a conflict, and the VIN is taken. */
  return self->state == TIRKEU_NEW_REQUEST_STATE_EDITING && self->draft->portal_id == NULL;
}

static void
update_vin (TirkeuNewRequest *self)
{
  g_autofree char *vin = parse_vin (self->draft->vin);

  if (g_strcmp0 (vin, self->checked_vin) == 0)
    return;
  g_cancellable_cancel (self->vehicle_cancellable);
  g_clear_object (&self->vehicle_cancellable);
  g_clear_pointer (&self->vehicle_check, tirkeu_portal_vehicle_check_free);
  g_clear_error (&self->vehicle_error);
  g_free (self->checked_vin);
  self->checked_vin = g_steal_pointer (&vin);
  clear_contracts (self);
  if (self->checked_vin != NULL)
    {
      self->vehicle_cancellable = g_cancellable_new ();
      tirkeu_portal_client_check_vehicle_async (tirkeu_session_get_client (self->session),
                                                self->checked_vin, self->vehicle_cancellable,
                                                check_vehicle_cb, g_object_ref (self));
      start_contracts (self);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VEHICLE_CHECK]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHECKING]);
}

static void
update_iin (TirkeuNewRequest *self)
{
  g_autofree char *iin = parse_iin (self->draft->buyer_iin);

  if (g_strcmp0 (iin, self->checked_iin) == 0)
    return;
  g_cancellable_cancel (self->buyer_cancellable);
  g_clear_object (&self->buyer_cancellable);
  g_clear_pointer (&self->person, tirkeu_portal_person_free);
  g_clear_error (&self->buyer_error);
  g_free (self->checked_iin);
  self->checked_iin = g_steal_pointer (&iin);
  clear_contracts (self);
  if (self->checked_iin != NULL)
    {
      self->buyer_cancellable = g_cancellable_new ();
      tirkeu_portal_client_check_person_async (tirkeu_session_get_client (self->session),
                                               self->checked_iin, self->buyer_cancellable,
                                               check_person_cb, g_object_ref (self));
      start_contracts (self);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PERSON]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHECKING]);
}

/**
 * tirkeu_new_request_set_vin:
 * @vin: the VIN as typed
 *
 * Saves it to the draft as typed; a valid VIN is checked on the portal at once. Ignored once
 * the portal created the request.
 */
void
tirkeu_new_request_set_vin (TirkeuNewRequest *self,
                            const char       *vin)
{
  g_return_if_fail (TIRKEU_IS_NEW_REQUEST (self));

  if (!editable (self) || !set_str (&self->draft->vin, vin != NULL ? vin : ""))
    return;
  save_draft (self, NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DRAFT]);
  update_vin (self);
}

/**
 * tirkeu_new_request_set_buyer_iin:
 * @buyer_iin: the buyer's IIN as typed
 *
 * Saves it to the draft as typed; a valid IIN is checked in GBD FL at once.
 */
void
tirkeu_new_request_set_buyer_iin (TirkeuNewRequest *self,
                                  const char       *buyer_iin)
{
  g_return_if_fail (TIRKEU_IS_NEW_REQUEST (self));

  if (!editable (self) || !set_str (&self->draft->buyer_iin, buyer_iin != NULL ? buyer_iin : ""))
    return;
  save_draft (self, NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DRAFT]);
  update_iin (self);
}

/**
 * tirkeu_new_request_set_contract_number:
 * @contract_number: (nullable): the contract chosen
 */
void
tirkeu_new_request_set_contract_number (TirkeuNewRequest *self,
                                        const char       *contract_number)
{
  g_return_if_fail (TIRKEU_IS_NEW_REQUEST (self));

  if (contract_number != NULL && *contract_number == '\0')
    contract_number = NULL;
  if (!editable (self) || !set_str (&self->draft->contract_number, contract_number))
    return;
  save_draft (self, NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DRAFT]);
}

/* Step 9 */

/* What you see is what you sign: the payload the portal asks the seller to sign must name
 * the vehicle, the buyer, the contract and the seller the seller confirmed, in the contract's
 * canonical form (data/portal-api.yaml, Request.signing_payload). Anything else is refused
 * before the PIN is asked, so nothing is signed and nothing is sent. */
static gboolean
check_signing_payload (TirkeuNewRequest  *self,
                       GBytes            *payload,
                       GError           **error)
{
  const TirkeuPortalSeller *seller = tirkeu_session_get_seller (self->session);
  g_autofree char *vin = parse_vin (self->draft->vin);
  g_autofree char *iin = parse_iin (self->draft->buyer_iin);

  if (payload == NULL || g_bytes_get_size (payload) == 0)
    {
      g_set_error_literal (error, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_MALFORMED,
                           _("The portal gave nothing to sign"));
      return FALSE;
    }
  if (seller == NULL)
    {
      g_set_error_literal (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_NO_TOKEN,
                           _("Not signed in"));
      return FALSE;
    }
  return tirkeu_signing_payload_check (payload, vin, iin, self->draft->contract_number,
                                       seller->bin, error);
}

/* The PIN asked is no longer needed (the create failed, or its payload was refused): the
 * front end closes what asks it; a PIN already given is wiped unused. */
/* The person's time at the PIN prompt is not the portal's: the send's clock stops while
 * #TirkeuNewRequest::pin-needed waits for an answer (the create call may go on meanwhile,
 * under its own bound), and runs again once the PIN is given or no longer wanted. */
static void
pause_clock (TirkeuNewRequest *self,
             gboolean          paused)
{
  TirkeuPortalAction *action = tirkeu_portal_action_from_cancellable (self->send_action);

  if (action == NULL)
    return;
  if (paused)
    tirkeu_portal_action_pause (action);
  else
    tirkeu_portal_action_unpause (action);
}

static void
end_pin (TirkeuNewRequest *self)
{
  g_clear_pointer (&self->pending_pin, tirkeu_wipe_string);
  self->ready_to_sign = FALSE;
  if (self->pin_asked)
    {
      self->pin_asked = FALSE;
      pause_clock (self, FALSE);
      g_signal_emit (self, signals[PIN_WITHDRAWN], 0);
    }
}

/* The caller's Cancel stops the send's action, and every call under it. */
static void
send_caller_cancelled_cb (GCancellable *caller,
                          GCancellable *action)
{
  g_cancellable_cancel (action);
}

/* Starts the send's one deadline: the caller's own action if it gave one (the CLI's command),
 * else one of this send's own. */
static void
start_send_action (TirkeuNewRequest *self,
                   GCancellable     *cancellable)
{
  TirkeuPortalClient *client = tirkeu_session_get_client (self->session);

  if (tirkeu_portal_action_from_cancellable (cancellable) != NULL)
    {
      self->send_action = g_object_ref (cancellable);
      return;
    }
  self->send_action_owned = TRUE;
  /* A send makes a few small calls (OCSP, create, timestamp, submit), each normally answered
   * in well under a second; together they get the time one call may take, so that a portal
   * that answers each call just inside its bound cannot hold the clerk for each bound in
   * turn, and "did not answer within" says the time the clerk really waited. */
  self->send_action =
    G_CANCELLABLE (tirkeu_portal_action_new (tirkeu_portal_client_get_timeout_ms (client)));
  if (cancellable != NULL)
    {
      self->send_caller = g_object_ref (cancellable);
      self->send_caller_id = g_cancellable_connect (cancellable,
                                                    G_CALLBACK (send_caller_cancelled_cb),
                                                    g_object_ref (self->send_action),
                                                    g_object_unref);
    }
}

/* The send ended: its clock stops, and the calls still under way (none of the send's own)
 * no longer hear of the caller. */
static GTask *
end_send (TirkeuNewRequest *self)
{
  TirkeuPortalAction *action = tirkeu_portal_action_from_cancellable (self->send_action);

  if (self->send_caller != NULL)
    {
      g_cancellable_disconnect (self->send_caller, self->send_caller_id);
      self->send_caller_id = 0;
      g_clear_object (&self->send_caller);
    }
  /* A caller's action goes on with the caller (the CLI's next step), its clock running
   * again if the send ended while the PIN was asked; ours stops here. */
  if (self->pin_asked)
    pause_clock (self, FALSE);
  if (action != NULL && self->send_action_owned)
    tirkeu_portal_action_pause (action);
  self->send_action_owned = FALSE;
  g_clear_object (&self->send_action);
  return g_steal_pointer (&self->send_task);
}

static void
return_send_error_in (TirkeuNewRequest      *self,
                      GError                *error,
                      TirkeuNewRequestState  state)
{
  g_autoptr(GTask) task = NULL;

  /* The token and the journal know nothing of deadlines: their "cancelled" is said as the
   * time the send really waited. */
  tirkeu_portal_action_explain (self->send_action, &error);
  task = end_send (self);
  end_pin (self);
  g_clear_pointer (&self->signing_payload, g_bytes_unref);
  set_state (self, state);
  g_task_return_error (task, error);
}

static void
return_send_error (TirkeuNewRequest *self,
                   GError           *error)
{
  return_send_error_in (self, error, TIRKEU_NEW_REQUEST_STATE_EDITING);
}

static void
return_send_done (TirkeuNewRequest      *self,
                  TirkeuNewRequestState  state)
{
  g_autoptr(GTask) task = end_send (self);

  end_pin (self);
  g_clear_pointer (&self->signing_payload, g_bytes_unref);
  set_state (self, state);
  g_task_return_boolean (task, TRUE);
}

/* The PIN is asked as soon as the draft is saved, while the portal creates the request: the
 * clerk types it during the round trip instead of after it. */
static void
ask_pin (TirkeuNewRequest *self,
         const char       *error_message)
{
  SendData *data = g_task_get_task_data (self->send_task);

  self->pin_asked = TRUE;
  pause_clock (self, TRUE);
  set_state (self, self->ready_to_sign ? TIRKEU_NEW_REQUEST_STATE_AWAITING_PIN
                                       : TIRKEU_NEW_REQUEST_STATE_CREATING);
  g_signal_emit (self, signals[PIN_NEEDED], 0, data->certificate, error_message);
}

static void
outbox_send_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(TirkeuNewRequest) self = user_data;
  g_autoptr(TirkeuRequest) confirmed = NULL;
  GError *error = NULL;

  confirmed = tirkeu_outbox_send_finish (TIRKEU_OUTBOX (object), result, &error);
  if (self->send_task == NULL)
    {
      g_clear_error (&error);
      return;
    }
  if (confirmed != NULL)
    {
      g_set_object (&self->request, confirmed);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REQUEST]);
      return_send_done (self, TIRKEU_NEW_REQUEST_STATE_SENT);
      return;
    }
  /* Written to the outbox, not confirmed: the outbox sends it by itself, with the same key
   * and signature, and says so with TirkeuOutbox::sent. The send's time running out ends
   * only this wait (the outbox submits under its own cancellable): it is a timeout like any
   * other, and the request is queued, never dropped. */
  tirkeu_portal_action_explain (self->send_action, &error);
  if (error->domain != TIRKEU_STORE_ERROR && tirkeu_portal_error_is_transient (error))
    {
      g_clear_error (&error);
      return_send_done (self, TIRKEU_NEW_REQUEST_STATE_QUEUED);
      return;
    }
  /* Cancelled by the person, or the portal session ended with no PIN at hand to open
   * another: the outbox has the signed request all the same, and sends it by itself (at the
   * next sign-in), as TirkeuOutbox::sent then says. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
      || tirkeu_portal_error_wants_session (error))
    {
      return_send_error_in (self, error, TIRKEU_NEW_REQUEST_STATE_QUEUED);
      return;
    }
  return_send_error (self, error);
}

static void
set_notice (TirkeuNewRequest *self,
            const char       *notice)
{
  char *all;

  /* Each notice of a send is kept: a send without a status check may go without a
   * timestamp as well, and the person should know both. */
  all = self->notice != NULL ? g_strconcat (self->notice, "\n", notice, NULL) : g_strdup (notice);
  g_free (self->notice);
  self->notice = all;
  g_signal_emit (self, signals[NOTICE], 0, notice);
}

static void
submit_signed (TirkeuNewRequest *self,
               GBytes           *signature)
{
  TirkeuOutbox *outbox = tirkeu_session_get_outbox (self->session);

  if (outbox == NULL)
    {
      return_send_error (self, g_error_copy (self->journal_error));
      return;
    }
  tirkeu_request_set_seller_signature (self->request, signature);
  set_state (self, TIRKEU_NEW_REQUEST_STATE_SENDING);
  tirkeu_outbox_send_async (outbox, self->request, self->draft->id,
                            self->send_action, outbox_send_cb,
                            g_object_ref (self));
}

typedef struct
{
  TirkeuNewRequest *self;
  GBytes           *signature;
} TimestampData;

/* Without a timestamp the signature is still CAdES-BES, which the portal takes: the signed
 * request goes to the outbox as it is (never lost, never signed again), and the person is
 * told. Keeping it back for a later timestamp would hold a sale for a service the portal
 * does not require. */
static void
timestamp_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  TimestampData *data = user_data;
  g_autoptr(TirkeuNewRequest) self = data->self;
  g_autoptr(GBytes) signature = data->signature;
  g_autoptr(GBytes) stamped = NULL;
  g_autoptr(GError) error = NULL;

  g_free (data);
  stamped = tirkeu_signature_timestamp_finish (result, &error);
  if (self->send_task == NULL)
    return;
  self->timestamped = stamped != NULL;
  if (stamped == NULL)
    {
      g_autofree char *notice =
        g_strdup_printf (/* Translators: %s says why, e.g. "tsa.example.kz could not be
                          * reached: …" */
                         _("The signature could not be timestamped (%s). The request is sent "
                           "with the signature alone."), error->message);

      set_notice (self, notice);
    }
  submit_signed (self, stamped != NULL ? stamped : signature);
}

static void
timestamp_signature (TirkeuNewRequest *self,
                     GBytes           *signature)
{
  SendData *send = g_task_get_task_data (self->send_task);
  TimestampData *data = g_new0 (TimestampData, 1);

  data->self = g_object_ref (self);
  data->signature = g_bytes_ref (signature);
  tirkeu_signature_timestamp_async (self->config, tirkeu_session_get_client (self->session),
                                    send->certificate, signature,
                                    self->send_action, timestamp_cb,
                                    data);
}

static void
sign_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(TirkeuNewRequest) self = user_data;
  g_autoptr(GBytes) signature = NULL;
  GError *error = NULL;
  TirkeuOutbox *outbox;

  signature = tirkeu_session_sign_finish (TIRKEU_SESSION (object), result, &error);
  if (self->send_task == NULL)
    {
      g_clear_error (&error);
      return;
    }
  if (signature == NULL)
    {
      /* A wrong PIN is asked again, from the person: never retried with the same one. */
      if (tirkeu_token_error_is_wrong_pin (error))
        {
          g_autofree char *message = g_strdup (error->message);

          g_error_free (error);
          ask_pin (self, message);
          return;
        }
      return_send_error (self, error);
      return;
    }

  outbox = tirkeu_session_get_outbox (self->session);
  if (outbox == NULL)
    {
      return_send_error (self, g_error_copy (self->journal_error));
      return;
    }
  timestamp_signature (self, signature);
}

/**
 * tirkeu_new_request_give_pin:
 * @pin: the PIN the person has just typed (copied into the token's job only)
 *
 * Answers #TirkeuNewRequest::pin-needed: the token signs the portal's payload, at once or as
 * soon as the portal created the request and its payload is checked.
 */
void
tirkeu_new_request_give_pin (TirkeuNewRequest *self,
                             const char       *pin)
{
  SendData *data;

  g_return_if_fail (TIRKEU_IS_NEW_REQUEST (self));
  g_return_if_fail (pin != NULL);

  if (!self->pin_asked || self->send_task == NULL)
    return;
  self->pin_asked = FALSE;
  pause_clock (self, FALSE);
  if (!self->ready_to_sign)
    {
      /* Kept only until the portal's payload is checked, then used or wiped. */
      g_clear_pointer (&self->pending_pin, tirkeu_wipe_string);
      self->pending_pin = g_strdup (pin);
      return;
    }
  data = g_task_get_task_data (self->send_task);
  set_state (self, TIRKEU_NEW_REQUEST_STATE_SIGNING);
  tirkeu_session_sign_async (self->session, data->certificate, pin, self->signing_payload,
                             self->send_action, sign_cb,
                             g_object_ref (self));
}

/**
 * tirkeu_new_request_cancel_pin:
 *
 * Answers #TirkeuNewRequest::pin-needed: the person did not sign. The created request stays
 * in the draft, to be signed later with the same key, or withdrawn.
 */
void
tirkeu_new_request_cancel_pin (TirkeuNewRequest *self)
{
  g_return_if_fail (TIRKEU_IS_NEW_REQUEST (self));

  if (!self->pin_asked || self->send_task == NULL)
    return;
  self->pin_asked = FALSE;
  return_send_error (self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                _("The request was not signed")));
}

static void
create_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(TirkeuNewRequest) self = g_object_ref (g_task_get_source_object (task));
  g_autoptr(TirkeuPortalRequestInfo) info = NULL;
  g_autoptr(TirkeuRequest) request = NULL;
  GError *error = NULL;

  request = tirkeu_portal_client_create_request_finish (TIRKEU_PORTAL_CLIENT (object), result,
                                                        &info, &error);
  /* Kept even when the PIN was cancelled meanwhile: the draft knows its request. */
  if (request != NULL)
    {
      g_set_object (&self->request, request);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REQUEST]);
      if (set_str (&self->draft->portal_id, tirkeu_request_get_portal_id (request)))
        {
          save_draft (self, NULL);
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DRAFT]);
        }
    }
  if (self->send_task == NULL || self->send_task != task)
    {
      g_clear_error (&error);
      return;
    }
  if (request == NULL)
    {
      return_send_error (self, error);
      return;
    }

  /* The same key found a request signed earlier (an answer lost, a crash after the submit):
   * there is nothing left to sign. */
  if (!tirkeu_stage_awaits_signature (tirkeu_request_get_stage (request)))
    {
      TirkeuStage stage = tirkeu_request_get_stage (request);

      finish_draft (self, request);
      /* Withdrawn (from the requests list, or by the CLI) or ended otherwise before it was
       * submitted: this draft is done, and a new sale needs a new request. */
      if (tirkeu_stage_is_final (stage) && stage != TIRKEU_STAGE_COMPLETED)
        {
          g_autoptr(GTask) ended = end_send (self);

          end_pin (self);
          set_state (self, TIRKEU_NEW_REQUEST_STATE_WITHDRAWN);
          g_task_return_new_error (ended, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_CONFLICT,
                                   /* Translators: %s is the request's number on the portal */
                                   _("Request %s was withdrawn or has ended; start a new request "
                                     "for this sale."),
                                   tirkeu_request_get_portal_id (request));
          return;
        }
      return_send_done (self, TIRKEU_NEW_REQUEST_STATE_SENT);
      return;
    }

  g_clear_pointer (&self->signing_payload, g_bytes_unref);
  if (info != NULL && info->signing_payload != NULL)
    self->signing_payload = g_bytes_ref (info->signing_payload);
  if (!check_signing_payload (self, self->signing_payload, &error))
    {
      return_send_error (self, error);
      return;
    }
  self->ready_to_sign = TRUE;
  if (self->pending_pin != NULL)
    {
      SendData *data = g_task_get_task_data (self->send_task);

      set_state (self, TIRKEU_NEW_REQUEST_STATE_SIGNING);
      tirkeu_session_sign_async (self->session, data->certificate, self->pending_pin,
                                 self->signing_payload, self->send_action,
                                 sign_cb, g_object_ref (self));
      g_clear_pointer (&self->pending_pin, tirkeu_wipe_string);
    }
  else if (self->pin_asked)
    set_state (self, TIRKEU_NEW_REQUEST_STATE_AWAITING_PIN);
}

static void
saved_before_create_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  TirkeuNewRequest *self = TIRKEU_NEW_REQUEST (object);
  g_autofree char *vin = parse_vin (self->draft->vin);
  g_autofree char *iin = parse_iin (self->draft->buyer_iin);
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      /* The key is not kept: asking the portal now could make a request nobody can find. */
      if (self->send_task != NULL)
        return_send_error (self, error);
      else
        g_error_free (error);
      return;
    }
  if (self->send_task == NULL)
    return;
  tirkeu_portal_client_create_request_async (tirkeu_session_get_client (self->session),
                                             self->draft->idempotency_key, vin, iin,
                                             self->draft->contract_number,
                                             self->send_action, create_cb,
                                             g_object_ref (self->send_task));
  ask_pin (self, NULL);
}

static void
certificate_checked_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(TirkeuNewRequest) self = user_data;
  g_autoptr(GDateTime) revoked_at = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTask) save = NULL;
  TirkeuCertificateCheckStatus status;

  status = tirkeu_certificate_check_finish (result, &revoked_at, &error);
  if (self->send_task == NULL)
    return;
  self->certificate_status = status;
  self->certificate_checked = TRUE;

  switch (status)
    {
    case TIRKEU_CERTIFICATE_CHECK_GOOD:
      break;
    case TIRKEU_CERTIFICATE_CHECK_REVOKED:
      if (revoked_at != NULL)
        {
          g_autoptr(GDateTime) local = g_date_time_to_local (revoked_at);
          g_autofree char *date = tirkeu_format_date (local);

          return_send_error (self, g_error_new (TIRKEU_TOKEN_ERROR,
                                                TIRKEU_TOKEN_ERROR_CERTIFICATE_REVOKED,
                                                /* Translators: %s is a date, 23.11.2027 */
                                                _("The certificate was revoked by the "
                                                  "certification authority on %s: it can no "
                                                  "longer sign. Get a new key from the "
                                                  "national certification authority (NCA)"),
                                                date));
        }
      else
        return_send_error (self, g_error_new_literal (TIRKEU_TOKEN_ERROR,
                                                      TIRKEU_TOKEN_ERROR_CERTIFICATE_REVOKED,
                                                      tirkeu_token_error_to_message (
                                                        TIRKEU_TOKEN_ERROR_CERTIFICATE_REVOKED)));
      return;
    case TIRKEU_CERTIFICATE_CHECK_UNKNOWN:
      {
        TirkeuTokenError code = TIRKEU_TOKEN_ERROR_CERTIFICATE_STATUS_UNKNOWN;

        return_send_error (self, g_error_new_literal (TIRKEU_TOKEN_ERROR, code,
                                                      tirkeu_token_error_to_message (code)));
      }
      return;
    case TIRKEU_CERTIFICATE_CHECK_UNREACHABLE:
    default:
      /* The send's time ran out or the person cancelled: that is the answer, not "the
       * responder could not be reached". */
      if (g_cancellable_is_cancelled (self->send_action))
        {
          return_send_error (self, tirkeu_portal_action_cancelled_error (self->send_action));
          return;
        }
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          return_send_error (self, g_steal_pointer (&error));
          return;
        }
      if (tirkeu_certificate_check_should_stop (self->config))
        {
          return_send_error (self, g_error_new (TIRKEU_TOKEN_ERROR,
                                                TIRKEU_TOKEN_ERROR_CERTIFICATE_STATUS_UNCHECKED,
                                                "%s (%s)",
                                                tirkeu_token_error_to_message (
                                                  TIRKEU_TOKEN_ERROR_CERTIFICATE_STATUS_UNCHECKED),
                                                error->message));
          return;
        }
      {
        g_autofree char *notice =
          g_strdup_printf (/* Translators: %s says why, e.g. "127.0.0.1 could not be
                            * reached: …" */
                           _("The certificate's status could not be checked (%s). Signing "
                             "goes on, as the settings allow."), error->message);

        set_notice (self, notice);
      }
      break;
    }

  /* The key reaches the disk before the portal hears of it. */
  save = g_task_new (self, NULL, saved_before_create_cb, NULL);
  save_draft (self, g_steal_pointer (&save));
}

/**
 * tirkeu_new_request_send_async:
 * @certificate: the SIGN certificate to sign with
 *
 * Checks @certificate by OCSP first (tirkeu_certificate_check_async()): revoked or unknown
 * ends here with a %TIRKEU_TOKEN_ERROR and the PIN is never asked; a check without an answer
 * follows the ocsp-unreachable setting (stop: an error; continue: a
 * #TirkeuNewRequest::notice). Then saves the draft with its key, has the portal create the
 * request (or find the one that key created before), asks the PIN
 * (#TirkeuNewRequest::pin-needed), signs, has the signature timestamped (CAdES-T; without
 * a timestamp the CAdES-BES signature goes on, with a notice), and submits through the
 * outbox. A created request that is not signed in the end (the PIN cancelled, the token
 * failed) stays in the draft, and the next call signs the same request. While the PIN is
 * asked, tirkeu_new_request_cancel_pin() ends the send.
 *
 * The send is one user action with one deadline (a #TirkeuPortalAction), every call and
 * retry included: @cancellable itself when it is an action, else one of the send's own with
 * the time one portal call may take (#TirkeuPortalClient:timeout-ms), which cancelling
 * @cancellable stops. Its clock stops while #TirkeuNewRequest::pin-needed waits for the
 * person. When the time runs out before the request is signed, the send ends with
 * %TIRKEU_PORTAL_CODE_TIMEOUT saying the time really waited (the draft keeps its key and its
 * created request); once signed, the request is in the outbox, which goes on submitting it
 * under its own schedule, and the send ends as queued (#TirkeuNewRequest:state QUEUED).
 */
void
tirkeu_new_request_send_async (TirkeuNewRequest    *self,
                               TirkeuCertificate   *certificate,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *vin = NULL;
  g_autofree char *iin = NULL;
  SendData *data;

  g_return_if_fail (TIRKEU_IS_NEW_REQUEST (self));
  g_return_if_fail (TIRKEU_IS_CERTIFICATE (certificate));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tirkeu_new_request_send_async);
  if (self->send_task != NULL || self->state != TIRKEU_NEW_REQUEST_STATE_EDITING)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               _("The request is already being sent"));
      return;
    }
  if (!tirkeu_new_request_get_can_sign (self))
    {
      g_task_return_error (task, g_error_copy (self->journal_error));
      return;
    }
  vin = parse_vin (self->draft->vin);
  iin = parse_iin (self->draft->buyer_iin);
  if (vin == NULL || iin == NULL || self->draft->contract_number == NULL)
    {
      g_task_return_new_error (task, TIRKEU_INPUT_ERROR, TIRKEU_INPUT_ERROR_EMPTY,
                               _("The VIN, the buyer’s IIN and the contract are needed"));
      return;
    }

  data = g_new0 (SendData, 1);
  data->certificate = g_object_ref (certificate);
  g_task_set_task_data (task, data, (GDestroyNotify) send_data_free);
  /* What the send ends with is its own answer: a queued request, or the time it waited,
   * even when the caller's action ran out. */
  g_task_set_check_cancellable (task, FALSE);
  self->send_task = g_steal_pointer (&task);
  start_send_action (self, cancellable);
  /* before the state moves: a listener reads a new send's notices only */
  g_clear_pointer (&self->notice, g_free);
  set_state (self, TIRKEU_NEW_REQUEST_STATE_CREATING);
  self->certificate_checked = FALSE;
  self->timestamped = FALSE;

  /* The certificate's status comes first: a revoked key must not be offered a PIN. */
  tirkeu_certificate_check_async (self->config, tirkeu_session_get_client (self->session),
                                  certificate, self->send_action,
                                  certificate_checked_cb, g_object_ref (self));
}

/**
 * tirkeu_new_request_send_finish:
 *
 * Returns: %TRUE if the portal has the signed request (#TirkeuNewRequest:state is SENT) or the
 *   outbox keeps it until the portal can be reached (QUEUED)
 */
gboolean
tirkeu_new_request_send_finish (TirkeuNewRequest  *self,
                                GAsyncResult      *result,
                                GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Withdraw */

static void
withdraw_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TirkeuNewRequest *self = g_task_get_source_object (task);
  g_autoptr(TirkeuRequest) withdrawn = NULL;
  GError *error = NULL;

  withdrawn = tirkeu_portal_client_withdraw_finish (TIRKEU_PORTAL_CLIENT (object), result, NULL,
                                                    &error);
  if (withdrawn == NULL)
    {
      set_state (self, TIRKEU_NEW_REQUEST_STATE_EDITING);
      g_task_return_error (task, error);
      return;
    }
  g_set_object (&self->request, withdrawn);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REQUEST]);
  finish_draft (self, withdrawn);
  set_state (self, TIRKEU_NEW_REQUEST_STATE_WITHDRAWN);
  g_task_return_boolean (task, TRUE);
}

/**
 * tirkeu_new_request_withdraw_async:
 *
 * Withdraws the request the portal created for this draft (signed or not, until the buyer
 * approved it: tirkeu_stage_seller_may_withdraw()); the draft is then done.
 */
void
tirkeu_new_request_withdraw_async (TirkeuNewRequest    *self,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  const char *portal_id;

  g_return_if_fail (TIRKEU_IS_NEW_REQUEST (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tirkeu_new_request_withdraw_async);
  portal_id = self->request != NULL ? tirkeu_request_get_portal_id (self->request)
                                    : self->draft->portal_id;
  if (portal_id == NULL)
    {
      g_task_return_new_error (task, TIRKEU_STORE_ERROR, TIRKEU_STORE_ERROR_NOT_FOUND,
                               _("The portal has not created this request"));
      return;
    }
  if (self->state != TIRKEU_NEW_REQUEST_STATE_EDITING
      && self->state != TIRKEU_NEW_REQUEST_STATE_QUEUED
      && self->state != TIRKEU_NEW_REQUEST_STATE_SENT)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               _("The request is being sent"));
      return;
    }
  set_state (self, TIRKEU_NEW_REQUEST_STATE_SENDING);
  tirkeu_portal_client_withdraw_async (tirkeu_session_get_client (self->session), portal_id,
                                       cancellable, withdraw_cb, g_steal_pointer (&task));
}

gboolean
tirkeu_new_request_withdraw_finish (TirkeuNewRequest  *self,
                                    GAsyncResult      *result,
                                    GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Drafts */

static void
list_drafts_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GPtrArray *drafts;
  GError *error = NULL;

  /* built on the journal's thread; a draft without a valid key is left out there */
  drafts = tirkeu_journal_list_typed_drafts_finish (TIRKEU_JOURNAL (object), result, &error);
  if (drafts == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, drafts, (GDestroyNotify) g_ptr_array_unref);
}

/**
 * tirkeu_new_request_list_drafts_async:
 * @journal: the journal
 *
 * Lists the unfinished drafts, the latest first: those being typed and those the portal
 * created that wait for a signature (tirkeu_draft_get_is_created()).
 */
void
tirkeu_new_request_list_drafts_async (TirkeuJournal       *journal,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (TIRKEU_IS_JOURNAL (journal));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, tirkeu_new_request_list_drafts_async);
  tirkeu_journal_list_typed_drafts_async (journal, cancellable, list_drafts_cb, task);
}

/**
 * tirkeu_new_request_list_drafts_finish:
 *
 * Returns: (transfer container) (element-type TirkeuDraft): the drafts
 */
GPtrArray *
tirkeu_new_request_list_drafts_finish (GAsyncResult  *result,
                                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
load_draft_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GVariant) fields = NULL;
  GError *error = NULL;
  TirkeuDraft *draft;

  fields = tirkeu_journal_load_draft_finish (TIRKEU_JOURNAL (object), result, &error);
  if (fields == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  /* A draft whose key is lost (a damaged journal) is not resumed under a new key: the
   * portal may hold the request made with the old one. */
  draft = tirkeu_draft_new_from_fields (g_task_get_task_data (task), 0, fields, &error);
  if (draft == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, draft, (GDestroyNotify) tirkeu_draft_free);
}

/**
 * tirkeu_new_request_load_draft_async:
 * @journal: the journal that keeps the draft
 * @draft_id: the draft's id
 *
 * Reads one unfinished draft back, to be resumed with tirkeu_new_request_new().
 */
void
tirkeu_new_request_load_draft_async (TirkeuJournal       *journal,
                                     const char          *draft_id,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (TIRKEU_IS_JOURNAL (journal));
  g_return_if_fail (draft_id != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, tirkeu_new_request_load_draft_async);
  g_task_set_task_data (task, g_strdup (draft_id), g_free);
  tirkeu_journal_load_draft_async (journal, draft_id, cancellable, load_draft_cb, task);
}

/**
 * tirkeu_new_request_load_draft_finish:
 *
 * Returns: (transfer full): the draft, or %NULL with @error set (not in the journal, or
 *   damaged: its Idempotency-Key lost)
 */
TirkeuDraft *
tirkeu_new_request_load_draft_finish (GAsyncResult  *result,
                                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Object */

static void
outbox_sent_cb (TirkeuNewRequest *self,
                TirkeuRequest    *request)
{
  if (self->state == TIRKEU_NEW_REQUEST_STATE_QUEUED
      && g_strcmp0 (tirkeu_request_get_idempotency_key (request),
                    self->draft->idempotency_key) == 0)
    {
      g_set_object (&self->request, request);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REQUEST]);
      set_state (self, TIRKEU_NEW_REQUEST_STATE_SENT);
    }
}

static void
journal_changed_cb (TirkeuNewRequest *self)
{
  TirkeuOutbox *outbox = tirkeu_session_get_outbox (self->session);

  if (outbox != NULL)
    g_signal_connect_object (outbox, "sent", G_CALLBACK (outbox_sent_cb), self,
                             G_CONNECT_SWAPPED);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_SIGN]);
}

static void
tirkeu_new_request_dispose (GObject *object)
{
  TirkeuNewRequest *self = TIRKEU_NEW_REQUEST (object);

  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->vehicle_cancellable);
  g_cancellable_cancel (self->buyer_cancellable);
  g_cancellable_cancel (self->contracts_cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->vehicle_cancellable);
  g_clear_object (&self->buyer_cancellable);
  g_clear_object (&self->contracts_cancellable);
  g_clear_object (&self->request);
  g_clear_object (&self->session);
  g_clear_object (&self->config);

  G_OBJECT_CLASS (tirkeu_new_request_parent_class)->dispose (object);
}

static void
tirkeu_new_request_finalize (GObject *object)
{
  TirkeuNewRequest *self = TIRKEU_NEW_REQUEST (object);

  g_assert (self->send_task == NULL);
  g_clear_pointer (&self->pending_pin, tirkeu_wipe_string);
  g_clear_pointer (&self->draft, tirkeu_draft_free);
  g_clear_pointer (&self->vehicle_check, tirkeu_portal_vehicle_check_free);
  g_clear_pointer (&self->person, tirkeu_portal_person_free);
  g_clear_pointer (&self->contracts, g_ptr_array_unref);
  g_clear_pointer (&self->signing_payload, g_bytes_unref);
  g_clear_error (&self->vehicle_error);
  g_clear_error (&self->buyer_error);
  g_clear_error (&self->contracts_error);
  g_clear_error (&self->journal_error);
  g_free (self->checked_vin);
  g_free (self->checked_iin);
  g_free (self->notice);

  G_OBJECT_CLASS (tirkeu_new_request_parent_class)->finalize (object);
}

static void
tirkeu_new_request_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  TirkeuNewRequest *self = TIRKEU_NEW_REQUEST (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    case PROP_DRAFT:
      g_value_set_boxed (value, self->draft);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_BUSY:
      g_value_set_boolean (value, tirkeu_new_request_get_busy (self));
      break;
    case PROP_CAN_SIGN:
      g_value_set_boolean (value, tirkeu_new_request_get_can_sign (self));
      break;
    case PROP_REQUEST:
      g_value_set_object (value, self->request);
      break;
    case PROP_VEHICLE_CHECK:
      g_value_set_boxed (value, self->vehicle_check);
      break;
    case PROP_PERSON:
      g_value_set_boxed (value, self->person);
      break;
    case PROP_CONTRACTS:
      g_value_set_boxed (value, self->contracts);
      break;
    case PROP_CHECKING:
      g_value_set_boolean (value, tirkeu_new_request_get_checking (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tirkeu_new_request_class_init (TirkeuNewRequestClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tirkeu_new_request_dispose;
  object_class->finalize = tirkeu_new_request_finalize;
  object_class->get_property = tirkeu_new_request_get_property;

  /**
   * TirkeuNewRequest:session:
   *
   * The signed-in session: its portal client, token, journal and outbox.
   */
  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, TIRKEU_TYPE_SESSION,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * TirkeuNewRequest:draft:
   *
   * The values as typed, the Idempotency-Key, and the portal's id once it created the request.
   */
  properties[PROP_DRAFT] =
    g_param_spec_boxed ("draft", NULL, NULL, TIRKEU_TYPE_DRAFT,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * TirkeuNewRequest:state:
   *
   * Where step 9 stands.
   */
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, TIRKEU_TYPE_NEW_REQUEST_STATE,
                       TIRKEU_NEW_REQUEST_STATE_EDITING,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * TirkeuNewRequest:busy:
   *
   * Creating, signing or sending: the values cannot change and the page cannot be left.
   */
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * TirkeuNewRequest:can-sign:
   *
   * Whether the journal is open, so that what is signed can be kept.
   */
  properties[PROP_CAN_SIGN] =
    g_param_spec_boolean ("can-sign", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * TirkeuNewRequest:request:
   *
   * The request once the portal created it, then as it confirmed it.
   */
  properties[PROP_REQUEST] =
    g_param_spec_object ("request", NULL, NULL, TIRKEU_TYPE_REQUEST,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * TirkeuNewRequest:vehicle-check:
   *
   * Steps 2-5 for the checked VIN, %NULL while unknown (see tirkeu_new_request_get_vehicle_error()).
   */
  properties[PROP_VEHICLE_CHECK] =
    g_param_spec_boxed ("vehicle-check", NULL, NULL, TIRKEU_TYPE_PORTAL_VEHICLE_CHECK,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * TirkeuNewRequest:person:
   *
   * Steps 6-7 for the checked IIN, %NULL while unknown.
   */
  properties[PROP_PERSON] =
    g_param_spec_boxed ("person", NULL, NULL, TIRKEU_TYPE_PORTAL_PERSON,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * TirkeuNewRequest:contracts:
   *
   * Step 8: the contracts of the checked VIN and IIN, %NULL while unknown.
   */
  properties[PROP_CONTRACTS] =
    g_param_spec_boxed ("contracts", NULL, NULL, G_TYPE_PTR_ARRAY,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * TirkeuNewRequest:checking:
   *
   * Whether a check of steps 2-8 is under way.
   */
  properties[PROP_CHECKING] =
    g_param_spec_boolean ("checking", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TirkeuNewRequest::pin-needed:
   * @certificate: the #TirkeuCertificate that will sign
   * @error_message: (nullable): why the last PIN was refused, %NULL the first time
   *
   * Ask the person for the PIN now (while the portal creates the request) and answer with
   * tirkeu_new_request_give_pin() or tirkeu_new_request_cancel_pin(), at once or later.
   * Nothing is signed before the portal's payload was checked against what the seller
   * confirmed; #TirkeuNewRequest::pin-withdrawn says when the PIN is no longer needed.
   */
  signals[PIN_NEEDED] =
    g_signal_new ("pin-needed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 2, TIRKEU_TYPE_CERTIFICATE, G_TYPE_STRING);

  /**
   * TirkeuNewRequest::pin-withdrawn:
   *
   * The PIN asked is no longer needed: the portal did not create the request, or its
   * payload was refused. Close what asks for it; a PIN given meanwhile was wiped unused.
   */
  signals[PIN_WITHDRAWN] =
    g_signal_new ("pin-withdrawn", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 0);

  /**
   * TirkeuNewRequest::notice:
   * @message: what the person should know, translated
   *
   * Something went differently than it should, but the request goes on: the certificate's
   * status could not be checked (and the settings let signing go on), or no timestamp could
   * be had (the signature goes without it). tirkeu_new_request_get_notice() keeps them all.
   */
  signals[NOTICE] =
    g_signal_new ("notice", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
tirkeu_new_request_init (TirkeuNewRequest *self)
{
  self->cancellable = g_cancellable_new ();
  self->journal_error = g_error_new_literal (TIRKEU_STORE_ERROR, TIRKEU_STORE_ERROR_OPEN,
                                             _("The local journal is not open, so a signed "
                                               "request could not be kept until the portal "
                                               "confirms it: nothing is signed until Tirkeu "
                                               "can open it."));
}

/**
 * tirkeu_new_request_new:
 * @session: the session
 * @draft: (nullable): a draft to resume (copied), %NULL for a new request
 *
 * The checks of a resumed draft start at once from its values.
 *
 * Returns: (transfer full): a new #TirkeuNewRequest
 */
TirkeuNewRequest *
tirkeu_new_request_new (TirkeuSession     *session,
                        const TirkeuDraft *draft)
{
  TirkeuNewRequest *self;

  g_return_val_if_fail (TIRKEU_IS_SESSION (session), NULL);

  self = g_object_new (TIRKEU_TYPE_NEW_REQUEST, NULL);
  self->session = g_object_ref (session);
  self->draft = draft != NULL ? tirkeu_draft_copy (draft) : tirkeu_draft_new (NULL);
  g_signal_connect_object (session, "notify::journal", G_CALLBACK (journal_changed_cb), self,
                           G_CONNECT_SWAPPED);
  /* Each check that ends says so through :checking: the draft is kept or dropped then. */
  g_signal_connect (self, "notify::checking", G_CALLBACK (drop_junk_draft), NULL);
  if (tirkeu_session_get_outbox (session) != NULL)
    g_signal_connect_object (tirkeu_session_get_outbox (session), "sent",
                             G_CALLBACK (outbox_sent_cb), self, G_CONNECT_SWAPPED);
  if (tirkeu_session_get_state (session) == TIRKEU_SESSION_STATE_SIGNED_IN)
    {
      update_vin (self);
      update_iin (self);
    }
  return self;
}

TirkeuSession *
tirkeu_new_request_get_session (TirkeuNewRequest *self)
{
  g_return_val_if_fail (TIRKEU_IS_NEW_REQUEST (self), NULL);
  return self->session;
}

/**
 * tirkeu_new_request_get_draft:
 *
 * Returns: (transfer none): the draft as last typed
 */
const TirkeuDraft *
tirkeu_new_request_get_draft (TirkeuNewRequest *self)
{
  g_return_val_if_fail (TIRKEU_IS_NEW_REQUEST (self), NULL);
  return self->draft;
}

TirkeuNewRequestState
tirkeu_new_request_get_state (TirkeuNewRequest *self)
{
  g_return_val_if_fail (TIRKEU_IS_NEW_REQUEST (self), TIRKEU_NEW_REQUEST_STATE_EDITING);
  return self->state;
}

gboolean
tirkeu_new_request_get_busy (TirkeuNewRequest *self)
{
  g_return_val_if_fail (TIRKEU_IS_NEW_REQUEST (self), FALSE);
  return self->state >= TIRKEU_NEW_REQUEST_STATE_CREATING
         && self->state <= TIRKEU_NEW_REQUEST_STATE_SENDING;
}

/**
 * tirkeu_new_request_get_can_sign:
 *
 * Returns: %TRUE if the journal is open: what is signed can be kept until the portal has it
 */
gboolean
tirkeu_new_request_get_can_sign (TirkeuNewRequest *self)
{
  g_return_val_if_fail (TIRKEU_IS_NEW_REQUEST (self), FALSE);
  return tirkeu_session_get_journal (self->session) != NULL
         && tirkeu_session_get_outbox (self->session) != NULL;
}

/**
 * tirkeu_new_request_get_journal_error:
 *
 * Returns: (nullable): why nothing can be signed, %NULL when the journal is open
 */
const GError *
tirkeu_new_request_get_journal_error (TirkeuNewRequest *self)
{
  g_return_val_if_fail (TIRKEU_IS_NEW_REQUEST (self), NULL);
  return tirkeu_new_request_get_can_sign (self) ? NULL : self->journal_error;
}

/**
 * tirkeu_new_request_get_request:
 *
 * Returns: (transfer none) (nullable): the request once the portal created it
 */
TirkeuRequest *
tirkeu_new_request_get_request (TirkeuNewRequest *self)
{
  g_return_val_if_fail (TIRKEU_IS_NEW_REQUEST (self), NULL);
  return self->request;
}

/**
 * tirkeu_new_request_get_checked_vin:
 *
 * Returns: (nullable): the VIN being checked, normalized; %NULL while the typed one is invalid
 */
const char *
tirkeu_new_request_get_checked_vin (TirkeuNewRequest *self)
{
  g_return_val_if_fail (TIRKEU_IS_NEW_REQUEST (self), NULL);
  return self->checked_vin;
}

/**
 * tirkeu_new_request_get_checked_iin:
 *
 * Returns: (nullable): the IIN being checked; %NULL while the typed one is invalid
 */
const char *
tirkeu_new_request_get_checked_iin (TirkeuNewRequest *self)
{
  g_return_val_if_fail (TIRKEU_IS_NEW_REQUEST (self), NULL);
  return self->checked_iin;
}

/**
 * tirkeu_new_request_get_vehicle_check:
 *
 * Returns: (nullable) (transfer none): the portal's answer for the checked VIN
 */
const TirkeuPortalVehicleCheck *
tirkeu_new_request_get_vehicle_check (TirkeuNewRequest *self)
{
  g_return_val_if_fail (TIRKEU_IS_NEW_REQUEST (self), NULL);
  return self->vehicle_check;
}

/**
 * tirkeu_new_request_get_vehicle_error:
 *
 * Returns: (nullable): why the vehicle could not be checked
 */
const GError *
tirkeu_new_request_get_vehicle_error (TirkeuNewRequest *self)
{
  g_return_val_if_fail (TIRKEU_IS_NEW_REQUEST (self), NULL);
  return self->vehicle_error;
}

/**
 * tirkeu_new_request_get_vehicle_passed:
 *
 * Returns: %TRUE if steps 2-5 passed for the checked VIN
 */
gboolean
tirkeu_new_request_get_vehicle_passed (TirkeuNewRequest *self)
{
  g_return_val_if_fail (TIRKEU_IS_NEW_REQUEST (self), FALSE);
  return self->vehicle_check != NULL && self->vehicle_check->stopped_at_step == 0;
}

/**
 * tirkeu_new_request_get_person:
 *
 * Returns: (nullable) (transfer none): the buyer as GBD FL knows them
 */
const TirkeuPortalPerson *
tirkeu_new_request_get_person (TirkeuNewRequest *self)
{
  g_return_val_if_fail (TIRKEU_IS_NEW_REQUEST (self), NULL);
  return self->person;
}

/**
 * tirkeu_new_request_get_buyer_error:
 *
 * Returns: (nullable): why the buyer could not be checked
 */
const GError *
tirkeu_new_request_get_buyer_error (TirkeuNewRequest *self)
{
  g_return_val_if_fail (TIRKEU_IS_NEW_REQUEST (self), NULL);
  return self->buyer_error;
}

/**
 * tirkeu_new_request_get_buyer_passed:
 *
 * Returns: %TRUE if steps 6-7 passed: the buyer is an active person in GBD FL
 */
gboolean
tirkeu_new_request_get_buyer_passed (TirkeuNewRequest *self)
{
  g_return_val_if_fail (TIRKEU_IS_NEW_REQUEST (self), FALSE);
  return self->person != NULL && self->person->status == TIRKEU_PORTAL_PERSON_ACTIVE;
}

/**
 * tirkeu_new_request_get_contracts:
 *
 * Returns: (nullable) (transfer none) (element-type TirkeuPortalContract): the contracts found
 */
GPtrArray *
tirkeu_new_request_get_contracts (TirkeuNewRequest *self)
{
  g_return_val_if_fail (TIRKEU_IS_NEW_REQUEST (self), NULL);
  return self->contracts;
}

/**
 * tirkeu_new_request_get_contracts_error:
 *
 * Returns: (nullable): why no contract could be looked up
 */
const GError *
tirkeu_new_request_get_contracts_error (TirkeuNewRequest *self)
{
  g_return_val_if_fail (TIRKEU_IS_NEW_REQUEST (self), NULL);
  return self->contracts_error;
}

/**
 * tirkeu_new_request_get_contract:
 *
 * Returns: (nullable) (transfer none): the chosen contract among those found
 */
const TirkeuPortalContract *
tirkeu_new_request_get_contract (TirkeuNewRequest *self)
{
  g_return_val_if_fail (TIRKEU_IS_NEW_REQUEST (self), NULL);

  for (guint i = 0; self->contracts != NULL && i < self->contracts->len; i++)
    {
      TirkeuPortalContract *contract = g_ptr_array_index (self->contracts, i);

      if (g_strcmp0 (contract->contract->number, self->draft->contract_number) == 0)
        return contract;
    }
  return NULL;
}

/**
 * tirkeu_new_request_get_checking:
 *
 * Returns: %TRUE while a check of steps 2-8 is under way
 */
gboolean
tirkeu_new_request_get_checking (TirkeuNewRequest *self)
{
  g_return_val_if_fail (TIRKEU_IS_NEW_REQUEST (self), FALSE);
  return self->vehicle_cancellable != NULL || self->buyer_cancellable != NULL
         || self->contracts_cancellable != NULL;
}

/**
 * tirkeu_new_request_get_vehicle_checking:
 *
 * Returns: %TRUE while the portal checks the vehicle (steps 2-5)
 */
gboolean
tirkeu_new_request_get_vehicle_checking (TirkeuNewRequest *self)
{
  g_return_val_if_fail (TIRKEU_IS_NEW_REQUEST (self), FALSE);
  return self->vehicle_cancellable != NULL;
}

/**
 * tirkeu_new_request_get_buyer_checking:
 *
 * Returns: %TRUE while GBD FL checks the buyer (steps 6-7)
 */
gboolean
tirkeu_new_request_get_buyer_checking (TirkeuNewRequest *self)
{
  g_return_val_if_fail (TIRKEU_IS_NEW_REQUEST (self), FALSE);
  return self->buyer_cancellable != NULL;
}

/**
 * tirkeu_new_request_get_contracts_checking:
 *
 * Returns: %TRUE while the contracts are looked up (step 8)
 */
gboolean
tirkeu_new_request_get_contracts_checking (TirkeuNewRequest *self)
{
  g_return_val_if_fail (TIRKEU_IS_NEW_REQUEST (self), FALSE);
  return self->contracts_cancellable != NULL;
}

/**
 * tirkeu_new_request_set_config:
 * @config: (nullable): the configuration to follow (OCSP and timestamp addresses, what to
 *   do when the status cannot be checked); %NULL for the installed settings
 */
void
tirkeu_new_request_set_config (TirkeuNewRequest *self,
                               TirkeuConfig     *config)
{
  g_return_if_fail (TIRKEU_IS_NEW_REQUEST (self));
  g_return_if_fail (config == NULL || TIRKEU_IS_CONFIG (config));
  g_set_object (&self->config, config);
}

/**
 * tirkeu_new_request_get_notice:
 *
 * Returns: (nullable): the notices (#TirkeuNewRequest::notice) of the current or last send,
 *   one a line, %NULL when there were none
 */
const char *
tirkeu_new_request_get_notice (TirkeuNewRequest *self)
{
  g_return_val_if_fail (TIRKEU_IS_NEW_REQUEST (self), NULL);
  return self->notice;
}

/**
 * tirkeu_new_request_get_certificate_status:
 * @checked: (out) (optional): whether the status was asked in the current or last send
 *
 * Returns: the signer's certificate status found before signing
 */
TirkeuCertificateCheckStatus
tirkeu_new_request_get_certificate_status (TirkeuNewRequest *self,
                                           gboolean         *checked)
{
  g_return_val_if_fail (TIRKEU_IS_NEW_REQUEST (self), TIRKEU_CERTIFICATE_CHECK_UNREACHABLE);
  if (checked != NULL)
    *checked = self->certificate_checked;
  return self->certificate_status;
}

/**
 * tirkeu_new_request_get_timestamped:
 *
 * Returns: %TRUE if the signature sent is CAdES-T (it carries a verified timestamp)
 */
gboolean
tirkeu_new_request_get_timestamped (TirkeuNewRequest *self)
{
  g_return_val_if_fail (TIRKEU_IS_NEW_REQUEST (self), FALSE);
  return self->timestamped;
}
