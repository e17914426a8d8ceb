/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>

#include "tirkeu-portal-client.h"
#include "tirkeu-portal-error.h"
#include "tirkeu-portal-json.h"
#include "tirkeu-portal-private.h"

#define DEFAULT_TIMEOUT_MS      30000
#define DEFAULT_MAX_ATTEMPTS    4
#define DEFAULT_RETRY_BASE_MS   250
#define DEFAULT_MAX_ANSWER_SIZE (4 * 1024 * 1024)

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

void
_tirkeu_portal_client_set_is_sandbox (TirkeuPortalClient *self,
                                      gboolean            is_sandbox)
{
  is_sandbox = !!is_sandbox;
  if (self->is_sandbox == is_sandbox)
    return;
  self->is_sandbox = is_sandbox;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IS_SANDBOX]);
}

/* Takes @token and @expires_at: the session a sign-in opened replaces any before it. */
void
_tirkeu_portal_client_set_session (TirkeuPortalClient *self,
                                   char               *token,
                                   GDateTime          *expires_at)
{
  wipe_session (self);
  self->session_token = token;
  self->session_expires_at = expires_at;
  self->session_generation++;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SIGNED_IN]);
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
   * The longest one operation may take, from sending to the last byte of the answer, all
   * its attempts and the waits between them included: a portal that trickles its answer
   * holds the user this long and no longer. Time spent signing in (the token, a PIN) does
   * not count.
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
