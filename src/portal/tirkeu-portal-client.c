/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>

#include "tirkeu-portal-client.h"
#include "tirkeu-portal-error.h"
#include "tirkeu-portal-json.h"
#include "tirkeu-portal-private.h"

/* The contract's header that says which portal answered (data/portal-api.yaml, on every
 * answer): "sandbox" makes the UI show "Training portal". */
#define ENVIRONMENT_HEADER "X-Tirkeu-Environment"

#define DEFAULT_TIMEOUT_MS      30000
#define DEFAULT_MAX_ATTEMPTS    4
#define DEFAULT_RETRY_BASE_MS   250
#define RETRY_MAX_DELAY_MS      8000
/* A Retry-After longer than this is not waited for: the error goes to the caller, who can
 * tell the user when to try again (tirkeu_portal_error_get_retry_after()). */
#define RETRY_AFTER_MAX_S       30
#define DEFAULT_MAX_ANSWER_SIZE (4 * 1024 * 1024)
#define READ_CHUNK              16384

struct _TirkeuPortalClient
{
  GObject parent_instance;

  /* settings */
  char *base_url;
  char *ca_file;
  guint timeout_ms;
  guint max_attempts;
  guint retry_base_ms;
  guint64 max_answer_size;

  /* owned references */
  SoupSession *session;
  GTlsDatabase *tls_database;

  /* the session with the portal: the token is a secret, kept in memory only and wiped */
  char *session_token;
  GDateTime *session_expires_at;
  guint session_generation;

  /* sign-in */
  TirkeuPortalSignFunc sign_func;
  TirkeuPortalSignFinishFunc sign_finish_func;
  gpointer sign_data;
  GDestroyNotify sign_data_destroy;
  GPtrArray *sign_in_waiters;   /* GTask, while a sign-in is under way */

  /* state */
  guint n_attempts;
  guint is_sandbox : 1;
  guint signing_in : 1;
};

static void tirkeu_portal_client_initable_iface_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TirkeuPortalClient, tirkeu_portal_client, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                      tirkeu_portal_client_initable_iface_init))

enum {
  PROP_0,
  PROP_BASE_URL,
  PROP_CA_FILE,
  PROP_IS_SANDBOX,
  PROP_SIGNED_IN,
  PROP_TIMEOUT_MS,
  PROP_MAX_ATTEMPTS,
  PROP_RETRY_BASE_MS,
  PROP_MAX_ANSWER_SIZE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void sign_in_begin (TirkeuPortalClient *self,
                           GTask              *waiter);

/* ------------------------------------------------------------------------------------------ */
/* Plain data                                                                                 */

void
tirkeu_portal_text_clear (TirkeuPortalText *text)
{
  g_clear_pointer (&text->kk, g_free);
  g_clear_pointer (&text->ru, g_free);
  g_clear_pointer (&text->en, g_free);
}

/**
 * tirkeu_portal_text_get:
 * @text: a #TirkeuPortalText
 * @language: "kk", "ru" or "en"
 *
 * Returns: (nullable): the text in @language, else in English
 */
const char *
tirkeu_portal_text_get (const TirkeuPortalText *text,
                        const char             *language)
{
  if (language != NULL && g_str_has_prefix (language, "kk") && text->kk != NULL)
    return text->kk;
  if (language != NULL && g_str_has_prefix (language, "ru") && text->ru != NULL)
    return text->ru;

  return text->en;
}

void
tirkeu_portal_about_free (TirkeuPortalAbout *about)
{
  if (about == NULL)
    return;
  g_free (about->environment);
  g_free (about->api_version);
  tirkeu_portal_text_clear (&about->portal_name);
  g_free (about);
}

void
tirkeu_portal_seller_free (TirkeuPortalSeller *seller)
{
  if (seller == NULL)
    return;
  g_free (seller->bin);
  g_free (seller->name);
  g_strfreev (seller->oked);
  g_free (seller->oked_matched_code);
  g_free (seller);
}

void
tirkeu_portal_vehicle_check_free (TirkeuPortalVehicleCheck *check)
{
  if (check == NULL)
    return;
  g_free (check->vin);
  g_clear_pointer (&check->vehicle, tirkeu_vehicle_free);
  g_free (check->customs_declaration);
  g_free (check->utilization_payment);
  tirkeu_portal_text_clear (&check->stopped_message);
  g_free (check);
}

void
tirkeu_portal_person_free (TirkeuPortalPerson *person)
{
  if (person == NULL)
    return;
  g_free (person->iin);
  g_free (person->full_name);
  g_free (person);
}

void
tirkeu_portal_contract_free (TirkeuPortalContract *contract)
{
  if (contract == NULL)
    return;
  g_clear_pointer (&contract->contract, tirkeu_contract_free);
  g_free (contract->currency);
  g_free (contract->seller_bin);
  g_free (contract->seller_name);
  g_free (contract->buyer_iin);
  g_free (contract->buyer_name);
  g_free (contract);
}

void
tirkeu_portal_history_entry_free (TirkeuPortalHistoryEntry *entry)
{
  if (entry == NULL)
    return;
  g_clear_pointer (&entry->at, g_date_time_unref);
  tirkeu_portal_text_clear (&entry->message);
  g_free (entry);
}

void
tirkeu_portal_request_info_free (TirkeuPortalRequestInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->id);
  g_clear_pointer (&info->created_at, g_date_time_unref);
  g_clear_pointer (&info->updated_at, g_date_time_unref);
  g_clear_pointer (&info->signing_payload, g_bytes_unref);
  g_clear_pointer (&info->history, g_ptr_array_unref);
  tirkeu_portal_text_clear (&info->refusal_reason);
  g_free (info->idempotency_key);
  g_free (info);
}

void
tirkeu_portal_changes_free (TirkeuPortalChanges *changes)
{
  if (changes == NULL)
    return;
  g_clear_pointer (&changes->requests, g_ptr_array_unref);
  g_clear_pointer (&changes->infos, g_ptr_array_unref);
  g_free (changes->cursor);
  g_free (changes);
}

/* ------------------------------------------------------------------------------------------ */
/* Copies, for the boxed types                                                                */

void
tirkeu_portal_text_copy (const TirkeuPortalText *text,
                         TirkeuPortalText       *copy)
{
  copy->kk = g_strdup (text->kk);
  copy->ru = g_strdup (text->ru);
  copy->en = g_strdup (text->en);
}

TirkeuPortalAbout *
tirkeu_portal_about_copy (const TirkeuPortalAbout *about)
{
  TirkeuPortalAbout *copy = g_new0 (TirkeuPortalAbout, 1);

  copy->environment = g_strdup (about->environment);
  copy->sandbox = about->sandbox;
  copy->api_version = g_strdup (about->api_version);
  tirkeu_portal_text_copy (&about->portal_name, &copy->portal_name);
  return copy;
}

TirkeuPortalSeller *
tirkeu_portal_seller_copy (const TirkeuPortalSeller *seller)
{
  TirkeuPortalSeller *copy = g_new0 (TirkeuPortalSeller, 1);

  copy->bin = g_strdup (seller->bin);
  copy->name = g_strdup (seller->name);
  copy->oked = g_strdupv (seller->oked);
  copy->oked_qualifies = seller->oked_qualifies;
  copy->oked_matched_code = g_strdup (seller->oked_matched_code);
  return copy;
}

TirkeuPortalVehicleCheck *
tirkeu_portal_vehicle_check_copy (const TirkeuPortalVehicleCheck *check)
{
  TirkeuPortalVehicleCheck *copy = g_memdup2 (check, sizeof *check);

  copy->vin = g_strdup (check->vin);
  copy->vehicle = check->vehicle != NULL ? tirkeu_vehicle_copy (check->vehicle) : NULL;
  copy->customs_declaration = g_strdup (check->customs_declaration);
  copy->utilization_payment = g_strdup (check->utilization_payment);
  tirkeu_portal_text_copy (&check->stopped_message, &copy->stopped_message);
  return copy;
}

TirkeuPortalPerson *
tirkeu_portal_person_copy (const TirkeuPortalPerson *person)
{
  TirkeuPortalPerson *copy = g_new0 (TirkeuPortalPerson, 1);

  copy->iin = g_strdup (person->iin);
  copy->status = person->status;
  copy->full_name = g_strdup (person->full_name);
  return copy;
}

TirkeuPortalContract *
tirkeu_portal_contract_copy (const TirkeuPortalContract *contract)
{
  TirkeuPortalContract *copy = g_new0 (TirkeuPortalContract, 1);

  copy->contract = contract->contract != NULL ? tirkeu_contract_copy (contract->contract) : NULL;
  copy->currency = g_strdup (contract->currency);
  copy->seller_bin = g_strdup (contract->seller_bin);
  copy->seller_name = g_strdup (contract->seller_name);
  copy->buyer_iin = g_strdup (contract->buyer_iin);
  copy->buyer_name = g_strdup (contract->buyer_name);
  return copy;
}

TirkeuPortalHistoryEntry *
tirkeu_portal_history_entry_copy (const TirkeuPortalHistoryEntry *entry)
{
  TirkeuPortalHistoryEntry *copy = g_new0 (TirkeuPortalHistoryEntry, 1);

  copy->stage = entry->stage;
  copy->at = entry->at != NULL ? g_date_time_ref (entry->at) : NULL;
  tirkeu_portal_text_copy (&entry->message, &copy->message);
  return copy;
}

static gpointer
copy_history_entry (gconstpointer src,
                    gpointer      data)
{
  return tirkeu_portal_history_entry_copy (src);
}

