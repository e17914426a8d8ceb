/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A PKCS#11 module for tests only. It stands in for a vendor token (Kaztoken, JaCarta, an ID
 * card through a vendor module) that holds a GOST R 34.10-2012 512-bit key: one slot, one
 * token, one certificate object, its public key and its private key, with the TC26
 * vendor-defined key type and mechanisms (src/token/tirkeu-pkcs11-gost.h):
 * CKK_GOSTR3410_512, CKM_GOSTR3410_512 (signs a 64-byte digest the caller computed) and,
 * unless switched off, CKM_GOSTR3410_WITH_GOSTR3411_12_512 (hashes with Streebog-512 itself).
 * Signatures are made with Nettle's gostdsa (through tirkeu_gost_sign_digest()) and returned
 * as a token returns them: s‖r, each 64 bytes big-endian.
 *
 * The private key may be marked CKA_ALWAYS_AUTHENTICATE, as PIV's signature key is: then
 * every C_Sign needs a C_Login (CKU_CONTEXT_SPECIFIC) with the PIN after its C_SignInit,
 * or it answers CKR_USER_NOT_LOGGED_IN.
 *
 * What the token holds is read at C_Initialize from the file named by
 * $TIRKEU_GOST_TOKEN_CONFIG, one "key=value" a line:
 *   label=, serial=       the token's label and serial number
 *   pin=                  the user PIN
 *   context-pin=          the PIN the context-specific login takes (default: the user PIN;
 *                         a different one lets a test see that login fail on its own)
 *   id=                   CKA_ID of the three objects, hex
 *   key=                  the private scalar: 64 bytes little-endian (NCA's layout), hex
 *   certificate=          path of the certificate, DER
 *   always-authenticate=  yes: the key needs a context-specific login per signature
 *   with-hash=            no: offer CKM_GOSTR3410_512 only
 *   digest-mechanism=     no: offer CKM_GOSTR3410_WITH_GOSTR3411_12_512 only (a token that
 *                         hashes itself)
 *   pin-tries=            N: the user PIN locks after N wrong logins in a row, and the token
 *                         reports its state as vendor tokens do, in C_GetTokenInfo's flags
 *                         (PKCS#11 2.40, CK_TOKEN_INFO): CKF_USER_PIN_COUNT_LOW after a wrong
 *                         login, CKF_USER_PIN_FINAL_TRY with one try left, CKF_USER_PIN_LOCKED
 *                         at none (then every user login answers CKR_PIN_LOCKED)
 *   pin-tries-file=       where the tries left are kept, so that they outlast the process
 *                         as a token's chip keeps them (a CLI test runs one per command)
 * Each context-specific login attempt appends a line to $TIRKEU_GOST_TOKEN_LOG, if set, so
 * that a test can count them.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/streebog.h>
#include <p11-kit/pkcs11.h>

#include "tirkeu-gost.h"
#include "tirkeu-pkcs11-gost.h"

#define SLOT_ID 1
#define MAX_SESSIONS 16
#define KEY_SIZE 64

enum { OBJECT_CERTIFICATE = 1, OBJECT_PUBLIC_KEY, OBJECT_PRIVATE_KEY, N_OBJECTS };

typedef struct
{
  char label[33];
  char serial[17];
  char pin[64];
  char context_pin[64];
  unsigned char id[64];
  size_t id_len;
  unsigned char key[KEY_SIZE];           /* little-endian scalar */
  unsigned char public_key[2 * KEY_SIZE]; /* x‖y, each little-endian */
  unsigned char *certificate;
  size_t certificate_len;
  unsigned long pin_tries;               /* 0: no counter */
  unsigned long pin_tries_left;
  char pin_tries_file[512];
  int always_authenticate;
  int with_hash;
  int digest_mechanism;
} Token;

typedef struct
{
  int open;
  /* find */
  int finding;
  CK_OBJECT_HANDLE found[N_OBJECTS];
  CK_ULONG n_found, next_found;
  /* sign */
  CK_MECHANISM_TYPE sign_mechanism;     /* 0: no operation */
  int context_login_done;
  struct streebog512_ctx hash;
} Session;

static int initialized;
static int logged_in;
static Token token;
static Session sessions[MAX_SESSIONS + 1];   /* handle = index; 0 is never a handle */

/* --- the configuration ------------------------------------------------------------------- */

static int
hex_decode (const char    *hex,
            unsigned char *out,
            size_t         max,
            size_t        *out_len)
{
  size_t len = strlen (hex);

  if (len % 2 != 0 || len / 2 > max)
    return 0;
  for (size_t i = 0; i < len / 2; i++)
    {
      unsigned int byte;

      if (!isxdigit ((unsigned char) hex[2 * i]) || !isxdigit ((unsigned char) hex[2 * i + 1])
          || sscanf (hex + 2 * i, "%2x", &byte) != 1)
        return 0;
      out[i] = (unsigned char) byte;
    }
  *out_len = len / 2;
  return 1;
}

static int
read_file (const char     *path,
           unsigned char **data,
           size_t         *len)
{
  FILE *file = fopen (path, "rb");
  long size;

  if (file == NULL)
    return 0;
  if (fseek (file, 0, SEEK_END) != 0 || (size = ftell (file)) <= 0 || fseek (file, 0, SEEK_SET) != 0)
    {
      fclose (file);
      return 0;
    }
  *data = malloc ((size_t) size);
  *len = fread (*data, 1, (size_t) size, file);
  fclose (file);
  return *len == (size_t) size;
}

/* The public key is derived from the private one, so the configuration cannot disagree. */
static int
derive_public_key (void)
{
  return tirkeu_gost_public_key_from_private (token.key, token.public_key, NULL);
}

static int
load_config (void)
{
  const char *path = getenv ("TIRKEU_GOST_TOKEN_CONFIG");
  char line[1024];
  size_t key_len = 0;
  FILE *file;
  int ok = 1;

  free (token.certificate);
  memset (&token, 0, sizeof token);
  token.with_hash = 1;
  token.digest_mechanism = 1;

  if (path == NULL || (file = fopen (path, "r")) == NULL)
    return 0;

  while (ok && fgets (line, sizeof line, file) != NULL)
    {
      char *value = strchr (line, '=');

      line[strcspn (line, "\r\n")] = '\0';
      if (line[0] == '#' || value == NULL)
        continue;
      *value++ = '\0';

      if (strcmp (line, "label") == 0)
        snprintf (token.label, sizeof token.label, "%s", value);
      else if (strcmp (line, "serial") == 0)
        snprintf (token.serial, sizeof token.serial, "%s", value);
      else if (strcmp (line, "pin") == 0)
        snprintf (token.pin, sizeof token.pin, "%s", value);
      else if (strcmp (line, "context-pin") == 0)
        snprintf (token.context_pin, sizeof token.context_pin, "%s", value);
      else if (strcmp (line, "id") == 0)
        ok = hex_decode (value, token.id, sizeof token.id, &token.id_len);
      else if (strcmp (line, "key") == 0)
        ok = hex_decode (value, token.key, sizeof token.key, &key_len) && key_len == KEY_SIZE;
      else if (strcmp (line, "certificate") == 0)
        ok = read_file (value, &token.certificate, &token.certificate_len);
      else if (strcmp (line, "always-authenticate") == 0)
        token.always_authenticate = strcmp (value, "yes") == 0;
      else if (strcmp (line, "with-hash") == 0)
        token.with_hash = strcmp (value, "no") != 0;
      else if (strcmp (line, "digest-mechanism") == 0)
        token.digest_mechanism = strcmp (value, "no") != 0;
      else if (strcmp (line, "pin-tries") == 0)
        token.pin_tries = token.pin_tries_left = strtoul (value, NULL, 10);
      else if (strcmp (line, "pin-tries-file") == 0)
        snprintf (token.pin_tries_file, sizeof token.pin_tries_file, "%s", value);
    }
  fclose (file);
  if (token.pin_tries_file[0] != '\0' && (file = fopen (token.pin_tries_file, "r")) != NULL)
    {
      if (fscanf (file, "%lu", &token.pin_tries_left) != 1 || token.pin_tries_left > token.pin_tries)
        token.pin_tries_left = token.pin_tries;
      fclose (file);
    }
  if (token.context_pin[0] == '\0')
    memcpy (token.context_pin, token.pin, sizeof token.pin);

  return ok && key_len == KEY_SIZE && token.certificate != NULL && derive_public_key ();
}

static void
log_context_login (CK_RV rv)
{
  const char *path = getenv ("TIRKEU_GOST_TOKEN_LOG");
  FILE *file;

  if (path != NULL && (file = fopen (path, "a")) != NULL)
    {
      fprintf (file, "context-login 0x%lx\n", (unsigned long) rv);
      fclose (file);
    }
}

/* Blank-padded, as CK_TOKEN_INFO's strings are. */
static void
pad (CK_UTF8CHAR *field,
     size_t       size,
     const char  *text)
{
  size_t len = strlen (text);

  memset (field, ' ', size);
  memcpy (field, text, len < size ? len : size);
}

/* --- objects ----------------------------------------------------------------------------- */

static CK_RV
set_attribute (CK_ATTRIBUTE_PTR attribute,
               const void      *value,
               CK_ULONG         len)
{
  if (attribute->pValue == NULL)
    {
      attribute->ulValueLen = len;
      return CKR_OK;
    }
  if (attribute->ulValueLen < len)
    {
      attribute->ulValueLen = CK_UNAVAILABLE_INFORMATION;
      return CKR_BUFFER_TOO_SMALL;
    }
  memcpy (attribute->pValue, value, len);
  attribute->ulValueLen = len;
  return CKR_OK;
}

static CK_RV
object_attribute (CK_OBJECT_HANDLE object,
                  CK_ATTRIBUTE_PTR attribute)
{
  static const CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
  static const CK_CERTIFICATE_TYPE x509 = CKC_X_509;
  static const CK_KEY_TYPE key_type = TIRKEU_CKK_GOSTR3410_512;
  static const char paramset[] = TIRKEU_PKCS11_GOST_512_PARAMSET_A_DER;
  static const char streebog[] = TIRKEU_PKCS11_GOST_STREEBOG_512_DER;
  CK_OBJECT_CLASS klass = object == OBJECT_CERTIFICATE ? CKO_CERTIFICATE
                          : object == OBJECT_PUBLIC_KEY ? CKO_PUBLIC_KEY : CKO_PRIVATE_KEY;
  const char *label = object == OBJECT_CERTIFICATE ? "GOST certificate" : "GOST key";
  int is_key = object != OBJECT_CERTIFICATE;

  switch (attribute->type)
    {
    case CKA_CLASS:
      return set_attribute (attribute, &klass, sizeof klass);
    case CKA_TOKEN:
      return set_attribute (attribute, &yes, sizeof yes);
    case CKA_PRIVATE:
      return set_attribute (attribute, object == OBJECT_PRIVATE_KEY ? &yes : &no, sizeof yes);
    case CKA_LABEL:
      return set_attribute (attribute, label, strlen (label));
    case CKA_ID:
      return set_attribute (attribute, token.id, token.id_len);
    case CKA_CERTIFICATE_TYPE:
      if (object == OBJECT_CERTIFICATE)
        return set_attribute (attribute, &x509, sizeof x509);
      break;
    case CKA_VALUE:
      if (object == OBJECT_CERTIFICATE)
        return set_attribute (attribute, token.certificate, token.certificate_len);
      if (object == OBJECT_PUBLIC_KEY)
        return set_attribute (attribute, token.public_key, sizeof token.public_key);
      /* a private key's value is sensitive */
      attribute->ulValueLen = CK_UNAVAILABLE_INFORMATION;
      return CKR_ATTRIBUTE_SENSITIVE;
    case CKA_KEY_TYPE:
      if (is_key)
        return set_attribute (attribute, &key_type, sizeof key_type);
      break;
    case CKA_GOSTR3410_PARAMS:
      if (is_key)
        return set_attribute (attribute, paramset, sizeof paramset - 1);
      break;
    case CKA_GOSTR3411_PARAMS:
      if (is_key)
        return set_attribute (attribute, streebog, sizeof streebog - 1);
      break;
    case CKA_SIGN:
    case CKA_SENSITIVE:
      if (object == OBJECT_PRIVATE_KEY)
        return set_attribute (attribute, &yes, sizeof yes);
      break;
    case CKA_VERIFY:
      if (object == OBJECT_PUBLIC_KEY)
        return set_attribute (attribute, &yes, sizeof yes);
      break;
    case CKA_EXTRACTABLE:
      if (object == OBJECT_PRIVATE_KEY)
        return set_attribute (attribute, &no, sizeof no);
      break;
    case CKA_ALWAYS_AUTHENTICATE:
      if (object == OBJECT_PRIVATE_KEY)
        return set_attribute (attribute, token.always_authenticate ? &yes : &no, sizeof yes);
      break;
    default:
      break;
    }

  attribute->ulValueLen = CK_UNAVAILABLE_INFORMATION;
  return CKR_ATTRIBUTE_TYPE_INVALID;
}

static int
object_visible (CK_OBJECT_HANDLE object)
{
  return object > 0 && object < N_OBJECTS && (object != OBJECT_PRIVATE_KEY || logged_in);
}

static int
object_matches (CK_OBJECT_HANDLE object,
                CK_ATTRIBUTE_PTR template,
                CK_ULONG         count)
{
  for (CK_ULONG i = 0; i < count; i++)
    {
      unsigned char value[4096];
      CK_ATTRIBUTE attribute = { template[i].type, value, sizeof value };

      if (object_attribute (object, &attribute) != CKR_OK
          || attribute.ulValueLen != template[i].ulValueLen
          || memcmp (value, template[i].pValue, attribute.ulValueLen) != 0)
        return 0;
    }
  return 1;
}

/* --- the functions ------------------------------------------------------------------------ */

static Session *
session_get (CK_SESSION_HANDLE handle)
{
  if (!initialized || handle == 0 || handle > MAX_SESSIONS || !sessions[handle].open)
    return NULL;
  return &sessions[handle];
}

static CK_RV
gost_initialize (CK_VOID_PTR args)
{
  (void) args;
  if (initialized)
    return CKR_CRYPTOKI_ALREADY_INITIALIZED;
  if (!load_config ())
    return CKR_GENERAL_ERROR;
  memset (sessions, 0, sizeof sessions);
  logged_in = 0;
  initialized = 1;
  return CKR_OK;
}

static CK_RV
gost_finalize (CK_VOID_PTR reserved)
{
  (void) reserved;
  if (!initialized)
    return CKR_CRYPTOKI_NOT_INITIALIZED;
  initialized = 0;
  logged_in = 0;
  explicit_bzero (token.key, sizeof token.key);
  explicit_bzero (token.pin, sizeof token.pin);
  explicit_bzero (token.context_pin, sizeof token.context_pin);
  /* The module may be unloaded next: what C_Initialize read goes with it. */
  free (token.certificate);
  token.certificate = NULL;
  token.certificate_len = 0;
  return CKR_OK;
}

static CK_RV
gost_get_info (CK_INFO_PTR info)
{
  if (!initialized)
    return CKR_CRYPTOKI_NOT_INITIALIZED;
  memset (info, 0, sizeof *info);
  info->cryptokiVersion.major = 2;
  info->cryptokiVersion.minor = 40;
  pad (info->manufacturerID, sizeof info->manufacturerID, "Tirkeu tests");
  pad (info->libraryDescription, sizeof info->libraryDescription, "GOST test token");
  return CKR_OK;
}

static CK_RV
gost_get_slot_list (CK_BBOOL token_present, CK_SLOT_ID_PTR list, CK_ULONG_PTR count)
{
  (void) token_present;
  if (!initialized)
    return CKR_CRYPTOKI_NOT_INITIALIZED;
  if (list != NULL)
    {
      if (*count < 1)
        {
          *count = 1;
          return CKR_BUFFER_TOO_SMALL;
        }
      list[0] = SLOT_ID;
    }
  *count = 1;
  return CKR_OK;
}

static CK_RV
gost_get_slot_info (CK_SLOT_ID slot, CK_SLOT_INFO_PTR info)
{
  if (!initialized)
    return CKR_CRYPTOKI_NOT_INITIALIZED;
  if (slot != SLOT_ID)
    return CKR_SLOT_ID_INVALID;
  memset (info, 0, sizeof *info);
  pad (info->slotDescription, sizeof info->slotDescription, "GOST test slot");
  pad (info->manufacturerID, sizeof info->manufacturerID, "Tirkeu tests");
  info->flags = CKF_TOKEN_PRESENT | CKF_HW_SLOT;
  return CKR_OK;
}

static CK_RV
gost_get_token_info (CK_SLOT_ID slot, CK_TOKEN_INFO_PTR info)
{
  if (!initialized)
    return CKR_CRYPTOKI_NOT_INITIALIZED;
  if (slot != SLOT_ID)
    return CKR_SLOT_ID_INVALID;
  memset (info, 0, sizeof *info);
  pad (info->label, sizeof info->label, token.label);
  pad (info->manufacturerID, sizeof info->manufacturerID, "Tirkeu tests");
  pad (info->model, sizeof info->model, "GOST 2012-512");
  pad (info->serialNumber, sizeof info->serialNumber, token.serial);
  info->flags = CKF_TOKEN_INITIALIZED | CKF_USER_PIN_INITIALIZED | CKF_LOGIN_REQUIRED;
  if (token.pin_tries > 0 && token.pin_tries_left == 0)
    info->flags |= CKF_USER_PIN_LOCKED;
  else if (token.pin_tries > 0 && token.pin_tries_left == 1)
    info->flags |= CKF_USER_PIN_FINAL_TRY;
  else if (token.pin_tries_left < token.pin_tries)
    info->flags |= CKF_USER_PIN_COUNT_LOW;
  info->ulMaxSessionCount = MAX_SESSIONS;
  info->ulMaxPinLen = sizeof token.pin - 1;
  info->ulMinPinLen = 4;
  return CKR_OK;
}

static CK_ULONG
offered_mechanisms (CK_MECHANISM_TYPE *list)
{
  CK_ULONG n = 0;

  if (token.digest_mechanism)
    list[n++] = TIRKEU_CKM_GOSTR3410_512;
  if (token.with_hash)
    list[n++] = TIRKEU_CKM_GOSTR3410_WITH_GOSTR3411_12_512;
  return n;
}

static CK_RV
gost_get_mechanism_list (CK_SLOT_ID slot, CK_MECHANISM_TYPE_PTR list, CK_ULONG_PTR count)
{
  CK_MECHANISM_TYPE offered[2];
  CK_ULONG n;

  if (!initialized)
    return CKR_CRYPTOKI_NOT_INITIALIZED;
  if (slot != SLOT_ID)
    return CKR_SLOT_ID_INVALID;
  n = offered_mechanisms (offered);
  if (list != NULL)
    {
      if (*count < n)
        {
          *count = n;
          return CKR_BUFFER_TOO_SMALL;
        }
      memcpy (list, offered, n * sizeof *list);
    }
  *count = n;
  return CKR_OK;
}

static int
mechanism_offered (CK_MECHANISM_TYPE type)
{
  CK_MECHANISM_TYPE offered[2];
  CK_ULONG n = offered_mechanisms (offered);

  for (CK_ULONG i = 0; i < n; i++)
    if (offered[i] == type)
      return 1;
  return 0;
}

static CK_RV
gost_get_mechanism_info (CK_SLOT_ID slot, CK_MECHANISM_TYPE type, CK_MECHANISM_INFO_PTR info)
{
  if (!initialized)
    return CKR_CRYPTOKI_NOT_INITIALIZED;
  if (slot != SLOT_ID)
    return CKR_SLOT_ID_INVALID;
  if (!mechanism_offered (type))
    return CKR_MECHANISM_INVALID;
  info->ulMinKeySize = 512;
  info->ulMaxKeySize = 512;
  info->flags = CKF_HW | CKF_SIGN;
  return CKR_OK;
}

static CK_RV
gost_open_session (CK_SLOT_ID slot, CK_FLAGS flags, CK_VOID_PTR application, CK_NOTIFY notify,
                   CK_SESSION_HANDLE_PTR session)
{
  (void) application;
  (void) notify;
  if (!initialized)
    return CKR_CRYPTOKI_NOT_INITIALIZED;
  if (slot != SLOT_ID)
    return CKR_SLOT_ID_INVALID;
  if (!(flags & CKF_SERIAL_SESSION))
    return CKR_SESSION_PARALLEL_NOT_SUPPORTED;
  for (CK_SESSION_HANDLE i = 1; i <= MAX_SESSIONS; i++)
    if (!sessions[i].open)
      {
        memset (&sessions[i], 0, sizeof sessions[i]);
        sessions[i].open = 1;
        *session = i;
        return CKR_OK;
      }
  return CKR_SESSION_COUNT;
}

static int
any_session_open (void)
{
  for (int i = 1; i <= MAX_SESSIONS; i++)
    if (sessions[i].open)
      return 1;
  return 0;
}

static CK_RV
gost_close_session (CK_SESSION_HANDLE handle)
{
  Session *session = session_get (handle);

  if (session == NULL)
    return CKR_SESSION_HANDLE_INVALID;
  memset (session, 0, sizeof *session);
  /* PKCS#11 2.40, 5.6: closing the last session logs the application out */
  if (!any_session_open ())
    logged_in = 0;
  return CKR_OK;
}

static CK_RV
gost_close_all_sessions (CK_SLOT_ID slot)
{
  if (!initialized)
    return CKR_CRYPTOKI_NOT_INITIALIZED;
  if (slot != SLOT_ID)
    return CKR_SLOT_ID_INVALID;
  memset (sessions, 0, sizeof sessions);
  logged_in = 0;
  return CKR_OK;
}

static CK_RV
gost_get_session_info (CK_SESSION_HANDLE handle, CK_SESSION_INFO_PTR info)
{
  if (session_get (handle) == NULL)
    return CKR_SESSION_HANDLE_INVALID;
  memset (info, 0, sizeof *info);
  info->slotID = SLOT_ID;
  info->state = logged_in ? CKS_RO_USER_FUNCTIONS : CKS_RO_PUBLIC_SESSION;
  info->flags = CKF_SERIAL_SESSION;
  return CKR_OK;
}

static void
save_pin_tries (void)
{
  FILE *file;

  if (token.pin_tries_file[0] != '\0' && (file = fopen (token.pin_tries_file, "w")) != NULL)
    {
      fprintf (file, "%lu\n", token.pin_tries_left);
      fclose (file);
    }
}

static CK_RV
check_pin (const char *expected, CK_UTF8CHAR_PTR pin, CK_ULONG len)
{
  if (pin == NULL)
    return CKR_ARGUMENTS_BAD;
  if (len != strlen (expected) || memcmp (pin, expected, len) != 0)
    return CKR_PIN_INCORRECT;
  return CKR_OK;
}

static CK_RV
gost_login (CK_SESSION_HANDLE handle, CK_USER_TYPE user, CK_UTF8CHAR_PTR pin, CK_ULONG len)
{
  Session *session = session_get (handle);
  CK_RV rv;

  if (session == NULL)
    return CKR_SESSION_HANDLE_INVALID;

  switch (user)
    {
    case CKU_USER:
      if (logged_in)
        return CKR_USER_ALREADY_LOGGED_IN;
      if (token.pin_tries > 0 && token.pin_tries_left == 0)
        return CKR_PIN_LOCKED;
      if ((rv = check_pin (token.pin, pin, len)) == CKR_OK)
        {
          logged_in = 1;
          token.pin_tries_left = token.pin_tries;
        }
      else if (rv == CKR_PIN_INCORRECT && token.pin_tries > 0)
        token.pin_tries_left--;
      save_pin_tries ();
      return rv;
    case CKU_CONTEXT_SPECIFIC:
      /* PKCS#11 2.40, 5.6 (C_Login): only right after the C_SignInit of a key that needs it */
      if (!logged_in)
        rv = CKR_USER_NOT_LOGGED_IN;
      else if (session->sign_mechanism == 0)
        rv = CKR_OPERATION_NOT_INITIALIZED;
      else if ((rv = check_pin (token.context_pin, pin, len)) == CKR_OK)
        session->context_login_done = 1;
      else
        /* a failed context login ends the operation (PKCS#11 2.40, 5.6) */
        session->sign_mechanism = 0;
      log_context_login (rv);
      return rv;
    case CKU_SO:
    default:
      return CKR_USER_TYPE_INVALID;
    }
}

static CK_RV
gost_logout (CK_SESSION_HANDLE handle)
{
  if (session_get (handle) == NULL)
    return CKR_SESSION_HANDLE_INVALID;
  if (!logged_in)
    return CKR_USER_NOT_LOGGED_IN;
  logged_in = 0;
  return CKR_OK;
}

static CK_RV
gost_get_attribute_value (CK_SESSION_HANDLE handle, CK_OBJECT_HANDLE object,
                          CK_ATTRIBUTE_PTR template, CK_ULONG count)
{
  CK_RV result = CKR_OK;

  if (session_get (handle) == NULL)
    return CKR_SESSION_HANDLE_INVALID;
  if (!object_visible (object))
    return CKR_OBJECT_HANDLE_INVALID;

  /* PKCS#11 2.40, 5.7: every attribute is answered; the first failure is returned */
  for (CK_ULONG i = 0; i < count; i++)
    {
      CK_RV rv = object_attribute (object, &template[i]);

      if (rv != CKR_OK && result == CKR_OK)
        result = rv;
    }
  return result;
}

static CK_RV
gost_find_objects_init (CK_SESSION_HANDLE handle, CK_ATTRIBUTE_PTR template, CK_ULONG count)
{
  Session *session = session_get (handle);

  if (session == NULL)
    return CKR_SESSION_HANDLE_INVALID;
  if (session->finding)
    return CKR_OPERATION_ACTIVE;

  session->finding = 1;
  session->n_found = session->next_found = 0;
  for (CK_OBJECT_HANDLE object = 1; object < N_OBJECTS; object++)
    if (object_visible (object) && object_matches (object, template, count))
      session->found[session->n_found++] = object;
  return CKR_OK;
}

static CK_RV
gost_find_objects (CK_SESSION_HANDLE handle, CK_OBJECT_HANDLE_PTR objects, CK_ULONG max,
                   CK_ULONG_PTR count)
{
  Session *session = session_get (handle);

  if (session == NULL)
    return CKR_SESSION_HANDLE_INVALID;
  if (!session->finding)
    return CKR_OPERATION_NOT_INITIALIZED;

  *count = 0;
  while (*count < max && session->next_found < session->n_found)
    objects[(*count)++] = session->found[session->next_found++];
  return CKR_OK;
}

static CK_RV
gost_find_objects_final (CK_SESSION_HANDLE handle)
{
  Session *session = session_get (handle);

  if (session == NULL)
    return CKR_SESSION_HANDLE_INVALID;
  if (!session->finding)
    return CKR_OPERATION_NOT_INITIALIZED;
  session->finding = 0;
  return CKR_OK;
}

static CK_RV
gost_sign_init (CK_SESSION_HANDLE handle, CK_MECHANISM_PTR mechanism, CK_OBJECT_HANDLE key)
{
  Session *session = session_get (handle);

  if (session == NULL)
    return CKR_SESSION_HANDLE_INVALID;
  if (session->sign_mechanism != 0)
    return CKR_OPERATION_ACTIVE;
  if (!logged_in)
    return CKR_USER_NOT_LOGGED_IN;
  if (key != OBJECT_PRIVATE_KEY)
    return CKR_KEY_HANDLE_INVALID;
  if (mechanism == NULL || !mechanism_offered (mechanism->mechanism))
    return CKR_MECHANISM_INVALID;

  session->sign_mechanism = mechanism->mechanism;
  session->context_login_done = 0;
  streebog512_init (&session->hash);
  return CKR_OK;
}

/* Signs the 64-byte digest; writes s‖r big-endian, as a token returns them. */
static int
sign_digest (const unsigned char *digest,
             unsigned char       *signature)
{
  unsigned char nca[TIRKEU_PKCS11_GOST_512_SIGNATURE_SIZE];

  if (!tirkeu_gost_sign_digest (token.key, digest, nca, NULL))
    return 0;
  /* the conversion is its own inverse */
  tirkeu_pkcs11_gost_signature_to_nca (nca, signature);
  return 1;
}

static CK_RV
finish_sign (Session      *session,
             const CK_BYTE *data,
             CK_ULONG      len,
             CK_BYTE_PTR   signature,
             CK_ULONG_PTR  signature_len)
{
  unsigned char digest[TIRKEU_PKCS11_GOST_512_DIGEST_SIZE];

  if (signature == NULL)
    {
      *signature_len = TIRKEU_PKCS11_GOST_512_SIGNATURE_SIZE;
      return CKR_OK;
    }
  if (*signature_len < TIRKEU_PKCS11_GOST_512_SIGNATURE_SIZE)
    {
      *signature_len = TIRKEU_PKCS11_GOST_512_SIGNATURE_SIZE;
      return CKR_BUFFER_TOO_SMALL;
    }
  if (token.always_authenticate && !session->context_login_done)
    return CKR_USER_NOT_LOGGED_IN;

  if (session->sign_mechanism == TIRKEU_CKM_GOSTR3410_512)
    {
      if (data == NULL || len != sizeof digest)
        {
          session->sign_mechanism = 0;
          return CKR_DATA_LEN_RANGE;
        }
      memcpy (digest, data, sizeof digest);
    }
  else
    {
      if (data != NULL)
        streebog512_update (&session->hash, len, data);
      streebog512_digest (&session->hash, sizeof digest, digest);
    }

  if (!sign_digest (digest, signature))
    {
      session->sign_mechanism = 0;
      return CKR_FUNCTION_FAILED;
    }
  *signature_len = TIRKEU_PKCS11_GOST_512_SIGNATURE_SIZE;
  /* PKCS#11 2.40, 5.11: a signature ends the operation, and a context login is for one */
  session->sign_mechanism = 0;
  session->context_login_done = 0;
  return CKR_OK;
}

static CK_RV
gost_sign (CK_SESSION_HANDLE handle, CK_BYTE_PTR data, CK_ULONG len, CK_BYTE_PTR signature,
           CK_ULONG_PTR signature_len)
{
  Session *session = session_get (handle);

  if (session == NULL)
    return CKR_SESSION_HANDLE_INVALID;
  if (session->sign_mechanism == 0)
    return CKR_OPERATION_NOT_INITIALIZED;
  return finish_sign (session, data, len, signature, signature_len);
}

static CK_RV
gost_sign_update (CK_SESSION_HANDLE handle, CK_BYTE_PTR data, CK_ULONG len)
{
  Session *session = session_get (handle);

  if (session == NULL)
    return CKR_SESSION_HANDLE_INVALID;
  if (session->sign_mechanism != TIRKEU_CKM_GOSTR3410_WITH_GOSTR3411_12_512)
    return CKR_OPERATION_NOT_INITIALIZED;
  streebog512_update (&session->hash, len, data);
  return CKR_OK;
}

static CK_RV
gost_sign_final (CK_SESSION_HANDLE handle, CK_BYTE_PTR signature, CK_ULONG_PTR signature_len)
{
  Session *session = session_get (handle);

  if (session == NULL)
    return CKR_SESSION_HANDLE_INVALID;
  if (session->sign_mechanism != TIRKEU_CKM_GOSTR3410_WITH_GOSTR3411_12_512)
    return CKR_OPERATION_NOT_INITIALIZED;
  return finish_sign (session, NULL, 0, signature, signature_len);
}

static CK_RV
gost_not_supported (void)
{
  return CKR_FUNCTION_NOT_SUPPORTED;
}

static CK_FUNCTION_LIST functions = {
  .version = { 2, 40 },
  .C_Initialize = gost_initialize,
  .C_Finalize = gost_finalize,
  .C_GetInfo = gost_get_info,
  .C_GetSlotList = gost_get_slot_list,
  .C_GetSlotInfo = gost_get_slot_info,
  .C_GetTokenInfo = gost_get_token_info,
  .C_GetMechanismList = gost_get_mechanism_list,
  .C_GetMechanismInfo = gost_get_mechanism_info,
  .C_OpenSession = gost_open_session,
  .C_CloseSession = gost_close_session,
  .C_CloseAllSessions = gost_close_all_sessions,
  .C_GetSessionInfo = gost_get_session_info,
  .C_Login = gost_login,
  .C_Logout = gost_logout,
  .C_GetAttributeValue = gost_get_attribute_value,
  .C_FindObjectsInit = gost_find_objects_init,
  .C_FindObjects = gost_find_objects,
  .C_FindObjectsFinal = gost_find_objects_final,
  .C_SignInit = gost_sign_init,
  .C_Sign = gost_sign,
  .C_SignUpdate = gost_sign_update,
  .C_SignFinal = gost_sign_final,
};

CK_RV
C_GetFunctionList (CK_FUNCTION_LIST_PTR_PTR list)
{
  static int filled;

  if (!filled)
    {
      /* Every function this token does not have answers CKR_FUNCTION_NOT_SUPPORTED rather
       * than leaving a NULL pointer for a caller to jump to. The entries all take arguments
       * the stub ignores; on the platforms the tests run on, that call is harmless. */
      void (**entry) (void) = (void (**) (void)) &functions.C_Initialize;
      void (**end) (void) = (void (**) (void)) (&functions.C_WaitForSlotEvent + 1);

      for (; entry < end; entry++)
        if (*entry == NULL)
          *entry = (void (*) (void)) gost_not_supported;
      filled = 1;
    }

  functions.C_GetFunctionList = C_GetFunctionList;
  *list = &functions;
  return CKR_OK;
}
