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
/* The list's requests in its order: a #GListModel over an array, so that a page of changes
 * (or the rest of a load) is one swap of arrays and one items-changed, without the per-item
 * work of a #GListStore's sequence. */
#define REQUEST_TYPE_ARRAY_MODEL (request_array_model_get_type ())
G_DECLARE_FINAL_TYPE (RequestArrayModel, request_array_model, REQUEST, ARRAY_MODEL, GObject)

struct _RequestArrayModel
{
  GObject    parent_instance;

  GPtrArray *items;   /* of TirkeuRequest, referenced */

  /* While a page of changes is told one stretch at a time: the model is items' first
   * @shown, then @rest (the former array, not owned) from @rest_from on. */
  GPtrArray *rest;
  guint      shown;
  guint      rest_from;
};

static GType
request_array_model_get_item_type (GListModel *model)
{
  return TIRKEU_TYPE_REQUEST;
}

static guint
request_array_model_get_n_items (GListModel *model)
{
  RequestArrayModel *self = (RequestArrayModel *) model;

  if (self->rest != NULL)
    return self->shown + self->rest->len - self->rest_from;
  return self->items->len;
}

static gpointer
request_array_model_get_item (GListModel *model,
                              guint       position)
{
  RequestArrayModel *self = (RequestArrayModel *) model;
  GPtrArray *items = self->items;

  if (self->rest != NULL && position >= self->shown)
    {
      items = self->rest;
      position = position - self->shown + self->rest_from;
    }
  return position < items->len ? g_object_ref (g_ptr_array_index (items, position)) : NULL;
}

static void
request_array_model_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = request_array_model_get_item_type;
  iface->get_n_items = request_array_model_get_n_items;
  iface->get_item = request_array_model_get_item;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (RequestArrayModel, request_array_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      request_array_model_list_model_init))

static void
request_array_model_finalize (GObject *object)
{
  g_ptr_array_unref (((RequestArrayModel *) object)->items);

  G_OBJECT_CLASS (request_array_model_parent_class)->finalize (object);
}

static void
request_array_model_class_init (RequestArrayModelClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = request_array_model_finalize;
}

static void
request_array_model_init (RequestArrayModel *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
}

struct _TirkeuRequestList
{
  GObject              parent_instance;

  /* owned references */
  RequestArrayModel   *store;          /* sorted by tirkeu_search_key_compare() */
  GtkFilterListModel  *filtered;
  GtkFilter           *filter;         /* a RequestFilter */
  GHashTable          *by_id;          /* portal id (the listed request's) -> TirkeuRequest */
  char                *search;         /* as typed */
  char               **search_words;   /* folded (tirkeu_search_key_fold()), NULL when none */

  /* state */
  guint                pass_all_id;    /* idle: the filter may say it lets all through */
  TirkeuRequestCategory category;
  guint                counts[TIRKEU_N_REQUEST_CATEGORIES];  /* whatever the search */
};

G_DEFINE_FINAL_TYPE (TirkeuRequestList, tirkeu_request_list, G_TYPE_OBJECT)

enum {
  COUNTS_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

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

/* The list's filter. It says when it lets every request through (all of them, no search),
 * so that the filter model then passes the store's changes on as they are: a filter that
 * may refuse some keeps a set of the matching positions, and every change that adds or
 * removes requests shifts the whole of it. Coming back to every request, it says so only
 * once the filter model has let them all back in its batches: said at once, the model
 * would tell the list view of every request in one change. */
#define REQUEST_TYPE_FILTER (request_filter_get_type ())
G_DECLARE_FINAL_TYPE (RequestFilter, request_filter, REQUEST, FILTER, GtkFilter)

struct _RequestFilter
{
  GtkFilter          parent_instance;

