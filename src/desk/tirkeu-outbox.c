/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "tirkeu-outbox.h"
#include "tirkeu-portal-error.h"
#include "tirkeu-portal-json.h"
#include "tirkeu-store-error.h"

/**
 * TirkeuOutbox:
 *
 * Signed requests on their way to the portal. A request is written to the journal's outbox (and its draft deleted, in one transaction) before it is submitted; it
 * leaves the outbox only when the portal confirmed it. A submission that failed for a
 * transient reason (no network, timeout, the portal unavailable) stays and is retried when
 * #GNetworkMonitor says the network is back, and on a back-off schedule meanwhile: the first
 * retry after #TirkeuOutbox:retry-ms, each next one after twice the wait of the one before,
 * up to ten minutes.
 *
 * tirkeu_outbox_retry_now() (the "Retry" button) tries every entry at once, outside that
 * schedule: a manual try that fails is not a step of the back-off, so the next automatic try
 * keeps its time and its wait; pressing Retry while offline never makes the wait longer.
 *
 * A submission the portal refused for want of a session (it ended, and no PIN was at hand
 * to open another) is not the request's fault: it is due again at once, and goes as soon as
 * someone signs in (tirkeu_outbox_flush()), not an hour later.
 *
 * A retry sends the same request: its portal id and signature (and its Idempotency-Key if it
 * was never created), so the portal never gets it twice.
 *
 * Once handed to tirkeu_outbox_send_async(), a request belongs to the outbox: the caller's
 * cancellable only ends the caller's wait (a page closed, a window gone), never the
 * submission, whose next attempt keeps the outbox's own schedule.
 */
struct _TirkeuOutbox
{
  GObject             parent_instance;

  TirkeuJournal      *journal;
  TirkeuPortalClient *client;
  GNetworkMonitor    *network_monitor;
  GCancellable       *cancellable;
  GHashTable         *in_flight;      /* idempotency key -> its submission's SendData */
  GHashTable         *waiting;        /* idempotency key -> Entry: in the outbox, not yet
                                       * confirmed, as far as this outbox has seen */
  GError             *last_error;

  guint               retry_ms;
  guint               retry_id;       /* the next automatic try */
  gint64              next_attempt_at;
  guint               n_manual;       /* manual tries in flight */
};

G_DEFINE_FINAL_TYPE (TirkeuOutbox, tirkeu_outbox, G_TYPE_OBJECT)

