/* am-records-private.h: the fields of the cloud's records, for the code that builds them
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The store and the JSON mapping (am-cloud-json) make a record with
 * am_*_new_empty () and fill its fields directly; once a record is handed
 * to anyone else it never changes, so its properties never notify.
 *
 * Every string is owned by the record and freed with it; a nullable one
 * is NULL for none. Times are Unix seconds, UTC; a nullable time is 0
 * for none. Ids are lower-case UUIDs.
 */
#pragma once

#include "am-grant.h"
#include "am-lock.h"
#include "am-lock-event-record.h"
#include "am-passcode-record.h"
#include "am-property.h"
#include "am-unlock.h"

G_BEGIN_DECLS

struct _AmProperty
{
  GObject  parent_instance;

  char    *id;
  char    *name;
  char    *address;
  char    *city;
  char    *region;
  char    *postal_code;
  char    *timezone;          /* IANA, e.g. "America/Chicago" */
  gint64   updated_at;
};

struct _AmLock
{
  GObject  parent_instance;

  char    *id;
  char    *property_id;
  char    *name;
  char    *unit;              /* nullable */
  char    *model;
  guint    digits;            /* 10 or 12 */
  guint    q_offset_s;        /* 0, 900, 1800 or 2700 */
  guint    kv;                /* 1..255 */
  char    *mode;              /* nullable: AM_LOCK_MODE_TOUR or AM_LOCK_MODE_RESIDENT */
  gint     battery;           /* 0..100, or -1 for unknown */
  gint64   battery_at;        /* 0 for none */
  gint64   updated_at;
};

struct _AmGrant
{
  GObject   parent_instance;

  char     *property_id;
  char     *user_id;
  GStrv     permissions;      /* empty, not NULL, for none once filled */
};

struct _AmPasscodeRecord
{
  GObject         parent_instance;

  char           *id;
  char           *lock_id;
  AmPasscodeKind  kind;       /* TIMED or ONE_TIME */
  guint           kv;
  guint32         start_h;
  guint           p;          /* 0..923 */
  guint           digits;
  gint64          starts_at;
  gint64          ends_at;
  gint64          use_by;
  char           *recipient_name;     /* nullable */
  char           *recipient_contact;  /* nullable */
  char           *purpose;    /* vendor, maintenance, prospect, tour, resident, other */
  char           *note;       /* nullable */
  char           *source;     /* AM_PASSCODE_SOURCE_MANUAL or _TOUR */
  char           *created_by_id;
  char           *created_by_name;
  gint64          created_at;
  gint64          revoked_at;         /* 0 for none */
  char           *revoked_by_id;      /* nullable */
  char           *revoked_by_name;    /* nullable */
  gint64          first_used_at;      /* 0 for none */
  gint64          last_used_at;       /* 0 for none */
  guint           use_count;
};

struct _AmLockEventRecord
{
  GObject  parent_instance;

  char    *lock_id;
  guint32  seq;
  char    *event;             /* AM_LOCK_EVENT_NAME_* */
  gint64   at;
  guint32  start_h;           /* 0 where no code matched */
  guint    p;                 /* 0 where no code matched, and for keypad_reject */
  char    *result;            /* nullable; set for keypad_reject only */
  char    *passcode_id;       /* nullable */
};

struct _AmUnlock
{
  GObject  parent_instance;

  char    *id;
  char    *lock_id;
  char    *user_id;
  char    *user_name;
  gint64   at;
  char    *result;            /* AM_UNLOCK_RESULT_* */
};

AmProperty        *am_property_new_empty          (void);
AmLock            *am_lock_new_empty              (void);
AmGrant           *am_grant_new_empty             (void);
AmPasscodeRecord  *am_passcode_record_new_empty   (void);
AmLockEventRecord *am_lock_event_record_new_empty (void);
AmUnlock          *am_unlock_new_empty            (void);

G_END_DECLS