  TirkeuRequestList *list;   /* not owned: the list owns the filter */
  gboolean           pass_all;
};

G_DEFINE_FINAL_TYPE (RequestFilter, request_filter, GTK_TYPE_FILTER)

static gboolean
request_filter_match (GtkFilter *filter,
                      gpointer   item)
{
  TirkeuRequestList *list = ((RequestFilter *) filter)->list;

  return list == NULL || filter_func (item, list);
}

static GtkFilterMatch
request_filter_get_strictness (GtkFilter *filter)
{
  TirkeuRequestList *list = ((RequestFilter *) filter)->list;

  if (list == NULL || ((RequestFilter *) filter)->pass_all)
    return GTK_FILTER_MATCH_ALL;
  return GTK_FILTER_MATCH_SOME;
}

static void
request_filter_class_init (RequestFilterClass *klass)
{
  GtkFilterClass *filter_class = GTK_FILTER_CLASS (klass);

  filter_class->match = request_filter_match;
  filter_class->get_strictness = request_filter_get_strictness;
}

static void
request_filter_init (RequestFilter *self)
{
  self->pass_all = TRUE;
}

static int
compare_cb (gconstpointer a,
            gconstpointer b)
{
  return tirkeu_search_key_compare (*(TirkeuRequest **) a, *(TirkeuRequest **) b);
}

/* From this size on, the filter works through the list in batches between frames (the
 * list fills in as it goes) rather than in one stall of the window. */
#define INCREMENTAL_FROM 5000

static void
set_incremental (TirkeuRequestList *self)
{
  gtk_filter_list_model_set_incremental (self->filtered,
                                         self->store->items->len >= INCREMENTAL_FROM);
}

/* Replaces the store's items with @items (sorted, holding references): one items-changed
 * over the range that differs. */
static void
replace_items (TirkeuRequestList *self,
               GPtrArray         *items)
{
  /* Kept until the signal is out: handlers may still hold positions of the old array. */
  g_autoptr(GPtrArray) old_items = g_steal_pointer (&self->store->items);
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

  self->store->items = g_ptr_array_ref (items);
  set_incremental (self);
  if (head < old_len - tail || head < new_len - tail)
    g_list_model_items_changed (G_LIST_MODEL (self->store), head, old_len - head - tail,
                                new_len - head - tail);
}

/* Replaces the store's items with @items (sorted, holding references), which differ from
 * them by what a page of changes brought: the requests of @leaving left their places, those
 * of @incoming took theirs, the rest kept their order. One items-changed per stretch that
 * changed: the filter and the list view then redo those requests and their rows alone (one
 * change over the whole stretch from the first to the last changed request would have them
 * filter again and rebind every row of the list, in batches over the next frames). */
static void
splice_items (TirkeuRequestList *self,
              GPtrArray         *items,
              GHashTable        *leaving,
              GHashTable        *incoming)
{
  RequestArrayModel *store = self->store;
  g_autoptr(GPtrArray) old_items = g_steal_pointer (&store->items);
  gpointer *old = old_items->pdata;
  gpointer *now = items->pdata;
  guint old_len = old_items->len;
  guint new_len = items->len;
  guint i = 0;
  guint k = 0;

  store->items = g_ptr_array_ref (items);
  store->rest = old_items;
  store->shown = 0;
  store->rest_from = 0;
  set_incremental (self);

  for (;;)
    {
      guint from_i, from_k;

      while (i < old_len && k < new_len && old[i] == now[k])
        i++, k++;
      if (i == old_len && k == new_len)
        break;

      /* A stretch: requests that left, and the page's that came in their place. */
      from_i = i;
      from_k = k;
      for (;;)
        {
          if (i < old_len && g_hash_table_contains (leaving, old[i]))
            i++;
          else if (k < new_len && (i == old_len || old[i] != now[k])
                   && g_hash_table_contains (incoming, now[k]))
            k++;
          else
            break;
        }
      /* Not what a merge makes: the rest as one change rather than a wrong one. */
      if (i == from_i && k == from_k)
        {
          i = old_len;
          k = new_len;
        }

      store->shown = k;
      store->rest_from = i;
      g_list_model_items_changed (G_LIST_MODEL (store), from_k, i - from_i, k - from_k);
    }

  store->rest = NULL;
}

static TirkeuRequestCategory
category_of (TirkeuRequest *request)
{
  static gsize ready;
  static guint8 categories[TIRKEU_N_STAGES];

  /* once: a table rather than the core's predicates for each of 10,000 requests */
  if (g_once_init_enter (&ready))
    {
      for (guint i = 0; i < TIRKEU_N_STAGES; i++)
        categories[i] = tirkeu_request_category_for_stage (i);
      g_once_init_leave (&ready, 1);
    }
  return categories[tirkeu_request_get_stage (request)];
}

static void
emit_counts (TirkeuRequestList *self,
             const guint       *counts)
{
  if (memcmp (counts, self->counts, sizeof self->counts) == 0)
    return;
  memcpy (self->counts, counts, sizeof self->counts);
  g_signal_emit (self, signals[COUNTS_CHANGED], 0);
}

/* The filters' counts, from the whole list: after a load, or a request changed in place
 * (its former stage is gone). */
static void
recount (TirkeuRequestList *self)
{
  guint counts[TIRKEU_N_REQUEST_CATEGORIES] = { 0 };
  GPtrArray *items = self->store->items;

  counts[TIRKEU_REQUEST_CATEGORY_ALL] = items->len;
  for (guint i = 0; i < items->len; i++)
    counts[category_of (g_ptr_array_index (items, i))]++;
  emit_counts (self, counts);
}

static void
notify_n_requests (TirkeuRequestList *self,
                   guint              before)
{
  if (self->store->items->len != before)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_REQUESTS]);
}

