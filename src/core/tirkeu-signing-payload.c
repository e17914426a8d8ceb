/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "tirkeu-signing-payload.h"

/* What the seller's token signs at step 9 is the portal's `signing_payload`, not the sale the
 * seller typed: a broken or hostile portal could hand over the bytes of another sale. The
 * contract (data/portal-api.yaml, Request.signing_payload) fixes one canonical form, so the
 * client can read the payload back exactly and compare it with what the seller confirmed
 * before any signature. The form is parsed here by hand, not by a JSON library: a JSON parser
 * would accept other spellings of the same object (spaces, other member orders, \u escapes
 * of plain letters), and then two different byte strings could mean "the same" sale. */

G_DEFINE_QUARK (tirkeu-signing-payload-error-quark, tirkeu_signing_payload_error)

/* The members in the canonical order: sorted by name. */
enum { BUYER_IIN, CONTRACT_NUMBER, CREATED_AT, ID, SELLER_BIN, TYPE, VIN, N_MEMBERS };
static const char * const member_names[N_MEMBERS] = {
  "buyer_iin", "contract_number", "created_at", "id", "seller_bin", "type", "vin",
};

#define MAX_ID_LENGTH        64
#define MAX_CONTRACT_LENGTH  64

static void
append_string (GString    *out,
               const char *value)
{
  g_string_append_c (out, '"');
  for (const unsigned char *p = (const unsigned char *) value; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_printf (out, "\\%c", *p);
      else if (*p < 0x20)
        g_string_append_printf (out, "\\u%04x", *p);
      else
        g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

/**
 * tirkeu_signing_payload_encode:
 * @payload: the members
 *
 * The canonical bytes of @payload (not base64): what a portal puts, base64-encoded, in a
 * Request's `signing_payload`. tirkeu-sandbox makes its payloads with this function.
 *
 * Returns: (transfer full): the bytes
 */
GBytes *
tirkeu_signing_payload_encode (const TirkeuSigningPayload *payload)
{
  const char *values[N_MEMBERS];
  GString *out = g_string_new ("{");

  g_return_val_if_fail (payload != NULL, NULL);

  values[BUYER_IIN] = payload->buyer_iin;
  values[CONTRACT_NUMBER] = payload->contract_number;
  values[CREATED_AT] = payload->created_at;
  values[ID] = payload->request_id;
  values[SELLER_BIN] = payload->seller_bin;
  values[TYPE] = TIRKEU_SIGNING_PAYLOAD_TYPE;
  values[VIN] = payload->vin;

  for (guint i = 0; i < N_MEMBERS; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      append_string (out, member_names[i]);
      g_string_append_c (out, ':');
      append_string (out, values[i] != NULL ? values[i] : "");
    }
  g_string_append_c (out, '}');

  return g_string_free_to_bytes (out);
}

/**
 * tirkeu_signing_payload_free:
 * @payload: (nullable): a payload from tirkeu_signing_payload_decode()
 */
void
tirkeu_signing_payload_free (TirkeuSigningPayload *payload)
{
  if (payload == NULL)
    return;

  g_free (payload->buyer_iin);
  g_free (payload->contract_number);
  g_free (payload->created_at);
  g_free (payload->request_id);
  g_free (payload->seller_bin);
  g_free (payload->vin);
  g_free (payload);
}

typedef struct
{
  const char *p;
  const char *end;
} Cursor;

static gboolean
expect (Cursor     *cursor,
        const char *literal)
{
  gsize length = strlen (literal);

  if ((gsize) (cursor->end - cursor->p) < length || memcmp (cursor->p, literal, length) != 0)
    return FALSE;
  cursor->p += length;

  return TRUE;
}

static int
lower_hex_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;

  return -1;
}

/* A JSON string in the canonical spelling: `"` and `\` as \" and \\, U+0000-U+001F as \u00xx
 * (lower-case hex), nothing else escaped. Any other spelling is refused. */
static char *
read_string (Cursor *cursor)
{
  g_autoptr(GString) value = g_string_new (NULL);

  if (!expect (cursor, "\""))
    return NULL;

  while (cursor->p < cursor->end)
    {
      unsigned char c = (unsigned char) *cursor->p++;

      if (c == '"')
        {
          if (!g_utf8_validate_len (value->str, value->len, NULL))
            return NULL;
          return g_string_free (g_steal_pointer (&value), FALSE);
        }
      if (c < 0x20)
        return NULL;
      if (c != '\\')
        {
          g_string_append_c (value, (char) c);
          continue;
        }

      if (cursor->p >= cursor->end)
        return NULL;
      c = (unsigned char) *cursor->p++;
      if (c == '"' || c == '\\')
        g_string_append_c (value, (char) c);
      else if (c == 'u')
        {
          int high, low;

          if (cursor->end - cursor->p < 4 || cursor->p[0] != '0' || cursor->p[1] != '0')
            return NULL;
          high = lower_hex_value (cursor->p[2]);
          low = lower_hex_value (cursor->p[3]);
          if (high < 0 || high > 1 || low < 0)
            return NULL;
          g_string_append_c (value, (char) (high * 16 + low));
          cursor->p += 4;
        }
      else
        return NULL;
    }

  return NULL;
}

static gboolean
is_digits (const char *text,
           gsize       length)
{
  if (strlen (text) != length)
    return FALSE;
  for (gsize i = 0; i < length; i++)
    if (!g_ascii_isdigit (text[i]))
      return FALSE;

  return TRUE;
}

static gboolean
is_vin (const char *text)
{
  if (strlen (text) != 17)
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    if (!(g_ascii_isdigit (*p) || (*p >= 'A' && *p <= 'Z' && strchr ("IOQ", *p) == NULL)))
      return FALSE;

  return TRUE;
}

static gboolean
is_request_id (const char *text)
{
  gsize length = strlen (text);

  if (length == 0 || length > MAX_ID_LENGTH)
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '-')
      return FALSE;

  return TRUE;
}

