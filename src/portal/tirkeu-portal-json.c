/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "tirkeu-portal-error.h"
#include "tirkeu-portal-json.h"
#include "tirkeu-portal-private.h"
#include "tirkeu-i18n.h"

/* The deepest answer of the contract (a /changes page: changes[].history[].message) nests
 * five levels; json-glib parses recursively and a hostile answer of some 80,000 brackets
 * overflows the stack. */
#define MAX_DEPTH 64

typedef enum
{
  SCAN_OK,
  SCAN_TOO_DEEP,
  SCAN_BAD_STRING,
  SCAN_TRAILING,
} ScanResult;

/* The value of the four hex digits at @p, or -1. */
static int
hex4 (const char *p,
      gsize       left)
{
  int value = 0;

  if (left < 4)
    return -1;
  for (guint i = 0; i < 4; i++)
    {
      int digit = g_ascii_xdigit_value (p[i]);

      if (digit < 0)
        return -1;
      value = value * 16 + digit;
    }

  return value;
}

/* Checks the string whose opening quote is at @data[*i] and leaves *i on its closing quote.
 * Strict RFC 8259: only the standard escapes, \u escapes with surrogates in pairs, no raw
 * control characters, closed. json-glib lets lone surrogates through as bytes that are not
 * UTF-8, and on its own errors inside a string (a bad escape, a high surrogate right before
 * the quote) it leaks the string it was building: it never sees such a string. */
static gboolean
string_valid (const char *data,
              gsize       len,
              gsize      *i)
{
  for (gsize j = *i + 1; j < len; j++)
    {
      guchar c = data[j];
      int unit, low;

      if (c == '"')
        {
          *i = j;
          return TRUE;
        }
      if (c < 0x20)
        return FALSE;
      if (c != '\\')
        continue;
      if (++j >= len)
        return FALSE;
      switch (data[j])
        {
        case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
          break;
        case 'u':
          unit = hex4 (data + j + 1, len - j - 1);
          if (unit < 0 || (unit >= 0xDC00 && unit <= 0xDFFF))
            return FALSE;
          j += 4;
          if (unit >= 0xD800 && unit <= 0xDBFF)
            {
              if (j + 2 >= len || data[j + 1] != '\\' || data[j + 2] != 'u')
                return FALSE;
              low = hex4 (data + j + 3, len - j - 3);
              if (low < 0xDC00 || low > 0xDFFF)
                return FALSE;
              j += 6;
            }
          break;
        default:
          return FALSE;
        }
    }

  return FALSE;
}

/* A byte scan of @data, done before json-glib sees the text: objects and arrays nest at
 * most @max_depth deep (brackets inside strings do not count), every string is strict
 * JSON text, and nothing but whitespace follows the first value: json-glib 1.6 takes the
 * first of `{…}{…}` and ignores the rest, which an answer must not have (the sandbox refuses
 * such request bodies the same way). Other syntax is the parser's to judge. */
static ScanResult
scan_answer (const char *data,
             gsize       len,
             guint       max_depth)
{
  gboolean in_scalar = FALSE;
  gboolean value_done = FALSE;
  guint depth = 0;

  for (gsize i = 0; i < len; i++)
    {
      char c = data[i];
      gboolean space = c == ' ' || c == '\t' || c == '\n' || c == '\r';

      if (value_done)
        {
          if (!space)
            return SCAN_TRAILING;
          continue;
        }

      switch (c)
        {
        case '"':
          if (depth == 0 && in_scalar)
            return SCAN_TRAILING;
          if (!string_valid (data, len, &i))
            return SCAN_BAD_STRING;
          value_done = depth == 0;
          break;
        case '{':
        case '[':
          /* "4{…}": a number, true, false or null is the top value already. json-glib 1.6
           * builds the object after it, then refuses the text and leaks what it built. */
          if (depth == 0 && in_scalar)
            return SCAN_TRAILING;
          if (++depth > max_depth)
            return SCAN_TOO_DEEP;
          break;
        case '}':
        case ']':
          if (depth > 0 && --depth == 0)
            value_done = TRUE;
          break;
        default:
          /* A number, true, false or null at the top ends at whitespace. */
          if (depth == 0 && space && in_scalar)
            value_done = TRUE;
          else if (depth == 0 && !space)
            in_scalar = TRUE;
          break;
        }
    }

  return SCAN_OK;
}

/* json-glib turns an escaped lone surrogate ("\uD800") into bytes that are not UTF-8, in
 * member names as in values; every string is checked once here, so that no mapping, no
 * GVariant and no widget ever holds such text. The recursion is bounded by MAX_DEPTH. */
static gboolean
text_valid (JsonNode *node)
{
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObjectIter iter;
        const char *name;
        JsonNode *member;

        json_object_iter_init (&iter, json_node_get_object (node));
        while (json_object_iter_next (&iter, &name, &member))
          if (!g_utf8_validate (name, -1, NULL) || !text_valid (member))
            return FALSE;
        return TRUE;
      }
    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);

        for (guint i = 0; i < json_array_get_length (array); i++)
          if (!text_valid (json_array_get_element (array, i)))
            return FALSE;
        return TRUE;
      }
    case JSON_NODE_VALUE:
      return json_node_get_value_type (node) != G_TYPE_STRING ||
             g_utf8_validate (json_node_get_string (node), -1, NULL);
    case JSON_NODE_NULL:
    default:
      return TRUE;
    }
}

/**
 * tirkeu_portal_json_parse:
 * @data: (array length=len): an answer's body
 * @len: its length in bytes
 * @error: return location for a %TIRKEU_PORTAL_CODE_MALFORMED error
 *
 * Parses an answer of the portal, which is untrusted: the text must be UTF-8, hold one JSON
 * value and nothing after it but whitespace, nest at most 64 levels (checked before
 * parsing, so that a hostile answer cannot exhaust the stack) and every string in it must
 * be valid text once its escapes are decoded.
 *
 * Returns: (transfer full) (nullable): the root node (a JSON null for an empty text), or
 *   %NULL with @error set
 */
JsonNode *
tirkeu_portal_json_parse (const char  *data,
                          gsize        len,
                          GError     **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) parse_error = NULL;
  JsonNode *root;

  if (len == 0)
    return json_node_new (JSON_NODE_NULL);

  /* The contract says UTF-8; json-glib would accept some invalid sequences silently. */
  if (!g_utf8_validate (data, len, NULL))
    {
      g_set_error_literal (error, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_MALFORMED,
                           _("The portal's answer is not valid JSON: it is not UTF-8 text."));
      return NULL;
    }
  switch (scan_answer (data, len, MAX_DEPTH))
    {
    case SCAN_OK:
      break;
    case SCAN_TOO_DEEP:
      g_set_error (error, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_MALFORMED,
                   /* Translators: %u is a number of levels, e.g. 64 */
                   _("The portal's answer nests deeper than %u levels."), MAX_DEPTH);
      return NULL;
    case SCAN_BAD_STRING:
      g_set_error_literal (error, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_MALFORMED,
                           _("The portal's answer holds text that is not valid UTF-8."));
      return NULL;
    case SCAN_TRAILING:
    default:
      g_set_error_literal (error, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_MALFORMED,
                           _("The portal's answer is not valid JSON: more text follows its one value."));
      return NULL;
    }

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data, len, &parse_error))
    {
      /* json-glib quotes the offending text, decoded escapes and all, which need not be
       * UTF-8: the message reaches the details a user may open. */
      g_autofree char *reason = g_utf8_make_valid (parse_error->message, -1);

      g_set_error (error, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_MALFORMED,
                   /* Translators: %s is the JSON parser's own English text, for support */
                   _("The portal's answer is not valid JSON. The parser says: %s"), reason);
      return NULL;
    }

  root = json_parser_steal_root (parser);
  if (root == NULL)
    return json_node_new (JSON_NODE_NULL);
  if (!text_valid (root))
    {
      json_node_unref (root);
      g_set_error_literal (error, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_MALFORMED,
                           _("The portal's answer holds text that is not valid UTF-8."));
      return NULL;
    }

  return root;
}

/* The patterns are compiled once: a sync page holds hundreds of dates, and compiling the
 * pattern for each (g_regex_match_simple) was most of the time its mapping took. */
static GRegex *rfc3339_regex;
static GRegex *money_regex;

static GRegex *
shared_regex (GRegex     **regex,
              const char  *pattern)
{
  if (g_once_init_enter (regex))
    g_once_init_leave (regex, g_regex_new (pattern, G_REGEX_OPTIMIZE, 0, NULL));

  return *regex;
}

/**
 * tirkeu_portal_json_join:
 * @path: (nullable): the path of the enclosing object, "" or %NULL for the root
 * @member: the member name, or an index as "[3]"
 *
 * Returns: (transfer full): "path.member" (or "path[3]")
 */
