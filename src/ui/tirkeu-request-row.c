/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "tirkeu-catalogue.h"
#include "tirkeu-iin.h"
#include "tirkeu-request-list.h"
#include "tirkeu-request-row.h"

/**
 * TirkeuRequestRow:
 *
 * One request in the requests list: the vehicle and its VIN, the buyer's name and masked IIN,
 * the stage as a coloured badge with its title from the catalogue, and when it last changed.
 * A full IIN never reaches a label.
 *
 * Rows are made and bound by the dozen whenever the list scrolls or its filter changes, so
 * they are built in code (no template to instantiate) and a bind only sets label texts: the
 * exact time of the last change is a tooltip computed when asked (query-tooltip), not set on
 * every bind.
 */
struct _TirkeuRequestRow
{
  GtkWidget      parent_instance;

  /* child widgets */
  GtkLabel      *vehicle_label;
  GtkLabel      *vin_label;
  GtkLabel      *buyer_label;
  GtkLabel      *iin_label;
  GtkLabel      *stage_label;
  GtkLabel      *time_label;

  /* owned references */
  TirkeuRequest *request;
  char          *stage_class;
};

G_DEFINE_FINAL_TYPE (TirkeuRequestRow, tirkeu_request_row, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_REQUEST,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/**
 * tirkeu_stage_get_style_class:
 * @stage: a #TirkeuStage
 *
 * Returns: the CSS class of the stage badge: its list category (`needs-action`,
 *   `awaiting-buyer`, `in-progress`, `completed`, `closed`), or `attention` for the stages
 *   that stop a request (refused, declined, expired, unpaid fines)
 */
const char *
tirkeu_stage_get_style_class (TirkeuStage stage)
{
  switch (stage)
    {
    case TIRKEU_STAGE_REFUSED:
    case TIRKEU_STAGE_DECLINED:
    case TIRKEU_STAGE_EXPIRED:
    case TIRKEU_STAGE_FINES_UNPAID:
      return "attention";
    case TIRKEU_STAGE_DRAFT:
    case TIRKEU_STAGE_OKED_CHECKED:
    case TIRKEU_STAGE_EPASSPORT_CHECKED:
    case TIRKEU_STAGE_CUSTOMS_CHECKED:
    case TIRKEU_STAGE_UTILIZATION_CHECKED:
    case TIRKEU_STAGE_BUYER_CHECKED:
    case TIRKEU_STAGE_CONTRACT_FOUND:
    case TIRKEU_STAGE_SIGNED:
    case TIRKEU_STAGE_SUBMITTED:
    case TIRKEU_STAGE_AWAITING_BUYER:
    case TIRKEU_STAGE_BUYER_APPROVED:
    case TIRKEU_STAGE_BUYER_RECHECK:
    case TIRKEU_STAGE_EPASSPORT_RECHECK:
    case TIRKEU_STAGE_CONTRACT_RECHECK:
    case TIRKEU_STAGE_FINES_CHECK:
    case TIRKEU_STAGE_TSON_CHOSEN:
    case TIRKEU_STAGE_PHONE_CONFIRMED:
    case TIRKEU_STAGE_PAID:
    case TIRKEU_STAGE_BUYER_SIGNED:
    case TIRKEU_STAGE_PROCESSING:
    case TIRKEU_STAGE_COMPLETED:
    case TIRKEU_STAGE_WITHDRAWN:
    default:
      return tirkeu_request_category_to_string (tirkeu_request_category_for_stage (stage));
    }
}

/**
 * tirkeu_format_relative_time:
 * @then: a time in the past
 * @now: the time to count from
 *
 * Returns: (transfer full): "Just now", "5 minutes ago", "3 hours ago", "Yesterday", "4 days
 *   ago", or the date, translated
 */
char *
tirkeu_format_relative_time (GDateTime *then,
                             GDateTime *now)
{
  g_autoptr(GDateTime) local_then = NULL;
  g_autoptr(GDateTime) local_now = NULL;
  GTimeSpan span;
  int days;

  g_return_val_if_fail (then != NULL, NULL);
  g_return_val_if_fail (now != NULL, NULL);

  span = g_date_time_difference (now, then);
  if (span < G_TIME_SPAN_MINUTE)
    return g_strdup (_("Just now"));
  if (span < G_TIME_SPAN_HOUR)
    {
      guint minutes = span / G_TIME_SPAN_MINUTE;
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u minute ago", "%u minutes ago",
                                           minutes), minutes);
    }

  local_then = g_date_time_to_local (then);
  local_now = g_date_time_to_local (now);
  days = g_date_time_get_day_of_year (local_now) - g_date_time_get_day_of_year (local_then)
         + 365 * (g_date_time_get_year (local_now) - g_date_time_get_year (local_then));

  if (days <= 0)
    {
      guint hours = span / G_TIME_SPAN_HOUR;
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u hour ago", "%u hours ago",
                                           hours), hours);
    }
  if (days == 1)
    return g_strdup (_("Yesterday"));
  if (days < 7)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u day ago", "%u days ago",
                                         (guint) days), (guint) days);

  /* Translators: a date in the requests list, strftime()-style; Kazakhstan writes 23.11.2026 */
  return g_date_time_format (local_then, _("%d.%m.%Y"));
}

