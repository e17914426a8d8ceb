/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "tirkeu-portal-error.h"
#include "tirkeu-store-error.h"
#include "tirkeu-sync.h"

/**
 * TirkeuSync:
 *
 * Keeps the journal up to date with the portal: one "changes since the cursor" call
 * (GET /api/v1/changes) per interval, never one call per request; pages with `has_more` are
 * fetched in a row; each page is written to the journal together with its cursor in one
 * transaction, so a crash between two pages loses nothing and repeats nothing.
 *
 * When the portal cannot be reached (%TIRKEU_PORTAL_CODE_NETWORK, _TIMEOUT, _UNAVAILABLE)
 * #TirkeuSync:online turns %FALSE and the next try waits longer each time (doubling, capped);
 * when the #GNetworkMonitor reports the network back, it tries again at once.
 *
 * Sign-in is not its business: it is given an authenticated #TirkeuPortalClient
 * (tirkeu_sync_set_client()) and does nothing without one. It has no GTK in it: the
 * application drives it from the main loop and tirkeu-cli can drive it from its own.
 */
struct _TirkeuSync
{
  GObject              parent_instance;

  /* owned references */
  TirkeuJournal       *journal;
  TirkeuPortalClient  *client;
  GNetworkMonitor     *network_monitor;
  GCancellable        *cancellable;     /* the scheduled round's */
  GError              *last_error;
  GHashTable          *known;           /* portal id -> Known: what the journal holds, for
                                         * the requests seen in this run's pages */

  /* state */
  GTask               *round;           /* the round in flight, unowned */
  guint                timeout_id;
  guint                interval_ms;
  guint                backoff_first_ms;
  guint                backoff_max_ms;
  guint                retry_delay_ms;  /* 0 while online */
  gint64               retry_at;        /* monotonic time of the next try while offline */
  guint                n_calls;
  guint                page_limit;      /* the /changes `limit` sized to the link */

  guint                online : 1;
  guint                syncing : 1;
  guint                running : 1;
  guint                refresh_pending : 1;
  guint                manual_round : 1;  /* tirkeu_sync_retry_now(): outside the back-off */
};

typedef struct
{
  TirkeuStage stage;
  gint64      updated_at;  /* microseconds since the epoch */
} Known;

