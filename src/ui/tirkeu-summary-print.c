/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>

#include <glib/gi18n-lib.h>

#include "tirkeu-catalogue.h"
#include "tirkeu-format.h"
#include "tirkeu-i18n.h"
#include "tirkeu-iin.h"
#include "tirkeu-request-row.h"
#include "tirkeu-summary-print.h"
#include "tirkeu-window.h"

/* The buyer's summary: one page, in Kazakh and then Russian, whatever the interface language,
 * with the request number, the vehicle, the buyer, the dealership, what to do next in the
 * eGov personal account and by when (the portal's deadline, when it gave one), where the
 * documents will be collected and the date it was printed.
 * Printed or saved as PDF through GtkPrintOperation, drawn with Pango. The app's texts of
 * each half come from that language's compiled catalogue directly
 * (tirkeu_i18n_pgettext_in()), never by switching gettext's language; the portal's texts
 * (the TsON's name and address, the e-passport's colour and body type) are picked in that
 * language from the request, which keeps every language the portal sent.
 *
 * The last print settings (the printer, or the folder a PDF was saved in) are kept in a
 * GtkPrintSettings key file under the user's configuration folder: GTK's own format carries
 * every setting the dialog has (printer, its options, the output folder and format) with no
 * schema to keep in step with GTK's, and a GSettings key could only hold them as an opaque
 * a{sv} anyway. */

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
  /* Translators: the car dealership (the seller signed in to Tirkeu) that printed it */
  NC_("buyer summary", "Dealership"),
  /* Translators: %s is the date the summary was printed, e.g. 23.11.2027; add «ж.» / «г.»
   * as the sentence needs */
  NC_("buyer summary", "Printed on %s."),
  /* Translators: after the list of the buyer's steps in the eGov personal account; %s is
   * the portal's deadline, e.g. 23.11.2027 (add «ж.» / «г.» as the sentence needs); after
   * it the portal ends the request (stage "Expired") */
  NC_("buyer summary", "Approve the request and finish these steps by %s, or it expires."),
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
  MSG_DEALERSHIP,
  MSG_PRINTED_ON,
};

static const char *
msg (const char *language,
     guint       id)
{
  return tirkeu_i18n_pgettext_in (language, CTX, summary_msgids[id]);
}

/* A format of the catalogue of @language: the format's arguments are checked against
 * @msgid, a literal at the call. */
static const char *
format_in (const char *language,
           const char *msgid) G_GNUC_FORMAT (2);

static const char *
format_in (const char *language,
           const char *msgid)
{
  return tirkeu_i18n_pgettext_in (language, CTX, msgid);
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
 * @dealership: (nullable): the name of the dealership printing it (the signed-in seller)
 * @printed_at: (nullable): when it is printed, %NULL for now
 *
 * Every text of the part is in @language: the app's from that language's catalogue, the
 * portal's (the TsON, the e-passport's colour and body type) picked in that language.
 *
 * Returns: (transfer full): the Pango markup of the summary's part in @language
 */