/* YYYY-MM-DDTHH:MM:SSZ, a real UTC time. */
static gboolean
is_timestamp (const char *text)
{
  static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
  g_autoptr(GDateTime) time = NULL;

  if (strlen (text) != sizeof shape - 1)
    return FALSE;
  for (gsize i = 0; i < sizeof shape - 1; i++)
    if (shape[i] == 'd' ? !g_ascii_isdigit (text[i]) : text[i] != shape[i])
      return FALSE;
  time = g_date_time_new_from_iso8601 (text, NULL);

  return time != NULL;
}

/* 1-64 characters, none of them a control character. */
static gboolean
is_contract_number (const char *text)
{
  glong length = g_utf8_strlen (text, -1);

  if (length < 1 || length > MAX_CONTRACT_LENGTH)
    return FALSE;
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    if (g_unichar_iscntrl (g_utf8_get_char (p)))
      return FALSE;

  return TRUE;
}

static gboolean
malformed (GError    **error,
           const char *reason)
{
  g_set_error (error, TIRKEU_SIGNING_PAYLOAD_ERROR, TIRKEU_SIGNING_PAYLOAD_ERROR_MALFORMED,
               /* Translators: the portal gave data to sign that is not in the agreed form;
                * %s is a short technical reason in English */
               _("The data the portal gave to sign is malformed (%s); it was not signed"),
               reason);

  return FALSE;
}

/**
 * tirkeu_signing_payload_decode:
 * @bytes: a decoded `signing_payload` (after base64)
 * @error: %TIRKEU_SIGNING_PAYLOAD_ERROR_MALFORMED
 *
 * Reads a payload in the contract's canonical form, and only in it: the members in their
 * order, no whitespace, canonical string escapes, each member in its format (VIN upper-case,
 * IIN and BIN of 12 digits, an RFC 3339 UTC time, a request id and contract number of 1-64
 * characters), valid UTF-8, at most %TIRKEU_SIGNING_PAYLOAD_MAX_SIZE bytes. Whatever it
 * accepts, tirkeu_signing_payload_encode() gives back byte for byte.
 *
 * Returns: (transfer full) (nullable): the members, or %NULL with @error set
 */
