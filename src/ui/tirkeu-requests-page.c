/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "tirkeu-iin.h"
#include "tirkeu-new-request.h"
#include "tirkeu-request-row.h"
#include "tirkeu-requests-page.h"
#include "tirkeu-wrap-box.h"

/**
 * TirkeuRequestsPage:
 *
 * The window's home once there are requests: the search entry (Ctrl+F), the filters, the
 * list of requests (a #GtkListView over #TirkeuRequestList, so 10,000 requests cost only the
 * rows on screen), the "Offline — retrying" bar while #TirkeuSync:online is %FALSE, and the
 * page of one request, slid in when a row is activated (Escape or Alt+Left goes back).
 *
 * The filters show how many requests each holds. The Drafts filter lists the journal's
 * unfinished new requests: one is resumed (#TirkeuRequestsPage::resume-draft) or discarded
 * with an Undo toast. A request just sent, or changed by a sync, is tinted for a moment
 * (a still mark when animations are off). Down in the search goes to the first result, Up on
 * the first result back to the search.
 */
struct _TirkeuRequestsPage
{
  GtkWidget           parent_instance;

  /* template widgets */
  GtkStack           *stack;
  GtkRevealer        *offline_revealer;
  GtkLabel           *offline_label;
  GtkSearchEntry     *search_entry;
  GtkStack           *list_stack;
  GtkListView        *list_view;
  AdwStatusPage      *empty_page;
  TirkeuRequestPage  *request_page;
  TirkeuWrapBox      *filter_box;
  GtkListBox         *drafts_list;
  AdwToastOverlay    *toast_overlay;
  GtkWidget          *filter_buttons[TIRKEU_N_REQUEST_CATEGORIES + 1];
  guint               shown_counts[TIRKEU_N_REQUEST_CATEGORIES + 1];

  /* owned references */
  TirkeuRequestList  *list;
  GtkSingleSelection *selection;
  GSignalGroup       *sync_signals;
  TirkeuSync         *sync;
  TirkeuJournal      *journal;
  GCancellable       *drafts_cancellable;
  GHashTable         *highlights;      /* portal id -> when it was highlighted (monotonic) */
  GHashTable         *discarding;      /* draft ids hidden while their toast is shown */
  char               *reveal_pending;  /* a request to scroll to once the filter is done */

  /* state */
  guint               clock_id;
  guint               highlight_tick_id;
  guint               highlight_timeout_id;
  guint               n_drafts;
  guint               showing_drafts : 1;
  /* Enter in the search while a long list was still being filtered: open the first match
   * once it is done. */
  guint               open_first_match : 1;
};