char *
tirkeu_summary_build_markup (TirkeuRequest *request,
                             const char    *language,
                             const char    *dealership,
                             GDateTime     *printed_at)
{
  g_autoptr(GString) markup = g_string_new (NULL);
  g_autofree char *title = NULL;
  g_autofree char *todo_title = NULL;
  g_autofree char *vehicle = NULL;
  g_autofree char *buyer = NULL;
  g_autofree char *masked = NULL;
  g_autofree char *tson = NULL;
  g_autofree char *printed_date = NULL;
  g_autofree char *printed_line = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_auto(GStrv) todo = NULL;

  g_return_val_if_fail (TIRKEU_IS_REQUEST (request), NULL);
  g_return_val_if_fail (language != NULL, NULL);

  title = g_markup_escape_text (msg (language, MSG_TITLE), -1);
  g_string_append_printf (markup, "<span size='large'><b>%s</b></span>\n", title);

  vehicle = tirkeu_format_vehicle (request);
  /* The e-passport's colour and body type in this half's language, like every text of it:
   * the Kazakh half says «ақ», the Russian one «белый». */
  if (tirkeu_request_get_vehicle (request) != NULL)
    {
      const TirkeuVehicle *details = tirkeu_request_get_vehicle (request);
      const char *colour = tirkeu_vehicle_pick_colour (details, language);
      const char *body = tirkeu_vehicle_pick_body_type (details, language);
      g_autoptr(GString) described = g_string_new (vehicle);

      if (colour != NULL)
        g_string_append_printf (described, ", %s", colour);
      if (body != NULL)
        g_string_append_printf (described, ", %s", body);
      g_free (vehicle);
      vehicle = g_string_free (g_steal_pointer (&described), FALSE);
    }
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
  /* The dealership that prints it is the seller as a rule; the contract's seller is said
   * apart only when it is another party. */
  if (dealership != NULL && *dealership != '\0')
    append_fact (markup, msg (language, MSG_DEALERSHIP), dealership);
  if (tirkeu_request_get_seller_name (request) != NULL
      && g_strcmp0 (dealership, tirkeu_request_get_seller_name (request)) != 0)
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
  /* The portal's deadline only: a request it gave none for says nothing of one, rather than
   * a date Tirkeu would have to guess. */
  if (tirkeu_request_get_buyer_deadline (request) != NULL)
    {
      g_autofree char *deadline = tirkeu_format_date (tirkeu_request_get_buyer_deadline (request));
      g_autofree char *sentence =
        g_markup_printf_escaped (format_in (language, "Approve the request and finish these "
                                                      "steps by %s, or it expires."), deadline);

      g_string_append_printf (markup, "<b>%s</b>\n", sentence);
    }

  /* The TsON's name and address as the portal wrote them in @language, like the sentence
   * around them. */
  tson = tirkeu_request_dup_tson_label (request, language);
  g_string_append (markup, "\n");
  append_fact (markup, msg (language, MSG_WHERE),
               tson != NULL ? tson : msg (language, MSG_WHERE_UNKNOWN));
  {
    g_autofree char *duration = g_markup_escape_text (msg (language, MSG_DURATION), -1);
    g_string_append_printf (markup, "<i>%s</i>\n", duration);
  }

  if (printed_at == NULL)
    printed_at = now = g_date_time_new_now_local ();
  printed_date = tirkeu_format_date (printed_at);
  printed_line = g_markup_printf_escaped (format_in (language, "Printed on %s."), printed_date);
  g_string_append_printf (markup, "\n<small>%s</small>", printed_line);

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

static GtkPrintOperation *
summary_operation_new (TirkeuRequest *request,
                       const char    *dealership)
{
  GtkPrintOperation *operation = gtk_print_operation_new ();
  g_autoptr(GtkPageSetup) page_setup = gtk_page_setup_new ();
  g_autoptr(GtkPaperSize) a4 = gtk_paper_size_new (GTK_PAPER_NAME_A4);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *job_name = NULL;
  Summary *summary;

  summary = g_new0 (Summary, 1);
  summary->markup_kk = tirkeu_summary_build_markup (request, "kk", dealership, now);
  summary->markup_ru = tirkeu_summary_build_markup (request, "ru", dealership, now);

  /* Translators: the print job's name; %s is the request number */
  job_name = g_strdup_printf (_("Summary of request %s"),
                              tirkeu_request_get_portal_id (request) != NULL
                              ? tirkeu_request_get_portal_id (request) : "");
  gtk_print_operation_set_job_name (operation, job_name);
  gtk_print_operation_set_n_pages (operation, 1);
  gtk_print_operation_set_unit (operation, GTK_UNIT_POINTS);
  gtk_print_operation_set_embed_page_setup (operation, TRUE);
  gtk_page_setup_set_paper_size_and_default_margins (page_setup, a4);
  gtk_print_operation_set_default_page_setup (operation, page_setup);
  g_signal_connect_data (operation, "draw-page", G_CALLBACK (draw_page_cb), summary,
                         (GClosureNotify) summary_free, 0);

  return operation;
}

/**
 * tirkeu_summary_dup_file_basename:
 * @request: the request
 *
 * Returns: (transfer full): the name a saved summary gets by default, without extension:
 *   the request number (with "/" and other characters a file name cannot hold replaced)
 */
char *
tirkeu_summary_dup_file_basename (TirkeuRequest *request)
{
  const char *number;

  g_return_val_if_fail (TIRKEU_IS_REQUEST (request), NULL);

  number = tirkeu_request_get_portal_id (request);
  if (number == NULL || *number == '\0')
    /* Translators: the file name of a summary of a request the portal has not numbered yet */
    return g_strdup (_("summary"));
  return g_strdelimit (g_strdup (number), "/\\:", '-');
}

/**
 * tirkeu_summary_print_run:
 * @request: the request
 * @parent: (nullable): the window the print dialog belongs to
 * @action: %GTK_PRINT_OPERATION_ACTION_PRINT_DIALOG for the user, or
 *   %GTK_PRINT_OPERATION_ACTION_EXPORT with @export_filename to write a PDF
 * @export_filename: (nullable): the PDF to write with %GTK_PRINT_OPERATION_ACTION_EXPORT
 * @dealership: (nullable): the name of the dealership printing it
 * @error: return location for a #GtkPrintError
 *
 * Prints the one-page summary for the buyer, in Kazakh and in Russian, without the
 * remembered settings (tirkeu_summary_print_async() is the user's way). With the print
 * dialog, the operation finishes on its own after this returns.
 *
 * Returns: %TRUE unless the operation failed to start or (exporting) to write
 */
gboolean
tirkeu_summary_print_run (TirkeuRequest            *request,
                          GtkWindow                *parent,
                          GtkPrintOperationAction   action,
                          const char               *export_filename,
                          const char               *dealership,
                          GError                  **error)
{
  g_autoptr(GtkPrintOperation) operation = NULL;
  GtkPrintOperationResult result;

  g_return_val_if_fail (TIRKEU_IS_REQUEST (request), FALSE);
  g_return_val_if_fail (action != GTK_PRINT_OPERATION_ACTION_EXPORT || export_filename != NULL,
                        FALSE);

  operation = summary_operation_new (request, dealership);
  if (export_filename != NULL)
    gtk_print_operation_set_export_filename (operation, export_filename);
  gtk_print_operation_set_allow_async (operation, action != GTK_PRINT_OPERATION_ACTION_EXPORT);

  result = gtk_print_operation_run (operation, action, parent, error);

  return result != GTK_PRINT_OPERATION_RESULT_ERROR;
}

/* ------------------------------------------------------------------------------------------ */
/* The print dialog with the last settings */

/**
 * tirkeu_summary_get_settings_path:
 *
 * Returns: (transfer full): the key file that keeps the last print settings (printer, output
 *   folder), under the user's configuration folder
 */
char *
tirkeu_summary_get_settings_path (void)
{
  return g_build_filename (g_get_user_config_dir (), "tirkeu", "print-settings.ini", NULL);
}

typedef struct
{
  TirkeuRequest *request;
  GtkWindow     *parent;
  char          *dealership;
  gboolean       returned;
} PrintJob;

static void
print_job_free (PrintJob *job)
{
  g_clear_object (&job->request);
  g_clear_object (&job->parent);
  g_free (job->dealership);
  g_free (job);
}

/* Another request's summary goes where the last one went, under its own number: the folder
 * of the last file is kept, the file name is not. */
static void
settings_for_request (GtkPrintSettings *settings,
                      TirkeuRequest    *request)
{
  const char *uri = gtk_print_settings_get (settings, GTK_PRINT_SETTINGS_OUTPUT_URI);
  g_autofree char *basename = tirkeu_summary_dup_file_basename (request);
  g_autofree char *name = g_strconcat (basename, ".pdf", NULL);
  g_autoptr(GFile) dir = NULL;
  g_autoptr(GFile) file = NULL;
  g_autofree char *file_uri = NULL;

  if (uri != NULL && *uri != '\0')
    {
      g_autoptr(GFile) last = g_file_new_for_uri (uri);

      dir = g_file_get_parent (last);
    }
  if (dir == NULL)
    dir = g_file_new_for_path (g_get_home_dir ());
  /* The file printer takes the whole URI: the folder and the number, as a PDF. */
  file = g_file_get_child (dir, name);
  file_uri = g_file_get_uri (file);
  gtk_print_settings_set (settings, GTK_PRINT_SETTINGS_OUTPUT_URI, file_uri);
  gtk_print_settings_set (settings, GTK_PRINT_SETTINGS_OUTPUT_BASENAME, basename);
  gtk_print_settings_set (settings, GTK_PRINT_SETTINGS_OUTPUT_FILE_FORMAT, "pdf");
}

static void
save_settings_thread (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  const char *data = task_data;
  g_autofree char *path = tirkeu_summary_get_settings_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;

  if (g_mkdir_with_parents (dir, 0700) != 0
      || !g_file_set_contents_full (path, data, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error))
    /* the next print starts from GTK's defaults: nothing else is lost */
    g_message ("The print settings could not be kept: %s",
               error != NULL ? error->message : g_strerror (errno));
}

static void
save_settings (GtkPrintSettings *settings)
{
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autoptr(GTask) task = g_task_new (NULL, NULL, NULL, NULL);

  gtk_print_settings_to_key_file (settings, key_file, NULL);
  g_task_set_task_data (task, g_key_file_to_data (key_file, NULL, NULL), g_free);
  g_task_run_in_thread (task, save_settings_thread);
}

static void
operation_done_cb (GtkPrintOperation       *operation,
                   GtkPrintOperationResult  result,
                   GTask                   *task)
{
  PrintJob *job = g_task_get_task_data (task);
  GError *error = NULL;

  if (job->returned)
    return;
  job->returned = TRUE;

  if (result == GTK_PRINT_OPERATION_RESULT_APPLY)
    save_settings (gtk_print_operation_get_print_settings (operation));

  if (result == GTK_PRINT_OPERATION_RESULT_ERROR)
    {
      gtk_print_operation_get_error (operation, &error);
      if (error == NULL)
        error = g_error_new_literal (GTK_PRINT_ERROR, GTK_PRINT_ERROR_GENERAL,
                                     _("The summary could not be printed"));
      g_task_return_error (task, error);
    }
  else
    g_task_return_boolean (task, result == GTK_PRINT_OPERATION_RESULT_APPLY);
}

static void
settings_loaded_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  GTask *task = user_data;
  PrintJob *job = g_task_get_task_data (task);
  g_autoptr(GtkPrintSettings) settings = NULL;
  g_autoptr(GtkPrintOperation) operation = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *basename = NULL;
  g_autofree char *export_name = NULL;
  gsize length = 0;

  if (g_file_load_contents_finish (G_FILE (source), result, &contents, &length, NULL, &error))
    {
      g_autoptr(GKeyFile) key_file = g_key_file_new ();

      if (g_key_file_load_from_data (key_file, contents, length, G_KEY_FILE_NONE, NULL))
        settings = gtk_print_settings_new_from_key_file (key_file, NULL, NULL);
    }
  if (settings == NULL)
    settings = gtk_print_settings_new ();
  settings_for_request (settings, job->request);

  operation = summary_operation_new (job->request, job->dealership);
  gtk_print_operation_set_print_settings (operation, settings);
  basename = tirkeu_summary_dup_file_basename (job->request);
  export_name = g_strconcat (basename, ".pdf", NULL);
  gtk_print_operation_set_export_filename (operation, export_name);
  gtk_print_operation_set_allow_async (operation, TRUE);
  /* The handler holds the task as long as GTK holds the operation, whether "done" comes
   * after the dialog or not at all (a failure to start). */
  g_signal_connect_data (operation, "done", G_CALLBACK (operation_done_cb), g_object_ref (task),
                         (GClosureNotify) g_object_unref, 0);

  g_clear_error (&error);
  if (gtk_print_operation_run (operation, GTK_PRINT_OPERATION_ACTION_PRINT_DIALOG, job->parent,
                               &error) == GTK_PRINT_OPERATION_RESULT_ERROR
      && !job->returned)
    {
      job->returned = TRUE;
      g_task_return_error (task, g_steal_pointer (&error));
    }
  /* the reference tirkeu_summary_print_async() gave the settings' load */
  g_object_unref (task);
}