char *
tirkeu_portal_json_join (const char *path,
                         const char *member)
{
  if (path == NULL || path[0] == '\0')
    return g_strdup (member);
  if (member[0] == '[')
    return g_strconcat (path, member, NULL);

  return g_strconcat (path, ".", member, NULL);
}

/**
 * tirkeu_portal_json_malformed:
 * @path: (nullable): the path of the enclosing object
 * @member: the member at fault
 * @expected: what the contract wants there, e.g. "a string"
 *
 * Returns: (transfer full): a %TIRKEU_PORTAL_CODE_MALFORMED error naming the member, with
 *   details `{"field": "<path>", "expected": "<expected>"}`
 */
GError *
tirkeu_portal_json_malformed (const char *path,
                              const char *member,
                              const char *expected)
{
  g_autofree char *field = tirkeu_portal_json_join (path, member);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) details = NULL;
  g_autofree char *sentence = NULL;
  g_autofree char *expected_line = NULL;
  GError *error;

  /* The text is technical: it goes to the details, the UI speaks from the code. */
  /* One whole sentence naming the member, then what the contract wants there as a
   * labelled value (as "Error code:"), never a sentence glued from parts. */
  /* Translators: %s is a member of the portal's JSON answer, e.g. "request.stage"; the next
   * line says what it must be */
  sentence = g_strdup_printf (_("The portal's answer is malformed: the member “%s” does not have the form the contract gives it."),
                              field);
  /* Translators: under the sentence above; %s is what the contract wants, e.g. "a string",
   * "one of draft, signed" */
  expected_line = g_strdup_printf (_("Expected: %s"), expected);
  error = g_error_new (TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_MALFORMED, "%s\n%s", sentence,
                       expected_line);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "field");
  json_builder_add_string_value (builder, field);
  json_builder_set_member_name (builder, "expected");
  json_builder_add_string_value (builder, expected);
  json_builder_end_object (builder);
  details = json_builder_get_root (builder);
  _tirkeu_portal_error_set_details (error, details);

  return error;
}

/**
 * tirkeu_portal_json_mismatch:
 * @field: the member of the answer that does not fit the question, e.g. "vin"
 * @expected: what it had to be, e.g. "the VIN asked for"
 * @answered: (nullable): what the portal answered, for the details; an IIN goes in masked
 *
 * An answer that is well formed but answers another question (another vehicle, person or
 * request): it must not be shown or stored as if it were the one asked for.
 *
 * Returns: (transfer full): a %TIRKEU_PORTAL_CODE_MALFORMED error whose details are
 *   `{"field": …, "expected": …, "answered": …}`
 */
GError *
tirkeu_portal_json_mismatch (const char *field,
                             const char *expected,
                             const char *answered)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) details = NULL;
  g_autofree char *sentence = NULL;
  g_autofree char *expected_line = NULL;
  GError *error;

  /* Translators: %s is a member of the portal's answer, e.g. "vin"; the answer is about
   * another vehicle, person or request than the one asked for */
  sentence = g_strdup_printf (_("The portal's answer does not fit the question: its member “%s” is about something else."),
                              field);
  /* Translators: %s is what it had to be, e.g. "the VIN asked for" */
  expected_line = g_strdup_printf (_("Expected: %s"), expected);
  error = g_error_new (TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_MALFORMED, "%s\n%s", sentence,
                       expected_line);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "field");
  json_builder_add_string_value (builder, field);
  json_builder_set_member_name (builder, "expected");
  json_builder_add_string_value (builder, expected);
  if (answered != NULL)
    {
      json_builder_set_member_name (builder, "answered");
      json_builder_add_string_value (builder, answered);
    }
  json_builder_end_object (builder);
  details = json_builder_get_root (builder);
  _tirkeu_portal_error_set_details (error, details);

  return error;
}

/* Looks @member up; FALSE with an error when the flags forbid what was found. *node is NULL
 * when the member is absent or null and that is allowed. */
static gboolean
lookup (JsonObject             *object,
        const char             *path,
        const char             *member,
        TirkeuPortalJsonFlags   flags,
        const char             *expected,
        JsonNode              **node,
        GError                **error)
{
  JsonNode *found = json_object_get_member (object, member);

  *node = NULL;

  if (found == NULL)
    {
      if (flags & TIRKEU_PORTAL_JSON_OPTIONAL)
        return TRUE;
      g_propagate_error (error, tirkeu_portal_json_malformed (path, member, expected));
      return FALSE;
    }

  if (JSON_NODE_HOLDS_NULL (found))
    {
      if (flags & TIRKEU_PORTAL_JSON_NULLABLE)
        return TRUE;
      g_propagate_error (error, tirkeu_portal_json_malformed (path, member, expected));
      return FALSE;
    }

  *node = found;
  return TRUE;
}

/**
 * tirkeu_portal_json_root_object:
 * @root: the parsed answer
 * @error: return location for a %TIRKEU_PORTAL_CODE_MALFORMED error
 *
 * Returns: (transfer none) (nullable): the root object, %NULL if the root is not an object
 */
JsonObject *
tirkeu_portal_json_root_object (JsonNode  *root,
                                GError   **error)
{
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_propagate_error (error, tirkeu_portal_json_malformed (NULL, "(root)", _("an object")));
      return NULL;
    }

  return json_node_get_object (root);
}

gboolean
tirkeu_portal_json_string (JsonObject             *object,
                           const char             *path,
                           const char             *member,
                           TirkeuPortalJsonFlags   flags,
                           const char            **value,
                           GError                **error)
{
  JsonNode *node;

  *value = NULL;
  if (!lookup (object, path, member, flags, _("a string"), &node, error))
    return FALSE;
  if (node == NULL)
    return TRUE;

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_propagate_error (error, tirkeu_portal_json_malformed (path, member, _("a string")));
      return FALSE;
    }

  *value = json_node_get_string (node);
  return TRUE;
}

gboolean
tirkeu_portal_json_int (JsonObject             *object,
                        const char             *path,
                        const char             *member,
                        TirkeuPortalJsonFlags   flags,
                        gint64                  min,
                        gint64                  max,
                        gint64                 *value,
                        GError                **error)
{
  /* xgettext cannot see through G_GINT64_FORMAT: the bounds go in as text */
  g_autofree char *low = g_strdup_printf ("%" G_GINT64_FORMAT, min);
  g_autofree char *high = g_strdup_printf ("%" G_GINT64_FORMAT, max);
  g_autofree char *expected = g_strdup_printf (_("an integer from %s to %s"), low, high);
  JsonNode *node;
  gint64 number;

  *value = 0;
  if (!lookup (object, path, member, flags, expected, &node, error))
    return FALSE;
  if (node == NULL)
    return TRUE;

  /* json-glib gives G_TYPE_INT64 only for a literal without fraction or exponent. */
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    {
      g_propagate_error (error, tirkeu_portal_json_malformed (path, member, expected));
      return FALSE;
    }

  number = json_node_get_int (node);
  if (number < min || number > max)
    {
      g_propagate_error (error, tirkeu_portal_json_malformed (path, member, expected));
      return FALSE;
    }

  *value = number;
  return TRUE;
}

gboolean
tirkeu_portal_json_number (JsonObject             *object,
                           const char             *path,
                           const char             *member,
                           TirkeuPortalJsonFlags   flags,
                           double                 *value,
                           GError                **error)
{
  JsonNode *node;
  GType type;

  *value = 0;
  if (!lookup (object, path, member, flags, _("a number"), &node, error))
    return FALSE;
  if (node == NULL)
    return TRUE;

  type = JSON_NODE_HOLDS_VALUE (node) ? json_node_get_value_type (node) : G_TYPE_INVALID;
  if (type == G_TYPE_INT64)
    *value = (double) json_node_get_int (node);
  else if (type == G_TYPE_DOUBLE)
    *value = json_node_get_double (node);
  else
    {
      g_propagate_error (error, tirkeu_portal_json_malformed (path, member, _("a number")));
      return FALSE;
    }

  return TRUE;
}

gboolean
tirkeu_portal_json_boolean (JsonObject             *object,
                            const char             *path,
                            const char             *member,
                            TirkeuPortalJsonFlags   flags,
                            gboolean               *value,
                            GError                **error)
{
  JsonNode *node;

  *value = FALSE;
  if (!lookup (object, path, member, flags, _("true or false"), &node, error))
    return FALSE;
  if (node == NULL)
    return TRUE;

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    {
      g_propagate_error (error, tirkeu_portal_json_malformed (path, member, _("true or false")));
      return FALSE;
    }

  *value = json_node_get_boolean (node);
  return TRUE;
}

gboolean
tirkeu_portal_json_object (JsonObject             *object,
                           const char             *path,
                           const char             *member,
                           TirkeuPortalJsonFlags   flags,
                           JsonObject            **value,
                           GError                **error)
{
  JsonNode *node;

  *value = NULL;
  if (!lookup (object, path, member, flags, _("an object"), &node, error))
    return FALSE;
  if (node == NULL)
    return TRUE;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_propagate_error (error, tirkeu_portal_json_malformed (path, member, _("an object")));
      return FALSE;
    }

  *value = json_node_get_object (node);
  return TRUE;
}