G_DEFINE_FINAL_TYPE (TirkeuRequestsPage, tirkeu_requests_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_FILTER,
  PROP_LIST,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  RESUME_DRAFT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* The filters, in the order of their buttons; the last one is the drafts'. */
#define DRAFTS_FILTER TIRKEU_N_REQUEST_CATEGORIES
static const struct
{
  const char *title;
  const char *tooltip;
} filters[TIRKEU_N_REQUEST_CATEGORIES + 1] = {
  [TIRKEU_REQUEST_CATEGORY_ALL] = { NC_("requests filter", "All"), NULL },
  [TIRKEU_REQUEST_CATEGORY_NEEDS_ACTION] = { NC_("requests filter", "Needs My Action"), NULL },
  [TIRKEU_REQUEST_CATEGORY_AWAITING_BUYER] = { NC_("requests filter", "Awaiting the Buyer"), NULL },
  [TIRKEU_REQUEST_CATEGORY_IN_PROGRESS] = { NC_("requests filter", "In Progress"), NULL },
  [TIRKEU_REQUEST_CATEGORY_COMPLETED] = { NC_("requests filter", "Completed"), NULL },
  [TIRKEU_REQUEST_CATEGORY_CLOSED] = { NC_("requests filter", "Closed"),
                                       N_("Refused, declined, expired or withdrawn") },
  /* Translators: unfinished new requests (нобай / черновики) */
  [DRAFTS_FILTER] = { NC_("requests filter", "Drafts"),
                      N_("Unfinished new requests, to resume or discard") },
};

/* How long a request just sent or changed stays highlighted. */
#define HIGHLIGHT_MS 3000

static void apply_highlights (TirkeuRequestsPage *self);
static void reveal_now (TirkeuRequestsPage *self,
                        const char         *portal_id);

static void
update_empty (TirkeuRequestsPage *self)
{
  GListModel *model = G_LIST_MODEL (self->selection);
  GListModel *filtered = self->list != NULL ? tirkeu_request_list_get_model (self->list) : NULL;
  /* A long list is filtered in batches: "no request matches" only once it is done. */
  gboolean filtering = GTK_IS_FILTER_LIST_MODEL (filtered)
                       && gtk_filter_list_model_get_pending (GTK_FILTER_LIST_MODEL (filtered)) > 0;

  if (self->reveal_pending != NULL && !filtering)
    {
      g_autofree char *portal_id = g_steal_pointer (&self->reveal_pending);

      reveal_now (self, portal_id);
    }

  if (self->showing_drafts)
    {
      gtk_stack_set_visible_child_name (self->list_stack, self->n_drafts > 0 ? "drafts" : "no-drafts");
      return;
    }

  gtk_stack_set_visible_child_name (self->list_stack,
                                    g_list_model_get_n_items (model) > 0 || filtering
                                    ? "list" : "empty");

  /* No request at all is the first day, not a search that missed: say how to start. */
  if (self->list == NULL || tirkeu_request_list_get_n_requests (self->list) == 0)
    {
      adw_status_page_set_icon_name (self->empty_page, "document-new-symbolic");
      adw_status_page_set_title (self->empty_page, _("No Requests Yet"));
      /* Translators: the requests list before the first request; Ctrl+N is the key */
      adw_status_page_set_description (self->empty_page,
                                       _("Press Ctrl+N to start a new request."));
    }
  else
    {
      adw_status_page_set_icon_name (self->empty_page, "edit-find-symbolic");
      adw_status_page_set_title (self->empty_page, _("No Requests Found"));
      adw_status_page_set_description (self->empty_page, _("Try another search or filter."));
    }

  if (self->open_first_match && !filtering)
    {
      g_autoptr(TirkeuRequest) first = g_list_model_get_item (model, 0);

      self->open_first_match = FALSE;
      if (first != NULL)
        tirkeu_requests_page_show_request (self, first);
    }
}

static void
pending_cb (GObject            *model,
            GParamSpec         *pspec,
            TirkeuRequestsPage *self)
{
  update_empty (self);
}

static void
items_changed_cb (GListModel         *model,
                  guint               position,
                  guint               removed,
                  guint               added,
                  TirkeuRequestsPage *self)
{
  update_empty (self);
}

static void
setup_cb (GtkSignalListItemFactory *factory,
          GtkListItem              *item,
          gpointer                  user_data)
{
  gtk_list_item_set_child (item, tirkeu_request_row_new ());
}

static gboolean
animations_enabled (TirkeuRequestsPage *self)
{
  gboolean enabled = TRUE;

  g_object_get (gtk_widget_get_settings (GTK_WIDGET (self)), "gtk-enable-animations", &enabled,
                NULL);
  return enabled;
}

/* The row's tint from when its request was highlighted: fading, or a still mark. */
static void
highlight_row (TirkeuRequestsPage *self,
               TirkeuRequestRow   *row,
               gint64              now,
               gboolean            animate)
{
  TirkeuRequest *request = tirkeu_request_row_get_request (row);
  const char *portal_id = request != NULL ? tirkeu_request_get_portal_id (request) : NULL;
  gint64 *since = portal_id != NULL ? g_hash_table_lookup (self->highlights, portal_id) : NULL;
  double left;

  if (since == NULL)
    {
      tirkeu_request_row_set_highlight (row, 0, FALSE);
      return;
    }
  left = 1.0 - (double) (now - *since) / (HIGHLIGHT_MS * 1000.0);
  if (animate)
    tirkeu_request_row_set_highlight (row, left, FALSE);
  else
    tirkeu_request_row_set_highlight (row, 0, left > 0);
}

static void
bind_cb (GtkSignalListItemFactory *factory,
         GtkListItem              *item,
         gpointer                  user_data)
{
  TirkeuRequestsPage *self = user_data;
  TirkeuRequestRow *row = TIRKEU_REQUEST_ROW (gtk_list_item_get_child (item));

  tirkeu_request_row_set_request (row, gtk_list_item_get_item (item));
  if (g_hash_table_size (self->highlights) > 0)
    highlight_row (self, row, g_get_monotonic_time (), animations_enabled (self));
  else
    tirkeu_request_row_set_highlight (row, 0, FALSE);
}

static void
unbind_cb (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           gpointer                  user_data)
{
  tirkeu_request_row_set_request (TIRKEU_REQUEST_ROW (gtk_list_item_get_child (item)), NULL);
}

typedef void (*RowFunc) (TirkeuRequestsPage *self,
                         TirkeuRequestRow   *row,
                         gpointer            data);

static void
for_each_row (TirkeuRequestsPage *self,
              GtkWidget          *widget,
              RowFunc             func,
              gpointer            data)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (TIRKEU_IS_REQUEST_ROW (child))
        func (self, TIRKEU_REQUEST_ROW (child), data);
      else
        for_each_row (self, child, func, data);
    }
}

typedef struct
{
  gint64   now;
  gboolean animate;
} HighlightClock;

static void
highlight_row_func (TirkeuRequestsPage *self,
                    TirkeuRequestRow   *row,
                    gpointer            data)
{
  HighlightClock *clock = data;

  highlight_row (self, row, clock->now, clock->animate);
}

/* The highlights of the rows on screen (a few dozen, whatever the list's size), and the end
 * of those whose time is up; %TRUE while some remain. */
static gboolean
update_highlights (TirkeuRequestsPage *self)
{
  HighlightClock clock = { g_get_monotonic_time (), animations_enabled (self) };
  GHashTableIter iter;
  gpointer since;

  g_hash_table_iter_init (&iter, self->highlights);
  while (g_hash_table_iter_next (&iter, NULL, &since))
    if (clock.now - *(gint64 *) since >= HIGHLIGHT_MS * 1000)
      g_hash_table_iter_remove (&iter);
  for_each_row (self, GTK_WIDGET (self->list_view), highlight_row_func, &clock);
  return g_hash_table_size (self->highlights) > 0;
}

static gboolean
highlight_tick_cb (GtkWidget     *widget,
                   GdkFrameClock *frame_clock,
                   gpointer       user_data)
{
  TirkeuRequestsPage *self = user_data;

  if (update_highlights (self))
    return G_SOURCE_CONTINUE;
  self->highlight_tick_id = 0;
  return G_SOURCE_REMOVE;
}

static gboolean
highlight_timeout_cb (gpointer user_data)
{
  TirkeuRequestsPage *self = user_data;

  if (update_highlights (self))
    return G_SOURCE_CONTINUE;
  self->highlight_timeout_id = 0;
  return G_SOURCE_REMOVE;
}

/* Fading with the frame clock; without animations, the marks go when their time is up. */
static void
apply_highlights (TirkeuRequestsPage *self)
{
  if (!update_highlights (self))
    return;
  if (animations_enabled (self))
    {
      if (self->highlight_tick_id == 0)
        self->highlight_tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self->list_view),
                                                                highlight_tick_cb, self, NULL);
    }
  else if (self->highlight_timeout_id == 0)
    {
      self->highlight_timeout_id = g_timeout_add (250, highlight_timeout_cb, self);
    }
}

