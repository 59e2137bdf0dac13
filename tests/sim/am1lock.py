# am1lock.py: a python-dbusmock template: BlueZ with simulated AM1 locks behind it
# SPDX-License-Identifier: GPL-3.0-or-later
'''Simulated AM1 locks behind BlueZ's D-Bus API

Serves org.bluez on the (private) system bus: the object manager at /, the
adapter /org/bluez/hci0 (unless the parameter {"adapter": false}), and for
every lock added with org.bluez.AM1Mock.AddLock a Bluetooth LE device that
shows up while discovering and, once connected, the AM1 GATT service of
ble-lock.md. The lock behind it is a port of the reference lock
(src/core/am-reference-lock.c, src/core/am-passcode.c): keypad codes go in
with TypeCode, Bluetooth commands through the COMMAND characteristic.

    /usr/bin/python3 -m dbusmock --system --template tests/sim/am1lock.py -l LOG

The control interface org.bluez.AM1Mock lives on /org/bluez:

    AddLock(s lock_id, s key_hex, y kv, y digits, u q_offset_s, y battery, s name) -> o
        the device path the lock will have; it appears when discovered
    AddPreviousKey(s lock_id, s key_hex, y kv)   keypad codes of that key open too
    RemoveLock(s lock_id)                        its device goes (InterfacesRemoved)
    AddAdapter()   RemoveAdapter()               hci0 and everything under it
    TypeCode(s lock_id, s code) -> s             "open", "cancelled" (a cancel-all
        code) or "reject:" + malformed|no_match|used|revoked|table_full|locked_out
    SetRssi(s lock_id, n rssi)                   -50 by default
    SetInRange(s lock_id, b)                     out of range: not discovered, Connect
        fails, and a connection drops
    SetJammed(s lock_id, b)                      UNLOCK answers JAMMED
    SetBadTags(s lock_id, b)                     STATUS and LOG signed with a wrong key
    SetClockOffset(s lock_id, i seconds)         lock clock = now + offset
    SetClockSet(s lock_id, b)                    advert flag bit 1 ("clock not set")
    SetBattery(s lock_id, y battery)             percent, 0xFF unknown
    GetLockState(s lock_id) -> s                 JSON object:
        log [{seq, event, t, start_h, p}] (oldest first), deny [[start_h, p]],
        table [{code, start_h, p, state, expires_s}], next_seq, watermark,
        failures, lockout_end, lock_clock, clock_offset, clock_set, connected,
        services_resolved, connections, commands (COMMAND writes), unlocks,
        bad_tags (bad tags received, a count), sign_bad_tags (the SetBadTags
        knob), refusing, jammed, in_range, rssi, battery, flags, kv, digits,
        q_offset_s, address, device_path, on_bus, name, lock_id

The parameter {"cloud_db": PATH} loads every lock of a reference cloud's
database (access-manager-server's SQLite file) with its current and previous
keys, its log continuing from the last record the cloud holds: the demo's
locks, as they would stand at their doors.

Errors of the control interface are org.bluez.AM1Mock.Error.{NoSuchLock,
InvalidArguments,Exists,NoSuchAdapter}.

BlueZ as the client sees it:

- Adapter1: StartDiscovery/StopDiscovery/SetDiscoveryFilter per client (D-Bus
  sender), as bluetoothd does: a second StartDiscovery from the same client is
  org.bluez.Error.InProgress, StopDiscovery without one org.bluez.Error.Failed
  "No discovery started", all three org.bluez.Error.NotReady "Resource Not
  Ready" when not powered. A client leaving the bus loses its discovery and
  filter. Filters honoured: UUIDs, RSSI, Transport. Powered is settable with
  Properties.Set; off stops discovery and drops connections.
- Discovery: 50 ms after StartDiscovery (and every 250 ms after) every
  in-range lock that passes a filter is "heard": a new Device1 comes with
  InterfacesAdded, a known one gets PropertiesChanged RSSI (the set value
  +-2 dBm, every time, as with DuplicateData) and ManufacturerData when it
  changed (battery, flags). Devices stay (BlueZ's cache) until RemoveDevice,
  RemoveLock or RemoveAdapter. When discovery ends RSSI is invalidated
  (PropertiesChanged with "RSSI" in the invalidated list), as bluetoothd does.
- Device1.Connect: 50 ms later Connected true, 30 ms later the GATT objects
  (InterfacesAdded each), ServicesResolved true, and only then the reply.
  Out of range, or refusing after 10 bad tags in 10 minutes: after 200 ms
  org.bluez.Error.Failed "le-connection-abort-by-local". Disconnect:
  ServicesResolved false, the GATT objects removed, Connected false.
- GATT: <dev>/service0010 with char0011 NONCE (read, notify), char0013
  COMMAND (write), char0015 STATUS (notify), char0017 LOG (notify).
  Notifications are PropertiesChanged of Value, sent only while Notifying.
  A fresh R per connection and per command; R is good for 30 s.
- A COMMAND write returns at once; 20 ms later STATUS is notified, then for
  READ_LOG the LOG records and the END record, then the new NONCE. Checks in
  order: the tag (BAD_TAG), R's age (STALE_NONCE), an answer still pending
  (BUSY), version and op (BAD_OP). A write of other than 20 bytes is the D-Bus
  error org.bluez.Error.InvalidValueLength. After a third bad tag on one
  connection, or the tenth in 10 minutes, the lock hangs up 30 ms after the
  STATUS.

The module also works as a plain Python library (no bus needed) for the
AM1 derivation, the reference lock and the frames: the self-test imports it.
'''

import hashlib
import hmac
import json
import os
import random
import struct
import time
import uuid

import dbus
import dbus.service

from dbusmock import OBJECT_MANAGER_IFACE, mockobject

try:
    from gi.repository import GLib
except ImportError:  # the pure parts still work without gi
    GLib = None

BUS_NAME = 'org.bluez'
MAIN_OBJ = '/'
SYSTEM_BUS = True
IS_OBJECT_MANAGER = True

AM1_MOCK_IFACE = 'org.bluez.AM1Mock'
AM1_MOCK_ERROR = 'org.bluez.AM1Mock.Error'
AGENT_MANAGER_IFACE = 'org.bluez.AgentManager1'
PROFILE_MANAGER_IFACE = 'org.bluez.ProfileManager1'
ADAPTER_IFACE = 'org.bluez.Adapter1'
DEVICE_IFACE = 'org.bluez.Device1'
GATT_SERVICE_IFACE = 'org.bluez.GattService1'
GATT_CHAR_IFACE = 'org.bluez.GattCharacteristic1'
PROPERTIES_IFACE = 'org.freedesktop.DBus.Properties'

BLUEZ_PATH = '/org/bluez'
ADAPTER_NAME = 'hci0'
ADAPTER_PATH = BLUEZ_PATH + '/' + ADAPTER_NAME

# --------------------------------------------------------------------------
# AM1 offline passcodes (passcode.md, am-passcode.c)
# --------------------------------------------------------------------------

KEY_LEN = 32
SKEW_S = 600
FIRST_USE_S = 86400
ALIAS_RADIUS = 25
P_CANCEL_ALL = 924
P_MAX = 999
U32_MAX = 0xFFFFFFFF

KIND_TIMED = 'TIMED'
KIND_ONE_TIME = 'ONE_TIME'
KIND_CANCEL_ALL = 'CANCEL_ALL'
KIND_RESERVED = 'RESERVED'


def hmac_sha256(key, data):
    return hmac.new(key, data, hashlib.sha256).digest()


def subkey(k_lock, label):
    '''HMAC-SHA256(K_lock, label || 0x01): HKDF-Expand with one block.'''
    return hmac_sha256(k_lock, label.encode('ascii') + b'\x01')


def k_code_of(k_lock):
    return subkey(k_lock, 'AM1/passcode')


def k_ble_of(k_lock):
    return subkey(k_lock, 'AM1/ble')


def lock_id_bytes(lock_id):
    '''The 16 bytes of a lock id (a UUID string) in RFC 4122 order.'''
    if isinstance(lock_id, (bytes, bytearray)):
        if len(lock_id) != 16:
            raise ValueError('a lock id has 16 bytes')
        return bytes(lock_id)
    return uuid.UUID(str(lock_id)).bytes


