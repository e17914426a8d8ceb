/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "tirkeu-catalogue.h"
#include "tirkeu-i18n.h"
#include "tirkeu-iin.h"
#include "tirkeu-request-row.h"
#include "tirkeu-summary-print.h"

/* The buyer's summary: one page, in Kazakh and then Russian, whatever the interface language,
 * with the request number, the vehicle, the buyer, what to do next in the eGov personal
 * account and where the documents will be collected. Printed or saved as PDF through
 * GtkPrintOperation, drawn with Pango. The texts of each language come from the compiled
 * catalogues directly (tirkeu_i18n_pgettext_in()), never by switching gettext's language. */

#define CTX "buyer summary"

/* Marked for xgettext; looked up in each language at print time. */
static const char * const summary_msgids[] = {
  NC_("buyer summary", "Primary vehicle registration: summary for the buyer"),
  NC_("buyer summary", "Request number"),
  NC_("buyer summary", "Vehicle"),
  NC_("buyer summary", "Buyer"),
  NC_("buyer summary", "Seller"),
  NC_("buyer summary", "Status"),
  /* Translators: TsON is ХҚКО / ЦОН (DOMAIN.md) */
  NC_("buyer summary", "Where to collect the documents and plates"),
  NC_("buyer summary", "At the TsON you choose in the eGov personal account (step 15)."),
  NC_("buyer summary", "The service takes up to 120 minutes after the last signature."),
};

enum {
  MSG_TITLE,
  MSG_NUMBER,
  MSG_VEHICLE,
  MSG_BUYER,
  MSG_SELLER,
  MSG_STATUS,
  MSG_WHERE,
  MSG_WHERE_UNKNOWN,
  MSG_DURATION,
};

static const char *
msg (const char *language,
     guint       id)
{
  return tirkeu_i18n_pgettext_in (language, CTX, summary_msgids[id]);
}

static void
append_fact (GString    *markup,
             const char *label,
             const char *value)
{
  g_autofree char *escaped_label = g_markup_escape_text (label, -1);
  g_autofree char *escaped_value = g_markup_escape_text (value != NULL ? value : "—", -1);

  g_string_append_printf (markup, "<b>%s:</b> %s\n", escaped_label, escaped_value);
}

/**
 * tirkeu_summary_build_markup:
 * @request: the request
 * @language: "kk", "ru" or "en"
 *
 * Returns: (transfer full): the Pango markup of the summary's part in @language
 */
char *
tirkeu_summary_build_markup (TirkeuRequest *request,
                             const char    *language)
{
  g_autoptr(GString) markup = g_string_new (NULL);
  g_autofree char *title = NULL;
  g_autofree char *todo_title = NULL;
  g_autofree char *vehicle = NULL;
  g_autofree char *buyer = NULL;
  g_autofree char *masked = NULL;
  g_auto(GStrv) todo = NULL;
  const char *tson;

  g_return_val_if_fail (TIRKEU_IS_REQUEST (request), NULL);
  g_return_val_if_fail (language != NULL, NULL);

  title = g_markup_escape_text (msg (language, MSG_TITLE), -1);
  g_string_append_printf (markup, "<span size='large'><b>%s</b></span>\n", title);

  vehicle = tirkeu_format_vehicle (request);
  if (tirkeu_request_get_vin (request) != NULL)
    {
      g_autofree char *with_vin = g_strdup_printf ("%s, VIN %s", vehicle,
                                                   tirkeu_request_get_vin (request));
      g_free (vehicle);
      vehicle = g_steal_pointer (&with_vin);
    }
  masked = tirkeu_request_get_buyer_iin (request) != NULL
           ? tirkeu_iin_mask (tirkeu_request_get_buyer_iin (request)) : NULL;
  buyer = g_strdup_printf ("%s%s%s",
                           tirkeu_request_get_buyer_name (request) != NULL
                           ? tirkeu_request_get_buyer_name (request) : "—",
                           masked != NULL ? ", " : "", masked != NULL ? masked : "");

  append_fact (markup, msg (language, MSG_NUMBER), tirkeu_request_get_portal_id (request));
  append_fact (markup, msg (language, MSG_VEHICLE), vehicle);
  append_fact (markup, msg (language, MSG_BUYER), buyer);
  if (tirkeu_request_get_seller_name (request) != NULL)
    append_fact (markup, msg (language, MSG_SELLER), tirkeu_request_get_seller_name (request));
  append_fact (markup, msg (language, MSG_STATUS),
               tirkeu_catalogue_stage_title_in (tirkeu_request_get_stage (request), language));

  todo_title = g_markup_escape_text (tirkeu_catalogue_buyer_todo_title_in (language), -1);
  g_string_append_printf (markup, "\n<b>%s</b>\n", todo_title);
  todo = tirkeu_catalogue_buyer_todo_in (language);
  for (guint i = 0; todo[i] != NULL; i++)
    {
      g_autofree char *item = g_markup_escape_text (todo[i], -1);
      g_string_append_printf (markup, "%u. %s\n", i + 1, item);
    }

  /* The TsON's name comes from the portal in the language of the last sync; the sentence
   * around it is in @language. */
  tson = tirkeu_request_get_tson (request);
  g_string_append (markup, "\n");
  append_fact (markup, msg (language, MSG_WHERE),
               tson != NULL ? tson : msg (language, MSG_WHERE_UNKNOWN));
  {
    g_autofree char *duration = g_markup_escape_text (msg (language, MSG_DURATION), -1);
    g_string_append_printf (markup, "<i>%s</i>", duration);
  }

  return g_string_free (g_steal_pointer (&markup), FALSE);
}

