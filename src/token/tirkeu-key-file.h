/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <openssl/types.h>
#include <openssl/x509.h>

#include "tirkeu-certificate.h"

G_BEGIN_DECLS

#define TIRKEU_TYPE_KEY_FILE (tirkeu_key_file_get_type ())

G_DECLARE_FINAL_TYPE (TirkeuKeyFile, tirkeu_key_file, TIRKEU, KEY_FILE, GObject)

TirkeuKeyFile      *tirkeu_key_file_new_from_bytes     (GBytes         *p12,
                                                        const char     *password,
                                                        GError        **error);
TirkeuKeyFile      *tirkeu_key_file_new_from_file      (GFile          *file,
                                                        const char     *password,
                                                        GCancellable   *cancellable,
                                                        GError        **error);
X509               *tirkeu_key_file_get_certificate    (TirkeuKeyFile  *self);
GBytes             *tirkeu_key_file_get_certificate_der (TirkeuKeyFile *self);
GPtrArray          *tirkeu_key_file_get_chain          (TirkeuKeyFile  *self);
TirkeuKeyAlgorithm  tirkeu_key_file_get_algorithm      (TirkeuKeyFile  *self);
GBytes             *tirkeu_key_file_sign               (TirkeuKeyFile  *self,
                                                        GBytes         *to_be_signed,
                                                        GError        **error);

OSSL_LIB_CTX       *tirkeu_key_file_get_lib_ctx        (void);
GBytes             *tirkeu_key_file_write_pkcs12       (const PKCS8_PRIV_KEY_INFO *key,
                                                        X509           *certificate,
                                                        GPtrArray      *chain,
                                                        const char     *password,
                                                        GError        **error);

G_END_DECLS
