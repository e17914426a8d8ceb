/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "tirkeu-outbox.h"
#include "tirkeu-portal-error.h"
#include "tirkeu-portal-json.h"

/**
 * TirkeuOutbox:
 *
 * Signed requests on their way to the portal. A request is written to the journal's outbox (and its draft deleted, in one transaction) before it is submitted; it
 * leaves the outbox only when the portal confirmed it. A submission that failed for a
 * transient reason (no network, timeout, the portal unavailable) stays and is retried when
 * #GNetworkMonitor says the network is back, and every #TirkeuOutbox:retry-ms meanwhile.
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
  GHashTable         *in_flight;      /* idempotency key -> NULL */

  guint               retry_ms;
  guint               retry_id;
  guint               n_pending;
};

G_DEFINE_FINAL_TYPE (TirkeuOutbox, tirkeu_outbox, G_TYPE_OBJECT)

enum {
  SENT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

#define DEFAULT_RETRY_MS 30000

typedef struct
{
  TirkeuRequest *request;
  char          *key;
  guint          attempts;
  GTask         *caller;             /* the send_async() task still waiting, if any */
  GSource       *caller_cancelled;   /* its cancellable, as a main-context source */
} SendData;

static void
detach_caller (SendData *data)
{
  if (data->caller_cancelled != NULL)
    {
      g_source_destroy (data->caller_cancelled);
      g_clear_pointer (&data->caller_cancelled, g_source_unref);
    }
  g_clear_object (&data->caller);
}

static void
send_data_free (SendData *data)
{
  detach_caller (data);
  g_clear_object (&data->request);
  g_free (data->key);
  g_free (data);
}

/* The caller of send_async() stopped waiting: it alone is told "cancelled". */
static gboolean
caller_cancelled_cb (GCancellable *cancellable,
                     gpointer      user_data)
{
  SendData *data = user_data;
  g_autoptr(GTask) caller = g_steal_pointer (&data->caller);

  g_clear_pointer (&data->caller_cancelled, g_source_unref);
  g_task_return_error_if_cancelled (caller);
  return G_SOURCE_REMOVE;
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

  if (!tirkeu_journal_record_attempt_finish (TIRKEU_JOURNAL (object), result, &error))
    g_warning ("The outbox could not be updated: %s", error->message);
}

static void
finish_send (GTask         *task,
             TirkeuRequest *confirmed,
             GError        *error)
{
  TirkeuOutbox *self = g_task_get_source_object (task);
  SendData *data = g_task_get_task_data (task);
  g_autoptr(GTask) caller = g_steal_pointer (&data->caller);

  detach_caller (data);
  g_hash_table_remove (self->in_flight, data->key);
  if (confirmed != NULL)
    {
      tirkeu_journal_complete_async (self->journal, data->key, confirmed, NULL, complete_cb,
                                     NULL);
      g_signal_emit (self, signals[SENT], 0, confirmed);
      if (caller != NULL)
        g_task_return_pointer (caller, g_object_ref (confirmed), g_object_unref);
      g_task_return_pointer (task, g_object_ref (confirmed), g_object_unref);
      return;
    }

  /* Kept in the outbox: transient failures are retried, others wait for the user. The outbox
   * itself going away is neither: the entry keeps the schedule it had. */
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      guint delay = tirkeu_portal_error_is_transient (error) ? self->retry_ms
                                                             : MAX (self->retry_ms, 3600000u);

      tirkeu_journal_record_attempt_async (self->journal, data->key, error->message,
                                           g_get_real_time () + (gint64) delay * 1000, NULL,
                                           record_attempt_cb, NULL);
    }
  if (caller != NULL)
    g_task_return_error (caller, g_error_copy (error));
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
      /* Keep what the portal does not send back. */
      if (tirkeu_request_get_seller_signature (confirmed) == NULL)
        tirkeu_request_set_seller_signature (confirmed,
                                             tirkeu_request_get_seller_signature (data->request));
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
      g_autoptr(GTask) caller = g_steal_pointer (&data->caller);

