/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "tirkeu-application.h"
#include "tirkeu-preferences-window.h"

#include "tirkeu-portal-client.h"

/**
 * TirkeuPreferencesWindow:
 *
 * The preferences, bound to GSettings. It writes the settings only: a value overridden on
 * the command line stays in force for this run, and the group says so.
 */
struct _TirkeuPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  /* template widgets */
  AdwPreferencesGroup  *portal_group;
  AdwEntryRow          *portal_url_row;
  AdwActionRow         *ca_file_row;
  GtkWidget            *ca_file_clear_button;
  AdwPreferencesGroup  *token_group;
  AdwEntryRow          *pkcs11_module_row;
  AdwComboRow          *language_row;
  GtkSpinButton        *refresh_interval_spin;

  /* owned references */
  TirkeuConfig         *config;
  GSettings            *settings;
  GtkFileChooserNative *file_chooser;

  /* set while rows are filled from the settings, so that no change is written back */
  guint                 loading : 1;
};

G_DEFINE_FINAL_TYPE (TirkeuPreferencesWindow, tirkeu_preferences_window,
                     ADW_TYPE_PREFERENCES_WINDOW)

enum {
  PROP_0,
  PROP_CONFIG,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Order of the language combo row's items. */
static const char * const languages[] = { "system", "kk", "ru", "en" };

static void
load_row (TirkeuPreferencesWindow *self,
          const char              *key)
{
  self->loading = TRUE;

  if (g_str_equal (key, "portal-url"))
    {
      g_autofree char *url = g_settings_get_string (self->settings, key);

      gtk_editable_set_text (GTK_EDITABLE (self->portal_url_row), url);
      gtk_widget_remove_css_class (GTK_WIDGET (self->portal_url_row), "error");
    }
  else if (g_str_equal (key, "ca-file"))
    {
      g_autofree char *ca_file = g_settings_get_string (self->settings, key);

      adw_action_row_set_subtitle (self->ca_file_row,
                                   *ca_file != '\0' ? ca_file
                                                    : _("The system’s trusted authorities"));
      gtk_widget_set_sensitive (self->ca_file_clear_button, *ca_file != '\0');
    }
  else if (g_str_equal (key, "pkcs11-module"))
    {
      g_autofree char *module = g_settings_get_string (self->settings, key);

      gtk_editable_set_text (GTK_EDITABLE (self->pkcs11_module_row), module);
    }
  else if (g_str_equal (key, "language"))
    {
      g_autofree char *language = g_settings_get_string (self->settings, key);

      for (guint i = 0; i < G_N_ELEMENTS (languages); i++)
        if (g_str_equal (language, languages[i]))
          adw_combo_row_set_selected (self->language_row, i);
    }

  self->loading = FALSE;
}

static void
settings_changed_cb (TirkeuPreferencesWindow *self,
                     const char              *key,
                     GSettings               *settings)
{
  load_row (self, key);
}

static void
portal_url_changed_cb (TirkeuPreferencesWindow *self)
{
  gtk_widget_remove_css_class (GTK_WIDGET (self->portal_url_row), "error");
}

static void
portal_url_apply_cb (TirkeuPreferencesWindow *self)
{
  g_autofree char *url = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->portal_url_row))));

  g_autoptr(GError) error = NULL;

  /* The client's own rule, so that an address saved here is one the client accepts */
  if (!tirkeu_portal_client_check_url (url, &error))
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->portal_url_row), "error");
      adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self),
                                        adw_toast_new (error->message));
      return;
    }

  g_settings_set_string (self->settings, "portal-url", url);
}

static void
pkcs11_module_apply_cb (TirkeuPreferencesWindow *self)
{
  g_autofree char *module = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->pkcs11_module_row))));

  g_settings_set_string (self->settings, "pkcs11-module", module);
}

static void
ca_file_clear_cb (TirkeuPreferencesWindow *self)
{
  g_settings_set_string (self->settings, "ca-file", "");
}

static void
file_chosen_cb (TirkeuPreferencesWindow *self,
                int                      response,
                GtkFileChooserNative    *chooser)
{
  const char *key = g_object_get_data (G_OBJECT (chooser), "tirkeu-key");

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;

      if (path != NULL)
        g_settings_set_string (self->settings, key, path);
    }

  g_clear_object (&self->file_chooser);
}