static gpointer
copy_request_info (gconstpointer src,
                   gpointer      data)
{
  return tirkeu_portal_request_info_copy (src);
}

static gpointer
ref_object (gconstpointer src,
            gpointer      data)
{
  return g_object_ref ((gpointer) src);
}

TirkeuPortalRequestInfo *
tirkeu_portal_request_info_copy (const TirkeuPortalRequestInfo *info)
{
  TirkeuPortalRequestInfo *copy = g_new0 (TirkeuPortalRequestInfo, 1);

  copy->id = g_strdup (info->id);
  copy->revision = info->revision;
  copy->created_at = info->created_at != NULL ? g_date_time_ref (info->created_at) : NULL;
  copy->updated_at = info->updated_at != NULL ? g_date_time_ref (info->updated_at) : NULL;
  copy->signing_payload = info->signing_payload != NULL ? g_bytes_ref (info->signing_payload)
                                                        : NULL;
  if (info->history != NULL)
    {
      copy->history = g_ptr_array_copy (info->history, copy_history_entry, NULL);
      g_ptr_array_set_free_func (copy->history,
                                 (GDestroyNotify) tirkeu_portal_history_entry_free);
    }
  copy->refusal_step = info->refusal_step;
  tirkeu_portal_text_copy (&info->refusal_reason, &copy->refusal_reason);
  copy->idempotency_key = g_strdup (info->idempotency_key);
  return copy;
}

/**
 * tirkeu_portal_changes_copy:
 *
 * The requests are shared (referenced), the details copied.
 */
TirkeuPortalChanges *
tirkeu_portal_changes_copy (const TirkeuPortalChanges *changes)
{
  TirkeuPortalChanges *copy = g_new0 (TirkeuPortalChanges, 1);

  copy->requests = g_ptr_array_copy (changes->requests, ref_object, NULL);
  g_ptr_array_set_free_func (copy->requests, g_object_unref);
  copy->infos = g_ptr_array_copy (changes->infos, copy_request_info, NULL);
  g_ptr_array_set_free_func (copy->infos, (GDestroyNotify) tirkeu_portal_request_info_free);
  copy->cursor = g_strdup (changes->cursor);
  copy->has_more = changes->has_more;
  return copy;
}

G_DEFINE_BOXED_TYPE (TirkeuPortalAbout, tirkeu_portal_about,
                     tirkeu_portal_about_copy, tirkeu_portal_about_free)
G_DEFINE_BOXED_TYPE (TirkeuPortalSeller, tirkeu_portal_seller,
                     tirkeu_portal_seller_copy, tirkeu_portal_seller_free)
G_DEFINE_BOXED_TYPE (TirkeuPortalVehicleCheck, tirkeu_portal_vehicle_check,
                     tirkeu_portal_vehicle_check_copy, tirkeu_portal_vehicle_check_free)
G_DEFINE_BOXED_TYPE (TirkeuPortalPerson, tirkeu_portal_person,
                     tirkeu_portal_person_copy, tirkeu_portal_person_free)
G_DEFINE_BOXED_TYPE (TirkeuPortalContract, tirkeu_portal_contract,
                     tirkeu_portal_contract_copy, tirkeu_portal_contract_free)
G_DEFINE_BOXED_TYPE (TirkeuPortalHistoryEntry, tirkeu_portal_history_entry,
                     tirkeu_portal_history_entry_copy, tirkeu_portal_history_entry_free)
G_DEFINE_BOXED_TYPE (TirkeuPortalRequestInfo, tirkeu_portal_request_info,
                     tirkeu_portal_request_info_copy, tirkeu_portal_request_info_free)
G_DEFINE_BOXED_TYPE (TirkeuPortalChanges, tirkeu_portal_changes,
                     tirkeu_portal_changes_copy, tirkeu_portal_changes_free)

/* ------------------------------------------------------------------------------------------ */
/* The object                                                                                 */

static void
wipe_session (TirkeuPortalClient *self)
{
  if (self->session_token != NULL)
    {
      explicit_bzero (self->session_token, strlen (self->session_token));
      g_clear_pointer (&self->session_token, g_free);
    }
  g_clear_pointer (&self->session_expires_at, g_date_time_unref);
}

static void
set_is_sandbox (TirkeuPortalClient *self,
                gboolean            is_sandbox)
{
  is_sandbox = !!is_sandbox;
  if (self->is_sandbox == is_sandbox)
    return;
  self->is_sandbox = is_sandbox;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IS_SANDBOX]);
}

static void
tirkeu_portal_client_dispose (GObject *object)
{
  TirkeuPortalClient *self = TIRKEU_PORTAL_CLIENT (object);

  if (self->session != NULL)
    soup_session_abort (self->session);
  g_clear_object (&self->session);
  g_clear_object (&self->tls_database);
  if (self->sign_data_destroy != NULL)
    g_clear_pointer (&self->sign_data, self->sign_data_destroy);
  self->sign_func = NULL;
  self->sign_finish_func = NULL;

  G_OBJECT_CLASS (tirkeu_portal_client_parent_class)->dispose (object);
}

static void
tirkeu_portal_client_finalize (GObject *object)
{
  TirkeuPortalClient *self = TIRKEU_PORTAL_CLIENT (object);

  wipe_session (self);
  g_clear_pointer (&self->sign_in_waiters, g_ptr_array_unref);
  g_free (self->base_url);
  g_free (self->ca_file);

  G_OBJECT_CLASS (tirkeu_portal_client_parent_class)->finalize (object);
}