G_DEFINE_FINAL_TYPE (TirkeuSync, tirkeu_sync, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_JOURNAL,
  PROP_NETWORK_MONITOR,
  PROP_CLIENT,
  PROP_INTERVAL,
  PROP_ONLINE,
  PROP_SYNCING,
  PROP_RETRY_DELAY,
  PROP_LAST_ERROR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  REQUESTS_CHANGED,
  STAGE_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

#define DEFAULT_INTERVAL_MS (60 * 1000)
#define DEFAULT_BACKOFF_FIRST_MS (5 * 1000)
#define DEFAULT_BACKOFF_MAX_MS (5 * 60 * 1000)

/**
 * tirkeu_sync_error_is_offline:
 * @error: a #GError
 *
 * Returns: %TRUE if @error means the portal could not be reached (network down, no answer
 *   in time, the portal temporarily unavailable): the sync reports itself offline and
 *   retries with a growing delay
 */
gboolean
tirkeu_sync_error_is_offline (const GError *error)
{
  g_return_val_if_fail (error != NULL, FALSE);

  if (error->domain != TIRKEU_PORTAL_ERROR)
    return FALSE;

  switch ((TirkeuPortalCode) error->code)
    {
    case TIRKEU_PORTAL_CODE_NETWORK:
    case TIRKEU_PORTAL_CODE_TIMEOUT:
    case TIRKEU_PORTAL_CODE_UNAVAILABLE:
      return TRUE;
    case TIRKEU_PORTAL_CODE_OKED_MISMATCH:
    case TIRKEU_PORTAL_CODE_EPASSPORT_NOT_FOUND:
    case TIRKEU_PORTAL_CODE_CUSTOMS_UNPAID:
    case TIRKEU_PORTAL_CODE_UTILIZATION_UNPAID:
    case TIRKEU_PORTAL_CODE_PERSON_NOT_FOUND:
    case TIRKEU_PORTAL_CODE_CONTRACT_NOT_FOUND:
    case TIRKEU_PORTAL_CODE_FINES_UNPAID:
    case TIRKEU_PORTAL_CODE_SIGNATURE_INVALID:
    case TIRKEU_PORTAL_CODE_SIGNER_NOT_AUTHORIZED:
    case TIRKEU_PORTAL_CODE_UNAUTHORIZED:
    case TIRKEU_PORTAL_CODE_SESSION_EXPIRED:
    case TIRKEU_PORTAL_CODE_RATE_LIMITED:
    case TIRKEU_PORTAL_CODE_VALIDATION_FAILED:
    case TIRKEU_PORTAL_CODE_NOT_FOUND:
    case TIRKEU_PORTAL_CODE_CONFLICT:
    case TIRKEU_PORTAL_CODE_INTERNAL:
    case TIRKEU_PORTAL_CODE_TLS:
    case TIRKEU_PORTAL_CODE_MALFORMED:
    case TIRKEU_PORTAL_CODE_TOO_LARGE:
    case TIRKEU_PORTAL_CODE_UNKNOWN:
    default:
      return FALSE;
    }
}

/**
 * tirkeu_sync_error_is_forgotten_cursor:
 * @error: a #GError
 *
 * Returns: %TRUE if @error is the portal refusing the cursor of a "changes" call (a
 *   %TIRKEU_PORTAL_CODE_VALIDATION_FAILED about the field `cursor`): it no longer knows it,
 *   and a sync must start again without one
 */
gboolean
tirkeu_sync_error_is_forgotten_cursor (const GError *error)
{
  JsonNode *details;
  JsonObject *object;
  JsonNode *field;

  g_return_val_if_fail (error != NULL, FALSE);

  if (!g_error_matches (error, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_VALIDATION_FAILED))
    return FALSE;
  details = tirkeu_portal_error_get_details (error);
  if (details == NULL || !JSON_NODE_HOLDS_OBJECT (details))
    return FALSE;
  object = json_node_get_object (details);
  field = json_object_get_member (object, "field");
  return field != NULL && JSON_NODE_HOLDS_VALUE (field)
         && json_node_get_value_type (field) == G_TYPE_STRING
         && g_strcmp0 (json_node_get_string (field), "cursor") == 0;
}

/**
 * tirkeu_sync_stage_is_notable:
 * @stage: a #TirkeuStage
 *
 * Returns: %TRUE for the stages the desk is told about with a notification: the request
 *   completed, was refused, declined or expired, or stopped on the buyer's unpaid fines
 */
gboolean
tirkeu_sync_stage_is_notable (TirkeuStage stage)
{
  return stage == TIRKEU_STAGE_COMPLETED
         || stage == TIRKEU_STAGE_REFUSED
         || stage == TIRKEU_STAGE_DECLINED
         || stage == TIRKEU_STAGE_EXPIRED
         || stage == TIRKEU_STAGE_FINES_UNPAID;
}

static gint64
request_updated_usec (TirkeuRequest *request)
{
  GDateTime *updated = tirkeu_request_get_updated_at (request);

  return updated != NULL ? g_date_time_to_unix (updated) * G_USEC_PER_SEC
                           + g_date_time_get_microsecond (updated)
                         : 0;
}

static void
remember (TirkeuSync    *self,
          TirkeuRequest *request)
{
  const char *portal_id = tirkeu_request_get_portal_id (request);
  Known *known;

  if (portal_id == NULL)
    return;

  known = g_hash_table_lookup (self->known, portal_id);
  if (known == NULL)
    {
      known = g_new0 (Known, 1);
      g_hash_table_insert (self->known, g_strdup (portal_id), known);
    }
  known->stage = tirkeu_request_get_stage (request);
  known->updated_at = request_updated_usec (request);
}

/* ------------------------------------------------------------------------------------------ */
/* One round: load what the journal knows, then every page of changes */

typedef struct
{
  char     *cursor;
  guint     n_changed;
  gboolean  first_import;
  gboolean  restarted;     /* the portal forgot the cursor: started again without one */
  gint64    page_sent_at;  /* monotonic, when the page in flight was asked for */
} Round;

static void
round_free (Round *round)
{
  g_free (round->cursor);
  g_free (round);
}

static void fetch_page   (GTask *task);

static void
upsert_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TirkeuSync *self = g_task_get_source_object (task);
  Round *round = g_task_get_task_data (task);
  TirkeuPortalChanges *changes = g_object_get_data (G_OBJECT (task), "changes");
  g_autoptr(GPtrArray) changed = NULL;
  g_autoptr(GArray) old_stages = NULL;
  g_autoptr(GError) error = NULL;

  if (!tirkeu_journal_upsert_requests_finish (TIRKEU_JOURNAL (source), result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* Committed with its cursor: from here on the page is ours. */
  changed = g_ptr_array_new_with_free_func (g_object_unref);
  old_stages = g_array_new (FALSE, FALSE, sizeof (int));
  for (guint i = 0; i < changes->requests->len; i++)
    {
      TirkeuRequest *request = g_ptr_array_index (changes->requests, i);
      const char *portal_id = tirkeu_request_get_portal_id (request);
      Known *known = portal_id != NULL ? g_hash_table_lookup (self->known, portal_id) : NULL;
      int old_stage = known != NULL ? (int) known->stage : TIRKEU_SYNC_STAGE_UNKNOWN;

      /* The journal skipped a copy older than the one it holds: so do we. */
      if (known != NULL && request_updated_usec (request) < known->updated_at)
        continue;

      remember (self, request);
      g_ptr_array_add (changed, g_object_ref (request));
      g_array_append_val (old_stages, old_stage);
    }

  g_free (round->cursor);
  round->cursor = g_strdup (changes->cursor);
  round->n_changed += changed->len;

  if (changed->len > 0)
    g_signal_emit (self, signals[REQUESTS_CHANGED], 0, changed);

  /* The first import of an empty journal brings the past, not news: no stage signals. */
  if (!round->first_import)
    for (guint i = 0; i < changed->len; i++)
      {
        TirkeuRequest *request = g_ptr_array_index (changed, i);
        int old_stage = g_array_index (old_stages, int, i);
        TirkeuStage new_stage = tirkeu_request_get_stage (request);

        if (old_stage != (int) new_stage)
          g_signal_emit (self, signals[STAGE_CHANGED], 0, request, old_stage, (int) new_stage);
      }

  if (changes->has_more)
    {
      g_object_set_data (G_OBJECT (task), "changes", NULL);
      fetch_page (g_steal_pointer (&task));
      return;
    }

  g_task_return_boolean (task, TRUE);
}

/* Writes the page with its cursor. An empty page still moves the cursor, in the same
 * transaction as ever. */
static void
upsert_page (GTask *task)
{
  TirkeuSync *self = g_task_get_source_object (task);
  TirkeuPortalChanges *changes = g_object_get_data (G_OBJECT (task), "changes");

  tirkeu_journal_upsert_requests_async (self->journal, changes->requests, changes->cursor,
                                        g_task_get_cancellable (task), upsert_cb, task);
}

typedef struct
{
  GTask *task;
  guint  n_pending;
} Lookup;

static void
lookup_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Lookup *lookup = user_data;
  TirkeuSync *self = g_task_get_source_object (lookup->task);
  g_autoptr(TirkeuRequest) held = NULL;
  g_autoptr(GError) error = NULL;

  held = tirkeu_journal_get_request_finish (TIRKEU_JOURNAL (source), result, &error);
  if (held != NULL)
    remember (self, held);
  else if (!g_error_matches (error, TIRKEU_STORE_ERROR, TIRKEU_STORE_ERROR_NOT_FOUND)
           && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_debug ("Sync: the journal's copy of a request could not be read: %s", error->message);

  if (--lookup->n_pending > 0)
    return;
  upsert_page (g_steal_pointer (&lookup->task));
  g_free (lookup);
}

/* What the journal holds of the page's requests that this run has not seen yet: their old
 * stage for #TirkeuSync::stage-changed and their time, to skip a copy older than the
 * journal's. Looked up request by request, only for the page: a round with nothing new
 * reads nothing, and the first round does not load every request of the journal. The first
 * import of a journal without a cursor brings the past, not news, and needs none. */
static void
look_up_page (GTask *task)
{
  TirkeuSync *self = g_task_get_source_object (task);
  Round *round = g_task_get_task_data (task);
  TirkeuPortalChanges *changes = g_object_get_data (G_OBJECT (task), "changes");
  Lookup *lookup;

  if (round->first_import)
    {
      upsert_page (task);
      return;
    }

  lookup = g_new0 (Lookup, 1);
  lookup->task = task;
  /* One more than the lookups, released after the loop: a lookup that ends at once cannot
   * finish the page before every lookup is started. */
  lookup->n_pending = 1;
  for (guint i = 0; i < changes->requests->len; i++)
    {
      const char *portal_id = tirkeu_request_get_portal_id (g_ptr_array_index (changes->requests,
                                                                              i));

      if (portal_id == NULL || g_hash_table_contains (self->known, portal_id))
        continue;
      lookup->n_pending++;
      tirkeu_journal_get_request_async (self->journal, portal_id, g_task_get_cancellable (task),
                                        lookup_cb, lookup);
    }
  if (--lookup->n_pending > 0)
    return;
  g_free (lookup);
  upsert_page (task);
}

/* The contract's default page; the first page of a run is asked with it. */
#define PAGE_LIMIT_DEFAULT 50

/* A page should take at most this share of a call's deadline: the rest is left for its
 * retries and for a link that gets slower still. */
#define PAGE_TIME_SHARE 4

/* Sizes the next page from the one that arrived: @n requests in @elapsed_us. On a slow link
 * a page of the default size never arrived within its deadline, and a sync retried it for
 * ever (64 bytes every 20 ms: a 50-request page takes longer than 30 s). Grows back at most
 * to double per page, never beyond the default: a larger page would only make the window's
 * work per page larger. */
static void
adapt_page_limit (TirkeuSync *self,
                  guint       n,
                  gint64      elapsed_us)
{
  gint64 target_us = (gint64) tirkeu_portal_client_get_timeout_ms (self->client) * 1000
                     / PAGE_TIME_SHARE;
  guint64 fitting;
  guint limit;

  if (n == 0)
    return;
  fitting = (guint64) n * (guint64) target_us / (guint64) MAX (elapsed_us, 1);
  limit = (guint) CLAMP (fitting, 1, PAGE_LIMIT_DEFAULT);
  /* a short page of a fast link says nothing of a longer one: grow by doubling only */
  limit = MIN (limit, self->page_limit * 2);
  if (limit != self->page_limit)
    g_debug ("Sync: %u requests took %" G_GINT64_FORMAT " ms, next pages of %u", n,
             elapsed_us / 1000, limit);
  self->page_limit = limit;
}

static void
changes_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TirkeuSync *self = g_task_get_source_object (task);
  g_autoptr(TirkeuPortalChanges) changes = NULL;
  g_autoptr(GError) error = NULL;

  changes = tirkeu_portal_client_get_changes_finish (TIRKEU_PORTAL_CLIENT (source), result,
                                                     &error);
  if (changes == NULL)
    {
      Round *round = g_task_get_task_data (task);

      /* Without this, a journal whose cursor the portal forgot (the portal's state was reset,
       * the cursor aged out) would fail every round for ever. Once per round: a portal that
       * refuses no cursor at all is another problem. The journal keeps what it holds; the
       * pages bring it up to date. */
      /* A page that did not arrive within its deadline: the link is slower than the page
       * is big, by how much is not known. Asked again one request at a time, which
       * measures the link; the pages grow back from there (adapt_page_limit()). */
      if (g_error_matches (error, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_TIMEOUT)
          && self->page_limit > 1
          && !g_cancellable_is_cancelled (g_task_get_cancellable (task)))
        {
          self->page_limit = 1;
          g_debug ("Sync: a page did not arrive in time, asking for pages of %u",
                   self->page_limit);
          fetch_page (g_steal_pointer (&task));
          return;
        }

      if (round->cursor != NULL && !round->restarted
          && tirkeu_sync_error_is_forgotten_cursor (error))
        {
          g_debug ("Sync: the portal forgot the cursor, starting again without one");
          round->restarted = TRUE;
          g_clear_pointer (&round->cursor, g_free);
          fetch_page (g_steal_pointer (&task));
          return;
        }
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_debug ("Sync: %u changed requests, more: %s", changes->requests->len,
           changes->has_more ? "yes" : "no");
  {
    Round *round = g_task_get_task_data (task);

    /* Only a full page measures the link: a short one is the end of the list. */
    if (changes->has_more)
      adapt_page_limit (self, changes->requests->len,
                        g_get_monotonic_time () - round->page_sent_at);
  }
  g_object_set_data_full (G_OBJECT (task), "changes", g_steal_pointer (&changes),
                          (GDestroyNotify) tirkeu_portal_changes_free);
  look_up_page (g_steal_pointer (&task));
}

static void
fetch_page (GTask *task)
{
  TirkeuSync *self = g_task_get_source_object (task);
  Round *round = g_task_get_task_data (task);

  self->n_calls++;
  round->page_sent_at = g_get_monotonic_time ();
  tirkeu_portal_client_get_changes_page_async (self->client, round->cursor, self->page_limit,
                                               g_task_get_cancellable (task),
                                               changes_cb, task);
}

static void
cursor_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GTask *task = user_data;
  Round *round = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  round->cursor = tirkeu_journal_get_cursor_finish (TIRKEU_JOURNAL (source), result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }

  round->first_import = round->cursor == NULL;
  fetch_page (task);
}

/**
 * tirkeu_sync_run_async:
 * @self: a #TirkeuSync
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the round is over
 * @user_data: data for @callback
 *
 * Runs one round now: asks the portal for the changes since the stored cursor, page after
 * page while it says it has more, and writes each page with its cursor to the journal. It
 * does not touch #TirkeuSync:online nor the schedule: tirkeu_sync_start() does. One round at
 * a time: while one runs, another fails with %G_IO_ERROR_PENDING.
 */
void
tirkeu_sync_run_async (TirkeuSync          *self,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (TIRKEU_IS_SYNC (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tirkeu_sync_run_async);
  g_task_set_task_data (task, g_new0 (Round, 1), (GDestroyNotify) round_free);

  if (self->round != NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               "A sync with the portal is already running");
      return;
    }

  if (self->client == NULL)
    {
      g_task_return_new_error (task, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_UNAUTHORIZED,
                               "No portal session: sign in first");
      return;
    }

  self->round = task;
  g_object_add_weak_pointer (G_OBJECT (task), (gpointer *) &self->round);

  tirkeu_journal_get_cursor_async (self->journal, cancellable, cursor_cb,
                                   g_steal_pointer (&task));
}

/**
 * tirkeu_sync_run_finish:
 * @self: a #TirkeuSync
 * @result: the result given to the callback
 * @n_changed: (out) (optional): how many requests the round brought
 * @error: return location for a #TIRKEU_PORTAL_ERROR, a #TIRKEU_STORE_ERROR or a #G_IO_ERROR
 *
 * Returns: %TRUE if the round went through every page
 */
gboolean
tirkeu_sync_run_finish (TirkeuSync    *self,
                        GAsyncResult  *result,
                        guint         *n_changed,
                        GError       **error)
{
  Round *round;

  g_return_val_if_fail (TIRKEU_IS_SYNC (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tirkeu_sync_run_async, FALSE);

  round = g_task_get_task_data (G_TASK (result));
  if (n_changed != NULL)
    *n_changed = round->n_changed;

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ------------------------------------------------------------------------------------------ */
/* The schedule */

static void start_round (TirkeuSync *self);

static gboolean
timeout_cb (gpointer user_data)
{
  TirkeuSync *self = user_data;

  self->timeout_id = 0;
  start_round (self);

  return G_SOURCE_REMOVE;
}

static void
schedule (TirkeuSync *self,
          guint       delay_ms)
{
  g_clear_handle_id (&self->timeout_id, g_source_remove);
  if (self->running)
    self->timeout_id = g_timeout_add (delay_ms, timeout_cb, self);
}

static void
set_syncing (TirkeuSync *self,
             gboolean    syncing)
{
  if (self->syncing == (guint) !!syncing)
    return;
  self->syncing = !!syncing;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SYNCING]);
}

static void
set_online (TirkeuSync *self,
            gboolean    online,
            guint       retry_delay_ms)
{
  if (self->retry_delay_ms != retry_delay_ms)
    {
      self->retry_delay_ms = retry_delay_ms;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RETRY_DELAY]);
    }
  if (self->online != (guint) !!online)
    {
      self->online = !!online;
      g_debug ("Sync: %s", online ? "online" : "offline");
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ONLINE]);
    }
}