def kind_for_p(p):
    if p <= 899:
        return KIND_TIMED
    if p <= 923:
        return KIND_ONE_TIME
    if p == P_CANCEL_ALL:
        return KIND_CANCEL_ALL
    return KIND_RESERVED


def duration_hours(p):
    if p <= 671:
        return p + 1
    if p <= 899:
        return 24 * (p - 643)
    if p <= 923:
        return p - 899
    return 0


def window_for(start_h, p, q_offset_s):
    '''(kind, starts_at, ends_at, use_by) of the code (start_h, p).'''
    kind = kind_for_p(p)
    if kind == KIND_RESERVED:
        raise ValueError('p must be 0..924')
    if q_offset_s not in (0, 900, 1800, 2700):
        raise ValueError('Q must be 0, 900, 1800 or 2700')
    starts_at = start_h * 3600 + q_offset_s
    use_by = starts_at + FIRST_USE_S
    if kind == KIND_CANCEL_ALL:
        ends_at = use_by
    else:
        ends_at = starts_at + 3600 * duration_hours(p)
    return kind, starts_at, ends_at, use_by


def passcode_message(lock_id, kv, start_h, p, digits):
    '''M = "AMPC" || 01 || kv || lock_id || start_h:u32 || p:u16 || D:u8'''
    return b'AMPC\x01' + bytes([kv]) + lock_id_bytes(lock_id) + struct.pack('>IHB', start_h, p, digits)


class PasscodeKey:
    '''A lock key prepared for codes: K_code, the lock id, kv and D.'''

    def __init__(self, k_lock, lock_id, kv, digits):
        if len(k_lock) != KEY_LEN:
            raise ValueError('a lock key has 32 bytes')
        if digits not in (10, 12):
            raise ValueError('digits must be 10 or 12')
        self.lock_id = lock_id_bytes(lock_id)
        self.kv = kv
        self.digits = digits
        self.modulus = 10 ** (digits - 3)
        self._keyed = hmac.new(k_code_of(bytes(k_lock)), digestmod=hashlib.sha256)

    def mac(self, start_h, p):
        h = self._keyed.copy()
        h.update(passcode_message(self.lock_id, self.kv, start_h, p, self.digits))
        return h.digest()

    def tag(self, start_h, p):
        return int.from_bytes(self.mac(start_h, p)[:8], 'big') % self.modulus

    def format(self, tag, p):
        return f'{tag * 1000 + p:0{self.digits}d}'

    def is_aliased(self, start_h, p):
        t = self.tag(start_h, p)
        for d in range(1, ALIAS_RADIUS + 1):
            if start_h >= d and self.tag(start_h - d, p) == t:
                return True
            if start_h <= U32_MAX - d and self.tag(start_h + d, p) == t:
                return True
        return False

    def code(self, start_h, p):
        '''The code for (start_h, p), aliased or not.'''
        return self.format(self.tag(start_h, p), p)

    def derive(self, start_h, p):
        '''The code as a generator issues it: ValueError when reserved or aliased.'''
        if kind_for_p(p) == KIND_RESERVED:
            raise ValueError('p must be 0..924')
        if self.is_aliased(start_h, p):
            raise ValueError('aliased')
        return self.code(start_h, p)


# --------------------------------------------------------------------------
# The reference lock (am-reference-lock.c), line for line
# --------------------------------------------------------------------------

TABLE_SIZE = 64
DENY_SIZE = 32
LOG_SIZE = 4096

EV_END = 0x00
EV_KEYPAD_OPEN = 0x01
EV_KEYPAD_REJECT = 0x02
EV_BLE_UNLOCK = 0x03
EV_CANCEL_ALL = 0x04
EV_LOCKOUT = 0x05
EV_REVOKE = 0x06
EV_TIME_SET = 0x07

R_OPEN = 'OPEN'
R_CANCELLED = 'CANCELLED'
R_LOCKED_OUT = 'LOCKED_OUT'
R_MALFORMED = 'MALFORMED'
R_NO_MATCH = 'NO_MATCH'
R_USED = 'USED'
R_REVOKED = 'REVOKED'
R_TABLE_FULL = 'TABLE_FULL'

REJECT_REASON = {
    R_MALFORMED: 1,
    R_NO_MATCH: 2,
    R_USED: 3,
    R_REVOKED: 4,
    R_TABLE_FULL: 5,
    R_LOCKED_OUT: 6,
}

ACTIVE = 'ACTIVE'
CONSUMED = 'CONSUMED'


def lockout_minutes(failures):
    if failures < 5:
        return 0
    if failures == 5:
        return 5
    return 60 if failures >= 9 else min(5 << (failures - 5), 60)


class ReferenceLock:
    '''What lock firmware does with codes typed at its keypad; time comes in as an argument.'''

    def __init__(self, k_lock, lock_id, kv, digits=10, q_offset_s=0):
        if q_offset_s not in (0, 900, 1800, 2700):
            raise ValueError('Q must be 0, 900, 1800 or 2700')
        self.lock_id = lock_id_bytes(lock_id)
        self.key = PasscodeKey(k_lock, self.lock_id, kv, digits)
        self.previous_key = None
        self.previous_until = 0
        self.digits = digits
        self.q_offset_s = q_offset_s
        self.table = [None] * TABLE_SIZE   # dicts: state, code, start_h, p, expires_s
        self.deny = []                     # (start_h, p), oldest first
        self.watermark = 0
        self.failures = 0
        self.lockout_end = 0
        self.log = []                      # (seq, event, t, start_h, p), oldest first
        self.next_seq = 0
        self.hmac_count = 0

    @property
    def kv(self):
        return self.key.kv

    def rotate_key(self, k_lock, kv, previous_until):
        self.previous_key = self.key
        self.previous_until = previous_until
        self.key = PasscodeKey(k_lock, self.lock_id, kv, self.digits)

    def set_previous_key(self, k_lock, kv, previous_until):
        self.previous_key = PasscodeKey(k_lock, self.lock_id, kv, self.digits)
        self.previous_until = previous_until

    def append_log(self, event, now, start_h, p):
        record = (self.next_seq, event, min(max(now, 0), U32_MAX), start_h, p)
        self.next_seq += 1
        if len(self.log) == LOG_SIZE:
            del self.log[0]
        self.log.append(record)

    def _tag(self, key, start_h, p):
        self.hmac_count += 1
        return key.tag(start_h, p)

    def _parse(self, entered):
        c = 0
        n = 0
        for ch in entered:
            if ch not in '0123456789' or n == self.digits:
                return None
            c = c * 10 + (ord(ch) - 48)
            n += 1
        if n != self.digits:
            return None
        if kind_for_p(c % 1000) == KIND_RESERVED:
            return None
        return c

    def _drop_expired(self, now):
        for i, e in enumerate(self.table):
            if e is not None and e['expires_s'] <= now:
                self.table[i] = None

    def _find_entry(self, code):
        for e in self.table:
            if e is not None and e['code'] == code:
                return e
        return None

    def _find_free(self):
        for i, e in enumerate(self.table):
            if e is None:
                return i
        return None

    def is_denied(self, start_h, p):
        return (start_h, p) in self.deny

    def _fail(self, now, result, start_h):
        self.append_log(EV_KEYPAD_REJECT, now, start_h, REJECT_REASON[result])
        self.failures += 1
        minutes = lockout_minutes(self.failures)
        if minutes > 0:
            self.lockout_end = now + 60 * minutes
            self.append_log(EV_LOCKOUT, now, 0, 0)
        return result

    def _open(self, now, start_h, p):
        self.failures = 0
        self.append_log(EV_KEYPAD_OPEN, now, start_h, p)
        return R_OPEN

    def _search(self, now, tag, p):
        q = self.q_offset_s
        newest = (now + SKEW_S - q) // 3600
        oldest = (now - q - FIRST_USE_S - SKEW_S) // 3600 + 1
        previous = self.previous_key is not None and now < self.previous_until
        h = newest
        while h >= oldest:
            if h < self.watermark or h < 0:
                break
            if h <= U32_MAX:
                if hmac.compare_digest(self._tag(self.key, h, p).to_bytes(8, 'big'), tag.to_bytes(8, 'big')):
                    return h
                if previous and hmac.compare_digest(self._tag(self.previous_key, h, p).to_bytes(8, 'big'),
                                                    tag.to_bytes(8, 'big')):
                    return h
            h -= 1
        return -1

    def enter(self, now, entered):
        '''One entry at the keypad; returns OPEN, CANCELLED, LOCKED_OUT, MALFORMED, ...'''
        # 1. A lockout ignores the keypad.
        if now < self.lockout_end:
            self.append_log(EV_KEYPAD_REJECT, now, 0, REJECT_REASON[R_LOCKED_OUT])
            return R_LOCKED_OUT

        # 2. The form of the entry.
        code = self._parse(entered)
        if code is None:
            return self._fail(now, R_MALFORMED, 0)
        p = code % 1000
        tag = code // 1000

        # 3. Codes already activated.
        self._drop_expired(now)
        entry = self._find_entry(code)
        if entry is not None:
            if entry['state'] == ACTIVE:
                return self._open(now, entry['start_h'], entry['p'])
            return self._fail(now, R_USED, entry['start_h'])

        # 4. The start hours of the last 24 hours, newest first.
        h = self._search(now, tag, p)
        if h < 0:
            return self._fail(now, R_NO_MATCH, 0)
        kind, starts_at, ends_at, use_by = window_for(h, p, self.q_offset_s)
        upper = min(ends_at, use_by) + SKEW_S
        if now < starts_at - SKEW_S or now >= upper:
            return self._fail(now, R_NO_MATCH, 0)
        if self.is_denied(h, p):
            return self._fail(now, R_REVOKED, h)

        # 5. Activation.
        slot = self._find_free()
        if slot is None:
            return self._fail(now, R_TABLE_FULL, h)
        entry = {'code': code, 'start_h': h, 'p': p}
        self.table[slot] = entry
        if kind == KIND_TIMED:
            entry['state'] = ACTIVE
            entry['expires_s'] = ends_at + SKEW_S
            return self._open(now, h, p)
        if kind == KIND_ONE_TIME:
            entry['state'] = CONSUMED
            entry['expires_s'] = upper
            return self._open(now, h, p)
        # CANCEL_ALL
        entry['state'] = CONSUMED
        entry['expires_s'] = upper
        self.watermark = max(self.watermark, h)
        for i, e in enumerate(self.table):
            if e is not None and e['start_h'] < self.watermark:
                self.table[i] = None
        self.append_log(EV_CANCEL_ALL, now, h, p)
        return R_CANCELLED

    def revoke(self, now, start_h, p):
        if not self.is_denied(start_h, p):
            if len(self.deny) == DENY_SIZE:
                del self.deny[0]
            self.deny.append((start_h, p))
        for i, e in enumerate(self.table):
            if e is not None and e['start_h'] == start_h and e['p'] == p:
                self.table[i] = None
        self.append_log(EV_REVOKE, now, start_h, p)

    def ble_unlock(self, now):
        self.failures = 0
        self.append_log(EV_BLE_UNLOCK, now, 0, 0)