static void
tirkeu_portal_client_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  TirkeuPortalClient *self = TIRKEU_PORTAL_CLIENT (object);

  switch (prop_id)
    {
    case PROP_BASE_URL:
      g_value_set_string (value, self->base_url);
      break;
    case PROP_CA_FILE:
      g_value_set_string (value, self->ca_file);
      break;
    case PROP_IS_SANDBOX:
      g_value_set_boolean (value, self->is_sandbox);
      break;
    case PROP_SIGNED_IN:
      g_value_set_boolean (value, self->session_token != NULL);
      break;
    case PROP_TIMEOUT_MS:
      g_value_set_uint (value, self->timeout_ms);
      break;
    case PROP_MAX_ATTEMPTS:
      g_value_set_uint (value, self->max_attempts);
      break;
    case PROP_RETRY_BASE_MS:
      g_value_set_uint (value, self->retry_base_ms);
      break;
    case PROP_MAX_ANSWER_SIZE:
      g_value_set_uint64 (value, self->max_answer_size);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tirkeu_portal_client_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  TirkeuPortalClient *self = TIRKEU_PORTAL_CLIENT (object);

  switch (prop_id)
    {
    case PROP_BASE_URL:
      self->base_url = g_value_dup_string (value);
      break;
    case PROP_CA_FILE:
      self->ca_file = g_value_dup_string (value);
      break;
    case PROP_TIMEOUT_MS:
      tirkeu_portal_client_set_timeout_ms (self, g_value_get_uint (value));
      break;
    case PROP_MAX_ATTEMPTS:
      tirkeu_portal_client_set_max_attempts (self, g_value_get_uint (value));
      break;
    case PROP_RETRY_BASE_MS:
      tirkeu_portal_client_set_retry_base_ms (self, g_value_get_uint (value));
      break;
    case PROP_MAX_ANSWER_SIZE:
      tirkeu_portal_client_set_max_answer_size (self, g_value_get_uint64 (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tirkeu_portal_client_class_init (TirkeuPortalClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tirkeu_portal_client_dispose;
  object_class->finalize = tirkeu_portal_client_finalize;
  object_class->get_property = tirkeu_portal_client_get_property;
  object_class->set_property = tirkeu_portal_client_set_property;

  /**
   * TirkeuPortalClient:base-url:
   *
   * The portal's origin, `https://host[:port]`; every path of the contract starts with
   * /api/v1 below it. Only https is accepted.
   */
  properties[PROP_BASE_URL] =
    g_param_spec_string ("base-url", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * TirkeuPortalClient:ca-file:
   *
   * A PEM file of the only CAs to trust for the portal (the sandbox's), or %NULL for the
   * system trust. It becomes the session's TLS database: verification is never switched off.
   */
  properties[PROP_CA_FILE] =
    g_param_spec_string ("ca-file", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * TirkeuPortalClient:is-sandbox:
   *
   * %TRUE once the portal said it is a training portal (the contract's X-Tirkeu-Environment
   * header on every answer, and the `environment` of GET /about): the UI shows
   * "Training portal".
   */
  properties[PROP_IS_SANDBOX] =
    g_param_spec_boolean ("is-sandbox", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * TirkeuPortalClient:signed-in:
   *
   * Whether the client holds a session token.
   */
  properties[PROP_SIGNED_IN] =
    g_param_spec_boolean ("signed-in", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * TirkeuPortalClient:timeout-ms:
   *
   * The longest one HTTP attempt may take, from sending to the last byte of the answer.
   */
  properties[PROP_TIMEOUT_MS] =
    g_param_spec_uint ("timeout-ms", NULL, NULL, 1, G_MAXUINT, DEFAULT_TIMEOUT_MS,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * TirkeuPortalClient:max-attempts:
   *
   * How many times an operation that is safe to repeat is sent at most (1: no retry).
   */
  properties[PROP_MAX_ATTEMPTS] =
    g_param_spec_uint ("max-attempts", NULL, NULL, 1, 10, DEFAULT_MAX_ATTEMPTS,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * TirkeuPortalClient:retry-base-ms:
   *
   * The first backoff delay; it doubles on each retry (with jitter, capped at 8 s).
   */
  properties[PROP_RETRY_BASE_MS] =
    g_param_spec_uint ("retry-base-ms", NULL, NULL, 1, 60000, DEFAULT_RETRY_BASE_MS,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * TirkeuPortalClient:max-answer-size:
   *
   * The largest answer body accepted, in bytes; a larger one is %TIRKEU_PORTAL_CODE_TOO_LARGE.
   */
  properties[PROP_MAX_ANSWER_SIZE] =
    g_param_spec_uint64 ("max-answer-size", NULL, NULL, 1, G_MAXUINT32, DEFAULT_MAX_ANSWER_SIZE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tirkeu_portal_client_init (TirkeuPortalClient *self)
{
  self->timeout_ms = DEFAULT_TIMEOUT_MS;
  self->max_attempts = DEFAULT_MAX_ATTEMPTS;
  self->retry_base_ms = DEFAULT_RETRY_BASE_MS;
  self->max_answer_size = DEFAULT_MAX_ANSWER_SIZE;
  self->sign_in_waiters = g_ptr_array_new ();
}

/**
 * tirkeu_portal_client_check_url:
 * @url: a portal address as a person typed it
 * @error: return location for a #GError
 *
 * Whether @url can be a portal's address: an `https://host[:port]` origin (a trailing "/" is
 * allowed), never plain http. The client refuses any other; the preferences ask this before
 * they save an address, so the two never disagree.
 *
 * Returns: %TRUE if @url is usable
 */
gboolean
tirkeu_portal_client_check_url (const char  *url,
                                GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *path;

  g_return_val_if_fail (url != NULL, FALSE);

  uri = g_uri_parse (url, G_URI_FLAGS_NONE, &local_error);
  if (uri == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The portal URL “%s” is not valid: %s"), url,
                   local_error->message);
      return FALSE;
    }
  /* TLS is never switched off: a plain-http portal is refused here, not negotiated. */
  if (g_strcmp0 (g_uri_get_scheme (uri), "https") != 0 || g_uri_get_host (uri) == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The portal URL “%s” must start with https://"), url);
      return FALSE;
    }
  path = g_uri_get_path (uri);
  if ((path[0] != '\0' && g_strcmp0 (path, "/") != 0) || g_uri_get_query (uri) != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The portal URL “%s” must be an origin (https://host:port), without a path"),
                   url);
      return FALSE;
    }
  return TRUE;
}

static gboolean
tirkeu_portal_client_initable_init (GInitable     *initable,
                                    GCancellable  *cancellable,
                                    GError       **error)
{
  TirkeuPortalClient *self = TIRKEU_PORTAL_CLIENT (initable);
  g_autoptr(GError) local_error = NULL;
  g_autofree char *user_agent = NULL;

  if (self->base_url == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("No portal URL was given"));
      return FALSE;
    }

  if (!tirkeu_portal_client_check_url (self->base_url, error))
    return FALSE;
  if (g_str_has_suffix (self->base_url, "/"))
    self->base_url[strlen (self->base_url) - 1] = '\0';

  if (self->ca_file != NULL)
    {
      self->tls_database = g_tls_file_database_new (self->ca_file, &local_error);
      if (self->tls_database == NULL)
        {
          g_set_error (error, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_TLS,
                       _("Cannot load the CA file “%s”: %s"), self->ca_file,
                       local_error->message);
          return FALSE;
        }
    }

  user_agent = g_strdup_printf ("Tirkeu/%s", PACKAGE_VERSION);
  /* No cookie jar, cache, HSTS store or logger is added: nothing about the session reaches
   * the disk or a log. */
  self->session = soup_session_new_with_options ("user-agent", user_agent,
                                                 "max-conns-per-host", 4,
                                                 NULL);
  /* The private CA replaces the system trust entirely; the host name is still checked. */
  if (self->tls_database != NULL)
    soup_session_set_tls_database (self->session, self->tls_database);

  return TRUE;
}

static void
tirkeu_portal_client_initable_iface_init (GInitableIface *iface)
{
  iface->init = tirkeu_portal_client_initable_init;
}

/**
 * tirkeu_portal_client_new:
 * @base_url: the portal's origin, `https://host[:port]`
 * @ca_file: (nullable): PEM file of the only CAs to trust, %NULL for the system trust
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): a new client, or %NULL if @base_url is not an https
 *   origin or @ca_file cannot be loaded
 */
TirkeuPortalClient *
tirkeu_portal_client_new (const char  *base_url,
                          const char  *ca_file,
                          GError     **error)
{
  return g_initable_new (TIRKEU_TYPE_PORTAL_CLIENT, NULL, error,
                         "base-url", base_url,
                         "ca-file", ca_file,
                         NULL);
}

const char *
tirkeu_portal_client_get_base_url (TirkeuPortalClient *self)
{
  g_return_val_if_fail (TIRKEU_IS_PORTAL_CLIENT (self), NULL);
  return self->base_url;
}

const char *
tirkeu_portal_client_get_ca_file (TirkeuPortalClient *self)
{
  g_return_val_if_fail (TIRKEU_IS_PORTAL_CLIENT (self), NULL);
  return self->ca_file;
}

gboolean
tirkeu_portal_client_get_is_sandbox (TirkeuPortalClient *self)
{
  g_return_val_if_fail (TIRKEU_IS_PORTAL_CLIENT (self), FALSE);
  return self->is_sandbox;
}

gboolean
tirkeu_portal_client_get_signed_in (TirkeuPortalClient *self)
{
  g_return_val_if_fail (TIRKEU_IS_PORTAL_CLIENT (self), FALSE);
  return self->session_token != NULL;
}

/**
 * tirkeu_portal_client_get_session_expires_at:
 * @self: a #TirkeuPortalClient
 *
 * Returns: (transfer none) (nullable): when the session ends, %NULL when not signed in
 */
GDateTime *
tirkeu_portal_client_get_session_expires_at (TirkeuPortalClient *self)
{
  g_return_val_if_fail (TIRKEU_IS_PORTAL_CLIENT (self), NULL);
  return self->session_expires_at;
}

guint
tirkeu_portal_client_get_timeout_ms (TirkeuPortalClient *self)
{
  g_return_val_if_fail (TIRKEU_IS_PORTAL_CLIENT (self), 0);
  return self->timeout_ms;
}

void
tirkeu_portal_client_set_timeout_ms (TirkeuPortalClient *self,
                                     guint               timeout_ms)
{
  g_return_if_fail (TIRKEU_IS_PORTAL_CLIENT (self));
  g_return_if_fail (timeout_ms > 0);

  if (self->timeout_ms == timeout_ms)
    return;
  self->timeout_ms = timeout_ms;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TIMEOUT_MS]);
}

guint
tirkeu_portal_client_get_max_attempts (TirkeuPortalClient *self)
{
  g_return_val_if_fail (TIRKEU_IS_PORTAL_CLIENT (self), 0);
  return self->max_attempts;
}

void
tirkeu_portal_client_set_max_attempts (TirkeuPortalClient *self,
                                       guint               max_attempts)
{
  g_return_if_fail (TIRKEU_IS_PORTAL_CLIENT (self));
  g_return_if_fail (max_attempts >= 1 && max_attempts <= 10);

  if (self->max_attempts == max_attempts)
    return;
  self->max_attempts = max_attempts;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_ATTEMPTS]);
}

guint
tirkeu_portal_client_get_retry_base_ms (TirkeuPortalClient *self)
{
  g_return_val_if_fail (TIRKEU_IS_PORTAL_CLIENT (self), 0);
  return self->retry_base_ms;
}

void
tirkeu_portal_client_set_retry_base_ms (TirkeuPortalClient *self,
                                        guint               retry_base_ms)
{
  g_return_if_fail (TIRKEU_IS_PORTAL_CLIENT (self));
  g_return_if_fail (retry_base_ms >= 1 && retry_base_ms <= 60000);

  if (self->retry_base_ms == retry_base_ms)
    return;
  self->retry_base_ms = retry_base_ms;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RETRY_BASE_MS]);
}

gsize
tirkeu_portal_client_get_max_answer_size (TirkeuPortalClient *self)
{
  g_return_val_if_fail (TIRKEU_IS_PORTAL_CLIENT (self), 0);
  return self->max_answer_size;
}

void
tirkeu_portal_client_set_max_answer_size (TirkeuPortalClient *self,
                                          gsize               max_answer_size)
{
  g_return_if_fail (TIRKEU_IS_PORTAL_CLIENT (self));
  g_return_if_fail (max_answer_size > 0 && max_answer_size <= G_MAXUINT32);

  if (self->max_answer_size == max_answer_size)
    return;
  self->max_answer_size = max_answer_size;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_ANSWER_SIZE]);
}

/**
 * tirkeu_portal_client_set_sign_func:
 * @self: a #TirkeuPortalClient
 * @sign_func: (nullable): signs a sign-in challenge with the AUTH key
 * @sign_finish_func: (nullable): gets its result
 * @user_data: for both
 * @destroy: (nullable): frees @user_data when replaced or when the client goes
 *
 * Without a sign function, tirkeu_portal_client_sign_in_async() fails and an expired session
 * is reported as %TIRKEU_PORTAL_CODE_SESSION_EXPIRED. With one, an operation that needs a
 * session signs in first, and an expired session is renewed once, then the operation is sent
 * again.
 */
void
tirkeu_portal_client_set_sign_func (TirkeuPortalClient         *self,
                                    TirkeuPortalSignFunc        sign_func,
                                    TirkeuPortalSignFinishFunc  sign_finish_func,
                                    gpointer                    user_data,
                                    GDestroyNotify              destroy)
{
  g_return_if_fail (TIRKEU_IS_PORTAL_CLIENT (self));
  g_return_if_fail ((sign_func == NULL) == (sign_finish_func == NULL));

  if (self->sign_data_destroy != NULL)
    g_clear_pointer (&self->sign_data, self->sign_data_destroy);
  self->sign_func = sign_func;
  self->sign_finish_func = sign_finish_func;
  self->sign_data = user_data;
  self->sign_data_destroy = destroy;
}

/**
 * tirkeu_portal_client_sign_out:
 * @self: a #TirkeuPortalClient
 *
 * Forgets the session token (it is wiped from memory).
 */
void
tirkeu_portal_client_sign_out (TirkeuPortalClient *self)
{
  gboolean was_signed_in;

  g_return_if_fail (TIRKEU_IS_PORTAL_CLIENT (self));

  was_signed_in = self->session_token != NULL;
  wipe_session (self);
  self->session_generation++;
  if (was_signed_in)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SIGNED_IN]);
}

guint
_tirkeu_portal_client_get_n_attempts (TirkeuPortalClient *self)
{
  return self->n_attempts;
}

/* ------------------------------------------------------------------------------------------ */
/* The transport                                                                              */

typedef struct
{
  char *method;
  char *path;
  GBytes *body;
  char *idempotency_key;
  TirkeuPortalCallFlags flags;

  guint attempt;              /* attempts made so far for this call */
  gboolean renewed;           /* the session was (re)opened once for this call */
  guint generation;           /* the session the current attempt used */

  /* the attempt in flight */
  SoupMessage *message;
  GInputStream *stream;
  GByteArray *answer;
  GCancellable *attempt_cancellable;
  gulong cancelled_id;
  GSource *deadline;
  gboolean timed_out;
} Call;

static void
call_end_attempt (Call         *call,
                  GCancellable *cancellable)
{
  if (call->deadline != NULL)
    {
      g_source_destroy (call->deadline);
      g_clear_pointer (&call->deadline, g_source_unref);
    }
  if (call->cancelled_id != 0)
    {
      g_cancellable_disconnect (cancellable, call->cancelled_id);
      call->cancelled_id = 0;
    }
  g_clear_object (&call->attempt_cancellable);
  g_clear_object (&call->stream);
  g_clear_object (&call->message);
  g_clear_pointer (&call->answer, g_byte_array_unref);
}

static void
call_free (Call *call)
{
  g_assert (call->deadline == NULL && call->cancelled_id == 0);
  g_clear_object (&call->attempt_cancellable);
  g_clear_object (&call->stream);
  g_clear_object (&call->message);
  g_clear_pointer (&call->answer, g_byte_array_unref);
  g_free (call->method);
  g_free (call->path);
  g_clear_pointer (&call->body, g_bytes_unref);
  g_free (call->idempotency_key);
  g_free (call);
}

static void call_attempt (GTask *task);

/* Maps a failure of the HTTP exchange itself (no answer, or an answer cut short) to the
 * client-side codes. Returns NULL for a cancellation by the caller, which is handed on as
 * G_IO_ERROR_CANCELLED. */
static GError *
transport_error (TirkeuPortalClient *self,
                 Call               *call,
                 GError             *error,
                 gboolean            reading)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      if (call->timed_out)
        return g_error_new (TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_TIMEOUT,
                            _("The portal did not answer within %u ms"), self->timeout_ms);
      return NULL;
    }

  if (error->domain == G_TLS_ERROR)
    return g_error_new (TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_TLS,
                        _("The portal's certificate is not trusted: %s"), error->message);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return g_error_new (TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_TIMEOUT,
                        _("The portal did not answer in time: %s"), error->message);

  if (error->domain == SOUP_SESSION_ERROR &&
      (error->code == SOUP_SESSION_ERROR_PARSING || error->code == SOUP_SESSION_ERROR_ENCODING))
    return g_error_new (TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_MALFORMED,
                        _("The portal's answer is not valid HTTP: %s"), error->message);

  if (reading)
    return g_error_new (TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_NETWORK,
                        _("The connection to the portal broke before the whole answer "
                          "arrived: %s"), error->message);

  return g_error_new (TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_NETWORK,
                      _("The portal could not be reached: %s"), error->message);
}