enum {
  SENT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

enum {
  PROP_0,
  PROP_N_PENDING,
  PROP_NEXT_ATTEMPT_AT,
  PROP_RETRYING,
  PROP_LAST_ERROR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

#define DEFAULT_RETRY_MS 30000
/* The back-off's longest wait between two automatic tries of a transient failure. */
#define MAX_RETRY_MS     600000u
/* What the portal refused waits for the user, but is tried again now and then. */
#define REFUSED_RETRY_MS 3600000u

/* One entry of the outbox as this outbox knows it. */
typedef struct
{
  gint64 next_attempt_at;   /* the next automatic try, microseconds since the epoch */
  guint  attempts;          /* failed automatic tries so far: the step of the back-off */
} Entry;

static void reschedule (TirkeuOutbox *self);

typedef struct
{
  TirkeuRequest *request;
  char          *key;
  guint          attempts;
  gboolean       manual;             /* a tirkeu_outbox_retry_now() try, outside the schedule */
  gint64         enqueued_next_attempt_at;
  GPtrArray     *callers;            /* the send_async() calls still waiting: Caller */
} SendData;

/* A send_async() call waiting for a submission: the one it started, or the one of the same
 * request already under way, which it joined. */
typedef struct
{
  SendData *data;
  GTask    *task;
  GSource  *cancelled;   /* its cancellable, as a main-context source */
} Caller;

static void
caller_free (Caller *caller)
{
  if (caller->cancelled != NULL)
    {
      g_source_destroy (caller->cancelled);
      g_source_unref (caller->cancelled);
    }
  g_clear_object (&caller->task);
  g_free (caller);
}

/* A caller stopped waiting: it alone is told "cancelled". */
static gboolean
caller_cancelled_cb (GCancellable *cancellable,
                     gpointer      user_data)
{
  Caller *caller = user_data;
  g_autoptr(GTask) task = g_steal_pointer (&caller->task);

  g_clear_pointer (&caller->cancelled, g_source_unref);
  g_ptr_array_remove_fast (caller->data->callers, caller);
  g_task_return_error_if_cancelled (task);
  return G_SOURCE_REMOVE;
}

static void
add_caller (SendData *data,
            GTask    *task)
{
  Caller *caller = g_new0 (Caller, 1);
  GCancellable *cancellable = g_task_get_cancellable (task);

  caller->data = data;
  caller->task = g_object_ref (task);
  if (cancellable != NULL)
    {
      caller->cancelled = g_cancellable_source_new (cancellable);
      g_source_set_callback (caller->cancelled, G_SOURCE_FUNC (caller_cancelled_cb), caller,
                             NULL);
      g_source_attach (caller->cancelled, g_task_get_context (task));
    }
  g_ptr_array_add (data->callers, caller);
}

/* Hands @confirmed, or else @error, to every caller still waiting. */
static void
return_to_callers (SendData      *data,
                   TirkeuRequest *confirmed,
                   const GError  *error)
{
  g_autoptr(GPtrArray) callers = g_steal_pointer (&data->callers);

  data->callers = g_ptr_array_new_with_free_func ((GDestroyNotify) caller_free);
  for (guint i = 0; i < callers->len; i++)
    {
      Caller *caller = g_ptr_array_index (callers, i);
      g_autoptr(GTask) task = g_steal_pointer (&caller->task);

      /* told "cancelled" meanwhile, by a callback of this loop that ran the main loop */
      if (task == NULL)
        continue;
      if (confirmed != NULL)
        g_task_return_pointer (task, g_object_ref (confirmed), g_object_unref);
      else
        g_task_return_error (task, g_error_copy (error));
    }
}

static SendData *
send_data_new (TirkeuRequest *request,
               const char    *key)
{
  SendData *data = g_new0 (SendData, 1);

  data->request = request;
  data->key = g_strdup (key);
  data->callers = g_ptr_array_new_with_free_func ((GDestroyNotify) caller_free);
  return data;
}

static void
send_data_free (SendData *data)
{
  g_ptr_array_unref (data->callers);
  g_clear_object (&data->request);
  g_free (data->key);
  g_free (data);
}

static void
complete_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!tirkeu_journal_complete_finish (TIRKEU_JOURNAL (object), result, &error))
    g_warning ("The outbox could not be updated: %s", error->message);
}

static void
record_attempt_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  tirkeu_journal_record_attempt_finish (TIRKEU_JOURNAL (object), result, &error);
  /* Confirmed meanwhile, and so taken out, by another submission (another program's): the
   * failure of this one is no longer news. */
  if (g_error_matches (error, TIRKEU_STORE_ERROR, TIRKEU_STORE_ERROR_NOT_FOUND))
    g_debug ("A failed submission's request left the outbox meanwhile");
  else if (error != NULL)
    g_warning ("The outbox could not be updated: %s", error->message);
}

static Entry *
ensure_entry (TirkeuOutbox *self,
              const char   *key)
{
  Entry *entry = g_hash_table_lookup (self->waiting, key);

  if (entry == NULL)
    {
      entry = g_new0 (Entry, 1);
      g_hash_table_insert (self->waiting, g_strdup (key), entry);
    }
  return entry;
}

static void
set_last_error (TirkeuOutbox *self,
                const GError *error)
{
  if (self->last_error == NULL && error == NULL)
    return;
  g_clear_error (&self->last_error);
  if (error != NULL)
    self->last_error = g_error_copy (error);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_ERROR]);
}

/* The wait after the @attempts-th failed automatic try: retry-ms, then twice as long each
 * time, capped; what the portal refused (not transient) waits an hour at least. */
static guint
backoff_ms (TirkeuOutbox *self,
            guint         attempts,
            gboolean      transient)
{
  guint64 delay = (guint64) self->retry_ms << MIN (attempts > 0 ? attempts - 1 : 0, 20);
  guint cap = MAX (self->retry_ms, MAX_RETRY_MS);

  delay = MIN (delay, (guint64) cap);
  return transient ? (guint) delay : MAX ((guint) delay, REFUSED_RETRY_MS);
}

static void
manual_done (TirkeuOutbox *self,
             SendData     *data)
{
  if (!data->manual)
    return;
  data->manual = FALSE;
  g_return_if_fail (self->n_manual > 0);
  if (--self->n_manual == 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RETRYING]);
}

