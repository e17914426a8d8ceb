/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "tirkeu-request-list.h"
#include "tirkeu-request-row.h"

/**
 * TirkeuRequestList:
 *
 * The requests of the journal as a #GListModel for the requests list: a #GListStore of
 * #TirkeuRequest, sorted by the last change (latest first), then filtered by a category and
 * a search text. Each request carries a search key (request number, VIN, IIN, buyer, vehicle
 * and contract, case-folded) computed once when it enters the list, so that a keystroke in
 * the search entry costs one substring test per request, not a string build.
 *
 * It is fed whole by tirkeu_request_list_load_async() (or _set_requests()) and then by
 * tirkeu_request_list_update() with each page the sync commits.
 */
struct _TirkeuRequestList
{
  GObject              parent_instance;

  /* owned references */
  GListStore          *store;
  GtkSortListModel    *sorted;
  GtkFilterListModel  *filtered;
  GtkCustomFilter     *filter;
  GHashTable          *by_id;          /* portal id -> TirkeuRequest (in store) */
  char                *search;         /* as typed */
  char               **search_words;   /* case-folded, NULL when no search */

  /* state */
  TirkeuRequestCategory category;
};

G_DEFINE_FINAL_TYPE (TirkeuRequestList, tirkeu_request_list, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_MODEL,
  PROP_SEARCH,
  PROP_CATEGORY,
  PROP_N_REQUESTS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GQuark
search_key_quark (void)
{
  static GQuark quark;

  if (G_UNLIKELY (quark == 0))
    quark = g_quark_from_static_string ("tirkeu-request-list-search-key");
  return quark;
}

static const char * const category_names[TIRKEU_N_REQUEST_CATEGORIES] = {
  [TIRKEU_REQUEST_CATEGORY_ALL] = "all",
  [TIRKEU_REQUEST_CATEGORY_NEEDS_ACTION] = "needs-action",
  [TIRKEU_REQUEST_CATEGORY_AWAITING_BUYER] = "awaiting-buyer",
  [TIRKEU_REQUEST_CATEGORY_IN_PROGRESS] = "in-progress",
  [TIRKEU_REQUEST_CATEGORY_COMPLETED] = "completed",
  [TIRKEU_REQUEST_CATEGORY_CLOSED] = "closed",
};

/**
 * tirkeu_request_category_for_stage:
 * @stage: a #TirkeuStage
 *
 * Returns: the filter a request in @stage belongs to (never %TIRKEU_REQUEST_CATEGORY_ALL)
 */
TirkeuRequestCategory
tirkeu_request_category_for_stage (TirkeuStage stage)
{
  /* the core's lists, after "all" */
  return TIRKEU_REQUEST_CATEGORY_NEEDS_ACTION + (TirkeuRequestCategory) tirkeu_stage_get_category (stage);
}

/**
 * tirkeu_request_category_to_string:
 * @category: a #TirkeuRequestCategory
 *
 * Returns: its name in action targets and CSS classes ("needs-action", ...)
 */
const char *
tirkeu_request_category_to_string (TirkeuRequestCategory category)
{
  g_return_val_if_fail (category < TIRKEU_N_REQUEST_CATEGORIES, NULL);

  return category_names[category];
}

gboolean
tirkeu_request_category_from_string (const char            *name,
                                     TirkeuRequestCategory *category)
{
  for (guint i = 0; i < G_N_ELEMENTS (category_names); i++)
    if (g_strcmp0 (name, category_names[i]) == 0)
      {
        *category = i;
        return TRUE;
      }

  return FALSE;
}

static void
append_folded (GString    *key,
               const char *text)
{
  g_autofree char *folded = NULL;

  if (text == NULL || *text == '\0')
    return;

  folded = g_utf8_casefold (text, -1);
  g_string_append_c (key, '\n');
  g_string_append (key, folded);
}

static const char *
ensure_search_key (TirkeuRequest *request)
{
  const TirkeuVehicle *vehicle;
  const TirkeuContract *contract;
  GString *key;
  char *existing = g_object_get_qdata (G_OBJECT (request), search_key_quark ());

  if (existing != NULL)
    return existing;

  key = g_string_new (NULL);
  append_folded (key, tirkeu_request_get_portal_id (request));
  append_folded (key, tirkeu_request_get_vin (request));
  /* The whole IIN is searchable (the desk types it from the buyer's ID card); the list only
   * ever shows it masked. */
  append_folded (key, tirkeu_request_get_buyer_iin (request));
  append_folded (key, tirkeu_request_get_buyer_name (request));
  vehicle = tirkeu_request_get_vehicle (request);
  if (vehicle != NULL)
    {
      append_folded (key, vehicle->make);
      append_folded (key, vehicle->model);
    }
  contract = tirkeu_request_get_contract (request);
  if (contract != NULL)
    append_folded (key, contract->number);

  existing = g_string_free (key, FALSE);
  g_object_set_qdata_full (G_OBJECT (request), search_key_quark (), existing, g_free);

  return existing;
}

static gboolean
filter_func (gpointer item,
             gpointer user_data)
{
  TirkeuRequestList *self = user_data;
  TirkeuRequest *request = item;

  if (self->category != TIRKEU_REQUEST_CATEGORY_ALL
      && tirkeu_request_category_for_stage (tirkeu_request_get_stage (request)) != self->category)
    return FALSE;

  if (self->search_words != NULL)
    {
      const char *key = ensure_search_key (request);

      for (guint i = 0; self->search_words[i] != NULL; i++)
        if (strstr (key, self->search_words[i]) == NULL)
          return FALSE;
    }

  return TRUE;
}

static gint64
updated_usec (TirkeuRequest *request)
{
  GDateTime *updated = tirkeu_request_get_last_change (request);

  return updated != NULL ? g_date_time_to_unix (updated) * G_USEC_PER_SEC
                           + g_date_time_get_microsecond (updated)
                         : 0;
}

static int
sort_func (gconstpointer a,
           gconstpointer b,
           gpointer      user_data)
{
  TirkeuRequest *request_a = (TirkeuRequest *) a;
  TirkeuRequest *request_b = (TirkeuRequest *) b;
  gint64 updated_a = updated_usec (request_a);
  gint64 updated_b = updated_usec (request_b);

  /* The latest change first; the request number keeps equal times in a stable order. */
  if (updated_a != updated_b)
    return updated_a > updated_b ? -1 : 1;

  return -g_strcmp0 (tirkeu_request_get_portal_id (request_a),
                     tirkeu_request_get_portal_id (request_b));
}

static void
notify_n_requests (TirkeuRequestList *self,
                   guint              before)
{
  if (g_list_model_get_n_items (G_LIST_MODEL (self->store)) != before)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_REQUESTS]);
}