static gboolean
retry_wait_cb (gpointer user_data)
{
  GTask *task = user_data;

  /* A cancellation during the wait wakes this up early (the child source). */
  /* The source drops its reference to the task when it goes; the next attempt holds its own. */
  if (g_task_return_error_if_cancelled (task))
    return G_SOURCE_REMOVE;

  call_attempt (g_object_ref (task));
  return G_SOURCE_REMOVE;
}

static gboolean
retry_cancelled_cb (GCancellable *cancellable,
                    gpointer      user_data)
{
  return G_SOURCE_REMOVE;
}

/* Either schedules the next attempt or returns @error (taken) through @task. Only calls that
 * are safe to repeat are retried, and only for failures that a repetition can cure. */
static void
call_fail (GTask  *task,
           GError *error)
{
  TirkeuPortalClient *self = g_task_get_source_object (task);
  Call *call = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  guint retry_after = 0;
  guint delay_ms;
  GSource *wait;

  call_end_attempt (call, cancellable);

  if (error == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Cancelled"));
      g_object_unref (task);
      return;
    }

  if (error->domain == TIRKEU_PORTAL_ERROR)
    retry_after = tirkeu_portal_error_get_retry_after (error);

  if (!(call->flags & TIRKEU_PORTAL_CALL_RETRY_SAFE) ||
      !tirkeu_portal_error_is_transient (error) ||
      call->attempt >= self->max_attempts ||
      retry_after > RETRY_AFTER_MAX_S)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  if (retry_after > 0)
    {
      /* The portal said how long: wait that, plus a little jitter so that clients that were
       * refused together do not come back together. */
      delay_ms = retry_after * 1000 + g_random_int_range (0, self->retry_base_ms + 1);
    }
  else
    {
      guint64 backoff = (guint64) self->retry_base_ms << MIN (call->attempt - 1, 16);

      backoff = MIN (backoff, RETRY_MAX_DELAY_MS);
      /* "Equal jitter": half fixed, half random. */
      delay_ms = (guint) (backoff / 2 + g_random_int_range (0, (gint32) (backoff / 2) + 1));
    }

  g_debug ("%s %s: attempt %u failed (%s), retrying in %u ms",
           call->method, call->path, call->attempt,
           tirkeu_portal_code_to_string (error->code), delay_ms);
  g_error_free (error);

  wait = g_timeout_source_new (delay_ms);
  g_source_set_callback (wait, retry_wait_cb, task, g_object_unref);
  if (cancellable != NULL)
    {
      g_autoptr(GSource) cancelled = g_cancellable_source_new (cancellable);

      g_source_set_callback (cancelled, G_SOURCE_FUNC (retry_cancelled_cb), NULL, NULL);
      g_source_add_child_source (wait, cancelled);
    }
  g_source_set_name (wait, "[tirkeu] portal retry");
  g_source_attach (wait, g_task_get_context (task));
  g_source_unref (wait);
}

static guint
parse_retry_after (SoupMessageHeaders *headers)
{
  const char *value = soup_message_headers_get_one (headers, "Retry-After");
  guint64 seconds;

  if (value == NULL)
    return 0;

  if (g_ascii_string_to_unsigned (value, 10, 0, G_MAXUINT32, &seconds, NULL))
    return (guint) MIN (seconds, G_MAXUINT);

  {
    /* The HTTP-date form. */
    g_autoptr(GDateTime) when = soup_date_time_new_from_http_string (value);
    g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
    GTimeSpan span;

    if (when == NULL)
      return 0;
    span = g_date_time_difference (when, now);
    return span <= 0 ? 0 : (guint) MIN (span / G_TIME_SPAN_SECOND + 1, G_MAXUINT);
  }
}

static TirkeuPortalCode
code_for_status (guint status)
{
  switch (status)
    {
    case SOUP_STATUS_BAD_REQUEST:
      return TIRKEU_PORTAL_CODE_VALIDATION_FAILED;
    case SOUP_STATUS_UNAUTHORIZED:
      return TIRKEU_PORTAL_CODE_UNAUTHORIZED;
    case SOUP_STATUS_NOT_FOUND:
      return TIRKEU_PORTAL_CODE_NOT_FOUND;
    case SOUP_STATUS_CONFLICT:
      return TIRKEU_PORTAL_CODE_CONFLICT;
    case 429: /* Too Many Requests: not in libsoup 3.2's enum */
      return TIRKEU_PORTAL_CODE_RATE_LIMITED;
    case SOUP_STATUS_BAD_GATEWAY:
    case SOUP_STATUS_SERVICE_UNAVAILABLE:
    case SOUP_STATUS_GATEWAY_TIMEOUT:
      return TIRKEU_PORTAL_CODE_UNAVAILABLE;
    default:
      return status >= 500 ? TIRKEU_PORTAL_CODE_INTERNAL : TIRKEU_PORTAL_CODE_UNKNOWN;
    }
}

/* An answer outside 2xx. A body that follows the error model gives the portal's code and
 * texts; anything else (a proxy's HTML page) is judged by the status alone. */