static void
finish_send (GTask         *task,
             TirkeuRequest *confirmed,
             GError        *error)
{
  TirkeuOutbox *self = g_task_get_source_object (task);
  SendData *data = g_task_get_task_data (task);
  guint n_pending = g_hash_table_size (self->waiting);
  gboolean manual = data->manual;

  g_hash_table_remove (self->in_flight, data->key);
  manual_done (self, data);
  if (confirmed != NULL)
    {
      g_hash_table_remove (self->waiting, data->key);
      tirkeu_journal_complete_async (self->journal, data->key, confirmed, NULL, complete_cb,
                                     NULL);
      /* The portal answered: whatever kept the others out is not known to hold any more. */
      set_last_error (self, NULL);
      if (n_pending != g_hash_table_size (self->waiting))
        g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_PENDING]);
      reschedule (self);
      g_signal_emit (self, signals[SENT], 0, confirmed);
      return_to_callers (data, confirmed, NULL);
      g_task_return_pointer (task, g_object_ref (confirmed), g_object_unref);
      return;
    }

  /* Kept in the outbox: transient failures are retried, others wait for the user. The outbox
   * itself going away is neither: the entry keeps the schedule it had. A manual try that
   * failed keeps it too: it was not a step of the schedule. */
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      Entry *entry = ensure_entry (self, data->key);

      if (!manual)
        {
          guint delay = 0;

          /* Due again at once: the next sign-in's flush sends it (not a step of the
           * back-off: a signed-out desk does not try by itself). */
          if (!tirkeu_portal_error_wants_session (error))
            {
              data->attempts++;
              delay = backoff_ms (self, data->attempts, tirkeu_portal_error_is_transient (error));
            }
          entry->attempts = data->attempts;
          entry->next_attempt_at = g_get_real_time () + (gint64) delay * 1000;
          tirkeu_journal_record_attempt_async (self->journal, data->key, error->message,
                                               entry->next_attempt_at, NULL,
                                               record_attempt_cb, NULL);
        }
      else if (entry->next_attempt_at == 0)
        entry->next_attempt_at = g_get_real_time ()
                                 + (gint64) backoff_ms (self, MAX (entry->attempts, 1),
                                                        TRUE) * 1000;
      set_last_error (self, error);
      if (n_pending != g_hash_table_size (self->waiting))
        g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_PENDING]);
      reschedule (self);
    }
  return_to_callers (data, NULL, error);
  g_task_return_error (task, error);
}

static void
submit_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SendData *data = g_task_get_task_data (task);
  g_autoptr(TirkeuRequest) confirmed = NULL;
  g_autoptr(TirkeuPortalRequestInfo) info = NULL;
  GError *error = NULL;

  confirmed = tirkeu_portal_client_submit_signature_finish (TIRKEU_PORTAL_CLIENT (object), result,
                                                            &info, &error);
  if (confirmed != NULL)
    {
      /* Keep what the portal does not send back, and the portal's times: the journal orders
       * a request's versions by them, and a copy made newer here would make the portal's
       * next answer (a withdrawal in the same second) look older and be dropped. */
      if (tirkeu_request_get_seller_signature (confirmed) == NULL)
        {
          g_autoptr(GDateTime) created_at =
            g_date_time_ref (tirkeu_request_get_created_at (confirmed));
          g_autoptr(GDateTime) updated_at =
            g_date_time_ref (tirkeu_request_get_updated_at (confirmed));

          tirkeu_request_set_seller_signature (confirmed,
                                               tirkeu_request_get_seller_signature (data->request));
          tirkeu_request_set_portal_record (confirmed, created_at, updated_at, NULL);
        }
      /* A portal of contract 1.0 answers a submit without the Idempotency-Key (1.1 sends
       * it), and the key is how the journal and the "sent" signal's listeners know the
       * request: the submit call itself does not know the key, the outbox does. */
      if (g_strcmp0 (tirkeu_request_get_idempotency_key (confirmed), data->key) != 0)
        {
          TirkeuRequest *keyed = tirkeu_portal_json_request_set_idempotency_key (confirmed,
                                                                                  data->key,
                                                                                  NULL);

          if (keyed != NULL)
            {
              g_object_unref (confirmed);
              confirmed = keyed;
            }
        }
    }
  finish_send (task, confirmed, error);
}

