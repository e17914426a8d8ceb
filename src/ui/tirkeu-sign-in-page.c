/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "tirkeu-a11y.h"
#include "tirkeu-application.h"
#include "tirkeu-certificate-check.h"
#include "tirkeu-certificate-choice.h"
#include "tirkeu-error.h"
#include "tirkeu-error-view.h"
#include "tirkeu-format.h"
#include "tirkeu-i18n.h"
#include "tirkeu-iin.h"
#include "tirkeu-new-request.h"
#include "tirkeu-oked.h"
#include "tirkeu-pin-dialog.h"
#include "tirkeu-sign-in-page.h"

/**
 * TirkeuSignInPage:
 *
 * Step 1 at the desk: notices the token or says how to insert one, lists
 * the token's AUTH certificates to choose from, asks the PIN (with the token's PIN state),
 * signs the portal's challenge, then shows who is signed in and the OKED check. A seller whose
 * OKED does not qualify sees its codes and why, and the New Request action stays off.
 * Unfinished drafts are listed to resume.
 *
 * NCA key files are offered beside tokens: chosen with the desktop's file chooser (through
 * the file portal in the Flatpak), or again from the recent ones (GSettings
 * `recent-key-files`: paths only, most recent first, at most five; a file no longer there is
 * shown as missing and can be removed). The key file's password is asked as the signing
 * agent asks it. The certificate chosen to sign in with is shown as a card: owner, BIN,
 * role, validity with the 30-day expiry warning, and its status by NCA's OCSP service
 * (tirkeu_certificate_check_async(): "Checking…" while it is asked); a revoked certificate,
 * or one NCA does not know, cannot sign in, and the page says why.
 *
 * Actions: desk.sign-in, desk.sign-out, desk.new-request (emits #TirkeuSignInPage::new-request
 * with no draft), desk.resume-draft (s: the draft id), desk.choose-key-file (the file chooser),
 * desk.open-key-file-path (s: a key file's path; what the chooser's answer and a recent row
 * call), desk.forget-key-file (s: a path to drop from the recent ones).
 */
struct _TirkeuSignInPage
{
  AdwBin           parent_instance;

  /* template widgets */
  GtkStack        *stack;
  AdwStatusPage   *no_module_page;
  GtkListBox      *certificate_list;
  TirkeuErrorView *sign_in_error;
  GtkWidget       *sign_in_button;
  GtkWidget       *sign_in_spinner;
  AdwActionRow    *person_row;
  AdwActionRow    *organisation_row;
  AdwActionRow    *bin_row;
  AdwActionRow    *oked_row;
  GtkImage        *oked_icon;
  TirkeuErrorView *oked_error;
  GtkWidget       *drafts_group;
  GtkListBox      *drafts_list;
  AdwStatusPage   *no_token_page;
  AdwStatusPage   *token_page;
  GtkWidget       *open_key_file_button;
  GtkWidget       *key_files_area;
  AdwPreferencesGroup *key_files_group;
  GtkListBox      *recent_list;
  TirkeuErrorView *key_file_error;
  GtkWidget       *certificate_card;
  AdwActionRow    *card_owner_row;
  AdwActionRow    *card_bin_row;
  AdwActionRow    *card_role_row;
  AdwActionRow    *card_validity_row;
  GtkWidget       *card_warning_icon;
  AdwActionRow    *card_status_row;
  GtkWidget       *card_status_spinner;

  /* owned references */
  TirkeuSession   *session;
  GPtrArray       *auth_certificates;
  GCancellable    *cancellable;
  GCancellable    *recent_cancellable;   /* the look at the recent files on disk */
  GSettings       *settings;
  GtkNativeDialog *chooser;
  char            *chosen_key_file;      /* chosen on this page: remembered once it opens */
  GCancellable    *check_cancellable;    /* the OCSP check of the certificate on the card */
  TirkeuCertificate *refused_certificate; /* revoked, or unknown to NCA: may not sign in */

  /* state */
  guint            n_drafts;
};

G_DEFINE_FINAL_TYPE (TirkeuSignInPage, tirkeu_sign_in_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_SESSION,
  N_PROPS
};

enum {
  NEW_REQUEST,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void ask_pin (TirkeuSignInPage *self, const char *error_message);
static TirkeuCertificate *selected_certificate (TirkeuSignInPage *self);

/* A key file may be chosen while nobody is signed in, and no sign-in is under way: the
 * session then switches to it (a token stays inserted, unused). */
static gboolean
may_choose_key_file (TirkeuSignInPage *self)
{
  if (self->session == NULL)
    return FALSE;
  switch (tirkeu_session_get_state (self->session))
    {
    case TIRKEU_SESSION_STATE_NO_MODULE:
    case TIRKEU_SESSION_STATE_NO_TOKEN:
    case TIRKEU_SESSION_STATE_TOKEN_PRESENT:
      return TRUE;
    case TIRKEU_SESSION_STATE_LOADING:
    case TIRKEU_SESSION_STATE_EXPIRED:
    case TIRKEU_SESSION_STATE_SIGNING_IN:
    case TIRKEU_SESSION_STATE_SIGNED_IN:
    default:
      return FALSE;
    }
}

static void
update_actions (TirkeuSignInPage *self)
{
  TirkeuSessionState state = self->session != NULL ? tirkeu_session_get_state (self->session)
                                                   : TIRKEU_SESSION_STATE_LOADING;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "desk.sign-in",
                                 (state == TIRKEU_SESSION_STATE_TOKEN_PRESENT
                                  || state == TIRKEU_SESSION_STATE_EXPIRED)
                                 && self->auth_certificates != NULL
                                 && self->auth_certificates->len > 0
                                 && (self->refused_certificate == NULL
                                     || self->refused_certificate != selected_certificate (self)));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "desk.open-key-file",
                                 self->session != NULL
                                 && tirkeu_session_needs_key_file_password (self->session));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "desk.choose-key-file",
                                 may_choose_key_file (self));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "desk.open-key-file-path",
                                 may_choose_key_file (self));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "desk.sign-out",
                                 state == TIRKEU_SESSION_STATE_SIGNED_IN);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "desk.new-request",
                                 self->session != NULL
                                 && tirkeu_session_get_oked_qualifies (self->session));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "desk.resume-draft",
                                 self->session != NULL
                                 && tirkeu_session_get_oked_qualifies (self->session));
}