# --------------------------------------------------------------------------
# Bluetooth frames (ble-lock.md)
# --------------------------------------------------------------------------

SERVICE_UUID = '7eeb0001-d7c6-4278-a381-e485dcaec98a'
NONCE_UUID = '7eeb0002-d7c6-4278-a381-e485dcaec98a'
COMMAND_UUID = '7eeb0003-d7c6-4278-a381-e485dcaec98a'
STATUS_UUID = '7eeb0004-d7c6-4278-a381-e485dcaec98a'
LOG_UUID = '7eeb0005-d7c6-4278-a381-e485dcaec98a'
COMPANY_ID = 0xFFFF

VERSION = 0x01
OP_UNLOCK = 0x01
OP_SET_TIME = 0x03
OP_READ_LOG = 0x04
OP_REVOKE = 0x05

RESULT_OK = 0x00
RESULT_BAD_TAG = 0x01
RESULT_STALE_NONCE = 0x02
RESULT_BAD_OP = 0x03
RESULT_JAMMED = 0x04
RESULT_BUSY = 0x05

FLAG_LOCKED_OUT = 0x01
FLAG_CLOCK_NOT_SET = 0x02

NONCE_LIFETIME_S = 30
BAD_TAGS_PER_CONNECTION = 3
BAD_TAGS_WINDOW_S = 600
BAD_TAGS_PER_WINDOW = 10
REFUSE_S = 300


def advert_data(lock_id, battery, flags):
    '''01 || lock_id[0..8] || battery || flags (11 bytes)'''
    return bytes([VERSION]) + lock_id_bytes(lock_id)[:8] + bytes([battery & 0xFF, flags & 0xFF])


def nonce_frame(kv, r, t_lock):
    '''01 || kv || R || t_lock:u32 (22 bytes)'''
    assert len(r) == 16
    return bytes([VERSION, kv]) + bytes(r) + struct.pack('>I', t_lock & U32_MAX)


def parse_nonce(data):
    '''(kv, R, t_lock) of a NONCE frame'''
    data = bytes(data)
    if len(data) != 22 or data[0] != VERSION:
        raise ValueError('not a NONCE frame')
    return data[1], data[2:18], struct.unpack('>I', data[18:22])[0]


def arg_time(t):
    return struct.pack('>IH', t & U32_MAX, 0)


def arg_read_log(from_seq, max_records):
    return struct.pack('>IH', from_seq, max_records)


def arg_revoke(start_h, p):
    return struct.pack('>IH', start_h, p)


def command_tag(k_ble, lock_id, kv, r, head8):
    return hmac_sha256(k_ble, b'AMBC' + lock_id_bytes(lock_id) + bytes([kv]) + bytes(r) + bytes(head8))[:12]


def command_frame(k_ble, lock_id, kv, r, op, arg):
    '''01 || op || arg[6] || tag12 (20 bytes)'''
    assert len(arg) == 6
    head = bytes([VERSION, op]) + bytes(arg)
    return head + command_tag(k_ble, lock_id, kv, r, head)


def status_tag(k_ble, lock_id, kv, r, command, head6):
    return hmac_sha256(k_ble, b'AMBS' + lock_id_bytes(lock_id) + bytes([kv]) + bytes(r)
                       + bytes(command) + bytes(head6))[:12]


def status_frame(k_ble, lock_id, kv, r, command, result, t_lock):
    '''01 || result || t_lock:u32 || tag12 (18 bytes)'''
    head = bytes([VERSION, result]) + struct.pack('>I', t_lock & U32_MAX)
    return head + status_tag(k_ble, lock_id, kv, r, command, head)


def parse_status(k_ble, lock_id, kv, r, command, data):
    '''(result, t_lock) of a STATUS frame; ValueError when it does not verify'''
    data = bytes(data)
    if len(data) != 18 or data[0] != VERSION:
        raise ValueError('not a STATUS frame')
    if not hmac.compare_digest(data[6:], status_tag(k_ble, lock_id, kv, r, command, data[:6])):
        raise ValueError('bad STATUS tag')
    return data[1], struct.unpack('>I', data[2:6])[0]


def log_tag(k_ble, lock_id, kv, r, body16):
    return hmac_sha256(k_ble, b'AMBL' + lock_id_bytes(lock_id) + bytes([kv]) + bytes(r) + bytes(body16))[:4]


def log_frame(k_ble, lock_id, kv, r, seq, event, t, start_h, p):
    '''01 || seq:u32 || event || t:u32 || start_h:u32 || p:u16 || tag4 (20 bytes)'''
    body = struct.pack('>BIBIIH', VERSION, seq, event, t & U32_MAX, start_h, p)
    return body + log_tag(k_ble, lock_id, kv, r, body)


def parse_log(k_ble, lock_id, kv, r, data):
    '''(seq, event, t, start_h, p) of a LOG frame; ValueError when it does not verify'''
    data = bytes(data)
    if len(data) != 20 or data[0] != VERSION:
        raise ValueError('not a LOG frame')
    if not hmac.compare_digest(data[16:], log_tag(k_ble, lock_id, kv, r, data[:16])):
        raise ValueError('bad LOG tag')
    _, seq, event, t, start_h, p = struct.unpack('>BIBIIH', data[:16])
    return seq, event, t, start_h, p


