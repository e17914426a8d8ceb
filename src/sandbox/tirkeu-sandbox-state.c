/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "tirkeu-sandbox-private.h"

/* The sandbox's state: the requests (with their private "_" members), the idempotency
 * keys and the sessions, and how they are kept across restarts in state_dir/state.json. */

#define STATE_VERSION       1

char *
_sb_format_time (gint64 unix_seconds)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc (unix_seconds);

  return g_date_time_format (time, "%Y-%m-%dT%H:%M:%SZ");
}

gint64
_sb_now_s (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

const char *
_sb_get_string (JsonObject *object,
                const char *member)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, member) : NULL;

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

TirkeuStage
_sb_request_stage (JsonObject *request)
{
  TirkeuStage stage = TIRKEU_STAGE_DRAFT;

  tirkeu_stage_from_string (_sb_get_string (request, "stage"), &stage);

  return stage;
}

JsonNode *
_sb_object_node (JsonObject *object)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_node_take_object (node, object);

  return node;
}

/* The public form of a request: private "_" members dropped. */
JsonNode *
_sb_render_request (JsonObject *request)
{
  JsonObject *copy = json_object_new ();
  JsonObjectIter iter;
  const char *name;
  JsonNode *member;

  json_object_iter_init (&iter, request);
  while (json_object_iter_next (&iter, &name, &member))
    if (name[0] != '_')
      json_object_set_member (copy, name, json_node_copy (member));

  return _sb_object_node (copy);
}

static int
compare_revision (gconstpointer a,
                  gconstpointer b)
{
  gint64 ra = json_object_get_int_member (*(JsonObject **) a, "revision");
  gint64 rb = json_object_get_int_member (*(JsonObject **) b, "revision");

  return ra < rb ? -1 : ra > rb;
}

/* The requests, oldest change first (a stable order for ticks and for sync). */
GPtrArray *
_sb_requests_by_revision (TirkeuSandbox *self)
{
  GPtrArray *list = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->requests);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (list, value);
  g_ptr_array_sort (list, compare_revision);

  return list;
}

static JsonNode *
table_to_object (GHashTable *table)
{
  JsonObject *object = json_object_new ();
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, &key, &value))
    json_object_set_object_member (object, key, json_object_ref (value));

  return _sb_object_node (object);
}

static gboolean
save_state (TirkeuSandbox  *self,
            GError        **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  GHashTableIter iter;
  gpointer value;
  gsize length;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, STATE_VERSION);
  json_builder_set_member_name (builder, "revision");
  json_builder_add_int_value (builder, self->revision);
  json_builder_set_member_name (builder, "requests");
  json_builder_begin_array (builder);
  g_hash_table_iter_init (&iter, self->requests);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    json_builder_add_value (builder, _sb_object_node (json_object_ref (value)));
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "idempotency");
  json_builder_add_value (builder, table_to_object (self->idempotency));
  json_builder_set_member_name (builder, "sessions");
  json_builder_add_value (builder, table_to_object (self->sessions));
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, &length);

  /* The state holds buyers' IINs and names: 0600, and atomic (write, fsync-free rename) so a
   * crash or SIGKILL leaves either the old or the new file, never half of one. Sessions are
   * kept by the SHA-256 of their token: the token itself never reaches the disk. */
  return g_file_set_contents_full (self->state_file, text, length,
                                   G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}

void
_sb_state_save_or_warn (TirkeuSandbox *self)
{
  g_autoptr(GError) error = NULL;

  if (!save_state (self, &error))
    g_warning ("Cannot save the sandbox state: %s", error->message);
}

static void
load_table (GHashTable *table,
            JsonObject *root,
            const char *member)
{
  JsonNode *node = json_object_get_member (root, member);
  JsonObjectIter iter;
  const char *name;
  JsonNode *value;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return;
  json_object_iter_init (&iter, json_node_get_object (node));
  while (json_object_iter_next (&iter, &name, &value))
    if (JSON_NODE_HOLDS_OBJECT (value))
      g_hash_table_insert (table, g_strdup (name), json_object_ref (json_node_get_object (value)));
}

gboolean
_sb_state_load (TirkeuSandbox  *self,
                GError        **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  JsonObject *root;
  JsonArray *requests;

  if (!g_file_test (self->state_file, G_FILE_TEST_EXISTS))
    return TRUE;

  if (!json_parser_load_from_file (parser, self->state_file, &local_error)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, TIRKEU_SANDBOX_ERROR, TIRKEU_SANDBOX_ERROR_STATE,
                   /* Translators: a file name, then the technical reason */
                   _("%s is not a sandbox state: %s"), self->state_file,
                   local_error != NULL ? local_error->message : "not an object");
      return FALSE;
    }

  root = json_node_get_object (json_parser_get_root (parser));
  if (json_object_get_int_member_with_default (root, "version", 0) != STATE_VERSION)
    {
      g_set_error (error, TIRKEU_SANDBOX_ERROR, TIRKEU_SANDBOX_ERROR_STATE,
                   _("%s has an unknown version"), self->state_file);
      return FALSE;
    }

  self->revision = json_object_get_int_member_with_default (root, "revision", 0);
  requests = json_object_has_member (root, "requests")
             ? json_object_get_array_member (root, "requests") : NULL;
  for (guint i = 0; requests != NULL && i < json_array_get_length (requests); i++)
    {
      JsonObject *request = json_array_get_object_element (requests, i);
      const char *id = _sb_get_string (request, "id");

      if (id != NULL)
        g_hash_table_insert (self->requests, g_strdup (id), json_object_ref (request));
    }
  load_table (self->idempotency, root, "idempotency");
  load_table (self->sessions, root, "sessions");

  return TRUE;
}