static char *
format_date (GDateTime *date_time)
{
  return date_time != NULL ? g_date_time_format (date_time, "%d.%m.%Y") : g_strdup ("—");
}

static GtkWidget *
certificate_row_new (TirkeuCertificate *certificate)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *until = format_date (tirkeu_certificate_get_not_after (certificate));
  g_autofree char *subtitle = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *warning = tirkeu_certificate_dup_warning (certificate, now);

  /* Translators: a certificate's organisation, BIN and the last day it is valid */
  subtitle = g_strdup_printf (_("%s · BIN %s · valid until %s"),
                              tirkeu_certificate_get_organisation (certificate) != NULL
                              ? tirkeu_certificate_get_organisation (certificate) : "—",
                              tirkeu_certificate_get_bin (certificate) != NULL
                              ? tirkeu_certificate_get_bin (certificate) : "—",
                              until);
  if (warning != NULL)
    {
      char *with_warning = g_strdup_printf ("%s\n%s", subtitle, warning);

      g_free (subtitle);
      subtitle = with_warning;
    }
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                 tirkeu_certificate_get_owner_name (certificate));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row),
                             gtk_image_new_from_icon_name ("auth-smartcard-symbolic"));
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  g_object_set_data_full (G_OBJECT (row), "certificate", g_object_ref (certificate),
                          g_object_unref);
  return row;
}

/* What NCA's OCSP service says of the certificate on the card, asked as soon as it is shown
 * (no sign-in needed): a revoked certificate, or one NCA does not know, cannot sign in, and
 * the page says so before any PIN is asked. */
typedef struct
{
  TirkeuSignInPage  *self;
  TirkeuCertificate *certificate;
} Check;

static void
check_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  Check *check = user_data;
  g_autoptr(TirkeuSignInPage) self = check->self;
  g_autoptr(TirkeuCertificate) certificate = check->certificate;
  g_autoptr(GDateTime) revoked_at = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *subtitle = NULL;
  TirkeuCertificateCheckStatus status;

  g_free (check);
  status = tirkeu_certificate_check_finish (result, &revoked_at, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->session == NULL)
    return;
  gtk_widget_set_visible (self->card_status_spinner, FALSE);
  gtk_spinner_set_spinning (GTK_SPINNER (self->card_status_spinner), FALSE);
  if (status == TIRKEU_CERTIFICATE_CHECK_REVOKED && revoked_at != NULL)
    {
      g_autofree char *date = tirkeu_format_date (revoked_at);

      /* Translators: the OCSP status, then the day NCA revoked the certificate */
      subtitle = g_strdup_printf (_("%s on %s"), tirkeu_certificate_check_status_to_string (status),
                                  date);
    }
  else
    subtitle = g_strdup (tirkeu_certificate_check_status_to_string (status));
  adw_action_row_set_subtitle (self->card_status_row, subtitle);

  if (status == TIRKEU_CERTIFICATE_CHECK_REVOKED || status == TIRKEU_CERTIFICATE_CHECK_UNKNOWN)
    {
      g_autoptr(GError) refusal = NULL;

      g_set_object (&self->refused_certificate, certificate);
      refusal = g_error_new_literal (TIRKEU_INPUT_ERROR, TIRKEU_INPUT_ERROR_INVALID,
                                     status == TIRKEU_CERTIFICATE_CHECK_REVOKED
                                     /* Translators: NCA: the national certification authority (ҰКО / НУЦ) */
                                     ? _("This certificate was revoked: it cannot sign in. Have NCA issue a new one.")
                                     : _("NCA does not know this certificate: it cannot sign in."));
      tirkeu_error_view_set_error (self->sign_in_error, 1, refusal);
    }
  else if (status == TIRKEU_CERTIFICATE_CHECK_UNREACHABLE && error != NULL)
    g_debug ("The certificate's status could not be checked: %s", error->message);
  update_actions (self);
}

static TirkeuConfig *
application_config (void)
{
  GApplication *application = g_application_get_default ();

  return TIRKEU_IS_APPLICATION (application)
         ? tirkeu_application_get_config (TIRKEU_APPLICATION (application)) : NULL;
}

static void
check_certificate (TirkeuSignInPage  *self,
                   TirkeuCertificate *certificate)
{
  Check *check;

  g_cancellable_cancel (self->check_cancellable);
  g_clear_object (&self->check_cancellable);
  if (self->refused_certificate != NULL && self->refused_certificate != certificate)
    {
      g_clear_object (&self->refused_certificate);
      tirkeu_error_view_clear (self->sign_in_error);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->card_status_row), certificate != NULL);
  if (certificate == NULL || self->session == NULL || self->refused_certificate == certificate)
    return;

  self->check_cancellable = g_cancellable_new ();
  /* Translators: the OCSP status while NCA's service is being asked */
  adw_action_row_set_subtitle (self->card_status_row, _("Checking…"));
  gtk_widget_set_visible (self->card_status_spinner, TRUE);
  gtk_spinner_set_spinning (GTK_SPINNER (self->card_status_spinner), TRUE);
  check = g_new0 (Check, 1);
  check->self = g_object_ref (self);
  check->certificate = g_object_ref (certificate);
  tirkeu_certificate_check_async (application_config (), tirkeu_session_get_client (self->session),
                                  certificate, self->check_cancellable, check_cb, check);
}

/* The certificate chosen to sign in with, as the seller checks it before the PIN: who, which
 * organisation, which role, how long it is valid (and the 30-day warning). */
