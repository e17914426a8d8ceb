/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "tirkeu-request-list.h"
#include "tirkeu-request-row.h"
#include "tirkeu-search-key.h"

/**
 * TirkeuRequestList:
 *
 * The requests of the journal as a #GListModel for the requests list: a #GListStore of
 * #TirkeuRequest kept in the list's order (the latest change first), filtered by a category
 * and a search text. The order and the search go by keys prepared once per request, on the
 * journal's thread (tirkeu_search_key_prepare()): sorting compares two integers, and a
 * keystroke in the search entry costs one substring test per request.
 *
 * It is fed whole by tirkeu_request_list_load_async() (or _set_requests()) and then by
 * tirkeu_request_list_update() with each page the sync commits. The store is kept sorted
 * here rather than by a #GtkSortListModel: a page of changes is merged into the order and
 * lands as ONE splice of the store, one items-changed, whatever its size.
 */
struct _TirkeuRequestList
{
  GObject              parent_instance;

  /* owned references */
  GListStore          *store;          /* sorted by tirkeu_search_key_compare() */
  GPtrArray           *items;          /* the store's items in its order, referenced */
  GtkFilterListModel  *filtered;
  GtkCustomFilter     *filter;
  GHashTable          *by_id;          /* portal id -> TirkeuRequest (in store) */
  char                *search;         /* as typed */
  char               **search_words;   /* folded (tirkeu_search_key_fold()), NULL when none */

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
      const char *key = tirkeu_search_key_get (request);

      for (guint i = 0; self->search_words[i] != NULL; i++)
        if (strstr (key, self->search_words[i]) == NULL)
          return FALSE;
    }

  return TRUE;
}

static int
compare_cb (gconstpointer a,
            gconstpointer b)
{
  return tirkeu_search_key_compare (*(TirkeuRequest **) a, *(TirkeuRequest **) b);
}

/* Replaces the store's items with @items (sorted, holding references) in one splice over
 * the range that differs. */
static void
replace_items (TirkeuRequestList *self,
               GPtrArray         *items)
{
  /* Held across the splice: it drops the store's references before taking new ones, and a
   * request that only moves must not be finalized in between. */
  g_autoptr(GPtrArray) old_items = g_steal_pointer (&self->items);
  guint old_len = old_items->len;
  guint new_len = items->len;
  guint head = 0;
  guint tail = 0;

  while (head < old_len && head < new_len
         && g_ptr_array_index (old_items, head) == g_ptr_array_index (items, head))
    head++;
  while (tail < old_len - head && tail < new_len - head
         && g_ptr_array_index (old_items, old_len - 1 - tail)
            == g_ptr_array_index (items, new_len - 1 - tail))
    tail++;

  /* The new array first: the store's items-changed handlers may read the list. */
  self->items = g_ptr_array_ref (items);
  if (head < old_len - tail || head < new_len - tail)
    g_list_store_splice (self->store, head, old_len - head - tail,
                         items->pdata + head, new_len - head - tail);
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
  g_autoptr(GPtrArray) items = NULL;
  gboolean sorted = TRUE;
  guint before;

  g_return_if_fail (TIRKEU_IS_REQUEST_LIST (self));
  g_return_if_fail (requests != NULL);

  before = self->items->len;
  items = g_ptr_array_new_full (requests->len, g_object_unref);
  g_hash_table_remove_all (self->by_id);
  for (guint i = 0; i < requests->len; i++)
    {
      TirkeuRequest *request = g_ptr_array_index (requests, i);
      const char *portal_id = tirkeu_request_get_portal_id (request);

      g_ptr_array_add (items, g_object_ref (request));
      if (portal_id != NULL)
        g_hash_table_replace (self->by_id, g_strdup (portal_id), request);
    }
  /* The journal hands them over sorted: checking costs one pass. */
  for (guint i = 1; i < items->len && sorted; i++)
    sorted = tirkeu_search_key_compare (g_ptr_array_index (items, i - 1),
                                        g_ptr_array_index (items, i)) <= 0;
  if (!sorted)
    g_ptr_array_sort (items, compare_cb);

  /* One splice: one items-changed for the whole journal. */
  replace_items (self, items);
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
  g_autoptr(GHashTable) leaving = NULL;
  g_autoptr(GHashTable) incoming_by_id = NULL;
  g_autoptr(GPtrArray) incoming = NULL;
  g_autoptr(GPtrArray) items = NULL;
  guint before;
  guint i, j;

  g_return_if_fail (TIRKEU_IS_REQUEST_LIST (self));
  g_return_if_fail (requests != NULL);

  before = self->items->len;
  leaving = g_hash_table_new (NULL, NULL);
  incoming_by_id = g_hash_table_new (g_str_hash, g_str_equal);
  incoming = g_ptr_array_new ();

  /* The last copy of a request in the page wins. */
  for (i = requests->len; i-- > 0;)
    {
      TirkeuRequest *request = g_ptr_array_index (requests, i);
      const char *portal_id = tirkeu_request_get_portal_id (request);
      TirkeuRequest *listed;

      if (portal_id == NULL || g_hash_table_contains (incoming_by_id, portal_id))
        continue;
      g_hash_table_add (incoming_by_id, (gpointer) portal_id);

      listed = g_hash_table_lookup (self->by_id, portal_id);
      if (listed == request)
        /* The same object changed in place: its keys are stale. */
        tirkeu_search_key_prepare (request);
      if (listed != NULL)
        g_hash_table_add (leaving, listed);
      g_ptr_array_add (incoming, request);
    }
  if (incoming->len == 0)
    return;
  g_ptr_array_sort (incoming, compare_cb);

  /* Merge the sorted page into the order, without the copies it replaces. */
  items = g_ptr_array_new_full (before + incoming->len, g_object_unref);
  for (i = 0, j = 0; i < before || j < incoming->len;)
    {
      TirkeuRequest *listed = i < before ? g_ptr_array_index (self->items, i) : NULL;
      TirkeuRequest *request = j < incoming->len ? g_ptr_array_index (incoming, j) : NULL;

      if (listed != NULL && g_hash_table_contains (leaving, listed))
        i++;
      else if (request == NULL
               || (listed != NULL && tirkeu_search_key_compare (listed, request) <= 0))
        g_ptr_array_add (items, g_object_ref (g_ptr_array_index (self->items, i++)));
      else
        g_ptr_array_add (items, g_object_ref (g_ptr_array_index (incoming, j++)));
    }

  for (i = 0; i < incoming->len; i++)
    {
      TirkeuRequest *request = g_ptr_array_index (incoming, i);

      g_hash_table_replace (self->by_id, g_strdup (tirkeu_request_get_portal_id (request)),
                            request);
    }
  replace_items (self, items);
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
 *   name, vehicle or contract number; neither case nor the Kazakh and Russian letters typed
 *   for one another matter (tirkeu_search_key_fold())
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
  folded = tirkeu_search_key_fold (search);
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
  g_clear_object (&self->filter);
  g_clear_object (&self->store);
  g_clear_pointer (&self->by_id, g_hash_table_unref);
  g_clear_pointer (&self->items, g_ptr_array_unref);

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
  self->store = g_list_store_new (TIRKEU_TYPE_REQUEST);
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
  self->by_id = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  self->filter = gtk_custom_filter_new (filter_func, self, NULL);
  self->filtered = gtk_filter_list_model_new (G_LIST_MODEL (g_object_ref (self->store)),
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