/**
 * tirkeu_request_list_set_requests:
 * @self: a #TirkeuRequestList
 * @requests: (element-type TirkeuRequest): every request, as the journal lists them
 *
 * Replaces the whole list.
 */
void
tirkeu_request_list_set_requests (TirkeuRequestList *self,
                                  GPtrArray         *requests)
{
  guint before;

  g_return_if_fail (TIRKEU_IS_REQUEST_LIST (self));
  g_return_if_fail (requests != NULL);

  before = g_list_model_get_n_items (G_LIST_MODEL (self->store));
  g_hash_table_remove_all (self->by_id);
  for (guint i = 0; i < requests->len; i++)
    {
      TirkeuRequest *request = g_ptr_array_index (requests, i);
      const char *portal_id = tirkeu_request_get_portal_id (request);

      ensure_search_key (request);
      if (portal_id != NULL)
        g_hash_table_replace (self->by_id, g_strdup (portal_id), request);
    }
  /* One splice: one items-changed for the whole journal. */
  g_list_store_splice (self->store, 0, before, requests->pdata, requests->len);
  notify_n_requests (self, before);
}

/**
 * tirkeu_request_list_update:
 * @self: a #TirkeuRequestList
 * @requests: (element-type TirkeuRequest): requests that changed (a committed sync page)
 *
 * Replaces the requests already listed (by portal id) and adds the new ones.
 */