static void
update_card (TirkeuSignInPage *self)
{
  TirkeuCertificate *certificate = selected_certificate (self);
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *from = NULL;
  g_autofree char *until = NULL;
  g_autofree char *validity = NULL;
  g_autofree char *warning = NULL;
  g_autofree char *bin = NULL;
  const char *organisation;

  gtk_widget_set_visible (self->certificate_card, certificate != NULL);
  check_certificate (self, certificate);
  if (certificate == NULL)
    return;

  now = g_date_time_new_now_utc ();
  from = tirkeu_format_date (tirkeu_certificate_get_not_before (certificate));
  until = tirkeu_format_date (tirkeu_certificate_get_not_after (certificate));
  warning = tirkeu_certificate_dup_warning (certificate, now);
  organisation = tirkeu_certificate_get_organisation (certificate);
  bin = g_strdup_printf ("%s%s%s",
                         tirkeu_certificate_get_bin (certificate) != NULL
                         ? tirkeu_certificate_get_bin (certificate) : "—",
                         organisation != NULL ? " · " : "",
                         organisation != NULL ? organisation : "");
  /* Translators: a certificate's validity: the first and the last day, e.g. 01.12.2026 – 01.12.2027 */
  validity = g_strdup_printf (_("%s – %s"), from, until);
  if (warning != NULL)
    {
      char *with_warning = g_strdup_printf ("%s\n%s", validity, warning);

      g_free (validity);
      validity = with_warning;
    }

  adw_action_row_set_subtitle (self->card_owner_row, tirkeu_certificate_get_owner_name (certificate));
  adw_action_row_set_subtitle (self->card_bin_row, bin);
  adw_action_row_set_subtitle (self->card_role_row,
                               tirkeu_certificate_role_to_string (tirkeu_certificate_get_role (certificate)));
  adw_action_row_set_subtitle (self->card_validity_row, validity);
  gtk_widget_set_visible (self->card_warning_icon, warning != NULL);
  update_actions (self);
}

static void
fill_certificates (TirkeuSignInPage *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->certificate_list))) != NULL)
    gtk_list_box_remove (self->certificate_list, child);
  g_clear_pointer (&self->auth_certificates, g_ptr_array_unref);
  if (self->session == NULL)
    {
      update_card (self);
      return;
    }

  self->auth_certificates = tirkeu_session_dup_certificates (self->session,
                                                             TIRKEU_CERTIFICATE_KIND_AUTH);
  for (guint i = 0; i < self->auth_certificates->len; i++)
    gtk_list_box_append (self->certificate_list,
                         certificate_row_new (g_ptr_array_index (self->auth_certificates, i)));
  if (self->auth_certificates->len > 0)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
      g_autoptr(TirkeuCertificate) chosen = NULL;
      guint index = 0;

      /* The default is the one the CLI would take too; an expired key stays listed (the
       * sign-in says why it cannot be used) but is not the default. */
      chosen = tirkeu_certificate_choose (self->auth_certificates, TIRKEU_SIGN_PURPOSE_SIGN_IN,
                                          NULL, NULL, now, NULL);
      if (chosen != NULL)
        g_ptr_array_find (self->auth_certificates, chosen, &index);
      gtk_list_box_select_row (self->certificate_list,
                               gtk_list_box_get_row_at_index (self->certificate_list, (int) index));
    }
  else
    {
      g_autoptr(GError) error = g_error_new_literal (TIRKEU_TOKEN_ERROR,
                                                     TIRKEU_TOKEN_ERROR_CERTIFICATE,
                                                     "no AUTH certificate with a private key");

      tirkeu_error_view_set_error (self->sign_in_error, 1, error);
    }
  update_card (self);
  update_actions (self);
}

static void
fill_seller (TirkeuSignInPage *self)
{
  const TirkeuPortalSeller *seller = tirkeu_session_get_seller (self->session);
  TirkeuCertificate *certificate = tirkeu_session_get_certificate (self->session);
  const char *language = tirkeu_i18n_get_language ();

  if (seller == NULL)
    return;

  adw_action_row_set_subtitle (self->person_row,
                               certificate != NULL ? tirkeu_certificate_get_owner_name (certificate) : "—");
  adw_action_row_set_subtitle (self->organisation_row, seller->name);
  adw_action_row_set_subtitle (self->bin_row, seller->bin);

  if (seller->oked_qualifies)
    {
      const char *code = seller->oked_matched_code;
      g_autofree char *name = code != NULL ? tirkeu_oked_get_name (code, language) : NULL;
      g_autofree char *title = NULL;

      /* Translators: %s is an OKED code such as 45.11 */
      title = g_strdup_printf (_("OKED %s: vehicle trade. You may register vehicles you sell."),
                               code != NULL ? code : "");
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->oked_row), title);
      adw_action_row_set_subtitle (self->oked_row, name != NULL ? name : "");
      gtk_image_set_from_icon_name (self->oked_icon, "emblem-ok-symbolic");
      gtk_widget_remove_css_class (GTK_WIDGET (self->oked_icon), "error");
      gtk_widget_add_css_class (GTK_WIDGET (self->oked_icon), "success");
      tirkeu_error_view_clear (self->oked_error);
    }
  else
    {
      g_autoptr(GString) codes = g_string_new (NULL);
      g_autofree char *classes = g_strjoinv (", ", (char **) tirkeu_oked_get_vehicle_classes ());
      g_autofree char *why = NULL;
      g_autofree char *title = NULL;

      for (guint i = 0; seller->oked != NULL && seller->oked[i] != NULL; i++)
        g_string_append_printf (codes, "%s%s", i > 0 ? ", " : "", seller->oked[i]);
      /* Translators: %s is the organisation's OKED codes, e.g. "49.41, 52.29" */
      title = g_strdup_printf (_("The organisation’s OKED codes: %s"),
                               codes->len > 0 ? codes->str : "—");
      /* Translators: %s is the list of vehicle trade classes, e.g. "45.11, 45.19, 45.40" */
      why = g_strdup_printf (_("None of them is a vehicle trade class (%s), so the portal does not let this organisation start a registration request."),
                             classes);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->oked_row), title);
      adw_action_row_set_subtitle (self->oked_row, why);
      gtk_image_set_from_icon_name (self->oked_icon, "dialog-error-symbolic");
      gtk_widget_remove_css_class (GTK_WIDGET (self->oked_icon), "success");
      gtk_widget_add_css_class (GTK_WIDGET (self->oked_icon), "error");
      tirkeu_error_view_set_code (self->oked_error, 1, TIRKEU_PORTAL_CODE_OKED_MISMATCH, NULL,
                                  codes->str);
    }
}

static void
resume_row_activated_cb (GtkListBox    *list,
                         GtkListBoxRow *row,
                         gpointer       user_data)
{
  TirkeuSignInPage *self = user_data;
  const char *draft_id = g_object_get_data (G_OBJECT (row), "draft-id");

  if (draft_id != NULL && tirkeu_session_get_oked_qualifies (self->session))
    g_signal_emit (self, signals[NEW_REQUEST], 0, draft_id);
}