/**
 * tirkeu_requests_page_highlight:
 * @self: a #TirkeuRequestsPage
 * @portal_id: a request number
 *
 * Tints the request's row for a moment: it was just sent or changed. With animations off
 * (reduced motion) the tint is a still mark, for as long.
 */
void
tirkeu_requests_page_highlight (TirkeuRequestsPage *self,
                                const char         *portal_id)
{
  gint64 *since;

  g_return_if_fail (TIRKEU_IS_REQUESTS_PAGE (self));
  g_return_if_fail (portal_id != NULL);

  since = g_new (gint64, 1);
  *since = g_get_monotonic_time ();
  g_hash_table_replace (self->highlights, g_strdup (portal_id), since);
  /* A sync page highlights its rows one by one: while the clock runs, its next turn shows
   * them all at once, rather than a walk over the rows for each. */
  if (self->highlight_tick_id == 0 && self->highlight_timeout_id == 0)
    apply_highlights (self);
}

/**
 * tirkeu_requests_page_get_highlighted:
 * @self: a #TirkeuRequestsPage
 * @portal_id: a request number
 *
 * Returns: whether the request's row is highlighted now
 */
gboolean
tirkeu_requests_page_get_highlighted (TirkeuRequestsPage *self,
                                      const char         *portal_id)
{
  g_return_val_if_fail (TIRKEU_IS_REQUESTS_PAGE (self), FALSE);

  return g_hash_table_contains (self->highlights, portal_id);
}

static guint
find_position (TirkeuRequestsPage *self,
               const char         *portal_id)
{
  GListModel *model = G_LIST_MODEL (self->selection);
  guint n = g_list_model_get_n_items (model);

  /* The latest change comes first: a request just sent is found at once. */
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(TirkeuRequest) request = g_list_model_get_item (model, i);

      if (g_strcmp0 (tirkeu_request_get_portal_id (request), portal_id) == 0)
        return i;
    }
  return GTK_INVALID_LIST_POSITION;
}

static void
reveal_now (TirkeuRequestsPage *self,
            const char         *portal_id)
{
  guint position = find_position (self, portal_id);

  if (position == GTK_INVALID_LIST_POSITION)
    return;
  gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item", "u", position);
  tirkeu_requests_page_highlight (self, portal_id);
}

/**
 * tirkeu_requests_page_reveal_request:
 * @self: a #TirkeuRequestsPage
 * @portal_id: a request number
 *
 * Scrolls the list to the request and highlights it; a search or a filter that hides it is
 * cleared first.
 */
void
tirkeu_requests_page_reveal_request (TirkeuRequestsPage *self,
                                     const char         *portal_id)
{
  g_return_if_fail (TIRKEU_IS_REQUESTS_PAGE (self));
  g_return_if_fail (portal_id != NULL);

  if (self->list == NULL)
    return;
  if (self->showing_drafts || find_position (self, portal_id) == GTK_INVALID_LIST_POSITION)
    {
      gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
      tirkeu_request_list_set_search (self->list, "");
      g_object_set (self, "filter", "all", NULL);
    }
  g_free (self->reveal_pending);
  self->reveal_pending = g_strdup (portal_id);
  update_empty (self);
}

static void
refresh_rows (GtkWidget *widget)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (TIRKEU_IS_REQUEST_ROW (child))
        tirkeu_request_row_set_request (TIRKEU_REQUEST_ROW (child),
                                        tirkeu_request_row_get_request (TIRKEU_REQUEST_ROW (child)));
      else
        refresh_rows (child);
    }
}

/* "5 minutes ago" must not stay so for an hour: the rows on screen (a few dozen, whatever
 * the size of the list) are refreshed every minute while the page is shown. */
static gboolean
clock_cb (gpointer user_data)
{
  TirkeuRequestsPage *self = user_data;

  refresh_rows (GTK_WIDGET (self->list_view));
  return G_SOURCE_CONTINUE;
}

static void
tirkeu_requests_page_map (GtkWidget *widget)
{
  TirkeuRequestsPage *self = TIRKEU_REQUESTS_PAGE (widget);

  GTK_WIDGET_CLASS (tirkeu_requests_page_parent_class)->map (widget);
  if (self->clock_id == 0)
    self->clock_id = g_timeout_add_seconds (60, clock_cb, self);
}

static void
tirkeu_requests_page_unmap (GtkWidget *widget)
{
  TirkeuRequestsPage *self = TIRKEU_REQUESTS_PAGE (widget);

  g_clear_handle_id (&self->clock_id, g_source_remove);
  GTK_WIDGET_CLASS (tirkeu_requests_page_parent_class)->unmap (widget);
}

static void
search_changed_cb (GtkSearchEntry     *entry,
                   TirkeuRequestsPage *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));

  if (self->list != NULL)
    tirkeu_request_list_set_search (self->list, text);
  /* The search is the requests': typed on the drafts, it shows the requests again. */
  if (self->showing_drafts && *text != '\0' && self->list != NULL)
    g_object_set (self, "filter",
                  tirkeu_request_category_to_string (tirkeu_request_list_get_category (self->list)),
                  NULL);
}

/* The list item of @position, if the list view made it. */
static GtkWidget *
find_item_widget (TirkeuRequestsPage *self,
                  guint               position)
{
  g_autoptr(TirkeuRequest) wanted = g_list_model_get_item (G_LIST_MODEL (self->selection),
                                                           position);

  if (wanted == NULL)
    return NULL;
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->list_view)); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *row = gtk_widget_get_first_child (child);

      if (TIRKEU_IS_REQUEST_ROW (row)
          && tirkeu_request_row_get_request (TIRKEU_REQUEST_ROW (row)) == wanted
          && gtk_widget_get_child_visible (child))
        return child;
    }
  return NULL;
}

static gboolean
focus_first_tick_cb (GtkWidget     *widget,
                     GdkFrameClock *frame_clock,
                     gpointer       user_data)
{
  TirkeuRequestsPage *self = TIRKEU_REQUESTS_PAGE (user_data);
  GtkWidget *item = find_item_widget (self, 0);

  if (item != NULL)
    gtk_widget_grab_focus (item);
  return G_SOURCE_REMOVE;
}

