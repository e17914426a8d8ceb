/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "tirkeu-catalogue.h"
#include "tirkeu-iin.h"
#include "tirkeu-request-list.h"
#include "tirkeu-request-row.h"

/**
 * TirkeuRequestRow:
 *
 * One request in the requests list: the vehicle and its VIN, the buyer's name and masked IIN,
 * the stage as a coloured badge with its title from the catalogue, and when it last changed.
 * A full IIN never reaches the screen.
 *
 * Light by design. GtkListView (GTK 4.8) keeps some 200 rows around the visible ones and
 * makes new ones for every filter change, search keystroke or sync page that moves the list;
 * a row of nine widgets from a template (nine CSS nodes, six labels each laying out its text
 * to be measured) cost the window a tenth of a second each time. This row is one widget: a
 * bind only keeps the texts, its height comes from the font's metrics (the same for every
 * row), and the texts are laid out when the row is drawn, which only the visible ones are.
 * The exact time of the last change is a tooltip computed when asked (query-tooltip). Screen
 * readers get the row's texts as its accessible label.
 */

/* The columns, as the former template laid them out: the vehicle takes what is left. */
#define COLUMN_SPACING 18
#define LINE_SPACING 2
#define BUYER_CHARS 30
#define STAGE_WIDTH 250
#define TIME_CHARS 14
#define BADGE_PADDING_X 10
#define BADGE_PADDING_Y 2
/* A stage title longer than its column (Kazakh ones are) wraps to a second line. */
#define BADGE_MAX_LINES 2
/* Narrower than every column needs (a window of 600 px): the time goes to the tooltip and
 * the screen reader's label, the badge narrows, and below that the buyer goes too; a column
 * is never narrower than a few words, so none is an ellipsis alone. */
#define VEHICLE_MIN_CHARS 12
#define NARROW_STAGE_MIN 120
/* A request the list brought or changed just now: a tint that fades, or a mark that stays
 * for as long when animations are off. */
#define HIGHLIGHT_ALPHA 0.28f
#define MARK_WIDTH 4
/* libadwaita's .caption and the badge's font-size in style.css */
#define CAPTION_SCALE 0.82
#define BADGE_SCALE 0.9
#define DIM_ALPHA 0.55f

typedef enum
{
  TEXT_VEHICLE,
  TEXT_VIN,
  TEXT_BUYER,
  TEXT_IIN,
  TEXT_STAGE,
  TEXT_TIME,
  N_TEXTS
} Text;

struct _TirkeuRequestRow
{
  GtkWidget      parent_instance;

  /* owned references */
  TirkeuRequest *request;
  char          *texts[N_TEXTS];
  PangoLayout   *layouts[N_TEXTS];    /* made when drawn, dropped when a text changes */