def device_address(lock_id):
    '''A stable static random address (top bits 11) derived from the lock id.'''
    a = bytearray(hashlib.sha256(b'AM1/sim-address' + lock_id_bytes(lock_id)).digest()[:6])
    a[0] |= 0xC0
    return ':'.join(f'{b:02X}' for b in a)


# --------------------------------------------------------------------------
# D-Bus helpers
# --------------------------------------------------------------------------

def _ay(data):
    return dbus.Array([dbus.Byte(b) for b in bytes(data)], signature='y', variant_level=1)


def _error(name, message):
    return dbus.exceptions.DBusException(message, name=name)


def _mock_error(what, message):
    return _error(AM1_MOCK_ERROR + '.' + what, message)


MANAGER = None


def _manager():
    return MANAGER if MANAGER is not None else mockobject.objects[MAIN_OBJ]


def _log(obj, text):
    try:
        obj.log(text)
    except Exception:  # noqa: BLE001 -- logging never breaks the mock
        pass


def _export(obj, interface, func):
    '''Puts a dbus.service.method-decorated function on obj for interface.'''
    obj.methods.setdefault(interface, {})[func.__name__] = (
        func._dbus_in_signature, func._dbus_out_signature, '', func)


def _emit_changed(obj, interface, changes, invalidated=()):
    for name, value in changes.items():
        obj.props.setdefault(interface, {})[name] = value
    for name in invalidated:
        obj.props.get(interface, {}).pop(name, None)
    obj.EmitSignal(PROPERTIES_IFACE, 'PropertiesChanged', 'sa{sv}as', [
        interface,
        dbus.Dictionary(changes, signature='sv'),
        dbus.Array(list(invalidated), signature='s'),
    ])


def _add_object(path, interface, props, emit=True):
    '''AddObject, and InterfacesAdded as BlueZ sends it.'''
    manager = _manager()
    manager.AddObject(path, interface, props, [])
    obj = mockobject.objects[path]
    if emit:
        manager.EmitSignal(OBJECT_MANAGER_IFACE, 'InterfacesAdded', 'oa{sa{sv}}', [
            dbus.ObjectPath(path), obj.props])
    return obj


def _remove_object(path):
    manager = _manager()
    obj = mockobject.objects.get(path)
    if obj is None:
        return
    interfaces = list(obj.props.keys())
    manager.RemoveObject(path)
    manager.EmitSignal(OBJECT_MANAGER_IFACE, 'InterfacesRemoved', 'oas', [
        dbus.ObjectPath(path), dbus.Array(interfaces, signature='s')])


def _timeout(ms, func, *args):
    def once():
        try:
            func(*args)
        except Exception as e:  # noqa: BLE001 -- keep the mock alive, say what broke
            _log(_manager(), f'AM1 timer {func.__name__} raised: {e!r}')
        return False
    return GLib.timeout_add(ms, once)


# --------------------------------------------------------------------------
# The simulation
# --------------------------------------------------------------------------

class Link:
    '''One Bluetooth connection to a lock.'''

    def __init__(self, lock, serial):
        self.lock = lock
        self.serial = serial
        self.r = os.urandom(16)
        self.r_time = time.monotonic()
        self.bad_tags = 0
        self.pending = 0      # answers not yet notified: a command now gets BUSY
        self.resolved = False
        self.closing = False

    def fresh_nonce(self):
        self.r = os.urandom(16)
        self.r_time = time.monotonic()


class SimLock:
    '''A lock: the reference lock's keypad, the Bluetooth side and the knobs.'''

    def __init__(self, lock_id, k_lock, kv, digits, q_offset_s, battery, name):
        self.lock_id = str(uuid.UUID(lock_id))
        self.lid = lock_id_bytes(self.lock_id)
        self.k_lock = k_lock
        self.k_ble = k_ble_of(k_lock)
        self.ref = ReferenceLock(k_lock, self.lid, kv, digits, q_offset_s)
        self.battery = battery
        self.name = name or ('AM1 ' + self.lock_id[:8])
        self.address = device_address(self.lid)
        self.dev_path = ADAPTER_PATH + '/dev_' + self.address.replace(':', '_')
        self.rssi = -50
        self.in_range = True
        self.jammed = False
        self.sign_bad_tags = False
        self.clock_offset = 0
        self.clock_set = True
        self.unlocks = 0
        self.commands = 0
        self.connections = 0
        self.bad_tags = 0
        self.bad_tag_times = []
        self.refuse_until = 0.0
        self.link = None
        self.connecting = False
        self.serial = 0

    @property
    def kv(self):
        return self.ref.kv

    def now(self):
        return int(time.time()) + self.clock_offset

    def flags(self):
        flags = 0
        if self.now() < self.ref.lockout_end:
            flags |= FLAG_LOCKED_OUT
        if not self.clock_set:
            flags |= FLAG_CLOCK_NOT_SET
        return flags

    def manufacturer_data(self):
        return dbus.Dictionary(
            {dbus.UInt16(COMPANY_ID): _ay(advert_data(self.lid, self.battery, self.flags()))},
            signature='qv', variant_level=1)

    def refusing(self):
        return time.monotonic() < self.refuse_until

    def signing_key(self):
        if self.sign_bad_tags:
            return subkey(self.k_lock, 'AM1/sim-wrong-key')
        return self.k_ble

    def nonce_value(self):
        return nonce_frame(self.kv, self.link.r, self.now())

    def state(self):
        ref = self.ref
        return {
            'lock_id': self.lock_id,
            'name': self.name,
            'address': self.address,
            'device_path': self.dev_path,
            'on_bus': self.dev_path in mockobject.objects,
            'kv': ref.kv,
            'digits': ref.digits,
            'q_offset_s': ref.q_offset_s,
            'battery': self.battery,
            'flags': self.flags(),
            'rssi': self.rssi,
            'in_range': self.in_range,
            'jammed': self.jammed,
            'sign_bad_tags': self.sign_bad_tags,
            'bad_tags': self.bad_tags,
            'refusing': self.refusing(),
            'clock_offset': self.clock_offset,
            'clock_set': self.clock_set,
            'lock_clock': self.now(),
            'connected': self.link is not None and not self.link.closing,
            'services_resolved': self.link is not None and self.link.resolved,
            'unlocks': self.unlocks,
            'commands': self.commands,
            'connections': self.connections,
            'watermark': ref.watermark,
            'failures': ref.failures,
            'lockout_end': ref.lockout_end,
            'next_seq': ref.next_seq,
            'log': [{'seq': s, 'event': e, 't': t, 'start_h': h, 'p': p} for (s, e, t, h, p) in ref.log],
            'deny': [[h, p] for (h, p) in ref.deny],
            'table': [{'code': f'{e["code"]:0{ref.digits}d}', 'start_h': e['start_h'], 'p': e['p'],
                       'state': e['state'], 'expires_s': e['expires_s']}
                      for e in ref.table if e is not None],
        }


class Sim:
    def __init__(self):
        self.locks = {}            # lock_id -> SimLock
        self.sessions = set()      # senders that started a discovery
        self.filters = {}          # sender -> discovery filter (kept until the client leaves the bus)
        self.watches = {}          # sender -> name owner watch
        self.ticker = None


SIM = Sim()


def _adapter():
    return mockobject.objects.get(ADAPTER_PATH)


def _powered():
    adapter = _adapter()
    return adapter is not None and bool(adapter.props[ADAPTER_IFACE]['Powered'])


def _discovering():
    return _adapter() is not None and bool(SIM.sessions)


def _lock(lock_id):
    try:
        key = str(uuid.UUID(str(lock_id)))
    except ValueError as e:
        raise _mock_error('InvalidArguments', f'not a lock id: {lock_id}') from e
    lock = SIM.locks.get(key)
    if lock is None:
        raise _mock_error('NoSuchLock', f'no lock {key}')
    return lock


def _parse_key(key_hex):
    try:
        key = bytes.fromhex(key_hex)
    except ValueError as e:
        raise _mock_error('InvalidArguments', 'the key is not hex') from e
    if len(key) != KEY_LEN:
        raise _mock_error('InvalidArguments', 'the key must be 32 bytes (64 hex digits)')
    return key