typedef struct
{
  char *markup_kk;
  char *markup_ru;
} Summary;

static void
summary_free (Summary *summary)
{
  g_free (summary->markup_kk);
  g_free (summary->markup_ru);
  g_free (summary);
}

static PangoLayout *
new_layout (GtkPrintContext *context,
            const char      *markup,
            double           width,
            double           size)
{
  PangoLayout *layout = gtk_print_context_create_pango_layout (context);
  g_autoptr(PangoFontDescription) font = pango_font_description_from_string ("Sans");

  pango_font_description_set_size (font, size * PANGO_SCALE);
  pango_layout_set_font_description (layout, font);
  pango_layout_set_width (layout, width * PANGO_SCALE);
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
  pango_layout_set_spacing (layout, size * 0.25 * PANGO_SCALE);
  pango_layout_set_markup (layout, markup, -1);

  return layout;
}

static void
draw_page_cb (GtkPrintOperation *operation,
              GtkPrintContext   *context,
              int                page_nr,
              Summary           *summary)
{
  cairo_t *cr = gtk_print_context_get_cairo_context (context);
  double width = gtk_print_context_get_width (context);
  double height = gtk_print_context_get_height (context);
  double gap = 18;
  double size = 11;

  /* The largest size at which both languages fit on the one page. */
  for (;; size -= 0.5)
    {
      g_autoptr(PangoLayout) kk = new_layout (context, summary->markup_kk, width, size);
      g_autoptr(PangoLayout) ru = new_layout (context, summary->markup_ru, width, size);
      int kk_height, ru_height;

      pango_layout_get_size (kk, NULL, &kk_height);
      pango_layout_get_size (ru, NULL, &ru_height);
      if ((double) (kk_height + ru_height) / PANGO_SCALE + 2 * gap <= height || size <= 6)
        {
          cairo_move_to (cr, 0, 0);
          pango_cairo_show_layout (cr, kk);
          cairo_set_line_width (cr, 0.5);
          cairo_move_to (cr, 0, (double) kk_height / PANGO_SCALE + gap);
          cairo_rel_line_to (cr, width, 0);
          cairo_stroke (cr);
          cairo_move_to (cr, 0, (double) kk_height / PANGO_SCALE + 2 * gap);
          pango_cairo_show_layout (cr, ru);
          break;
        }
    }
}

/**
 * tirkeu_summary_print_run:
 * @request: the request
 * @parent: (nullable): the window the print dialog belongs to
 * @action: %GTK_PRINT_OPERATION_ACTION_PRINT_DIALOG for the user, or
 *   %GTK_PRINT_OPERATION_ACTION_EXPORT with @export_filename to write a PDF
 * @export_filename: (nullable): the PDF to write with %GTK_PRINT_OPERATION_ACTION_EXPORT
 * @error: return location for a #GtkPrintError
 *
 * Prints the one-page summary for the buyer, in Kazakh and in Russian. With the print
 * dialog, the operation finishes on its own after this returns.
 *
 * Returns: %TRUE unless the operation failed to start or (exporting) to write
 */
gboolean
tirkeu_summary_print_run (TirkeuRequest            *request,
                          GtkWindow                *parent,
                          GtkPrintOperationAction   action,
                          const char               *export_filename,
                          GError                  **error)
{
  g_autoptr(GtkPrintOperation) operation = NULL;
  g_autoptr(GtkPageSetup) page_setup = NULL;
  g_autofree char *job_name = NULL;
  Summary *summary;
  GtkPrintOperationResult result;

  g_return_val_if_fail (TIRKEU_IS_REQUEST (request), FALSE);
  g_return_val_if_fail (action != GTK_PRINT_OPERATION_ACTION_EXPORT || export_filename != NULL,
                        FALSE);

  summary = g_new0 (Summary, 1);
  summary->markup_kk = tirkeu_summary_build_markup (request, "kk");
  summary->markup_ru = tirkeu_summary_build_markup (request, "ru");

  operation = gtk_print_operation_new ();
  /* Translators: the print job's name; %s is the request number */
  job_name = g_strdup_printf (_("Summary of request %s"),
                              tirkeu_request_get_portal_id (request) != NULL
                              ? tirkeu_request_get_portal_id (request) : "");
  gtk_print_operation_set_job_name (operation, job_name);
  gtk_print_operation_set_n_pages (operation, 1);
  gtk_print_operation_set_unit (operation, GTK_UNIT_POINTS);
  gtk_print_operation_set_embed_page_setup (operation, TRUE);
  page_setup = gtk_page_setup_new ();
  {
    g_autoptr(GtkPaperSize) a4 = gtk_paper_size_new (GTK_PAPER_NAME_A4);
    gtk_page_setup_set_paper_size_and_default_margins (page_setup, a4);
  }
  gtk_print_operation_set_default_page_setup (operation, page_setup);
  if (export_filename != NULL)
    gtk_print_operation_set_export_filename (operation, export_filename);
  gtk_print_operation_set_allow_async (operation, action != GTK_PRINT_OPERATION_ACTION_EXPORT);
  g_signal_connect_data (operation, "draw-page", G_CALLBACK (draw_page_cb), summary,
                         (GClosureNotify) summary_free, 0);

  result = gtk_print_operation_run (operation, action, parent, error);

  return result != GTK_PRINT_OPERATION_RESULT_ERROR;
}