  /* state */
  const char    *stage_class;         /* static: tirkeu_stage_get_style_class() */
  double         highlight;           /* 0 (none) to 1 (just changed) */
  guint          marked : 1;          /* the reduced-motion highlight */
  guint          stage_cut : 1;       /* the stage title did not fit, as last drawn */
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
drop_layouts (TirkeuRequestRow *self)
{
  for (guint i = 0; i < N_TEXTS; i++)
    g_clear_object (&self->layouts[i]);
}

static void
set_text (TirkeuRequestRow *self,
          Text              which,
          char             *text)
{
  g_free (self->texts[which]);
  self->texts[which] = text;
}

static void
update (TirkeuRequestRow *self)
{
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *accessible = NULL;
  const char *buyer;
  const char *iin;
  TirkeuStage stage;
  GDateTime *updated;

  drop_layouts (self);
  self->stage_class = NULL;

  if (self->request == NULL)
    {
      for (guint i = 0; i < N_TEXTS; i++)
        set_text (self, i, NULL);
      gtk_widget_queue_draw (GTK_WIDGET (self));
      return;
    }

  set_text (self, TEXT_VEHICLE, tirkeu_format_vehicle (self->request));
  set_text (self, TEXT_VIN, g_strdup (tirkeu_request_get_vin (self->request)));
  buyer = tirkeu_request_get_buyer_name (self->request);
  set_text (self, TEXT_BUYER, g_strdup (buyer != NULL ? buyer : _("Buyer not entered")));
  iin = tirkeu_request_get_buyer_iin (self->request);
  if (iin != NULL)
    {
      g_autofree char *masked = tirkeu_iin_mask (iin);

      /* Translators: the buyer's masked IIN in the requests list, e.g. "IIN 850312******" */
      set_text (self, TEXT_IIN, g_strdup_printf (_("IIN %s"), masked));
    }
  else
    {
      set_text (self, TEXT_IIN, NULL);
    }
  stage = tirkeu_request_get_stage (self->request);
  /* A stage a newer portal added is named as the request page and the CLI name it, not as
   * the last stage this version knew. */
  {
    char *unknown = tirkeu_request_dup_unknown_stage_label (self->request);

    set_text (self, TEXT_STAGE, unknown != NULL ? unknown
                                                : g_strdup (tirkeu_catalogue_stage_title (stage)));
  }
  self->stage_class = tirkeu_stage_get_style_class (stage);
  updated = tirkeu_request_get_last_change (self->request);
  now = g_date_time_new_now_utc ();
  set_text (self, TEXT_TIME, updated != NULL ? tirkeu_format_relative_time (updated, now) : NULL);

  /* Translators: what a screen reader says for a request in the list: the vehicle, the
   * buyer, the stage and when it last changed, e.g. "Toyota Camry, 2025; AKHMETOV ERLAN;
   * Completed; 5 minutes ago" */
  accessible = g_strdup_printf (_("%s; %s; %s; %s"), self->texts[TEXT_VEHICLE],
                                buyer != NULL ? buyer : "", self->texts[TEXT_STAGE],
                                self->texts[TEXT_TIME] != NULL ? self->texts[TEXT_TIME] : "");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, accessible,
                                  -1);
  /* Same size whatever the texts: a redraw, never a relayout of the list. */
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* ------------------------------------------------------------------------------------------ */
/* Size and drawing */

typedef struct
{
  int line;           /* a line of the widget's font, in Pango units */
  int caption_line;
  int badge_line;
  int char_width;     /* approximate, Pango units */
  int digit_width;
} Metrics;

/* Every row has the same font: its metrics are looked up once per font. */
static const Metrics *
get_metrics (TirkeuRequestRow *self)
{
  static PangoFontDescription *cached_font;
  static Metrics cached;
  PangoContext *context = gtk_widget_get_pango_context (GTK_WIDGET (self));
  const PangoFontDescription *font = pango_context_get_font_description (context);
  PangoFontMetrics *metrics;

  if (cached_font != NULL && pango_font_description_equal (cached_font, font))
    return &cached;

  metrics = pango_context_get_metrics (context, font, NULL);
  cached.line = pango_font_metrics_get_height (metrics);
  if (cached.line <= 0)
    cached.line = pango_font_metrics_get_ascent (metrics)
                  + pango_font_metrics_get_descent (metrics);
  cached.caption_line = (int) (cached.line * CAPTION_SCALE + 0.5);
  cached.badge_line = (int) (cached.line * BADGE_SCALE + 0.5);
  cached.char_width = pango_font_metrics_get_approximate_char_width (metrics);
  cached.digit_width = pango_font_metrics_get_approximate_digit_width (metrics);
  pango_font_metrics_unref (metrics);

  g_clear_pointer (&cached_font, pango_font_description_free);
  cached_font = pango_font_description_copy (font);

  return &cached;
}

static int
row_height (const Metrics *metrics)
{
  int text = PANGO_PIXELS_CEIL (metrics->line) + LINE_SPACING
             + PANGO_PIXELS_CEIL (metrics->caption_line);
  /* room for a stage title on two lines: every row the same height all the same */
  int badge = PANGO_PIXELS_CEIL (BADGE_MAX_LINES * metrics->badge_line) + BADGE_PADDING_Y;

  return MAX (text, badge);
}

static int
buyer_width (const Metrics *metrics)
{
  return PANGO_PIXELS_CEIL (BUYER_CHARS * metrics->char_width);
}

static int
time_width (const Metrics *metrics)
{
  return PANGO_PIXELS_CEIL (TIME_CHARS * MAX (metrics->char_width, metrics->digit_width));
}

static int
vehicle_min_width (const Metrics *metrics)
{
  return PANGO_PIXELS_CEIL (VEHICLE_MIN_CHARS * metrics->char_width);
}

/* Every column at its width: the vehicle's at least a few words. */
static int
full_width (const Metrics *metrics)
{
  return vehicle_min_width (metrics) + 3 * COLUMN_SPACING + buyer_width (metrics) + STAGE_WIDTH
         + time_width (metrics);
}

/* Where each column goes at @width; a width of 0 leaves a column out. */
typedef struct
{
  int vehicle_x, vehicle_w;
  int buyer_x, buyer_w;
  int stage_x, stage_w;
  int time_x, time_w;
} Columns;

static void
layout_columns (const Metrics *metrics,
                int            width,
                Columns       *columns)
{
  int vehicle_min = vehicle_min_width (metrics);

  memset (columns, 0, sizeof *columns);
  if (width >= full_width (metrics))
    {
      columns->time_w = time_width (metrics);
      columns->buyer_w = buyer_width (metrics);
      columns->stage_w = STAGE_WIDTH;
      columns->vehicle_w = width - 3 * COLUMN_SPACING - columns->buyer_w - STAGE_WIDTH
                           - columns->time_w;
    }
  else
    {
      /* the time is in the tooltip and the accessible label; the badge wraps */
      int rest;

      columns->stage_w = CLAMP (width * 2 / 5, NARROW_STAGE_MIN, STAGE_WIDTH);
      rest = width - columns->stage_w - COLUMN_SPACING;
      if (rest - COLUMN_SPACING >= 2 * vehicle_min)
        {
          columns->vehicle_w = (rest - COLUMN_SPACING) / 2;
          columns->buyer_w = rest - COLUMN_SPACING - columns->vehicle_w;
        }
      else
        {
          columns->vehicle_w = MAX (rest, 0);
        }
    }

  columns->vehicle_x = 0;
  columns->buyer_x = columns->vehicle_w + COLUMN_SPACING;
  columns->stage_x = columns->buyer_x + (columns->buyer_w > 0 ? columns->buyer_w + COLUMN_SPACING : 0);
  columns->time_x = columns->stage_x + columns->stage_w + COLUMN_SPACING;
}

static void
tirkeu_request_row_measure (GtkWidget      *widget,
                            GtkOrientation  orientation,
                            int             for_size,
                            int            *minimum,
                            int            *natural,
                            int            *minimum_baseline,
                            int            *natural_baseline)
{
  const Metrics *metrics = get_metrics (TIRKEU_REQUEST_ROW (widget));

  if (orientation == GTK_ORIENTATION_VERTICAL)
    {
      *minimum = *natural = row_height (metrics);
      return;
    }

  /* Down to the vehicle and the stage (layout_columns()); every column at full width when
   * there is room. */
  *minimum = vehicle_min_width (metrics) + COLUMN_SPACING + NARROW_STAGE_MIN;
  *natural = full_width (metrics) + PANGO_PIXELS_CEIL (20 * metrics->char_width);
}

static PangoLayout *
ensure_layout (TirkeuRequestRow *self,
               Text              which)
{
  PangoAttrList *attributes;

  if (self->layouts[which] != NULL || self->texts[which] == NULL)
    return self->layouts[which];

  self->layouts[which] = gtk_widget_create_pango_layout (GTK_WIDGET (self), self->texts[which]);
  pango_layout_set_ellipsize (self->layouts[which], PANGO_ELLIPSIZE_END);
  pango_layout_set_single_paragraph_mode (self->layouts[which], TRUE);

  attributes = pango_attr_list_new ();
  switch (which)
    {
    case TEXT_VEHICLE:
      pango_attr_list_insert (attributes, pango_attr_weight_new (PANGO_WEIGHT_BOLD));
      break;
    case TEXT_VIN:
      pango_attr_list_insert (attributes, pango_attr_scale_new (CAPTION_SCALE));
      pango_attr_list_insert (attributes, pango_attr_family_new ("monospace"));
      break;
    case TEXT_IIN:
      pango_attr_list_insert (attributes, pango_attr_scale_new (CAPTION_SCALE));
      pango_attr_list_insert (attributes, pango_attr_font_features_new ("tnum"));
      break;
    case TEXT_STAGE:
      pango_attr_list_insert (attributes, pango_attr_scale_new (BADGE_SCALE));
      pango_attr_list_insert (attributes, pango_attr_weight_new (PANGO_WEIGHT_BOLD));
      /* wrapped at the badge's real width, on at most two lines (tirkeu_request_row_snapshot) */
      pango_layout_set_single_paragraph_mode (self->layouts[which], FALSE);
      pango_layout_set_wrap (self->layouts[which], PANGO_WRAP_WORD_CHAR);
      pango_layout_set_height (self->layouts[which], -BADGE_MAX_LINES);
      break;
    case TEXT_TIME:
      pango_attr_list_insert (attributes, pango_attr_font_features_new ("tnum"));
      break;
    case TEXT_BUYER:
    case N_TEXTS:
    default:
      break;
    }
  pango_layout_set_attributes (self->layouts[which], attributes);
  pango_attr_list_unref (attributes);

  return self->layouts[which];
}

/* Draws @which at (@x, @y), at most @width wide; returns its width in pixels. */
static int
draw_text (TirkeuRequestRow *self,
           GtkSnapshot      *snapshot,
           Text              which,
           int               x,
           int               y,
           int               width,
           gboolean          right_aligned,
           const GdkRGBA    *color)
{
  PangoLayout *layout = ensure_layout (self, which);
  PangoRectangle logical;

  if (layout == NULL || width <= 0)
    return 0;

  pango_layout_set_width (layout, width * PANGO_SCALE);
  pango_layout_get_pixel_extents (layout, NULL, &logical);
  if (right_aligned)
    x += width - logical.width;

  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x, y));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);

  return logical.width;
}

