/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/*
 * Raw PKCS#11 calls for what libp11 0.4.12 cannot do: GOST R 34.10-2012 512-bit keys (TC26
 * vendor-defined key type CKK_GOSTR3410_512), for which it makes no PKCS11_KEY and no
 * EVP_PKEY. Used only on the token thread of TirkeuTokenManager, between a load of the
 * module by libp11 and its unload.
 *
 * The function list comes from our own dlopen() of the very file libp11 loaded: libp11 has
 * no public accessor for it, and a second dlopen() of the same path returns the same,
 * already initialised, module instance (PKCS#11 initialisation is per process). So these
 * calls neither C_Initialize nor C_Finalize; they open sessions of their own and close them
 * before returning. p11-kit's module API would have done the same with a new link
 * dependency and a second initialisation count to keep in step with libp11's.
 */

#include <glib.h>
#include <p11-kit/pkcs11.h>

G_BEGIN_DECLS

typedef struct _TirkeuPkcs11 TirkeuPkcs11;

TirkeuPkcs11 *_tirkeu_pkcs11_open                (const char    *module_path,
                                                  GError       **error);
void          _tirkeu_pkcs11_close               (TirkeuPkcs11  *self);

GPtrArray    *_tirkeu_pkcs11_list_gost_key_ids   (TirkeuPkcs11  *self,
                                                  const char    *token_serial);

CK_RV         _tirkeu_pkcs11_gost_sign           (TirkeuPkcs11  *self,
                                                  const char    *token_serial,
                                                  const char    *key_id,
                                                  const char    *pin,
                                                  GBytes        *to_be_signed,
                                                  const guint8  *digest,
                                                  guint8        *signature_nca);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TirkeuPkcs11, _tirkeu_pkcs11_close)

G_END_DECLS