static GError *
error_from_answer (guint   status,
                   GBytes *body)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) parse_error = NULL;
  GError *error = NULL;
  gsize len;
  const char *data = g_bytes_get_data (body, &len);

  if (len > 0 && g_utf8_validate (data, len, NULL) &&
      json_parser_load_from_data (parser, data, len, &parse_error))
    error = tirkeu_portal_json_to_error (json_parser_get_root (parser), status, NULL);

  if (error == NULL)
    {
      error = g_error_new (TIRKEU_PORTAL_ERROR, code_for_status (status),
                           _("The portal answered HTTP %u without an error description"),
                           status);
      _tirkeu_portal_error_set_http_status (error, status);
    }

  return error;
}

static void
call_finish_answer (GTask *task)
{
  TirkeuPortalClient *self = g_task_get_source_object (task);
  Call *call = g_task_get_task_data (task);
  g_autoptr(GBytes) body = NULL;
  guint status = soup_message_get_status (call->message);
  GError *error;

  body = g_byte_array_free_to_bytes (g_steal_pointer (&call->answer));

  g_debug ("%s %s: HTTP %u, %zu bytes (attempt %u)", call->method, call->path, status,
           g_bytes_get_size (body), call->attempt);

  if (SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      g_autoptr(JsonParser) parser = json_parser_new_immutable ();
      g_autoptr(GError) parse_error = NULL;
      gsize len;
      const char *data = g_bytes_get_data (body, &len);
      JsonNode *root;

      call_end_attempt (call, g_task_get_cancellable (task));

      if (len == 0)
        {
          g_task_return_pointer (task, json_node_new (JSON_NODE_NULL),
                                 (GDestroyNotify) json_node_unref);
          g_object_unref (task);
          return;
        }

      /* The contract says UTF-8; json-glib would accept some invalid sequences silently. */
      if (!g_utf8_validate (data, len, NULL) ||
          !json_parser_load_from_data (parser, data, len, &parse_error))
        {
          /* A malformed answer is not retried: the operation may have taken effect, and
           * repeating a broken answer teaches nothing. */
          g_task_return_new_error (task, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_MALFORMED,
                                   _("The portal's answer is not valid JSON: %s"),
                                   parse_error != NULL ? parse_error->message
                                                       : _("invalid UTF-8"));
          g_object_unref (task);
          return;
        }

      root = json_parser_steal_root (parser);
      if (root == NULL)
        root = json_node_new (JSON_NODE_NULL);
      g_task_return_pointer (task, root, (GDestroyNotify) json_node_unref);
      g_object_unref (task);
      return;
    }

  error = error_from_answer (status, body);
  if (tirkeu_portal_error_get_retry_after (error) == 0)
    _tirkeu_portal_error_set_retry_after (error,
                                          parse_retry_after (soup_message_get_response_headers (call->message)));

  /* An expired session is renewed once, then the call is sent again. The renewal is skipped
   * when another call already renewed the session since this attempt was sent. */
  if ((call->flags & TIRKEU_PORTAL_CALL_AUTH) &&
      (error->code == TIRKEU_PORTAL_CODE_SESSION_EXPIRED ||
       error->code == TIRKEU_PORTAL_CODE_UNAUTHORIZED) &&
      !call->renewed && self->sign_func != NULL)
    {
      call_end_attempt (call, g_task_get_cancellable (task));
      call->renewed = TRUE;
      if (call->generation != self->session_generation && self->session_token != NULL)
        {
          g_clear_error (&error);
          call_attempt (task);
          return;
        }
      g_debug ("%s %s: %s, signing in again", call->method, call->path,
               tirkeu_portal_code_to_string (error->code));
      g_clear_error (&error);
      tirkeu_portal_client_sign_out (self);
      sign_in_begin (self, task);
      return;
    }

  call_fail (task, error);
}

static void
return_too_large (GTask   *task,
                  guint64  limit)
{
  /* xgettext cannot see through G_GUINT64_FORMAT: the number goes in as text */
  g_autofree char *bytes = g_strdup_printf ("%" G_GUINT64_FORMAT, limit);

  g_task_return_new_error (task, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_TOO_LARGE,
                           _("The portal's answer is larger than %s bytes"), bytes);
}

static void
read_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  GTask *task = user_data;
  TirkeuPortalClient *self = g_task_get_source_object (task);
  Call *call = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) chunk = NULL;

  chunk = g_input_stream_read_bytes_finish (G_INPUT_STREAM (object), result, &error);
  if (chunk == NULL)
    {
      call_fail (task, transport_error (self, call, error, TRUE));
      return;
    }

  if (g_bytes_get_size (chunk) == 0)
    {
      call_finish_answer (task);
      return;
    }

  /* The bound holds whatever Content-Length said (chunked answers have none). */
  if (call->answer->len + g_bytes_get_size (chunk) > self->max_answer_size)
    {
      call_end_attempt (call, g_task_get_cancellable (task));
      return_too_large (task, self->max_answer_size);
      g_object_unref (task);
      return;
    }

  g_byte_array_append (call->answer, g_bytes_get_data (chunk, NULL), g_bytes_get_size (chunk));
  g_input_stream_read_bytes_async (call->stream, READ_CHUNK, G_PRIORITY_DEFAULT,
                                   call->attempt_cancellable, read_cb, task);
}

static void
send_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  GTask *task = user_data;
  TirkeuPortalClient *self = g_task_get_source_object (task);
  Call *call = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  SoupMessageHeaders *headers;
  const char *environment;
  goffset length;

  call->stream = soup_session_send_finish (SOUP_SESSION (object), result, &error);
  if (call->stream == NULL)
    {
      call_fail (task, transport_error (self, call, error, FALSE));
      return;
    }

  headers = soup_message_get_response_headers (call->message);
  environment = soup_message_headers_get_one (headers, ENVIRONMENT_HEADER);
  if (environment != NULL)
    set_is_sandbox (self, g_ascii_strcasecmp (environment, "sandbox") == 0);

  /* A declared length is refused early; the read below is bounded anyway. */
  length = soup_message_headers_get_content_length (headers);
  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH &&
      (guint64) length > self->max_answer_size)
    {
      call_end_attempt (call, g_task_get_cancellable (task));
      return_too_large (task, self->max_answer_size);
      g_object_unref (task);
      return;
    }

  call->answer = g_byte_array_new ();
  g_input_stream_read_bytes_async (call->stream, READ_CHUNK, G_PRIORITY_DEFAULT,
                                   call->attempt_cancellable, read_cb, task);
}

static gboolean
deadline_cb (gpointer user_data)
{
  Call *call = user_data;

  call->timed_out = TRUE;
  g_clear_pointer (&call->deadline, g_source_unref);
  g_cancellable_cancel (call->attempt_cancellable);

  return G_SOURCE_REMOVE;
}

static void
parent_cancelled_cb (GCancellable *cancellable,
                     gpointer      user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
}

static void
call_attempt (GTask *task)
{
  TirkeuPortalClient *self = g_task_get_source_object (task);
  Call *call = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autofree char *url = NULL;
  SoupMessageHeaders *headers;

  if ((call->flags & TIRKEU_PORTAL_CALL_AUTH) && self->session_token == NULL)
    {
      if (self->sign_func != NULL && !call->renewed)
        {
          call->renewed = TRUE;
          sign_in_begin (self, task);
          return;
        }
      g_task_return_new_error (task, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_UNAUTHORIZED,
                               _("Not signed in to the portal"));
      g_object_unref (task);
      return;
    }

  url = g_strconcat (self->base_url, call->path, NULL);
  call->message = soup_message_new (call->method, url);
  if (call->message == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               "Cannot build a request for %s", call->path);
      g_object_unref (task);
      return;
    }

  headers = soup_message_get_request_headers (call->message);
  soup_message_headers_replace (headers, "Accept", "application/json");
  if (call->idempotency_key != NULL)
    soup_message_headers_replace (headers, "Idempotency-Key", call->idempotency_key);
  if (call->flags & TIRKEU_PORTAL_CALL_AUTH)
    {
      g_autofree char *authorization = g_strconcat ("Bearer ", self->session_token, NULL);

      soup_message_headers_replace (headers, "Authorization", authorization);
      explicit_bzero (authorization, strlen (authorization));
      call->generation = self->session_generation;
    }
  if (call->body != NULL)
    soup_message_set_request_body_from_bytes (call->message,
                                              "application/json; charset=utf-8", call->body);
  /* The contract has no redirects: following one would hand the bearer token to wherever it
   * points. A 3xx is an answer like any other non-2xx. */
  soup_message_add_flags (call->message, SOUP_MESSAGE_NO_REDIRECT);
  /* Our retries are deliberate; libsoup must not resend a POST on its own. */
  if (call->flags & TIRKEU_PORTAL_CALL_RETRY_SAFE)
    soup_message_add_flags (call->message, SOUP_MESSAGE_IDEMPOTENT);

  call->attempt++;
  self->n_attempts++;
  call->timed_out = FALSE;
  call->attempt_cancellable = g_cancellable_new ();
  if (cancellable != NULL)
    call->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (parent_cancelled_cb),
                                                g_object_ref (call->attempt_cancellable),
                                                g_object_unref);

  call->deadline = g_timeout_source_new (self->timeout_ms);
  g_source_set_callback (call->deadline, deadline_cb, call, NULL);
  g_source_set_name (call->deadline, "[tirkeu] portal deadline");
  g_source_attach (call->deadline, g_task_get_context (task));

  soup_session_send_async (self->session, call->message, G_PRIORITY_DEFAULT,
                           call->attempt_cancellable, send_cb, task);
}