/* Down in the search: to the first result, where Enter opens it and the arrows go on. */
static gboolean
search_key_cb (GtkEventControllerKey *controller,
               guint                  keyval,
               guint                  keycode,
               GdkModifierType        state,
               TirkeuRequestsPage    *self)
{
  GtkWidget *item;

  if ((keyval != GDK_KEY_Down && keyval != GDK_KEY_KP_Down)
      || (state & (GDK_CONTROL_MASK | GDK_ALT_MASK | GDK_SHIFT_MASK)) != 0
      || self->showing_drafts
      || g_list_model_get_n_items (G_LIST_MODEL (self->selection)) == 0)
    return FALSE;

  gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item", "u", 0);
  item = find_item_widget (self, 0);
  if (item != NULL)
    gtk_widget_grab_focus (item);
  else
    gtk_widget_add_tick_callback (GTK_WIDGET (self->list_view), focus_first_tick_cb,
                                  g_object_ref (self), g_object_unref);
  return TRUE;
}

/* Up on the first result: back to the search, to type another. */
static gboolean
list_key_cb (GtkEventControllerKey *controller,
             guint                  keyval,
             guint                  keycode,
             GdkModifierType        state,
             TirkeuRequestsPage    *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;
  GtkWidget *first;

  if ((keyval != GDK_KEY_Up && keyval != GDK_KEY_KP_Up)
      || (state & (GDK_CONTROL_MASK | GDK_ALT_MASK | GDK_SHIFT_MASK)) != 0 || focus == NULL)
    return FALSE;
  first = find_item_widget (self, 0);
  if (first == NULL || (focus != first && !gtk_widget_is_ancestor (focus, first)))
    return FALSE;
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
  gtk_editable_set_position (GTK_EDITABLE (self->search_entry), -1);
  return TRUE;
}

/* Enter in the search opens the first match: a scanned VIN or a typed request number is
 * one key away from its request. The search is applied at once, without the entry's delay. */
static void
search_activate_cb (GtkSearchEntry     *entry,
                    TirkeuRequestsPage *self)
{
  if (self->list == NULL)
    return;
  tirkeu_request_list_set_search (self->list, gtk_editable_get_text (GTK_EDITABLE (entry)));
  self->open_first_match = TRUE;
  update_empty (self);
}

static void
stop_search_cb (GtkSearchEntry     *entry,
                TirkeuRequestsPage *self)
{
  gtk_editable_set_text (GTK_EDITABLE (entry), "");
}

static void
list_activate_cb (GtkListView        *list_view,
                  guint               position,
                  TirkeuRequestsPage *self)
{
  g_autoptr(TirkeuRequest) request = g_list_model_get_item (G_LIST_MODEL (self->selection),
                                                            position);

  if (request != NULL)
    tirkeu_requests_page_show_request (self, request);
}

static void
update_offline (TirkeuRequestsPage *self)
{
  gboolean online = self->sync == NULL || tirkeu_sync_get_online (self->sync);

  gtk_revealer_set_reveal_child (self->offline_revealer, !online);
  if (!online)
    {
      guint seconds = (tirkeu_sync_get_retry_delay (self->sync) + 999) / 1000;
      g_autofree char *text = NULL;

      /* Translators: shown while the eGov portal cannot be reached; %u is in seconds */
      text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "Offline — the portal cannot be reached. Retrying in %u second.",
                                           "Offline — the portal cannot be reached. Retrying in %u seconds.",
                                           seconds), seconds);
      gtk_label_set_label (self->offline_label, text);
    }
}

static void
sync_notify_cb (TirkeuSync         *sync,
                GParamSpec         *pspec,
                TirkeuRequestsPage *self)
{
  update_offline (self);
}

/* ------------------------------------------------------------------------------------------ */
/* The filters' buttons, with their counts */

static void
update_filter_button (TirkeuRequestsPage *self,
                      guint               filter,
                      guint               count)
{
  GtkWidget *button = self->filter_buttons[filter];
  GtkWidget *label = gtk_button_get_child (GTK_BUTTON (button));
  const char *title = g_dpgettext2 (GETTEXT_PACKAGE, "requests filter", filters[filter].title);
  g_autofree char *markup = NULL;

  /* A sync page changes a count or two: the other labels are not laid out again. */
  if (self->shown_counts[filter] == count)
    return;
  self->shown_counts[filter] = count;

  /* "All" is the whole list: its count would say nothing the others do not. */
  if (count > 0 && filter != TIRKEU_REQUEST_CATEGORY_ALL)
    markup = g_markup_printf_escaped ("%s <span alpha=\"60%%\" font_features=\"tnum\">%u</span>",
                                      title, count);
  else
    markup = g_markup_escape_text (title, -1);
  gtk_label_set_markup (GTK_LABEL (label), markup);
  /* The button's own name, the label's text as read ("Drafts 2"): GTK 4.8 names it from
   * its label's content only now and then (a screen reader sometimes got
   * "GtkToggleButton"). */
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  gtk_label_get_text (GTK_LABEL (label)), -1);
}

static void
update_counts (TirkeuRequestsPage *self)
{
  for (guint i = 0; i < TIRKEU_N_REQUEST_CATEGORIES; i++)
    update_filter_button (self, i,
                          self->list != NULL ? tirkeu_request_list_get_count (self->list, i) : 0);
  update_filter_button (self, DRAFTS_FILTER, self->n_drafts);
}

/**
 * tirkeu_requests_page_get_filter_label:
 * @self: a #TirkeuRequestsPage
 * @filter: a filter's name, as #TirkeuRequestsPage:filter takes it ("needs-action", "drafts")
 *
 * Returns: (nullable): the filter button's text as shown, with its count ("Drafts 2")
 */
