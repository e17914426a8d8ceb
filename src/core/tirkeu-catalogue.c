/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "tirkeu-catalogue.h"
#include "tirkeu-i18n.h"

/* The message catalogue: what the user reads about a stage or an error, built from the code
 * and never from a server's text. Source strings are English; the kk and ru translations use
 * the official terms of the pilot algorithm (joint order No. 499 / No. 754) and of the rules
 * of order No. 862 (see ../shared/reference/DOMAIN.md). Each table keeps the untranslated
 * msgid, marked with NC_() for xgettext, and is translated at call time with g_dpgettext2()
 * so that a language chosen at start-up applies everywhere. */

#define CTX_STAGE_TITLE "stage title"
#define CTX_STAGE_NEXT "stage next"
#define CTX_CODE_TITLE "portal error title"
#define CTX_CODE_ACTION "portal error action"
#define CTX_ACTOR "actor"
#define CTX_BUYER_TODO "buyer to-do"

static const struct {
  const char *title;
  const char *next;
} stage_messages[TIRKEU_N_STAGES] = {
  [TIRKEU_STAGE_DRAFT] = {
    NC_("stage title", "Draft"),
    /* Translators: OKED is the classifier of economic activity (kk ЭҚЖЖ, ru ОКЭД) */
    NC_("stage next", "Start the request: the eGov portal checks the organisation's OKED (step 1).") },
  [TIRKEU_STAGE_OKED_CHECKED] = {
    /* Translators: OKED: kk ЭҚЖЖ, ru ОКЭД */
    NC_("stage title", "OKED checked"),
    /* Translators: electronic vehicle passport: ru ЭПТС, kk көлік құралының электрондық паспорты */
    NC_("stage next", "Enter the VIN: the portal will look for the electronic vehicle passport (steps 2–3).") },
  [TIRKEU_STAGE_EPASSPORT_CHECKED] = {
    NC_("stage title", "Electronic passport found"),
    NC_("stage next", "The portal is checking the data on payment of customs payments (step 4).") },
  [TIRKEU_STAGE_CUSTOMS_CHECKED] = {
    NC_("stage title", "Customs payments confirmed"),
    /* Translators: utilization fee: ru утилизационный платёж, kk кәдеге жарату төлемі */
    NC_("stage next", "The portal is checking the data on payment of the utilization fee (step 5).") },
  [TIRKEU_STAGE_UTILIZATION_CHECKED] = {
    NC_("stage title", "Utilization fee confirmed"),
    /* Translators: IIN: kk ЖСН, ru ИИН; state database of individuals: kk ЖТ МДБ, ru ГБД ФЛ */
    NC_("stage next", "Enter the buyer's IIN: the portal will check it in the state database of individuals (steps 6–7).") },
  [TIRKEU_STAGE_BUYER_CHECKED] = {
    NC_("stage title", "Buyer found"),
    /* Translators: sale-purchase contract: ru договор купли-продажи, kk сатып алу-сату шарты */
    NC_("stage next", "The portal is requesting the sale-purchase contract from the e-signing systems (step 8).") },
  [TIRKEU_STAGE_CONTRACT_FOUND] = {
    NC_("stage title", "Contract found"),
    /* Translators: digital signature (EDS): kk ЭЦҚ, ru ЭЦП */
    NC_("stage next", "Check the data and sign the request with your digital signature (EDS) (step 9).") },
  [TIRKEU_STAGE_SIGNED] = {
    NC_("stage title", "Signed by the seller"),
    NC_("stage next", "Send the signed request to the eGov portal; a repeated sending never creates a second request.") },
  [TIRKEU_STAGE_SUBMITTED] = {
    NC_("stage title", "Submitted"),
    /* Translators: the buyer's personal account on the eGov portal: kk ЭҮП жеке кабинеті, ru личный кабинет ПЭП */
    NC_("stage next", "The portal accepted the request and notifies the buyer in the eGov personal account.") },
  [TIRKEU_STAGE_AWAITING_BUYER] = {
    NC_("stage title", "Awaiting the buyer's approval"),
    NC_("stage next", "The buyer must approve the request in the eGov personal account (step 10).") },
  [TIRKEU_STAGE_BUYER_APPROVED] = {
    NC_("stage title", "Approved by the buyer"),
    NC_("stage next", "The buyer fills in the data; the portal checks the buyer again in the state database of individuals (step 11).") },
  [TIRKEU_STAGE_BUYER_RECHECK] = {
    NC_("stage title", "Buyer data re-check"),
    NC_("stage next", "The portal is requesting the buyer's current status and personal data from the state database of individuals (step 11).") },
  [TIRKEU_STAGE_EPASSPORT_RECHECK] = {
    NC_("stage title", "Electronic passport re-check"),
    NC_("stage next", "The portal is checking the vehicle in the electronic vehicle passport system again (step 12).") },
  [TIRKEU_STAGE_CONTRACT_RECHECK] = {
    NC_("stage title", "Contract re-check"),
    NC_("stage next", "The portal is requesting the sale-purchase contract from the e-signing systems again (step 13).") },
  [TIRKEU_STAGE_FINES_CHECK] = {
    /* Translators: ERAP, the register of administrative proceedings: kk ӘӨБТ, ru ЕРАП */
    NC_("stage title", "Fines check"),
    NC_("stage next", "The portal is checking ERAP for unpaid administrative fines of the buyer (step 14).") },
  [TIRKEU_STAGE_FINES_UNPAID] = {
    /* Translators: a pause, not a refusal: the request waits for the buyer */
    NC_("stage title", "Paused: the buyer’s fines"),
    /* Translators: the law's wording at step 14: ru «необходимость оплаты и повторной подачи», kk «төлеу және қайта беру қажеттілігі»; the request is not refused */
    NC_("stage next", "The buyer has unpaid administrative fines: the buyer pays them and submits the request again by approving it once more; the request waits meanwhile (step 14).") },
  [TIRKEU_STAGE_TSON_CHOSEN] = {
    /* Translators: TsON, the public service centre: kk ХҚКО, ru ЦОН; plate: state registration plate, kk МТНБ, ru ГРНЗ */
    NC_("stage title", "TsON and plate chosen"),
    /* Translators: mobile citizens database: kk МАБ, ru БМГ */
    NC_("stage next", "The portal is requesting the buyer's registered phone number from the mobile citizens database; without one, the buyer enters it (step 16).") },
  [TIRKEU_STAGE_PHONE_CONFIRMED] = {
    NC_("stage title", "Phone number confirmed"),
    /* Translators: eGov payment gateway: kk ЭҮТШ, ru ПШЭП */
    NC_("stage next", "The buyer must pay the duties and fees through the eGov payment gateway (step 17).") },
  [TIRKEU_STAGE_PAID] = {
    NC_("stage title", "Duties and fees paid"),
    NC_("stage next", "The buyer must sign the request with a digital signature (EDS) (step 18).") },
  [TIRKEU_STAGE_BUYER_SIGNED] = {
    NC_("stage title", "Signed by the buyer"),
    NC_("stage next", "The portal is processing the request, which takes up to 120 minutes (step 19).") },
  [TIRKEU_STAGE_PROCESSING] = {
    NC_("stage title", "Processing"),
    NC_("stage next", "The portal will show that the service was rendered, or a reasoned refusal (step 19).") },
  [TIRKEU_STAGE_COMPLETED] = {
    NC_("stage title", "Registered"),
    /* Translators: vehicle registration certificate: kk КҚТК, ru СРТС */
    NC_("stage next", "The buyer collects the vehicle registration certificate and the state registration plates at the chosen TsON.") },
  [TIRKEU_STAGE_REFUSED] = {
    NC_("stage title", "Reasoned refusal"),
    NC_("stage next", "The portal refused to render the service; read the reason, remove its cause and start a new request.") },
  [TIRKEU_STAGE_DECLINED] = {
    NC_("stage title", "Declined by the buyer"),
    NC_("stage next", "The buyer did not approve the request; agree with the buyer and start a new request if needed.") },
  [TIRKEU_STAGE_EXPIRED] = {
    NC_("stage title", "Expired"),
    NC_("stage next", "The buyer did not act in time; start a new request if the sale still stands.") },
  [TIRKEU_STAGE_WITHDRAWN] = {
    NC_("stage title", "Withdrawn"),
    NC_("stage next", "The seller withdrew the request; nothing more happens with it.") },
};