static void
start_submit (GTask *task)
{
  TirkeuOutbox *self = g_task_get_source_object (task);
  SendData *data = g_task_get_task_data (task);

  tirkeu_portal_client_submit_signature_async (self->client,
                                               tirkeu_request_get_portal_id (data->request),
                                               tirkeu_request_get_seller_signature (data->request),
                                               g_task_get_cancellable (task), submit_cb,
                                               task);
}

static void
enqueue_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!tirkeu_journal_enqueue_finish (TIRKEU_JOURNAL (object), result, &error))
    {
      TirkeuOutbox *self = g_task_get_source_object (task);
      SendData *data = g_task_get_task_data (task);

      /* Not written: nothing is sent, so that nothing can be lost. */
      g_hash_table_remove (self->in_flight, data->key);
      return_to_callers (data, NULL, error);
      g_task_return_error (task, error);
      return;
    }
  {
    TirkeuOutbox *self = g_task_get_source_object (task);
    SendData *data = g_task_get_task_data (task);
    guint n_pending = g_hash_table_size (self->waiting);

    /* As written: the first timed retry after retry-ms (see send_async()). */
    ensure_entry (self, data->key)->next_attempt_at = data->enqueued_next_attempt_at;
    if (n_pending != g_hash_table_size (self->waiting))
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_PENDING]);
  }
  start_submit (g_steal_pointer (&task));
}

static void send_done_cb (GObject      *object,
                          GAsyncResult *result,
                          gpointer      user_data);

/**
 * tirkeu_outbox_send_async:
 * @request: a request the portal created (it has its portal id) and the seller signed
 * @draft_id: (nullable): its draft, deleted when the request enters the outbox
 * @cancellable: (nullable): ends this caller's wait, not the submission
 *
 * Writes @request to the outbox, then submits its signature. The result is the request as
 * the portal confirmed it; on a failure the request stays in the outbox (retried by itself
 * when the failure is transient, see tirkeu_portal_error_is_transient()). Cancelling
 * @cancellable returns %G_IO_ERROR_CANCELLED to this caller at once; the request goes on its
 * way all the same (#TirkeuOutbox::sent says when it arrived). A request already on its way
 * (the same Idempotency-Key) is not submitted again: this call gets that submission's answer.
 */
void
tirkeu_outbox_send_async (TirkeuOutbox        *self,
                          TirkeuRequest       *request,
                          const char          *draft_id,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) caller = NULL;
  g_autoptr(GTask) task = NULL;
  SendData *data;

  g_return_if_fail (TIRKEU_IS_OUTBOX (self));
  g_return_if_fail (TIRKEU_IS_REQUEST (request));
  g_return_if_fail (tirkeu_request_get_portal_id (request) != NULL);
  g_return_if_fail (tirkeu_request_get_seller_signature (request) != NULL);

  caller = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (caller, tirkeu_outbox_send_async);

  /* The same request on its way already (a retry, the sign-in's flush): this call waits for
   * that submission. Two at once would have the portal answer both, and the one that lost
   * record a failure for a request already confirmed. */
  data = g_hash_table_lookup (self->in_flight, tirkeu_request_get_idempotency_key (request));
  if (data != NULL)
    {
      add_caller (data, caller);
      return;
    }

  /* The submission is the outbox's, under its own cancellable. */
  task = g_task_new (self, self->cancellable, send_done_cb, NULL);
  g_task_set_source_tag (task, tirkeu_outbox_flush);
  data = send_data_new (g_object_ref (request), tirkeu_request_get_idempotency_key (request));
  add_caller (data, caller);
  g_task_set_task_data (task, data, (GDestroyNotify) send_data_free);
  g_hash_table_insert (self->in_flight, g_strdup (data->key), data);

  /* The first timed retry comes after retry-ms, well after this attempt ends. */
  data->enqueued_next_attempt_at = g_get_real_time () + (gint64) self->retry_ms * 1000;
  tirkeu_journal_enqueue_async (self->journal, request, draft_id, data->enqueued_next_attempt_at,
                                self->cancellable, enqueue_cb, g_steal_pointer (&task));
}

/**
 * tirkeu_outbox_send_finish:
 *
 * Returns: (transfer full): the request as the portal confirmed it
 */
TirkeuRequest *
tirkeu_outbox_send_finish (TirkeuOutbox  *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
send_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TirkeuRequest) confirmed = NULL;

  confirmed = g_task_propagate_pointer (G_TASK (result), &error);
  if (confirmed == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_debug ("An outbox submission failed: %s", error->message);
}