const char *
tirkeu_requests_page_get_filter_label (TirkeuRequestsPage *self,
                                       const char         *filter)
{
  TirkeuRequestCategory category;
  guint index;

  g_return_val_if_fail (TIRKEU_IS_REQUESTS_PAGE (self), NULL);

  if (g_strcmp0 (filter, "drafts") == 0)
    index = DRAFTS_FILTER;
  else if (tirkeu_request_category_from_string (filter, &category))
    index = category;
  else
    return NULL;
  return gtk_label_get_text (GTK_LABEL (gtk_button_get_child (GTK_BUTTON (self->filter_buttons[index]))));
}

static void
counts_changed_cb (TirkeuRequestsPage *self)
{
  update_counts (self);
}

/* ------------------------------------------------------------------------------------------ */
/* The drafts: resumed in the new-request flow, or discarded with Undo */

static GtkWidget *
make_draft_row (const TirkeuDraft *draft)
{
  gboolean created = tirkeu_draft_get_is_created (draft);
  g_autoptr(GString) subtitle = g_string_new (NULL);
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *button;

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                 draft->vin != NULL && *draft->vin != '\0'
                                 ? draft->vin : _("Vehicle not entered"));
  if (created)
    /* Translators: a draft the portal created a request for; it waits for the seller's signature */
    g_string_append (subtitle, _("Created on the portal, not signed yet"));
  if (draft->buyer_iin != NULL && *draft->buyer_iin != '\0')
    {
      g_autofree char *masked = tirkeu_iin_mask (draft->buyer_iin);

      if (subtitle->len > 0)
        g_string_append (subtitle, " · ");
      /* Translators: the buyer's masked IIN in a draft's row, e.g. "IIN 850312******" */
      g_string_append_printf (subtitle, _("IIN %s"), masked);
    }
  if (draft->updated_at > 0)
    {
      g_autoptr(GDateTime) saved = g_date_time_new_from_unix_utc (draft->updated_at / G_USEC_PER_SEC);
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
      g_autofree char *when = saved != NULL ? tirkeu_format_relative_time (saved, now) : NULL;

      if (when != NULL)
        {
          if (subtitle->len > 0)
            g_string_append (subtitle, " · ");
          /* Translators: when a draft was last saved, e.g. "Saved 5 minutes ago" */
          g_string_append_printf (subtitle, _("Saved %s"), when);
        }
    }
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle->str);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  g_object_set_data_full (G_OBJECT (row), "draft-id", g_strdup (draft->id), g_free);

  button = gtk_button_new_with_mnemonic (_("_Resume"));
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "requests.resume-draft");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", draft->id);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);

  /* A created request is the portal's too: it is signed or withdrawn in the flow, not
   * dropped here. */
  if (!created)
    {
      button = gtk_button_new_from_icon_name ("user-trash-symbolic");
      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (button, "flat");
      gtk_widget_set_tooltip_text (button, _("Discard the Draft"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("Discard the draft"), -1);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "requests.discard-draft");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", draft->id);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
    }
  return row;
}

static void
drafts_listed_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(TirkeuRequestsPage) self = user_data;
  g_autoptr(GPtrArray) drafts = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *child;
  guint n = 0;

  drafts = tirkeu_new_request_list_drafts_finish (result, &error);
  if (drafts == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Cannot list the drafts: %s", error->message);
      return;
    }

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->drafts_list))) != NULL)
    gtk_list_box_remove (self->drafts_list, child);
  for (guint i = 0; i < drafts->len; i++)
    {
      const TirkeuDraft *draft = g_ptr_array_index (drafts, i);

      if (g_hash_table_contains (self->discarding, draft->id))
        continue;
      gtk_list_box_append (self->drafts_list, make_draft_row (draft));
      n++;
    }
  self->n_drafts = n;
  update_counts (self);
  update_empty (self);
}

/**
 * tirkeu_requests_page_reload_drafts:
 * @self: a #TirkeuRequestsPage
 *
 * Lists the journal's unfinished drafts again (after the flow saved or sent one).
 */
void
tirkeu_requests_page_reload_drafts (TirkeuRequestsPage *self)
{
  g_return_if_fail (TIRKEU_IS_REQUESTS_PAGE (self));

  if (self->journal == NULL)
    return;
  g_cancellable_cancel (self->drafts_cancellable);
  g_clear_object (&self->drafts_cancellable);
  self->drafts_cancellable = g_cancellable_new ();
  tirkeu_new_request_list_drafts_async (self->journal, self->drafts_cancellable,
                                        drafts_listed_cb, g_object_ref (self));
}

/**
 * tirkeu_requests_page_set_journal:
 * @self: a #TirkeuRequestsPage
 * @journal: (nullable): the journal whose drafts the Drafts filter lists
 */
void
tirkeu_requests_page_set_journal (TirkeuRequestsPage *self,
                                  TirkeuJournal      *journal)
{
  g_return_if_fail (TIRKEU_IS_REQUESTS_PAGE (self));
  g_return_if_fail (journal == NULL || TIRKEU_IS_JOURNAL (journal));

  if (!g_set_object (&self->journal, journal))
    return;
  tirkeu_requests_page_reload_drafts (self);
}

guint
tirkeu_requests_page_get_n_drafts (TirkeuRequestsPage *self)
{
  g_return_val_if_fail (TIRKEU_IS_REQUESTS_PAGE (self), 0);

  return self->n_drafts;
}

static void
resume_draft_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  g_signal_emit (widget, signals[RESUME_DRAFT], 0, g_variant_get_string (parameter, NULL));
}

static void
draft_row_activated_cb (GtkListBox         *list,
                        GtkListBoxRow      *row,
                        TirkeuRequestsPage *self)
{
  const char *draft_id = g_object_get_data (G_OBJECT (row), "draft-id");

  if (draft_id != NULL)
    g_signal_emit (self, signals[RESUME_DRAFT], 0, draft_id);
}