static const struct {
  const char *title;
  const char *action;
} code_messages[TIRKEU_N_PORTAL_CODES] = {
  [TIRKEU_PORTAL_CODE_OKED_MISMATCH] = {
    NC_("portal error title", "OKED does not match"),
    NC_("portal error action", "The service cannot be rendered: the organisation's OKED is not vehicle trade (45.11, 45.19 or 45.40).") },
  [TIRKEU_PORTAL_CODE_EPASSPORT_NOT_FOUND] = {
    NC_("portal error title", "No electronic vehicle passport"),
    NC_("portal error action", "The service cannot be rendered: check the VIN, or ask the manufacturer to issue the electronic vehicle passport.") },
  [TIRKEU_PORTAL_CODE_CUSTOMS_UNPAID] = {
    NC_("portal error title", "No customs payment data"),
    NC_("portal error action", "The service cannot be rendered until the payment of customs payments for this vehicle is on record.") },
  [TIRKEU_PORTAL_CODE_UTILIZATION_UNPAID] = {
    NC_("portal error title", "No utilization fee data"),
    NC_("portal error action", "The service cannot be rendered until the payment of the utilization fee for this vehicle is on record.") },
  [TIRKEU_PORTAL_CODE_PERSON_NOT_FOUND] = {
    NC_("portal error title", "Buyer not found"),
    /* Translators: the law's wording at step 7: ru «необходимость ввода корректного ИИН», kk «дұрыс ЖСН енгізу қажеттілігі» */
    NC_("portal error action", "Enter a correct IIN: the state database of individuals has no data on this buyer.") },
  [TIRKEU_PORTAL_CODE_CONTRACT_NOT_FOUND] = {
    NC_("portal error title", "No sale-purchase contract"),
    NC_("portal error action", "The service cannot be rendered: conclude the sale-purchase contract with the buyer in an e-signing system, then try again.") },
  [TIRKEU_PORTAL_CODE_FINES_UNPAID] = {
    NC_("portal error title", "The buyer has unpaid fines"),
    /* Translators: the law's wording at step 14: ru «необходимость оплаты и повторной подачи», kk «төлеу және қайта беру қажеттілігі»; a pause, not a refusal */
    NC_("portal error action", "The request is paused, not refused: the buyer pays the administrative fines and submits the request again by approving it once more.") },
  [TIRKEU_PORTAL_CODE_SIGNATURE_INVALID] = {
    NC_("portal error title", "Signature not valid"),
    NC_("portal error action", "The portal could not verify the signature; sign the request again with the digital signature (EDS).") },
  [TIRKEU_PORTAL_CODE_SIGNER_NOT_AUTHORIZED] = {
    NC_("portal error title", "No right to sign"),
    NC_("portal error action", "This certificate may not sign for the organisation; use the EDS of the head or of an employee with the right to sign.") },
  [TIRKEU_PORTAL_CODE_UNAUTHORIZED] = {
    NC_("portal error title", "Not signed in"),
    NC_("portal error action", "Sign in to the eGov portal with your digital signature (EDS).") },
  [TIRKEU_PORTAL_CODE_SESSION_EXPIRED] = {
    NC_("portal error title", "Session ended"),
    NC_("portal error action", "Sign in to the eGov portal again; the entered data are kept.") },
  [TIRKEU_PORTAL_CODE_RATE_LIMITED] = {
    NC_("portal error title", "Too many requests"),
    NC_("portal error action", "The portal asks to slow down; wait a minute and try again.") },
  [TIRKEU_PORTAL_CODE_VALIDATION_FAILED] = {
    NC_("portal error title", "Data not accepted"),
    NC_("portal error action", "The portal did not accept a field of the request; correct the marked data and try again.") },
  [TIRKEU_PORTAL_CODE_NOT_FOUND] = {
    NC_("portal error title", "Not found on the portal"),
    NC_("portal error action", "The portal has no such request; refresh the list of requests.") },
  [TIRKEU_PORTAL_CODE_CONFLICT] = {
    NC_("portal error title", "The request has changed"),
    NC_("portal error action", "The request's stage on the portal does not allow this; refresh it to see where it stands.") },
  [TIRKEU_PORTAL_CODE_INTERNAL] = {
    NC_("portal error title", "Portal error"),
    NC_("portal error action", "The eGov portal failed to handle the request; try again later.") },
  [TIRKEU_PORTAL_CODE_UNAVAILABLE] = {
    NC_("portal error title", "Portal unavailable"),
    NC_("portal error action", "The eGov portal or one of its information systems is temporarily unavailable; try again later.") },
  [TIRKEU_PORTAL_CODE_NETWORK] = {
    NC_("portal error title", "No connection"),
    NC_("portal error action", "The eGov portal could not be reached; check the internet connection and try again.") },
  [TIRKEU_PORTAL_CODE_TLS] = {
    NC_("portal error title", "Connection not secure"),
    NC_("portal error action", "The portal's certificate is not trusted, so nothing was sent; contact your administrator.") },
  [TIRKEU_PORTAL_CODE_TIMEOUT] = {
    NC_("portal error title", "No answer in time"),
    NC_("portal error action", "The portal did not answer in time; try again: a repeated submission never creates a second request.") },
  [TIRKEU_PORTAL_CODE_MALFORMED] = {
    NC_("portal error title", "Unreadable answer"),
    NC_("portal error action", "The portal's answer could not be read; try again later, and update Tirkeu if it happens again.") },
  [TIRKEU_PORTAL_CODE_TOO_LARGE] = {
    NC_("portal error title", "Answer too large"),
    NC_("portal error action", "The portal's answer was larger than allowed and was discarded; try again later.") },
  [TIRKEU_PORTAL_CODE_UNKNOWN] = {
    NC_("portal error title", "Unknown error"),
    NC_("portal error action", "The portal reported an error this version of Tirkeu does not know; try again, and update Tirkeu if it happens again.") },
};

