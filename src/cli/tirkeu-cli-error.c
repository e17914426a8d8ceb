/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "tirkeu-catalogue.h"
#include "tirkeu-cli-error.h"
#include "tirkeu-i18n.h"
#include "tirkeu-portal-error.h"
#include "tirkeu-token-error.h"

G_DEFINE_QUARK (tirkeu-cli-error-quark, tirkeu_cli_error)

static void
append_line (GString    *text,
             const char *line)
{
  g_string_append (text, "\n  ");
  g_string_append (text, line);
}

/**
 * tirkeu_cli_error_describe:
 * @error: an error from any layer
 *
 * The text of @error for a person at the terminal, in the interface language: the app's own
 * sentence for its domain and code first (tirkeu_catalogue_describe_error(), the portal's
 * codes, tirkeu_token_error_to_message()), then, indented, what the portal itself said, the
 * library's raw text under a "Details:" label, and the wire code under "Error code:". GLib's,
 * libsoup's, GnuTLS's, OpenSSL's and the PKCS#11 module's English thus never stands alone.
 *
 * Returns: (transfer full): the text, without a final newline
 */
char *
tirkeu_cli_error_describe (const GError *error)
{
  g_autoptr(GString) text = g_string_new (NULL);
  const char *title = NULL;
  const char *action = NULL;
  const char *raw = error->message;
  g_autofree char *code = NULL;

  g_return_val_if_fail (error != NULL, NULL);

  if (error->domain == TIRKEU_TOKEN_ERROR)
    {
      title = tirkeu_token_error_to_message ((TirkeuTokenError) error->code);
    }
  else if (!tirkeu_catalogue_describe_error (error, &title, &action))
    {
      /* Already the app's own translated sentence (input, usage, option errors) */
      return g_strdup (error->message);
    }

  g_string_append (text, title);
  if (action != NULL)
    {
      g_string_append (text, ". ");
      g_string_append (text, action);
    }

  if (error->domain == TIRKEU_PORTAL_ERROR)
    {
      const char *portal_text = tirkeu_portal_error_get_message (error,
                                                                 tirkeu_i18n_get_language ());

      if (portal_text != NULL && *portal_text != '\0')
        {
          g_autofree char *line = g_strdup_printf (_("The portal says: %s"), portal_text);

          append_line (text, line);
        }
      /* A wire error's message is "CODE: the portal's English": both are shown above and
       * below in the reader's language; a transport error's message is GLib's raw text. */
      if (tirkeu_portal_code_is_wire ((TirkeuPortalCode) error->code))
        raw = NULL;
      code = tirkeu_catalogue_error_code_label (
               tirkeu_portal_code_to_string ((TirkeuPortalCode) error->code));
    }

  raw = tirkeu_catalogue_error_details (title, raw);
  if (raw != NULL)
    {
      /* Translators: the raw text of a library (GLib, libsoup, OpenSSL, the token's module)
       * that the sentence before it explains; it stays in its own language */
      g_autofree char *line = g_strdup_printf (_("Details: %s"), raw);

      append_line (text, line);
    }
  if (code != NULL)
    append_line (text, code);

  return g_string_free (g_steal_pointer (&text), FALSE);
}