static GdkRGBA
with_alpha (const GdkRGBA *color,
            float          alpha)
{
  GdkRGBA result = *color;

  result.alpha *= alpha;
  return result;
}

/* The badge's colours, as style.css gives them to .stage-badge.<class> (from libadwaita's
 * named colours, so the dark style and high contrast follow). */
static void
badge_colors (GtkWidget     *widget,
              const char    *stage_class,
              const GdkRGBA *foreground,
              GdkRGBA       *text,
              GdkRGBA       *background)
{
  GtkStyleContext *context = gtk_widget_get_style_context (widget);
  const char *name = NULL;
  float alpha = 0.2f;
  GdkRGBA named;

  *text = *foreground;
  *background = with_alpha (foreground, 0.1f);

  if (g_strcmp0 (stage_class, "needs-action") == 0)
    name = "warning_color";
  else if (g_strcmp0 (stage_class, "awaiting-buyer") == 0)
    name = "accent_color", alpha = 0.18f;
  else if (g_strcmp0 (stage_class, "completed") == 0)
    name = "success_color";
  else if (g_strcmp0 (stage_class, "attention") == 0)
    name = "error_color", alpha = 0.18f;
  else if (g_strcmp0 (stage_class, "closed") == 0)
    *text = with_alpha (foreground, 0.7f);

  if (name != NULL && gtk_style_context_lookup_color (context, name, &named))
    {
      *background = with_alpha (&named, alpha);
      if (g_str_equal (name, "success_color"))
        {
          /* shade (@success_color, 0.7) */
          named.red *= 0.7f;
          named.green *= 0.7f;
          named.blue *= 0.7f;
        }
      /* a needs-action badge keeps the text colour on its warning tint */
      if (!g_str_equal (name, "warning_color"))
        *text = named;
    }
}

