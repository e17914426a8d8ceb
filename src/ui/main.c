/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <string.h>
#include <unistd.h>

#include "tirkeu-application.h"
#include "tirkeu-i18n.h"

static GSettingsSchema *
lookup_schema (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();

  return source != NULL ? g_settings_schema_source_lookup (source, APP_ID, TRUE) : NULL;
}

/* The `language` setting, read before gettext starts. */
static char *
read_language_setting (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);

  return g_settings_get_string (settings, "language");
}

/* The same command line without --language, which must not outlive a language change. */
static char **
restart_argv (int    argc,
              char **argv)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  gboolean after_dashes = FALSE;

  for (int i = 0; i < argc; i++)
    {
      if (!after_dashes && g_str_equal (argv[i], "--"))
        after_dashes = TRUE;
      else if (!after_dashes && g_str_equal (argv[i], "--language"))
        {
          i++;
          continue;
        }
      else if (!after_dashes && g_str_has_prefix (argv[i], "--language="))
        continue;

      g_strv_builder_add (builder, argv[i]);
    }

  return g_strv_builder_end (builder);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(TirkeuApplication) application = NULL;
  g_autoptr(GSettingsSchema) schema = lookup_schema ();
  g_autofree char *language = NULL;
  gboolean restart;
  int status;

  /* gettext must know the language before the first translatable string is used, and
   * GOption parses the command line only inside g_application_run(): scan for --language
   * by hand, else take the setting. */
  language = tirkeu_scan_language_option (argc, argv);
  if (language == NULL && schema != NULL)
    language = read_language_setting ();
  tirkeu_i18n_init (tirkeu_language_is_valid (language) ? language : NULL);

  if (schema == NULL)
    {
      g_printerr (_("The settings schema %s is not installed. To run Tirkeu from the build "
                    "directory, use “meson devenv” or set GSETTINGS_SCHEMA_DIR.\n"), APP_ID);
      return 1;
    }

  g_set_application_name (_("Tirkeu"));
  application = tirkeu_application_new (APP_ID, G_APPLICATION_DEFAULT_FLAGS);
  tirkeu_config_set_language (tirkeu_application_get_config (application), language);

  status = g_application_run (G_APPLICATION (application), argc, argv);
  restart = tirkeu_application_get_restart_requested (application);
  g_clear_object (&application);

  if (restart)
    {
      g_auto(GStrv) new_argv = restart_argv (argc, argv);

      /* /proc/self/exe is this very binary, wherever it was started from. */
      execv ("/proc/self/exe", new_argv);
      g_printerr ("tirkeu: cannot restart: %s\n", g_strerror (errno));
      return 1;
    }

  return status;
}
