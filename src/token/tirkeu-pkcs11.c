/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <dlfcn.h>
#include <string.h>

#include "tirkeu-pkcs11.h"
#include "tirkeu-pkcs11-gost.h"
#include "tirkeu-token-error.h"

/* Why our own dlopen() and no C_Initialize: tirkeu-pkcs11.h. */

struct _TirkeuPkcs11
{
  void                 *module;
  CK_FUNCTION_LIST_PTR  functions;
};

/**
 * _tirkeu_pkcs11_open:
 * @module_path: the module libp11 has loaded
 * @error: a %TIRKEU_TOKEN_ERROR_MODULE error
 *
 * Returns: (transfer full): the module's function list, for raw calls, or %NULL
 */
TirkeuPkcs11 *
_tirkeu_pkcs11_open (const char  *module_path,
                     GError     **error)
{
  g_autofree TirkeuPkcs11 *self = g_new0 (TirkeuPkcs11, 1);
  CK_C_GetFunctionList get_function_list;

  self->module = dlopen (module_path, RTLD_NOW | RTLD_LOCAL);
  if (self->module == NULL)
    {
      g_set_error (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_MODULE, "%s (%s)",
                   tirkeu_token_error_to_message (TIRKEU_TOKEN_ERROR_MODULE), module_path);
      return NULL;
    }

  get_function_list = (CK_C_GetFunctionList) dlsym (self->module, "C_GetFunctionList");
  if (get_function_list == NULL || get_function_list (&self->functions) != CKR_OK
      || self->functions == NULL)
    {
      dlclose (self->module);
      g_set_error (error, TIRKEU_TOKEN_ERROR, TIRKEU_TOKEN_ERROR_MODULE, "%s (%s)",
                   tirkeu_token_error_to_message (TIRKEU_TOKEN_ERROR_MODULE), module_path);
      return NULL;
    }

  return g_steal_pointer (&self);
}

/**
 * _tirkeu_pkcs11_close:
 * @self: (nullable): from _tirkeu_pkcs11_open()
 *
 * Drops our reference to the module; libp11's keeps it loaded and initialised.
 */
void
_tirkeu_pkcs11_close (TirkeuPkcs11 *self)
{
  if (self == NULL)
    return;
  dlclose (self->module);
  g_free (self);
}

/* CK_TOKEN_INFO's serial number is blank-padded, 16 bytes, not NUL-terminated; libp11
 * reports it trimmed, and so do we. */
static gboolean
same_serial (const CK_TOKEN_INFO *info,
             const char          *serial)
{
  g_autofree char *trimmed = g_strndup ((const char *) info->serialNumber,
                                        sizeof info->serialNumber);

  g_strchomp (trimmed);
  return g_strcmp0 (trimmed, serial) == 0;
}

static CK_RV
find_slot (TirkeuPkcs11 *self,
           const char   *serial,
           CK_SLOT_ID   *slot)
{
  g_autofree CK_SLOT_ID *slots = NULL;
  CK_ULONG n_slots = 0;
  CK_RV rv;

  rv = self->functions->C_GetSlotList (CK_TRUE, NULL, &n_slots);
  if (rv != CKR_OK)
    return rv;
  slots = g_new0 (CK_SLOT_ID, MAX (n_slots, 1));
  rv = self->functions->C_GetSlotList (CK_TRUE, slots, &n_slots);
  if (rv != CKR_OK)
    return rv;

  for (CK_ULONG i = 0; i < n_slots; i++)
    {
      CK_TOKEN_INFO info;

      if (self->functions->C_GetTokenInfo (slots[i], &info) == CKR_OK
          && same_serial (&info, serial))
        {
          *slot = slots[i];
          return CKR_OK;
        }
    }

  return CKR_TOKEN_NOT_PRESENT;
}

static char *
id_to_hex (const guint8 *id,
           gsize         len)
{
  GString *hex = g_string_sized_new (len * 2 + 1);

  for (gsize i = 0; i < len; i++)
    g_string_append_printf (hex, "%02x", id[i]);

  return g_string_free (hex, FALSE);
}