static void
tirkeu_request_row_snapshot (GtkWidget   *widget,
                             GtkSnapshot *snapshot)
{
  TirkeuRequestRow *self = TIRKEU_REQUEST_ROW (widget);
  const Metrics *metrics = get_metrics (self);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  int line = PANGO_PIXELS_CEIL (metrics->line);
  int caption = PANGO_PIXELS_CEIL (metrics->caption_line);
  int text_top = MAX (0, (height - (line + LINE_SPACING + caption)) / 2);
  Columns columns;
  GdkRGBA foreground;
  GdkRGBA dim;

  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &foreground);
  dim = with_alpha (&foreground, DIM_ALPHA);
  layout_columns (metrics, width, &columns);

  /* Just brought or changed: the accent's tint under the whole row, or a mark at its start. */
  if (self->highlight > 0 || self->marked)
    {
      GtkStyleContext *context = gtk_widget_get_style_context (widget);
      GdkRGBA accent;

      if (!gtk_style_context_lookup_color (context, "accent_bg_color", &accent))
        accent = foreground;
      if (self->highlight > 0)
        {
          GdkRGBA tint = with_alpha (&accent, HIGHLIGHT_ALPHA * (float) self->highlight);

          /* past the row's padding, to the list's edges */
          gtk_snapshot_append_color (snapshot, &tint,
                                     &GRAPHENE_RECT_INIT (-18, -8, width + 36, height + 16));
        }
      if (self->marked)
        gtk_snapshot_append_color (snapshot, &accent,
                                   &GRAPHENE_RECT_INIT (-18 + 2, 0, MARK_WIDTH, height));
    }

  /* Columns left to right: the app's languages (kk, ru, en) are all written so. */
  /* the vehicle and its VIN */
  draw_text (self, snapshot, TEXT_VEHICLE, columns.vehicle_x, text_top, columns.vehicle_w, FALSE,
             &foreground);
  draw_text (self, snapshot, TEXT_VIN, columns.vehicle_x, text_top + line + LINE_SPACING,
             columns.vehicle_w, FALSE, &dim);

  /* the buyer and the masked IIN */
  if (columns.buyer_w > 0)
    {
      draw_text (self, snapshot, TEXT_BUYER, columns.buyer_x, text_top, columns.buyer_w, FALSE,
                 &foreground);
      draw_text (self, snapshot, TEXT_IIN, columns.buyer_x, text_top + line + LINE_SPACING,
                 columns.buyer_w, FALSE, &dim);
    }

  /* the stage badge: a pill sized to its title, at the column's real width; a title too
   * long for one line wraps to a second rather than lose its end */
  self->stage_cut = FALSE;
  if (ensure_layout (self, TEXT_STAGE) != NULL)
    {
      PangoLayout *layout = self->layouts[TEXT_STAGE];
      int max_text = MAX (columns.stage_w - 2 * BADGE_PADDING_X, 1);
      int padding_y = BADGE_PADDING_Y;
      int badge_h, badge_top;
      PangoRectangle logical;
      GskRoundedRect pill;
      GdkRGBA text, background;

      pango_layout_set_width (layout, max_text * PANGO_SCALE);
      pango_layout_get_pixel_extents (layout, NULL, &logical);
      if (pango_layout_get_line_count (layout) > 1)
        padding_y = BADGE_PADDING_Y / 2;
      badge_h = logical.height + 2 * padding_y;
      badge_top = (height - badge_h) / 2;
      self->stage_cut = pango_layout_is_ellipsized (layout);
      gsk_rounded_rect_init_from_rect (&pill,
                                       &GRAPHENE_RECT_INIT (columns.stage_x, badge_top,
                                                            logical.width + 2 * BADGE_PADDING_X,
                                                            badge_h),
                                       MIN (badge_h / 2.0f, PANGO_PIXELS_CEIL (metrics->badge_line) / 2.0f + padding_y));
      badge_colors (widget, self->stage_class, &foreground, &text, &background);
      gtk_snapshot_push_rounded_clip (snapshot, &pill);
      gtk_snapshot_append_color (snapshot, &background, &pill.bounds);
      gtk_snapshot_pop (snapshot);
      gtk_snapshot_save (snapshot);
      gtk_snapshot_translate (snapshot,
                              &GRAPHENE_POINT_INIT (columns.stage_x + BADGE_PADDING_X,
                                                    badge_top + padding_y));
      gtk_snapshot_append_layout (snapshot, layout, &text);
      gtk_snapshot_restore (snapshot);
    }

  /* when it last changed, right-aligned */
  if (columns.time_w > 0)
    draw_text (self, snapshot, TEXT_TIME, columns.time_x, (height - line) / 2, columns.time_w,
               TRUE, &dim);
}