/* Takes @error; notifies only when the sync goes from failing to working or the reverse, or
 * the reason changes. */
static void
set_last_error (TirkeuSync *self,
                GError     *error)
{
  gboolean changed;

  changed = (self->last_error == NULL) != (error == NULL)
            || (error != NULL && (self->last_error->domain != error->domain
                                  || self->last_error->code != error->code
                                  || g_strcmp0 (self->last_error->message, error->message) != 0));
  g_clear_error (&self->last_error);
  self->last_error = error;
  if (changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_ERROR]);
}

static void
round_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(TirkeuSync) self = user_data;
  g_autoptr(GError) error = NULL;
  guint n_changed = 0;
  gboolean manual;

  tirkeu_sync_run_finish (self, result, &n_changed, &error);
  set_syncing (self, FALSE);
  manual = self->manual_round;
  self->manual_round = FALSE;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (error == NULL)
    {
      set_last_error (self, NULL);
      set_online (self, TRUE, 0);
      schedule (self, self->refresh_pending ? 0 : self->interval_ms);
    }
  else if (tirkeu_sync_error_is_offline (error) && manual && self->retry_delay_ms != 0
           && !self->refresh_pending)
    {
      /* A manual try while offline that failed: the back-off keeps its step and the next
       * try its time, so that pressing Retry never lengthens the wait. */
      gint64 left_ms = (self->retry_at - g_get_monotonic_time ()) / 1000;

      set_last_error (self, g_steal_pointer (&error));
      schedule (self, (guint) CLAMP (left_ms, 0, (gint64) self->retry_delay_ms));
      return;
    }
  else if (tirkeu_sync_error_is_offline (error))
    {
      guint delay = self->retry_delay_ms == 0 ? self->backoff_first_ms
                                              : MIN (self->retry_delay_ms * 2,
                                                     self->backoff_max_ms);
      guint retry_after_ms = tirkeu_portal_error_get_retry_after (error) * 1000;

      delay = MAX (delay, MIN (retry_after_ms, self->backoff_max_ms));
      g_debug ("Sync: portal unreachable (%s), next try in %u ms", error->message, delay);
      set_last_error (self, g_steal_pointer (&error));
      self->retry_at = g_get_monotonic_time () + (gint64) delay * 1000;
      set_online (self, FALSE, delay);
      schedule (self, delay);
    }
  else if (tirkeu_portal_error_wants_session (error))
    {
      /* The session ended: only the user's PIN opens a new one, so trying again on a timer
       * would only ask the portal to refuse again. The client goes; the next sign-in hands
       * a new one (tirkeu_sync_set_client()), which starts a round at once. */
      g_debug ("Sync: the portal session ended, waiting for a sign-in");
      set_last_error (self, g_steal_pointer (&error));
      set_online (self, TRUE, 0);
      self->refresh_pending = FALSE;
      tirkeu_sync_set_client (self, NULL);
      return;
    }
  else
    {
      /* Reachable but refused (a broken answer, a journal that cannot be written): not
       * offline. Try again at the normal pace. */
      g_message ("Sync with the portal failed: %s", error->message);
      set_last_error (self, g_steal_pointer (&error));
      set_online (self, TRUE, 0);
      schedule (self, self->interval_ms);
    }
  self->refresh_pending = FALSE;
}