static const char * const actor_names[] = {
  [TIRKEU_ACTOR_SELLER] = NC_("actor", "Seller"),
  [TIRKEU_ACTOR_BUYER] = NC_("actor", "Buyer"),
  /* Translators: kk ЭҮП, ru ПЭП */
  [TIRKEU_ACTOR_PORTAL] = NC_("actor", "eGov portal"),
  [TIRKEU_ACTOR_NONE] = NC_("actor", "Nobody"),
};

/* What the buyer does in the eGov personal account, steps 10 and 14-19 and chapter 2,
 * points 7-9 of the algorithm, in order. */
static const char * const buyer_todo[] = {
  NC_("buyer to-do", "Open the notification about the request for primary vehicle registration and approve the request."),
  NC_("buyer to-do", "If the portal reports unpaid administrative fines, pay them and submit the request again."),
  /* Translators: the pilot excludes plates of increased demand and plates left in storage (algorithm, point 2) */
  NC_("buyer to-do", "Choose the TsON for the finished documents and the type of state registration plate; plates of increased demand and plates left in storage cannot be chosen."),
  NC_("buyer to-do", "Confirm the phone number from the mobile citizens database, or enter it if none is registered."),
  NC_("buyer to-do", "Pay the duties and fees through the eGov payment gateway."),
  NC_("buyer to-do", "Sign the request with a digital signature (EDS)."),
  NC_("buyer to-do", "After the notification that the service was rendered, collect the vehicle registration certificate and the plates at the chosen TsON, with an identity document."),
};