gboolean
tirkeu_portal_json_array (JsonObject             *object,
                          const char             *path,
                          const char             *member,
                          TirkeuPortalJsonFlags   flags,
                          JsonArray             **value,
                          GError                **error)
{
  JsonNode *node;

  *value = NULL;
  if (!lookup (object, path, member, flags, _("an array"), &node, error))
    return FALSE;
  if (node == NULL)
    return TRUE;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      g_propagate_error (error, tirkeu_portal_json_malformed (path, member, _("an array")));
      return FALSE;
    }

  *value = json_node_get_array (node);
  return TRUE;
}

gboolean
tirkeu_portal_json_datetime (JsonObject             *object,
                             const char             *path,
                             const char             *member,
                             TirkeuPortalJsonFlags   flags,
                             GDateTime            **value,
                             GError               **error)
{
  const char *text;
  GDateTime *parsed;

  *value = NULL;
  if (!tirkeu_portal_json_string (object, path, member, flags, &text, error))
    return FALSE;
  if (text == NULL)
    return TRUE;

  /* RFC 3339 date-time exactly: GLib's ISO 8601 reader also takes week and ordinal dates,
   * the basic format and a missing seconds field, which the contract does not allow. The
   * zone is mandatory, so no default zone is passed. */
  parsed = NULL;
  if (g_regex_match (shared_regex (&rfc3339_regex,
                                  "^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}"
                                  "(\\.[0-9]{1,9})?([Zz]|[+-][0-9]{2}:[0-9]{2})$"),
                     text, 0, NULL))
    {
      /* RFC 3339 allows lower-case t and z (section 5.6); GLib wants them upper-case. */
      g_autofree char *upper = g_ascii_strup (text, -1);

      parsed = g_date_time_new_from_iso8601 (upper, NULL);
    }
  if (parsed == NULL)
    {
      g_propagate_error (error, tirkeu_portal_json_malformed (path, member,
                                                              _("an RFC 3339 date-time")));
      return FALSE;
    }

  *value = parsed;
  return TRUE;
}

gboolean
tirkeu_portal_json_date (JsonObject             *object,
                         const char             *path,
                         const char             *member,
                         TirkeuPortalJsonFlags   flags,
                         GDate                  *value,
                         GError                **error)
{
  const char *text;
  guint year, month, day;
  char tail;

  g_date_clear (value, 1);
  if (!tirkeu_portal_json_string (object, path, member, flags, &text, error))
    return FALSE;
  if (text == NULL)
    return TRUE;

  /* RFC 3339 full-date, YYYY-MM-DD exactly. */
  if (strlen (text) != 10 || text[4] != '-' || text[7] != '-' ||
      sscanf (text, "%4u-%2u-%2u%c", &year, &month, &day, &tail) != 3 ||
      !g_date_valid_dmy (day, month, year))
    {
      g_propagate_error (error, tirkeu_portal_json_malformed (path, member,
                                                              _("a date (YYYY-MM-DD)")));
      return FALSE;
    }

  g_date_set_dmy (value, day, month, year);
  return TRUE;
}

gboolean
tirkeu_portal_json_base64 (JsonObject             *object,
                           const char             *path,
                           const char             *member,
                           TirkeuPortalJsonFlags   flags,
                           GBytes               **value,
                           GError               **error)
{
  const char *text;
  gsize len = 0;
  guchar *decoded;

  *value = NULL;
  if (!tirkeu_portal_json_string (object, path, member, flags, &text, error))
    return FALSE;
  if (text == NULL)
    return TRUE;

  /* g_base64_decode() skips characters outside the alphabet and reads on past a "=": check
   * the text first, so that a corrupted value is refused rather than silently changed.
   * Standard base64 with padding: groups of four, "=" only as the last one or two. */
  {
    gsize text_len = strlen (text);
    gsize n_padding = 0;

    if (text_len % 4 != 0)
      goto bad;
    if (text_len > 0 && text[text_len - 1] == '=')
      n_padding = (text_len > 1 && text[text_len - 2] == '=') ? 2 : 1;
    for (gsize i = 0; i < text_len - n_padding; i++)
      if (!g_ascii_isalnum (text[i]) && text[i] != '+' && text[i] != '/')
        goto bad;
  }

  decoded = g_base64_decode (text, &len);
  *value = g_bytes_new_take (decoded, len);
  return TRUE;

bad:
  g_propagate_error (error, tirkeu_portal_json_malformed (path, member, _("base64 text")));
  return FALSE;
}

JsonObject *
tirkeu_portal_json_array_object (JsonArray   *array,
                                 const char  *path,
                                 guint        index,
                                 GError     **error)
{
  JsonNode *node = json_array_get_element (array, index);

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_autofree char *member = g_strdup_printf ("[%u]", index);

      g_propagate_error (error, tirkeu_portal_json_malformed (path, member, _("an object")));
      return NULL;
    }

  return json_node_get_object (node);
}

const char *
tirkeu_portal_json_array_string (JsonArray   *array,
                                 const char  *path,
                                 guint        index,
                                 GError     **error)
{
  JsonNode *node = json_array_get_element (array, index);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_autofree char *member = g_strdup_printf ("[%u]", index);

      g_propagate_error (error, tirkeu_portal_json_malformed (path, member, _("a string")));
      return NULL;
    }

  return json_node_get_string (node);
}

/* ------------------------------------------------------------------------------------------ */
/* The contract's schemas                                                                     */

/* A vehicle's model year, as the contract bounds it. */
#define YEAR_MIN 1900
#define YEAR_MAX 2100

static gboolean
check_pattern (const char  *value,
               const char  *path,
               const char  *member,
               gboolean   (*valid_char) (char c, gsize i),
               gsize        min_len,
               gsize        max_len,
               const char  *expected,
               GError     **error)
{
  gsize len = strlen (value);

  if (len < min_len || len > max_len)
    goto bad;
  for (gsize i = 0; i < len; i++)
    if (!valid_char (value[i], i))
      goto bad;
  return TRUE;

bad:
  g_propagate_error (error, tirkeu_portal_json_malformed (path, member, expected));
  return FALSE;
}

/* A string of @min_len to @max_len characters (the contract's minLength and maxLength). */
static gboolean
check_length (const char  *value,
              const char  *path,
              const char  *member,
              glong        min_len,
              glong        max_len,
              GError     **error)
{
  glong len = g_utf8_strlen (value, -1);

  if (len < min_len || len > max_len)
    {
      g_autofree char *expected = g_strdup_printf (_("%ld to %ld characters"), min_len, max_len);

      g_propagate_error (error, tirkeu_portal_json_malformed (path, member, expected));
      return FALSE;
    }

  return TRUE;
}

static gboolean
digit_char (char c, gsize i)
{
  return g_ascii_isdigit (c);
}

static gboolean
vin_char (char c, gsize i)
{
  c = g_ascii_toupper (c);
  return g_ascii_isalnum (c) && c != 'I' && c != 'O' && c != 'Q';
}

static gboolean
id_char (char c, gsize i)
{
  return g_ascii_isalnum (c) || c == '-';
}

static gboolean
idempotency_key_char (char c, gsize i)
{
  return g_ascii_isalnum (c) || strchr ("._:-", c) != NULL;
}

static gboolean
challenge_id_char (char c, gsize i)
{
  return g_ascii_isalnum (c) || c == '_' || c == '-';
}

static gboolean
upper_char (char c, gsize i)
{
  return g_ascii_isupper (c);
}

/* RFC 6750's b64token: [A-Za-z0-9._~+/-]+ then "=" padding. The token goes into a header, so
 * nothing else may pass (a line break would smuggle a header in). */
static gboolean
token_valid (const char *token)
{
  gsize len = strlen (token);
  gsize body = strspn (token, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                              "0123456789._~+/-");

  return len >= 1 && len <= 512 && body >= 1 && strspn (token + body, "=") == len - body;
}

/* OKED "NN.NN" or "NN.NN.N" */
static gboolean
oked_code_valid (const char *code)
{
  gsize len = strlen (code);

  if (len != 5 && len != 7)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      gboolean dot = i == 2 || i == 5;

      if (dot ? code[i] != '.' : !g_ascii_isdigit (code[i]))
        return FALSE;
    }
  return TRUE;
}

/* "1.0.0": three dot-separated numbers */
static gboolean
version_valid (const char *version)
{
  g_auto(GStrv) parts = g_strsplit (version, ".", -1);

  if (g_strv_length (parts) != 3)
    return FALSE;
  for (guint i = 0; i < 3; i++)
    if (parts[i][0] == '\0' || strspn (parts[i], "0123456789") != strlen (parts[i]))
      return FALSE;
  return TRUE;
}