typedef struct
{
  TirkeuOutbox *self;
  gboolean      manual;
} Listing;

static void
list_due_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Listing *listing = user_data;
  g_autoptr(TirkeuOutbox) self = listing->self;
  gboolean manual = listing->manual;
  g_autoptr(GVariant) due = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) listed = NULL;
  GHashTableIter known;
  gpointer known_key;
  GVariantIter iter;
  const char *key;
  GVariant *record;
  guint attempts;
  const char *last_error;
  gint64 next_attempt_at;
  const char *draft_id;
  gint64 now = g_get_real_time ();
  guint n_pending;

  g_free (listing);
  due = tirkeu_journal_list_outbox_due_finish (TIRKEU_JOURNAL (object), result, &error);
  if (due == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Cannot read the outbox: %s", error->message);
      if (manual && --self->n_manual == 0)
        g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RETRYING]);
      return;
    }
  if (self->waiting == NULL)
    return;
  n_pending = g_hash_table_size (self->waiting);
  listed = g_hash_table_new (g_str_hash, g_str_equal);
  g_variant_iter_init (&iter, due);
  while (g_variant_iter_next (&iter, "(&s@a{sv}u&sx&s)", &key, &record, &attempts, &last_error,
                              &next_attempt_at, &draft_id))
    {
      g_autoptr(GVariant) owned = record;
      g_autoptr(TirkeuRequest) request = NULL;
      g_autoptr(GTask) task = NULL;
      g_autoptr(GError) load_error = NULL;
      SendData *data;
      Entry *entry;

      g_hash_table_add (listed, (gpointer) key);
      if (g_hash_table_contains (self->in_flight, key))
        {
          ensure_entry (self, key);
          continue;
        }
      entry = ensure_entry (self, key);
      entry->next_attempt_at = next_attempt_at;
      entry->attempts = attempts;
      if (!manual && next_attempt_at > now)
        continue;
      request = tirkeu_request_new_from_variant (record, &load_error);
      if (request == NULL || tirkeu_request_get_portal_id (request) == NULL
          || tirkeu_request_get_seller_signature (request) == NULL)
        {
          g_warning ("Outbox entry cannot be sent: %s",
                     load_error != NULL ? load_error->message : "no portal id or signature");
          continue;
        }
      task = g_task_new (self, self->cancellable, send_done_cb, NULL);
      g_task_set_source_tag (task, tirkeu_outbox_flush);
      data = send_data_new (g_steal_pointer (&request), key);
      data->attempts = attempts;
      if (manual)
        {
          data->manual = TRUE;
          self->n_manual++;
        }
      g_task_set_task_data (task, data, (GDestroyNotify) send_data_free);
      g_hash_table_insert (self->in_flight, g_strdup (key), data);
      start_submit (g_steal_pointer (&task));
    }

  /* The whole outbox was listed: what it no longer holds left it another way. */
  g_hash_table_iter_init (&known, self->waiting);
  while (g_hash_table_iter_next (&known, &known_key, NULL))
    {
      if (!g_hash_table_contains (listed, known_key)
          && !g_hash_table_contains (self->in_flight, known_key))
        g_hash_table_iter_remove (&known);
    }
  if (n_pending != g_hash_table_size (self->waiting))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_PENDING]);
  /* The listing's own count: each try it started counted itself. */
  if (manual && --self->n_manual == 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RETRYING]);
  reschedule (self);
}

static void
list_outbox (TirkeuOutbox *self,
             gboolean      manual)
{
  Listing *listing = g_new0 (Listing, 1);

  listing->self = g_object_ref (self);
  listing->manual = manual;
  if (manual && self->n_manual++ == 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RETRYING]);
  /* The whole outbox, not only what is due: its count and times are shown. */
  tirkeu_journal_list_outbox_due_async (self->journal, G_MAXINT64, self->cancellable,
                                        list_due_cb, listing);
}

/**
 * tirkeu_outbox_flush:
 *
 * Retries every outbox entry that is due now and not already being sent, and learns the
 * count and times of the others.
 */
void
tirkeu_outbox_flush (TirkeuOutbox *self)
{
  g_return_if_fail (TIRKEU_IS_OUTBOX (self));

  if (!tirkeu_portal_client_get_signed_in (self->client))
    return;
  list_outbox (self, FALSE);
}