void
tirkeu_request_list_update (TirkeuRequestList *self,
                            GPtrArray         *requests)
{
  g_autoptr(GPtrArray) added = NULL;
  guint before;

  g_return_if_fail (TIRKEU_IS_REQUEST_LIST (self));
  g_return_if_fail (requests != NULL);

  before = g_list_model_get_n_items (G_LIST_MODEL (self->store));
  added = g_ptr_array_new ();
  for (guint i = 0; i < requests->len; i++)
    {
      TirkeuRequest *request = g_ptr_array_index (requests, i);
      const char *portal_id = tirkeu_request_get_portal_id (request);
      TirkeuRequest *listed;
      guint position;

      if (portal_id == NULL)
        continue;

      ensure_search_key (request);
      listed = g_hash_table_lookup (self->by_id, portal_id);
      if (listed == request)
        {
          /* Same object changed in place: let the sorter and filter see it again. */
          if (g_list_store_find (self->store, listed, &position))
            g_list_store_splice (self->store, position, 1, (gpointer *) &request, 1);
          continue;
        }
      if (listed != NULL && g_list_store_find (self->store, listed, &position))
        g_list_store_splice (self->store, position, 1, (gpointer *) &request, 1);
      else
        g_ptr_array_add (added, request);
      g_hash_table_replace (self->by_id, g_strdup (portal_id), request);
    }

  if (added->len > 0)
    g_list_store_splice (self->store, before, 0, added->pdata, added->len);
  notify_n_requests (self, before);
}

/**
 * tirkeu_request_list_lookup:
 * @self: a #TirkeuRequestList
 * @portal_id: a request number
 *
 * Returns: (transfer none) (nullable): the listed request with that number
 */
TirkeuRequest *
tirkeu_request_list_lookup (TirkeuRequestList *self,
                            const char        *portal_id)
{
  g_return_val_if_fail (TIRKEU_IS_REQUEST_LIST (self), NULL);
  g_return_val_if_fail (portal_id != NULL, NULL);

  return g_hash_table_lookup (self->by_id, portal_id);
}

static void
list_requests_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TirkeuRequestList *self = g_task_get_source_object (task);
  g_autoptr(GPtrArray) requests = NULL;
  GError *error = NULL;

  requests = tirkeu_journal_list_requests_finish (TIRKEU_JOURNAL (source), result, &error);
  if (requests == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  tirkeu_request_list_set_requests (self, requests);
  g_task_return_boolean (task, TRUE);
}

/**
 * tirkeu_request_list_load_async:
 * @self: a #TirkeuRequestList
 * @journal: the journal
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the list holds the journal's requests
 * @user_data: data for @callback
 *
 * Loads every request of the journal (on the journal's thread) into the list.
 */
void
tirkeu_request_list_load_async (TirkeuRequestList   *self,
                                TirkeuJournal       *journal,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (TIRKEU_IS_REQUEST_LIST (self));
  g_return_if_fail (TIRKEU_IS_JOURNAL (journal));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tirkeu_request_list_load_async);
  tirkeu_journal_list_requests_async (journal, cancellable, list_requests_cb, task);
}