/* 1-64 characters, no control characters (U+0000-U+001F, U+007F-U+009F). */
static gboolean
check_contract_number (const char  *value,
                       const char  *path,
                       const char  *member,
                       GError     **error)
{
  if (!check_length (value, path, member, 1, 64, error))
    return FALSE;
  for (const char *p = value; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c <= 0x1F || (c >= 0x7F && c <= 0x9F))
        {
          g_propagate_error (error, tirkeu_portal_json_malformed (path, member,
                                                                  _("text without control characters")));
          return FALSE;
        }
    }
  return TRUE;
}

/* A string member that must match one of the contract's patterns. */
static gboolean
get_twelve_digits (JsonObject   *object,
                   const char   *path,
                   const char   *member,
                   const char  **value,
                   GError      **error)
{
  return tirkeu_portal_json_string (object, path, member, 0, value, error) &&
         check_pattern (*value, path, member, digit_char, 12, 12, _("12 digits"), error);
}

static gboolean
get_vin (JsonObject   *object,
         const char   *path,
         const char   *member,
         const char  **value,
         GError      **error)
{
  return tirkeu_portal_json_string (object, path, member, 0, value, error) &&
         check_pattern (*value, path, member, vin_char, 17, 17, _("a VIN of 17 characters"),
                        error);
}

static gboolean
get_request_id (JsonObject   *object,
                const char   *path,
                const char   *member,
                const char  **value,
                GError      **error)
{
  return tirkeu_portal_json_string (object, path, member, 0, value, error) &&
         check_pattern (*value, path, member, id_char, 1, 64, _("a request id"), error);
}

/* One of @names (NULL-terminated), as its index. */
static gboolean
get_enum (JsonObject         *object,
          const char         *path,
          const char         *member,
          const char * const *names,
          guint              *value,
          GError            **error)
{
  const char *text;

  if (!tirkeu_portal_json_string (object, path, member, 0, &text, error))
    return FALSE;

  for (guint i = 0; names[i] != NULL; i++)
    {
      if (g_str_equal (names[i], text))
        {
          *value = i;
          return TRUE;
        }
    }

  {
    g_autofree char *list = g_strjoinv (", ", (char **) names);
    g_autofree char *expected = g_strdup_printf (_("one of %s"), list);

    g_propagate_error (error, tirkeu_portal_json_malformed (path, member, expected));
  }
  return FALSE;
}

/**
 * tirkeu_portal_json_to_text:
 *
 * Reads a LocalizedText (all three languages required). With %TIRKEU_PORTAL_JSON_OPTIONAL or
 * %TIRKEU_PORTAL_JSON_NULLABLE an absent text leaves @text empty.
 */
gboolean
tirkeu_portal_json_to_text (JsonObject             *object,
                            const char             *path,
                            const char             *member,
                            TirkeuPortalJsonFlags   flags,
                            TirkeuPortalText       *text,
                            GError                **error)
{
  g_autofree char *inner = tirkeu_portal_json_join (path, member);
  JsonObject *localized;
  const char *kk, *ru, *en;

  memset (text, 0, sizeof *text);
  if (!tirkeu_portal_json_object (object, path, member, flags, &localized, error))
    return FALSE;
  if (localized == NULL)
    return TRUE;

  if (!tirkeu_portal_json_string (localized, inner, "kk", 0, &kk, error) ||
      !tirkeu_portal_json_string (localized, inner, "ru", 0, &ru, error) ||
      !tirkeu_portal_json_string (localized, inner, "en", 0, &en, error))
    return FALSE;

  text->kk = g_strdup (kk);
  text->ru = g_strdup (ru);
  text->en = g_strdup (en);
  return TRUE;
}

/**
 * tirkeu_portal_json_to_error:
 * @root: an error answer
 * @http_status: its HTTP status
 * @error: where a malformed error answer is reported
 *
 * Returns: (transfer full) (nullable): the portal's error in %TIRKEU_PORTAL_ERROR with its
 *   code, texts, details and Retry-After (details.retry_after_s), or %NULL if @root does not
 *   follow the error model
 */
GError *
tirkeu_portal_json_to_error (JsonNode  *root,
                             guint      http_status,
                             GError   **error)
{
  JsonObject *object, *details;
  const char *code_name;
  TirkeuPortalText message = { 0 };
  TirkeuPortalCode code;
  gint64 retry_after = 0;
  GError *portal_error;

  object = tirkeu_portal_json_root_object (root, error);
  if (object == NULL ||
      !tirkeu_portal_json_string (object, NULL, "code", 0, &code_name, error) ||
      !tirkeu_portal_json_to_text (object, NULL, "message", 0, &message, error) ||
      /* the contract says details is always there; a portal that leaves it out is forgiven,
       * because the code and the texts are what matters */
      !tirkeu_portal_json_object (object, NULL, "details",
                                  TIRKEU_PORTAL_JSON_OPTIONAL | TIRKEU_PORTAL_JSON_NULLABLE,
                                  &details, error) ||
      (details != NULL &&
       !tirkeu_portal_json_int (details, "details", "retry_after_s", TIRKEU_PORTAL_JSON_OPTIONAL,
                                0, G_MAXUINT32, &retry_after, error)))
    {
      tirkeu_portal_text_clear (&message);
      return NULL;
    }

  code = tirkeu_portal_code_from_string (code_name);
  portal_error = tirkeu_portal_error_new_from_portal (code, http_status,
                                                      message.kk, message.ru, message.en,
                                                      details != NULL
                                                        ? json_object_get_member (object, "details")
                                                        : NULL);
  if (code == TIRKEU_PORTAL_CODE_UNKNOWN)
    {
      /* Keep the unknown name visible in the technical message. */
      g_free (portal_error->message);
      portal_error->message = g_strdup_printf ("%s: %s", code_name,
                                               message.en != NULL ? message.en : "");
    }
  _tirkeu_portal_error_set_retry_after (portal_error, (guint) retry_after);
  tirkeu_portal_text_clear (&message);

  return portal_error;
}

TirkeuPortalAbout *
tirkeu_portal_json_to_about (JsonNode  *root,
                             GError   **error)
{
  static const char * const environments[] = { "sandbox", "production", NULL };
  g_autoptr(TirkeuPortalAbout) about = g_new0 (TirkeuPortalAbout, 1);
  JsonObject *object;
  const char *api_version;
  guint environment;

  object = tirkeu_portal_json_root_object (root, error);
  if (object == NULL ||
      !get_enum (object, NULL, "environment", environments, &environment, error) ||
      !tirkeu_portal_json_string (object, NULL, "api_version", 0, &api_version, error) ||
      !tirkeu_portal_json_to_text (object, NULL, "portal_name",
                                   TIRKEU_PORTAL_JSON_OPTIONAL | TIRKEU_PORTAL_JSON_NULLABLE,
                                   &about->portal_name, error))
    return NULL;

  if (!version_valid (api_version))
    {
      g_propagate_error (error, tirkeu_portal_json_malformed (NULL, "api_version",
                                                              _("a version such as 1.0.0")));
      return NULL;
    }

  about->environment = g_strdup (environments[environment]);
  about->sandbox = environment == 0;
  about->api_version = g_strdup (api_version);

  return g_steal_pointer (&about);
}

/**
 * tirkeu_portal_json_to_challenge:
 *
 * Reads a Challenge: its id and the decoded bytes to sign.
 */
gboolean
tirkeu_portal_json_to_challenge (JsonNode   *root,
                                 char      **challenge_id,
                                 GBytes    **challenge,
                                 GError    **error)
{
  JsonObject *object;
  const char *id;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GDateTime) expires_at = NULL;

  object = tirkeu_portal_json_root_object (root, error);
  if (object == NULL ||
      !tirkeu_portal_json_string (object, NULL, "challenge_id", 0, &id, error) ||
      !tirkeu_portal_json_base64 (object, NULL, "challenge", 0, &bytes, error) ||
      !tirkeu_portal_json_datetime (object, NULL, "expires_at", 0, &expires_at, error))
    return FALSE;

  if (!check_pattern (id, NULL, "challenge_id", challenge_id_char, 1, 64,
                      _("1 to 64 characters of A-Z a-z 0-9 _ -"), error))
    return FALSE;
  /* 4096 characters of base64 at most (contract) */
  if (g_bytes_get_size (bytes) == 0 || g_bytes_get_size (bytes) > 3072)
    {
      g_propagate_error (error, tirkeu_portal_json_malformed (NULL, "challenge",
                                                              _("bytes to sign")));
      return FALSE;
    }

  *challenge_id = g_strdup (id);
  *challenge = g_steal_pointer (&bytes);
  return TRUE;
}