static void
start_round (TirkeuSync *self)
{
  if (!self->running || self->client == NULL)
    return;

  if (self->syncing)
    {
      self->refresh_pending = TRUE;
      return;
    }

  g_clear_handle_id (&self->timeout_id, g_source_remove);
  self->refresh_pending = FALSE;
  set_syncing (self, TRUE);
  tirkeu_sync_run_async (self, self->cancellable, round_done_cb, g_object_ref (self));
}

static void
network_changed_cb (GNetworkMonitor *monitor,
                    gboolean         available,
                    TirkeuSync      *self)
{
  /* Waiting out a long back-off after the cable is back would look broken. */
  if (available && !self->online && self->running)
    {
      g_debug ("Sync: the network is back, trying now");
      start_round (self);
    }
}

/**
 * tirkeu_sync_start:
 * @self: a #TirkeuSync
 *
 * Starts the schedule: a round now (as soon as there is a client), then one every
 * #TirkeuSync:interval, or after the back-off delay while offline.
 */
void
tirkeu_sync_start (TirkeuSync *self)
{
  g_return_if_fail (TIRKEU_IS_SYNC (self));

  if (self->running)
    return;

  self->running = TRUE;
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  start_round (self);
}

/**
 * tirkeu_sync_stop:
 * @self: a #TirkeuSync
 *
 * Stops the schedule and cancels the round in flight (a page being written still commits
 * whole or not at all).
 */
