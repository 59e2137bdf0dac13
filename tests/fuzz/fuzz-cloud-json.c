/* fuzz-cloud-json.c: fuzz target for the JSON mapping of the cloud's resources and envelopes
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The first byte picks a decoder (a resource, an envelope or the sync page);
 * the rest is the JSON text a server, or a client of the reference server,
 * could send. What decodes must encode, decode again, and encode to the
 * same text: the client and the server share these functions, so a record
 * that does not survive the round trip is one they would disagree on.
 */
#include "config.h"

#include <json-glib/json-glib.h>

#include "am-cloud-json.h"
#include "am-fuzz.h"

typedef struct
{
  const char *name;
  gpointer  (*decode) (JsonObject *object, GError **error);
  void      (*encode) (gpointer value, JsonBuilder *builder);
  void      (*free)   (gpointer value);
} Codec;

/* Each decoder and encoder, under one signature. */
#define GOBJECT_CODEC(name, Type, prefix) \
  static gpointer decode_##prefix (JsonObject *o, GError **e) { return prefix##_from_json (o, e); } \
  static void encode_##prefix (gpointer v, JsonBuilder *b) { prefix##_to_json ((Type *) v, b); }

GOBJECT_CODEC ("property", AmProperty, am_property)
GOBJECT_CODEC ("lock", AmLock, am_lock)
GOBJECT_CODEC ("grant", AmGrant, am_grant)
GOBJECT_CODEC ("passcode", AmPasscodeRecord, am_passcode_record)
GOBJECT_CODEC ("lock-event", AmLockEventRecord, am_lock_event_record)
GOBJECT_CODEC ("unlock", AmUnlock, am_unlock)
GOBJECT_CODEC ("user", AmCloudUser, am_cloud_user)
GOBJECT_CODEC ("org", AmCloudOrg, am_cloud_org)
GOBJECT_CODEC ("me", AmCloudMe, am_cloud_me)
GOBJECT_CODEC ("lock-key", AmCloudLockKey, am_cloud_lock_key)

static gpointer
decode_passcode_create (JsonObject *o, GError **e)
{
  return am_passcode_record_from_create_json (o, e);
}

static void
encode_passcode_create (gpointer v, JsonBuilder *b)
{
  am_passcode_record_to_create_json (v, b);
}

static gpointer
decode_unlock_create (JsonObject *o, GError **e)
{
  return am_unlock_from_create_json (o, e);
}

static void
encode_unlock_create (gpointer v, JsonBuilder *b)
{
  am_unlock_to_create_json (v, b);
}

static gpointer
decode_session_token (JsonObject *o, GError **e)
{
  return am_cloud_session_from_json (o, TRUE, e);
}

static gpointer
decode_session (JsonObject *o, GError **e)
{
  return am_cloud_session_from_json (o, FALSE, e);
}

static void
encode_session (gpointer v, JsonBuilder *b)
{
  am_cloud_session_to_json (v, b);
}

/* The sync page remembers `more` beside the page. */
typedef struct
{
  AmSyncPage *page;
  gboolean    more;
} Page;

static gpointer
decode_page (JsonObject *o, GError **e)
{
  Page page = { NULL, FALSE };

  page.page = am_sync_page_from_json (o, &page.more, e);
  return page.page != NULL ? g_memdup2 (&page, sizeof page) : NULL;
}

static void
encode_page (gpointer v, JsonBuilder *b)
{
  Page *page = v;

  am_sync_page_to_json (page->page, page->more, b);
}

static void
free_page (gpointer v)
{
  Page *page = v;

  am_sync_page_free (page->page);
  g_free (page);
}

/* {"type", "id"} of the page's deleted list. */
static gpointer
decode_deleted (JsonObject *o, GError **e)
{
  AmDeletedRef ref = { NULL, NULL };

  if (!am_deleted_from_json (o, &ref.type, &ref.id, e))
    return NULL;
  return g_memdup2 (&ref, sizeof ref);
}

static void
encode_deleted (gpointer v, JsonBuilder *b)
{
  AmDeletedRef *ref = v;

  am_deleted_to_json (ref->type, ref->id, b);
}

static void
free_deleted (gpointer v)
{
  AmDeletedRef *ref = v;

  g_free (ref->type);
  g_free (ref->id);
  g_free (ref);
}