/**
 * tirkeu_catalogue_stage_title:
 * @stage: a #TirkeuStage
 *
 * Returns: (transfer none): the short title of @stage in the interface language
 */
const char *
tirkeu_catalogue_stage_title (TirkeuStage stage)
{
  g_return_val_if_fail (stage < TIRKEU_N_STAGES, "");

  return g_dpgettext2 (GETTEXT_PACKAGE, CTX_STAGE_TITLE, stage_messages[stage].title);
}

/**
 * tirkeu_catalogue_stage_next:
 * @stage: a #TirkeuStage
 *
 * Returns: (transfer none): one sentence on what happens next in @stage or what to do,
 *   in the interface language
 */
const char *
tirkeu_catalogue_stage_next (TirkeuStage stage)
{
  g_return_val_if_fail (stage < TIRKEU_N_STAGES, "");

  return g_dpgettext2 (GETTEXT_PACKAGE, CTX_STAGE_NEXT, stage_messages[stage].next);
}

/**
 * tirkeu_catalogue_step_text:
 * @stage: a #TirkeuStage
 *
 * The progress line of the UI, e.g. "Step 4 of 19", for the step of the pilot algorithm that
 * @stage records (tirkeu_stage_get_step()).
 *
 * Returns: (transfer full) (nullable): the text, or %NULL for a stage that records no single
 *   step (the draft, expiry, withdrawal)
 */
char *
tirkeu_catalogue_step_text (TirkeuStage stage)
{
  guint step;

  g_return_val_if_fail (stage < TIRKEU_N_STAGES, NULL);

  step = tirkeu_stage_get_step (stage);
  if (step == 0)
    return NULL;

  /* Translators: the progress through the 19 steps of the pilot algorithm, e.g. "Step 4 of 19" */
  return g_strdup_printf (_("Step %u of %u"), step, (guint) TIRKEU_STAGE_N_STEPS);
}

/**
 * tirkeu_catalogue_actor_name:
 * @actor: a #TirkeuActor
 *
 * Returns: (transfer none): who @actor is, in the interface language ("Seller", "Buyer",
 *   "eGov portal")
 */
const char *
tirkeu_catalogue_actor_name (TirkeuActor actor)
{
  g_return_val_if_fail (actor < G_N_ELEMENTS (actor_names), "");

  return g_dpgettext2 (GETTEXT_PACKAGE, CTX_ACTOR, actor_names[actor]);
}

/**
 * tirkeu_catalogue_code_title:
 * @code: a #TirkeuPortalCode
 *
 * Returns: (transfer none): the short title of @code in the interface language
 */
const char *
tirkeu_catalogue_code_title (TirkeuPortalCode code)
{
  g_return_val_if_fail (code < TIRKEU_N_PORTAL_CODES, "");

  return g_dpgettext2 (GETTEXT_PACKAGE, CTX_CODE_TITLE, code_messages[code].title);
}

/**
 * tirkeu_catalogue_code_action:
 * @code: a #TirkeuPortalCode
 *
 * Returns: (transfer none): one sentence on what @code means for the user and what to do,
 *   in the interface language
 */
const char *
tirkeu_catalogue_code_action (TirkeuPortalCode code)
{
  g_return_val_if_fail (code < TIRKEU_N_PORTAL_CODES, "");

  return g_dpgettext2 (GETTEXT_PACKAGE, CTX_CODE_ACTION, code_messages[code].action);
}

