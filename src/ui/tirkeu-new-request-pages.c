/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "tirkeu-contract.h"
#include "tirkeu-new-request-pages.h"
#include "tirkeu-new-request-pages-private.h"
#include "tirkeu-portal-error.h"

static guint
step_of_code (TirkeuPortalCode code)
{
  static const struct { TirkeuPortalCode code; guint step; } steps[] = {
    { TIRKEU_PORTAL_CODE_OKED_MISMATCH, 1 },
    { TIRKEU_PORTAL_CODE_EPASSPORT_NOT_FOUND, 3 },
    { TIRKEU_PORTAL_CODE_CUSTOMS_UNPAID, 4 },
    { TIRKEU_PORTAL_CODE_UTILIZATION_UNPAID, 5 },
    { TIRKEU_PORTAL_CODE_PERSON_NOT_FOUND, 7 },
    { TIRKEU_PORTAL_CODE_CONTRACT_NOT_FOUND, 8 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    if (steps[i].code == code)
      return steps[i].step;
  return 9;
}

/* The step a portal error stops at, for the error view; @fallback for any other error. */
guint
_tirkeu_new_request_step_of_error (const GError *error,
                                   guint         fallback)
{
  if (error->domain == TIRKEU_PORTAL_ERROR)
    {
      guint step = step_of_code ((TirkeuPortalCode) error->code);

      return step != 9 ? step : fallback;
    }
  return fallback;
}

/* The hint under an entry, with the offending character marked where it stands. */
void
_tirkeu_new_request_set_hint_error (GtkLabel   *hint,
                                    const char *text,
                                    guint       position,
                                    const char *message)
{
  g_autoptr(GString) markup = g_string_new (NULL);
  g_autofree char *escaped_message = g_markup_escape_text (message, -1);
  guint i = 1;

  if (position > 0)
    {
      for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p), i++)
        {
          g_autofree char *one = g_strndup (p, g_utf8_next_char (p) - p);
          g_autofree char *escaped = g_markup_escape_text (one, -1);

          if (i == position)
            g_string_append_printf (markup, "<span underline=\"error\" weight=\"bold\" foreground=\"#e01b24\">%s</span>",
                                    escaped);
          else
            g_string_append (markup, escaped);
        }
      g_string_append (markup, "  ");
    }
  g_string_append (markup, escaped_message);
  gtk_label_set_markup (hint, markup->str);
  gtk_widget_add_css_class (GTK_WIDGET (hint), "error");
}

/* A contract's price as people write it: "7 300 000 ₸" in tenge, "—" when not given (-1). */
char *
_tirkeu_new_request_format_money (gint64      price_tiyn,
                                  const char *currency)
{
  g_autofree char *price = NULL;

  if (price_tiyn < 0)
    return g_strdup ("—");
  if (currency == NULL || g_str_equal (currency, "KZT"))
    return tirkeu_contract_format_price_for_display (price_tiyn);

  price = tirkeu_contract_format_price (price_tiyn);
  return g_strdup_printf ("%s %s", price, currency);
}

char *
_tirkeu_new_request_format_date (const GDate *date)
{
  char text[32] = "—";

  if (g_date_valid (date))
    g_date_strftime (text, sizeof text, "%d.%m.%Y", date);
  return g_strdup (text);
}