/* A discarded draft leaves the journal only once its toast goes without Undo: killed before
 * that, the app keeps it, and nothing typed is lost to a slip. */
typedef struct
{
  GWeakRef       page;
  TirkeuJournal *journal;
  char          *draft_id;
  gboolean       undone;
} Discard;

static void
discard_free (gpointer data)
{
  Discard *discard = data;

  g_weak_ref_clear (&discard->page);
  g_clear_object (&discard->journal);
  g_free (discard->draft_id);
  g_free (discard);
}

typedef struct
{
  TirkeuRequestsPage *page;      /* owned, nullable: the page may be gone */
  char               *draft_id;
} Deleting;

static void
draft_deleted_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Deleting *deleting = user_data;
  g_autoptr(GError) error = NULL;

  if (!tirkeu_journal_delete_draft_finish (TIRKEU_JOURNAL (object), result, &error))
    g_warning ("The draft could not be deleted: %s", error->message);
  if (deleting->page != NULL && deleting->page->discarding != NULL)
    {
      g_hash_table_remove (deleting->page->discarding, deleting->draft_id);
      tirkeu_requests_page_reload_drafts (deleting->page);
    }
  g_clear_object (&deleting->page);
  g_free (deleting->draft_id);
  g_free (deleting);
}

static void
discard_undo_cb (AdwToast *toast,
                 Discard  *discard)
{
  g_autoptr(TirkeuRequestsPage) self = g_weak_ref_get (&discard->page);

  discard->undone = TRUE;
  if (self == NULL)
    return;
  g_hash_table_remove (self->discarding, discard->draft_id);
  tirkeu_requests_page_reload_drafts (self);
}

static void
discard_dismissed_cb (AdwToast *toast,
                      Discard  *discard)
{
  Deleting *deleting;

  if (discard->undone)
    return;
  deleting = g_new0 (Deleting, 1);
  deleting->page = g_weak_ref_get (&discard->page);
  deleting->draft_id = g_strdup (discard->draft_id);
  tirkeu_journal_delete_draft_async (discard->journal, discard->draft_id, NULL, draft_deleted_cb,
                                     deleting);
}

static void
discard_draft_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  TirkeuRequestsPage *self = TIRKEU_REQUESTS_PAGE (widget);
  const char *draft_id = g_variant_get_string (parameter, NULL);
  AdwToast *toast;
  Discard *discard;

  if (self->journal == NULL || g_hash_table_contains (self->discarding, draft_id))
    return;

  /* Gone from the list at once; from the journal when the toast goes. */
  g_hash_table_add (self->discarding, g_strdup (draft_id));
  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->drafts_list)); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    if (g_strcmp0 (g_object_get_data (G_OBJECT (row), "draft-id"), draft_id) == 0)
      {
        gtk_list_box_remove (self->drafts_list, row);
        self->n_drafts--;
        break;
      }
  update_counts (self);
  update_empty (self);

  discard = g_new0 (Discard, 1);
  g_weak_ref_init (&discard->page, self);
  discard->journal = g_object_ref (self->journal);
  discard->draft_id = g_strdup (draft_id);
  toast = adw_toast_new (_("Draft discarded"));
  adw_toast_set_button_label (toast, _("_Undo"));
  g_signal_connect (toast, "button-clicked", G_CALLBACK (discard_undo_cb), discard);
  g_signal_connect_data (toast, "dismissed", G_CALLBACK (discard_dismissed_cb), discard,
                         (GClosureNotify) (void (*) (void)) discard_free, G_CONNECT_DEFAULT);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/**
 * tirkeu_requests_page_add_toast:
 * @self: a #TirkeuRequestsPage
 * @toast: (transfer full): a toast to show over the page
 */
void
tirkeu_requests_page_add_toast (TirkeuRequestsPage *self,
                                AdwToast           *toast)
{
  g_return_if_fail (TIRKEU_IS_REQUESTS_PAGE (self));

  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/**
 * tirkeu_requests_page_set_sync:
 * @self: a #TirkeuRequestsPage
 * @sync: (nullable): the sync whose #TirkeuSync:online the offline bar shows
 */
void
tirkeu_requests_page_set_sync (TirkeuRequestsPage *self,
                               TirkeuSync         *sync)
{
  g_return_if_fail (TIRKEU_IS_REQUESTS_PAGE (self));
  g_return_if_fail (sync == NULL || TIRKEU_IS_SYNC (sync));

  if (!g_set_object (&self->sync, sync))
    return;
  g_signal_group_set_target (self->sync_signals, sync);
  update_offline (self);
}

/**
 * tirkeu_requests_page_set_list:
 * @self: a #TirkeuRequestsPage
 * @list: the requests to show
 */
void
tirkeu_requests_page_set_list (TirkeuRequestsPage *self,
                               TirkeuRequestList  *list)
{
  g_return_if_fail (TIRKEU_IS_REQUESTS_PAGE (self));
  g_return_if_fail (list == NULL || TIRKEU_IS_REQUEST_LIST (list));

  if (!g_set_object (&self->list, list))
    return;

  gtk_single_selection_set_model (self->selection,
                                  list != NULL ? tirkeu_request_list_get_model (list) : NULL);
  if (list != NULL)
    g_signal_connect_object (tirkeu_request_list_get_model (list), "notify::pending",
                             G_CALLBACK (pending_cb), self, G_CONNECT_DEFAULT);
  if (list != NULL)
    g_signal_connect_object (list, "counts-changed", G_CALLBACK (counts_changed_cb), self,
                             G_CONNECT_SWAPPED);
  update_counts (self);
  if (list != NULL)
    {
      tirkeu_request_list_set_search (list,
                                      gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FILTER]);
    }
  update_empty (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LIST]);
}

TirkeuRequestList *
tirkeu_requests_page_get_list (TirkeuRequestsPage *self)
{
  g_return_val_if_fail (TIRKEU_IS_REQUESTS_PAGE (self), NULL);

  return self->list;
}