/* The CKA_ID of every object of @klass with the GOST 2012-512 key type, as hex. */
static void
collect_gost_ids (TirkeuPkcs11      *self,
                  CK_SESSION_HANDLE  session,
                  CK_OBJECT_CLASS    klass,
                  GPtrArray         *ids)
{
  CK_KEY_TYPE key_type = TIRKEU_CKK_GOSTR3410_512;
  CK_ATTRIBUTE template[] = {
    { CKA_CLASS, &klass, sizeof klass },
    { CKA_KEY_TYPE, &key_type, sizeof key_type },
  };
  CK_OBJECT_HANDLE objects[16];
  CK_ULONG n_objects = 0;

  if (self->functions->C_FindObjectsInit (session, template, G_N_ELEMENTS (template)) != CKR_OK)
    return;
  while (self->functions->C_FindObjects (session, objects, G_N_ELEMENTS (objects), &n_objects)
         == CKR_OK && n_objects > 0)
    for (CK_ULONG i = 0; i < n_objects; i++)
      {
        guint8 id[256];
        CK_ATTRIBUTE attribute = { CKA_ID, id, sizeof id };
        g_autofree char *hex = NULL;

        if (self->functions->C_GetAttributeValue (session, objects[i], &attribute, 1) != CKR_OK
            || attribute.ulValueLen == CK_UNAVAILABLE_INFORMATION)
          continue;
        hex = id_to_hex (id, attribute.ulValueLen);
        if (!g_ptr_array_find_with_equal_func (ids, hex, g_str_equal, NULL))
          g_ptr_array_add (ids, g_steal_pointer (&hex));
      }
  self->functions->C_FindObjectsFinal (session);
}

/**
 * _tirkeu_pkcs11_list_gost_key_ids:
 * @self: the module
 * @token_serial: the token
 *
 * The ids of the GOST 2012-512 keys the token shows without a PIN: public keys, and private
 * keys of tokens that do not hide them. A certificate with one of these ids has its key on
 * the token.
 *
 * Returns: (transfer full) (element-type utf8): the ids, hex; empty when none or on failure
 */
GPtrArray *
_tirkeu_pkcs11_list_gost_key_ids (TirkeuPkcs11 *self,
                                  const char   *token_serial)
{
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);
  CK_SESSION_HANDLE session;
  CK_SLOT_ID slot;

  if (find_slot (self, token_serial, &slot) != CKR_OK
      || self->functions->C_OpenSession (slot, CKF_SERIAL_SESSION, NULL, NULL, &session) != CKR_OK)
    return ids;

  collect_gost_ids (self, session, CKO_PUBLIC_KEY, ids);
  collect_gost_ids (self, session, CKO_PRIVATE_KEY, ids);
  self->functions->C_CloseSession (session);

  return ids;
}

static gboolean
hex_to_id (const char *hex,
           guint8     *id,
           gsize       max,
           gsize      *len)
{
  gsize hex_len = strlen (hex);

  if (hex_len % 2 != 0 || hex_len / 2 > max)
    return FALSE;
  for (gsize i = 0; i < hex_len / 2; i++)
    {
      int high = g_ascii_xdigit_value (hex[2 * i]);
      int low = g_ascii_xdigit_value (hex[2 * i + 1]);

      if (high < 0 || low < 0)
        return FALSE;
      id[i] = (guint8) (high << 4 | low);
    }
  *len = hex_len / 2;
  return TRUE;
}

static CK_RV
find_private_key (TirkeuPkcs11      *self,
                  CK_SESSION_HANDLE  session,
                  const char        *key_id,
                  CK_OBJECT_HANDLE  *key)
{
  CK_OBJECT_CLASS klass = CKO_PRIVATE_KEY;
  CK_KEY_TYPE key_type = TIRKEU_CKK_GOSTR3410_512;
  guint8 id[256];
  gsize id_len;
  CK_ATTRIBUTE template[] = {
    { CKA_CLASS, &klass, sizeof klass },
    { CKA_KEY_TYPE, &key_type, sizeof key_type },
    { CKA_ID, id, 0 },
  };
  CK_ULONG n_found = 0;
  CK_RV rv;

  if (!hex_to_id (key_id, id, sizeof id, &id_len))
    return CKR_KEY_HANDLE_INVALID;
  template[2].ulValueLen = id_len;

  rv = self->functions->C_FindObjectsInit (session, template, G_N_ELEMENTS (template));
  if (rv != CKR_OK)
    return rv;
  rv = self->functions->C_FindObjects (session, key, 1, &n_found);
  self->functions->C_FindObjectsFinal (session);
  if (rv != CKR_OK)
    return rv;

  return n_found == 1 ? CKR_OK : CKR_KEY_HANDLE_INVALID;
}

static gboolean
mechanism_offered (TirkeuPkcs11      *self,
                   CK_SLOT_ID         slot,
                   CK_MECHANISM_TYPE  mechanism)
{
  CK_MECHANISM_INFO info;

  return self->functions->C_GetMechanismInfo (slot, mechanism, &info) == CKR_OK
         && (info.flags & CKF_SIGN) != 0;
}

