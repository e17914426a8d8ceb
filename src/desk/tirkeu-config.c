/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "tirkeu-config.h"

/**
 * TirkeuConfig:
 *
 * The configuration this run of Tirkeu uses: the GSettings values, except those that a
 * command-line option overrides. An override lasts for the run and is never written back to
 * GSettings; a later change of that setting (in the preferences) is stored but does not
 * change the effective value until the next start.
 *
 * Later layers read the portal address, CA file and PKCS#11 module from here, never from
 * GSettings directly, so that `--portal-url` and friends reach them.
 */
struct _TirkeuConfig
{
  GObject    parent_instance;

  /* owned references */
  GSettings *settings;

  /* effective values */
  char      *portal_url;
  char      *ca_file;
  char      *pkcs11_module;
  char      *ocsp_url;
  char      *tsa_url;
  char      *ocsp_unreachable;
  char      *ca_certificates;
  char      *language;
  guint      refresh_interval;

  /* keys set from the command line, by setting name */
  GHashTable *overridden;

  guint      portal_reports_sandbox : 1;
};

G_DEFINE_FINAL_TYPE (TirkeuConfig, tirkeu_config, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_SETTINGS,
  PROP_PORTAL_URL,
  PROP_CA_FILE,
  PROP_PKCS11_MODULE,
  PROP_OCSP_URL,
  PROP_TSA_URL,
  PROP_OCSP_UNREACHABLE,
  PROP_CA_CERTIFICATES,
  PROP_LANGUAGE,
  PROP_REFRESH_INTERVAL,
  PROP_TRAINING,
  PROP_PORTAL_REPORTS_SANDBOX,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The string settings that a command-line option may override, and their properties. */
static const struct {
  const char *key;
  guint       prop_id;
  gsize       offset;
} string_keys[] = {
  { "portal-url", PROP_PORTAL_URL, G_STRUCT_OFFSET (TirkeuConfig, portal_url) },
  { "ca-file", PROP_CA_FILE, G_STRUCT_OFFSET (TirkeuConfig, ca_file) },
  { "pkcs11-module", PROP_PKCS11_MODULE, G_STRUCT_OFFSET (TirkeuConfig, pkcs11_module) },
  { "ocsp-url", PROP_OCSP_URL, G_STRUCT_OFFSET (TirkeuConfig, ocsp_url) },
  { "tsa-url", PROP_TSA_URL, G_STRUCT_OFFSET (TirkeuConfig, tsa_url) },
  { "ocsp-unreachable", PROP_OCSP_UNREACHABLE, G_STRUCT_OFFSET (TirkeuConfig, ocsp_unreachable) },
  { "ca-certificates", PROP_CA_CERTIFICATES, G_STRUCT_OFFSET (TirkeuConfig, ca_certificates) },
};

static gboolean
set_string_key (TirkeuConfig *self,
                guint         index,
                const char   *value)
{
  char **field = G_STRUCT_MEMBER_P (self, string_keys[index].offset);
  gboolean training_before = tirkeu_config_get_training (self);

  if (g_strcmp0 (*field, value) == 0)
    return FALSE;

  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[string_keys[index].prop_id]);

  if (training_before != tirkeu_config_get_training (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TRAINING]);

  return TRUE;
}

/* Each setting follows GSettings through a binding, one way (the configuration never writes
 * back), until a command-line option overrides it: then the binding goes. */
static void
tirkeu_config_constructed (GObject *object)
{
  TirkeuConfig *self = TIRKEU_CONFIG (object);

  G_OBJECT_CLASS (tirkeu_config_parent_class)->constructed (object);

  g_assert (G_IS_SETTINGS (self->settings));

  for (guint i = 0; i < G_N_ELEMENTS (string_keys); i++)
    g_settings_bind (self->settings, string_keys[i].key, self, string_keys[i].key,
                     G_SETTINGS_BIND_GET);
  g_settings_bind (self->settings, "refresh-interval", self, "refresh-interval",
                   G_SETTINGS_BIND_GET);
}

