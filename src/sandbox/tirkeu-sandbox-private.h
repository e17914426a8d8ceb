/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/cms.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "tirkeu-stage.h"

G_BEGIN_DECLS

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BIO, BIO_free_all)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BIGNUM, BN_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CMS_ContentInfo, CMS_ContentInfo_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (X509, X509_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EVP_PKEY, EVP_PKEY_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (X509_STORE, X509_STORE_free)

/* The fixtures (data/sandbox/fixtures.json) and the portal's wording
 * (data/sandbox/messages.json), checked on load; see data/sandbox/README.md. */
typedef struct _SbData SbData;

SbData     *_sb_data_load              (const char  *fixtures_file,
                                        const char  *messages_file,
                                        GError     **error);
void        _sb_data_free              (SbData      *data);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SbData, _sb_data_free)

JsonObject *_sb_data_find              (SbData      *data,
                                        const char  *collection,
                                        const char  *member,
                                        const char  *value);
JsonNode   *_sb_data_text              (SbData      *data,
                                        const char  *section,
                                        const char  *key);
JsonNode   *_sb_data_portal_name       (SbData      *data);
const char *_sb_data_oked_match        (SbData      *data,
                                        JsonObject  *seller);
GList      *_sb_data_contracts         (SbData      *data,
                                        const char  *seller_bin,
                                        const char  *vin,
                                        const char  *buyer_iin);
JsonObject *_sb_data_scenario          (SbData      *data,
                                        const char  *vin,
                                        const char  *buyer_iin);
gboolean    _sb_data_has_fines         (SbData      *data,
                                        const char  *buyer_iin);
JsonObject *_sb_data_tson              (SbData      *data,
                                        const char  *code);
JsonObject *_sb_data_default_refusal   (SbData      *data,
                                        TirkeuStage  stage);

gboolean    _sb_vin_is_wellformed      (const char  *vin);
gboolean    _sb_id_is_valid            (const char  *digits);

G_END_DECLS