/* GTK 4.8 has no GtkFileDialog: GtkFileChooserNative uses the file chooser portal when
 * there is one (the Flatpak), else GTK's own dialog. */
static void
choose_file (TirkeuPreferencesWindow *self,
             const char              *key,
             const char              *title,
             GtkFileFilter           *filter)
{
  g_clear_object (&self->file_chooser);
  self->file_chooser = gtk_file_chooser_native_new (title, GTK_WINDOW (self),
                                                    GTK_FILE_CHOOSER_ACTION_OPEN,
                                                    _("_Select"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->file_chooser), TRUE);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->file_chooser), filter);
  g_object_set_data_full (G_OBJECT (self->file_chooser), "tirkeu-key", g_strdup (key), g_free);
  g_signal_connect_object (self->file_chooser, "response",
                           G_CALLBACK (file_chosen_cb), self, G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->file_chooser));
}

static void
ca_file_choose_cb (TirkeuPreferencesWindow *self)
{
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, _("PEM certificates"));
  gtk_file_filter_add_pattern (filter, "*.pem");
  gtk_file_filter_add_pattern (filter, "*.crt");
  gtk_file_filter_add_pattern (filter, "*.cer");
  choose_file (self, "ca-file", _("Trusted Certificate Authorities"), filter);
}

static void
pkcs11_module_choose_cb (TirkeuPreferencesWindow *self)
{
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, _("PKCS#11 modules"));
  gtk_file_filter_add_pattern (filter, "*.so");
  gtk_file_filter_add_pattern (filter, "*.so.*");
  choose_file (self, "pkcs11-module", _("PKCS#11 Module"), filter);
}

static void
restart_response_cb (TirkeuPreferencesWindow *self,
                     const char              *response,
                     AdwMessageDialog        *dialog)
{
  if (g_str_equal (response, "restart"))
    gtk_widget_activate_action (GTK_WIDGET (self), "app.restart", NULL);
}