/**
 * tirkeu_catalogue_buyer_todo_title:
 *
 * Returns: (transfer none): the heading of the buyer's to-do list on the "Sent" page
 */
const char *
tirkeu_catalogue_buyer_todo_title (void)
{
  return C_("buyer to-do", "What the buyer does in the eGov personal account");
}

/**
 * tirkeu_catalogue_buyer_todo:
 *
 * What the buyer must do in the eGov personal account once the seller has submitted, in
 * order (steps 10, 14-18, then the visit to the TsON), for the "Sent" page.
 *
 * Returns: (transfer full) (array zero-terminated=1): the items, in the interface language
 */
char **
tirkeu_catalogue_buyer_todo (void)
{
  GStrvBuilder *builder = g_strv_builder_new ();
  char **items;

  for (guint i = 0; i < G_N_ELEMENTS (buyer_todo); i++)
    g_strv_builder_add (builder, g_dpgettext2 (GETTEXT_PACKAGE, CTX_BUYER_TODO, buyer_todo[i]));

  items = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);

  return items;
}

/* In a given language, whatever the interface language: for the buyer's summary, printed in
 * Kazakh and Russian on one page (tirkeu_i18n_pgettext_in()). */

/**
 * tirkeu_catalogue_stage_title_in:
 * @stage: a #TirkeuStage
 * @language: "kk", "ru" or "en"
 *
 * Returns: (transfer none): the short title of @stage in @language
 */
const char *
tirkeu_catalogue_stage_title_in (TirkeuStage  stage,
                                 const char  *language)
{
  g_return_val_if_fail (stage < TIRKEU_N_STAGES, "");

  return tirkeu_i18n_pgettext_in (language, CTX_STAGE_TITLE, stage_messages[stage].title);
}

/**
 * tirkeu_catalogue_buyer_todo_title_in:
 * @language: "kk", "ru" or "en"
 *
 * Returns: (transfer none): tirkeu_catalogue_buyer_todo_title() in @language
 */
const char *
tirkeu_catalogue_buyer_todo_title_in (const char *language)
{
  return tirkeu_i18n_pgettext_in (language, CTX_BUYER_TODO,
                                  "What the buyer does in the eGov personal account");
}

/**
 * tirkeu_catalogue_buyer_todo_in:
 * @language: "kk", "ru" or "en"
 *
 * Returns: (transfer full) (array zero-terminated=1): tirkeu_catalogue_buyer_todo() in
 *   @language
 */
char **
tirkeu_catalogue_buyer_todo_in (const char *language)
{
  GStrvBuilder *builder = g_strv_builder_new ();
  char **items;

  for (guint i = 0; i < G_N_ELEMENTS (buyer_todo); i++)
    g_strv_builder_add (builder, tirkeu_i18n_pgettext_in (language, CTX_BUYER_TODO,
                                                          buyer_todo[i]));

  items = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);

  return items;
}

/* ------------------------------------------------------------------------------------------ */
/* Errors of the libraries below the app */

/* What a failure of GLib, GIO, libsoup, GnuTLS (through GIO's TLS), json-glib or the journal
 * means for the user, by domain and code: their GError.message is English (or the C
 * library's), so it may stand under "Details" but never alone. The domains above core are
 * recognised by their quark strings, which tests/test-error-domains.c and
 * tests/test-catalogue-errors.c hold stable, so that core links none of those libraries. */

#define CTX_ERROR_TITLE "error title"
#define CTX_ERROR_ACTION "error action"

typedef enum
{
  KIND_NETWORK,
  KIND_TIMEOUT,
  KIND_ADDRESS,
  KIND_TLS,
  KIND_ANSWER,
  KIND_CANCELLED,
  KIND_FILE_MISSING,
  KIND_FILE_DENIED,
  KIND_DISK_FULL,
  KIND_FILE,
  KIND_JOURNAL_OPEN,
  KIND_JOURNAL_CORRUPT,
  KIND_JOURNAL_NEWER,
  KIND_JOURNAL_WRITE,
  KIND_JOURNAL_MISSING,
  KIND_JOURNAL_CONFLICT,
  KIND_INTERNAL,
  N_KINDS
} ErrorKind;