static void
set_refresh_interval (TirkeuConfig *self,
                      guint         interval)
{
  if (interval == self->refresh_interval)
    return;
  self->refresh_interval = interval;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REFRESH_INTERVAL]);
}

static void
tirkeu_config_dispose (GObject *object)
{
  TirkeuConfig *self = TIRKEU_CONFIG (object);

  g_clear_object (&self->settings);

  G_OBJECT_CLASS (tirkeu_config_parent_class)->dispose (object);
}

static void
tirkeu_config_finalize (GObject *object)
{
  TirkeuConfig *self = TIRKEU_CONFIG (object);

  g_clear_pointer (&self->portal_url, g_free);
  g_clear_pointer (&self->ca_file, g_free);
  g_clear_pointer (&self->pkcs11_module, g_free);
  g_clear_pointer (&self->ocsp_url, g_free);
  g_clear_pointer (&self->tsa_url, g_free);
  g_clear_pointer (&self->ocsp_unreachable, g_free);
  g_clear_pointer (&self->ca_certificates, g_free);
  g_clear_pointer (&self->language, g_free);
  g_clear_pointer (&self->overridden, g_hash_table_unref);

  G_OBJECT_CLASS (tirkeu_config_parent_class)->finalize (object);
}

static void
tirkeu_config_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  TirkeuConfig *self = TIRKEU_CONFIG (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;
    case PROP_PORTAL_URL:
      g_value_set_string (value, self->portal_url);
      break;
    case PROP_CA_FILE:
      g_value_set_string (value, self->ca_file);
      break;
    case PROP_PKCS11_MODULE:
      g_value_set_string (value, self->pkcs11_module);
      break;
    case PROP_OCSP_URL:
      g_value_set_string (value, self->ocsp_url);
      break;
    case PROP_TSA_URL:
      g_value_set_string (value, self->tsa_url);
      break;
    case PROP_OCSP_UNREACHABLE:
      g_value_set_string (value, self->ocsp_unreachable);
      break;
    case PROP_CA_CERTIFICATES:
      g_value_set_string (value, self->ca_certificates);
      break;
    case PROP_LANGUAGE:
      g_value_set_string (value, tirkeu_config_get_language (self));
      break;
    case PROP_REFRESH_INTERVAL:
      g_value_set_uint (value, self->refresh_interval);
      break;
    case PROP_TRAINING:
      g_value_set_boolean (value, tirkeu_config_get_training (self));
      break;
    case PROP_PORTAL_REPORTS_SANDBOX:
      g_value_set_boolean (value, self->portal_reports_sandbox);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tirkeu_config_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  TirkeuConfig *self = TIRKEU_CONFIG (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;
    case PROP_PORTAL_URL:
    case PROP_CA_FILE:
    case PROP_PKCS11_MODULE:
    case PROP_OCSP_URL:
    case PROP_TSA_URL:
    case PROP_OCSP_UNREACHABLE:
    case PROP_CA_CERTIFICATES:
      for (guint i = 0; i < G_N_ELEMENTS (string_keys); i++)
        if (string_keys[i].prop_id == prop_id)
          set_string_key (self, i, g_value_get_string (value));
      break;
    case PROP_REFRESH_INTERVAL:
      set_refresh_interval (self, g_value_get_uint (value));
      break;
    case PROP_LANGUAGE:
      tirkeu_config_set_language (self, g_value_get_string (value));
      break;
    case PROP_PORTAL_REPORTS_SANDBOX:
      tirkeu_config_set_portal_reports_sandbox (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
tirkeu_config_class_init (TirkeuConfigClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = tirkeu_config_constructed;
  object_class->dispose = tirkeu_config_dispose;
  object_class->finalize = tirkeu_config_finalize;
  object_class->get_property = tirkeu_config_get_property;
  object_class->set_property = tirkeu_config_set_property;

  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL, G_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * TirkeuConfig:portal-url:
   *
   * The portal's base address for this run. Like the CA file, the PKCS#11 module and the
   * refresh interval, it follows its setting (a one-way g_settings_bind()) unless a
   * command-line option overrides it; a value written here is never stored in GSettings.
   */
  properties[PROP_PORTAL_URL] =
    g_param_spec_string ("portal-url", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * TirkeuConfig:ca-file:
   *
   * A PEM file with the only CAs trusted for the portal, or "" for the system's trust.
   */
  properties[PROP_CA_FILE] =
    g_param_spec_string ("ca-file", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * TirkeuConfig:pkcs11-module:
   *
   * The PKCS#11 module: an absolute path or a bare name for the library search path.
   */
  properties[PROP_PKCS11_MODULE] =
    g_param_spec_string ("pkcs11-module", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * TirkeuConfig:ocsp-url:
   *
   * The OCSP responder asked about the signer's certificate before signing; "" for the
   * portal's /pki/ocsp.
   */
  properties[PROP_OCSP_URL] =
    g_param_spec_string ("ocsp-url", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * TirkeuConfig:tsa-url:
   *
   * The timestamp authority that stamps each signature (CAdES-T); "" for the portal's
   * /pki/tsa.
   */
  properties[PROP_TSA_URL] =
    g_param_spec_string ("tsa-url", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * TirkeuConfig:ocsp-unreachable:
   *
   * What signing does when the OCSP responder gives no answer that can be trusted:
   * "continue" (sign, and say so) or "stop".
   */
  properties[PROP_OCSP_UNREACHABLE] =
    g_param_spec_string ("ocsp-unreachable", NULL, NULL, "continue",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * TirkeuConfig:ca-certificates:
   *
   * A file (PEM or DER) of certification authority certificates where the issuer of a
   * signer's certificate is looked for first; "" for none (the portal's /pki/ca.cer, then
   * the certificate's caIssuers address).
   */
  properties[PROP_CA_CERTIFICATES] =
    g_param_spec_string ("ca-certificates", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * TirkeuConfig:language:
   *
   * The interface language chosen for this run: "system", "kk", "ru" or "en". gettext is
   * set up once at start, so this does not follow the setting while running.
   */
  properties[PROP_LANGUAGE] =
    g_param_spec_string ("language", NULL, NULL, "system",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * TirkeuConfig:refresh-interval:
   *
   * Seconds between two status refreshes of the requests awaiting the buyer.
   */
  properties[PROP_REFRESH_INTERVAL] =
    g_param_spec_uint ("refresh-interval", NULL, NULL, 1, G_MAXUINT, 60,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * TirkeuConfig:training:
   *
   * Whether the portal is a training sandbox: it said so in its answers
   * (#TirkeuConfig:portal-reports-sandbox), or its address is a loopback one.
   */
  properties[PROP_TRAINING] =
    g_param_spec_boolean ("training", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * TirkeuConfig:portal-reports-sandbox:
   *
   * Set by the portal layer when the portal's answers say it is a sandbox.
   */
  properties[PROP_PORTAL_REPORTS_SANDBOX] =
    g_param_spec_boolean ("portal-reports-sandbox", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tirkeu_config_init (TirkeuConfig *self)
{
  self->overridden = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->language = g_strdup ("system");
  self->refresh_interval = 60;
}

/**
 * tirkeu_config_new:
 * @settings: the application's #GSettings (schema `io.github.tirkeu.Tirkeu`)
 *
 * Returns: (transfer full): a new #TirkeuConfig following @settings
 */
TirkeuConfig *
tirkeu_config_new (GSettings *settings)
{
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  return g_object_new (TIRKEU_TYPE_CONFIG, "settings", settings, NULL);
}

/**
 * tirkeu_config_get_settings:
 *
 * Returns: (transfer none): the settings this configuration follows
 */
GSettings *
tirkeu_config_get_settings (TirkeuConfig *self)
{
  g_return_val_if_fail (TIRKEU_IS_CONFIG (self), NULL);

  return self->settings;
}

/**
 * tirkeu_config_get_ocsp_url:
 *
 * Returns: (nullable): the OCSP responder's address; %NULL or "" for the portal's
 */
const char *
tirkeu_config_get_ocsp_url (TirkeuConfig *self)
{
  g_return_val_if_fail (TIRKEU_IS_CONFIG (self), NULL);

  return self->ocsp_url;
}

/**
 * tirkeu_config_get_tsa_url:
 *
 * Returns: (nullable): the timestamp authority's address; %NULL or "" for the portal's
 */
const char *
tirkeu_config_get_tsa_url (TirkeuConfig *self)
{
  g_return_val_if_fail (TIRKEU_IS_CONFIG (self), NULL);

  return self->tsa_url;
}

/**
 * tirkeu_config_get_ocsp_unreachable_stops:
 *
 * Returns: %TRUE if signing stops when the OCSP responder cannot be reached
 *   (#TirkeuConfig:ocsp-unreachable is "stop"), %FALSE if it goes on
 */
/**
 * tirkeu_config_get_ca_certificates:
 *
 * Returns: (nullable): the file of CA certificates to find issuers in, or ""
 */
const char *
tirkeu_config_get_ca_certificates (TirkeuConfig *self)
{
  g_return_val_if_fail (TIRKEU_IS_CONFIG (self), NULL);

  return self->ca_certificates;
}

gboolean
tirkeu_config_get_ocsp_unreachable_stops (TirkeuConfig *self)
{
  g_return_val_if_fail (TIRKEU_IS_CONFIG (self), FALSE);

  return g_strcmp0 (self->ocsp_unreachable, "stop") == 0;
}

const char *
tirkeu_config_get_portal_url (TirkeuConfig *self)
{
  g_return_val_if_fail (TIRKEU_IS_CONFIG (self), NULL);

  return self->portal_url;
}

const char *
tirkeu_config_get_ca_file (TirkeuConfig *self)
{
  g_return_val_if_fail (TIRKEU_IS_CONFIG (self), NULL);

  return self->ca_file;
}

const char *
tirkeu_config_get_pkcs11_module (TirkeuConfig *self)
{
  g_return_val_if_fail (TIRKEU_IS_CONFIG (self), NULL);

  return self->pkcs11_module;
}

guint
tirkeu_config_get_refresh_interval (TirkeuConfig *self)
{
  g_return_val_if_fail (TIRKEU_IS_CONFIG (self), 0);

  return self->refresh_interval;
}

const char *
tirkeu_config_get_language (TirkeuConfig *self)
{
  g_return_val_if_fail (TIRKEU_IS_CONFIG (self), NULL);

  return self->language;
}

/**
 * tirkeu_config_set_language:
 * @language: (nullable): the language gettext was set up with ("system" when %NULL)
 *
 * Records the language of this run. It does not change gettext: only main() does that.
 */
void
tirkeu_config_set_language (TirkeuConfig *self,
                            const char   *language)
{
  g_return_if_fail (TIRKEU_IS_CONFIG (self));

  if (language == NULL || *language == '\0')
    language = "system";

  if (g_strcmp0 (self->language, language) == 0)
    return;

  g_free (self->language);
  self->language = g_strdup (language);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LANGUAGE]);
}

/**
 * tirkeu_config_override:
 * @key: "portal-url", "ca-file", "pkcs11-module", "ocsp-url", "tsa-url",
 *   "ocsp-unreachable" or "ca-certificates"
 * @value: the value for this run
 *
 * Makes @value the effective value of @key for the life of @self, whatever the setting
 * says or later becomes. The setting itself is left alone.
 */
void
tirkeu_config_override (TirkeuConfig *self,
                        const char   *key,
                        const char   *value)
{
  g_return_if_fail (TIRKEU_IS_CONFIG (self));
  g_return_if_fail (key != NULL);
  g_return_if_fail (value != NULL);

  for (guint i = 0; i < G_N_ELEMENTS (string_keys); i++)
    {
      if (g_str_equal (key, string_keys[i].key))
        {
          /* For the run: the setting may still change (the preferences store it), the
           * effective value no longer follows it. */
          g_settings_unbind (self, key);
          g_hash_table_add (self->overridden, g_strdup (key));
          set_string_key (self, i, value);
          return;
        }
    }

  g_critical ("Setting “%s” cannot be overridden", key);
}

gboolean
tirkeu_config_is_overridden (TirkeuConfig *self,
                             const char   *key)
{
  g_return_val_if_fail (TIRKEU_IS_CONFIG (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  return g_hash_table_contains (self->overridden, key);
}

gboolean
tirkeu_config_get_training (TirkeuConfig *self)
{
  g_return_val_if_fail (TIRKEU_IS_CONFIG (self), FALSE);

  return self->portal_reports_sandbox || tirkeu_url_is_loopback (self->portal_url);
}

gboolean
tirkeu_config_get_portal_reports_sandbox (TirkeuConfig *self)
{
  g_return_val_if_fail (TIRKEU_IS_CONFIG (self), FALSE);

  return self->portal_reports_sandbox;
}

/**
 * tirkeu_config_set_portal_reports_sandbox:
 * @sandbox: whether the portal's answers say it is a sandbox
 *
 * For the portal layer: a sandbox may run on any address, and its own word makes the
 * window show the training marker.
 */
void
tirkeu_config_set_portal_reports_sandbox (TirkeuConfig *self,
                                          gboolean      sandbox)
{
  gboolean training_before;

  g_return_if_fail (TIRKEU_IS_CONFIG (self));

  sandbox = !!sandbox;
  if (self->portal_reports_sandbox == (guint) sandbox)
    return;

  training_before = tirkeu_config_get_training (self);
  self->portal_reports_sandbox = sandbox;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PORTAL_REPORTS_SANDBOX]);
  if (training_before != tirkeu_config_get_training (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TRAINING]);
}

/**
 * tirkeu_url_is_loopback:
 * @url: (nullable): an absolute URL
 *
 * Whether @url names this machine: 127.0.0.0/8, ::1, "localhost" or a name under
 * ".localhost" (RFC 6761, section 6.3). The real portal is never there, so such an address
 * is a sandbox.
 *
 * Returns: %TRUE for a loopback address
 */
gboolean
tirkeu_url_is_loopback (const char *url)
{
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GInetAddress) address = NULL;
  g_autofree char *host = NULL;
  gsize length;

  if (url == NULL || *url == '\0')
    return FALSE;

  uri = g_uri_parse (url, G_URI_FLAGS_NON_DNS, NULL);
  if (uri == NULL || g_uri_get_host (uri) == NULL)
    return FALSE;

  address = g_inet_address_new_from_string (g_uri_get_host (uri));
  if (address != NULL)
    return g_inet_address_get_is_loopback (address);

  host = g_ascii_strdown (g_uri_get_host (uri), -1);
  length = strlen (host);
  /* A fully qualified "localhost." is the same name. */
  if (length > 0 && host[length - 1] == '.')
    host[length - 1] = '\0';

  return g_str_equal (host, "localhost") || g_str_has_suffix (host, ".localhost");
}

/**
 * tirkeu_language_is_valid:
 * @language: (nullable): a language name
 *
 * Returns: whether @language is one the `language` setting and `--language` accept
 */
gboolean
tirkeu_language_is_valid (const char *language)
{
  static const char * const valid[] = { "system", "kk", "ru", "en", NULL };

  return language != NULL && g_strv_contains (valid, language);
}

/**
 * tirkeu_scan_language_option:
 * @argc: the argument count of main()
 * @argv: (array length=argc): the arguments of main()
 *
 * Finds `--language VALUE` or `--language=VALUE` before GOption parses the command line,
 * because gettext must be set up before any translatable string is used, and GOption
 * parses only in g_application_run(). The last one wins, as with GOption; the scan stops at
 * "--". The value is not checked here: GOption's parse reports a bad one.
 *
 * Returns: (transfer full) (nullable): the value, or %NULL when absent
 */
char *
tirkeu_scan_language_option (int    argc,
                             char **argv)
{
  const char *found = NULL;

  for (int i = 1; i < argc && argv[i] != NULL; i++)
    {
      if (g_str_equal (argv[i], "--"))
        break;

      if (g_str_equal (argv[i], "--language"))
        {
          if (i + 1 < argc && argv[i + 1] != NULL)
            found = argv[++i];
        }
      else if (g_str_has_prefix (argv[i], "--language="))
        {
          found = argv[i] + strlen ("--language=");
        }
    }

  return g_strdup (found);
}