def _filter_matches(lock):
    '''Whether some discovery client's filter lets this lock through.'''
    for sender in SIM.sessions:
        f = SIM.filters.get(sender) or {}
        uuids = [str(u).lower() for u in f.get('UUIDs', [])]
        if uuids and SERVICE_UUID not in uuids:
            continue
        if 'RSSI' in f and lock.rssi < int(f['RSSI']):
            continue
        transport = str(f.get('Transport', 'auto'))
        if transport == 'bredr':
            continue
        return True
    return False


def _device_props(lock, rssi):
    return {
        'Address': dbus.String(lock.address, variant_level=1),
        'AddressType': dbus.String('random', variant_level=1),
        'Name': dbus.String(lock.name, variant_level=1),
        'Alias': dbus.String(lock.name, variant_level=1),
        'Adapter': dbus.ObjectPath(ADAPTER_PATH, variant_level=1),
        'RSSI': dbus.Int16(rssi, variant_level=1),
        'ManufacturerData': lock.manufacturer_data(),
        'UUIDs': dbus.Array([SERVICE_UUID], signature='s', variant_level=1),
        'AdvertisingFlags': _ay(b'\x06'),
        'Connected': dbus.Boolean(False, variant_level=1),
        'ServicesResolved': dbus.Boolean(False, variant_level=1),
        'Paired': dbus.Boolean(False, variant_level=1),
        'Bonded': dbus.Boolean(False, variant_level=1),
        'Trusted': dbus.Boolean(False, variant_level=1),
        'Blocked': dbus.Boolean(False, variant_level=1),
        'LegacyPairing': dbus.Boolean(False, variant_level=1),
        'WakeAllowed': dbus.Boolean(False, variant_level=1),
    }


def _jittered(lock):
    return max(-127, min(20, lock.rssi + random.randint(-2, 2)))


def _add_device(lock):
    device = _add_object(lock.dev_path, DEVICE_IFACE, _device_props(lock, _jittered(lock)))
    device.am1_lock = lock
    for func in (DeviceMethods.Connect, DeviceMethods.Disconnect, DeviceMethods.Pair,
                 DeviceMethods.CancelPairing, DeviceMethods.ConnectProfile,
                 DeviceMethods.DisconnectProfile):
        _export(device, DEVICE_IFACE, func)
    return device


def _advertise(lock):
    '''One advertisement received while discovering.'''
    device = mockobject.objects.get(lock.dev_path)
    if device is None:
        _add_device(lock)
        return
    changes = {'RSSI': dbus.Int16(_jittered(lock), variant_level=1)}
    mdata = lock.manufacturer_data()
    if device.props[DEVICE_IFACE].get('ManufacturerData') != mdata:
        changes['ManufacturerData'] = mdata
    _emit_changed(device, DEVICE_IFACE, changes)


def _scan():
    if not _discovering() or not _powered():
        return
    for lock in list(SIM.locks.values()):
        if lock.in_range and _filter_matches(lock):
            _advertise(lock)


def _tick():
    if not _discovering():
        SIM.ticker = None
        return False
    try:
        _scan()
    except Exception as e:  # noqa: BLE001
        _log(_manager(), f'AM1 scan raised: {e!r}')
    return True


def _start_ticker():
    if SIM.ticker is None:
        SIM.ticker = GLib.timeout_add(250, _tick)
    _timeout(50, _scan)


def _end_discovery():
    '''No client discovers any more: Discovering false, RSSI invalidated (as BlueZ does).'''
    SIM.sessions.clear()
    if SIM.ticker is not None:
        GLib.source_remove(SIM.ticker)
        SIM.ticker = None
    adapter = _adapter()
    if adapter is not None and adapter.props[ADAPTER_IFACE]['Discovering']:
        _emit_changed(adapter, ADAPTER_IFACE, {'Discovering': dbus.Boolean(False, variant_level=1)})
    for lock in SIM.locks.values():
        device = mockobject.objects.get(lock.dev_path)
        if device is not None and 'RSSI' in device.props[DEVICE_IFACE]:
            _emit_changed(device, DEVICE_IFACE, {}, ['RSSI'])


def _stop_session(sender):
    SIM.sessions.discard(sender)
    if not SIM.sessions:
        _end_discovery()


def _watch_client(connection, sender):
    '''A client that leaves the bus loses its discovery and its filter, as in BlueZ.'''
    if not sender or sender in SIM.watches:
        return

    def owner_changed(owner):
        if owner:
            return
        watch = SIM.watches.pop(sender, None)
        SIM.filters.pop(sender, None)
        if sender in SIM.sessions:
            _stop_session(sender)
        if watch is not None:
            GLib.idle_add(lambda: watch.cancel() and False)

    SIM.watches[sender] = connection.watch_name_owner(sender, owner_changed)


# ---- connections ----------------------------------------------------------

def _gatt_paths(lock):
    service = lock.dev_path + '/service0010'
    return service, {
        NONCE_UUID: service + '/char0011',
        COMMAND_UUID: service + '/char0013',
        STATUS_UUID: service + '/char0015',
        LOG_UUID: service + '/char0017',
    }


def _add_gatt(lock):
    service_path, chars = _gatt_paths(lock)
    _add_object(service_path, GATT_SERVICE_IFACE, {
        'UUID': dbus.String(SERVICE_UUID, variant_level=1),
        'Primary': dbus.Boolean(True, variant_level=1),
        'Device': dbus.ObjectPath(lock.dev_path, variant_level=1),
        'Includes': dbus.Array([], signature='o', variant_level=1),
        'Handle': dbus.UInt16(0x0010, variant_level=1),
    })
    flags = {
        NONCE_UUID: ['read', 'notify'],
        COMMAND_UUID: ['write'],
        STATUS_UUID: ['notify'],
        LOG_UUID: ['notify'],
    }
    for char_uuid, path in chars.items():
        props = {
            'UUID': dbus.String(char_uuid, variant_level=1),
            'Service': dbus.ObjectPath(service_path, variant_level=1),
            'Value': _ay(b''),
            'Flags': dbus.Array(flags[char_uuid], signature='s', variant_level=1),
            'Handle': dbus.UInt16(int(path[-4:], 16), variant_level=1),
            'MTU': dbus.UInt16(23, variant_level=1),
        }
        if 'notify' in flags[char_uuid]:
            props['Notifying'] = dbus.Boolean(False, variant_level=1)
        char = _add_object(path, GATT_CHAR_IFACE, props)
        char.am1_lock = lock
        char.am1_uuid = char_uuid
        char.am1_link = lock.link
        for func in (CharMethods.ReadValue, CharMethods.WriteValue,
                     CharMethods.StartNotify, CharMethods.StopNotify):
            _export(char, GATT_CHAR_IFACE, func)


def _char(lock, char_uuid):
    return mockobject.objects.get(_gatt_paths(lock)[1][char_uuid])


def _notify(lock, char_uuid, data):
    '''A notification: the Value changes, PropertiesChanged when notifying.'''
    char = _char(lock, char_uuid)
    if char is None or not char.props[GATT_CHAR_IFACE].get('Notifying', False):
        return False
    _emit_changed(char, GATT_CHAR_IFACE, {'Value': _ay(data)})
    return True


def _drop_link(lock):
    '''The connection ends (Disconnect, link loss, the lock hanging up, adapter gone).'''
    link = lock.link
    if link is None:
        return
    link.closing = True
    device = mockobject.objects.get(lock.dev_path)
    if device is not None and device.props[DEVICE_IFACE]['ServicesResolved']:
        _emit_changed(device, DEVICE_IFACE, {'ServicesResolved': dbus.Boolean(False, variant_level=1)})
    service_path, chars = _gatt_paths(lock)
    for path in chars.values():
        _remove_object(path)
    _remove_object(service_path)
    if device is not None and device.props[DEVICE_IFACE]['Connected']:
        _emit_changed(device, DEVICE_IFACE, {'Connected': dbus.Boolean(False, variant_level=1)})
    lock.link = None


def _connect_failed(lock, err, message='le-connection-abort-by-local'):
    lock.connecting = False
    err(_error('org.bluez.Error.Failed', message))


def _guarded(step):
    '''A Connect step that answers the call with an error should it raise.'''
    def run(lock, tag, ok, err):
        try:
            return step(lock, tag, ok, err)
        except Exception as e:  # noqa: BLE001
            _log(_manager(), f'AM1 {step.__name__} raised: {e!r}')
            lock.connecting = False
            err(_error('org.bluez.Error.Failed', 'le-connection-abort-by-local'))
            return None
    run.__name__ = step.__name__
    return run