/**
 * tirkeu_request_list_get_count:
 * @self: a #TirkeuRequestList
 * @category: a filter
 *
 * Returns: how many requests the filter holds, whatever the search
 */
guint
tirkeu_request_list_get_count (TirkeuRequestList     *self,
                               TirkeuRequestCategory  category)
{
  g_return_val_if_fail (TIRKEU_IS_REQUEST_LIST (self), 0);
  g_return_val_if_fail (category < TIRKEU_N_REQUEST_CATEGORIES, 0);

  return self->counts[category];
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

  before = self->store->items->len;
  items = g_ptr_array_new_full (requests->len, g_object_unref);
  g_hash_table_remove_all (self->by_id);
  for (guint i = 0; i < requests->len; i++)
    {
      TirkeuRequest *request = g_ptr_array_index (requests, i);
      const char *portal_id = tirkeu_request_get_portal_id (request);

      g_ptr_array_add (items, g_object_ref (request));
      if (portal_id != NULL)
        g_hash_table_replace (self->by_id, (gpointer) portal_id, request);
    }
  /* The journal hands them over sorted: checking costs one pass. */
  for (guint i = 1; i < items->len && sorted; i++)
    sorted = tirkeu_search_key_compare (g_ptr_array_index (items, i - 1),
                                        g_ptr_array_index (items, i)) <= 0;
  if (!sorted)
    g_ptr_array_sort (items, compare_cb);

  /* One splice: one items-changed for the whole journal. */
  replace_items (self, items);
  recount (self);
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
  g_autoptr(GHashTable) added = NULL;
  g_autoptr(GPtrArray) incoming = NULL;
  g_autoptr(GPtrArray) in_place = NULL;
  g_autoptr(GPtrArray) items = NULL;
  GPtrArray *listed_items = self->store->items;
  gboolean sorted = TRUE;
  guint before;
  guint i, j;

  g_return_if_fail (TIRKEU_IS_REQUEST_LIST (self));
  g_return_if_fail (requests != NULL);

  before = listed_items->len;
  leaving = g_hash_table_new (NULL, NULL);
  added = g_hash_table_new (NULL, NULL);
  incoming = g_ptr_array_sized_new (requests->len);

  /* The last copy of a request in the page wins: from the end, a request number already
   * taken by this page is skipped. */
  for (i = requests->len; i-- > 0;)
    {
      TirkeuRequest *request = g_ptr_array_index (requests, i);
      const char *portal_id = tirkeu_request_get_portal_id (request);
      TirkeuRequest *listed;

      if (portal_id == NULL)
        continue;
      listed = g_hash_table_lookup (self->by_id, portal_id);
      if (listed != NULL && g_hash_table_contains (added, listed))
        continue;

      if (listed == request)
        {
          /* The same object changed in place: its keys are stale, and its row too even
           * if it keeps its place. */
          tirkeu_search_key_prepare (request);
          if (in_place == NULL)
            in_place = g_ptr_array_new ();
          g_ptr_array_add (in_place, request);
        }
      if (listed != NULL)
        g_hash_table_add (leaving, listed);
      g_hash_table_add (added, request);
      /* keyed by the new copy's own string: the old one may go */
      g_hash_table_replace (self->by_id, (gpointer) portal_id, request);
      g_ptr_array_add (incoming, request);
    }
  if (incoming->len == 0)
    return;

  /* Back to the page's order; the journal's pages and loads come sorted already. */
  for (i = 0, j = incoming->len - 1; i < j; i++, j--)
    {
      gpointer swap = incoming->pdata[i];

      incoming->pdata[i] = incoming->pdata[j];
      incoming->pdata[j] = swap;
    }
  for (i = 1; i < incoming->len && sorted; i++)
    sorted = tirkeu_search_key_compare (g_ptr_array_index (incoming, i - 1),
                                        g_ptr_array_index (incoming, i)) <= 0;
  if (!sorted)
    g_ptr_array_sort (incoming, compare_cb);

  /* A page that only adds requests, all after the last listed one (the rest of a load comes
   * so, older part after older part): appended, at the cost of the page alone. A merge would
   * copy the whole list for each part, and the last parts of 100,000 would stall the window
   * for as long as the list is long. */
  if (g_hash_table_size (leaving) == 0
      && (before == 0
          || tirkeu_search_key_compare (g_ptr_array_index (listed_items, before - 1),
                                        g_ptr_array_index (incoming, 0)) <= 0))
    {
      guint counts[TIRKEU_N_REQUEST_CATEGORIES];

      memcpy (counts, self->counts, sizeof counts);
      for (i = 0; i < incoming->len; i++)
        {
          TirkeuRequest *request = g_ptr_array_index (incoming, i);

          g_ptr_array_add (listed_items, g_object_ref (request));
          counts[category_of (request)]++;
        }
      counts[TIRKEU_REQUEST_CATEGORY_ALL] = listed_items->len;
      set_incremental (self);
      g_list_model_items_changed (G_LIST_MODEL (self->store), before, 0, incoming->len);
      emit_counts (self, counts);
      notify_n_requests (self, before);
      return;
    }

  /* Merge the sorted page into the order, without the copies it replaces. */
  items = g_ptr_array_new_full (before + incoming->len, g_object_unref);
  for (i = 0, j = 0; i < before || j < incoming->len;)
    {
      TirkeuRequest *listed = i < before ? g_ptr_array_index (listed_items, i) : NULL;
      TirkeuRequest *request = j < incoming->len ? g_ptr_array_index (incoming, j) : NULL;

      if (listed != NULL && g_hash_table_size (leaving) > 0
          && g_hash_table_contains (leaving, listed))
        i++;
      else if (request == NULL
               || (listed != NULL && tirkeu_search_key_compare (listed, request) <= 0))
        g_ptr_array_add (items, g_object_ref (g_ptr_array_index (listed_items, i++)));
      else
        g_ptr_array_add (items, g_object_ref (g_ptr_array_index (incoming, j++)));
    }

  /* The counts follow the page alone: what left, what came (a sync page costs its own
   * size, not the list's). A request changed in place took its former stage with it. */
  if (in_place != NULL)
    {
      splice_items (self, items, leaving, added);
      recount (self);
    }
  else
    {
      guint counts[TIRKEU_N_REQUEST_CATEGORIES];
      GHashTableIter iter;
      gpointer gone;

      memcpy (counts, self->counts, sizeof counts);
      g_hash_table_iter_init (&iter, leaving);
      while (g_hash_table_iter_next (&iter, &gone, NULL))
        counts[category_of (gone)]--;
      for (i = 0; i < incoming->len; i++)
        counts[category_of (g_ptr_array_index (incoming, i))]++;
      splice_items (self, items, leaving, added);
      counts[TIRKEU_REQUEST_CATEGORY_ALL] = self->store->items->len;
      emit_counts (self, counts);
    }
  for (i = 0; in_place != NULL && i < in_place->len; i++)
    {
      guint position;

      /* A splice that left it where it was did not show the change. */
      if (g_ptr_array_find (self->store->items, g_ptr_array_index (in_place, i), &position))
        g_list_model_items_changed (G_LIST_MODEL (self->store), position, 1, 1);
    }
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

/* The latest requests first, enough to fill the window; the rest then joins them in parts
 * small enough that merging one is a short main-loop turn, whatever the journal's size. */
#define FIRST_PART 200
#define NEXT_PART 5000

static void
part_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TirkeuRequestList *self = g_task_get_source_object (task);
  guint *loaded = g_task_get_task_data (task);
  g_autoptr(GPtrArray) requests = NULL;
  GError *error = NULL;
  guint asked = *loaded == 0 ? FIRST_PART : NEXT_PART;

  requests = tirkeu_journal_list_requests_finish (TIRKEU_JOURNAL (source), result, &error);
  if (requests == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  if (*loaded == 0)
    tirkeu_request_list_set_requests (self, requests);
  else
    tirkeu_request_list_update (self, requests);
  *loaded += requests->len;

  if (requests->len < asked)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  tirkeu_journal_list_requests_range_async (TIRKEU_JOURNAL (source), *loaded, NEXT_PART,
                                            g_task_get_cancellable (task), part_cb,
                                            g_object_ref (task));
}

/**
 * tirkeu_request_list_load_async:
 * @self: a #TirkeuRequestList
 * @journal: the journal
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the list holds the journal's requests
 * @user_data: data for @callback
 *
 * Loads every request of the journal (on the journal's thread) into the list: the latest
 * ones first, shown at once, then the rest in parts.
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
  g_task_set_task_data (task, g_new0 (guint, 1), g_free);
  tirkeu_journal_list_requests_range_async (journal, 0, FIRST_PART, cancellable, part_cb, task);
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

  return self->store->items->len;
}

const char *
tirkeu_request_list_get_search (TirkeuRequestList *self)
{
  g_return_val_if_fail (TIRKEU_IS_REQUEST_LIST (self), NULL);

  return self->search != NULL ? self->search : "";
}

static gboolean
lets_all_through (TirkeuRequestList *self)
{
  return self->category == TIRKEU_REQUEST_CATEGORY_ALL && self->search_words == NULL;
}

/* Once every request is back in the filter model, the filter says it lets all through (the
 * model then drops its set of matches without a change to tell). */
static void
maybe_pass_all (TirkeuRequestList *self)
{
  RequestFilter *filter = (RequestFilter *) self->filter;

  if (filter == NULL || filter->pass_all || !lets_all_through (self)
      || gtk_filter_list_model_get_pending (self->filtered) > 0)
    return;
  filter->pass_all = TRUE;
  gtk_filter_changed (self->filter, GTK_FILTER_CHANGE_LESS_STRICT);
}

static gboolean
pass_all_cb (gpointer user_data)
{
  TirkeuRequestList *self = user_data;

  self->pass_all_id = 0;
  maybe_pass_all (self);
  return G_SOURCE_REMOVE;
}

/* The filter model tells its progress while in the middle of a batch: what follows waits
 * for the main loop. */
static void
pending_cb (TirkeuRequestList *self)
{
  if (self->pass_all_id == 0 && lets_all_through (self)
      && gtk_filter_list_model_get_pending (self->filtered) == 0)
    self->pass_all_id = g_idle_add (pass_all_cb, self);
}

static void
filter_changed (TirkeuRequestList *self,
                GtkFilterChange    change)
{
  ((RequestFilter *) self->filter)->pass_all = FALSE;
  gtk_filter_changed (self->filter, change);
  maybe_pass_all (self);
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

  set_incremental (self);
  if (words_contain_all (self->search_words, old_words))
    change = GTK_FILTER_CHANGE_MORE_STRICT;
  else if (words_contain_all (old_words, self->search_words))
    change = GTK_FILTER_CHANGE_LESS_STRICT;
  else
    change = GTK_FILTER_CHANGE_DIFFERENT;
  filter_changed (self, change);

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
  set_incremental (self);
  filter_changed (self,
                  old == TIRKEU_REQUEST_CATEGORY_ALL ? GTK_FILTER_CHANGE_MORE_STRICT
                  : category == TIRKEU_REQUEST_CATEGORY_ALL ? GTK_FILTER_CHANGE_LESS_STRICT
                  : GTK_FILTER_CHANGE_DIFFERENT);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CATEGORY]);
}