static void
list_drafts_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(TirkeuSignInPage) self = user_data;
  g_autoptr(GPtrArray) drafts = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *child;
  guint n = 0;

  drafts = tirkeu_new_request_list_drafts_finish (result, &error);
  if (drafts == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Cannot list the drafts: %s", error->message);
      return;
    }
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->drafts_list))) != NULL)
    gtk_list_box_remove (self->drafts_list, child);

  for (guint i = 0; i < drafts->len; i++)
    {
      const TirkeuDraft *draft = g_ptr_array_index (drafts, i);
      g_autoptr(GDateTime) when = g_date_time_new_from_unix_local (draft->updated_at / G_USEC_PER_SEC);
      g_autofree char *when_text = when != NULL ? g_date_time_format (when, "%d.%m.%Y %H:%M") : NULL;
      const char *vin = draft->vin;
      const char *iin = draft->buyer_iin;
      g_autofree char *masked = NULL;
      g_autofree char *title = NULL;
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *button;

      masked = iin != NULL && *iin != '\0' ? tirkeu_iin_mask (iin) : NULL;
      /* Translators: a draft in the list: its VIN and the buyer's (masked) IIN */
      title = g_strdup_printf (_("VIN %s · buyer %s"),
                               vin != NULL && *vin != '\0' ? vin : "—",
                               masked != NULL ? masked : "—");
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      /* Translators: when a draft was last saved */
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), when_text != NULL ? when_text : "");
      button = gtk_button_new_with_mnemonic (_("_Resume"));
      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "desk.resume-draft");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", draft->id);
      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      title, -1);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      g_object_set_data_full (G_OBJECT (row), "draft-id", g_strdup (draft->id), g_free);
      gtk_list_box_append (self->drafts_list, row);
      n++;
    }
  self->n_drafts = n;
  gtk_widget_set_visible (self->drafts_group, n > 0);
}

/**
 * tirkeu_sign_in_page_get_n_drafts:
 *
 * Returns: how many unfinished drafts the page offers to resume
 */
guint
tirkeu_sign_in_page_get_n_drafts (TirkeuSignInPage *self)
{
  g_return_val_if_fail (TIRKEU_IS_SIGN_IN_PAGE (self), 0);

  return self->n_drafts;
}

/**
 * tirkeu_sign_in_page_reload_drafts:
 *
 * Lists the unfinished drafts again (after a request was sent or a draft was saved).
 */
void
tirkeu_sign_in_page_reload_drafts (TirkeuSignInPage *self)
{
  TirkeuJournal *journal;

  g_return_if_fail (TIRKEU_IS_SIGN_IN_PAGE (self));

  journal = self->session != NULL ? tirkeu_session_get_journal (self->session) : NULL;
  if (journal == NULL)
    return;
  tirkeu_new_request_list_drafts_async (journal, self->cancellable, list_drafts_cb,
                                        g_object_ref (self));
}

/* With --key-file there is no token to insert: the page names the key file and offers to open
 * it; @error_message says why the last try failed. */
static void
show_key_file (TirkeuSignInPage *self,
               const char       *error_message)
{
  g_autofree char *name = g_file_get_basename (tirkeu_session_get_key_file (self->session));
  /* Translators: %s is an NCA key file's name, e.g. "GOST512_0123.p12" */
  g_autofree char *title = g_strdup_printf (_("Key file “%s”"), name);

  adw_status_page_set_icon_name (self->no_token_page, "dialog-password-symbolic");
  adw_status_page_set_title (self->no_token_page, title);
  adw_status_page_set_description (self->no_token_page,
                                   error_message != NULL
                                   ? error_message
                                   : _("Its certificate is listed once you open the file with its password."));
  gtk_widget_set_visible (self->open_key_file_button, TRUE);
}

/* Under the token's own page the key files take one line: its certificates come first. */
static void
update_key_files_area (TirkeuSignInPage *self)
{
  gboolean token_shown = self->session != NULL
                         && tirkeu_session_get_state (self->session)
                            == TIRKEU_SESSION_STATE_TOKEN_PRESENT;
  gboolean has_recent = gtk_widget_get_first_child (GTK_WIDGET (self->recent_list)) != NULL;

  gtk_widget_set_visible (self->key_files_area, may_choose_key_file (self));
  gtk_widget_set_visible (GTK_WIDGET (self->recent_list), has_recent && !token_shown);
  adw_preferences_group_set_description (self->key_files_group,
                                         token_shown ? NULL
                                         : _("Sign in with a key file (.p12) instead of a token. Its password is asked next."));
}

static void
state_changed_cb (TirkeuSignInPage *self)
{
  const char *name = "loading";

  switch (tirkeu_session_get_state (self->session))
    {
    case TIRKEU_SESSION_STATE_LOADING:
      name = "loading";
      break;
    case TIRKEU_SESSION_STATE_NO_MODULE:
      {
        const GError *error = tirkeu_session_get_error (self->session);

        adw_status_page_set_description (self->no_module_page, error != NULL ? error->message : NULL);
        name = "no-module";
      }
      break;
    case TIRKEU_SESSION_STATE_NO_TOKEN:
      if (tirkeu_session_get_key_file (self->session) != NULL)
        show_key_file (self, NULL);
      name = "no-token";
      break;
    case TIRKEU_SESSION_STATE_EXPIRED:
      /* Signed out by the portal, not by the seller: say so, and that the PIN is needed. */
      tirkeu_error_view_set_error (self->sign_in_error, 1, tirkeu_session_get_error (self->session));
      name = "token";
      break;
    case TIRKEU_SESSION_STATE_TOKEN_PRESENT:
    case TIRKEU_SESSION_STATE_SIGNING_IN:
      if (tirkeu_session_get_token (self->session) != NULL
          && tirkeu_token_info_get_kind (tirkeu_session_get_token (self->session))
             == TIRKEU_TOKEN_KIND_KEY_FILE)
        /* a key file has a password, not a PIN, and its one key is no "AUTH" certificate */
        adw_status_page_set_description (self->token_page,
                                         _("Choose the certificate to sign in with. The key file’s password is asked next."));
      name = "token";
      break;
    case TIRKEU_SESSION_STATE_SIGNED_IN:
      name = "signed-in";
      fill_seller (self);
      tirkeu_sign_in_page_reload_drafts (self);
      break;
    default:
      g_assert_not_reached ();
    }
  gtk_widget_set_visible (self->sign_in_spinner,
                          tirkeu_session_get_state (self->session) == TIRKEU_SESSION_STATE_SIGNING_IN);
  gtk_spinner_set_spinning (GTK_SPINNER (self->sign_in_spinner),
                            tirkeu_session_get_state (self->session) == TIRKEU_SESSION_STATE_SIGNING_IN);
  gtk_stack_set_visible_child_name (self->stack, name);
  update_key_files_area (self);
  update_actions (self);

  if (g_str_equal (name, "token") && gtk_widget_get_mapped (GTK_WIDGET (self)))
    gtk_widget_grab_focus (self->sign_in_button);
  else if (g_str_equal (name, "signed-in") && gtk_widget_get_mapped (GTK_WIDGET (self)))
    gtk_widget_grab_focus (gtk_widget_is_sensitive (self->sign_in_button) ? self->sign_in_button
                                                                           : GTK_WIDGET (self));
}