/* The dealership is the seller signed in to the window's session. */
static char *
dup_dealership (GtkWidget *widget)
{
  GtkRoot *root = widget != NULL ? gtk_widget_get_root (widget) : NULL;
  TirkeuSession *session;
  const TirkeuPortalSeller *seller;

  if (!TIRKEU_IS_WINDOW (root))
    return NULL;
  session = tirkeu_window_get_session (TIRKEU_WINDOW (root));
  seller = session != NULL ? tirkeu_session_get_seller (session) : NULL;

  return seller != NULL ? g_strdup (seller->name) : NULL;
}

/**
 * tirkeu_summary_print_async:
 * @request: the request
 * @widget: (nullable): the widget printing it: its window is the dialog's parent, and the
 *   window's signed-in seller is the dealership named on the summary
 * @callback: called when the dialog is closed and the summary printed or saved
 * @user_data: for @callback
 *
 * Opens the print dialog for the buyer's summary with the last printer or folder chosen,
 * and a PDF named after the request number. The settings are read from, and on printing
 * written to, tirkeu_summary_get_settings_path() off the main loop.
 */
void
tirkeu_summary_print_async (TirkeuRequest       *request,
                            GtkWidget           *widget,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  GtkRoot *root = widget != NULL ? gtk_widget_get_root (widget) : NULL;
  g_autofree char *path = tirkeu_summary_get_settings_path ();
  g_autoptr(GFile) file = g_file_new_for_path (path);
  PrintJob *job;
  GTask *task;

  g_return_if_fail (TIRKEU_IS_REQUEST (request));

  job = g_new0 (PrintJob, 1);
  job->request = g_object_ref (request);
  job->parent = GTK_IS_WINDOW (root) ? g_object_ref (GTK_WINDOW (root)) : NULL;
  job->dealership = dup_dealership (widget);
  task = g_task_new (widget, NULL, callback, user_data);
  g_task_set_source_tag (task, tirkeu_summary_print_async);
  g_task_set_task_data (task, job, (GDestroyNotify) print_job_free);

  g_file_load_contents_async (file, NULL, settings_loaded_cb, task);
}

/**
 * tirkeu_summary_print_finish:
 * @result: the result given to the callback
 * @error: return location for a #GtkPrintError
 *
 * Returns: %TRUE if the summary was printed or saved, %FALSE with @error unset if the user
 *   cancelled
 */
gboolean
tirkeu_summary_print_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