void
tirkeu_sync_stop (TirkeuSync *self)
{
  g_return_if_fail (TIRKEU_IS_SYNC (self));

  self->running = FALSE;
  g_clear_handle_id (&self->timeout_id, g_source_remove);
  g_cancellable_cancel (self->cancellable);
}

gboolean
tirkeu_sync_get_running (TirkeuSync *self)
{
  g_return_val_if_fail (TIRKEU_IS_SYNC (self), FALSE);

  return self->running;
}

/**
 * tirkeu_sync_refresh:
 * @self: a #TirkeuSync
 *
 * The manual refresh (F5, Ctrl+R): a round now instead of at the next interval, also while
 * offline. If a round is running, another follows it at once.
 */
void
tirkeu_sync_refresh (TirkeuSync *self)
{
  g_return_if_fail (TIRKEU_IS_SYNC (self));

  if (!self->running)
    tirkeu_sync_start (self);
  else
    start_round (self);
}

/**
 * tirkeu_sync_retry_now:
 * @self: a #TirkeuSync
 *
 * The "Retry" of the offline banner: a round now, outside the back-off. While offline, a
 * round that fails again leaves #TirkeuSync:retry-delay and the time of the next try as they
 * were, so that pressing Retry never lengthens the wait; otherwise it is tirkeu_sync_refresh().
 */
