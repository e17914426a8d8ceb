/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "tirkeu-request-row.h"
#include "tirkeu-requests-page.h"

/**
 * TirkeuRequestsPage:
 *
 * The window's home once there are requests: the search entry (Ctrl+F), the filters, the
 * list of requests (a #GtkListView over #TirkeuRequestList, so 10,000 requests cost only the
 * rows on screen), the "Offline — retrying" bar while #TirkeuSync:online is %FALSE, and the
 * page of one request, slid in when a row is activated (Escape or Alt+Left goes back).
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

  /* owned references */
  TirkeuRequestList  *list;
  GtkSingleSelection *selection;
  GSignalGroup       *sync_signals;
  TirkeuSync         *sync;

  /* state */
  guint               clock_id;
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

static void
update_empty (TirkeuRequestsPage *self)
{
  GListModel *model = G_LIST_MODEL (self->selection);
  GListModel *filtered = self->list != NULL ? tirkeu_request_list_get_model (self->list) : NULL;
  /* A long list is filtered in batches: "no request matches" only once it is done. */
  gboolean filtering = GTK_IS_FILTER_LIST_MODEL (filtered)
                       && gtk_filter_list_model_get_pending (GTK_FILTER_LIST_MODEL (filtered)) > 0;

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

static void
bind_cb (GtkSignalListItemFactory *factory,
         GtkListItem              *item,
         gpointer                  user_data)
{
  tirkeu_request_row_set_request (TIRKEU_REQUEST_ROW (gtk_list_item_get_child (item)),
                                  gtk_list_item_get_item (item));
}

static void
unbind_cb (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           gpointer                  user_data)
{
  tirkeu_request_row_set_request (TIRKEU_REQUEST_ROW (gtk_list_item_get_child (item)), NULL);
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
  if (self->list != NULL)
    tirkeu_request_list_set_search (self->list, gtk_editable_get_text (GTK_EDITABLE (entry)));
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

        if (self->list != NULL
            && tirkeu_request_category_from_string (g_value_get_string (value), &category)
            && category != tirkeu_request_list_get_category (self->list))
          {
            tirkeu_request_list_set_category (self->list, category);
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
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/tirkeu/Tirkeu/ui/tirkeu-requests-page.ui");
  gtk_widget_class_bind_template_child (widget_class, TirkeuRequestsPage, stack);
  gtk_widget_class_bind_template_child (widget_class, TirkeuRequestsPage, offline_revealer);
  gtk_widget_class_bind_template_child (widget_class, TirkeuRequestsPage, offline_label);
  gtk_widget_class_bind_template_child (widget_class, TirkeuRequestsPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, TirkeuRequestsPage, list_stack);
  gtk_widget_class_bind_template_child (widget_class, TirkeuRequestsPage, list_view);
  gtk_widget_class_bind_template_child (widget_class, TirkeuRequestsPage, request_page);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, stop_search_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_activate_cb);
  gtk_widget_class_bind_template_child (widget_class, TirkeuRequestsPage, empty_page);
  gtk_widget_class_bind_template_callback (widget_class, list_activate_cb);

  gtk_widget_class_install_property_action (widget_class, "requests.filter", "filter");
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

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cb), NULL);
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