static const struct {
  const char *title;
  const char *action;
} kind_messages[N_KINDS] = {
  [KIND_NETWORK] = {
    NC_("error title", "No connection"),
    NC_("error action", "The eGov portal could not be reached; check the internet connection and try again.") },
  [KIND_TIMEOUT] = {
    NC_("error title", "No answer in time"),
    NC_("error action", "The other side did not answer in time; try again later.") },
  [KIND_ADDRESS] = {
    NC_("error title", "Address not found"),
    NC_("error action", "The portal's address could not be found; check the internet connection and the portal address in the preferences.") },
  [KIND_TLS] = {
    NC_("error title", "Connection not secure"),
    /* Translators: ru «не является доверенным», not «нет доверия» */
    NC_("error action", "The portal's certificate is not trusted, so nothing was sent; contact your administrator.") },
  [KIND_ANSWER] = {
    NC_("error title", "Unreadable answer"),
    NC_("error action", "The portal's answer could not be read; try again later, and update Tirkeu if it happens again.") },
  [KIND_CANCELLED] = {
    /* Translators: an operation the user or the app stopped: kk «Тоқтатылды», ru «Отменено» */
    NC_("error title", "Cancelled"),
    NULL },
  [KIND_FILE_MISSING] = {
    NC_("error title", "File not found"),
    NC_("error action", "The file or folder does not exist; check the path.") },
  [KIND_FILE_DENIED] = {
    NC_("error title", "No access to the file"),
    NC_("error action", "Tirkeu may not read or write this file; check its permissions.") },
  [KIND_DISK_FULL] = {
    NC_("error title", "The disk is full"),
    NC_("error action", "Free some disk space and try again.") },
  [KIND_FILE] = {
    NC_("error title", "The file could not be used"),
    NC_("error action", "Reading or writing the file failed; check the path and try again.") },
  [KIND_JOURNAL_OPEN] = {
    NC_("error title", "The local journal could not be opened"),
    NC_("error action", "Requests can still be sent, but are not kept on this computer; check that the home folder is writable.") },
  [KIND_JOURNAL_CORRUPT] = {
    NC_("error title", "The local journal is damaged"),
    NC_("error action", "Tell your administrator; the requests themselves are safe on the eGov portal.") },
  [KIND_JOURNAL_NEWER] = {
    NC_("error title", "The local journal is from a newer Tirkeu"),
    NC_("error action", "Update Tirkeu to open it.") },
  [KIND_JOURNAL_WRITE] = {
    NC_("error title", "The local journal could not be written"),
    NC_("error action", "Check the free disk space and try again.") },
  [KIND_JOURNAL_MISSING] = {
    NC_("error title", "Not in the local journal"),
    NC_("error action", "Refresh the list of requests.") },
  [KIND_JOURNAL_CONFLICT] = {
    NC_("error title", "The local journal already has it"),
    NC_("error action", "Refresh the list of requests to see where it stands.") },
  [KIND_INTERNAL] = {
    NC_("error title", "Something went wrong"),
    NC_("error action", "Try again. If it keeps failing, tell your administrator what the details say.") },
};

static ErrorKind
io_error_kind (int code)
{
  switch (code)
    {
    case G_IO_ERROR_CANCELLED:
      return KIND_CANCELLED;
    case G_IO_ERROR_TIMED_OUT:
      return KIND_TIMEOUT;
    case G_IO_ERROR_HOST_NOT_FOUND:
      return KIND_ADDRESS;
    case G_IO_ERROR_CONNECTION_REFUSED:
    case G_IO_ERROR_HOST_UNREACHABLE:
    case G_IO_ERROR_NETWORK_UNREACHABLE:
    case G_IO_ERROR_BROKEN_PIPE:  /* also G_IO_ERROR_CONNECTION_CLOSED */
    case G_IO_ERROR_NOT_CONNECTED:
    case G_IO_ERROR_PROXY_FAILED:
    case G_IO_ERROR_PROXY_AUTH_FAILED:
    case G_IO_ERROR_PROXY_NEED_AUTH:
    case G_IO_ERROR_PROXY_NOT_ALLOWED:
      return KIND_NETWORK;
    case G_IO_ERROR_NOT_FOUND:
      return KIND_FILE_MISSING;
    case G_IO_ERROR_PERMISSION_DENIED:
    case G_IO_ERROR_READ_ONLY:
      return KIND_FILE_DENIED;
    case G_IO_ERROR_NO_SPACE:
      return KIND_DISK_FULL;
    case G_IO_ERROR_EXISTS:
    case G_IO_ERROR_IS_DIRECTORY:
    case G_IO_ERROR_NOT_DIRECTORY:
    case G_IO_ERROR_NOT_REGULAR_FILE:
    case G_IO_ERROR_FILENAME_TOO_LONG:
    case G_IO_ERROR_INVALID_FILENAME:
    case G_IO_ERROR_TOO_MANY_LINKS:
      return KIND_FILE;
    case G_IO_ERROR_INVALID_DATA:
      return KIND_ANSWER;
    default:
      return KIND_INTERNAL;
    }
}

static ErrorKind
file_error_kind (int code)
{
  switch (code)
    {
    case G_FILE_ERROR_NOENT:
      return KIND_FILE_MISSING;
    case G_FILE_ERROR_ACCES:
    case G_FILE_ERROR_PERM:
    case G_FILE_ERROR_ROFS:
      return KIND_FILE_DENIED;
    case G_FILE_ERROR_NOSPC:
      return KIND_DISK_FULL;
    default:
      return KIND_FILE;
    }
}