/**
 * _tirkeu_pkcs11_gost_sign:
 * @self: the module
 * @token_serial: the token
 * @key_id: the private key's CKA_ID, hex (the certificate's id)
 * @pin: the user PIN, NUL-terminated; also given to the context-specific login of a key
 *   marked CKA_ALWAYS_AUTHENTICATE, so no prompt of any library ever asks for it
 * @to_be_signed: what is signed (the DER of the CMS signed attributes)
 * @digest: its Streebog-512, 64 bytes, for a token that signs digests only
 * @signature_nca: (out caller-allocates): 128 bytes, r‖s little-endian (NCA's layout)
 *
 * Logs in, signs, logs out. The token's own hashing (CKM_GOSTR3410_WITH_GOSTR3411_12_512)
 * is used only when it cannot sign a digest (CKM_GOSTR3410_512): both give the same
 * signature, and the digest is what every other path signs.
 *
 * Returns: CKR_OK, or the PKCS#11 error of the step that failed; CKR_KEY_HANDLE_INVALID
 *   when there is no such key; CKR_MECHANISM_INVALID when the token offers neither
 *   mechanism. A failed C_Login gives its own CKR_PIN_* value, whether the user login or
 *   the context-specific one.
 */
CK_RV
_tirkeu_pkcs11_gost_sign (TirkeuPkcs11 *self,
                          const char   *token_serial,
                          const char   *key_id,
                          const char   *pin,
                          GBytes       *to_be_signed,
                          const guint8 *digest,
                          guint8       *signature_nca)
{
  CK_MECHANISM mechanism = { TIRKEU_CKM_GOSTR3410_512, NULL, 0 };
  CK_BBOOL always_authenticate = CK_FALSE;
  CK_ATTRIBUTE always_attribute = {
    CKA_ALWAYS_AUTHENTICATE, &always_authenticate, sizeof always_authenticate
  };
  guint8 signature[TIRKEU_PKCS11_GOST_512_SIGNATURE_SIZE];
  CK_ULONG signature_len = sizeof signature;
  CK_SESSION_HANDLE session;
  CK_OBJECT_HANDLE key;
  CK_SLOT_ID slot;
  gboolean logged_in = FALSE;
  gconstpointer data;
  gsize data_len;
  CK_RV rv;

  rv = find_slot (self, token_serial, &slot);
  if (rv != CKR_OK)
    return rv;

  if (!mechanism_offered (self, slot, TIRKEU_CKM_GOSTR3410_512))
    {
      if (!mechanism_offered (self, slot, TIRKEU_CKM_GOSTR3410_WITH_GOSTR3411_12_512))
        return CKR_MECHANISM_INVALID;
      mechanism.mechanism = TIRKEU_CKM_GOSTR3410_WITH_GOSTR3411_12_512;
    }

  rv = self->functions->C_OpenSession (slot, CKF_SERIAL_SESSION, NULL, NULL, &session);
  if (rv != CKR_OK)
    return rv;

  rv = self->functions->C_Login (session, CKU_USER, (CK_UTF8CHAR_PTR) pin, strlen (pin));
  if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN)
    goto out;
  logged_in = rv == CKR_OK;

  rv = find_private_key (self, session, key_id, &key);
  if (rv != CKR_OK)
    goto out;
  /* Absent on tokens that predate it: then the key does not need it. */
  if (self->functions->C_GetAttributeValue (session, key, &always_attribute, 1) != CKR_OK)
    always_authenticate = CK_FALSE;

  rv = self->functions->C_SignInit (session, &mechanism, key);
  if (rv != CKR_OK)
    goto out;

  /* PKCS#11 2.40, 5.6: a key with CKA_ALWAYS_AUTHENTICATE needs C_Login(CKU_CONTEXT_SPECIFIC)
   * between C_SignInit and C_Sign, every time. The PIN is the one the user just gave for
   * this signature (PIV and OpenSC ask for the same PIN). */
  if (always_authenticate)
    {
      rv = self->functions->C_Login (session, CKU_CONTEXT_SPECIFIC, (CK_UTF8CHAR_PTR) pin,
                                     strlen (pin));
      if (rv != CKR_OK)
        goto out;
    }

  if (mechanism.mechanism == TIRKEU_CKM_GOSTR3410_512)
    {
      data = digest;
      data_len = TIRKEU_PKCS11_GOST_512_DIGEST_SIZE;
    }
  else
    {
      data = g_bytes_get_data (to_be_signed, &data_len);
    }

  rv = self->functions->C_Sign (session, (CK_BYTE_PTR) data, data_len, signature, &signature_len);
  if (rv == CKR_OK && signature_len != sizeof signature)
    rv = CKR_SIGNATURE_LEN_RANGE;
  if (rv == CKR_OK)
    tirkeu_pkcs11_gost_signature_to_nca (signature, signature_nca);

out:
  if (logged_in)
    self->functions->C_Logout (session);
  self->functions->C_CloseSession (session);

  return rv;
}