void
tirkeu_sync_retry_now (TirkeuSync *self)
{
  g_return_if_fail (TIRKEU_IS_SYNC (self));

  if (self->running && !self->syncing && !self->online)
    self->manual_round = TRUE;
  tirkeu_sync_refresh (self);
}

/**
 * tirkeu_sync_get_retry_at:
 * @self: a #TirkeuSync
 *
 * Returns: while offline, the monotonic time (g_get_monotonic_time()) of the next try; 0
 *   while online
 */
gint64
tirkeu_sync_get_retry_at (TirkeuSync *self)
{
  g_return_val_if_fail (TIRKEU_IS_SYNC (self), 0);

  return self->online ? 0 : self->retry_at;
}

/* ------------------------------------------------------------------------------------------ */
/* Properties */

TirkeuJournal *
tirkeu_sync_get_journal (TirkeuSync *self)
{
  g_return_val_if_fail (TIRKEU_IS_SYNC (self), NULL);

  return self->journal;
}

TirkeuPortalClient *
tirkeu_sync_get_client (TirkeuSync *self)
{
  g_return_val_if_fail (TIRKEU_IS_SYNC (self), NULL);

  return self->client;
}

/**
 * tirkeu_sync_set_client:
 * @self: a #TirkeuSync
 * @client: (nullable): a signed-in portal client, or %NULL after signing out
 *
 * Gives the sync its portal session. Sign-in happens outside (#TirkeuSession); a new client
 * starts a round at once if the schedule runs. A session that ended takes the client away
 * (the sync sets it to %NULL itself).
 */
void
tirkeu_sync_set_client (TirkeuSync         *self,
                        TirkeuPortalClient *client)
{
  g_return_if_fail (TIRKEU_IS_SYNC (self));
  g_return_if_fail (client == NULL || TIRKEU_IS_PORTAL_CLIENT (client));

  if (!g_set_object (&self->client, client))
    return;

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CLIENT]);
  if (client != NULL)
    start_round (self);
}

guint
tirkeu_sync_get_interval (TirkeuSync *self)
{
  g_return_val_if_fail (TIRKEU_IS_SYNC (self), 0);

  return self->interval_ms;
}