/* The error envelope: {"error": {"code", "message"}}. */
static gpointer
decode_error (JsonObject *o, GError **e)
{
  AmDeletedRef pair = { NULL, NULL };

  if (!am_cloud_error_from_json (o, &pair.type, &pair.id))
    return NULL;
  return g_memdup2 (&pair, sizeof pair);
}

static void
encode_error (gpointer v, JsonBuilder *b)
{
  AmDeletedRef *pair = v;

  am_cloud_error_to_json (pair->type, pair->id, b);
}

/* The events upload: {"events": [...]}, read for one lock. */
static gpointer
decode_events (JsonObject *o, GError **e)
{
  return am_lock_events_from_upload_json (o, "3f2a9c4e-8b1d-4e7a-9c6f-2d5b8e1a7c30", e);
}

static void
encode_events (gpointer v, JsonBuilder *b)
{
  am_lock_events_to_upload_json (v, b);
}

/* AM_FUZZ_VERBOSE=1 says why a seed does not decode, to write seeds that do. */
static gboolean verbose;

static const Codec codecs[] = {
  { "property", decode_am_property, encode_am_property, g_object_unref },
  { "lock", decode_am_lock, encode_am_lock, g_object_unref },
  { "grant", decode_am_grant, encode_am_grant, g_object_unref },
  { "passcode", decode_am_passcode_record, encode_am_passcode_record, g_object_unref },
  { "lock-event", decode_am_lock_event_record, encode_am_lock_event_record, g_object_unref },
  { "unlock", decode_am_unlock, encode_am_unlock, g_object_unref },
  { "deleted", decode_deleted, encode_deleted, free_deleted },
  { "user", decode_am_cloud_user, encode_am_cloud_user, (GDestroyNotify) am_cloud_user_free },
  { "org", decode_am_cloud_org, encode_am_cloud_org, (GDestroyNotify) am_cloud_org_free },
  { "session", decode_session_token, encode_session, (GDestroyNotify) am_cloud_session_free },
  { "invitation", decode_session, encode_session, (GDestroyNotify) am_cloud_session_free },
  { "me", decode_am_cloud_me, encode_am_cloud_me, (GDestroyNotify) am_cloud_me_free },
  { "lock-key", decode_am_cloud_lock_key, encode_am_cloud_lock_key, (GDestroyNotify) am_cloud_lock_key_free },
  { "error", decode_error, encode_error, free_deleted },
  { "sync-page", decode_page, encode_page, free_page },
  { "passcode-create", decode_passcode_create, encode_passcode_create, g_object_unref },
  { "events-upload", decode_events, encode_events, (GDestroyNotify) g_ptr_array_unref },
  { "unlock-create", decode_unlock_create, encode_unlock_create, g_object_unref },
};

static char *
encode (const Codec *codec,
        gpointer     value)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  codec->encode (value, builder);
  root = json_builder_get_root (builder);
  g_assert (root != NULL);
  return json_to_string (root, FALSE);
}

static gpointer
decode (const Codec *codec,
        const char  *text,
        gssize       len)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) error = NULL;
  JsonNode *root;
  gpointer value;

  if (!json_parser_load_from_data (parser, text, len, &error))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  value = codec->decode (json_node_get_object (root), &error);
  if (verbose && error != NULL)
    g_printerr ("%s: %s\n", codec->name, error->message);
  /* A refusal says why, in a sentence; an acceptance says nothing. */
  g_assert ((value == NULL) == (error != NULL) || codec->decode == decode_error);
  return value;
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  am_fuzz_init_logging ();
  verbose = g_getenv ("AM_FUZZ_VERBOSE") != NULL;
  return 0;
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  const Codec *codec;
  gpointer value, again;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;

  if (size < 1 || size > 1 << 20)
    return 0;
  codec = &codecs[data[0] % G_N_ELEMENTS (codecs)];

  value = decode (codec, (const char *) data + 1, (gssize) size - 1);
  if (value == NULL)
    return 0;

  first = encode (codec, value);
  codec->free (value);

  again = decode (codec, first, -1);
  if (again == NULL)
    g_error ("%s: what was decoded and encoded again does not decode: %s", codec->name, first);
  second = encode (codec, again);
  codec->free (again);
  if (g_strcmp0 (first, second) != 0)
    g_error ("%s: the round trip changed the record:\n%s\n%s", codec->name, first, second);
  return 0;
}