def _connect_step1(lock, serial, ok, err):
    if lock.serial != serial or SIM.locks.get(lock.lock_id) is not lock:
        return err(_error('org.bluez.Error.Failed', 'le-connection-abort-by-local'))
    device = mockobject.objects.get(lock.dev_path)
    if device is None or not _powered():
        lock.connecting = False
        return err(_error('org.bluez.Error.Failed', 'le-connection-abort-by-local'))
    if not lock.in_range or lock.refusing():
        return _connect_failed(lock, err)
    lock.link = Link(lock, serial)
    lock.connections += 1
    _emit_changed(device, DEVICE_IFACE, {'Connected': dbus.Boolean(True, variant_level=1)})
    _timeout(30, _guarded(_connect_step2), lock, lock.link, ok, err)
    return None


def _connect_step2(lock, link, ok, err):
    lock.connecting = False
    if lock.link is not link or link.closing:
        return err(_error('org.bluez.Error.Failed', 'le-connection-abort-by-local'))
    _add_gatt(lock)
    link.resolved = True
    device = mockobject.objects[lock.dev_path]
    _emit_changed(device, DEVICE_IFACE, {'ServicesResolved': dbus.Boolean(True, variant_level=1)})
    ok()
    return None


def _handle_command(lock, data):
    '''The lock's side of a COMMAND write; returns what to notify afterwards.'''
    link = lock.link
    lock.commands += 1
    r = link.r
    kv = lock.kv
    ref = lock.ref
    expected = command_tag(lock.k_ble, lock.lid, kv, r, data[:8])
    records = []
    if not hmac.compare_digest(data[8:20], expected):
        result = RESULT_BAD_TAG
        lock.bad_tags += 1
        link.bad_tags += 1
        mono = time.monotonic()
        lock.bad_tag_times = [t for t in lock.bad_tag_times if mono - t < BAD_TAGS_WINDOW_S] + [mono]
        if len(lock.bad_tag_times) >= BAD_TAGS_PER_WINDOW:
            lock.refuse_until = mono + REFUSE_S
            lock.bad_tag_times = []
    elif time.monotonic() - link.r_time > NONCE_LIFETIME_S:
        result = RESULT_STALE_NONCE
    elif link.pending > 0:
        result = RESULT_BUSY
    elif data[0] != VERSION or data[1] not in (OP_UNLOCK, OP_SET_TIME, OP_READ_LOG, OP_REVOKE):
        result = RESULT_BAD_OP
    else:
        op = data[1]
        a32, a16 = struct.unpack('>IH', data[2:8])
        result = RESULT_OK
        if op == OP_UNLOCK:
            if lock.jammed:
                result = RESULT_JAMMED
            else:
                ref.ble_unlock(lock.now())
                lock.unlocks += 1
        elif op == OP_SET_TIME:
            lock.clock_offset = a32 - int(time.time())
            lock.clock_set = True
            ref.append_log(EV_TIME_SET, lock.now(), 0, 0)
        elif op == OP_READ_LOG:
            for record in ref.log:
                if len(records) >= a16:
                    break
                if record[0] >= a32:
                    records.append(record)
            records.append((ref.next_seq, EV_END, 0, 0, 0))
        elif op == OP_REVOKE:
            if a16 > P_MAX:
                result = RESULT_BAD_OP
            else:
                ref.revoke(lock.now(), a32, a16)
    key = lock.signing_key()
    status = status_frame(key, lock.lid, kv, r, data, result, lock.now())
    logs = [log_frame(key, lock.lid, kv, r, *rec) for rec in records]
    link.fresh_nonce()
    link.pending += 1
    return status, logs


def _after_command(lock, link, status, logs):
    link.pending -= 1
    if lock.link is not link or link.closing:
        return
    _notify(lock, STATUS_UUID, status)
    for frame in logs:
        _notify(lock, LOG_UUID, frame)
    _notify(lock, NONCE_UUID, lock.nonce_value())
    if link.bad_tags >= BAD_TAGS_PER_CONNECTION or lock.refusing():
        _timeout(30, _hang_up, lock, link)


def _hang_up(lock, link):
    if lock.link is link:
        _drop_link(lock)


# ---- D-Bus methods ----------------------------------------------------------
# Grouped in classes so that dbusmock's AddTemplate does not put them on '/'.

class DeviceMethods:
    @dbus.service.method(DEVICE_IFACE, in_signature='', out_signature='',
                         async_callbacks=('ok', 'err'))
    def Connect(self, ok, err):
        _log(self, f'Connect {self.path}')
        lock = self.am1_lock
        if not _powered():
            raise _error('org.bluez.Error.NotReady', 'Resource Not Ready')
        if lock.link is not None and not lock.link.closing:
            if lock.link.resolved:
                ok()
                return
            raise _error('org.bluez.Error.InProgress', 'In Progress')
        if lock.connecting:
            raise _error('org.bluez.Error.InProgress', 'In Progress')
        lock.connecting = True
        lock.serial += 1
        delay = 50 if lock.in_range and not lock.refusing() else 200
        _timeout(delay, _guarded(_connect_step1), lock, lock.serial, ok, err)

    @dbus.service.method(DEVICE_IFACE, in_signature='', out_signature='')
    def Disconnect(self):
        _log(self, f'Disconnect {self.path}')
        lock = self.am1_lock
        lock.serial += 1   # a pending Connect fails
        lock.connecting = False
        _drop_link(lock)

    @dbus.service.method(DEVICE_IFACE, in_signature='', out_signature='')
    def Pair(self):
        raise _error('org.bluez.Error.NotSupported', 'Operation is not supported')

    @dbus.service.method(DEVICE_IFACE, in_signature='', out_signature='')
    def CancelPairing(self):
        raise _error('org.bluez.Error.DoesNotExist', 'Does Not Exist')

    @dbus.service.method(DEVICE_IFACE, in_signature='s', out_signature='')
    def ConnectProfile(self, _uuid):
        raise _error('org.bluez.Error.NotAvailable', 'Operation currently not available')

    @dbus.service.method(DEVICE_IFACE, in_signature='s', out_signature='')
    def DisconnectProfile(self, _uuid):
        raise _error('org.bluez.Error.NotAvailable', 'Operation currently not available')


def _check_char(char):
    lock = char.am1_lock
    if lock.link is None or lock.link is not char.am1_link or lock.link.closing:
        raise _error('org.bluez.Error.Failed', 'Not connected')
    return lock


class CharMethods:
    @dbus.service.method(GATT_CHAR_IFACE, in_signature='a{sv}', out_signature='ay')
    def ReadValue(self, options):
        _log(self, f'ReadValue {self.path}')
        lock = _check_char(self)
        if self.am1_uuid != NONCE_UUID:
            raise _error('org.bluez.Error.NotPermitted', 'Read not permitted')
        value = lock.nonce_value()
        offset = int(options.get('offset', 0))
        if offset > len(value):
            raise _error('org.bluez.Error.InvalidOffset', 'Invalid offset')
        if self.props[GATT_CHAR_IFACE]['Value'] != _ay(value):
            _emit_changed(self, GATT_CHAR_IFACE, {'Value': _ay(value)})
        return dbus.Array([dbus.Byte(b) for b in value[offset:]], signature='y')

    @dbus.service.method(GATT_CHAR_IFACE, in_signature='aya{sv}', out_signature='', byte_arrays=True)
    def WriteValue(self, value, options):
        data = bytes(value)
        _log(self, f'WriteValue {self.path} {data.hex()}')
        lock = _check_char(self)
        if self.am1_uuid != COMMAND_UUID:
            raise _error('org.bluez.Error.NotPermitted', 'Write not permitted')
        if int(options.get('offset', 0)) != 0:
            raise _error('org.bluez.Error.InvalidOffset', 'Invalid offset')
        if len(data) != 20:
            raise _error('org.bluez.Error.InvalidValueLength', 'Invalid Length')
        link = lock.link
        status, logs = _handle_command(lock, data)
        _timeout(20, _after_command, lock, link, status, logs)

    @dbus.service.method(GATT_CHAR_IFACE, in_signature='', out_signature='')
    def StartNotify(self):
        _log(self, f'StartNotify {self.path}')
        _check_char(self)
        if 'Notifying' not in self.props[GATT_CHAR_IFACE]:
            raise _error('org.bluez.Error.NotSupported', 'Operation is not supported')
        if not self.props[GATT_CHAR_IFACE]['Notifying']:
            _emit_changed(self, GATT_CHAR_IFACE, {'Notifying': dbus.Boolean(True, variant_level=1)})

    @dbus.service.method(GATT_CHAR_IFACE, in_signature='', out_signature='')
    def StopNotify(self):
        _log(self, f'StopNotify {self.path}')
        _check_char(self)
        if 'Notifying' not in self.props[GATT_CHAR_IFACE]:
            raise _error('org.bluez.Error.NotSupported', 'Operation is not supported')
        if self.props[GATT_CHAR_IFACE]['Notifying']:
            _emit_changed(self, GATT_CHAR_IFACE, {'Notifying': dbus.Boolean(False, variant_level=1)})


