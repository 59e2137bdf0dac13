#!/usr/bin/env python3
# make-corpus.py: writes the seed corpora of the fuzz targets
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The seeds come from the specifications' test vectors (ble-lock.md's frames,
# tests/data/passcode.jsonl's codes) and from hand-written records of
# cloud-api.md. Run it after changing a target's input format:
#
#   tests/fuzz/make-corpus.py
#
# It rewrites the seed-* files only; the crash-* files, inputs that once
# crashed a target, are kept as they are.

import copy
import json
import os
import pathlib

here = pathlib.Path(__file__).resolve().parent
top = here.parent.parent
corpus = here / "corpus"


def write(target, name, data):
    folder = corpus / target
    folder.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    (folder / ("seed-" + name)).write_bytes(data)


def clear_seeds(target):
    folder = corpus / target
    if folder.is_dir():
        for f in folder.glob("seed-*"):
            f.unlink()


# cloud-json: the first byte picks the decoder, in fuzz-cloud-json.c's order.
CODECS = ["property", "lock", "grant", "passcode", "lock-event", "unlock", "deleted",
          "user", "org", "session", "invitation", "me", "lock-key", "error",
          "sync-page", "passcode-create", "events-upload", "unlock-create"]

LOCK_ID = "3f2a9c4e-8b1d-4e7a-9c6f-2d5b8e1a7c30"
PROPERTY_ID = "7c2e7a3d-3333-4444-a555-b66677788899"
USER_ID = "5a0c5e1b-1111-4222-8333-944455566677"

user = {"id": USER_ID, "name": "Ana Souza", "email": "ana@example.com"}
org = {"id": "6b1d6f2c-2222-4333-9444-a55566677788", "name": "Oak Property Group"}
prop = {"id": PROPERTY_ID, "name": "Maple Court", "address": "12 Maple Ct", "city": "Austin",
        "region": "TX", "postal_code": "78701", "timezone": "America/Chicago",
        "updated_at": "2025-03-10T09:46:40Z"}
lock = {"id": LOCK_ID, "property_id": PROPERTY_ID, "name": "Front door", "unit": "101",
        "model": "AM1 Deadbolt", "digits": 10, "q_offset_s": 0, "kv": 1, "mode": "tour",
        "battery": 87, "battery_at": "2025-03-10T09:46:40Z", "updated_at": "2025-03-10T09:46:40Z"}
grant = {"property_id": PROPERTY_ID, "user_id": USER_ID,
         "permissions": ["generate_codes", "ble_unlock", "view_activity", "revoke_codes"]}
passcode = {"id": "0b9d3c1e-7f44-4c2a-9d55-3e1f6a7b8c90", "lock_id": LOCK_ID, "kind": "timed",
            "kv": 1, "start_h": 483782, "p": 3, "digits": 10,
            "starts_at": "2025-03-10T14:00:00Z", "ends_at": "2025-03-10T18:00:00Z",
            "use_by": "2025-03-11T14:00:00Z",
            "recipient": {"name": "Dana Vendor", "contact": "dana@example.com"},
            "purpose": "vendor", "note": "Boiler service", "source": "manual",
            "created_by": {"id": USER_ID, "name": "Ana Souza"},
            "created_at": "2025-03-10T09:46:40Z", "revoked_at": None, "revoked_by": None,
            "first_used_at": None, "last_used_at": None, "use_count": 0}
event = {"lock_id": LOCK_ID, "seq": 7, "event": "keypad_open", "at": "2025-03-10T14:10:00Z",
         "start_h": 483782, "p": 3, "result": None, "passcode_id": passcode["id"]}
reject = {"lock_id": LOCK_ID, "seq": 8, "event": "keypad_reject", "at": "2025-03-10T14:11:00Z",
          "start_h": 0, "p": 0, "result": "no_match", "passcode_id": None}
unlock = {"id": "9e8d7c6b-5a49-4382-b1a0-0f1e2d3c4b5a", "lock_id": LOCK_ID,
          "user": {"id": USER_ID, "name": "Ana Souza"}, "at": "2025-03-10T15:00:00Z", "result": "ok"}
deleted = {"type": "passcode", "id": passcode["id"]}


def variants(record, **changes):
    out = copy.deepcopy(record)
    out.update(changes)
    return out


cloud = {
    "property": [prop, variants(prop, name="Ünïcödé 🏠 <b>&amp;</b> '; DROP TABLE", timezone="Asia/Kolkata")],
    "lock": [lock, variants(lock, unit=None, mode=None, battery=None, battery_at=None, digits=12, q_offset_s=1800)],
    "grant": [grant, variants(grant, permissions=[])],
    "passcode": [passcode,
                 variants(passcode, kind="one_time", p=905, ends_at="2025-03-10T20:00:00Z",
                          recipient=None, note=None, revoked_at="2025-03-10T15:00:00Z",
                          revoked_by={"id": USER_ID, "name": "Ana Souza"},
                          first_used_at="2025-03-10T14:10:00Z", last_used_at="2025-03-10T14:10:00Z",
                          use_count=1)],
    "lock-event": [event, reject],
    "unlock": [unlock, variants(unlock, result="jammed")],
    "deleted": [deleted, {"type": "grant", "id": PROPERTY_ID}],
    "user": [user, {"id": USER_ID, "name": "Ana Souza", "email": None}],
    "org": [org],
    "session": [{"token": "t0k3n", "user": user, "org": org}],
    "invitation": [{"user": user, "org": org}],
    "me": [{"user": user, "org": org, "grants": [grant]}],
    "lock-key": [{"lock_id": LOCK_ID, "kv": 2, "key": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
                  "previous": {"kv": 1, "key": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
                               "valid_until": "2025-03-17T09:46:40Z"}},
                 {"lock_id": LOCK_ID, "kv": 1, "key": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
                  "previous": None}],
    "error": [{"error": {"code": "forbidden", "message": "You may not do that."}}],
    "sync-page": [{"cursor": "v1.opaque.42", "more": True, "properties": [prop], "locks": [lock],
                   "grants": [grant], "passcodes": [passcode], "events": [event, reject],
                   "unlocks": [unlock], "deleted": [deleted]},
                  {"cursor": "v1.opaque.43", "more": False, "properties": [], "locks": [],
                   "grants": [], "passcodes": [], "events": [], "unlocks": [], "deleted": []}],
    "passcode-create": [{k: passcode[k] for k in ("id", "lock_id", "kind", "kv", "start_h", "p", "digits",
                                                  "starts_at", "ends_at", "recipient", "purpose", "note",
                                                  "created_at")}],
    "events-upload": [{"events": [{k: v for k, v in e.items() if k not in ("lock_id", "passcode_id")}
                                  for e in (event, reject)]}],
    "unlock-create": [{k: unlock[k] for k in ("id", "lock_id", "at", "result")}],
}