TirkeuPortalSeller *
tirkeu_portal_json_to_seller (JsonObject  *object,
                              const char  *path,
                              GError     **error)
{
  g_autoptr(TirkeuPortalSeller) seller = g_new0 (TirkeuPortalSeller, 1);
  g_autofree char *check_path = tirkeu_portal_json_join (path, "oked_check");
  g_autofree char *oked_path = tirkeu_portal_json_join (path, "oked");
  const char *bin, *name, *matched;
  JsonArray *oked;
  JsonObject *check;
  g_autoptr(GStrvBuilder) codes = g_strv_builder_new ();

  if (!get_twelve_digits (object, path, "bin", &bin, error) ||
      !tirkeu_portal_json_string (object, path, "name", 0, &name, error) ||
      !tirkeu_portal_json_array (object, path, "oked", 0, &oked, error) ||
      !tirkeu_portal_json_object (object, path, "oked_check", 0, &check, error) ||
      !tirkeu_portal_json_boolean (check, check_path, "qualifies", 0, &seller->oked_qualifies,
                                   error) ||
      !tirkeu_portal_json_string (check, check_path, "matched_code",
                                  TIRKEU_PORTAL_JSON_NULLABLE, &matched, error))
    return NULL;

  for (guint i = 0; i < json_array_get_length (oked); i++)
    {
      const char *code = tirkeu_portal_json_array_string (oked, oked_path, i, error);

      if (code == NULL)
        return NULL;
      if (!oked_code_valid (code))
        {
          g_autofree char *member = g_strdup_printf ("[%u]", i);

          g_propagate_error (error, tirkeu_portal_json_malformed (oked_path, member,
                                                                  _("an OKED code such as 45.11")));
          return NULL;
        }
      g_strv_builder_add (codes, code);
    }

  if (matched != NULL && !oked_code_valid (matched))
    {
      g_propagate_error (error, tirkeu_portal_json_malformed (check_path, "matched_code",
                                                              _("an OKED code such as 45.11")));
      return NULL;
    }

  seller->bin = g_strdup (bin);
  seller->name = g_strdup (name);
  seller->oked = g_strv_builder_end (codes);
  seller->oked_matched_code = g_strdup (matched);

  return g_steal_pointer (&seller);
}

/**
 * tirkeu_portal_json_to_session:
 *
 * Reads a Session. The token is a secret: the caller keeps it in memory only.
 */
TirkeuPortalSeller *
tirkeu_portal_json_to_session (JsonNode    *root,
                               char       **token,
                               GDateTime  **expires_at,
                               GError     **error)
{
  JsonObject *object, *seller_object;
  const char *token_text;
  g_autoptr(GDateTime) expires = NULL;
  TirkeuPortalSeller *seller;

  object = tirkeu_portal_json_root_object (root, error);
  if (object == NULL ||
      !tirkeu_portal_json_string (object, NULL, "token", 0, &token_text, error) ||
      !tirkeu_portal_json_datetime (object, NULL, "expires_at", 0, &expires, error) ||
      !tirkeu_portal_json_object (object, NULL, "seller", 0, &seller_object, error))
    return NULL;

  if (!token_valid (token_text))
    {
      g_propagate_error (error, tirkeu_portal_json_malformed (NULL, "token",
                                                              _("a bearer token (RFC 6750)")));
      return NULL;
    }

  seller = tirkeu_portal_json_to_seller (seller_object, "seller", error);
  if (seller == NULL)
    return NULL;

  *token = g_strdup (token_text);
  *expires_at = g_steal_pointer (&expires);
  return seller;
}

/* The contract's LocalizedText as the core keeps it: every language the portal sent. */
static TirkeuLocalizedText *
localized_text_new (const TirkeuPortalText *text)
{
  return tirkeu_localized_text_new (text->kk, text->ru, text->en);
}

/* Contract 1.4.0: the e-passport's colour, body and engine in kk, ru and en, next to the
 * plain strings (the e-passport system's spelling), in VehicleCheck.epassport and
 * Request.vehicle alike. Each is optional (a 1.3 portal sends the strings only, and the
 * vehicle then shows those), but one that is there must be a whole LocalizedText, as every
 * other text of the portal's: a text cut short is a malformed answer, not a missing one. */
static gboolean
get_vehicle_texts (JsonObject     *object,
                   const char     *path,
                   TirkeuVehicle  *vehicle,
                   GError        **error)
{
  static const struct {
    const char *member;
    gsize offset;
  } texts[] = {
    { "colour_text", G_STRUCT_OFFSET (TirkeuVehicle, colour_text) },
    { "body_text", G_STRUCT_OFFSET (TirkeuVehicle, body_type_text) },
    { "engine_text", G_STRUCT_OFFSET (TirkeuVehicle, engine_text) },
  };

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      TirkeuPortalText text = { 0 };
      TirkeuLocalizedText **field = &G_STRUCT_MEMBER (TirkeuLocalizedText *, vehicle,
                                                      texts[i].offset);

      if (!tirkeu_portal_json_to_text (object, path, texts[i].member,
                                       TIRKEU_PORTAL_JSON_OPTIONAL, &text, error))
        {
          tirkeu_portal_text_clear (&text);
          return FALSE;
        }
      g_clear_pointer (field, tirkeu_localized_text_unref);
      if (text.kk != NULL)
        *field = localized_text_new (&text);
      tirkeu_portal_text_clear (&text);
    }

  return TRUE;
}

/* The contract's names, indexed by the enums (and NULL-terminated for get_enum()): one table
 * both to read answers and to name the values again (the CLI's --json output). */
static const char * const payment_names[] = {
  [TIRKEU_PORTAL_PAYMENT_PAID] = "paid",
  [TIRKEU_PORTAL_PAYMENT_UNPAID] = "unpaid",
  [TIRKEU_PORTAL_PAYMENT_NO_DATA] = "no_data",
  NULL
};

static const char * const person_status_names[] = {
  [TIRKEU_PORTAL_PERSON_ACTIVE] = "active",
  [TIRKEU_PORTAL_PERSON_DECEASED] = "deceased",
  [TIRKEU_PORTAL_PERSON_INVALIDATED] = "invalidated",
  NULL
};

/**
 * tirkeu_portal_payment_to_string:
 * @payment: a #TirkeuPortalPayment
 *
 * Returns: (transfer none): the contract's name of @payment ("paid", "unpaid", "no_data")
 */
const char *
tirkeu_portal_payment_to_string (TirkeuPortalPayment payment)
{
  g_return_val_if_fail (payment < G_N_ELEMENTS (payment_names) - 1, NULL);

  return payment_names[payment];
}

/**
 * tirkeu_portal_person_status_to_string:
 * @status: a #TirkeuPortalPersonStatus
 *
 * Returns: (transfer none): the contract's name of @status ("active", "deceased",
 *   "invalidated")
 */
const char *
tirkeu_portal_person_status_to_string (TirkeuPortalPersonStatus status)
{
  g_return_val_if_fail (status < G_N_ELEMENTS (person_status_names) - 1, NULL);

  return person_status_names[status];
}