      detach_caller (data);
      g_hash_table_remove (self->in_flight, data->key);
      if (caller != NULL)
        g_task_return_error (caller, g_error_copy (error));
      g_task_return_error (task, error);
      return;
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
 * way all the same (#TirkeuOutbox::sent says when it arrived).
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

  /* The submission is the outbox's, under its own cancellable. */
  task = g_task_new (self, self->cancellable, send_done_cb, NULL);
  g_task_set_source_tag (task, tirkeu_outbox_flush);
  data = g_new0 (SendData, 1);
  data->request = g_object_ref (request);
  data->key = g_strdup (tirkeu_request_get_idempotency_key (request));
  data->caller = g_object_ref (caller);
  if (cancellable != NULL)
    {
      data->caller_cancelled = g_cancellable_source_new (cancellable);
      g_source_set_callback (data->caller_cancelled, G_SOURCE_FUNC (caller_cancelled_cb), data,
                             NULL);
      g_source_attach (data->caller_cancelled, g_task_get_context (caller));
    }
  g_task_set_task_data (task, data, (GDestroyNotify) send_data_free);
  g_hash_table_add (self->in_flight, g_strdup (data->key));

  /* The first timed retry comes after retry-ms, well after this attempt ends. */
  tirkeu_journal_enqueue_async (self->journal, request, draft_id,
                                g_get_real_time () + (gint64) self->retry_ms * 1000,
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

static void
list_due_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(TirkeuOutbox) self = user_data;
  g_autoptr(GVariant) due = NULL;
  g_autoptr(GError) error = NULL;
  GVariantIter iter;
  const char *key;
  GVariant *record;
  guint attempts;
  const char *last_error;
  gint64 next_attempt_at;
  const char *draft_id;

  due = tirkeu_journal_list_outbox_due_finish (TIRKEU_JOURNAL (object), result, &error);
  if (due == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Cannot read the outbox: %s", error->message);
      return;
    }
  self->n_pending = (guint) g_variant_n_children (due);
  g_variant_iter_init (&iter, due);
  while (g_variant_iter_next (&iter, "(&s@a{sv}u&sx&s)", &key, &record, &attempts, &last_error,
                              &next_attempt_at, &draft_id))
    {
      g_autoptr(GVariant) owned = record;
      g_autoptr(TirkeuRequest) request = NULL;
      g_autoptr(GTask) task = NULL;
      g_autoptr(GError) load_error = NULL;
      SendData *data;

      if (g_hash_table_contains (self->in_flight, key))
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
      data = g_new0 (SendData, 1);
      data->request = g_steal_pointer (&request);
      data->key = g_strdup (key);
      data->attempts = attempts;
      g_task_set_task_data (task, data, (GDestroyNotify) send_data_free);
      g_hash_table_add (self->in_flight, g_strdup (key));
      start_submit (g_steal_pointer (&task));
    }
}

/**
 * tirkeu_outbox_flush:
 *
 * Retries every outbox entry that is due now and not already being sent.
 */
void
tirkeu_outbox_flush (TirkeuOutbox *self)
{
  g_return_if_fail (TIRKEU_IS_OUTBOX (self));

  if (!tirkeu_portal_client_get_signed_in (self->client))
    return;
  tirkeu_journal_list_outbox_due_async (self->journal, g_get_real_time (), self->cancellable,
                                        list_due_cb, g_object_ref (self));
}

static gboolean
retry_timeout_cb (gpointer user_data)
{
  tirkeu_outbox_flush (TIRKEU_OUTBOX (user_data));
  return G_SOURCE_CONTINUE;
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

  G_OBJECT_CLASS (tirkeu_outbox_parent_class)->dispose (object);
}

static void
tirkeu_outbox_class_init (TirkeuOutboxClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tirkeu_outbox_dispose;

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
  self->retry_ms = DEFAULT_RETRY_MS;
}

/**
 * tirkeu_outbox_new:
 * @network_monitor: (nullable): %NULL for the default one
 *
 * Returns: (transfer full): a new outbox, retrying on its own
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
  self->retry_id = g_timeout_add (self->retry_ms, retry_timeout_cb, self);
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
 * @retry_ms: the delay between retries of transient failures
 */
void
tirkeu_outbox_set_retry_ms (TirkeuOutbox *self,
                            guint         retry_ms)
{
  g_return_if_fail (TIRKEU_IS_OUTBOX (self));
  g_return_if_fail (retry_ms > 0);

  self->retry_ms = retry_ms;
  g_clear_handle_id (&self->retry_id, g_source_remove);
  self->retry_id = g_timeout_add (self->retry_ms, retry_timeout_cb, self);
}

/**
 * tirkeu_outbox_get_n_pending:
 *
 * Returns: the number of due entries seen at the last flush
 */
guint
tirkeu_outbox_get_n_pending (TirkeuOutbox *self)
{
  g_return_val_if_fail (TIRKEU_IS_OUTBOX (self), 0);
  return self->n_pending;
}