static TirkeuCertificate *
selected_certificate (TirkeuSignInPage *self)
{
  GtkListBoxRow *row = gtk_list_box_get_selected_row (self->certificate_list);

  if (row == NULL)
    row = gtk_list_box_get_row_at_index (self->certificate_list, 0);
  return row != NULL ? g_object_get_data (G_OBJECT (row), "certificate") : NULL;
}

static void
sign_in_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(TirkeuSignInPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (tirkeu_session_sign_in_finish (TIRKEU_SESSION (object), result, &error))
    return;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (tirkeu_token_error_is_wrong_pin (error))
    {
      ask_pin (self, error->message);
      return;
    }
  tirkeu_error_view_set_error (self->sign_in_error, 1, error);
}

static void
pin_cb (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  g_autoptr(TirkeuSignInPage) self = user_data;
  g_autoptr(GError) error = NULL;
  TirkeuCertificate *certificate = selected_certificate (self);
  char *pin;

  pin = tirkeu_pin_dialog_ask_finish (TIRKEU_PIN_DIALOG (object), result, &error);
  if (pin == NULL || certificate == NULL || self->session == NULL)
    {
      tirkeu_wipe_string (pin);
      return;
    }
  tirkeu_error_view_clear (self->sign_in_error);
  tirkeu_session_sign_in_async (self->session, certificate, pin, self->cancellable, sign_in_cb,
                                g_object_ref (self));
  tirkeu_wipe_string (pin);
}

typedef struct
{
  TirkeuSignInPage *self;
  char             *error_message;
} AskPin;

static void
refresh_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  AskPin *ask = user_data;
  g_autoptr(TirkeuSignInPage) self = ask->self;
  g_autofree char *error_message = ask->error_message;
  g_autoptr(TirkeuTokenInfo) token = NULL;
  g_autoptr(GError) error = NULL;
  TirkeuPinDialog *dialog;
  TirkeuCertificate *certificate;
  GtkRoot *root;

  g_free (ask);
  token = tirkeu_session_refresh_token_finish (TIRKEU_SESSION (object), result, &error);
  if (token == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        tirkeu_error_view_set_error (self->sign_in_error, 1, error);
      return;
    }
  root = gtk_widget_get_root (GTK_WIDGET (self));
  certificate = selected_certificate (self);
  dialog = tirkeu_pin_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, token,
                                  certificate,
                                  /* a GOST 2015 key is no "authentication key": it also signs */
                                  certificate != NULL && tirkeu_certificate_is_one_key (certificate)
                                  ? _("The portal’s sign-in challenge is signed with your EDS key.")
                                  : _("The portal’s sign-in challenge is signed with your authentication key."));
  tirkeu_pin_dialog_set_accept_label (dialog, _("_Sign In"));
  tirkeu_pin_dialog_set_error (dialog, error_message);
  tirkeu_pin_dialog_ask_async (dialog, self->cancellable, pin_cb, g_object_ref (self));
}

static void
ask_pin (TirkeuSignInPage *self,
         const char       *error_message)
{
  AskPin *ask = g_new0 (AskPin, 1);

  ask->self = g_object_ref (self);
  ask->error_message = g_strdup (error_message);
  tirkeu_session_refresh_token_async (self->session, self->cancellable, refresh_cb, ask);
}

static void
sign_in_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  TirkeuSignInPage *self = TIRKEU_SIGN_IN_PAGE (widget);

  if (self->session == NULL || selected_certificate (self) == NULL
      || selected_certificate (self) == self->refused_certificate)
    return;
  tirkeu_error_view_clear (self->sign_in_error);
  ask_pin (self, NULL);
}

static void ask_key_file_password (TirkeuSignInPage *self, const char *error_message);

static void remember_key_file (TirkeuSignInPage *self, const char *path);

static void
open_key_file_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(TirkeuSignInPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (tirkeu_session_open_key_file_finish (TIRKEU_SESSION (object), result, &error))
    {
      /* Remembered once it proved to be a key file with its password; a file given with
       * --key-file is for that run only. */
      if (self->chosen_key_file != NULL)
        remember_key_file (self, self->chosen_key_file);
      g_clear_pointer (&self->chosen_key_file, g_free);
      return;
    }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->session == NULL)
    return;
  if (g_error_matches (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_KEY_FILE_PASSWORD))
    {
      ask_key_file_password (self, error->message);
      return;
    }
  /* not a key file, damaged, no key, a key we cannot use: its own message, on the page */
  if (self->chosen_key_file != NULL)
    {
      g_clear_pointer (&self->chosen_key_file, g_free);
      tirkeu_error_view_set_error (self->key_file_error, 1, error);
      return;
    }
  show_key_file (self, error->message);
}

static void
key_file_password_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(TirkeuSignInPage) self = user_data;
  char *password;

  password = tirkeu_pin_dialog_ask_finish (TIRKEU_PIN_DIALOG (object), result, NULL);
  if (password == NULL || self->session == NULL)
    {
      tirkeu_wipe_string (password);
      g_clear_pointer (&self->chosen_key_file, g_free);
      return;
    }
  tirkeu_session_open_key_file_async (self->session, password, self->cancellable,
                                      open_key_file_cb, g_object_ref (self));
  tirkeu_wipe_string (password);
}