gboolean
tirkeu_request_list_load_finish (TirkeuRequestList  *self,
                                 GAsyncResult       *result,
                                 GError            **error)
{
  g_return_val_if_fail (TIRKEU_IS_REQUEST_LIST (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * tirkeu_request_list_get_model:
 * @self: a #TirkeuRequestList
 *
 * Returns: (transfer none): the sorted and filtered requests, of #TirkeuRequest
 */
GListModel *
tirkeu_request_list_get_model (TirkeuRequestList *self)
{
  g_return_val_if_fail (TIRKEU_IS_REQUEST_LIST (self), NULL);

  return G_LIST_MODEL (self->filtered);
}

/**
 * tirkeu_request_list_get_n_requests:
 * @self: a #TirkeuRequestList
 *
 * Returns: how many requests the list holds, whatever the filter
 */
guint
tirkeu_request_list_get_n_requests (TirkeuRequestList *self)
{
  g_return_val_if_fail (TIRKEU_IS_REQUEST_LIST (self), 0);

  return g_list_model_get_n_items (G_LIST_MODEL (self->store));
}

const char *
tirkeu_request_list_get_search (TirkeuRequestList *self)
{
  g_return_val_if_fail (TIRKEU_IS_REQUEST_LIST (self), NULL);

  return self->search != NULL ? self->search : "";
}

static gboolean
words_contain_all (char **words,
                   char **others)
{
  /* TRUE when every word of @others is a substring of some word of @words: a match for
   * @words is then a match for @others, so the new filter is stricter. */
  if (others == NULL)
    return TRUE;
  if (words == NULL)
    return FALSE;
  for (guint i = 0; others[i] != NULL; i++)
    {
      gboolean found = FALSE;

      for (guint j = 0; !found && words[j] != NULL; j++)
        found = strstr (words[j], others[i]) != NULL;
      if (!found)
        return FALSE;
    }
  return TRUE;
}

/**
 * tirkeu_request_list_set_search:
 * @self: a #TirkeuRequestList
 * @search: (nullable): words that must all appear in the request number, VIN, IIN, buyer's
 *   name, vehicle or contract number; case does not matter
 */
void
tirkeu_request_list_set_search (TirkeuRequestList *self,
                                const char        *search)
{
  g_auto(GStrv) old_words = NULL;
  g_autofree char *folded = NULL;
  GtkFilterChange change;

  g_return_if_fail (TIRKEU_IS_REQUEST_LIST (self));

  if (search == NULL)
    search = "";
  if (g_strcmp0 (self->search != NULL ? self->search : "", search) == 0)
    return;

  g_free (self->search);
  self->search = g_strdup (search);
  old_words = g_steal_pointer (&self->search_words);

  /* Plain whitespace words, looked for as typed: an IIN or a request number "KZ-123" must not
   * be split on its dash the way g_str_tokenize_and_fold() would. */
  folded = g_utf8_casefold (search, -1);
  self->search_words = g_strsplit_set (g_strstrip (folded), " \t\n", -1);
  {
    guint n = 0;

    for (guint i = 0; self->search_words[i] != NULL; i++)
      if (*self->search_words[i] != '\0')
        self->search_words[n++] = self->search_words[i];
      else
        g_free (self->search_words[i]);
    self->search_words[n] = NULL;
    if (n == 0)
      g_clear_pointer (&self->search_words, g_strfreev);
  }

  if (words_contain_all (self->search_words, old_words))
    change = GTK_FILTER_CHANGE_MORE_STRICT;
  else if (words_contain_all (old_words, self->search_words))
    change = GTK_FILTER_CHANGE_LESS_STRICT;
  else
    change = GTK_FILTER_CHANGE_DIFFERENT;
  gtk_filter_changed (GTK_FILTER (self->filter), change);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEARCH]);
}

TirkeuRequestCategory
tirkeu_request_list_get_category (TirkeuRequestList *self)
{
  g_return_val_if_fail (TIRKEU_IS_REQUEST_LIST (self), TIRKEU_REQUEST_CATEGORY_ALL);

  return self->category;
}

/**
 * tirkeu_request_list_set_category:
 * @self: a #TirkeuRequestList
 * @category: the filter
 */
void
tirkeu_request_list_set_category (TirkeuRequestList     *self,
                                  TirkeuRequestCategory  category)
{
  TirkeuRequestCategory old;

  g_return_if_fail (TIRKEU_IS_REQUEST_LIST (self));
  g_return_if_fail (category < TIRKEU_N_REQUEST_CATEGORIES);

  if (self->category == category)
    return;

  old = self->category;
  self->category = category;
  gtk_filter_changed (GTK_FILTER (self->filter),
                      old == TIRKEU_REQUEST_CATEGORY_ALL ? GTK_FILTER_CHANGE_MORE_STRICT
                      : category == TIRKEU_REQUEST_CATEGORY_ALL ? GTK_FILTER_CHANGE_LESS_STRICT
                      : GTK_FILTER_CHANGE_DIFFERENT);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CATEGORY]);
}