/**
 * tirkeu_sync_set_interval:
 * @self: a #TirkeuSync
 * @interval_ms: milliseconds between two rounds (the refresh-interval setting × 1000)
 */
void
tirkeu_sync_set_interval (TirkeuSync *self,
                          guint       interval_ms)
{
  g_return_if_fail (TIRKEU_IS_SYNC (self));
  g_return_if_fail (interval_ms > 0);

  if (self->interval_ms == interval_ms)
    return;

  self->interval_ms = interval_ms;
  /* A shorter interval applies now, not after the long wait already scheduled. */
  if (self->timeout_id != 0 && self->online)
    schedule (self, interval_ms);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INTERVAL]);
}

/**
 * tirkeu_sync_set_backoff:
 * @self: a #TirkeuSync
 * @first_ms: the wait after the first failure to reach the portal (5 s by default)
 * @max_ms: the longest wait (5 minutes by default)
 */
void
tirkeu_sync_set_backoff (TirkeuSync *self,
                         guint       first_ms,
                         guint       max_ms)
{
  g_return_if_fail (TIRKEU_IS_SYNC (self));
  g_return_if_fail (first_ms > 0 && first_ms <= max_ms);

  self->backoff_first_ms = first_ms;
  self->backoff_max_ms = max_ms;
}

/**
 * tirkeu_sync_get_retry_delay:
 * @self: a #TirkeuSync
 *
 * Returns: while offline, the wait in milliseconds before the next try; 0 while online
 */
guint
tirkeu_sync_get_retry_delay (TirkeuSync *self)
{
  g_return_val_if_fail (TIRKEU_IS_SYNC (self), 0);

  return self->retry_delay_ms;
}

gboolean
tirkeu_sync_get_online (TirkeuSync *self)
{
  g_return_val_if_fail (TIRKEU_IS_SYNC (self), FALSE);

  return self->online;
}

gboolean
tirkeu_sync_get_syncing (TirkeuSync *self)
{
  g_return_val_if_fail (TIRKEU_IS_SYNC (self), FALSE);

  return self->syncing;
}

/**
 * tirkeu_sync_get_last_error:
 * @self: a #TirkeuSync
 *
 * Returns: (nullable): why the last scheduled round failed, %NULL if it went through
 */
const GError *
tirkeu_sync_get_last_error (TirkeuSync *self)
{
  g_return_val_if_fail (TIRKEU_IS_SYNC (self), NULL);

  return self->last_error;
}

/**
 * tirkeu_sync_get_n_calls:
 * @self: a #TirkeuSync
 *
 * Returns: how many "changes" calls were made to the portal, for tests and diagnostics
 */
guint
tirkeu_sync_get_n_calls (TirkeuSync *self)
{
  g_return_val_if_fail (TIRKEU_IS_SYNC (self), 0);

  return self->n_calls;
}

static void
tirkeu_sync_constructed (GObject *object)
{
  TirkeuSync *self = TIRKEU_SYNC (object);

  G_OBJECT_CLASS (tirkeu_sync_parent_class)->constructed (object);

  g_assert (self->journal != NULL);
  if (self->network_monitor == NULL)
    self->network_monitor = g_object_ref (g_network_monitor_get_default ());
  g_signal_connect_object (self->network_monitor, "network-changed",
                           G_CALLBACK (network_changed_cb), self, G_CONNECT_DEFAULT);
}

static void
tirkeu_sync_dispose (GObject *object)
{
  TirkeuSync *self = TIRKEU_SYNC (object);

  tirkeu_sync_stop (self);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->client);
  g_clear_object (&self->network_monitor);
  g_clear_object (&self->journal);

  G_OBJECT_CLASS (tirkeu_sync_parent_class)->dispose (object);
}

static void
tirkeu_sync_finalize (GObject *object)
{
  TirkeuSync *self = TIRKEU_SYNC (object);

  g_clear_error (&self->last_error);
  g_clear_pointer (&self->known, g_hash_table_unref);

  G_OBJECT_CLASS (tirkeu_sync_parent_class)->finalize (object);
}