/* TirkeuStoreError, by value: src/store is above core. */
static ErrorKind
store_error_kind (int code)
{
  static const ErrorKind kinds[] = {
    KIND_JOURNAL_OPEN,      /* TIRKEU_STORE_ERROR_OPEN */
    KIND_JOURNAL_CORRUPT,   /* TIRKEU_STORE_ERROR_CORRUPT */
    KIND_JOURNAL_NEWER,     /* TIRKEU_STORE_ERROR_MIGRATION */
    KIND_JOURNAL_WRITE,     /* TIRKEU_STORE_ERROR_IO */
    KIND_JOURNAL_MISSING,   /* TIRKEU_STORE_ERROR_NOT_FOUND */
    KIND_JOURNAL_CONFLICT,  /* TIRKEU_STORE_ERROR_CONFLICT */
    KIND_INTERNAL,          /* TIRKEU_STORE_ERROR_INVALID */
  };

  return code >= 0 && (gsize) code < G_N_ELEMENTS (kinds) ? kinds[code] : KIND_INTERNAL;
}

/**
 * tirkeu_catalogue_describe_error:
 * @error: an error from any layer
 * @title: (out) (transfer none): the catalogue's short title, in the interface language
 * @action: (out) (transfer none) (nullable): one sentence on what it means and what to do,
 *   %NULL when the title says it all (a cancellation)
 *
 * The app's own sentence for @error, built from its domain and code, never from its message:
 * the portal's codes (as tirkeu_catalogue_code_title()), GIO's network, file and resolver
 * errors, TLS (GnuTLS through GIO), libsoup and json-glib, and the local journal's.
 *
 * Errors whose message is already the app's translated sentence (%TIRKEU_INPUT_ERROR, the
 * CLI's usage errors, GOption's) and token errors (whose translated text is
 * tirkeu_token_error_to_message() in src/token) are not described here: the caller shows
 * those. Everything else, including a domain nobody foresaw, gets a general sentence.
 *
 * Returns: %FALSE for the domains the caller must word itself (see above); then @title and
 *   @action are not set
 */
gboolean
tirkeu_catalogue_describe_error (const GError  *error,
                                 const char   **title,
                                 const char   **action)
{
  const char *domain;
  ErrorKind kind;

  g_return_val_if_fail (error != NULL, FALSE);
  g_return_val_if_fail (title != NULL && action != NULL, FALSE);

  domain = g_quark_to_string (error->domain);

  if (g_str_equal (domain, "tirkeu-portal-error-quark")
      && error->code >= 0 && error->code < TIRKEU_N_PORTAL_CODES)
    {
      *title = tirkeu_catalogue_code_title ((TirkeuPortalCode) error->code);
      *action = tirkeu_catalogue_code_action ((TirkeuPortalCode) error->code);
      return TRUE;
    }

  if (g_str_equal (domain, "tirkeu-input-error-quark")
      || g_str_equal (domain, "tirkeu-cli-error-quark")
      || g_str_equal (domain, "tirkeu-token-error-quark")
      || error->domain == G_OPTION_ERROR)
    return FALSE;

  if (error->domain == G_IO_ERROR)
    kind = io_error_kind (error->code);
  else if (error->domain == G_RESOLVER_ERROR)
    kind = KIND_ADDRESS;
  else if (error->domain == G_TLS_ERROR)
    kind = error->code == G_TLS_ERROR_EOF || error->code == G_TLS_ERROR_MISC
           ? KIND_NETWORK : KIND_TLS;
  else if (g_str_equal (domain, "soup-session-error-quark")
           || g_str_equal (domain, "json-parser-error-quark")
           || g_str_equal (domain, "json-reader-error-quark"))
    kind = KIND_ANSWER;
  else if (error->domain == G_FILE_ERROR)
    kind = file_error_kind (error->code);
  else if (error->domain == G_KEY_FILE_ERROR)
    kind = error->code == G_KEY_FILE_ERROR_NOT_FOUND ? KIND_FILE_MISSING : KIND_FILE;
  else if (g_str_equal (domain, "tirkeu-store-error-quark"))
    kind = store_error_kind (error->code);
  else
    kind = KIND_INTERNAL;

  *title = g_dpgettext2 (GETTEXT_PACKAGE, CTX_ERROR_TITLE, kind_messages[kind].title);
  *action = kind_messages[kind].action != NULL
            ? g_dpgettext2 (GETTEXT_PACKAGE, CTX_ERROR_ACTION, kind_messages[kind].action)
            : NULL;
  return TRUE;
}

