/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <openssl/rand.h>
#include <string.h>

#include "tirkeu-sandbox-private.h"

/* Sign-in: a challenge, its CMS signature by the seller's AUTH key, a bearer session. */

#define CHALLENGE_TTL_S     300
#define MAX_CHALLENGES      256

static char *
sha256_hex (const char *text)
{
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, text, -1);
}

static char *
random_token (TirkeuSandbox *self,
              gsize          n_bytes)
{
  g_autofree guint8 *bytes = g_malloc (n_bytes);
  char *text;

  /* GRand is not a CSPRNG; session tokens and challenges come from OpenSSL's. */
  if (RAND_bytes (bytes, (int) n_bytes) != 1)
    g_error ("OpenSSL has no randomness");
  text = g_base64_encode (bytes, n_bytes);
  /* base64url, unpadded: safe in headers and paths */
  g_strdelimit (text, "+", '-');
  g_strdelimit (text, "/", '_');
  g_strdelimit (text, "=", '\0');

  return text;
}

JsonNode *
_sb_seller_profile (TirkeuSandbox *self,
                    JsonObject    *seller)
{
  JsonObject *profile = json_object_new ();
  JsonObject *check = json_object_new ();
  const char *matched = _sb_data_oked_match (self->data, seller);

  json_object_set_string_member (profile, "bin", _sb_get_string (seller, "bin"));
  json_object_set_string_member (profile, "name", _sb_get_string (seller, "name"));
  json_object_set_member (profile, "oked",
                          json_node_copy (json_object_get_member (seller, "oked")));
  json_object_set_boolean_member (check, "qualifies", matched != NULL);
  if (matched != NULL)
    json_object_set_string_member (check, "matched_code", matched);
  else
    json_object_set_null_member (check, "matched_code");
  json_object_set_object_member (profile, "oked_check", check);

  return _sb_object_node (profile);
}

void
_sb_api_challenge (TirkeuSandbox *self,
                   Reply         *reply)
{
  g_autofree char *id = random_token (self, 16);
  g_autofree char *nonce = random_token (self, 32);
  gint64 expires = _sb_now_s (self) + CHALLENGE_TTL_S;
  g_autofree char *expires_at = _sb_format_time (expires);
  g_autofree char *text = g_strdup_printf ("tirkeu-sandbox sign-in\nchallenge_id: %s\n"
                                           "nonce: %s\nexpires_at: %s\n",
                                           id, nonce, expires_at);
  g_autofree char *encoded = g_base64_encode ((const guchar *) text, strlen (text));
  JsonObject *stored = json_object_new ();
  JsonObject *answer = json_object_new ();
  GHashTableIter iter;
  gpointer key, value;
  const char *oldest_id = NULL;
  gint64 oldest = G_MAXINT64;

  /* Anyone may ask for a challenge without signing in: unanswered ones must not pile up.
   * The expired ones go, and past MAX_CHALLENGES the oldest one does (its sign-in then asks
   * for a new one, as after expiry). */
  g_hash_table_iter_init (&iter, self->challenges);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (json_object_get_int_member (value, "expires_at") < _sb_now_s (self))
      g_hash_table_iter_remove (&iter);
    else if (json_object_get_int_member (value, "issued") < oldest)
      {
        oldest = json_object_get_int_member (value, "issued");
        oldest_id = key;
      }
  if (g_hash_table_size (self->challenges) >= MAX_CHALLENGES && oldest_id != NULL)
    g_hash_table_remove (self->challenges, oldest_id);

  json_object_set_string_member (stored, "challenge", encoded);
  json_object_set_int_member (stored, "expires_at", expires);
  json_object_set_int_member (stored, "issued", ++self->n_challenges_issued);
  g_hash_table_insert (self->challenges, g_strdup (id), stored);

  json_object_set_string_member (answer, "challenge_id", id);
  json_object_set_string_member (answer, "challenge", encoded);
  json_object_set_string_member (answer, "expires_at", expires_at);
  _sb_reply_ok (reply, 201, _sb_object_node (answer));
}

/* Decodes standard base64 strictly: g_base64_decode() skips what it does not know. */
static GBytes *
decode_base64 (const char *text)
{
  gsize length, decoded_length;
  guchar *decoded;

  if (text == NULL)
    return NULL;
  length = strlen (text);
  if (length == 0 || length % 4 != 0)
    return NULL;
  for (gsize i = 0; i < length; i++)
    {
      char c = text[i];

      if (!(g_ascii_isalnum (c) || c == '+' || c == '/' || (c == '=' && i >= length - 2)))
        return NULL;
      if (c != '=' && i > 0 && text[i - 1] == '=')
        return NULL;
    }

  decoded = g_base64_decode (text, &decoded_length);

  return g_bytes_new_take (decoded, decoded_length);
}