TirkeuPortalVehicleCheck *
tirkeu_portal_json_to_vehicle_check (JsonNode  *root,
                                     GError   **error)
{
  static const char * const epassport_names[] = { "found", "not_found", NULL };
  static const char * const stop_codes[] = { "EPASSPORT_NOT_FOUND", "CUSTOMS_UNPAID",
                                             "UTILIZATION_UNPAID", NULL };
  g_autoptr(TirkeuPortalVehicleCheck) check = g_new0 (TirkeuPortalVehicleCheck, 1);
  JsonObject *object, *epassport, *customs, *utilization, *stopped;
  const char *vin, *declaration, *payment;
  guint status;

  g_date_clear (&check->epassport_issued_on, 1);
  g_date_clear (&check->customs_paid_on, 1);
  g_date_clear (&check->utilization_paid_on, 1);

  object = tirkeu_portal_json_root_object (root, error);
  if (object == NULL ||
      !get_vin (object, NULL, "vin", &vin, error) ||
      !tirkeu_portal_json_object (object, NULL, "epassport", 0, &epassport, error) ||
      !tirkeu_portal_json_object (object, NULL, "customs", 0, &customs, error) ||
      !tirkeu_portal_json_object (object, NULL, "utilization", 0, &utilization, error) ||
      !tirkeu_portal_json_object (object, NULL, "stopped_at", TIRKEU_PORTAL_JSON_NULLABLE,
                                  &stopped, error))
    return NULL;

  check->vin = g_ascii_strup (vin, -1);

  /* Step 3 */
  if (!get_enum (epassport, "epassport", "status", epassport_names, &status, error))
    return NULL;
  check->epassport_found = status == 0;
  if (check->epassport_found)
    {
      g_autoptr(TirkeuVehicle) vehicle = tirkeu_vehicle_new (check->vin);
      const char *number, *make, *model, *colour, *body, *engine, *engine_number, *category;
      gint64 year;

      if (!tirkeu_portal_json_string (epassport, "epassport", "number",
                                      TIRKEU_PORTAL_JSON_OPTIONAL, &number, error) ||
          !tirkeu_portal_json_string (epassport, "epassport", "make",
                                      TIRKEU_PORTAL_JSON_OPTIONAL, &make, error) ||
          !tirkeu_portal_json_string (epassport, "epassport", "model",
                                      TIRKEU_PORTAL_JSON_OPTIONAL, &model, error) ||
          !tirkeu_portal_json_int (epassport, "epassport", "year", TIRKEU_PORTAL_JSON_OPTIONAL,
                                   YEAR_MIN, YEAR_MAX, &year, error) ||
          !tirkeu_portal_json_string (epassport, "epassport", "colour",
                                      TIRKEU_PORTAL_JSON_OPTIONAL, &colour, error) ||
          !tirkeu_portal_json_string (epassport, "epassport", "body",
                                      TIRKEU_PORTAL_JSON_OPTIONAL, &body, error) ||
          !tirkeu_portal_json_string (epassport, "epassport", "engine",
                                      TIRKEU_PORTAL_JSON_OPTIONAL, &engine, error) ||
          !tirkeu_portal_json_string (epassport, "epassport", "engine_number",
                                      TIRKEU_PORTAL_JSON_OPTIONAL, &engine_number, error) ||
          !tirkeu_portal_json_string (epassport, "epassport", "category",
                                      TIRKEU_PORTAL_JSON_OPTIONAL, &category, error) ||
          !tirkeu_portal_json_date (epassport, "epassport", "issued_at",
                                    TIRKEU_PORTAL_JSON_OPTIONAL, &check->epassport_issued_on,
                                    error))
        return NULL;

      vehicle->epassport_number = g_strdup (number);
      vehicle->make = g_strdup (make);
      vehicle->model = g_strdup (model);
      vehicle->year = (guint) year;
      vehicle->colour = g_strdup (colour);
      vehicle->body_type = g_strdup (body);
      vehicle->engine_model = g_strdup (engine);
      vehicle->engine_number = g_strdup (engine_number);
      vehicle->category = g_strdup (category);
      if (!get_vehicle_texts (epassport, "epassport", vehicle, error))
        return NULL;
      check->vehicle = g_steal_pointer (&vehicle);
    }

  /* Steps 4 and 5 */
  if (!get_enum (customs, "customs", "status", payment_names, &status, error))
    return NULL;
  check->customs = status;
  if (!tirkeu_portal_json_string (customs, "customs", "declaration_number",
                                  TIRKEU_PORTAL_JSON_OPTIONAL, &declaration, error) ||
      !tirkeu_portal_json_date (customs, "customs", "paid_on", TIRKEU_PORTAL_JSON_OPTIONAL,
                                &check->customs_paid_on, error))
    return NULL;
  check->customs_declaration = g_strdup (declaration);

  if (!get_enum (utilization, "utilization", "status", payment_names, &status, error))
    return NULL;
  check->utilization = status;
  if (!tirkeu_portal_json_string (utilization, "utilization", "payment_number",
                                  TIRKEU_PORTAL_JSON_OPTIONAL, &payment, error) ||
      !tirkeu_portal_json_date (utilization, "utilization", "paid_on",
                                TIRKEU_PORTAL_JSON_OPTIONAL, &check->utilization_paid_on, error))
    return NULL;
  check->utilization_payment = g_strdup (payment);

  check->stopped_code = TIRKEU_PORTAL_CODE_UNKNOWN;
  if (stopped != NULL)
    {
      gint64 step;
      guint code;

      if (!tirkeu_portal_json_int (stopped, "stopped_at", "step", 0, 3, 5, &step, error) ||
          !get_enum (stopped, "stopped_at", "code", stop_codes, &code, error) ||
          !tirkeu_portal_json_to_text (stopped, "stopped_at", "message", 0,
                                       &check->stopped_message, error))
        return NULL;
      check->stopped_at_step = (guint) step;
      check->stopped_code = tirkeu_portal_code_from_string (stop_codes[code]);
    }

  /* The answer must say the same thing twice: the step that stops the request is the first
   * of steps 3-5 that does not pass, with that step's code, and none when all pass. A "not
   * found" e-passport without a stopped step would let a request go on that must not. */
  {
    guint first_failing = !check->epassport_found ? 3
                          : check->customs != TIRKEU_PORTAL_PAYMENT_PAID ? 4
                          : check->utilization != TIRKEU_PORTAL_PAYMENT_PAID ? 5 : 0;

    if (check->stopped_at_step != first_failing ||
        (first_failing != 0 &&
         check->stopped_code != tirkeu_portal_code_from_string (stop_codes[first_failing - 3])))
      {
        g_autofree char *expected = NULL;

        if (first_failing == 0)
          expected = g_strdup (_("null when steps 3-5 pass"));
        else
          expected = g_strdup_printf (_("step %u with code %s"), first_failing,
                                      stop_codes[first_failing - 3]);
        g_propagate_error (error,
                           tirkeu_portal_json_mismatch ("stopped_at", expected,
                                                        check->stopped_at_step != 0
                                                          ? tirkeu_portal_code_to_string (check->stopped_code)
                                                          : NULL));
        return NULL;
      }
  }

  return g_steal_pointer (&check);
}

TirkeuPortalPerson *
tirkeu_portal_json_to_person (JsonNode  *root,
                              GError   **error)
{
  g_autoptr(TirkeuPortalPerson) person = g_new0 (TirkeuPortalPerson, 1);
  JsonObject *object;
  const char *iin, *full_name;
  guint status;

  object = tirkeu_portal_json_root_object (root, error);
  if (object == NULL ||
      !get_twelve_digits (object, NULL, "iin", &iin, error) ||
      !get_enum (object, NULL, "status", person_status_names, &status, error) ||
      !tirkeu_portal_json_string (object, NULL, "full_name", 0, &full_name, error))
    return NULL;

  person->iin = g_strdup (iin);
  person->status = status;
  person->full_name = g_strdup (full_name);

  return g_steal_pointer (&person);
}

TirkeuPortalContract *
tirkeu_portal_json_to_contract (JsonObject  *object,
                                const char  *path,
                                GError     **error)
{
  g_autoptr(TirkeuPortalContract) contract = g_new0 (TirkeuPortalContract, 1);
  g_autofree char *seller_path = tirkeu_portal_json_join (path, "seller");
  g_autofree char *buyer_path = tirkeu_portal_json_join (path, "buyer");
  JsonObject *seller, *buyer;
  const char *number, *price, *currency, *seller_bin, *seller_name, *buyer_iin, *buyer_name;
  GDate date;
  gint64 price_tiyn;

  if (!tirkeu_portal_json_string (object, path, "number", 0, &number, error) ||
      !check_contract_number (number, path, "number", error) ||
      !tirkeu_portal_json_date (object, path, "date", 0, &date, error) ||
      !tirkeu_portal_json_string (object, path, "price", 0, &price, error) ||
      !tirkeu_portal_json_string (object, path, "currency", 0, &currency, error) ||
      !check_pattern (currency, path, "currency", upper_char, 3, 3,
                      _("an ISO 4217 code such as KZT"), error) ||
      !tirkeu_portal_json_object (object, path, "seller", 0, &seller, error) ||
      !get_twelve_digits (seller, seller_path, "bin", &seller_bin, error) ||
      !tirkeu_portal_json_string (seller, seller_path, "name", 0, &seller_name, error) ||
      !tirkeu_portal_json_object (object, path, "buyer", 0, &buyer, error) ||
      !get_twelve_digits (buyer, buyer_path, "iin", &buyer_iin, error) ||
      !tirkeu_portal_json_string (buyer, buyer_path, "full_name", 0, &buyer_name, error))
    return NULL;

  /* Money is a decimal string with exactly two decimals, never a JSON number, and at most
   * 15 digits of tenge without leading zeros (the contract's bound, far above any car and
   * inside the tiyn's 64-bit range). */
  if (!g_regex_match (shared_regex (&money_regex, "^(0|[1-9][0-9]{0,14})\\.[0-9]{2}$"), price, 0,
                      NULL) ||
      !tirkeu_contract_parse_price (price, &price_tiyn, NULL))
    {
      g_propagate_error (error, tirkeu_portal_json_malformed (path, "price",
                                                              _("an amount such as “12500000.00”")));
      return NULL;
    }

  contract->contract = tirkeu_contract_new (number);
  contract->contract->date = date;
  contract->contract->price_tiyn = price_tiyn;
  contract->currency = g_strdup (currency);
  contract->seller_bin = g_strdup (seller_bin);
  contract->seller_name = g_strdup (seller_name);
  contract->buyer_iin = g_strdup (buyer_iin);
  contract->buyer_name = g_strdup (buyer_name);

  return g_steal_pointer (&contract);
}