static void
ask_key_file_password (TirkeuSignInPage *self,
                       const char       *error_message)
{
  g_autofree char *name = g_file_get_basename (tirkeu_session_get_key_file (self->session));
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  TirkeuPinDialog *dialog;

  dialog = tirkeu_pin_dialog_new_for_key_file (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                               name,
                                               _("The key file’s certificate is read with its password. To sign in, the password is asked again."));
  tirkeu_pin_dialog_set_error (dialog, error_message);
  tirkeu_pin_dialog_ask_async (dialog, self->cancellable, key_file_password_cb,
                               g_object_ref (self));
}

static void
open_key_file_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  TirkeuSignInPage *self = TIRKEU_SIGN_IN_PAGE (widget);

  if (self->session == NULL || !tirkeu_session_needs_key_file_password (self->session))
    return;
  ask_key_file_password (self, NULL);
}

/* Recent key files */

static void
recent_info_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  GtkWidget *row = user_data;
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *where = NULL;
  g_autofree char *subtitle = NULL;

  info = g_file_query_info_finish (G_FILE (object), result, &error);
  if (info != NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_object_unref (row);
      return;
    }
  /* Moved, deleted, or on a disk not plugged in: said, not offered, and removable. */
  where = g_file_get_parse_name (G_FILE (object));
  /* Translators: a recent key file that is no longer where it was; %s is its path */
  subtitle = g_strdup_printf (_("Missing: %s"), where);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (row), NULL);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_image_set_from_icon_name (g_object_get_data (G_OBJECT (row), "icon"),
                                "dialog-warning-symbolic");
  gtk_widget_add_css_class (g_object_get_data (G_OBJECT (row), "icon"), "warning");
  g_object_set_data (G_OBJECT (row), "missing", GINT_TO_POINTER (TRUE));
  g_object_unref (row);
}

static GtkWidget *
recent_row_new (TirkeuSignInPage *self,
                const char       *path)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *forget = gtk_button_new_from_icon_name ("edit-delete-symbolic");
  GtkWidget *icon = gtk_image_new_from_icon_name ("dialog-password-symbolic");
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autofree char *name = g_file_get_basename (file);
  g_autoptr(GFile) parent = g_file_get_parent (file);
  g_autofree char *folder = parent != NULL ? g_file_get_parse_name (parent) : g_strdup ("");
  /* Translators: removes a key file from the recent ones (the file itself stays); %s is its name */
  g_autofree char *forget_label = g_strdup_printf (_("Remove “%s” from the list"), name);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), folder);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
  g_object_set_data (G_OBJECT (row), "icon", icon);
  gtk_widget_set_valign (forget, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (forget, "flat");
  gtk_widget_set_tooltip_text (forget, forget_label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (forget), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  forget_label, -1);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (forget), "desk.forget-key-file");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (forget), "s", path);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), forget);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (row), "desk.open-key-file-path");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (row), "s", path);
  g_object_set_data_full (G_OBJECT (row), "path", g_strdup (path), g_free);

  /* Whether it is still there is asked off the main loop: a path may be on a slow disk. */
  g_file_query_info_async (file, G_FILE_ATTRIBUTE_STANDARD_TYPE, G_FILE_QUERY_INFO_NONE,
                           G_PRIORITY_DEFAULT, self->recent_cancellable, recent_info_cb,
                           g_object_ref (row));
  return row;
}

static void
fill_recent (TirkeuSignInPage *self)
{
  g_auto(GStrv) paths = g_settings_get_strv (self->settings, "recent-key-files");
  GtkWidget *child;
  guint n = 0;

  g_cancellable_cancel (self->recent_cancellable);
  g_clear_object (&self->recent_cancellable);
  self->recent_cancellable = g_cancellable_new ();
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->recent_list))) != NULL)
    gtk_list_box_remove (self->recent_list, child);
  for (guint i = 0; paths[i] != NULL && n < TIRKEU_SIGN_IN_PAGE_RECENT_KEY_FILES; i++)
    {
      /* paths only: anything else in the setting is not ours to open */
      if (!g_path_is_absolute (paths[i]))
        continue;
      gtk_list_box_append (self->recent_list, recent_row_new (self, paths[i]));
      n++;
    }
  update_key_files_area (self);
}

static void
set_recent (TirkeuSignInPage *self,
            GStrvBuilder     *builder)
{
  g_auto(GStrv) paths = g_strv_builder_end (builder);

  if (!g_settings_set_strv (self->settings, "recent-key-files", (const char * const *) paths))
    g_warning ("The recent key files cannot be saved: the setting is not writable");
}

/* @path first, once, and at most TIRKEU_SIGN_IN_PAGE_RECENT_KEY_FILES in all. */
static void
remember_key_file (TirkeuSignInPage *self,
                   const char       *path)
{
  g_auto(GStrv) old = g_settings_get_strv (self->settings, "recent-key-files");
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  guint n = 1;

  g_strv_builder_add (builder, path);
  for (guint i = 0; old[i] != NULL && n < TIRKEU_SIGN_IN_PAGE_RECENT_KEY_FILES; i++)
    if (!g_str_equal (old[i], path))
      {
        g_strv_builder_add (builder, old[i]);
        n++;
      }
  set_recent (self, builder);
}

static void
forget_key_file_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  TirkeuSignInPage *self = TIRKEU_SIGN_IN_PAGE (widget);
  const char *path = g_variant_get_string (parameter, NULL);
  g_auto(GStrv) old = g_settings_get_strv (self->settings, "recent-key-files");
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; old[i] != NULL; i++)
    if (!g_str_equal (old[i], path))
      g_strv_builder_add (builder, old[i]);
  set_recent (self, builder);
}

static void
key_file_found_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(TirkeuSignInPage) self = user_data;
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  info = g_file_query_info_finish (G_FILE (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->session == NULL)
    return;
  if (info == NULL || g_file_info_get_file_type (info) != G_FILE_TYPE_REGULAR)
    {
      g_autofree char *where = g_file_get_parse_name (G_FILE (object));
      g_autoptr(GError) missing = NULL;

      /* Before any password is asked: there is nothing to open. */
      missing = g_error_new (TIRKEU_INPUT_ERROR, TIRKEU_INPUT_ERROR_INVALID,
                             /* Translators: %s is a key file's path */
                             _("The key file “%s” is not there: it was moved, deleted, or is on a disk that is not connected."),
                             where);
      g_clear_pointer (&self->chosen_key_file, g_free);
      tirkeu_error_view_set_error (self->key_file_error, 1, missing);
      return;
    }
  if (!may_choose_key_file (self))
    return;
  tirkeu_session_set_key_file (self->session, G_FILE (object));
  ask_key_file_password (self, NULL);
}