/**
 * tirkeu_request_get_last_change:
 * @request: a request
 *
 * When the request's stage last changed: the time of its last history entry, as the portal
 * or the seller recorded it. The request's own update time is when Tirkeu last saw it (a
 * sync touches every request it brings), so the list neither sorts nor dates by it.
 *
 * Returns: (transfer none) (nullable): the time
 */
GDateTime *
tirkeu_request_get_last_change (TirkeuRequest *request)
{
  GPtrArray *history = tirkeu_request_get_history (request);

  if (history != NULL && history->len > 0)
    return ((TirkeuStageChange *) g_ptr_array_index (history, history->len - 1))->at;

  return tirkeu_request_get_updated_at (request);
}

/**
 * tirkeu_format_vehicle:
 * @request: a request
 *
 * Returns: (transfer full): "Toyota Camry, 2025", or the VIN, or a placeholder
 */
char *
tirkeu_format_vehicle (TirkeuRequest *request)
{
  const TirkeuVehicle *vehicle = tirkeu_request_get_vehicle (request);
  g_autoptr(GString) text = g_string_new (NULL);

  if (vehicle != NULL)
    {
      if (vehicle->make != NULL)
        g_string_append (text, vehicle->make);
      if (vehicle->model != NULL)
        g_string_append_printf (text, "%s%s", text->len > 0 ? " " : "", vehicle->model);
      if (vehicle->year != 0 && text->len > 0)
        g_string_append_printf (text, ", %u", vehicle->year);
    }
  if (text->len == 0 && tirkeu_request_get_vin (request) != NULL)
    g_string_append (text, tirkeu_request_get_vin (request));
  if (text->len == 0)
    g_string_append (text, _("Vehicle not entered"));

  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
update (TirkeuRequestRow *self)
{
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *vehicle = NULL;
  g_autofree char *masked = NULL;
  g_autofree char *when = NULL;
  g_autofree char *accessible = NULL;
  const char *buyer;
  const char *stage_title;
  const char *vin;
  TirkeuStage stage;
  GDateTime *updated;

  if (self->stage_class != NULL)
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->stage_label), self->stage_class);
      g_clear_pointer (&self->stage_class, g_free);
    }

  if (self->request == NULL)
    {
      gtk_label_set_label (self->vehicle_label, NULL);
      gtk_label_set_label (self->vin_label, NULL);
      gtk_label_set_label (self->buyer_label, NULL);
      gtk_label_set_label (self->iin_label, NULL);
      gtk_label_set_label (self->stage_label, NULL);
      gtk_label_set_label (self->time_label, NULL);
      return;
    }

  vehicle = tirkeu_format_vehicle (self->request);
  vin = tirkeu_request_get_vin (self->request);
  buyer = tirkeu_request_get_buyer_name (self->request);
  masked = tirkeu_request_get_buyer_iin (self->request) != NULL
           ? tirkeu_iin_mask (tirkeu_request_get_buyer_iin (self->request)) : NULL;
  stage = tirkeu_request_get_stage (self->request);
  stage_title = tirkeu_catalogue_stage_title (stage);
  updated = tirkeu_request_get_last_change (self->request);
  now = g_date_time_new_now_utc ();
  when = updated != NULL ? tirkeu_format_relative_time (updated, now) : NULL;

  gtk_label_set_label (self->vehicle_label, vehicle);
  gtk_label_set_label (self->vin_label, vin);
  gtk_label_set_label (self->buyer_label, buyer != NULL ? buyer : _("Buyer not entered"));
  if (masked != NULL)
    {
      /* Translators: the buyer's masked IIN in the requests list, e.g. "IIN 850312******" */
      g_autofree char *iin_text = g_strdup_printf (_("IIN %s"), masked);
      gtk_label_set_label (self->iin_label, iin_text);
    }
  else
    {
      gtk_label_set_label (self->iin_label, NULL);
    }
  gtk_label_set_label (self->stage_label, stage_title);
  self->stage_class = g_strdup (tirkeu_stage_get_style_class (stage));
  gtk_widget_add_css_class (GTK_WIDGET (self->stage_label), self->stage_class);
  gtk_label_set_label (self->time_label, when);

  /* Translators: what a screen reader says for a request in the list: the vehicle, the
   * buyer, the stage and when it last changed, e.g. "Toyota Camry, 2025; AKHMETOV ERLAN;
   * Completed; 5 minutes ago" */
  accessible = g_strdup_printf (_("%s; %s; %s; %s"), vehicle,
                                buyer != NULL ? buyer : "", stage_title,
                                when != NULL ? when : "");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, accessible,
                                  -1);
}