static void
tirkeu_sync_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  TirkeuSync *self = TIRKEU_SYNC (object);

  switch (prop_id)
    {
    case PROP_JOURNAL:
      g_value_set_object (value, self->journal);
      break;
    case PROP_NETWORK_MONITOR:
      g_value_set_object (value, self->network_monitor);
      break;
    case PROP_CLIENT:
      g_value_set_object (value, self->client);
      break;
    case PROP_INTERVAL:
      g_value_set_uint (value, self->interval_ms);
      break;
    case PROP_ONLINE:
      g_value_set_boolean (value, self->online);
      break;
    case PROP_SYNCING:
      g_value_set_boolean (value, self->syncing);
      break;
    case PROP_RETRY_DELAY:
      g_value_set_uint (value, self->retry_delay_ms);
      break;
    case PROP_LAST_ERROR:
      g_value_set_boxed (value, self->last_error);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tirkeu_sync_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  TirkeuSync *self = TIRKEU_SYNC (object);

  switch (prop_id)
    {
    case PROP_JOURNAL:
      self->journal = g_value_dup_object (value);
      break;
    case PROP_NETWORK_MONITOR:
      self->network_monitor = g_value_dup_object (value);
      break;
    case PROP_CLIENT:
      tirkeu_sync_set_client (self, g_value_get_object (value));
      break;
    case PROP_INTERVAL:
      tirkeu_sync_set_interval (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tirkeu_sync_class_init (TirkeuSyncClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = tirkeu_sync_constructed;
  object_class->dispose = tirkeu_sync_dispose;
  object_class->finalize = tirkeu_sync_finalize;
  object_class->get_property = tirkeu_sync_get_property;
  object_class->set_property = tirkeu_sync_set_property;

  properties[PROP_JOURNAL] =
    g_param_spec_object ("journal", NULL, NULL, TIRKEU_TYPE_JOURNAL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_NETWORK_MONITOR] =
    g_param_spec_object ("network-monitor", NULL, NULL, G_TYPE_NETWORK_MONITOR,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * TirkeuSync:client:
   *
   * The signed-in portal client, %NULL while there is no portal session.
   */
  properties[PROP_CLIENT] =
    g_param_spec_object ("client", NULL, NULL, TIRKEU_TYPE_PORTAL_CLIENT,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * TirkeuSync:interval:
   *
   * Milliseconds between two rounds while online.
   */
  properties[PROP_INTERVAL] =
    g_param_spec_uint ("interval", NULL, NULL, 1, G_MAXUINT, DEFAULT_INTERVAL_MS,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * TirkeuSync:online:
   *
   * %FALSE while the portal cannot be reached; the window then shows "Offline — retrying".
   */
  properties[PROP_ONLINE] =
    g_param_spec_boolean ("online", NULL, NULL, TRUE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * TirkeuSync:syncing:
   *
   * %TRUE while a scheduled round runs.
   */
  properties[PROP_SYNCING] =
    g_param_spec_boolean ("syncing", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * TirkeuSync:retry-delay:
   *
   * While offline, the wait in milliseconds before the next try; 0 while online.
   */
  properties[PROP_RETRY_DELAY] =
    g_param_spec_uint ("retry-delay", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * TirkeuSync:last-error:
   *
   * Why the last scheduled round failed (a #GError), %NULL once a round went through. The
   * window shows it: a sync that fails is never silent.
   */
  properties[PROP_LAST_ERROR] =
    g_param_spec_boxed ("last-error", NULL, NULL, G_TYPE_ERROR,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TirkeuSync::requests-changed:
   * @self: the sync
   * @requests: (element-type TirkeuRequest): the requests of a page, as now in the journal
   *
   * Emitted after a page of changes was committed to the journal.
   */
  signals[REQUESTS_CHANGED] =
    g_signal_new ("requests-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_PTR_ARRAY);

  /**
   * TirkeuSync::stage-changed:
   * @self: the sync
   * @request: the request, as now in the journal
   * @old_stage: the #TirkeuStage the journal held, or %TIRKEU_SYNC_STAGE_UNKNOWN for a
   *   request it did not hold
   * @new_stage: the #TirkeuStage now
   *
   * Emitted for each request whose stage changed, after its page was committed. Not emitted
   * during the first import into a journal without a cursor: that brings the past, not news.
   */
  signals[STAGE_CHANGED] =
    g_signal_new ("stage-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 3,
                  TIRKEU_TYPE_REQUEST, G_TYPE_INT, G_TYPE_INT);
}

static void
tirkeu_sync_init (TirkeuSync *self)
{
  self->known = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->interval_ms = DEFAULT_INTERVAL_MS;
  self->backoff_first_ms = DEFAULT_BACKOFF_FIRST_MS;
  self->backoff_max_ms = DEFAULT_BACKOFF_MAX_MS;
  self->online = TRUE;
  self->page_limit = PAGE_LIMIT_DEFAULT;
  self->cancellable = g_cancellable_new ();
}

/**
 * tirkeu_sync_new:
 * @journal: the journal to keep up to date
 * @network_monitor: (nullable): %NULL for g_network_monitor_get_default()
 *
 * Returns: (transfer full): a new #TirkeuSync, stopped and without a client
 */
TirkeuSync *
tirkeu_sync_new (TirkeuJournal   *journal,
                 GNetworkMonitor *network_monitor)
{
  g_return_val_if_fail (TIRKEU_IS_JOURNAL (journal), NULL);
  g_return_val_if_fail (network_monitor == NULL || G_IS_NETWORK_MONITOR (network_monitor), NULL);

  return g_object_new (TIRKEU_TYPE_SYNC,
                       "journal", journal,
                       "network-monitor", network_monitor,
                       NULL);
}