static void
tirkeu_request_list_dispose (GObject *object)
{
  TirkeuRequestList *self = TIRKEU_REQUEST_LIST (object);

  g_clear_handle_id (&self->pass_all_id, g_source_remove);
  if (self->filtered != NULL)
    g_signal_handlers_disconnect_by_func (self->filtered, pending_cb, self);
  g_clear_object (&self->filtered);
  if (self->filter != NULL)
    ((RequestFilter *) self->filter)->list = NULL;
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

  /**
   * TirkeuRequestList::counts-changed:
   *
   * A filter holds another number of requests (tirkeu_request_list_get_count()).
   */
  signals[COUNTS_CHANGED] =
    g_signal_new ("counts-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
tirkeu_request_list_init (TirkeuRequestList *self)
{
  self->store = g_object_new (REQUEST_TYPE_ARRAY_MODEL, NULL);
  /* the keys are the listed requests' own strings */
  self->by_id = g_hash_table_new (g_str_hash, g_str_equal);

  self->filter = g_object_new (REQUEST_TYPE_FILTER, NULL);
  ((RequestFilter *) self->filter)->list = self;
  self->filtered = gtk_filter_list_model_new (G_LIST_MODEL (g_object_ref (self->store)),
                                              GTK_FILTER (g_object_ref (self->filter)));
  g_signal_connect_swapped (self->filtered, "notify::pending", G_CALLBACK (pending_cb), self);
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

/**
 * tirkeu_request_list_find_active:
 * @self: a #TirkeuRequestList
 * @vin: a VIN as the portal spells it
 * @except_portal_id: (nullable): a request not to count (the one being made)
 *
 * A request of the list for @vin that is not final, whatever the filter: the portal refuses
 * a second one for the same vehicle while it is in progress.
 *
 * Returns: (transfer none) (nullable): that request, %NULL when none
 */
TirkeuRequest *
tirkeu_request_list_find_active (TirkeuRequestList *self,
                                 const char        *vin,
                                 const char        *except_portal_id)
{
  GHashTableIter iter;
  gpointer value;

  g_return_val_if_fail (TIRKEU_IS_REQUEST_LIST (self), NULL);
  g_return_val_if_fail (vin != NULL, NULL);

  g_hash_table_iter_init (&iter, self->by_id);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      TirkeuRequest *request = value;

      if (!tirkeu_stage_is_final (tirkeu_request_get_stage (request))
          && g_strcmp0 (tirkeu_request_get_vin (request), vin) == 0
          && g_strcmp0 (tirkeu_request_get_portal_id (request), except_portal_id) != 0)
        return request;
    }
  return NULL;
}