DISCOVERY_FILTER_KEYS = ('UUIDs', 'RSSI', 'Pathloss', 'Transport', 'DuplicateData', 'Discoverable', 'Pattern')
ADAPTER_WRITABLE = ('Powered', 'Discoverable', 'Pairable', 'Alias', 'DiscoverableTimeout', 'PairableTimeout')


class AdapterMethods:
    @dbus.service.method(ADAPTER_IFACE, in_signature='a{sv}', out_signature='', sender_keyword='sender')
    def SetDiscoveryFilter(self, properties, sender=None):
        _log(self, f'SetDiscoveryFilter {dict(properties)!r}')
        if not _powered():
            raise _error('org.bluez.Error.NotReady', 'Resource Not Ready')
        for key in properties:
            if key not in DISCOVERY_FILTER_KEYS:
                raise _error('org.bluez.Error.InvalidArguments', 'Invalid arguments in method call')
        if 'Transport' in properties and str(properties['Transport']) not in ('auto', 'le', 'bredr'):
            raise _error('org.bluez.Error.InvalidArguments', 'Invalid arguments in method call')
        _watch_client(self.connection, sender)
        if properties:
            SIM.filters[sender] = dict(properties)
        else:
            SIM.filters.pop(sender, None)
        if sender in SIM.sessions:
            _timeout(50, _scan)

    @dbus.service.method(ADAPTER_IFACE, in_signature='', out_signature='as')
    def GetDiscoveryFilters(self):
        return dbus.Array(DISCOVERY_FILTER_KEYS, signature='s')

    @dbus.service.method(ADAPTER_IFACE, in_signature='', out_signature='', sender_keyword='sender')
    def StartDiscovery(self, sender=None):
        _log(self, f'StartDiscovery from {sender}')
        if not _powered():
            raise _error('org.bluez.Error.NotReady', 'Resource Not Ready')
        if sender in SIM.sessions:
            raise _error('org.bluez.Error.InProgress', 'Operation already in progress')
        _watch_client(self.connection, sender)
        SIM.sessions.add(sender)
        if not self.props[ADAPTER_IFACE]['Discovering']:
            _emit_changed(self, ADAPTER_IFACE, {'Discovering': dbus.Boolean(True, variant_level=1)})
        _start_ticker()

    @dbus.service.method(ADAPTER_IFACE, in_signature='', out_signature='', sender_keyword='sender')
    def StopDiscovery(self, sender=None):
        _log(self, f'StopDiscovery from {sender}')
        if not _powered():
            raise _error('org.bluez.Error.NotReady', 'Resource Not Ready')
        if sender not in SIM.sessions:
            raise _error('org.bluez.Error.Failed', 'No discovery started')
        _stop_session(sender)

    @dbus.service.method(ADAPTER_IFACE, in_signature='o', out_signature='')
    def RemoveDevice(self, device):
        _log(self, f'RemoveDevice {device}')
        obj = mockobject.objects.get(str(device))
        if obj is None or DEVICE_IFACE not in obj.props or not str(device).startswith(ADAPTER_PATH + '/'):
            raise _error('org.bluez.Error.DoesNotExist', 'Does Not Exist')
        lock = getattr(obj, 'am1_lock', None)
        if lock is not None:
            lock.serial += 1
            lock.connecting = False
            _drop_link(lock)
        _remove_object(str(device))

    @dbus.service.method(PROPERTIES_IFACE, in_signature='ssv', out_signature='')
    def Set(self, interface, name, value):
        _log(self, f'Set {self.path} {interface}.{name} {value!r}')
        if interface != ADAPTER_IFACE or name not in self.props.get(interface, {}):
            raise _error('org.freedesktop.DBus.Error.InvalidArgs', f'No such property {name}')
        if name not in ADAPTER_WRITABLE:
            raise _error('org.freedesktop.DBus.Error.PropertyReadOnly', f'Property {name} is read-only')
        current = self.props[interface][name]
        if name in ('Powered', 'Discoverable', 'Pairable'):
            value = dbus.Boolean(bool(value), variant_level=1)
        elif name == 'Alias':
            value = dbus.String(str(value), variant_level=1)
        else:
            value = dbus.UInt32(int(value), variant_level=1)
        if name == 'Powered' and not value:
            _end_discovery()
            for lock in SIM.locks.values():
                lock.serial += 1
                lock.connecting = False
                _drop_link(lock)
        if value != current or type(value) is not type(current):
            _emit_changed(self, interface, {name: value})


def _add_adapter(emit=True):
    props = {
        'Address': dbus.String('00:AA:01:00:00:01', variant_level=1),
        'AddressType': dbus.String('public', variant_level=1),
        'Name': dbus.String('Access Manager test adapter', variant_level=1),
        'Alias': dbus.String('Access Manager test adapter', variant_level=1),
        'Class': dbus.UInt32(0x10010C, variant_level=1),
        'Powered': dbus.Boolean(True, variant_level=1),
        'Discoverable': dbus.Boolean(False, variant_level=1),
        'DiscoverableTimeout': dbus.UInt32(180, variant_level=1),
        'Pairable': dbus.Boolean(True, variant_level=1),
        'PairableTimeout': dbus.UInt32(0, variant_level=1),
        'Discovering': dbus.Boolean(False, variant_level=1),
        'UUIDs': dbus.Array([
            '00001800-0000-1000-8000-00805f9b34fb',  # Generic Access
            '00001801-0000-1000-8000-00805f9b34fb',  # Generic Attribute
            '0000110e-0000-1000-8000-00805f9b34fb',  # AV Remote Control
            '00001200-0000-1000-8000-00805f9b34fb',  # PnP Information
        ], signature='s', variant_level=1),
        'Modalias': dbus.String('usb:v1D6Bp0246d0542', variant_level=1),
        'Roles': dbus.Array(['central', 'peripheral'], signature='s', variant_level=1),
    }
    adapter = _add_object(ADAPTER_PATH, ADAPTER_IFACE, props, emit)
    for func in (AdapterMethods.SetDiscoveryFilter, AdapterMethods.GetDiscoveryFilters,
                 AdapterMethods.StartDiscovery, AdapterMethods.StopDiscovery,
                 AdapterMethods.RemoveDevice):
        _export(adapter, ADAPTER_IFACE, func)
    _export(adapter, PROPERTIES_IFACE, AdapterMethods.Set)
    return adapter


def _remove_adapter():
    _end_discovery()
    for lock in SIM.locks.values():
        lock.serial += 1
        lock.connecting = False
        _drop_link(lock)
    for path in sorted((p for p in mockobject.objects if p.startswith(ADAPTER_PATH + '/')),
                       key=len, reverse=True):
        _remove_object(path)
    _remove_object(ADAPTER_PATH)