TirkeuRequestPage *
tirkeu_requests_page_get_request_page (TirkeuRequestsPage *self)
{
  g_return_val_if_fail (TIRKEU_IS_REQUESTS_PAGE (self), NULL);

  return self->request_page;
}

GtkListView *
tirkeu_requests_page_get_list_view (TirkeuRequestsPage *self)
{
  g_return_val_if_fail (TIRKEU_IS_REQUESTS_PAGE (self), NULL);

  return self->list_view;
}

GtkSearchEntry *
tirkeu_requests_page_get_search_entry (TirkeuRequestsPage *self)
{
  g_return_val_if_fail (TIRKEU_IS_REQUESTS_PAGE (self), NULL);

  return self->search_entry;
}

/**
 * tirkeu_requests_page_show_request:
 * @self: a #TirkeuRequestsPage
 * @request: the request to open
 *
 * Slides in the page of @request.
 */
void
tirkeu_requests_page_show_request (TirkeuRequestsPage *self,
                                   TirkeuRequest      *request)
{
  g_return_if_fail (TIRKEU_IS_REQUESTS_PAGE (self));
  g_return_if_fail (TIRKEU_IS_REQUEST (request));

  tirkeu_request_page_set_request (self->request_page, request);
  gtk_stack_set_visible_child_name (self->stack, "request");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "requests.back", TRUE);
  /* The back button first, rather than a selectable label with all its text selected. */
  gtk_widget_child_focus (GTK_WIDGET (self->request_page), GTK_DIR_TAB_FORWARD);
}

/**
 * tirkeu_requests_page_show_list:
 * @self: a #TirkeuRequestsPage
 *
 * Back to the list.
 */
void
tirkeu_requests_page_show_list (TirkeuRequestsPage *self)
{
  g_return_if_fail (TIRKEU_IS_REQUESTS_PAGE (self));

  gtk_stack_set_visible_child_name (self->stack, "list");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "requests.back", FALSE);
}

gboolean
tirkeu_requests_page_get_showing_request (TirkeuRequestsPage *self)
{
  g_return_val_if_fail (TIRKEU_IS_REQUESTS_PAGE (self), FALSE);

  return g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "request") == 0;
}