GPtrArray *
tirkeu_portal_json_to_contracts (JsonNode  *root,
                                 GError   **error)
{
  g_autoptr(GPtrArray) contracts =
    g_ptr_array_new_with_free_func ((GDestroyNotify) tirkeu_portal_contract_free);
  JsonObject *object;
  JsonArray *list;

  object = tirkeu_portal_json_root_object (root, error);
  if (object == NULL ||
      !tirkeu_portal_json_array (object, NULL, "contracts", 0, &list, error))
    return NULL;

  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      g_autofree char *path = g_strdup_printf ("contracts[%u]", i);
      JsonObject *item = tirkeu_portal_json_array_object (list, "contracts", i, error);
      TirkeuPortalContract *contract;

      if (item == NULL)
        return NULL;
      contract = tirkeu_portal_json_to_contract (item, path, error);
      if (contract == NULL)
        return NULL;
      g_ptr_array_add (contracts, contract);
    }

  return g_steal_pointer (&contracts);
}

/**
 * tirkeu_portal_json_request_set_idempotency_key:
 * @request: a request from the portal
 * @idempotency_key: the key it was created with, a UUID (the core keeps no other kind)
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): a copy of @request that carries @idempotency_key
 */
TirkeuRequest *
tirkeu_portal_json_request_set_idempotency_key (TirkeuRequest  *request,
                                                const char     *idempotency_key,
                                                GError        **error)
{
  g_autoptr(GVariant) variant = NULL;
  g_autoptr(GError) local_error = NULL;
  TirkeuRequest *copy;

  g_return_val_if_fail (g_uuid_string_is_valid (idempotency_key), NULL);

  /* The request may be shared: the key goes on a copy. */
  variant = tirkeu_request_to_variant (request);
  copy = tirkeu_request_new_from_variant (variant, &local_error);
  if (copy == NULL)
    {
      g_set_error (error, TIRKEU_PORTAL_ERROR, TIRKEU_PORTAL_CODE_MALFORMED,
                   _("The portal's request cannot be stored: %s"), local_error->message);
      return NULL;
    }
  tirkeu_request_set_idempotency_key (copy, idempotency_key);
  return copy;
}

/**
 * tirkeu_portal_json_to_request:
 * @object: a Request
 * @path: its path, for errors
 * @info: (out) (optional) (transfer full): what the portal says beyond the #TirkeuRequest
 * @error: return location for a MALFORMED error
 *
 * The portal's texts (history messages, the refusal reason, the TsON's name and address) are
 * kept in every language it sent (#TirkeuLocalizedText): the reader's language is picked
 * when they are shown, not here.
 *
 * Returns: (transfer full) (nullable): the request, its history replayed in order
 */