/**
 * tirkeu_catalogue_payment_stop:
 * @code: %TIRKEU_PORTAL_CODE_CUSTOMS_UNPAID or %TIRKEU_PORTAL_CODE_UTILIZATION_UNPAID
 * @no_data: %TRUE when the portal has no payment data at all (the vehicle check's status
 *   `no_data`), %FALSE when the payment is on record as not paid (`unpaid`)
 * @title: (out) (transfer none): the short title
 * @action: (out) (transfer none): what it means and what to do
 *
 * The portal stops at steps 4 and 5 with one code for two different facts: a payment not
 * made, and no data about it. The seller does different things about them (the importer
 * pays; or the payment is traced with customs or the utilization operator), so they are
 * said differently.
 *
 * Returns: %FALSE for any other @code; then @title and @action are not set
 */
gboolean
tirkeu_catalogue_payment_stop (TirkeuPortalCode   code,
                               gboolean           no_data,
                               const char       **title,
                               const char       **action)
{
  g_return_val_if_fail (title != NULL && action != NULL, FALSE);

  if (code == TIRKEU_PORTAL_CODE_CUSTOMS_UNPAID && no_data)
    {
      *title = tirkeu_catalogue_code_title (code);
      *action = tirkeu_catalogue_code_action (code);
    }
  else if (code == TIRKEU_PORTAL_CODE_CUSTOMS_UNPAID)
    {
      *title = C_("portal error title", "Customs payments not paid");
      /* Translators: step 4; customs payments: kk кедендік төлемдер, ru таможенные платежи */
      *action = C_("portal error action", "The customs payments for this vehicle are on record as not paid: the service cannot be rendered until they are paid.");
    }
  else if (code == TIRKEU_PORTAL_CODE_UTILIZATION_UNPAID && no_data)
    {
      *title = tirkeu_catalogue_code_title (code);
      *action = tirkeu_catalogue_code_action (code);
    }
  else if (code == TIRKEU_PORTAL_CODE_UTILIZATION_UNPAID)
    {
      *title = C_("portal error title", "Utilization fee not paid");
      *action = C_("portal error action", "The utilization fee for this vehicle is on record as not paid: the service cannot be rendered until it is paid.");
    }
  else
    return FALSE;
  return TRUE;
}

/**
 * tirkeu_catalogue_active_request_title:
 *
 * Returns: (transfer none): the title for a VIN that already has a request in progress
 */
const char *
tirkeu_catalogue_active_request_title (void)
{
  return C_("portal error title", "A request for this VIN is in progress");
}

/**
 * tirkeu_catalogue_active_request_action:
 * @request_number: (nullable): the portal's number of that request, %NULL when not known
 *   (another seller's)
 *
 * Returns: (transfer full): what it means and what to do, in the interface language
 */
char *
tirkeu_catalogue_active_request_action (const char *request_number)
{
  if (request_number == NULL)
    /* Translators: the portal refused a new request for a VIN with another seller's request
     * in progress */
    return g_strdup (C_("portal error action", "The portal has an unfinished request of another seller for this VIN: a new one can be started only after it ends."));
  /* Translators: %s is the portal's request number, e.g. 20251017-000123 */
  return g_strdup_printf (C_("portal error action", "Request %s for this VIN is not finished: open it to follow it, or withdraw it before starting a new one."),
                          request_number);
}

/**
 * tirkeu_catalogue_error_code_label:
 * @code: a wire code, as the portal's "OKED_MISMATCH"
 *
 * A code under "Details" says what it is, so a reader can quote it to support.
 *
 * Returns: (transfer full): "Error code: OKED_MISMATCH", in the interface language
 */
char *
tirkeu_catalogue_error_code_label (const char *code)
{
  g_return_val_if_fail (code != NULL, NULL);

  /* Translators: under "Details": the code the portal or the app gave an error, e.g.
   * OKED_MISMATCH, for support to read */
  return g_strdup_printf (_("Error code: %s"), code);
}

/**
 * tirkeu_catalogue_error_details:
 * @title: the title shown for an error
 * @message: (nullable): the error's own message
 *
 * What @message adds to @title, for "Details": all of it, nothing when it is the title
 * itself, or only what follows the title when it starts with it (a token error's message is
 * often its translated title and a path: "The module could not be loaded (/usr/lib/x.so)").
 * A reader never sees the same sentence twice.
 *
 * Returns: (transfer none) (nullable): a part of @message, or %NULL when it adds nothing
 */
const char *
tirkeu_catalogue_error_details (const char *title,
                                const char *message)
{
  const char *rest = message;

  if (message == NULL || *message == '\0')
    return NULL;
  if (title != NULL && *title != '\0' && g_str_has_prefix (message, title))
    {
      rest = message + strlen (title);
      while (*rest == ' ' || *rest == ':' || *rest == '.' || *rest == ';')
        rest++;
    }

  return *rest != '\0' ? rest : NULL;
}