class ControlMethods:
    @dbus.service.method(AM1_MOCK_IFACE, in_signature='ssyyuys', out_signature='o')
    def AddLock(self, lock_id, key_hex, kv, digits, q_offset_s, battery, name):
        _log(self, f'AddLock {lock_id} kv={int(kv)} digits={int(digits)} q={int(q_offset_s)} '
                   f'battery={int(battery)} name={name!r}')
        try:
            lid = str(uuid.UUID(str(lock_id)))
        except ValueError as e:
            raise _mock_error('InvalidArguments', f'not a lock id: {lock_id}') from e
        key = _parse_key(key_hex)
        if lid in SIM.locks:
            raise _mock_error('Exists', f'lock {lid} exists')
        if int(digits) not in (10, 12):
            raise _mock_error('InvalidArguments', 'digits must be 10 or 12')
        if int(q_offset_s) not in (0, 900, 1800, 2700):
            raise _mock_error('InvalidArguments', 'Q must be 0, 900, 1800 or 2700')
        if int(kv) == 0:
            raise _mock_error('InvalidArguments', 'kv must be 1..255')
        lock = SimLock(lid, key, int(kv), int(digits), int(q_offset_s), int(battery), str(name))
        SIM.locks[lid] = lock
        if _discovering():
            _timeout(50, _scan)
        return dbus.ObjectPath(lock.dev_path)

    @dbus.service.method(AM1_MOCK_IFACE, in_signature='ssy', out_signature='')
    def AddPreviousKey(self, lock_id, key_hex, kv):
        _log(self, f'AddPreviousKey {lock_id} kv={int(kv)}')
        lock = _lock(lock_id)
        lock.ref.set_previous_key(_parse_key(key_hex), int(kv), 1 << 62)

    @dbus.service.method(AM1_MOCK_IFACE, in_signature='s', out_signature='')
    def RemoveLock(self, lock_id):
        _log(self, f'RemoveLock {lock_id}')
        lock = _lock(lock_id)
        lock.serial += 1
        lock.connecting = False
        _drop_link(lock)
        _remove_object(lock.dev_path)
        del SIM.locks[lock.lock_id]

    @dbus.service.method(AM1_MOCK_IFACE, in_signature='', out_signature='')
    def AddAdapter(self):
        _log(self, 'AddAdapter')
        if _adapter() is not None:
            raise _mock_error('Exists', 'the adapter exists')
        _add_adapter()

    @dbus.service.method(AM1_MOCK_IFACE, in_signature='', out_signature='')
    def RemoveAdapter(self):
        _log(self, 'RemoveAdapter')
        if _adapter() is None:
            raise _mock_error('NoSuchAdapter', 'there is no adapter')
        _remove_adapter()

    @dbus.service.method(AM1_MOCK_IFACE, in_signature='ss', out_signature='s')
    def TypeCode(self, lock_id, code):
        _log(self, f'TypeCode {lock_id} {code}')
        lock = _lock(lock_id)
        result = lock.ref.enter(lock.now(), str(code))
        if result == R_OPEN:
            return 'open'
        if result == R_CANCELLED:
            return 'cancelled'
        return 'reject:' + result.lower()

    @dbus.service.method(AM1_MOCK_IFACE, in_signature='sn', out_signature='')
    def SetRssi(self, lock_id, rssi):
        _log(self, f'SetRssi {lock_id} {int(rssi)}')
        _lock(lock_id).rssi = int(rssi)

    @dbus.service.method(AM1_MOCK_IFACE, in_signature='sb', out_signature='')
    def SetInRange(self, lock_id, in_range):
        _log(self, f'SetInRange {lock_id} {bool(in_range)}')
        lock = _lock(lock_id)
        lock.in_range = bool(in_range)
        if not lock.in_range:
            lock.serial += 1
            lock.connecting = False
            _drop_link(lock)   # link loss
        elif _discovering():
            _timeout(50, _scan)

    @dbus.service.method(AM1_MOCK_IFACE, in_signature='sb', out_signature='')
    def SetJammed(self, lock_id, jammed):
        _log(self, f'SetJammed {lock_id} {bool(jammed)}')
        _lock(lock_id).jammed = bool(jammed)

    @dbus.service.method(AM1_MOCK_IFACE, in_signature='sb', out_signature='')
    def SetBadTags(self, lock_id, bad):
        _log(self, f'SetBadTags {lock_id} {bool(bad)}')
        _lock(lock_id).sign_bad_tags = bool(bad)

    @dbus.service.method(AM1_MOCK_IFACE, in_signature='si', out_signature='')
    def SetClockOffset(self, lock_id, seconds):
        _log(self, f'SetClockOffset {lock_id} {int(seconds)}')
        lock = _lock(lock_id)
        lock.clock_offset = int(seconds)

    @dbus.service.method(AM1_MOCK_IFACE, in_signature='sb', out_signature='')
    def SetClockSet(self, lock_id, clock_set):
        _log(self, f'SetClockSet {lock_id} {bool(clock_set)}')
        lock = _lock(lock_id)
        lock.clock_set = bool(clock_set)

    @dbus.service.method(AM1_MOCK_IFACE, in_signature='sy', out_signature='')
    def SetBattery(self, lock_id, battery):
        _log(self, f'SetBattery {lock_id} {int(battery)}')
        lock = _lock(lock_id)
        lock.battery = int(battery)

    @dbus.service.method(AM1_MOCK_IFACE, in_signature='s', out_signature='s')
    def GetLockState(self, lock_id):
        return json.dumps(_lock(lock_id).state())


def _load_cloud_locks(path):
    '''The locks of a reference cloud's database, as SimLocks.'''
    import sqlite3  # noqa: PLC0415 -- only the demo needs it

    db = sqlite3.connect(f'file:{path}?mode=ro', uri=True)
    try:
        rows = db.execute(
            'SELECT l.id, l.name, l.digits, l.q_offset_s, l.kv, k.key, l.battery,'
            ' (SELECT max(e.log_seq) + 1 FROM lock_events e WHERE e.lock_id = l.id)'
            ' FROM locks l JOIN lock_keys k ON k.lock_id = l.id AND k.kv = l.kv ORDER BY l.id').fetchall()
        previous = db.execute(
            'SELECT k.lock_id, k.kv, k.key FROM lock_keys k JOIN locks l ON l.id = k.lock_id'
            ' WHERE k.kv != l.kv').fetchall()
    finally:
        db.close()
    for lock_id, name, digits, q_offset_s, kv, key, battery, next_seq in rows:
        lock = SimLock(lock_id, bytes(key), int(kv), int(digits), int(q_offset_s),
                       int(battery) if battery is not None else 0xFF, name)
        lock.ref.next_seq = int(next_seq or 0)
        SIM.locks[lock.lock_id] = lock
    for lock_id, kv, key in previous:
        if lock_id in SIM.locks:
            SIM.locks[lock_id].ref.set_previous_key(bytes(key), int(kv), 1 << 62)


def load(mock, parameters):
    global SIM, MANAGER  # noqa: PLW0603 -- a Reset() loads the template again
    SIM = Sim()
    MANAGER = mock
    parameters = parameters or {}

    mock.AddObject(BLUEZ_PATH, AGENT_MANAGER_IFACE, {}, [
        ('RegisterAgent', 'os', '', ''),
        ('RequestDefaultAgent', 'o', '', ''),
        ('UnregisterAgent', 'o', '', ''),
    ])
    bluez = mockobject.objects[BLUEZ_PATH]
    bluez.props[PROFILE_MANAGER_IFACE] = {}
    bluez.AddMethods(PROFILE_MANAGER_IFACE, [
        ('RegisterProfile', 'osa{sv}', '', ''),
        ('UnregisterProfile', 'o', '', ''),
    ])
    for func in (ControlMethods.AddLock, ControlMethods.AddPreviousKey, ControlMethods.RemoveLock,
                 ControlMethods.AddAdapter, ControlMethods.RemoveAdapter, ControlMethods.TypeCode,
                 ControlMethods.SetRssi, ControlMethods.SetInRange, ControlMethods.SetJammed,
                 ControlMethods.SetBadTags, ControlMethods.SetClockOffset, ControlMethods.SetClockSet,
                 ControlMethods.SetBattery, ControlMethods.GetLockState):
        _export(bluez, AM1_MOCK_IFACE, func)

    # No InterfacesAdded while loading: dbusmock owns org.bluez before it loads
    # the template, so a client that saw the name could get the signal after
    # its GetManagedObjects, and GDBusObjectManagerClient would then replace
    # the adapter's proxy under its feet.
    if parameters.get('adapter', True):
        _add_adapter(emit=False)
    if parameters.get('cloud_db'):
        _load_cloud_locks(parameters['cloud_db'])