/**
 * tirkeu_outbox_retry_now:
 *
 * Tries every outbox entry not already being sent at once, due or not: the "Retry" button.
 * These tries are outside the back-off schedule: one that fails leaves its entry's next
 * automatic try where it was, at the same step, so pressing Retry never lengthens the wait;
 * one that succeeds takes the entry out as any other. #TirkeuOutbox:retrying is %TRUE until
 * they all ended.
 */
void
tirkeu_outbox_retry_now (TirkeuOutbox *self)
{
  g_return_if_fail (TIRKEU_IS_OUTBOX (self));

  if (!tirkeu_portal_client_get_signed_in (self->client))
    return;
  list_outbox (self, TRUE);
}

static gboolean
retry_timeout_cb (gpointer user_data)
{
  TirkeuOutbox *self = TIRKEU_OUTBOX (user_data);

  self->retry_id = 0;
  tirkeu_outbox_flush (self);
  return G_SOURCE_REMOVE;
}

/* One timer, at the earliest automatic try of an entry not being sent. */
static void
reschedule (TirkeuOutbox *self)
{
  GHashTableIter iter;
  gpointer key;
  gpointer value;
  gint64 next = 0;

  g_hash_table_iter_init (&iter, self->waiting);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      Entry *entry = value;

      if (g_hash_table_contains (self->in_flight, key) || entry->next_attempt_at == 0)
        continue;
      if (next == 0 || entry->next_attempt_at < next)
        next = entry->next_attempt_at;
    }

  g_clear_handle_id (&self->retry_id, g_source_remove);
  if (next != 0)
    {
      gint64 wait_ms = (next - g_get_real_time () + 999) / 1000;

      self->retry_id = g_timeout_add ((guint) CLAMP (wait_ms, 0, (gint64) G_MAXINT32),
                                      retry_timeout_cb, self);
    }
  if (self->next_attempt_at != next)
    {
      self->next_attempt_at = next;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NEXT_ATTEMPT_AT]);
    }
}

static void
network_changed_cb (TirkeuOutbox *self,
                    gboolean      available)
{
  if (available)
    tirkeu_outbox_flush (self);
}

static void
tirkeu_outbox_dispose (GObject *object)
{
  TirkeuOutbox *self = TIRKEU_OUTBOX (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->retry_id, g_source_remove);
  if (self->network_monitor != NULL)
    g_signal_handlers_disconnect_by_data (self->network_monitor, self);
  g_clear_object (&self->network_monitor);
  g_clear_object (&self->journal);
  g_clear_object (&self->client);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->in_flight, g_hash_table_unref);
  g_clear_pointer (&self->waiting, g_hash_table_unref);

  G_OBJECT_CLASS (tirkeu_outbox_parent_class)->dispose (object);
}

static void
tirkeu_outbox_finalize (GObject *object)
{
  TirkeuOutbox *self = TIRKEU_OUTBOX (object);

  g_clear_error (&self->last_error);

  G_OBJECT_CLASS (tirkeu_outbox_parent_class)->finalize (object);
}

