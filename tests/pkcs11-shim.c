/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A PKCS#11 module for tests only: it forwards every call to SoftHSM and injects what
 * SoftHSM cannot produce, below libp11, so that the code under test sees it exactly as it
 * would from a hardware token:
 * - the PIN flags CKF_USER_PIN_FINAL_TRY, CKF_USER_PIN_LOCKED, CKF_USER_PIN_COUNT_LOW and
 *   CKF_USER_PIN_TO_BE_CHANGED in C_GetTokenInfo (SoftHSM only ever sets "count low");
 *   "locked" also makes C_Login answer CKR_PIN_LOCKED, as a locked token does;
 * - a token pulled out in the middle of a signature: C_SignInit answers CKR_DEVICE_REMOVED
 *   and from then on the slot reports no token.
 *
 * The words in the file named by $TIRKEU_SHIM_CONTROL say what to inject, read on every
 * call: count-low, final-try, locked, to-be-changed, remove-on-sign, removed. The module
 * forwarded to is $TIRKEU_SHIM_TARGET, by default SoftHSM.
 *
 * Each user login is also appended as one line ("login" or "login-empty" for an empty PIN)
 * to the file named by $TIRKEU_SHIM_LOGINS, if set: a hardware token counts down its PIN
 * tries on every failed login, and a test can count the logins the code under test made.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <p11-kit/pkcs11.h>

#define DEFAULT_TARGET "/usr/lib/softhsm/libsofthsm2.so"

static CK_FUNCTION_LIST shim;
static CK_FUNCTION_LIST_PTR target;

static int
control_has (const char *word)
{
  const char *path = getenv ("TIRKEU_SHIM_CONTROL");
  char text[512] = { 0 };
  size_t len;
  FILE *file;

  if (path == NULL || (file = fopen (path, "r")) == NULL)
    return 0;
  len = fread (text, 1, sizeof text - 1, file);
  fclose (file);
  text[len] = '\0';

  for (char *save = NULL, *w = strtok_r (text, " \t\r\n", &save); w != NULL;
       w = strtok_r (NULL, " \t\r\n", &save))
    if (strcmp (w, word) == 0)
      return 1;

  return 0;
}

static void
control_add (const char *word)
{
  const char *path = getenv ("TIRKEU_SHIM_CONTROL");
  FILE *file;

  if (path != NULL && (file = fopen (path, "a")) != NULL)
    {
      fprintf (file, " %s\n", word);
      fclose (file);
    }
}

static CK_RV
shim_get_slot_info (CK_SLOT_ID slot, CK_SLOT_INFO_PTR info)
{
  CK_RV rv = target->C_GetSlotInfo (slot, info);

  if (rv == CKR_OK && control_has ("removed"))
    info->flags &= ~(CK_FLAGS) CKF_TOKEN_PRESENT;

  return rv;
}

static CK_RV
shim_get_slot_list (CK_BBOOL token_present, CK_SLOT_ID_PTR list, CK_ULONG_PTR count)
{
  if (token_present && control_has ("removed"))
    {
      *count = 0;
      return CKR_OK;
    }

  return target->C_GetSlotList (token_present, list, count);
}

static CK_RV
shim_get_token_info (CK_SLOT_ID slot, CK_TOKEN_INFO_PTR info)
{
  CK_RV rv;

  if (control_has ("removed"))
    return CKR_TOKEN_NOT_PRESENT;

  rv = target->C_GetTokenInfo (slot, info);
  if (rv != CKR_OK)
    return rv;

  if (control_has ("count-low"))
    info->flags |= CKF_USER_PIN_COUNT_LOW;
  if (control_has ("final-try"))
    info->flags |= CKF_USER_PIN_FINAL_TRY | CKF_USER_PIN_COUNT_LOW;
  if (control_has ("locked"))
    info->flags |= CKF_USER_PIN_LOCKED;
  if (control_has ("to-be-changed"))
    info->flags |= CKF_USER_PIN_TO_BE_CHANGED;

  return CKR_OK;
}

static CK_RV
shim_open_session (CK_SLOT_ID slot, CK_FLAGS flags, CK_VOID_PTR application, CK_NOTIFY notify,
                   CK_SESSION_HANDLE_PTR session)
{
  if (control_has ("removed"))
    return CKR_TOKEN_NOT_PRESENT;

  return target->C_OpenSession (slot, flags, application, notify, session);
}

static void
log_login (CK_ULONG pin_len)
{
  const char *path = getenv ("TIRKEU_SHIM_LOGINS");
  FILE *file;

  if (path != NULL && (file = fopen (path, "a")) != NULL)
    {
      fputs (pin_len == 0 ? "login-empty\n" : "login\n", file);
      fclose (file);
    }
}

static CK_RV
shim_login (CK_SESSION_HANDLE session, CK_USER_TYPE user, CK_UTF8CHAR_PTR pin, CK_ULONG len)
{
  if (user == CKU_USER)
    log_login (len);
  if (control_has ("removed"))
    return CKR_DEVICE_REMOVED;
  if (user == CKU_USER && control_has ("locked"))
    return CKR_PIN_LOCKED;

  return target->C_Login (session, user, pin, len);
}

static CK_RV
shim_sign_init (CK_SESSION_HANDLE session, CK_MECHANISM_PTR mechanism, CK_OBJECT_HANDLE key)
{
  if (control_has ("remove-on-sign"))
    control_add ("removed");
  if (control_has ("removed"))
    return CKR_DEVICE_REMOVED;

  return target->C_SignInit (session, mechanism, key);
}

CK_RV
C_GetFunctionList (CK_FUNCTION_LIST_PTR_PTR list)
{
  if (target == NULL)
    {
      const char *path = getenv ("TIRKEU_SHIM_TARGET");
      CK_C_GetFunctionList get_function_list;
      void *module = dlopen (path != NULL ? path : DEFAULT_TARGET, RTLD_NOW | RTLD_LOCAL);

      if (module == NULL)
        return CKR_GENERAL_ERROR;
      get_function_list = (CK_C_GetFunctionList) dlsym (module, "C_GetFunctionList");
      if (get_function_list == NULL || get_function_list (&target) != CKR_OK)
        return CKR_GENERAL_ERROR;

      shim = *target;
      shim.C_GetFunctionList = C_GetFunctionList;
      shim.C_GetSlotList = shim_get_slot_list;
      shim.C_GetSlotInfo = shim_get_slot_info;
      shim.C_GetTokenInfo = shim_get_token_info;
      shim.C_OpenSession = shim_open_session;
      shim.C_Login = shim_login;
      shim.C_SignInit = shim_sign_init;
    }

  *list = &shim;
  return CKR_OK;
}