void
_tirkeu_portal_client_call_async (TirkeuPortalClient    *self,
                                  const char            *method,
                                  const char            *path,
                                  GBytes                *body,
                                  const char            *idempotency_key,
                                  TirkeuPortalCallFlags  flags,
                                  GCancellable          *cancellable,
                                  GAsyncReadyCallback    callback,
                                  gpointer               user_data)
{
  GTask *task;
  Call *call;

  g_return_if_fail (TIRKEU_IS_PORTAL_CLIENT (self));
  g_return_if_fail (method != NULL && path != NULL && path[0] == '/');

  call = g_new0 (Call, 1);
  call->method = g_strdup (method);
  call->path = g_strdup (path);
  call->body = body != NULL ? g_bytes_ref (body) : NULL;
  call->idempotency_key = g_strdup (idempotency_key);
  call->flags = flags;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, _tirkeu_portal_client_call_async);
  g_task_set_task_data (task, call, (GDestroyNotify) call_free);

  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return;
    }

  /* The task holds itself until it returns: every path below ends in g_object_unref. */
  call_attempt (task);
}

JsonNode *
_tirkeu_portal_client_call_finish (TirkeuPortalClient  *self,
                                   GAsyncResult        *result,
                                   GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        _tirkeu_portal_client_call_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ------------------------------------------------------------------------------------------ */
/* Sign-in: a challenge, its CMS signature by the AUTH key (the sign function), a session     */

typedef struct
{
  TirkeuPortalClient *self;
  GCancellable *cancellable;
  char *challenge_id;
} SignIn;

static void
sign_in_free (SignIn *sign_in)
{
  g_clear_object (&sign_in->self);
  g_clear_object (&sign_in->cancellable);
  g_free (sign_in->challenge_id);
  g_free (sign_in);
}

/* Hands the outcome to every task that waited for this sign-in: a transport call is sent
 * (again), a sign_in_async() task gets the seller. Exactly one of @seller and @error. */
static void
sign_in_complete (SignIn             *sign_in,
                  TirkeuPortalSeller *seller,
                  GError             *error)
{
  TirkeuPortalClient *self = sign_in->self;
  g_autoptr(GPtrArray) waiters = g_steal_pointer (&self->sign_in_waiters);

  self->sign_in_waiters = g_ptr_array_new ();
  self->signing_in = FALSE;

  /* Each waiter is handed over with the one reference it holds on itself until it returns. */
  for (guint i = 0; i < waiters->len; i++)
    {
      GTask *waiter = g_ptr_array_index (waiters, i);

      if (g_task_get_source_tag (waiter) == _tirkeu_portal_client_call_async && error == NULL)
        {
          call_attempt (waiter);
          continue;
        }

      if (error != NULL)
        g_task_return_error (waiter, g_error_copy (error));
      else
        g_task_return_pointer (waiter, tirkeu_portal_seller_copy (seller),
                               (GDestroyNotify) tirkeu_portal_seller_free);
      g_object_unref (waiter);
    }

  tirkeu_portal_seller_free (seller);
  g_clear_error (&error);
  sign_in_free (sign_in);
}

static void
session_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  SignIn *sign_in = user_data;
  TirkeuPortalClient *self = sign_in->self;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GDateTime) expires_at = NULL;
  GError *error = NULL;
  TirkeuPortalSeller *seller;
  char *token = NULL;

  root = _tirkeu_portal_client_call_finish (self, result, &error);
  if (root == NULL)
    {
      sign_in_complete (sign_in, NULL, error);
      return;
    }

  seller = tirkeu_portal_json_to_session (root, &token, &expires_at, &error);
  if (seller == NULL)
    {
      sign_in_complete (sign_in, NULL, error);
      return;
    }

  wipe_session (self);
  self->session_token = token;
  self->session_expires_at = g_steal_pointer (&expires_at);
  self->session_generation++;
  g_debug ("Signed in to the portal as seller %.4s********", seller->bin);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SIGNED_IN]);

  sign_in_complete (sign_in, seller, NULL);
}

static void
signature_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  SignIn *sign_in = user_data;
  TirkeuPortalClient *self = sign_in->self;
  g_autoptr(GBytes) signature = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) body_root = NULL;
  g_autofree char *encoded = NULL;
  g_autoptr(GBytes) body = NULL;
  GError *error = NULL;
  char *text;
  gsize len;

  if (self->sign_finish_func == NULL)
    {
      sign_in_complete (sign_in, NULL,
                        g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                             _("The sign function was removed")));
      return;
    }

  signature = self->sign_finish_func (self, result, &error, self->sign_data);
  if (signature == NULL)
    {
      if (error == NULL)
        error = g_error_new_literal (TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_SIGNATURE_INVALID,
                                     _("No signature was made"));
      sign_in_complete (sign_in, NULL, error);
      return;
    }

  encoded = g_base64_encode (g_bytes_get_data (signature, NULL), g_bytes_get_size (signature));
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "challenge_id");
  json_builder_add_string_value (builder, sign_in->challenge_id);
  json_builder_set_member_name (builder, "signature");
  json_builder_add_string_value (builder, encoded);
  json_builder_end_object (builder);
  body_root = json_builder_get_root (builder);
  json_generator_set_root (generator, body_root);
  text = json_generator_to_data (generator, &len);
  body = g_bytes_new_take (text, len);

  /* Never retried: the challenge is single use (contract). */
  _tirkeu_portal_client_call_async (self, "POST", "/api/v1/auth/session", body, NULL,
                                    TIRKEU_PORTAL_CALL_NONE, sign_in->cancellable,
                                    session_cb, sign_in);
}

static void
challenge_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  SignIn *sign_in = user_data;
  TirkeuPortalClient *self = sign_in->self;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GBytes) challenge = NULL;
  GError *error = NULL;

  root = _tirkeu_portal_client_call_finish (self, result, &error);
  if (root == NULL ||
      !tirkeu_portal_json_to_challenge (root, &sign_in->challenge_id, &challenge, &error))
    {
      sign_in_complete (sign_in, NULL, error);
      return;
    }

  if (self->sign_func == NULL)
    {
      sign_in_complete (sign_in, NULL,
                        g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                             _("The sign function was removed")));
      return;
    }

  self->sign_func (self, challenge, sign_in->cancellable, signature_cb, sign_in,
                   self->sign_data);
}

/* Joins @waiter to the sign-in under way, or starts one. The first waiter's cancellable
 * cancels the sign-in for all. */
static void
sign_in_begin (TirkeuPortalClient *self,
               GTask              *waiter)
{
  SignIn *sign_in;

  g_ptr_array_add (self->sign_in_waiters, waiter);
  if (self->signing_in)
    return;

  self->signing_in = TRUE;
  sign_in = g_new0 (SignIn, 1);
  sign_in->self = g_object_ref (self);
  sign_in->cancellable = g_task_get_cancellable (waiter) != NULL
    ? g_object_ref (g_task_get_cancellable (waiter)) : NULL;

  /* Asking for a challenge again is harmless (contract), so it may be retried. */
  _tirkeu_portal_client_call_async (self, "POST", "/api/v1/auth/challenge", NULL, NULL,
                                    TIRKEU_PORTAL_CALL_RETRY_SAFE, sign_in->cancellable,
                                    challenge_cb, sign_in);
}

/**
 * tirkeu_portal_client_sign_in_async:
 * @self: a #TirkeuPortalClient with a sign function
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: for @callback
 *
 * Signs in: asks for a challenge, has the sign function sign it with the AUTH key, and opens
 * a session. The token stays in memory only.
 */
void
tirkeu_portal_client_sign_in_async (TirkeuPortalClient  *self,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (TIRKEU_IS_PORTAL_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tirkeu_portal_client_sign_in_async);

  if (self->sign_func == NULL)
    {
      g_task_return_new_error (task, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_UNAUTHORIZED,
                               _("No EDS token is set up to sign in to the portal"));
      return;
    }

  sign_in_begin (self, g_steal_pointer (&task));
}

/**
 * tirkeu_portal_client_sign_in_finish:
 *
 * Returns: (transfer full): the signed-in seller's profile (with the OKED check of step 1)
 */
TirkeuPortalSeller *
tirkeu_portal_client_sign_in_finish (TirkeuPortalClient  *self,
                                     GAsyncResult        *result,
                                     GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        tirkeu_portal_client_sign_in_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ------------------------------------------------------------------------------------------ */
/* Operations: each is one transport call and one mapping                                     */

typedef gpointer (*MapFunc) (JsonNode  *root,
                             GTask     *task,
                             GError   **error);

static void
operation_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TirkeuPortalClient *self = TIRKEU_PORTAL_CLIENT (object);
  MapFunc map = g_task_get_task_data (task);
  g_autoptr(JsonNode) root = NULL;
  GError *error = NULL;
  gpointer value;

  root = _tirkeu_portal_client_call_finish (self, result, &error);
  if (root == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  value = map (root, task, &error);
  if (value == NULL)
    g_task_return_error (task, error);
}

/* Returns the task (owned by the call in flight) so that a caller may attach data to it. */
static GTask *
operation_start (TirkeuPortalClient    *self,
                 gpointer               source_tag,
                 const char            *method,
                 const char            *path,
                 GBytes                *body,
                 const char            *idempotency_key,
                 TirkeuPortalCallFlags  flags,
                 MapFunc                map,
                 GCancellable          *cancellable,
                 GAsyncReadyCallback    callback,
                 gpointer               user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, map, NULL);
  _tirkeu_portal_client_call_async (self, method, path, body, idempotency_key, flags,
                                    cancellable, operation_cb, task);
  return task;
}

static gpointer
operation_finish (TirkeuPortalClient  *self,
                  GAsyncResult        *result,
                  gpointer             source_tag,
                  GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static GBytes *
json_body (JsonBuilder *builder)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  char *text;
  gsize len;

  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, &len);
  return g_bytes_new_take (text, len);
}