static gboolean
time_query_tooltip_cb (GtkWidget        *label,
                       int               x,
                       int               y,
                       gboolean          keyboard_mode,
                       GtkTooltip       *tooltip,
                       TirkeuRequestRow *self)
{
  g_autoptr(GDateTime) local = NULL;
  g_autofree char *exact = NULL;
  GDateTime *updated;

  if (self->request == NULL || (updated = tirkeu_request_get_last_change (self->request)) == NULL)
    return FALSE;

  local = g_date_time_to_local (updated);
  /* Translators: the exact time of the last change, in a tooltip; strftime()-style */
  exact = g_date_time_format (local, _("%d.%m.%Y %H:%M"));
  gtk_tooltip_set_text (tooltip, exact);
  return TRUE;
}

/**
 * tirkeu_request_row_set_request:
 * @self: a #TirkeuRequestRow
 * @request: (nullable): the request to show
 */
void
tirkeu_request_row_set_request (TirkeuRequestRow *self,
                                TirkeuRequest    *request)
{
  g_return_if_fail (TIRKEU_IS_REQUEST_ROW (self));
  g_return_if_fail (request == NULL || TIRKEU_IS_REQUEST (request));

  /* Rebound rows (the list view recycles them) must refresh even for the same request: its
   * stage may have moved, and the relative time certainly has. */
  g_set_object (&self->request, request);
  update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REQUEST]);
}

/**
 * tirkeu_request_row_get_request:
 * @self: a #TirkeuRequestRow
 *
 * Returns: (transfer none) (nullable): the request shown
 */
TirkeuRequest *
tirkeu_request_row_get_request (TirkeuRequestRow *self)
{
  g_return_val_if_fail (TIRKEU_IS_REQUEST_ROW (self), NULL);

  return self->request;
}

static void
tirkeu_request_row_dispose (GObject *object)
{
  TirkeuRequestRow *self = TIRKEU_REQUEST_ROW (object);
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_object (&self->request);

  G_OBJECT_CLASS (tirkeu_request_row_parent_class)->dispose (object);
}

static void
tirkeu_request_row_finalize (GObject *object)
{
  TirkeuRequestRow *self = TIRKEU_REQUEST_ROW (object);

  g_free (self->stage_class);

  G_OBJECT_CLASS (tirkeu_request_row_parent_class)->finalize (object);
}