/* The one way a key file is opened from this page, whether chosen in the file chooser or
 * from the recent ones: the password is asked, and the file opened with it. */
static void
open_key_file_path_action (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *parameter)
{
  TirkeuSignInPage *self = TIRKEU_SIGN_IN_PAGE (widget);
  const char *path = g_variant_get_string (parameter, NULL);
  g_autoptr(GFile) file = NULL;

  if (!may_choose_key_file (self) || !g_path_is_absolute (path))
    return;
  tirkeu_error_view_clear (self->key_file_error);
  g_free (self->chosen_key_file);
  self->chosen_key_file = g_strdup (path);
  file = g_file_new_for_path (path);
  g_file_query_info_async (file, G_FILE_ATTRIBUTE_STANDARD_TYPE, G_FILE_QUERY_INFO_NONE,
                           G_PRIORITY_DEFAULT, self->cancellable, key_file_found_cb,
                           g_object_ref (self));
}

static void
chooser_response_cb (GtkNativeDialog  *chooser,
                     int               response,
                     TirkeuSignInPage *self)
{
  g_autoptr(GFile) file = NULL;
  g_autofree char *path = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  /* Through the Flatpak's file portal the path is the document portal's, which stays valid
   * for this user across runs: it is what is remembered. */
  path = file != NULL ? g_file_get_path (file) : NULL;
  gtk_native_dialog_destroy (chooser);
  g_clear_object (&self->chooser);
  if (path != NULL)
    gtk_widget_activate_action (GTK_WIDGET (self), "desk.open-key-file-path", "s", path);
}

static void
choose_key_file_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  TirkeuSignInPage *self = TIRKEU_SIGN_IN_PAGE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();
  GtkFileChooserNative *chooser;

  if (!may_choose_key_file (self) || self->chooser != NULL)
    return;
  /* Translators: the file chooser's filter for NCA key files */
  gtk_file_filter_set_name (filter, _("NCA key files (*.p12, *.pfx)"));
  gtk_file_filter_add_pattern (filter, "*.p12");
  gtk_file_filter_add_pattern (filter, "*.P12");
  gtk_file_filter_add_pattern (filter, "*.pfx");
  gtk_file_filter_add_pattern (filter, "*.PFX");
  gtk_file_filter_add_mime_type (filter, "application/x-pkcs12");
  gtk_file_filter_set_name (all, _("All files"));
  gtk_file_filter_add_pattern (all, "*");
  chooser = gtk_file_chooser_native_new (_("Choose an NCA Key File"),
                                         GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                         GTK_FILE_CHOOSER_ACTION_OPEN,
                                         _("_Open"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), all);
  gtk_file_chooser_set_filter (GTK_FILE_CHOOSER (chooser), filter);
  self->chooser = GTK_NATIVE_DIALOG (chooser);
  g_signal_connect_object (chooser, "response", G_CALLBACK (chooser_response_cb), self, 0);
  gtk_native_dialog_show (self->chooser);
}

static void
sign_out_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  TirkeuSignInPage *self = TIRKEU_SIGN_IN_PAGE (widget);

  if (self->session != NULL)
    tirkeu_session_sign_out (self->session);
}

static void
new_request_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  TirkeuSignInPage *self = TIRKEU_SIGN_IN_PAGE (widget);

  if (self->session != NULL && tirkeu_session_get_oked_qualifies (self->session))
    g_signal_emit (self, signals[NEW_REQUEST], 0, NULL);
}

static void
resume_draft_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  TirkeuSignInPage *self = TIRKEU_SIGN_IN_PAGE (widget);

  if (self->session != NULL && tirkeu_session_get_oked_qualifies (self->session))
    g_signal_emit (self, signals[NEW_REQUEST], 0, g_variant_get_string (parameter, NULL));
}

static void
certificate_activated_cb (TirkeuSignInPage *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "desk.sign-in", NULL);
}