static void
tirkeu_outbox_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  TirkeuOutbox *self = TIRKEU_OUTBOX (object);

  switch (prop_id)
    {
    case PROP_N_PENDING:
      g_value_set_uint (value, tirkeu_outbox_get_n_pending (self));
      break;
    case PROP_NEXT_ATTEMPT_AT:
      g_value_set_int64 (value, self->next_attempt_at);
      break;
    case PROP_RETRYING:
      g_value_set_boolean (value, self->n_manual > 0);
      break;
    case PROP_LAST_ERROR:
      g_value_set_boxed (value, self->last_error);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tirkeu_outbox_class_init (TirkeuOutboxClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tirkeu_outbox_dispose;
  object_class->finalize = tirkeu_outbox_finalize;
  object_class->get_property = tirkeu_outbox_get_property;

  /**
   * TirkeuOutbox:n-pending:
   *
   * See tirkeu_outbox_get_n_pending().
   */
  properties[PROP_N_PENDING] =
    g_param_spec_uint ("n-pending", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * TirkeuOutbox:next-attempt-at:
   *
   * See tirkeu_outbox_get_next_attempt_at().
   */
  properties[PROP_NEXT_ATTEMPT_AT] =
    g_param_spec_int64 ("next-attempt-at", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * TirkeuOutbox:retrying:
   *
   * Whether the tries of tirkeu_outbox_retry_now() are still on their way.
   */
  properties[PROP_RETRYING] =
    g_param_spec_boolean ("retrying", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * TirkeuOutbox:last-error:
   *
   * Why the last try of an entry failed; %NULL once the portal confirmed one, or before any
   * try failed.
   */
  properties[PROP_LAST_ERROR] =
    g_param_spec_boxed ("last-error", NULL, NULL, G_TYPE_ERROR,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TirkeuOutbox::sent:
   * @request: the #TirkeuRequest as the portal confirmed it
   *
   * A request left the outbox: the portal has it.
   */
  signals[SENT] =
    g_signal_new ("sent", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, TIRKEU_TYPE_REQUEST);
}

static void
tirkeu_outbox_init (TirkeuOutbox *self)
{
  self->cancellable = g_cancellable_new ();
  self->in_flight = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->waiting = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->retry_ms = DEFAULT_RETRY_MS;
}

/**
 * tirkeu_outbox_new:
 * @network_monitor: (nullable): %NULL for the default one
 *
 * Returns: (transfer full): a new outbox, retrying on its own once flushed (at sign-in)
 */
TirkeuOutbox *
tirkeu_outbox_new (TirkeuJournal      *journal,
                   TirkeuPortalClient *client,
                   GNetworkMonitor    *network_monitor)
{
  TirkeuOutbox *self;

  g_return_val_if_fail (TIRKEU_IS_JOURNAL (journal), NULL);
  g_return_val_if_fail (TIRKEU_IS_PORTAL_CLIENT (client), NULL);

  self = g_object_new (TIRKEU_TYPE_OUTBOX, NULL);
  self->journal = g_object_ref (journal);
  self->client = g_object_ref (client);
  self->network_monitor = g_object_ref (network_monitor != NULL ? network_monitor
                                                                : g_network_monitor_get_default ());
  g_signal_connect_object (self->network_monitor, "network-changed",
                           G_CALLBACK (network_changed_cb), self, G_CONNECT_SWAPPED);
  return self;
}

guint
tirkeu_outbox_get_retry_ms (TirkeuOutbox *self)
{
  g_return_val_if_fail (TIRKEU_IS_OUTBOX (self), 0);
  return self->retry_ms;
}

/**
 * tirkeu_outbox_set_retry_ms:
 * @retry_ms: the wait before the first retry of a transient failure (each next one waits
 *   twice as long, up to ten minutes)
 *
 * Applies to the waits computed from now on; the tries already scheduled keep their time.
 */
void
tirkeu_outbox_set_retry_ms (TirkeuOutbox *self,
                            guint         retry_ms)
{
  g_return_if_fail (TIRKEU_IS_OUTBOX (self));
  g_return_if_fail (retry_ms > 0);

  self->retry_ms = retry_ms;
}

/**
 * tirkeu_outbox_get_n_pending:
 *
 * Returns: the number of requests in the outbox that the portal has not confirmed yet: the
 *   ones sent through this outbox and the ones its last listing of the journal's outbox
 *   found (tirkeu_outbox_flush() lists it whole)
 */
guint
tirkeu_outbox_get_n_pending (TirkeuOutbox *self)
{
  g_return_val_if_fail (TIRKEU_IS_OUTBOX (self), 0);
  return g_hash_table_size (self->waiting);
}

/**
 * tirkeu_outbox_get_next_attempt_at:
 *
 * Returns: when the next automatic try of an entry not being sent now is due (microseconds
 *   since the epoch, as g_get_real_time()), 0 when none is scheduled
 */
gint64
tirkeu_outbox_get_next_attempt_at (TirkeuOutbox *self)
{
  g_return_val_if_fail (TIRKEU_IS_OUTBOX (self), 0);
  return self->next_attempt_at;
}

/**
 * tirkeu_outbox_get_retrying:
 *
 * Returns: %TRUE while the tries of tirkeu_outbox_retry_now() are on their way
 */
gboolean
tirkeu_outbox_get_retrying (TirkeuOutbox *self)
{
  g_return_val_if_fail (TIRKEU_IS_OUTBOX (self), FALSE);
  return self->n_manual > 0;
}

/**
 * tirkeu_outbox_get_last_error:
 *
 * Returns: (nullable) (transfer none): why the last try of an entry failed, %NULL once the
 *   portal confirmed one
 */
const GError *
tirkeu_outbox_get_last_error (TirkeuOutbox *self)
{
  g_return_val_if_fail (TIRKEU_IS_OUTBOX (self), NULL);
  return self->last_error;
}