static void
language_selected_cb (TirkeuPreferencesWindow *self)
{
  guint selected = adw_combo_row_get_selected (self->language_row);
  AdwMessageDialog *dialog;

  if (self->loading || selected >= G_N_ELEMENTS (languages))
    return;

  g_settings_set_string (self->settings, "language", languages[selected]);

  /* gettext is set up once, at start: a new language needs a new start. */
  if (g_str_equal (languages[selected], tirkeu_config_get_language (self->config))
      || !TIRKEU_IS_APPLICATION (gtk_window_get_application (GTK_WINDOW (self))))
    return;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self),
                                                       _("Restart Tirkeu?"),
                                                       _("The new language is used from the "
                                                         "next start.")));
  adw_message_dialog_add_responses (dialog,
                                    "later", _("_Later"),
                                    "restart", _("_Restart"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "restart", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "restart");
  adw_message_dialog_set_close_response (dialog, "later");
  g_signal_connect_object (dialog, "response", G_CALLBACK (restart_response_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
describe_override (AdwPreferencesGroup *group,
                   TirkeuConfig        *config,
                   const char          *key,
                   const char          *option)
{
  g_autofree char *description = NULL;

  if (!tirkeu_config_is_overridden (config, key))
    return;

  /* Translators: %s is a command-line option such as --portal-url. */
  description = g_strdup_printf (_("This run uses the value given with %s; "
                                   "what you set here is saved for the next start."),
                                 option);
  adw_preferences_group_set_description (group, description);
}

static void
tirkeu_preferences_window_constructed (GObject *object)
{
  TirkeuPreferencesWindow *self = TIRKEU_PREFERENCES_WINDOW (object);
  static const char * const keys[] = { "portal-url", "ca-file", "pkcs11-module", "language" };

  G_OBJECT_CLASS (tirkeu_preferences_window_parent_class)->constructed (object);

  g_assert (TIRKEU_IS_CONFIG (self->config));
  self->settings = g_object_ref (tirkeu_config_get_settings (self->config));

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    load_row (self, keys[i]);
  g_settings_bind (self->settings, "refresh-interval",
                   gtk_spin_button_get_adjustment (self->refresh_interval_spin), "value",
                   G_SETTINGS_BIND_DEFAULT);

  g_signal_connect_object (self->settings, "changed",
                           G_CALLBACK (settings_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->language_row, "notify::selected",
                           G_CALLBACK (language_selected_cb), self, G_CONNECT_SWAPPED);

  describe_override (self->portal_group, self->config, "portal-url", "--portal-url");
  if (!tirkeu_config_is_overridden (self->config, "portal-url"))
    describe_override (self->portal_group, self->config, "ca-file", "--ca-file");
  describe_override (self->token_group, self->config, "pkcs11-module", "--pkcs11-module");
}

static void
tirkeu_preferences_window_dispose (GObject *object)
{
  TirkeuPreferencesWindow *self = TIRKEU_PREFERENCES_WINDOW (object);

  if (self->file_chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->file_chooser));
  g_clear_object (&self->file_chooser);
  gtk_widget_dispose_template (GTK_WIDGET (self), TIRKEU_TYPE_PREFERENCES_WINDOW);
  g_clear_object (&self->settings);
  g_clear_object (&self->config);

  G_OBJECT_CLASS (tirkeu_preferences_window_parent_class)->dispose (object);
}

static void
tirkeu_preferences_window_get_property (GObject    *object,
                                        guint       prop_id,
                                        GValue     *value,
                                        GParamSpec *pspec)
{
  TirkeuPreferencesWindow *self = TIRKEU_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_CONFIG:
      g_value_set_object (value, self->config);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tirkeu_preferences_window_set_property (GObject      *object,
                                        guint         prop_id,
                                        const GValue *value,
                                        GParamSpec   *pspec)
{
  TirkeuPreferencesWindow *self = TIRKEU_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_CONFIG:
      self->config = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tirkeu_preferences_window_class_init (TirkeuPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = tirkeu_preferences_window_constructed;
  object_class->dispose = tirkeu_preferences_window_dispose;
  object_class->get_property = tirkeu_preferences_window_get_property;
  object_class->set_property = tirkeu_preferences_window_set_property;

  /**
   * TirkeuPreferencesWindow:config:
   *
   * The configuration of this run; its settings are what the rows edit.
   */
  properties[PROP_CONFIG] =
    g_param_spec_object ("config", NULL, NULL, TIRKEU_TYPE_CONFIG,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/tirkeu/Tirkeu/ui/tirkeu-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, TirkeuPreferencesWindow, portal_group);
  gtk_widget_class_bind_template_child (widget_class, TirkeuPreferencesWindow, portal_url_row);
  gtk_widget_class_bind_template_child (widget_class, TirkeuPreferencesWindow, ca_file_row);
  gtk_widget_class_bind_template_child (widget_class, TirkeuPreferencesWindow, ca_file_clear_button);
  gtk_widget_class_bind_template_child (widget_class, TirkeuPreferencesWindow, token_group);
  gtk_widget_class_bind_template_child (widget_class, TirkeuPreferencesWindow, pkcs11_module_row);
  gtk_widget_class_bind_template_child (widget_class, TirkeuPreferencesWindow, language_row);
  gtk_widget_class_bind_template_child (widget_class, TirkeuPreferencesWindow, refresh_interval_spin);
  gtk_widget_class_bind_template_callback (widget_class, portal_url_apply_cb);
  gtk_widget_class_bind_template_callback (widget_class, portal_url_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, pkcs11_module_apply_cb);
  gtk_widget_class_bind_template_callback (widget_class, ca_file_clear_cb);
  gtk_widget_class_bind_template_callback (widget_class, ca_file_choose_cb);
  gtk_widget_class_bind_template_callback (widget_class, pkcs11_module_choose_cb);
}

static void
tirkeu_preferences_window_init (TirkeuPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * tirkeu_preferences_window_new:
 * @config: the configuration of this run
 *
 * Returns: (transfer full): a new preferences window
 */
TirkeuPreferencesWindow *
tirkeu_preferences_window_new (TirkeuConfig *config)
{
  g_return_val_if_fail (TIRKEU_IS_CONFIG (config), NULL);

  return g_object_new (TIRKEU_TYPE_PREFERENCES_WINDOW, "config", config, NULL);
}