TirkeuRequest *
tirkeu_portal_json_to_request (JsonObject               *object,
                               const char               *path,
                               TirkeuPortalRequestInfo **info,
                               GError                  **error)
{
  g_autoptr(TirkeuPortalRequestInfo) request_info = g_new0 (TirkeuPortalRequestInfo, 1);
  static const char * const plate_types[] = { "standard", "selected", NULL };
  g_autoptr(TirkeuRequest) request = NULL;
  g_autoptr(TirkeuVehicle) vehicle = NULL;
  g_autoptr(TirkeuPortalContract) contract = NULL;
  g_autoptr(GBytes) payload = NULL;
  g_autoptr(GDateTime) created_at = NULL;
  g_autoptr(GDateTime) updated_at = NULL;
  g_autoptr(GDateTime) buyer_deadline = NULL;
  g_autofree char *vehicle_path = tirkeu_portal_json_join (path, "vehicle");
  g_autofree char *buyer_path = tirkeu_portal_json_join (path, "buyer");
  g_autofree char *contract_path = tirkeu_portal_json_join (path, "contract");
  g_autofree char *history_path = tirkeu_portal_json_join (path, "history");
  g_autofree char *refusal_path = tirkeu_portal_json_join (path, "refusal");
  g_autofree char *tson_path = tirkeu_portal_json_join (path, "tson");
  const char *id, *vin, *buyer_iin, *contract_number, *seller_bin, *buyer_name, *plate_type;
  const char *make, *model, *colour, *body, *engine, *category, *idempotency_key, *stage_name;
  JsonObject *vehicle_object, *buyer, *contract_object, *refusal, *tson;
  JsonArray *history;
  TirkeuStage stage;
  gboolean stage_known;
  gint64 rev, year;

  if (!get_request_id (object, path, "id", &id, error) ||
      !tirkeu_portal_json_string (object, path, "idempotency_key", TIRKEU_PORTAL_JSON_OPTIONAL,
                                  &idempotency_key, error) ||
      (idempotency_key != NULL &&
       !check_pattern (idempotency_key, path, "idempotency_key", idempotency_key_char, 1, 128,
                       _("an Idempotency-Key of 1-128 characters of A-Z a-z 0-9 . _ : -"),
                       error)) ||
      !tirkeu_portal_json_string (object, path, "stage", 0, &stage_name, error) ||
      !tirkeu_portal_json_int (object, path, "revision", 0, 0, G_MAXINT64, &rev, error) ||
      !get_vin (object, path, "vin", &vin, error) ||
      !get_twelve_digits (object, path, "buyer_iin", &buyer_iin, error) ||
      !tirkeu_portal_json_string (object, path, "contract_number", 0, &contract_number, error) ||
      !check_contract_number (contract_number, path, "contract_number", error) ||
      !get_twelve_digits (object, path, "seller_bin", &seller_bin, error) ||
      !tirkeu_portal_json_datetime (object, path, "created_at", 0, &created_at, error) ||
      !tirkeu_portal_json_datetime (object, path, "updated_at", 0, &updated_at, error) ||
      !tirkeu_portal_json_datetime (object, path, "buyer_deadline", TIRKEU_PORTAL_JSON_OPTIONAL,
                                    &buyer_deadline, error) ||
      !tirkeu_portal_json_base64 (object, path, "signing_payload", 0, &payload, error) ||
      !tirkeu_portal_json_object (object, path, "vehicle", 0, &vehicle_object, error) ||
      !tirkeu_portal_json_string (vehicle_object, vehicle_path, "make", 0, &make, error) ||
      !tirkeu_portal_json_string (vehicle_object, vehicle_path, "model", 0, &model, error) ||
      !tirkeu_portal_json_int (vehicle_object, vehicle_path, "year", 0, YEAR_MIN, YEAR_MAX,
                               &year, error) ||
      !tirkeu_portal_json_string (vehicle_object, vehicle_path, "colour",
                                  TIRKEU_PORTAL_JSON_OPTIONAL, &colour, error) ||
      !tirkeu_portal_json_string (vehicle_object, vehicle_path, "body",
                                  TIRKEU_PORTAL_JSON_OPTIONAL, &body, error) ||
      !tirkeu_portal_json_string (vehicle_object, vehicle_path, "engine",
                                  TIRKEU_PORTAL_JSON_OPTIONAL, &engine, error) ||
      !tirkeu_portal_json_string (vehicle_object, vehicle_path, "category",
                                  TIRKEU_PORTAL_JSON_OPTIONAL, &category, error) ||
      !tirkeu_portal_json_object (object, path, "buyer", 0, &buyer, error) ||
      !tirkeu_portal_json_string (buyer, buyer_path, "full_name", 0, &buyer_name, error) ||
      !tirkeu_portal_json_object (object, path, "contract", 0, &contract_object, error) ||
      !tirkeu_portal_json_array (object, path, "history", 0, &history, error) ||
      !tirkeu_portal_json_object (object, path, "refusal", TIRKEU_PORTAL_JSON_NULLABLE,
                                  &refusal, error) ||
      !tirkeu_portal_json_object (object, path, "tson", TIRKEU_PORTAL_JSON_NULLABLE,
                                  &tson, error) ||
      !tirkeu_portal_json_string (object, path, "plate_type", TIRKEU_PORTAL_JSON_NULLABLE,
                                  &plate_type, error))
    return NULL;

  /* The bytes the seller signs: nothing to sign is no request; the contract bounds them to
   * 1024. */
  if (g_bytes_get_size (payload) == 0 || g_bytes_get_size (payload) > 1024)
    {
      g_propagate_error (error, tirkeu_portal_json_malformed (path, "signing_payload",
                                                              _("bytes to sign")));
      return NULL;
    }

  /* A stage this build does not know (a newer portal) is not an error: the contract says a
   * client keeps such a request as "unknown" and shows it. The request holds the last stage
   * of its history this build knows, @info names the portal's. */
  stage_known = tirkeu_stage_from_string (stage_name, &stage);

  if (plate_type != NULL && !g_strv_contains (plate_types, plate_type))
    {
      g_propagate_error (error, tirkeu_portal_json_malformed (path, "plate_type",
                                                              _("one of standard, selected")));
      return NULL;
    }

  contract = tirkeu_portal_json_to_contract (contract_object, contract_path, error);
  if (contract == NULL)
    return NULL;

  request_info->history =
    g_ptr_array_new_with_free_func ((GDestroyNotify) tirkeu_portal_history_entry_free);

  /* Contract 1.1.0: the key the request was created with. Without it (an older portal) the
   * request gets a random key, which is nobody's: the journal never lets it replace a key it
   * knows (tirkeu-journal.c, upsert_request()). A key that fits the contract but is not a
   * UUID was made by another client; the core keeps UUIDs only, so the request gets a key of
   * its own and @info the portal's. Refusing the answer instead would stop a sync at that
   * request for good. The request keeps the portal's times whatever is replayed below. */
  {
    g_autofree char *key = idempotency_key != NULL && g_uuid_string_is_valid (idempotency_key)
                           ? g_strdup (idempotency_key) : g_uuid_string_random ();

    request = tirkeu_request_new_full (key, created_at, updated_at);
  }
  tirkeu_request_set_portal_id (request, id);
  tirkeu_request_set_seller_bin (request, seller_bin);
  tirkeu_request_set_buyer_iin (request, buyer_iin);
  tirkeu_request_set_buyer_name (request, buyer_name);
  if (contract->seller_name != NULL)
    tirkeu_request_set_seller_name (request, contract->seller_name);

  vehicle = tirkeu_vehicle_new (vin);
  vehicle->make = g_strdup (make);
  vehicle->model = g_strdup (model);
  vehicle->year = (guint) year;
  vehicle->colour = g_strdup (colour);
  vehicle->body_type = g_strdup (body);
  vehicle->engine_model = g_strdup (engine);
  vehicle->category = g_strdup (category);
  if (!get_vehicle_texts (vehicle_object, vehicle_path, vehicle, error))
    return NULL;
  tirkeu_request_set_vehicle (request, vehicle);

  /* The number the request was created with wins over the contract's own spelling. */
  g_free (contract->contract->number);
  contract->contract->number = g_strdup (contract_number);
  tirkeu_request_set_contract (request, contract->contract);

  /* Replay the history, oldest first; stages this build does not know are skipped (a newer
   * portal). */
  for (guint i = 0; i < json_array_get_length (history); i++)
    {
      g_autofree char *entry_path = g_strdup_printf ("%s[%u]", history_path, i);
      JsonObject *entry = tirkeu_portal_json_array_object (history, history_path, i, error);
      g_autoptr(GDateTime) at = NULL;
      TirkeuPortalText message = { 0 };
      const char *entry_stage_name;
      TirkeuStage entry_stage;
      gboolean applied;

      if (entry == NULL ||
          !tirkeu_portal_json_string (entry, entry_path, "stage", 0, &entry_stage_name, error) ||
          !tirkeu_portal_json_datetime (entry, entry_path, "at", 0, &at, error) ||
          !tirkeu_portal_json_to_text (entry, entry_path, "message", 0, &message, error))
        return NULL;

      if (!tirkeu_stage_from_string (entry_stage_name, &entry_stage))
        {
          tirkeu_portal_text_clear (&message);
          continue;
        }

      {
        TirkeuPortalHistoryEntry *copy = g_new0 (TirkeuPortalHistoryEntry, 1);

        copy->stage = entry_stage;
        copy->at = g_date_time_ref (at);
        copy->message.kk = g_strdup (message.kk);
        copy->message.ru = g_strdup (message.ru);
        copy->message.en = g_strdup (message.en);
        g_ptr_array_add (request_info->history, copy);
      }

      if (entry_stage == tirkeu_request_get_stage (request))
        {
          tirkeu_portal_text_clear (&message);
          continue;
        }

      {
        g_autoptr(TirkeuLocalizedText) localized = localized_text_new (&message);

        applied = tirkeu_request_apply_portal_stage (request, entry_stage, at, localized, NULL);
      }
      tirkeu_portal_text_clear (&message);
      if (!applied)
        {
          g_propagate_error (error, tirkeu_portal_json_malformed (entry_path, "stage",
                                                                  _("a stage that can follow the one before")));
          return NULL;
        }
    }

  if (stage_known && tirkeu_request_get_stage (request) != stage &&
      !tirkeu_request_apply_portal_stage (request, stage, updated_at, NULL, NULL))
    {
      g_propagate_error (error, tirkeu_portal_json_malformed (path, "stage",
                                                              _("a stage that can follow the history")));
      return NULL;
    }

  if (refusal != NULL)
    {
      TirkeuPortalText reason = { 0 };
      const char *code;
      gint64 step;

      if (!tirkeu_portal_json_string (refusal, refusal_path, "code", 0, &code, error) ||
          !check_length (code, refusal_path, "code", 1, G_MAXINT32, error) ||
          !tirkeu_portal_json_int (refusal, refusal_path, "step", 0, 1, 19, &step, error) ||
          !tirkeu_portal_json_to_text (refusal, refusal_path, "reason", 0, &reason, error))
        return NULL;
      {
        g_autoptr(TirkeuLocalizedText) localized = localized_text_new (&reason);

        tirkeu_request_set_refusal (request, code, localized);
      }
      request_info->refusal_step = (guint) step;
      request_info->refusal_reason = reason;
    }

  if (tson != NULL)
    {
      TirkeuPortalText name = { 0 };
      TirkeuPortalText address = { 0 };
      const char *code;
      g_autoptr(TirkeuLocalizedText) localized_name = NULL;
      g_autoptr(TirkeuLocalizedText) localized_address = NULL;

      if (!tirkeu_portal_json_string (tson, tson_path, "code", 0, &code, error) ||
          !tirkeu_portal_json_to_text (tson, tson_path, "name", 0, &name, error) ||
          !tirkeu_portal_json_to_text (tson, tson_path, "address", 0, &address, error))
        {
          tirkeu_portal_text_clear (&name);
          return NULL;
        }
      localized_name = localized_text_new (&name);
      localized_address = localized_text_new (&address);
      tirkeu_request_set_tson (request, localized_name, localized_address);
      tirkeu_portal_text_clear (&name);
      tirkeu_portal_text_clear (&address);
    }
  if (plate_type != NULL)
    tirkeu_request_set_plate_type (request, plate_type);
  /* Contract 1.3.0: the buyer's deadline, only where the request can still expire (the
   * buyer's stages); the contract has it absent elsewhere, so one sent on, say, a completed
   * request is no deadline of anybody's and is not kept. Without it there is none: Tirkeu
   * never makes one up. */
  if (buyer_deadline != NULL
      && tirkeu_stage_can_transition (tirkeu_request_get_stage (request), TIRKEU_STAGE_EXPIRED))
    tirkeu_request_set_buyer_deadline (request, buyer_deadline);

  request_info->id = g_strdup (id);
  request_info->revision = rev;
  request_info->created_at = g_steal_pointer (&created_at);
  request_info->updated_at = g_steal_pointer (&updated_at);
  request_info->signing_payload = g_steal_pointer (&payload);
  request_info->idempotency_key = g_strdup (idempotency_key);
  request_info->unknown_stage = stage_known ? NULL : g_strdup (stage_name);
  /* On the request too: the journal keeps it with the request, so that the app and the CLI
   * show the stage as unknown rather than pass the last known one off as the current. */
  tirkeu_request_set_unknown_stage (request, request_info->unknown_stage);
  if (info != NULL)
    *info = g_steal_pointer (&request_info);

  return g_steal_pointer (&request);
}

TirkeuPortalChanges *
tirkeu_portal_json_to_changes (JsonNode  *root,
                               GError   **error)
{
  g_autoptr(TirkeuPortalChanges) changes = g_new0 (TirkeuPortalChanges, 1);
  JsonObject *object;
  JsonArray *list;
  const char *cursor;

  changes->requests = g_ptr_array_new_with_free_func (g_object_unref);
  changes->infos =
    g_ptr_array_new_with_free_func ((GDestroyNotify) tirkeu_portal_request_info_free);

  object = tirkeu_portal_json_root_object (root, error);
  if (object == NULL ||
      !tirkeu_portal_json_array (object, NULL, "changes", 0, &list, error) ||
      !tirkeu_portal_json_string (object, NULL, "cursor", 0, &cursor, error) ||
      !check_length (cursor, NULL, "cursor", 1, 128, error) ||
      !tirkeu_portal_json_boolean (object, NULL, "has_more", 0, &changes->has_more, error))
    return NULL;

  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      g_autofree char *path = g_strdup_printf ("changes[%u]", i);
      JsonObject *item = tirkeu_portal_json_array_object (list, "changes", i, error);
      TirkeuPortalRequestInfo *info = NULL;
      TirkeuRequest *request;

      if (item == NULL)
        return NULL;
      request = tirkeu_portal_json_to_request (item, path, &info, error);
      if (request == NULL)
        return NULL;
      g_ptr_array_add (changes->requests, request);
      g_ptr_array_add (changes->infos, info);
    }

  changes->cursor = g_strdup (cursor);
  return g_steal_pointer (&changes);
}
