/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "tirkeu-sandbox-private.h"

/* The /api/v1 routes: which handler answers which method and path. */

#define API_VERSION         "1.4.0"

gboolean
_sb_parse_uint (const char *text,
                guint64     max,
                guint64    *value)
{
  if (text == NULL || *text == '\0' || strlen (text) > 19)
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;
  *value = g_ascii_strtoull (text, NULL, 10);

  return *value <= max;
}

static void
api_about (TirkeuSandbox *self,
           Reply         *reply)
{
  JsonObject *answer = json_object_new ();

  json_object_set_string_member (answer, "environment", "sandbox");
  json_object_set_string_member (answer, "api_version", API_VERSION);
  json_object_set_member (answer, "portal_name", _sb_data_portal_name (self->data));
  _sb_reply_ok (reply, 200, _sb_object_node (answer));
}

/* Routes /api/v1/...; @route is what follows the prefix. */
void
_sb_api_dispatch (TirkeuSandbox     *self,
                  SbExchange        *exchange,
                  Reply             *reply)
{
  const char *method = exchange->method;
  const char *path = exchange->path;
  const char *route = path + strlen (API_PREFIX);
  g_auto(GStrv) parts = g_strsplit (route, "/", -1);
  guint n = g_strv_length (parts);
  gboolean get = g_str_equal (method, "GET");
  gboolean post = g_str_equal (method, "POST");
  JsonObject *seller;

  if (n == 1 && get && g_str_equal (parts[0], "about"))
    {
      api_about (self, reply);
      return;
    }
  if (n == 2 && post && g_str_equal (parts[0], "auth") && g_str_equal (parts[1], "challenge"))
    {
      _sb_api_challenge (self, reply);
      return;
    }
  if (n == 2 && post && g_str_equal (parts[0], "auth") && g_str_equal (parts[1], "session"))
    {
      _sb_api_session (self, exchange, reply);
      return;
    }

  /* Everything else is the seller's and needs a session, checked before the route so that a
   * client learns to sign in whatever it asked. */
  seller = _sb_authenticate (self, exchange, reply);
  if (seller == NULL)
    return;

  if (n == 1 && get && g_str_equal (parts[0], "seller"))
    {
      _sb_reply_ok (reply, 200, _sb_seller_profile (self, seller));
      return;
    }
  if (n == 2 && get && g_str_equal (parts[0], "vehicles"))
    {
      _sb_api_vehicle (self, parts[1], reply);
      return;
    }
  if (n == 2 && get && g_str_equal (parts[0], "persons"))
    {
      _sb_api_person (self, parts[1], reply);
      return;
    }
  if (n == 1 && get && g_str_equal (parts[0], "contracts"))
    {
      _sb_api_contracts (self, exchange, seller, reply);
      return;
    }
  if (n == 1 && post && g_str_equal (parts[0], "requests"))
    {
      _sb_api_create_request (self, exchange, seller, reply);
      return;
    }
  if (n == 2 && get && g_str_equal (parts[0], "requests"))
    {
      JsonObject *request = _sb_seller_request (self, seller, parts[1], reply);

      if (request != NULL)
        _sb_reply_ok (reply, 200, _sb_render_request (request));
      return;
    }
  if (n == 3 && post && g_str_equal (parts[0], "requests") && g_str_equal (parts[2], "signature"))
    {
      _sb_api_sign_request (self, exchange, seller, parts[1], reply);
      return;
    }
  if (n == 3 && post && g_str_equal (parts[0], "requests") && g_str_equal (parts[2], "withdraw"))
    {
      _sb_api_withdraw (self, seller, parts[1], reply);
      return;
    }
  if (n == 1 && get && g_str_equal (parts[0], "changes"))
    {
      _sb_api_changes (self, exchange, seller, reply);
      return;
    }

  _sb_reply_error (self, reply, 404, TIRKEU_PORTAL_CODE_NOT_FOUND, "path", "no such operation");
}
