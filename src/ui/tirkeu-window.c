/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "tirkeu-window.h"

/**
 * TirkeuWindow:
 *
 * The main window. Until the request pages exist, its content is a status page that says
 * what Tirkeu does and what it needs. It remembers its size in GSettings, and shows the
 * "Training portal" marker while #TirkeuWindow:training is set.
 */
struct _TirkeuWindow
{
  AdwApplicationWindow  parent_instance;

  /* template widgets */
  AdwWindowTitle       *window_title;
  GtkMenuButton        *primary_menu_button;
  GtkWidget            *training_bar;
  AdwStatusPage        *status_page;

  /* owned references */
  GSettings            *settings;

  guint                 training : 1;
};

G_DEFINE_FINAL_TYPE (TirkeuWindow, tirkeu_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_TRAINING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
save_window_state (TirkeuWindow *self)
{
  int width;
  int height;

  /* While maximized, the default size still holds the unmaximized one: keep that. */
  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  g_settings_delay (self->settings);
  if (width > 0 && height > 0)
    {
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
    }
  g_settings_set_boolean (self->settings, "window-maximized",
                          gtk_window_is_maximized (GTK_WINDOW (self)));
  g_settings_apply (self->settings);
}

static gboolean
tirkeu_window_close_request (GtkWindow *window)
{
  save_window_state (TIRKEU_WINDOW (window));

  return GTK_WINDOW_CLASS (tirkeu_window_parent_class)->close_request (window);
}

static void
tirkeu_window_dispose (GObject *object)
{
  TirkeuWindow *self = TIRKEU_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), TIRKEU_TYPE_WINDOW);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (tirkeu_window_parent_class)->dispose (object);
}

static void
tirkeu_window_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  TirkeuWindow *self = TIRKEU_WINDOW (object);

  switch (prop_id)
    {
    case PROP_TRAINING:
      g_value_set_boolean (value, self->training);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tirkeu_window_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  TirkeuWindow *self = TIRKEU_WINDOW (object);

  switch (prop_id)
    {
    case PROP_TRAINING:
      tirkeu_window_set_training (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tirkeu_window_class_init (TirkeuWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = tirkeu_window_dispose;
  object_class->get_property = tirkeu_window_get_property;
  object_class->set_property = tirkeu_window_set_property;

  window_class->close_request = tirkeu_window_close_request;

  /**
   * TirkeuWindow:training:
   *
   * Whether the portal is a training sandbox. The application binds it to
   * #TirkeuConfig:training; while set, a warning bar under the header bar and the header's
   * subtitle say so.
   */
  properties[PROP_TRAINING] =
    g_param_spec_boolean ("training", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/tirkeu/Tirkeu/ui/tirkeu-window.ui");
  gtk_widget_class_bind_template_child (widget_class, TirkeuWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, TirkeuWindow, primary_menu_button);
  gtk_widget_class_bind_template_child (widget_class, TirkeuWindow, training_bar);
  gtk_widget_class_bind_template_child (widget_class, TirkeuWindow, status_page);
}

static void
tirkeu_window_init (TirkeuWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APP_ID);
  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
}

/**
 * tirkeu_window_new:
 * @application: the application
 *
 * Returns: (transfer full): a new main window
 */
TirkeuWindow *
tirkeu_window_new (TirkeuApplication *application)
{
  g_return_val_if_fail (TIRKEU_IS_APPLICATION (application), NULL);

  return g_object_new (TIRKEU_TYPE_WINDOW, "application", application, NULL);
}

gboolean
tirkeu_window_get_training (TirkeuWindow *self)
{
  g_return_val_if_fail (TIRKEU_IS_WINDOW (self), FALSE);

  return self->training;
}

/**
 * tirkeu_window_set_training:
 * @training: whether the portal is a training sandbox
 *
 * Shows or hides the "Training portal" marker.
 */
void
tirkeu_window_set_training (TirkeuWindow *self,
                            gboolean      training)
{
  g_return_if_fail (TIRKEU_IS_WINDOW (self));

  training = !!training;
  if (self->training == (guint) training)
    return;

  self->training = training;
  gtk_widget_set_visible (self->training_bar, training);
  /* Translators: the header bar's subtitle while the app talks to the practice sandbox. */
  adw_window_title_set_subtitle (self->window_title, training ? _("Training portal") : NULL);
  if (training)
    gtk_widget_add_css_class (GTK_WIDGET (self), "training");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "training");

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TRAINING]);
}

/**
 * tirkeu_window_get_primary_menu:
 *
 * The model of the header bar's primary menu, for tests and for pages that add to it.
 *
 * Returns: (transfer none): the primary menu
 */
GMenuModel *
tirkeu_window_get_primary_menu (TirkeuWindow *self)
{
  g_return_val_if_fail (TIRKEU_IS_WINDOW (self), NULL);

  return gtk_menu_button_get_menu_model (self->primary_menu_button);
}