static void
tirkeu_request_row_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  TirkeuRequestRow *self = TIRKEU_REQUEST_ROW (object);

  switch (prop_id)
    {
    case PROP_REQUEST:
      g_value_set_object (value, self->request);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tirkeu_request_row_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  TirkeuRequestRow *self = TIRKEU_REQUEST_ROW (object);

  switch (prop_id)
    {
    case PROP_REQUEST:
      tirkeu_request_row_set_request (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tirkeu_request_row_class_init (TirkeuRequestRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tirkeu_request_row_dispose;
  object_class->finalize = tirkeu_request_row_finalize;
  object_class->get_property = tirkeu_request_row_get_property;
  object_class->set_property = tirkeu_request_row_set_property;

  properties[PROP_REQUEST] =
    g_param_spec_object ("request", NULL, NULL, TIRKEU_TYPE_REQUEST,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "requestrow");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static GtkLabel *
add_label (GtkWidget   *box,
           float        xalign,
           const char **classes)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), xalign);
  if (classes != NULL)
    gtk_widget_set_css_classes (label, classes);
  gtk_box_append (GTK_BOX (box), label);

  return GTK_LABEL (label);
}

static GtkWidget *
add_column (TirkeuRequestRow *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);

  gtk_widget_set_valign (box, GTK_ALIGN_CENTER);
  gtk_widget_set_parent (box, GTK_WIDGET (self));

  return box;
}

static void
tirkeu_request_row_init (TirkeuRequestRow *self)
{
  static const char *heading[] = { "heading", NULL };
  static const char *vin[] = { "caption", "dim-label", "monospace", NULL };
  static const char *iin[] = { "caption", "dim-label", "numeric", NULL };
  static const char *stage[] = { "stage-badge", NULL };
  static const char *time[] = { "dim-label", "numeric", NULL };
  GtkLayoutManager *layout = gtk_widget_get_layout_manager (GTK_WIDGET (self));
  GtkWidget *box;

  gtk_box_layout_set_spacing (GTK_BOX_LAYOUT (layout), 18);
  gtk_widget_add_css_class (GTK_WIDGET (self), "request-row");

  /* the vehicle and its VIN */
  box = add_column (self);
  gtk_widget_set_hexpand (box, TRUE);
  self->vehicle_label = add_label (box, 0, heading);
  gtk_label_set_ellipsize (self->vehicle_label, PANGO_ELLIPSIZE_END);
  self->vin_label = add_label (box, 0, vin);
  gtk_label_set_ellipsize (self->vin_label, PANGO_ELLIPSIZE_END);

  /* the buyer and the masked IIN */
  box = add_column (self);
  self->buyer_label = add_label (box, 0, NULL);
  gtk_label_set_ellipsize (self->buyer_label, PANGO_ELLIPSIZE_END);
  gtk_label_set_width_chars (self->buyer_label, 30);
  gtk_label_set_max_width_chars (self->buyer_label, 30);
  self->iin_label = add_label (box, 0, iin);

  /* the stage badge */
  box = add_column (self);
  gtk_widget_set_size_request (box, 250, -1);
  self->stage_label = add_label (box, 0, stage);
  gtk_widget_set_halign (GTK_WIDGET (self->stage_label), GTK_ALIGN_START);
  gtk_label_set_ellipsize (self->stage_label, PANGO_ELLIPSIZE_END);
  gtk_label_set_max_width_chars (self->stage_label, 30);

  /* when it last changed; the exact time on hover */
  self->time_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_set_css_classes (GTK_WIDGET (self->time_label), time);
  gtk_widget_set_valign (GTK_WIDGET (self->time_label), GTK_ALIGN_CENTER);
  gtk_label_set_xalign (self->time_label, 1);
  gtk_label_set_width_chars (self->time_label, 14);
  gtk_widget_set_has_tooltip (GTK_WIDGET (self->time_label), TRUE);
  g_signal_connect_object (self->time_label, "query-tooltip",
                           G_CALLBACK (time_query_tooltip_cb), self, G_CONNECT_DEFAULT);
  gtk_widget_set_parent (GTK_WIDGET (self->time_label), GTK_WIDGET (self));
}

/**
 * tirkeu_request_row_new:
 *
 * Returns: (transfer floating): a new, empty row
 */
GtkWidget *
tirkeu_request_row_new (void)
{
  return g_object_new (TIRKEU_TYPE_REQUEST_ROW, NULL);
}