static void
back_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  tirkeu_requests_page_show_list (TIRKEU_REQUESTS_PAGE (widget));
}

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  TirkeuRequestsPage *self = TIRKEU_REQUESTS_PAGE (widget);

  tirkeu_requests_page_show_list (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static const char *
get_filter (TirkeuRequestsPage *self)
{
  if (self->showing_drafts)
    return "drafts";
  return tirkeu_request_category_to_string (self->list != NULL
                                            ? tirkeu_request_list_get_category (self->list)
                                            : TIRKEU_REQUEST_CATEGORY_ALL);
}

static void
tirkeu_requests_page_dispose (GObject *object)
{
  TirkeuRequestsPage *self = TIRKEU_REQUESTS_PAGE (object);
  GtkWidget *child;

  g_clear_handle_id (&self->clock_id, g_source_remove);
  g_clear_handle_id (&self->highlight_timeout_id, g_source_remove);
  if (self->highlight_tick_id != 0 && self->list_view != NULL)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self->list_view), self->highlight_tick_id);
  self->highlight_tick_id = 0;
  g_cancellable_cancel (self->drafts_cancellable);
  g_clear_object (&self->drafts_cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), TIRKEU_TYPE_REQUESTS_PAGE);
  /* The template's unnamed boxes are children too. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_object (&self->selection);
  g_clear_object (&self->list);
  if (self->sync_signals != NULL)
    g_signal_group_set_target (self->sync_signals, NULL);
  g_clear_object (&self->sync_signals);
  g_clear_object (&self->sync);
  g_clear_object (&self->journal);
  g_clear_pointer (&self->highlights, g_hash_table_unref);
  g_clear_pointer (&self->discarding, g_hash_table_unref);
  g_clear_pointer (&self->reveal_pending, g_free);

  G_OBJECT_CLASS (tirkeu_requests_page_parent_class)->dispose (object);
}

static void
tirkeu_requests_page_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  TirkeuRequestsPage *self = TIRKEU_REQUESTS_PAGE (object);

  switch (prop_id)
    {
    case PROP_FILTER:
      g_value_set_string (value, get_filter (self));
      break;
    case PROP_LIST:
      g_value_set_object (value, self->list);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tirkeu_requests_page_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  TirkeuRequestsPage *self = TIRKEU_REQUESTS_PAGE (object);

  switch (prop_id)
    {
    case PROP_FILTER:
      {
        TirkeuRequestCategory category;
        gboolean was_drafts = self->showing_drafts;

        if (g_strcmp0 (g_value_get_string (value), "drafts") == 0)
          {
            self->showing_drafts = TRUE;
            tirkeu_requests_page_reload_drafts (self);
          }
        else if (self->list != NULL
                 && tirkeu_request_category_from_string (g_value_get_string (value), &category))
          {
            self->showing_drafts = FALSE;
            if (category != tirkeu_request_list_get_category (self->list))
              {
                tirkeu_request_list_set_category (self->list, category);
                was_drafts = !was_drafts;  /* notified below */
              }
          }
        if (was_drafts != self->showing_drafts)
          {
            update_empty (self);
            g_object_notify_by_pspec (object, pspec);
          }
      }
      break;
    case PROP_LIST:
      tirkeu_requests_page_set_list (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tirkeu_requests_page_class_init (TirkeuRequestsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tirkeu_requests_page_dispose;
  object_class->get_property = tirkeu_requests_page_get_property;
  object_class->set_property = tirkeu_requests_page_set_property;
  widget_class->map = tirkeu_requests_page_map;
  widget_class->unmap = tirkeu_requests_page_unmap;

  /**
   * TirkeuRequestsPage:filter:
   *
   * The filter shown, by name (tirkeu_request_category_to_string()); the state of the
   * `requests.filter` action that the filter buttons use.
   */
  properties[PROP_FILTER] =
    g_param_spec_string ("filter", NULL, NULL, "all",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LIST] =
    g_param_spec_object ("list", NULL, NULL, TIRKEU_TYPE_REQUEST_LIST,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (TIRKEU_TYPE_REQUEST_PAGE);
  g_type_ensure (TIRKEU_TYPE_WRAP_BOX);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/tirkeu/Tirkeu/ui/tirkeu-requests-page.ui");
  gtk_widget_class_bind_template_child (widget_class, TirkeuRequestsPage, stack);
  gtk_widget_class_bind_template_child (widget_class, TirkeuRequestsPage, offline_revealer);
  gtk_widget_class_bind_template_child (widget_class, TirkeuRequestsPage, offline_label);
  gtk_widget_class_bind_template_child (widget_class, TirkeuRequestsPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, TirkeuRequestsPage, list_stack);
  gtk_widget_class_bind_template_child (widget_class, TirkeuRequestsPage, list_view);
  gtk_widget_class_bind_template_child (widget_class, TirkeuRequestsPage, request_page);
  gtk_widget_class_bind_template_child (widget_class, TirkeuRequestsPage, filter_box);
  gtk_widget_class_bind_template_child (widget_class, TirkeuRequestsPage, drafts_list);
  gtk_widget_class_bind_template_child (widget_class, TirkeuRequestsPage, toast_overlay);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, stop_search_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_activate_cb);
  gtk_widget_class_bind_template_child (widget_class, TirkeuRequestsPage, empty_page);
  gtk_widget_class_bind_template_callback (widget_class, list_activate_cb);

  gtk_widget_class_install_property_action (widget_class, "requests.filter", "filter");
  gtk_widget_class_install_action (widget_class, "requests.resume-draft", "s", resume_draft_action);
  gtk_widget_class_install_action (widget_class, "requests.discard-draft", "s",
                                   discard_draft_action);

  /**
   * TirkeuRequestsPage::resume-draft:
   * @draft_id: the draft
   *
   * The clerk chose to go on with an unfinished draft (the Drafts filter).
   */
  signals[RESUME_DRAFT] =
    g_signal_new ("resume-draft", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  gtk_widget_class_install_action (widget_class, "requests.back", NULL, back_action);
  gtk_widget_class_install_action (widget_class, "requests.search", NULL, search_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "requests.back", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK,
                                       "requests.back", NULL);
  gtk_widget_class_set_css_name (widget_class, "requestspage");
}

static void
tirkeu_requests_page_init (TirkeuRequestsPage *self)
{
  GtkListItemFactory *factory;
  GtkEventController *shortcuts;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->highlights = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->discarding = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  /* The filters, each with its count; the state of requests.filter checks the one shown. */
  for (guint i = 0; i < G_N_ELEMENTS (filters); i++)
    {
      GtkWidget *button = gtk_toggle_button_new ();

      gtk_button_set_child (GTK_BUTTON (button), gtk_label_new (NULL));
      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "requests.filter");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s",
                                        i == DRAFTS_FILTER ? "drafts"
                                                           : tirkeu_request_category_to_string (i));
      if (filters[i].tooltip != NULL)
        gtk_widget_set_tooltip_text (button, _(filters[i].tooltip));
      gtk_widget_add_css_class (button, "filter-pill");
      tirkeu_wrap_box_append (self->filter_box, button);
      self->filter_buttons[i] = button;
      self->shown_counts[i] = G_MAXUINT;
    }
  update_counts (self);
  g_signal_connect (self->drafts_list, "row-activated", G_CALLBACK (draft_row_activated_cb), self);

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cb), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_cb), NULL);
  gtk_list_view_set_factory (self->list_view, factory);
  g_object_unref (factory);

  self->selection = gtk_single_selection_new (NULL);
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  g_signal_connect_object (self->selection, "items-changed", G_CALLBACK (items_changed_cb),
                           self, G_CONNECT_DEFAULT);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));

  self->sync_signals = g_signal_group_new (TIRKEU_TYPE_SYNC);
  g_signal_group_connect_object (self->sync_signals, "notify::online",
                                 G_CALLBACK (sync_notify_cb), self, G_CONNECT_DEFAULT);
  g_signal_group_connect_object (self->sync_signals, "notify::retry-delay",
                                 G_CALLBACK (sync_notify_cb), self, G_CONNECT_DEFAULT);

  /* Ctrl+F from anywhere in the window, not only with the focus inside the page. */
  shortcuts = gtk_shortcut_controller_new ();
  gtk_shortcut_controller_set_scope (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                     GTK_SHORTCUT_SCOPE_MANAGED);
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                        gtk_shortcut_new (gtk_shortcut_trigger_parse_string ("<Control>f"),
                                                          gtk_named_action_new ("requests.search")));
  gtk_widget_add_controller (GTK_WIDGET (self), shortcuts);
  gtk_search_entry_set_key_capture_widget (self->search_entry, GTK_WIDGET (self));

  /* The arrows between the search and its results. */
  {
    GtkEventController *keys = gtk_event_controller_key_new ();

    gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
    g_signal_connect (keys, "key-pressed", G_CALLBACK (search_key_cb), self);
    gtk_widget_add_controller (GTK_WIDGET (self->search_entry), keys);
    keys = gtk_event_controller_key_new ();
    gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
    g_signal_connect (keys, "key-pressed", G_CALLBACK (list_key_cb), self);
    gtk_widget_add_controller (GTK_WIDGET (self->list_view), keys);
  }

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "requests.back", FALSE);
  update_empty (self);
}

/**
 * tirkeu_requests_page_new:
 *
 * Returns: (transfer floating): a new page, without a list until
 *   tirkeu_requests_page_set_list()
 */
GtkWidget *
tirkeu_requests_page_new (void)
{
  return g_object_new (TIRKEU_TYPE_REQUESTS_PAGE, NULL);
}