TirkeuSandboxSigner *
_sb_verify_signature (TirkeuSandbox        *self,
                      Reply                *reply,
                      const char           *signature,
                      const char           *content_b64,
                      TirkeuSandboxKeyKind  purpose)
{
  g_autoptr(GBytes) der = decode_base64 (signature);
  g_autoptr(GBytes) content = decode_base64 (content_b64);
  g_autofree char *reason = NULL;
  TirkeuPortalCode code = TIRKEU_PORTAL_CODE_SIGNATURE_INVALID;
  TirkeuSandboxSigner *signer = NULL;

  if (der == NULL)
    reason = g_strdup ("the signature is not standard base64");
  else
    signer = tirkeu_sandbox_pki_cms_verify_full (self->signer_trust, self->ca,
                                                 /* sign-in signatures carry no stamp */
                                                 self->options.require_timestamp
                                                 && purpose == TIRKEU_SANDBOX_KEY_SIGN,
                                                 der, content,
                                                 purpose, &code, &reason);

  if (signer == NULL)
    {
      g_debug ("Signature refused: %s", reason);
      _sb_reply_error (self, reply, code == TIRKEU_PORTAL_CODE_SIGNER_NOT_AUTHORIZED ? 403 : 422,
                       code, NULL, reason);
    }

  return signer;
}

void
_sb_api_session (TirkeuSandbox     *self,
                 SbExchange        *exchange,
                 Reply             *reply)
{
  g_autoptr(JsonObject) body = _sb_parse_body (self, exchange, reply);
  g_autoptr(JsonObject) challenge = NULL;
  g_autoptr(TirkeuSandboxSigner) signer = NULL;
  const char *challenge_id;
  const char *signature;
  JsonObject *seller;
  JsonObject *session;
  JsonObject *answer;
  g_autofree char *token = NULL;
  g_autofree char *expires_at = NULL;
  gint64 expires;

  if (body == NULL)
    return;
  challenge_id = _sb_get_string (body, "challenge_id");
  signature = _sb_get_string (body, "signature");
  if (signature == NULL)
    {
      _sb_reply_error (self, reply, 400, TIRKEU_PORTAL_CODE_VALIDATION_FAILED, "signature",
                       "signature is required");
      return;
    }

  /* Single use: taken out whatever the outcome, so that a signature cannot be replayed. */
  if (challenge_id != NULL)
    {
      gpointer stolen_key = NULL, stolen_value = NULL;

      if (g_hash_table_steal_extended (self->challenges, challenge_id, &stolen_key,
                                       &stolen_value))
        {
          g_free (stolen_key);
          challenge = stolen_value;
        }
    }
  if (challenge == NULL || json_object_get_int_member (challenge, "expires_at") < _sb_now_s (self))
    {
      _sb_reply_error (self, reply, 400, TIRKEU_PORTAL_CODE_VALIDATION_FAILED, "challenge_id",
                       "unknown, used or expired challenge: ask for a new one");
      return;
    }

  signer = _sb_verify_signature (self, reply, signature, _sb_get_string (challenge, "challenge"),
                                 TIRKEU_SANDBOX_KEY_AUTH);
  if (signer == NULL)
    return;

  seller = _sb_data_find (self->data, "sellers", "bin", signer->bin);
  if (seller == NULL)
    {
      _sb_reply_error (self, reply, 403, TIRKEU_PORTAL_CODE_SIGNER_NOT_AUTHORIZED, NULL,
                       "the certificate's BIN is not a seller known to the portal");
      return;
    }

  token = random_token (self, 32);
  expires = _sb_now_s (self) + self->options.session_ttl_s;
  expires_at = _sb_format_time (expires);
  session = json_object_new ();
  json_object_set_string_member (session, "bin", signer->bin);
  json_object_set_int_member (session, "expires_at", expires);
  g_hash_table_insert (self->sessions, sha256_hex (token), session);
  _sb_state_save_or_warn (self);

  answer = json_object_new ();
  json_object_set_string_member (answer, "token", token);
  json_object_set_string_member (answer, "expires_at", expires_at);
  json_object_set_member (answer, "seller", _sb_seller_profile (self, seller));
  _sb_reply_ok (reply, 201, _sb_object_node (answer));
}

/* The seller of the call's session, or NULL with a 401 in @reply. */
JsonObject *
_sb_authenticate (TirkeuSandbox     *self,
                  SbExchange        *exchange,
                  Reply             *reply)
{
  SoupMessageHeaders *headers = exchange->request_headers;
  const char *authorization = soup_message_headers_get_one (headers, "Authorization");
  g_autofree char *digest = NULL;
  JsonObject *session;

  soup_message_headers_replace (exchange->response_headers,
                                "WWW-Authenticate", "Bearer realm=\"tirkeu\"");

  if (authorization == NULL || g_ascii_strncasecmp (authorization, "Bearer ", 7) != 0
      || authorization[7] == '\0')
    {
      _sb_reply_error (self, reply, 401, TIRKEU_PORTAL_CODE_UNAUTHORIZED, "Authorization",
                       "no bearer token");
      return NULL;
    }

  digest = sha256_hex (authorization + 7);
  session = g_hash_table_lookup (self->sessions, digest);
  if (session == NULL)
    {
      _sb_reply_error (self, reply, 401, TIRKEU_PORTAL_CODE_UNAUTHORIZED, "Authorization",
                       "unknown token");
      return NULL;
    }
  if (json_object_get_int_member (session, "expires_at") <= _sb_now_s (self))
    {
      _sb_reply_error (self, reply, 401, TIRKEU_PORTAL_CODE_SESSION_EXPIRED, NULL,
                       "the session has expired");
      return NULL;
    }

  soup_message_headers_remove (exchange->response_headers,
                               "WWW-Authenticate");

  return _sb_data_find (self->data, "sellers", "bin", _sb_get_string (session, "bin"));
}