static void
tirkeu_sign_in_page_dispose (GObject *object)
{
  TirkeuSignInPage *self = TIRKEU_SIGN_IN_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->recent_cancellable);
  g_cancellable_cancel (self->check_cancellable);
  g_clear_object (&self->check_cancellable);
  g_clear_object (&self->refused_certificate);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (self->chooser);
  g_clear_object (&self->chooser);
  g_clear_object (&self->settings);
  g_clear_object (&self->recent_cancellable);
  g_clear_pointer (&self->chosen_key_file, g_free);
  /* The list's rows go with the template: no card is updated for them. */
  if (self->certificate_list != NULL)
    g_signal_handlers_disconnect_by_data (self->certificate_list, self);
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  g_clear_object (&self->session);
  g_clear_pointer (&self->auth_certificates, g_ptr_array_unref);
  g_clear_object (&self->cancellable);
  /* AdwBin keeps its own pointer to the child: let it unparent the child first, or
   * gtk_widget_dispose_template() unparents it behind AdwBin's back and AdwBin's
   * dispose then unparents a freed widget. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), TIRKEU_TYPE_SIGN_IN_PAGE);

  G_OBJECT_CLASS (tirkeu_sign_in_page_parent_class)->dispose (object);
}

static void
tirkeu_sign_in_page_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  TirkeuSignInPage *self = TIRKEU_SIGN_IN_PAGE (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tirkeu_sign_in_page_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  TirkeuSignInPage *self = TIRKEU_SIGN_IN_PAGE (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      tirkeu_sign_in_page_set_session (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tirkeu_sign_in_page_class_init (TirkeuSignInPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tirkeu_sign_in_page_dispose;
  object_class->get_property = tirkeu_sign_in_page_get_property;
  object_class->set_property = tirkeu_sign_in_page_set_property;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, TIRKEU_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TirkeuSignInPage::new-request:
   * @draft_id: (nullable): the draft to resume, %NULL for a new request
   */
  signals[NEW_REQUEST] =
    g_signal_new ("new-request", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  g_type_ensure (TIRKEU_TYPE_ERROR_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/tirkeu/Tirkeu/ui/tirkeu-sign-in-page.ui");
  gtk_widget_class_bind_template_child (widget_class, TirkeuSignInPage, stack);
  gtk_widget_class_bind_template_child (widget_class, TirkeuSignInPage, no_module_page);
  gtk_widget_class_bind_template_child (widget_class, TirkeuSignInPage, certificate_list);
  gtk_widget_class_bind_template_child (widget_class, TirkeuSignInPage, sign_in_error);
  gtk_widget_class_bind_template_child (widget_class, TirkeuSignInPage, sign_in_button);
  gtk_widget_class_bind_template_child (widget_class, TirkeuSignInPage, sign_in_spinner);
  gtk_widget_class_bind_template_child (widget_class, TirkeuSignInPage, person_row);
  gtk_widget_class_bind_template_child (widget_class, TirkeuSignInPage, organisation_row);
  gtk_widget_class_bind_template_child (widget_class, TirkeuSignInPage, bin_row);
  gtk_widget_class_bind_template_child (widget_class, TirkeuSignInPage, oked_row);
  gtk_widget_class_bind_template_child (widget_class, TirkeuSignInPage, oked_icon);
  gtk_widget_class_bind_template_child (widget_class, TirkeuSignInPage, oked_error);
  gtk_widget_class_bind_template_child (widget_class, TirkeuSignInPage, drafts_group);
  gtk_widget_class_bind_template_child (widget_class, TirkeuSignInPage, drafts_list);
  gtk_widget_class_bind_template_child (widget_class, TirkeuSignInPage, no_token_page);
  gtk_widget_class_bind_template_child (widget_class, TirkeuSignInPage, token_page);
  gtk_widget_class_bind_template_child (widget_class, TirkeuSignInPage, open_key_file_button);
  gtk_widget_class_bind_template_child (widget_class, TirkeuSignInPage, key_files_area);
  gtk_widget_class_bind_template_child (widget_class, TirkeuSignInPage, key_files_group);
  gtk_widget_class_bind_template_child (widget_class, TirkeuSignInPage, recent_list);
  gtk_widget_class_bind_template_child (widget_class, TirkeuSignInPage, key_file_error);
  gtk_widget_class_bind_template_child (widget_class, TirkeuSignInPage, certificate_card);
  gtk_widget_class_bind_template_child (widget_class, TirkeuSignInPage, card_owner_row);
  gtk_widget_class_bind_template_child (widget_class, TirkeuSignInPage, card_bin_row);
  gtk_widget_class_bind_template_child (widget_class, TirkeuSignInPage, card_role_row);
  gtk_widget_class_bind_template_child (widget_class, TirkeuSignInPage, card_validity_row);
  gtk_widget_class_bind_template_child (widget_class, TirkeuSignInPage, card_warning_icon);
  gtk_widget_class_bind_template_child (widget_class, TirkeuSignInPage, card_status_row);
  gtk_widget_class_bind_template_child (widget_class, TirkeuSignInPage, card_status_spinner);

  gtk_widget_class_install_action (widget_class, "desk.sign-in", NULL, sign_in_action);
  gtk_widget_class_install_action (widget_class, "desk.sign-out", NULL, sign_out_action);
  gtk_widget_class_install_action (widget_class, "desk.open-key-file", NULL,
                                   open_key_file_action);
  gtk_widget_class_install_action (widget_class, "desk.choose-key-file", NULL,
                                   choose_key_file_action);
  gtk_widget_class_install_action (widget_class, "desk.open-key-file-path", "s",
                                   open_key_file_path_action);
  gtk_widget_class_install_action (widget_class, "desk.forget-key-file", "s",
                                   forget_key_file_action);
  gtk_widget_class_install_action (widget_class, "desk.new-request", NULL, new_request_action);
  gtk_widget_class_install_action (widget_class, "desk.resume-draft", "s", resume_draft_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK,
                                       "desk.new-request", NULL);
}

static void
tirkeu_sign_in_page_init (TirkeuSignInPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  tirkeu_a11y_fix_button_names (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->settings = g_settings_new (APP_ID);
  g_signal_connect_object (self->settings, "changed::recent-key-files",
                           G_CALLBACK (fill_recent), self, G_CONNECT_SWAPPED);
  fill_recent (self);
  g_signal_connect_swapped (self->certificate_list, "row-activated",
                            G_CALLBACK (certificate_activated_cb), self);
  g_signal_connect_swapped (self->certificate_list, "row-selected",
                            G_CALLBACK (update_card), self);
  g_signal_connect (self->drafts_list, "row-activated", G_CALLBACK (resume_row_activated_cb),
                    self);
  update_actions (self);
}

TirkeuSession *
tirkeu_sign_in_page_get_session (TirkeuSignInPage *self)
{
  g_return_val_if_fail (TIRKEU_IS_SIGN_IN_PAGE (self), NULL);
  return self->session;
}

static void
certificates_changed_cb (TirkeuSignInPage *self)
{
  tirkeu_error_view_clear (self->sign_in_error);
  fill_certificates (self);
}

/* The drafts are the local journal's, not the portal's: they are counted as soon as the
 * journal opens, so that signing in already knows whether to stay on the desk for them. */
static void
journal_changed_cb (TirkeuSignInPage *self)
{
  tirkeu_sign_in_page_reload_drafts (self);
}

/**
 * tirkeu_sign_in_page_set_session:
 * @session: (nullable): the session to show
 */
void
tirkeu_sign_in_page_set_session (TirkeuSignInPage *self,
                                 TirkeuSession    *session)
{
  g_return_if_fail (TIRKEU_IS_SIGN_IN_PAGE (self));
  g_return_if_fail (session == NULL || TIRKEU_IS_SESSION (session));

  if (self->session == session)
    return;
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  g_set_object (&self->session, session);
  if (session != NULL)
    {
      g_signal_connect_object (session, "notify::state", G_CALLBACK (state_changed_cb), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (session, "certificates-changed",
                               G_CALLBACK (certificates_changed_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (session, "notify::journal", G_CALLBACK (journal_changed_cb), self,
                               G_CONNECT_SWAPPED);
      fill_certificates (self);
      state_changed_cb (self);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
}

/**
 * tirkeu_sign_in_page_get_visible_state:
 *
 * Returns: the name of the state shown: "loading", "no-module", "no-token", "token",
 *   "signed-in"
 */
const char *
tirkeu_sign_in_page_get_visible_state (TirkeuSignInPage *self)
{
  g_return_val_if_fail (TIRKEU_IS_SIGN_IN_PAGE (self), NULL);
  return gtk_stack_get_visible_child_name (self->stack);
}
