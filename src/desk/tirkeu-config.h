/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define TIRKEU_TYPE_CONFIG (tirkeu_config_get_type ())

G_DECLARE_FINAL_TYPE (TirkeuConfig, tirkeu_config, TIRKEU, CONFIG, GObject)

TirkeuConfig *tirkeu_config_new                      (GSettings    *settings);
GSettings    *tirkeu_config_get_settings             (TirkeuConfig *self);

const char   *tirkeu_config_get_portal_url           (TirkeuConfig *self);
const char   *tirkeu_config_get_ca_file              (TirkeuConfig *self);
const char   *tirkeu_config_get_pkcs11_module        (TirkeuConfig *self);
const char   *tirkeu_config_get_ocsp_url             (TirkeuConfig *self);
const char   *tirkeu_config_get_tsa_url              (TirkeuConfig *self);
gboolean      tirkeu_config_get_ocsp_unreachable_stops (TirkeuConfig *self);
const char   *tirkeu_config_get_ca_certificates      (TirkeuConfig *self);
guint         tirkeu_config_get_refresh_interval     (TirkeuConfig *self);
const char   *tirkeu_config_get_language             (TirkeuConfig *self);
void          tirkeu_config_set_language             (TirkeuConfig *self,
                                                      const char   *language);

void          tirkeu_config_override                 (TirkeuConfig *self,
                                                      const char   *key,
                                                      const char   *value);
gboolean      tirkeu_config_is_overridden            (TirkeuConfig *self,
                                                      const char   *key);

gboolean      tirkeu_config_get_training             (TirkeuConfig *self);
gboolean      tirkeu_config_get_portal_reports_sandbox (TirkeuConfig *self);
void          tirkeu_config_set_portal_reports_sandbox (TirkeuConfig *self,
                                                        gboolean      sandbox);

gboolean      tirkeu_url_is_loopback                 (const char   *url);
gboolean      tirkeu_language_is_valid               (const char   *language);
char         *tirkeu_scan_language_option            (int           argc,
                                                      char        **argv);

G_END_DECLS