static void
tirkeu_request_row_css_changed (GtkWidget         *widget,
                                GtkCssStyleChange *change)
{
  GTK_WIDGET_CLASS (tirkeu_request_row_parent_class)->css_changed (widget, change);
  /* a new font or scale: the layouts are made again when drawn */
  drop_layouts (TIRKEU_REQUEST_ROW (widget));
}

static gboolean
tirkeu_request_row_query_tooltip (GtkWidget  *widget,
                                  int         x,
                                  int         y,
                                  gboolean    keyboard_mode,
                                  GtkTooltip *tooltip)
{
  TirkeuRequestRow *self = TIRKEU_REQUEST_ROW (widget);
  const Metrics *metrics = get_metrics (self);
  g_autoptr(GDateTime) local = NULL;
  g_autofree char *exact = NULL;
  GDateTime *updated;
  Columns columns;

  /* Over the time column; over the whole row when the time is not shown in it. */
  layout_columns (metrics, gtk_widget_get_width (widget), &columns);
  if (!keyboard_mode && columns.time_w > 0 && x < columns.time_x)
    return FALSE;
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

/**
 * tirkeu_request_row_set_highlight:
 * @self: a #TirkeuRequestRow
 * @highlight: from 0 (none) to 1: how strongly the row is tinted, as a change fades
 * @marked: whether the row carries the still mark that stands for the tint when animations
 *   are off
 *
 * Shows that the row's request was just brought or changed.
 */
void
tirkeu_request_row_set_highlight (TirkeuRequestRow *self,
                                  double            highlight,
                                  gboolean          marked)
{
  g_return_if_fail (TIRKEU_IS_REQUEST_ROW (self));

  highlight = CLAMP (highlight, 0.0, 1.0);
  marked = !!marked;
  if (self->highlight == highlight && self->marked == (guint) marked)
    return;
  self->highlight = highlight;
  self->marked = marked;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/**
 * tirkeu_request_row_get_highlight:
 * @self: a #TirkeuRequestRow
 * @marked: (out) (optional): whether the still mark is shown
 *
 * Returns: the tint, from 0 to 1
 */
double
tirkeu_request_row_get_highlight (TirkeuRequestRow *self,
                                  gboolean         *marked)
{
  g_return_val_if_fail (TIRKEU_IS_REQUEST_ROW (self), 0);

  if (marked != NULL)
    *marked = self->marked;
  return self->highlight;
}

/**
 * tirkeu_request_row_get_stage_cut:
 * @self: a #TirkeuRequestRow
 *
 * Whether the stage title, as last drawn, did not fit its badge (it ends in an ellipsis).
 *
 * Returns: %TRUE if it was cut
 */
gboolean
tirkeu_request_row_get_stage_cut (TirkeuRequestRow *self)
{
  g_return_val_if_fail (TIRKEU_IS_REQUEST_ROW (self), FALSE);

  return self->stage_cut;
}

/**
 * tirkeu_request_row_get_column_widths:
 * @self: a #TirkeuRequestRow
 * @vehicle: (out) (optional): the vehicle column's width, in pixels
 * @buyer: (out) (optional): the buyer column's, 0 when left out at this width
 * @stage: (out) (optional): the stage badge column's
 * @time: (out) (optional): the time column's, 0 when left out at this width
 *
 * The columns at the row's width, as it draws them.
 */
void
tirkeu_request_row_get_column_widths (TirkeuRequestRow *self,
                                      int              *vehicle,
                                      int              *buyer,
                                      int              *stage,
                                      int              *time)
{
  Columns columns;

  g_return_if_fail (TIRKEU_IS_REQUEST_ROW (self));

  layout_columns (get_metrics (self), gtk_widget_get_width (GTK_WIDGET (self)), &columns);
  if (vehicle != NULL)
    *vehicle = columns.vehicle_w;
  if (buyer != NULL)
    *buyer = columns.buyer_w;
  if (stage != NULL)
    *stage = columns.stage_w;
  if (time != NULL)
    *time = columns.time_w;
}

/**
 * tirkeu_request_row_get_text:
 * @self: a #TirkeuRequestRow
 *
 * The texts the row draws, one per line: the vehicle, the VIN, the buyer, the masked IIN,
 * the stage and when it last changed (what tests check is on screen).
 *
 * Returns: (transfer full): the texts
 */
char *
tirkeu_request_row_get_text (TirkeuRequestRow *self)
{
  GString *text = g_string_new (NULL);

  g_return_val_if_fail (TIRKEU_IS_REQUEST_ROW (self), NULL);

  for (guint i = 0; i < N_TEXTS; i++)
    if (self->texts[i] != NULL)
      g_string_append_printf (text, "%s\n", self->texts[i]);

  return g_string_free (text, FALSE);
}

static void
tirkeu_request_row_dispose (GObject *object)
{
  TirkeuRequestRow *self = TIRKEU_REQUEST_ROW (object);

  g_clear_object (&self->request);
  drop_layouts (self);

  G_OBJECT_CLASS (tirkeu_request_row_parent_class)->dispose (object);
}

static void
tirkeu_request_row_finalize (GObject *object)
{
  TirkeuRequestRow *self = TIRKEU_REQUEST_ROW (object);

  for (guint i = 0; i < N_TEXTS; i++)
    g_free (self->texts[i]);

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
  widget_class->measure = tirkeu_request_row_measure;
  widget_class->snapshot = tirkeu_request_row_snapshot;
  widget_class->css_changed = tirkeu_request_row_css_changed;
  widget_class->query_tooltip = tirkeu_request_row_query_tooltip;

  properties[PROP_REQUEST] =
    g_param_spec_object ("request", NULL, NULL, TIRKEU_TYPE_REQUEST,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "requestrow");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
tirkeu_request_row_init (TirkeuRequestRow *self)
{
  gtk_widget_add_css_class (GTK_WIDGET (self), "request-row");
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
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