TirkeuSigningPayload *
tirkeu_signing_payload_decode (GBytes  *bytes,
                               GError **error)
{
  g_autoptr(TirkeuSigningPayload) payload = NULL;
  char *values[N_MEMBERS] = { NULL, };
  Cursor cursor;
  gsize size;
  gboolean ok = TRUE;

  g_return_val_if_fail (bytes != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  cursor.p = g_bytes_get_data (bytes, &size);
  if (size == 0)
    {
      malformed (error, "empty");
      return NULL;
    }
  if (size > TIRKEU_SIGNING_PAYLOAD_MAX_SIZE)
    {
      malformed (error, "too large");
      return NULL;
    }
  cursor.end = cursor.p + size;

  ok = expect (&cursor, "{");
  for (guint i = 0; ok && i < N_MEMBERS; i++)
    {
      g_autofree char *name = g_strdup_printf ("%s\"%s\":", i > 0 ? "," : "", member_names[i]);

      ok = expect (&cursor, name) && (values[i] = read_string (&cursor)) != NULL;
    }
  ok = ok && expect (&cursor, "}") && cursor.p == cursor.end;

  payload = g_new0 (TirkeuSigningPayload, 1);
  payload->buyer_iin = values[BUYER_IIN];
  payload->contract_number = values[CONTRACT_NUMBER];
  payload->created_at = values[CREATED_AT];
  payload->request_id = values[ID];
  payload->seller_bin = values[SELLER_BIN];
  payload->vin = values[VIN];

  if (!ok)
    {
      g_free (values[TYPE]);
      malformed (error, "not the canonical JSON object");
      return NULL;
    }
  ok = g_str_equal (values[TYPE], TIRKEU_SIGNING_PAYLOAD_TYPE);
  g_free (values[TYPE]);
  if (!ok)
    malformed (error, "unknown type");
  else if (!is_digits (payload->buyer_iin, 12))
    malformed (error, "buyer_iin");
  else if (!is_contract_number (payload->contract_number))
    malformed (error, "contract_number");
  else if (!is_timestamp (payload->created_at))
    malformed (error, "created_at");
  else if (!is_request_id (payload->request_id))
    malformed (error, "id");
  else if (!is_digits (payload->seller_bin, 12))
    malformed (error, "seller_bin");
  else if (!is_vin (payload->vin))
    malformed (error, "vin");
  else
    return g_steal_pointer (&payload);

  return NULL;
}

/**
 * tirkeu_signing_payload_check:
 * @payload: a decoded `signing_payload` (after base64)
 * @vin: the VIN the seller confirmed (compared upper-case)
 * @buyer_iin: the buyer's IIN the seller confirmed
 * @contract_number: the contract number the seller confirmed
 * @seller_bin: the seller's BIN (of the session's seller)
 * @error: a #TirkeuSigningPayloadError
 *
 * Whether @payload is the canonical payload of exactly this sale. Call it before every
 * signature over a portal's payload: on %FALSE, sign nothing. The error message names the
 * VIN, contract number or BIN that differs, never an IIN.
 *
 * Returns: %TRUE when the payload is this sale's
 */
gboolean
tirkeu_signing_payload_check (GBytes      *payload,
                              const char  *vin,
                              const char  *buyer_iin,
                              const char  *contract_number,
                              const char  *seller_bin,
                              GError     **error)
{
  g_autoptr(TirkeuSigningPayload) decoded = NULL;
  g_autofree char *expected_vin = NULL;

  g_return_val_if_fail (payload != NULL, FALSE);
  g_return_val_if_fail (vin != NULL && buyer_iin != NULL, FALSE);
  g_return_val_if_fail (contract_number != NULL && seller_bin != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  decoded = tirkeu_signing_payload_decode (payload, error);
  if (decoded == NULL)
    return FALSE;

  expected_vin = g_ascii_strup (vin, -1);
  if (!g_str_equal (decoded->vin, expected_vin))
    {
      g_set_error (error, TIRKEU_SIGNING_PAYLOAD_ERROR, TIRKEU_SIGNING_PAYLOAD_ERROR_OTHER_VIN,
                   /* Translators: two VINs: the one in the portal's data, the one entered */
                   _("The portal asks to sign the sale of another vehicle (VIN %s, not %s); "
                     "it was not signed"), decoded->vin, expected_vin);
      return FALSE;
    }
  if (!g_str_equal (decoded->buyer_iin, buyer_iin))
    {
      /* No IIN in the message: it may reach a log. */
      g_set_error (error, TIRKEU_SIGNING_PAYLOAD_ERROR, TIRKEU_SIGNING_PAYLOAD_ERROR_OTHER_BUYER,
                   _("The portal asks to sign a sale to another buyer; it was not signed"));
      return FALSE;
    }
  if (!g_str_equal (decoded->contract_number, contract_number))
    {
      g_set_error (error, TIRKEU_SIGNING_PAYLOAD_ERROR,
                   TIRKEU_SIGNING_PAYLOAD_ERROR_OTHER_CONTRACT,
                   /* Translators: two contract numbers: the portal's, the one entered */
                   _("The portal asks to sign another contract (№ %s, not № %s); "
                     "it was not signed"), decoded->contract_number, contract_number);
      return FALSE;
    }
  if (!g_str_equal (decoded->seller_bin, seller_bin))
    {
      g_set_error (error, TIRKEU_SIGNING_PAYLOAD_ERROR, TIRKEU_SIGNING_PAYLOAD_ERROR_OTHER_SELLER,
                   /* Translators: two BINs of companies: the portal's, the signed-in seller's */
                   _("The portal asks to sign for another seller (BIN %s, not %s); "
                     "it was not signed"), decoded->seller_bin, seller_bin);
      return FALSE;
    }

  return TRUE;
}