clear_seeds("cloud-json")
for name, records in cloud.items():
    selector = CODECS.index(name)
    for i, record in enumerate(records):
        write("cloud-json", f"{name}-{i}", bytes([selector]) + json.dumps(record).encode())
# Not objects, not JSON, and a deep nesting.
write("cloud-json", "not-an-object", bytes([14]) + b"[1, 2, 3]")
write("cloud-json", "not-json", bytes([0]) + b"{\"id\": ")
write("cloud-json", "deep", bytes([14]) + b"{\"properties\": " + b"[" * 2000 + b"]" * 2000 + b"}")

# ble-frames: the first byte picks the decoder; ble-lock.md's vectors.
BLE = {
    "advert": (0, "01" + "3f2a9c4e8b1d4e7a" + "57" + "00"),
    "nonce": (1, "0101404142434445464748494a4b4c4d4e4f67cefe66"),
    "unlock": (2, "010167cefe7000005127d8c76db10c73381ec062"),
    "set-time": (2, "010367cefe70000020176715bd16732f871587fc"),
    "read-log": (2, "0104000000000032e1cdea99c63d86fbbd534ac3"),
    "revoke": (2, "0105000761c70002353f0c13c26f88754ae33341"),
    "status": (3, "010067cefe724449ecef9b3294281f27bf1a"),
    "log": (4, "01000000070167cedff8000761c70002776f9a1d"),
    "log-bad-tag": (4, "01000000070167cedff8000761c70002776f9a1e"),
    "status-short": (3, "010067cefe72"),
}
clear_seeds("ble-frames")
for name, (selector, frame) in BLE.items():
    write("ble-frames", name, bytes([selector]) + bytes.fromhex(frame))

# lock-keypad: the first byte sets digits (bit 0: 12) and Q (bits 1-2);
# each check of passcode.jsonl at its time.
Q_INDEX = {0: 0, 900: 1, 1800: 2, 2700: 3}
clear_seeds("lock-keypad")
with open(top / "tests" / "data" / "passcode.jsonl", encoding="utf-8") as vectors:
    for line in vectors:
        vector = json.loads(line)
        config = (1 if vector["digits"] == 12 else 0) | Q_INDEX[vector["q_offset_s"]] << 1
        lines = []
        for check in vector.get("checks", []):
            lines += ["@%d" % check["now_utc"], check["entered"]]
        if not lines:
            continue
        write("lock-keypad", vector["id"], bytes([config]) + "\n".join(lines).encode())
write("lock-keypad", "revoke-and-ble", b"\x00@1745578200\nr484883 0\n7641480000\nb\nk\n7641480000\n+86400\n7641480000")
write("lock-keypad", "malformed", b"\x00\n12345\n12345678901\n76414800x0\n\xff\xfe\n" + b"9" * 300)

# iso8601-window: the first byte is the kind (bit 0: one-time) and Q
# (bits 1-2); then START, END and a NOW.
ISO = {
    "timed": (0, "2025-03-10T15:00:00Z\n2025-03-10T19:00:00Z\n2025-03-10T14:00:00Z"),
    "offsets": (2, "2025-03-10T10:20:00-05:00\n2025-03-12T10:00:00+05:30\n2025-03-10T14:00:00Z"),
    "one-time": (1, "2025-03-10T15:00:00Z\n2025-03-11T15:00:00Z"),
    "long": (6, "2025-03-10T15:00:00.5Z\n2025-11-20T15:00:00Z\n2026-01-01T00:00:00Z"),
    "too-long": (0, "2025-03-10T15:00:00Z\n2026-03-10T15:00:00Z"),
    "before-1970": (0, "1969-12-31T23:00:00Z\n1970-01-02T00:00:00Z"),
    "far-future": (0, "9999-12-31T20:00:00Z\n9999-12-31T23:59:59Z"),
    "no-offset": (0, "2025-03-10T15:00:00\n2025-03-10T19:00:00"),
    "week-date": (0, "2025-W11-1T15:00:00Z\n2025-070T19:00:00+0100"),
    "short": (1, "2025-03-10T15:00:00Z\n2025-03-10T15:30:00Z"),
    "backwards": (0, "2025-03-10T19:00:00Z\n2025-03-10T15:00:00Z"),
}
clear_seeds("iso8601-window")
for name, (selector, text) in ISO.items():
    write("iso8601-window", name, bytes([selector]) + text.encode())