/* about */

static gpointer
map_about (JsonNode *root, GTask *task, GError **error)
{
  TirkeuPortalAbout *about = tirkeu_portal_json_to_about (root, error);

  if (about != NULL)
    {
      set_is_sandbox (g_task_get_source_object (task), about->sandbox);
      g_task_return_pointer (task, about, (GDestroyNotify) tirkeu_portal_about_free);
    }
  return about;
}

/**
 * tirkeu_portal_client_get_about_async:
 *
 * GET /api/v1/about: which portal this is (no session needed). Sets
 * #TirkeuPortalClient:is-sandbox.
 */
void
tirkeu_portal_client_get_about_async (TirkeuPortalClient  *self,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_return_if_fail (TIRKEU_IS_PORTAL_CLIENT (self));

  operation_start (self, tirkeu_portal_client_get_about_async, "GET", "/api/v1/about", NULL,
                   NULL, TIRKEU_PORTAL_CALL_RETRY_SAFE, map_about, cancellable, callback,
                   user_data);
}

TirkeuPortalAbout *
tirkeu_portal_client_get_about_finish (TirkeuPortalClient  *self,
                                       GAsyncResult        *result,
                                       GError             **error)
{
  return operation_finish (self, result, tirkeu_portal_client_get_about_async, error);
}

/* seller */

static gpointer
map_seller (JsonNode *root, GTask *task, GError **error)
{
  JsonObject *object = tirkeu_portal_json_root_object (root, error);
  TirkeuPortalSeller *seller = object != NULL ? tirkeu_portal_json_to_seller (object, NULL, error)
                                              : NULL;

  if (seller != NULL)
    g_task_return_pointer (task, seller, (GDestroyNotify) tirkeu_portal_seller_free);
  return seller;
}

/**
 * tirkeu_portal_client_get_seller_async:
 *
 * GET /api/v1/seller: the signed-in seller's profile and the OKED check of step 1.
 */
void
tirkeu_portal_client_get_seller_async (TirkeuPortalClient  *self,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_return_if_fail (TIRKEU_IS_PORTAL_CLIENT (self));

  operation_start (self, tirkeu_portal_client_get_seller_async, "GET", "/api/v1/seller", NULL,
                   NULL, TIRKEU_PORTAL_CALL_AUTH | TIRKEU_PORTAL_CALL_RETRY_SAFE, map_seller,
                   cancellable, callback, user_data);
}

TirkeuPortalSeller *
tirkeu_portal_client_get_seller_finish (TirkeuPortalClient  *self,
                                        GAsyncResult        *result,
                                        GError             **error)
{
  return operation_finish (self, result, tirkeu_portal_client_get_seller_async, error);
}

/* vehicle */

static gpointer
map_vehicle_check (JsonNode *root, GTask *task, GError **error)
{
  TirkeuPortalVehicleCheck *check = tirkeu_portal_json_to_vehicle_check (root, error);

  if (check != NULL)
    g_task_return_pointer (task, check, (GDestroyNotify) tirkeu_portal_vehicle_check_free);
  return check;
}

/**
 * tirkeu_portal_client_check_vehicle_async:
 * @vin: the VIN
 *
 * GET /api/v1/vehicles/{vin}: steps 2-5, each with its own outcome.
 */
void
tirkeu_portal_client_check_vehicle_async (TirkeuPortalClient  *self,
                                          const char          *vin,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  g_autofree char *escaped = NULL;
  g_autofree char *path = NULL;

  g_return_if_fail (TIRKEU_IS_PORTAL_CLIENT (self));
  g_return_if_fail (vin != NULL);

  escaped = g_uri_escape_string (vin, NULL, FALSE);
  path = g_strconcat ("/api/v1/vehicles/", escaped, NULL);
  operation_start (self, tirkeu_portal_client_check_vehicle_async, "GET", path, NULL, NULL,
                   TIRKEU_PORTAL_CALL_AUTH | TIRKEU_PORTAL_CALL_RETRY_SAFE, map_vehicle_check,
                   cancellable, callback, user_data);
}

TirkeuPortalVehicleCheck *
tirkeu_portal_client_check_vehicle_finish (TirkeuPortalClient  *self,
                                           GAsyncResult        *result,
                                           GError             **error)
{
  return operation_finish (self, result, tirkeu_portal_client_check_vehicle_async, error);
}

/* person */

static gpointer
map_person (JsonNode *root, GTask *task, GError **error)
{
  TirkeuPortalPerson *person = tirkeu_portal_json_to_person (root, error);

  if (person != NULL)
    g_task_return_pointer (task, person, (GDestroyNotify) tirkeu_portal_person_free);
  return person;
}

/**
 * tirkeu_portal_client_check_person_async:
 * @iin: the buyer's IIN
 *
 * GET /api/v1/persons/{iin}: steps 6-7. An IIN that GBD FL does not know is
 * %TIRKEU_PORTAL_CODE_PERSON_NOT_FOUND.
 */
void
tirkeu_portal_client_check_person_async (TirkeuPortalClient  *self,
                                         const char          *iin,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  g_autofree char *escaped = NULL;
  g_autofree char *path = NULL;

  g_return_if_fail (TIRKEU_IS_PORTAL_CLIENT (self));
  g_return_if_fail (iin != NULL);

  escaped = g_uri_escape_string (iin, NULL, FALSE);
  path = g_strconcat ("/api/v1/persons/", escaped, NULL);
  operation_start (self, tirkeu_portal_client_check_person_async, "GET", path, NULL, NULL,
                   TIRKEU_PORTAL_CALL_AUTH | TIRKEU_PORTAL_CALL_RETRY_SAFE, map_person,
                   cancellable, callback, user_data);
}

TirkeuPortalPerson *
tirkeu_portal_client_check_person_finish (TirkeuPortalClient  *self,
                                          GAsyncResult        *result,
                                          GError             **error)
{
  return operation_finish (self, result, tirkeu_portal_client_check_person_async, error);
}

/* contracts */

static gpointer
map_contracts (JsonNode *root, GTask *task, GError **error)
{
  GPtrArray *contracts = tirkeu_portal_json_to_contracts (root, error);

  if (contracts != NULL)
    g_task_return_pointer (task, contracts, (GDestroyNotify) g_ptr_array_unref);
  return contracts;
}

/**
 * tirkeu_portal_client_find_contracts_async:
 * @vin: the VIN
 * @buyer_iin: the buyer's IIN
 *
 * GET /api/v1/contracts: step 8. Finishes with a #GPtrArray of #TirkeuPortalContract, newest
 * first, possibly empty.
 */
void
tirkeu_portal_client_find_contracts_async (TirkeuPortalClient  *self,
                                           const char          *vin,
                                           const char          *buyer_iin,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data)
{
  g_autofree char *vin_escaped = NULL;
  g_autofree char *iin_escaped = NULL;
  g_autofree char *path = NULL;

  g_return_if_fail (TIRKEU_IS_PORTAL_CLIENT (self));
  g_return_if_fail (vin != NULL && buyer_iin != NULL);

  vin_escaped = g_uri_escape_string (vin, NULL, FALSE);
  iin_escaped = g_uri_escape_string (buyer_iin, NULL, FALSE);
  path = g_strconcat ("/api/v1/contracts?vin=", vin_escaped, "&buyer_iin=", iin_escaped, NULL);
  operation_start (self, tirkeu_portal_client_find_contracts_async, "GET", path, NULL, NULL,
                   TIRKEU_PORTAL_CALL_AUTH | TIRKEU_PORTAL_CALL_RETRY_SAFE, map_contracts,
                   cancellable, callback, user_data);
}

/**
 * tirkeu_portal_client_find_contracts_finish:
 *
 * Returns: (transfer container) (element-type TirkeuPortalContract): the contracts
 */
GPtrArray *
tirkeu_portal_client_find_contracts_finish (TirkeuPortalClient  *self,
                                            GAsyncResult        *result,
                                            GError             **error)
{
  return operation_finish (self, result, tirkeu_portal_client_find_contracts_async, error);
}

/* requests */

typedef struct
{
  TirkeuRequest *request;
  TirkeuPortalRequestInfo *info;
} RequestResult;

static void
request_result_free (RequestResult *result)
{
  g_clear_object (&result->request);
  g_clear_pointer (&result->info, tirkeu_portal_request_info_free);
  g_free (result);
}

static gpointer
map_request (JsonNode *root, GTask *task, GError **error)
{
  JsonObject *object = tirkeu_portal_json_root_object (root, error);
  RequestResult *result;
  TirkeuRequest *request;
  TirkeuPortalRequestInfo *info = NULL;

  if (object == NULL)
    return NULL;
  request = tirkeu_portal_json_to_request (object, NULL, &info, error);
  if (request == NULL)
    return NULL;

  result = g_new0 (RequestResult, 1);
  result->request = request;
  result->info = info;
  g_task_return_pointer (task, result, (GDestroyNotify) request_result_free);
  return result;
}

/* Like map_request, and the request keeps the Idempotency-Key it was created with. */
static gpointer
map_created_request (JsonNode *root, GTask *task, GError **error)
{
  const char *key = g_object_get_data (G_OBJECT (task), "idempotency-key");
  JsonObject *object = tirkeu_portal_json_root_object (root, error);
  g_autoptr(TirkeuRequest) request = NULL;
  TirkeuPortalRequestInfo *info = NULL;
  RequestResult *result;

  if (object == NULL)
    return NULL;
  request = tirkeu_portal_json_to_request (object, NULL, &info, error);
  if (request == NULL)
    return NULL;

  result = g_new0 (RequestResult, 1);
  result->info = info;
  /* The core keeps only UUID keys (the ones Tirkeu makes); any other key the caller chose
   * was still sent, the request just keeps a key of its own. */
  if (key != NULL && g_uuid_string_is_valid (key))
    result->request = tirkeu_portal_json_request_set_idempotency_key (request, key, error);
  else
    result->request = g_object_ref (request);
  if (result->request == NULL)
    {
      request_result_free (result);
      return NULL;
    }
  g_task_return_pointer (task, result, (GDestroyNotify) request_result_free);
  return result;
}