static void
tirkeu_request_list_dispose (GObject *object)
{
  TirkeuRequestList *self = TIRKEU_REQUEST_LIST (object);

  g_clear_object (&self->filtered);
  g_clear_object (&self->sorted);
  g_clear_object (&self->filter);
  g_clear_object (&self->store);
  g_clear_pointer (&self->by_id, g_hash_table_unref);

  G_OBJECT_CLASS (tirkeu_request_list_parent_class)->dispose (object);
}

static void
tirkeu_request_list_finalize (GObject *object)
{
  TirkeuRequestList *self = TIRKEU_REQUEST_LIST (object);

  g_free (self->search);
  g_strfreev (self->search_words);

  G_OBJECT_CLASS (tirkeu_request_list_parent_class)->finalize (object);
}

static void
tirkeu_request_list_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  TirkeuRequestList *self = TIRKEU_REQUEST_LIST (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      g_value_set_object (value, tirkeu_request_list_get_model (self));
      break;
    case PROP_SEARCH:
      g_value_set_string (value, tirkeu_request_list_get_search (self));
      break;
    case PROP_CATEGORY:
      g_value_set_uint (value, self->category);
      break;
    case PROP_N_REQUESTS:
      g_value_set_uint (value, tirkeu_request_list_get_n_requests (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tirkeu_request_list_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  TirkeuRequestList *self = TIRKEU_REQUEST_LIST (object);

  switch (prop_id)
    {
    case PROP_SEARCH:
      tirkeu_request_list_set_search (self, g_value_get_string (value));
      break;
    case PROP_CATEGORY:
      tirkeu_request_list_set_category (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tirkeu_request_list_class_init (TirkeuRequestListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tirkeu_request_list_dispose;
  object_class->finalize = tirkeu_request_list_finalize;
  object_class->get_property = tirkeu_request_list_get_property;
  object_class->set_property = tirkeu_request_list_set_property;

  properties[PROP_MODEL] =
    g_param_spec_object ("model", NULL, NULL, G_TYPE_LIST_MODEL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_SEARCH] =
    g_param_spec_string ("search", NULL, NULL, "",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CATEGORY] =
    g_param_spec_uint ("category", NULL, NULL, 0, TIRKEU_N_REQUEST_CATEGORIES - 1, 0,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_REQUESTS] =
    g_param_spec_uint ("n-requests", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tirkeu_request_list_init (TirkeuRequestList *self)
{
  GtkCustomSorter *sorter;

  self->store = g_list_store_new (TIRKEU_TYPE_REQUEST);
  self->by_id = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  sorter = gtk_custom_sorter_new (sort_func, NULL, NULL);
  self->sorted = gtk_sort_list_model_new (G_LIST_MODEL (g_object_ref (self->store)),
                                          GTK_SORTER (sorter));
  self->filter = gtk_custom_filter_new (filter_func, self, NULL);
  self->filtered = gtk_filter_list_model_new (G_LIST_MODEL (g_object_ref (self->sorted)),
                                              GTK_FILTER (g_object_ref (self->filter)));
}

/**
 * tirkeu_request_list_new:
 *
 * Returns: (transfer full): an empty list
 */
TirkeuRequestList *
tirkeu_request_list_new (void)
{
  return g_object_new (TIRKEU_TYPE_REQUEST_LIST, NULL);
}