static TirkeuRequest *
request_finish (TirkeuPortalClient       *self,
                GAsyncResult             *result,
                gpointer                  source_tag,
                TirkeuPortalRequestInfo **info,
                GError                  **error)
{
  RequestResult *request_result = operation_finish (self, result, source_tag, error);
  TirkeuRequest *request;

  if (request_result == NULL)
    return NULL;
  request = g_steal_pointer (&request_result->request);
  if (info != NULL)
    *info = g_steal_pointer (&request_result->info);
  request_result_free (request_result);

  return request;
}

/**
 * tirkeu_portal_client_create_request_async:
 * @idempotency_key: a key made once per request and kept with the draft (1-128 characters
 *   of [A-Za-z0-9._:-]): sending it again returns the request created the first time
 * @vin: the VIN
 * @buyer_iin: the buyer's IIN
 * @contract_number: the number of a contract from step 8
 *
 * POST /api/v1/requests. Retried after a lost answer, since the key makes it safe.
 */
void
tirkeu_portal_client_create_request_async (TirkeuPortalClient  *self,
                                           const char          *idempotency_key,
                                           const char          *vin,
                                           const char          *buyer_iin,
                                           const char          *contract_number,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GBytes) body = NULL;
  GTask *task;

  g_return_if_fail (TIRKEU_IS_PORTAL_CLIENT (self));
  g_return_if_fail (idempotency_key != NULL && idempotency_key[0] != '\0');
  g_return_if_fail (vin != NULL && buyer_iin != NULL && contract_number != NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "vin");
  json_builder_add_string_value (builder, vin);
  json_builder_set_member_name (builder, "buyer_iin");
  json_builder_add_string_value (builder, buyer_iin);
  json_builder_set_member_name (builder, "contract_number");
  json_builder_add_string_value (builder, contract_number);
  json_builder_end_object (builder);
  body = json_body (builder);

  task = operation_start (self, tirkeu_portal_client_create_request_async, "POST",
                          "/api/v1/requests", body, idempotency_key,
                          TIRKEU_PORTAL_CALL_AUTH | TIRKEU_PORTAL_CALL_RETRY_SAFE,
                          map_created_request, cancellable, callback, user_data);
  g_object_set_data_full (G_OBJECT (task), "idempotency-key", g_strdup (idempotency_key),
                          g_free);
}

/**
 * tirkeu_portal_client_create_request_finish:
 * @info: (out) (optional) (transfer full): the portal's details; its `signing_payload` is
 *   the exact bytes the seller signs at step 9, to be signed as they are
 *
 * Returns: (transfer full): the request, in stage contract_found (or further, when the same
 *   Idempotency-Key was used before)
 */
TirkeuRequest *
tirkeu_portal_client_create_request_finish (TirkeuPortalClient       *self,
                                            GAsyncResult             *result,
                                            TirkeuPortalRequestInfo **info,
                                            GError                  **error)
{
  return request_finish (self, result, tirkeu_portal_client_create_request_async, info, error);
}

static char *
request_path (const char *request_id,
              const char *action)
{
  g_autofree char *escaped = g_uri_escape_string (request_id, NULL, FALSE);

  return g_strconcat ("/api/v1/requests/", escaped, action, NULL);
}

/**
 * tirkeu_portal_client_submit_signature_async:
 * @request_id: the portal's id of the request
 * @signature: the DER CMS signature of its signing payload, made with the SIGN key
 *
 * POST /api/v1/requests/{id}/signature: step 9. Sending the same signature again is safe
 * (contract), so it is retried after a lost answer.
 */
void
tirkeu_portal_client_submit_signature_async (TirkeuPortalClient  *self,
                                             const char          *request_id,
                                             GBytes              *signature,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GBytes) body = NULL;
  g_autofree char *encoded = NULL;
  g_autofree char *path = NULL;

  g_return_if_fail (TIRKEU_IS_PORTAL_CLIENT (self));
  g_return_if_fail (request_id != NULL && signature != NULL);

  encoded = g_base64_encode (g_bytes_get_data (signature, NULL), g_bytes_get_size (signature));
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "signature");
  json_builder_add_string_value (builder, encoded);
  json_builder_end_object (builder);
  body = json_body (builder);
  path = request_path (request_id, "/signature");

  operation_start (self, tirkeu_portal_client_submit_signature_async, "POST", path, body, NULL,
                   TIRKEU_PORTAL_CALL_AUTH | TIRKEU_PORTAL_CALL_RETRY_SAFE, map_request,
                   cancellable, callback, user_data);
}

/**
 * tirkeu_portal_client_submit_signature_finish:
 *
 * Returns: (transfer full): the request, now awaiting_buyer (or further)
 */
TirkeuRequest *
tirkeu_portal_client_submit_signature_finish (TirkeuPortalClient  *self,
                                              GAsyncResult        *result,
                                              TirkeuPortalRequestInfo **info,
                                              GError             **error)
{
  return request_finish (self, result, tirkeu_portal_client_submit_signature_async, info, error);
}

/**
 * tirkeu_portal_client_get_request_async:
 * @request_id: the portal's id of the request
 *
 * GET /api/v1/requests/{id}: the request with its history.
 */
void
tirkeu_portal_client_get_request_async (TirkeuPortalClient  *self,
                                        const char          *request_id,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  g_autofree char *path = NULL;

  g_return_if_fail (TIRKEU_IS_PORTAL_CLIENT (self));
  g_return_if_fail (request_id != NULL);

  path = request_path (request_id, "");
  operation_start (self, tirkeu_portal_client_get_request_async, "GET", path, NULL, NULL,
                   TIRKEU_PORTAL_CALL_AUTH | TIRKEU_PORTAL_CALL_RETRY_SAFE, map_request,
                   cancellable, callback, user_data);
}

TirkeuRequest *
tirkeu_portal_client_get_request_finish (TirkeuPortalClient  *self,
                                         GAsyncResult        *result,
                                         TirkeuPortalRequestInfo **info,
                                         GError             **error)
{
  return request_finish (self, result, tirkeu_portal_client_get_request_async, info, error);
}

/**
 * tirkeu_portal_client_withdraw_async:
 * @request_id: the portal's id of the request
 *
 * POST /api/v1/requests/{id}/withdraw: allowed until the buyer approved; repeating it is
 * safe (contract).
 */
void
tirkeu_portal_client_withdraw_async (TirkeuPortalClient  *self,
                                     const char          *request_id,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autofree char *path = NULL;

  g_return_if_fail (TIRKEU_IS_PORTAL_CLIENT (self));
  g_return_if_fail (request_id != NULL);

  path = request_path (request_id, "/withdraw");
  operation_start (self, tirkeu_portal_client_withdraw_async, "POST", path, NULL, NULL,
                   TIRKEU_PORTAL_CALL_AUTH | TIRKEU_PORTAL_CALL_RETRY_SAFE, map_request,
                   cancellable, callback, user_data);
}

TirkeuRequest *
tirkeu_portal_client_withdraw_finish (TirkeuPortalClient  *self,
                                      GAsyncResult        *result,
                                      TirkeuPortalRequestInfo **info,
                                      GError             **error)
{
  return request_finish (self, result, tirkeu_portal_client_withdraw_async, info, error);
}

/* changes */

static gpointer
map_changes (JsonNode *root, GTask *task, GError **error)
{
  TirkeuPortalChanges *changes = tirkeu_portal_json_to_changes (root, error);

  if (changes != NULL)
    g_task_return_pointer (task, changes, (GDestroyNotify) tirkeu_portal_changes_free);
  return changes;
}

/**
 * tirkeu_portal_client_get_changes_async:
 * @cursor: (nullable): the cursor of the last page, %NULL for everything
 *
 * GET /api/v1/changes: one page of the seller's requests that changed since @cursor. An
 * unknown cursor is %TIRKEU_PORTAL_CODE_VALIDATION_FAILED (details.field "cursor"): sync
 * again without one.
 */
void
tirkeu_portal_client_get_changes_async (TirkeuPortalClient  *self,
                                        const char          *cursor,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  g_autofree char *path = NULL;

  g_return_if_fail (TIRKEU_IS_PORTAL_CLIENT (self));

  if (cursor != NULL)
    {
      g_autofree char *escaped = g_uri_escape_string (cursor, NULL, FALSE);

      path = g_strconcat ("/api/v1/changes?cursor=", escaped, NULL);
    }
  else
    path = g_strdup ("/api/v1/changes");

  operation_start (self, tirkeu_portal_client_get_changes_async, "GET", path, NULL, NULL,
                   TIRKEU_PORTAL_CALL_AUTH | TIRKEU_PORTAL_CALL_RETRY_SAFE, map_changes,
                   cancellable, callback, user_data);
}

TirkeuPortalChanges *
tirkeu_portal_client_get_changes_finish (TirkeuPortalClient  *self,
                                         GAsyncResult        *result,
                                         GError             **error)
{
  return operation_finish (self, result, tirkeu_portal_client_get_changes_async, error);
}
